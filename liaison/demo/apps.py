from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class DemoConfig(AppConfig):
    """Demonstration data (``liaison demo load``); no models of its own."""

    name = "liaison.demo"
    label = "demo"
    verbose_name = _("Demonstration data")
