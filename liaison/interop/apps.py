from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class InteropConfig(AppConfig):
    """Interchange with the systems the centre's partners run: STIX 2.1 and TAXII 2.1, MISP, FollowTheMoney."""

    name = "liaison.interop"
    verbose_name = _("Interchange")

    def ready(self):
        # The interchange page's picker ("what to export") answers through web:pick like every picker.
        from liaison.interop.subjects import SubjectSource
        from liaison.web import pickers

        pickers.SOURCES.setdefault(SubjectSource.kind, SubjectSource())
