from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ScreeningConfig(AppConfig):
    """Border screening of travellers against every agency's watchlist (issue 13)."""

    name = "liaison.screening"
    label = "screening"
    verbose_name = _("Border screening")

    def ready(self):
        from liaison.screening import keys

        keys.connect()
