"""Figures an owner published stay public; nothing else shows."""
import pytest
from django.test import Client

from liaison.operations.models import Event, Figure
from tests.factories import make_agency

pytestmark = pytest.mark.django_db


def test_published_figures_visible_without_login_and_nothing_else():
    cn = make_agency("CN", "CN")
    public = Event.objects.create(owner=cn, kind="handover", title="Muse handover", date="--11-18", distribution="public", tlp="CLEAR")
    Figure.objects.create(event=public, category="suspects", value=571)
    secret = Event.objects.create(owner=cn, kind="raid", title="Planned raid", distribution="members")
    Figure.objects.create(event=secret, category="suspects", value=12)
    body = Client().get("/published/").content.decode()
    assert "Muse handover" in body and "571" in body
    assert "Planned raid" not in body
    # The rest of the site still needs a login.
    assert Client().get("/").status_code == 302
