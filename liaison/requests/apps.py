from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class RequestsConfig(AppConfig):
    """Cross-border requests between agencies: handovers, record checks, consular access, repatriation..."""

    name = "liaison.requests"
    label = "requests"
    verbose_name = _("Cross-border requests")
