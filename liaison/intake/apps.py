from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class IntakeConfig(AppConfig):
    """Documents in any language, their processing stages and the review queue of proposed facts."""

    name = "liaison.intake"
    label = "intake"
    verbose_name = _("Intake")
