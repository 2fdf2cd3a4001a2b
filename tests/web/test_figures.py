"""Figures are shown as each report states them, never added up across events."""
import pytest
from django.test import Client

from liaison.operations.models import Event, Figure, Operation, Phase
from tests.factories import login, make_agency, make_user

pytestmark = pytest.mark.django_db


def test_overlapping_figures_are_listed_not_summed():
    cn = make_agency("CN", "CN")
    op = Operation.objects.create(owner=cn, name="Jingyao", distribution="members")
    phase = Phase.objects.create(operation=op, number=1)
    results = Event.objects.create(owner=cn, kind="arrest", title="Phase 1 results", operation=op, phase=phase, distribution="members")
    Figure.objects.create(event=results, category="suspects", value=70000, qualifier="more_than")
    muse = Event.objects.create(owner=cn, kind="handover", title="Muse handover", date="--11-18", operation=op, distribution="members")
    Figure.objects.create(event=muse, category="suspects", value=571)
    client = login(Client(), make_user(cn))
    for url in ("/", f"/operations/{op.pk}/"):
        page = client.get(url).content.decode()
        assert "more than 70,000" in page and "571" in page, url
        assert "70,571" not in page, url
