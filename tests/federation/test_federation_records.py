"""What replicates besides persons (issue 16): organisations, sites, identifiers, links, events,
operations; a link after both its ends, never with an end the peer's agencies may not see; each
withdrawn when unshared. Sharing groups spanning nodes (joining and leaving), operation teams
(officers, not agencies: nothing leaves), a protected identity kept withheld on the peer, and a
sender whose clock is hours off.

As in test_federation.py both nodes live in the one test database; a copy is a second row,
found through its ``Replica``. Deliveries go as the sender forms them: batches, in order.
"""
from datetime import timedelta
from unittest import mock

import pytest
from django.utils import timezone

from liaison.core.models import TLP
from liaison.federation import keys, services
from liaison.federation.models import AgencyHome, Node, OutboxEntry, Replica
from liaison.interop.stix import StixWriter
from liaison.operations.models import Event, Operation, Participant
from liaison.registry.models import Identifier, Organisation, Person, PersonName, Relationship, Site
from liaison.sharing import services as sharing
from liaison.sharing.models import OperationAssignment, Role, SharingGroup
from tests.factories import login, make_agency, make_person, make_user
from tests.federation.test_federation import CN_KEY, TH_KEY, as_node, world  # noqa: F401  (world: a fixture)

pytestmark = pytest.mark.django_db
GREEN = {"distribution": "owner", "tlp": TLP.GREEN}


def deliver(peer="th"):
    """Send the Chinese node's queue for ``peer`` as ``push`` forms it (batches in order) and apply
    each envelope on ``peer``; returns the delivery controls applied, in order."""
    node = Node.objects.get(name=peer)
    controls = []
    while True:
        with as_node("cn", CN_KEY):
            batch = services._next_batch(node)
        if batch is None:
            return controls
        body = bytes(batch.body)
        with as_node(peer, TH_KEY):
            results = services.receive_envelope("cn", keys.sign(CN_KEY, body), body)
        assert all(error is None for _c, _s, error in results), results
        controls += [control for control, _status, _error in results]
        OutboxEntry.objects.filter(batch=batch).update(delivered_at=timezone.now())
        batch.delivered_at = timezone.now()
        batch.save()


def copy_of(record):
    """The Thai node's copy of the Chinese node's ``record``, or None."""
    kinds = {record.pk: record.kind} if hasattr(record, "kind") else None
    replica = Replica.objects.filter(stix_id=StixWriter(None).ref_for(type(record), record.pk, kinds)).first()
    if replica is None or replica.object_id is None:
        return None
    return type(record).objects.filter(pk=replica.object_id).first()


def seen_by(user, record):
    copy = copy_of(record)
    return copy is not None and type(record).objects.visible_to(user).filter(pk=copy.pk).exists()


@pytest.fixture
def ring(world):  # noqa: F811
    """CN-MPS's crime group, the site it runs, a suspect with a phone, links, an operation and a raid."""
    cn = world["cn"]
    group = Organisation.objects.create(owner=cn, name="Golden Crew", kind="crime_group", **GREEN)
    site = Site.objects.create(owner=cn, name="Golden Compound", country_id="MM", operator=group, **GREEN)
    suspect = make_person(cn, "Chen Wei", **GREEN)
    phone = Identifier.objects.create(owner=cn, kind="phone", value="+66 81 234 5678", **GREEN)
    # One database holds both nodes: the importer's "one identifier per owner and value" would take
    # the original for the copy. A real node holds no such row; the original's key is moved aside.
    Identifier.objects.filter(pk=phone.pk).update(normalized="+66000 original")
    uses = Relationship.objects.create(owner=cn, kind="uses_phone", subject=suspect, object=phone, **GREEN)
    member = Relationship.objects.create(owner=cn, kind="member_of", subject=suspect, object=group, **GREEN)
    operation = Operation.objects.create(owner=cn, name="Operation Mekong Dawn", **GREEN)
    raid = Event.objects.create(owner=cn, kind="raid", title="Raid on the Golden Compound", date="2026-03-02",
                                site=site, operation=operation, **GREEN)
    Participant.objects.create(event=raid, person=suspect, role="suspect")
    return {"group": group, "site": site, "suspect": suspect, "phone": phone, "uses": uses, "member": member,
            "operation": operation, "raid": raid}


def test_every_kind_replicates_a_link_after_its_ends_and_each_is_withdrawn(world, ring):
    officer, th, reader = world["liaison"], world["th"], world["th_officer"]
    with as_node("cn", CN_KEY):
        # The links and the event first, their ends after: the copies still join up.
        for key in ("uses", "member", "raid", "site", "suspect", "phone", "group", "operation"):
            sharing.share(officer, ring[key], agencies=[th])
    order = [c["model"] for c in deliver() if c["action"] == "upsert"]
    assert order.index("registry.relationship") > max(order.index("registry.person"), order.index("registry.identifier"))
    assert order.index("operations.event") > order.index("registry.site")
    for key in ring:
        assert seen_by(reader, ring[key]), key
    copies = {key: copy_of(record) for key, record in ring.items()}
    assert copies["site"].operator == copies["group"] and copies["site"].tlp == TLP.GREEN
    assert copies["uses"].subject == copies["suspect"] and copies["uses"].object == copies["phone"]
    assert copies["phone"].value == "+66 81 234 5678"
    assert copies["raid"].site == copies["site"] and copies["raid"].operation == copies["operation"]
    assert list(copies["raid"].participants.values_list("person_id", flat=True)) == [copies["suspect"].pk]
    assert all(copy.owner_id == world["cn"].pk and copy.pk != ring[key].pk for key, copy in copies.items())

    # A marking changed (written without touching the record's time) reaches the copy.
    with as_node("cn", CN_KEY):
        sharing.set_marking(officer, ring["group"], tlp=TLP.AMBER)
    deliver()
    assert copy_of(ring["group"]).tlp == TLP.AMBER

    # Unsharing the crime group takes it away, with the link to it; the site stays, without operator.
    with as_node("cn", CN_KEY):
        for share in sharing.recipients_of(ring["group"]):
            sharing.unshare(officer, share)
    deliver()
    assert copy_of(ring["group"]) is None and copy_of(ring["member"]) is None
    assert copy_of(ring["site"]).operator is None
    assert seen_by(reader, ring["uses"])

    # Each other kind, unshared, is withdrawn; the retracted event is hidden.
    with as_node("cn", CN_KEY):
        sharing.retract(officer, ring["raid"], "wrong date")
        for key in ("site", "suspect", "phone", "uses", "operation"):
            for share in sharing.recipients_of(ring[key]):
                sharing.unshare(officer, share)
    deliver()
    for key, record in ring.items():
        assert not seen_by(reader, record), key
    assert copy_of(ring["raid"]).is_retracted  # kept, retracted: former readers get the notice
    assert [copy_of(ring[key]) for key in ("site", "suspect", "phone", "uses", "operation")] == [None] * 5


def test_a_link_to_a_record_the_peer_may_not_see_is_not_sent(world, ring):
    officer, th = world["liaison"], world["th"]
    hidden = make_person(world["cn"], "Hidden Boss Zhao", **GREEN)
    boss = Relationship.objects.create(owner=world["cn"], kind="works_for", subject=ring["suspect"], object=hidden,
                                       **GREEN)
    with as_node("cn", CN_KEY):
        sharing.share(officer, ring["suspect"], agencies=[th])
        sharing.share(officer, boss, agencies=[th])
        entry = OutboxEntry.objects.filter(object_id=boss.pk, peer__name="th").get()
        body, control = services.build_body(entry)
    assert control["action"] == "withdraw" and control["object_refs"] == []
    assert b"Hidden Boss" not in body and b"works-for" not in body
    deliver()
    assert copy_of(boss) is None and copy_of(hidden) is None
    assert Relationship.objects.count() == 1 + 2  # the fixture's two links and this one: no copy
    assert not PersonName.objects.filter(full_name="Hidden Boss Zhao").exclude(person=hidden).exists()


def test_a_group_spanning_nodes_replicates_to_its_members_there_and_leaving_it_withdraws(world):
    officer, th = world["liaison"], world["th"]
    th_imm = make_agency("TH-IMM", "TH")
    AgencyHome.objects.create(agency=th_imm, node=world["nodes"]["th"])
    group = SharingGroup.objects.create(name="Mekong desk")
    group.members.set([th, world["kh"]])
    person = make_person(world["cn"], "Group Shared Li", **GREEN)
    with as_node("cn", CN_KEY):
        sharing.share(officer, person, groups=[group])
    [control] = deliver()
    assert control["recipients"] == ["TH-RTP"]
    imm_reader = make_user(th_imm)
    assert seen_by(world["th_officer"], person) and not seen_by(imm_reader, person)

    with as_node("cn", CN_KEY):
        group.members.add(th_imm)
    deliver()
    assert seen_by(imm_reader, person) and seen_by(world["th_officer"], person)

    with as_node("cn", CN_KEY):
        group.members.remove(th)
    deliver()
    assert seen_by(imm_reader, person) and not seen_by(world["th_officer"], person)

    with as_node("cn", CN_KEY):
        group.members.remove(th_imm)
    deliver()
    assert copy_of(person) is None


def test_an_operation_team_share_does_not_leave_even_with_an_officer_of_the_peer_on_the_team(world):
    """Team shares reach officers while assigned, not their agency; the peer's officers are not
    this node's accounts, so no agency there may see the record: it stays home."""
    officer = world["liaison"]
    operation = Operation.objects.create(owner=world["cn"], name="Joint team", **GREEN)
    th_member = make_user(world["th"], username="th.on.team")
    OperationAssignment.objects.create(operation=operation, user=th_member)
    person = make_person(world["cn"], "Team Only Sun", **GREEN)
    with as_node("cn", CN_KEY):
        sharing.share(officer, person, operations=[operation])
    assert Person.objects.visible_to(th_member).filter(pk=person.pk).exists()  # on this node, to the team
    assert not OutboxEntry.objects.exists()
    assert deliver() == []


def test_a_protected_identity_arrives_withheld_and_follows_the_grant(world, client):
    officer, th, reader = world["liaison"], world["th"], world["th_officer"]
    victim = make_person(world["cn"], "Victim Nguyen Thi Mai", protection="victim", **GREEN)
    with as_node("cn", CN_KEY):
        sharing.share(officer, victim, agencies=[th])
    deliver()
    copy = copy_of(victim)
    assert copy is not None and seen_by(reader, victim)
    assert not PersonName.objects.filter(person=copy, full_name__contains="Nguyen").exists()
    login(client, reader)
    data = client.get(f"/api/persons/{copy.pk}/").json()
    assert data["protected"] is True and data["protection"] is None
    assert "Nguyen" not in client.get("/api/persons/").content.decode()

    with as_node("cn", CN_KEY):
        sharing.share(officer, victim, agencies=[th], include_protected=True)
    deliver()
    assert copy_of(victim).pk == copy.pk
    assert PersonName.objects.filter(person=copy, full_name="Victim Nguyen Thi Mai").exists()
    assert client.get(f"/api/persons/{copy.pk}/").json()["protected"] is False

    # The grant taken back (unshared, shared again without it): the identity leaves the Thai node's
    # database, the record stays shared.
    with as_node("cn", CN_KEY):
        sharing.unshare(officer, sharing.recipients_of(victim)[0])
        sharing.share(officer, victim, agencies=[th])
    deliver()
    assert not PersonName.objects.filter(person=copy, full_name__contains="Nguyen").exists()
    assert client.get(f"/api/persons/{copy.pk}/").json()["protected"] is True


@pytest.mark.parametrize("skew", [timedelta(hours=7), -timedelta(hours=7)])
def test_a_sender_whose_clock_is_hours_off_is_applied_in_sequence_order(world, skew):
    officer, th = world["liaison"], world["th"]
    person = make_person(world["cn"], "Skewed Clock Wu", **GREEN)
    real_now = timezone.now
    with as_node("cn", CN_KEY):
        sharing.share(officer, person, agencies=[th])
    deliver()
    # The sender's clock jumps: the edit is stamped hours before (or after) the first delivery.
    with as_node("cn", CN_KEY), mock.patch("django.utils.timezone.now", lambda: real_now() + skew):
        person.refresh_from_db()
        person.birth_place = "Kunming"
        person.save()
        for share in sharing.recipients_of(person):
            sharing.unshare(officer, share)
        sharing.share(officer, person, agencies=[th])
    deliver()
    assert copy_of(person).birth_place == "Kunming"
    # And an unshare stamped in the past still withdraws the copy.
    with as_node("cn", CN_KEY), mock.patch("django.utils.timezone.now", lambda: real_now() - 2 * abs(skew)):
        for share in sharing.recipients_of(person):
            sharing.unshare(officer, share)
    deliver()
    assert copy_of(person) is None
