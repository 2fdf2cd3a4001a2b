"""``federation_enabled`` in every template: the menu offers the exchange log only on a
node that takes part in a federation (on a single node the log would always be empty)."""
from django.conf import settings


def federation(request):
    return {"federation_enabled": bool(getattr(settings, "FEDERATION_NODE", ""))}
