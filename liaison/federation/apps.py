from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class FederationConfig(AppConfig):
    """Sovereign nodes (issue 16): each node keeps its own database; what is shared with an agency
    homed on another node is replicated there as signed STIX 2.1 over a TAXII 2.1 endpoint."""

    name = "liaison.federation"
    verbose_name = _("Federation")

    def ready(self):
        from liaison.federation import checks, messages, receivers  # noqa: F401  (registers the check, connects the receivers)

        messages.connect()  # request steps, hit notices and notices for agencies of other nodes
