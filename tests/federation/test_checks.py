"""A federated node that would mint its STIX ids from a shared default is stopped at start."""
from django.core.management import call_command
from django.core.management.base import SystemCheckError
from django.test import override_settings
import pytest


def test_a_federated_node_without_its_own_stix_namespace_does_not_start():
    with override_settings(FEDERATION_NODE="th", STIX_ID_NAMESPACE=""):
        with pytest.raises(SystemCheckError, match="liaison.federation.E001"):
            call_command("check")
    with override_settings(FEDERATION_NODE="th", STIX_ID_NAMESPACE="6f1c0c1e-4b7e-4c3b-9d2a-0b9d3f1e2a11"):
        call_command("check")
    with override_settings(FEDERATION_NODE="", STIX_ID_NAMESPACE=""):  # a single node: the default is fine
        call_command("check")
