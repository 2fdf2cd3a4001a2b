"""Fulfilling a request writes only on the fulfilling agency's own records
(issue 10, item 7): any other person's new status is a proposal that its owner
accepts or declines in one click, audited; the fulfilling officer is told
which was which, and an owner outside the request learns nothing of it."""

import pytest
from django.urls import reverse

from liaison.audit.models import AuditEntry
from liaison.registry.models import Person, PersonStatus
from liaison.requests import services as s
from liaison.requests.models import Notification, Request
from liaison.requests.notifications import unread_count
from liaison.sharing import services as sharing
from tests.factories import login, make_person
from tests.requests.conftest import REPATRIATION_FIELDS

pytestmark = pytest.mark.django_db


def statuses(person):
    return list(PersonStatus.objects.filter(person=person).values_list("status", "country_id"))


def fulfilled(desk, persons, by="kh_lo", **fulfilment):
    req = s.create_request(
        desk.vn_lo, kind="repatriation", to_agency=desk.kh, title="Repatriation", persons=persons,
        fields=REPATRIATION_FIELDS,
    )
    req = s.transition(desk.vn_lo, req, "send", version=req.version)
    req = s.transition(desk.kh_lo, req, "acknowledge", version=req.version)
    return s.transition(getattr(desk, by), req, "fulfil", version=req.version, fulfilment=fulfilment or None)


def proposals_of(user):
    from liaison.requests.models import StatusProposal

    return StatusProposal.objects.visible_to(user)


@pytest.fixture
def third(desk):
    """A person of China's ministry, shared with all member agencies: Viet Nam
    may name it in its request to Cambodia, and Cambodia sees it."""
    return make_person(desk.cn, "Wang Third Party", distribution="members", tlp="GREEN")


def test_fulfilment_writes_no_status_on_a_third_agencys_record(desk, third):
    before = statuses(third)
    req = fulfilled(desk, [*desk.persons, third], date="2024-02-01")
    assert statuses(third) == before  # CN's record is untouched
    proposal = proposals_of(desk.cn_lo).get(person=third)
    assert (proposal.owner, proposal.proposed_by, proposal.state) == (desk.cn, desk.kh, "pending")
    assert (proposal.status, proposal.country_id, proposal.date) == ("repatriated", "VN", "2024-02-01")
    # China is told, without the request it may not see: no reference, no title.
    note = Notification.for_user(desk.cn_lo).get()
    assert "KH-T proposes a new status for 1 of your records" in note.title
    assert req.reference not in note.title + note.body and "Repatriation" not in note.title
    assert note.url == reverse("requests:proposals")
    # ...and in its audit trail, with nothing of the request either.
    entry = AuditEntry.objects.get(action="status_proposal", owner_agency=desk.cn)
    assert entry.detail["persons"] == [third.pk] and entry.record_id is None
    assert req.reference not in str(entry.detail)


def test_the_requesters_records_wait_for_the_requester(desk, client):
    req = fulfilled(desk, desk.persons, date="2024-02-01")
    for person in desk.persons:
        assert Person.objects.get(pk=person.pk).current_status.status == "detained"
    login(client, desk.vn_lo)
    page = client.get(reverse("requests:detail", args=[req.pk])).content.decode()
    assert page.count('class="proposal"') == 3 and "Repatriated (Vietnam)" in page
    assert "Accept all 3 proposals" in page
    ids = list(proposals_of(desk.vn_lo).values_list("pk", flat=True))
    response = client.post(reverse("requests:proposals"), {"proposal": ids, "decision": "accept", "request": req.pk})
    assert response.status_code == 302 and response.url.endswith(f"/requests/{req.pk}/#proposals")
    req.refresh_from_db()
    for person in desk.persons:
        current = Person.objects.get(pk=person.pk).current_status
        assert (current.status, current.country_id, current.event_id) == ("repatriated", "VN", req.event_id)
        assert current.note == f"Proposed by KH-T (request {req.reference})"
    page = client.get(reverse("requests:detail", args=[req.pk])).content.decode()
    assert 'class="proposal"' not in page and page.count("Repatriated (Vietnam)") >= 3
    decided = AuditEntry.objects.filter(action="status_proposal", detail__decision="accepted")
    assert decided.count() == 3 and {e.owner_agency_id for e in decided} == {desk.vn.pk}
    # Cambodia hears of the decision; the notices that asked for it are read.
    assert Notification.objects.filter(agency=desk.kh, title__contains="VN-T accepted the new status of 3").exists()
    assert not Notification.for_user(desk.vn_lo).exclude(read_by=desk.vn_lo).filter(kind="status_proposal").exists()


def test_records_of_the_fulfilling_agency_get_their_status_at_once(desk):
    own = make_person(desk.kh, "Cambodian Record", distribution="members", tlp="GREEN")
    PersonStatus.objects.create(person=own, status="detained", date="2024-01-10", country_id="KH")
    req = fulfilled(desk, [desk.persons[0], own], date="2024-02-01")
    current = Person.objects.get(pk=own.pk).current_status
    assert (current.status, current.country_id, current.event_id) == ("repatriated", "VN", req.event_id)
    assert not proposals_of(desk.kh_lo).filter(person=own).exists()
    assert proposals_of(desk.vn_lo).filter(person=desk.persons[0], state="pending").count() == 1
    assert req.outcome == {"persons": 2, "applied": 1, "proposed": {"VN-T": 1}}


def test_the_fulfilling_officer_is_told_what_was_written_and_what_was_proposed(desk, client, third):
    own = make_person(desk.kh, "Cambodian Record", distribution="members", tlp="GREEN")
    req = s.create_request(
        desk.vn_lo, kind="repatriation", to_agency=desk.kh, title="Repatriation",
        persons=[*desk.persons, third, own], fields=REPATRIATION_FIELDS,
    )
    req = s.transition(desk.vn_lo, req, "send", version=req.version)
    req = s.transition(desk.kh_lo, req, "acknowledge", version=req.version)
    login(client, desk.kh_lo)
    response = client.post(
        reverse("requests:step", args=[req.pk, "fulfil"]),
        {"version": req.version, "date": "2024-02-01", "persons": [p.pk for p in [*desk.persons, third, own]]},
        follow=True,
    )
    page = response.content.decode()
    assert "The new status was written on 1 person your agency owns." in page
    assert "3 persons are records of VN-T: only they can change them" in page
    assert "1 person is a record of CN-T: only they can change it" in page
    # The page lists what it sent, and its state, on persons Cambodia sees.
    sent = page.split('id="proposals-sent"')[1]
    assert "Wang Third Party" in sent and "CN-T" in sent and "Waiting for the owner" in sent


def test_a_third_agency_decides_without_seeing_the_request(desk, client, third):
    req = fulfilled(desk, [desk.persons[0], third], date="2024-02-01")
    login(client, desk.cn_lo)
    assert client.get(reverse("requests:detail", args=[req.pk])).status_code == 404
    page = client.get(reverse("requests:proposals")).content.decode()
    assert "Wang Third Party" in page and "Repatriated (Vietnam)" in page and "Proposed by KH-T" in page
    # Nothing of the request, nor of the requester's persons, nor of the event.
    assert req.reference not in page and "Repatriation" not in page and "Nguyễn" not in page
    assert f"/events/{req.event_id}/" not in page
    assert unread_count(desk.cn_lo) == 1
    proposal = proposals_of(desk.cn_lo).get()
    client.post(reverse("requests:proposals"), {"proposal": proposal.pk, "decision": "accept"})
    current = Person.objects.get(pk=third.pk).current_status
    # The owner writes it now; the event it may not see is not linked, the request not named.
    assert (current.status, current.event_id, current.note) == ("repatriated", None, "Proposed by KH-T")
    assert unread_count(desk.cn_lo) == 0


def test_declining_keeps_the_record_as_it_is(desk, third):
    fulfilled(desk, [third], date="2024-02-01")
    before = statuses(third)
    proposal = proposals_of(desk.cn_lo).get()
    s.decide_proposals(desk.cn_lo, [proposal.pk], accept=False)
    proposal.refresh_from_db()
    assert proposal.state == "declined" and proposal.decided_by == desk.cn_lo and statuses(third) == before
    with pytest.raises(s.Conflict, match="already decided"):
        s.decide_proposals(desk.cn_lo, [proposal.pk], accept=True)
    assert statuses(third) == before


def test_only_the_owners_writers_decide(desk, third):
    fulfilled(desk, [desk.persons[0], third])
    theirs = proposals_of(desk.cn_lo).get()
    vn_own = proposals_of(desk.vn_lo).get()
    for user, proposal, error in (
        (desk.kh_lo, theirs, s.BadInput),  # the proposer is not the owner
        (desk.vn_lo, theirs, s.BadInput),  # the requester neither, and never sees it
        (desk.kh_lo, vn_own, s.BadInput),
        (desk.vn_viewer, vn_own, s.Forbidden),  # a viewer only reads
    ):
        with pytest.raises(error):
            s.decide_proposals(user, [proposal.pk], accept=True)
    assert not proposals_of(desk.vn_lo).filter(pk=theirs.pk).exists()
    assert proposals_of(desk.cn_lo).get().state == "pending" and statuses(third) == []


def test_a_person_unshared_before_fulfilment_gets_nothing(desk, third):
    req = s.create_request(
        desk.vn_lo, kind="repatriation", to_agency=desk.kh, title="R", persons=[desk.persons[0], third],
        fields=REPATRIATION_FIELDS,
    )
    req = s.transition(desk.vn_lo, req, "send", version=req.version)
    req = s.transition(desk.kh_lo, req, "acknowledge", version=req.version)
    sharing.set_marking(desk.cn_lo, third, distribution="owner")  # China withdraws it from everyone
    assert not Person.objects.visible_to(desk.kh_lo).filter(pk=third.pk).exists()
    req = s.transition(desk.kh_lo, req, "fulfil", version=req.version)
    assert not proposals_of(desk.cn_lo).exists() and statuses(third) == []
    assert req.outcome["persons"] == 1 and Request.objects.get(pk=req.pk).event.figures.get().value == 1
