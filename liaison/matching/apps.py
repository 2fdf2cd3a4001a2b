from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class MatchingConfig(AppConfig):
    """Candidate matches between persons, merges and splits, and watchlist hits."""

    name = "liaison.matching"
    label = "matching"
    verbose_name = _("Matching")

    def ready(self):
        from liaison.matching import signals

        signals.connect()
