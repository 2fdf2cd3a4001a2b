from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class PublicConfig(AppConfig):
    """Public pages (no login) and the officers' side of them: public list, triage of public reports."""

    name = "liaison.public"
    label = "public"
    verbose_name = _("Public side")
