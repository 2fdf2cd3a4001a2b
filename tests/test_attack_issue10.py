"""Issue 10, second attack: an officer of another agency (TH) trying to learn a
protected victim's identity, or anything of a record it may not see, through
the surfaces the first round of fixes left open.

The world: KH owns a protected victim shared with every member agency, without
the protected fields; TH is a member and may see the record, not her identity.
KH's officers wrote her name into free-text notes around her (a status note,
an event participant's note), as officers do.
"""
import pytest
from django.test import Client
from rest_framework.test import APIClient

from liaison.operations.models import Event, Participant
from liaison.registry.models import PersonStatus
from liaison.sharing.models import Role
from tests.factories import login, make_agency, make_person, make_user

pytestmark = pytest.mark.django_db

NAME = "Zorqa Velmira"
MARK = "Zorqa"


@pytest.fixture
def w():
    kh, th = make_agency("KH-A", "KH"), make_agency("TH-A", "TH")
    victim = make_person(kh, NAME, distribution="members", protection="victim")
    secret = make_person(kh, "Owner Only Boss")  # owner only: TH may not see it at all
    PersonStatus.objects.create(person=victim, status="in_custody", note=f"{NAME} rescued at the compound")
    event = Event.objects.create(owner=kh, kind="rescue", title="Rescue at the compound", distribution="members")
    Participant.objects.create(event=event, person=victim, role="victim", note=f"{NAME}, 17, from Nakhon Phanom")
    Participant.objects.create(event=event, person=secret, role="leader", note="Secretq boss of the compound")
    return dict(kh=kh, th=th, victim=victim, secret=secret, event=event,
                kh_user=make_user(kh), th_user=make_user(th, roles=(Role.ANALYST, Role.LIAISON_OFFICER)))


def _api(user):
    client = APIClient()
    client.force_authenticate(user)
    return client


def test_status_note_does_not_name_a_withheld_victim(w):
    """Attack: TH opens the victim's page and `GET /api/persons/<id>/`. Her name,
    phone and documents are withheld, but the free-text note of her status
    ("Zorqa Velmira rescued at the compound") was shown as written."""
    v = w["victim"]
    th_web, th_api = login(Client(), w["th_user"]), _api(w["th_user"])
    page = th_web.get(f"/persons/{v.pk}/").content.decode()
    assert "Protected identity" in page
    assert MARK not in page
    body = th_api.get(f"/api/persons/{v.pk}/").content.decode()
    assert MARK not in body
    listing = th_api.get("/api/persons/").content.decode()
    assert MARK not in listing
    # The status itself is not an identity: it stays.
    assert "in_custody" in body
    # The owner still reads its note.
    assert MARK in login(Client(), w["kh_user"]).get(f"/persons/{v.pk}/").content.decode()


def test_participant_note_does_not_name_a_withheld_or_hidden_person(w):
    """Attack: TH opens the rescue event (`/events/<id>/`, `GET /api/events/<id>/`).
    The victim is listed as "Protected identity", the owner-only boss as "a
    record you cannot see", but each participant's note was shown as written:
    "Zorqa Velmira, 17, ..." and "Secretq boss of the compound"."""
    ev = w["event"]
    page = login(Client(), w["th_user"]).get(f"/events/{ev.pk}/").content.decode()
    body = _api(w["th_user"]).get(f"/api/events/{ev.pk}/").content.decode()
    for text in (page, body):
        assert MARK not in text
        assert "Secretq" not in text
    assert "Protected" in body
    owner_body = _api(w["kh_user"]).get(f"/api/events/{ev.pk}/").content.decode()
    assert MARK in owner_body and "Secretq" in owner_body
