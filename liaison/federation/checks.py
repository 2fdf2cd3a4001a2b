"""System checks of a federated node's settings (run by every ``liaison`` command and by
``runserver`` and ``serve``)."""
from django.conf import settings
from django.core.checks import Error, register


@register()
def own_stix_namespace(app_configs, **kwargs):
    """A node that federates must name its own STIX id namespace. Derived from ALLOWED_HOSTS,
    two nodes behind the same name (or both on 127.0.0.1) would give different records the
    same STIX id, and a peer would take one country's record for an update of another's."""
    if getattr(settings, "FEDERATION_NODE", "") and not getattr(settings, "STIX_ID_NAMESPACE", ""):
        return [Error(
            f"This node ({settings.FEDERATION_NODE}) takes part in a federation but STIX_ID_NAMESPACE is not set: "
            "its records' ids could collide with another node's.",
            hint="Set STIX_ID_NAMESPACE to a UUID of this node's own, once, and keep it: "
                 "python3 -c 'import uuid; print(uuid.uuid4())' (docs/federation.md).",
            id="liaison.federation.E001")]
    return []
