"""The one onward-sharing rule (liaison/interop/onward.py), seen through each format and TAXII."""
import io

import pytest
from django.contrib.contenttypes.models import ContentType

from liaison.interop import ftm, onward, stix
from liaison.operations.models import Operation
from liaison.registry.models import Person
from liaison.sharing.models import OperationAssignment, Share
from tests.interop import interop_world as world

pytestmark = pytest.mark.django_db


def test_amber_seen_only_through_an_operation_team_does_not_leave_the_team_member():
    """An officer of OTHER on OWN's operation team sees OWN's AMBER suspect; her agency does not.
    With no recipient named the recipient is her agency, so the suspect stays home; the same
    record marked GREEN leaves (the control that shows the test can fail)."""
    w = world.build()
    operation = Operation.objects.create(owner=w.owner, name="Team only", distribution="owner", tlp="GREEN")
    OperationAssignment.objects.create(user=w.outsider, operation=operation)
    Share.objects.create(content_type=ContentType.objects.get_for_model(Person), object_id=w.amber.pk,
                         operation=operation)
    assert Person.objects.visible_to(w.outsider).filter(pk=w.amber.pk).exists()

    def texts():
        bundle, entities = io.StringIO(), io.StringIO()
        stix.export_bundle(w.outsider, bundle)
        ftm.export_entities(w.outsider, entities)
        leaving = onward.OnwardAudience(w.outsider).narrow(Person.objects.all())  # what TAXII serves
        return bundle.getvalue() + entities.getvalue() + " ".join(leaving.values_list("display_name", flat=True))

    assert world.AMBER_NAME not in texts()
    assert "AMBER" in (onward.refusal(w.amber, onward.OnwardAudience(w.outsider)) or "")
    Person.objects.filter(pk=w.amber.pk).update(tlp="GREEN")
    assert texts().count(world.AMBER_NAME) >= 3
