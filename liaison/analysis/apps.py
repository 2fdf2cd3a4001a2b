from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AnalysisConfig(AppConfig):
    """What an analyst reads off the records: map, timeline, charts, link analysis,
    operation reports, saved searches. Every view reads through ``liaison.sharing.visibility``."""

    name = "liaison.analysis"
    verbose_name = _("Analysis")

    def ready(self):
        # Saved-search alerts listen to what the lower layers announce (alert_signals.py).
        from liaison.analysis import alert_signals

        alert_signals.connect()
