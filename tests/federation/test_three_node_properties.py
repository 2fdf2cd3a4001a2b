"""Property test over random sharing choices across three nodes (issue 16): whatever a liaison
officer of CN-MPS does with two persons (one a protected victim), a crime group and two links
(share with agencies of the Thai node, of the Cambodian node or with a group spanning both, with
or without the protected identity; unshare; change the TLP marking; retract; restore; an agency
leaving or joining the group), and whenever the Chinese node's queues are sent in between:

- no copy ever reaches a node where, at the time it was sent, no agency could see the record;
- once delivered, each agency of the Thai and of the Cambodian node sees exactly the copies of
  the records it sees on the Chinese node (TLP:RED never leaves; a link only with both its ends);
- a protected identity is never readable on a node by an agency that may not read it on the
  Chinese node.

One database holds all three nodes (``FEDERATION_NODE`` says which node the code runs as). The
Thai node receives each time the queues are sent; the Cambodian node's envelopes are formed and
frozen at those times (as ``push`` forms them), and applied at the end in order, as a node that
was down catches up: two receiving nodes cannot hold their copies at once in one database (the
copies' import keys would collide), so the Thai copies are taken away before they are applied.
"""
import pytest
from django.db import transaction
from django.utils import timezone
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from liaison.core.models import TLP
from liaison.federation import inbox, keys, services
from liaison.federation.models import AgencyHome, Node, OutboxEntry, Replica
from liaison.federation.outbox import _record_id
from liaison.interop.models import ExternalObject
from liaison.interop.onward import RecipientAgency
from liaison.interop.stix import StixWriter
from liaison.registry.models import Organisation, Person, PersonName, Relationship
from liaison.sharing import services as sharing
from liaison.sharing.models import Role, SharingGroup
from liaison.sharing.visibility import filter_visible, protected_visible_q
from tests.factories import make_agency, make_person, make_user
from tests.federation.test_federation import CN_KEY, CN_PUBLIC, TH_KEY, TH_PUBLIC, as_node

pytestmark = pytest.mark.django_db
RECORDS = 5  # two persons (the second protected), a crime group, a link person–group, a link person–person
TARGETS = ["TH-RTP", "TH-IMM", "KH-NP", "group"]
step = st.one_of(
    st.tuples(st.just("share"), st.integers(0, RECORDS - 1), st.sampled_from(TARGETS), st.booleans()),
    st.tuples(st.just("unshare"), st.integers(0, RECORDS - 1), st.sampled_from(TARGETS), st.none()),
    st.tuples(st.just("tlp"), st.integers(0, RECORDS - 1), st.sampled_from([TLP.GREEN, TLP.AMBER, TLP.RED]), st.none()),
    st.tuples(st.just("retract"), st.integers(0, RECORDS - 1), st.none(), st.none()),
    st.tuples(st.just("restore"), st.integers(0, RECORDS - 1), st.none(), st.none()),
    st.tuples(st.sampled_from(["leave", "join"]), st.none(), st.sampled_from(["TH-RTP", "KH-NP"]), st.none()),
    st.tuples(st.just("deliver"), st.none(), st.none(), st.none()),
)


@settings(max_examples=12, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])
@given(steps=st.lists(step, min_size=1, max_size=10))
# Two agencies of one node, one granted the victim's identity: only it reads it there, and the link
# to her reaches only it.
@example(steps=[("share", 1, "TH-RTP", True), ("share", 1, "TH-IMM", False), ("share", 0, "TH-RTP", False),
                ("share", 4, "TH-RTP", False), ("share", 4, "TH-IMM", False)])
# A group's member leaves it after its copies were sent; a link goes with its ends.
@example(steps=[("share", 0, "group", False), ("share", 2, "group", False), ("share", 3, "KH-NP", False),
                ("deliver", None, None, None), ("leave", None, "KH-NP", None)])
def test_each_agency_of_each_node_sees_the_copies_of_exactly_what_it_sees_on_the_owner_node(steps):
    with transaction.atomic():
        _run(steps)
        transaction.set_rollback(True)


class World:
    def __init__(self):
        self.cn = make_agency("CN-MPS", "CN")
        self.agencies = {"TH-RTP": make_agency("TH-RTP", "TH"), "TH-IMM": make_agency("TH-IMM", "TH"),
                         "KH-NP": make_agency("KH-NP", "KH")}
        self.homes = {"TH-RTP": "th", "TH-IMM": "th", "KH-NP": "kh"}
        self.nodes = {n: Node.objects.create(name=n, public_key=k)
                      for n, k in (("cn", CN_PUBLIC), ("th", TH_PUBLIC), ("kh", TH_PUBLIC))}
        AgencyHome.objects.create(agency=self.cn, node=self.nodes["cn"])
        for name, agency in self.agencies.items():
            AgencyHome.objects.create(agency=agency, node=self.nodes[self.homes[name]])
        self.group = SharingGroup.objects.create(name="Mekong")
        self.group.members.set([self.agencies["TH-RTP"], self.agencies["KH-NP"]])
        self.officer = make_user(self.cn, roles=[Role.LIAISON_OFFICER])
        self.readers = {name: make_user(agency) for name, agency in self.agencies.items()}
        green = {"distribution": "owner", "tlp": TLP.GREEN}
        boss = make_person(self.cn, "Person Boss", **green)
        victim = make_person(self.cn, "Person Victim", protection="victim", **green)
        crew = Organisation.objects.create(owner=self.cn, name="Golden Crew", kind="crime_group", **green)
        self.records = [boss, victim, crew,
                        Relationship.objects.create(owner=self.cn, kind="member_of", subject=boss, object=crew, **green),
                        Relationship.objects.create(owner=self.cn, kind="related_to", subject=victim, object=boss, **green)]
        writer = StixWriter(None)
        self.original_of = {_record_id(writer, type(r), r): (type(r), r.pk) for r in self.records}
        self.ever_seen = {"th": set(), "kh": set()}  # what some agency of the node saw when its queue was sent
        self.kh_bodies = []

    def fresh(self, index):
        record = self.records[index]
        return type(record).objects.get(pk=record.pk)

    def seen_on_cn(self, name):
        """The originals agency ``name`` sees on the Chinese node and may receive (not TLP:RED; a
        link only with both its ends)."""
        reader = RecipientAgency(self.agencies[name])
        seen = set()
        for record in self.records:
            model = type(record)
            if filter_visible(model.objects.filter(pk=record.pk), reader).exclude(tlp=TLP.RED).exists():
                seen.add((model, record.pk))
        for record in self.records:
            if isinstance(record, Relationship) and (Relationship, record.pk) in seen:
                ends = {(type(record.subject), record.subject_id), (type(record.object), record.object_id)}
                if not ends <= seen:
                    seen.discard((Relationship, record.pk))
        return seen

    def remember_seen(self):
        for name, node in self.homes.items():
            self.ever_seen[node] |= self.seen_on_cn(name)

    def deliver(self):
        self.remember_seen()
        for node in ("th", "kh"):
            for body in self._form(node):
                if node == "th":
                    with as_node("th", TH_KEY):
                        results = services.receive_envelope("cn", keys.sign(CN_KEY, body), body)
                    assert all(error is None for _c, _s, error in results), results
                else:
                    self.kh_bodies.append(body)

    def _form(self, node):
        bodies = []
        while True:
            with as_node("cn", CN_KEY):
                batch = services._next_batch(self.nodes[node])
            if batch is None:
                return bodies
            bodies.append(bytes(batch.body))
            OutboxEntry.objects.filter(batch=batch).update(delivered_at=timezone.now())
            batch.delivered_at = timezone.now()
            batch.save()

    def copies(self):
        """{original (model, pk): copy} on the node that received last."""
        found = {}
        for replica in Replica.objects.filter(object_id__isnull=False).select_related("content_type"):
            model = replica.content_type.model_class()
            copy = model.objects.filter(pk=replica.object_id).first()
            if copy is not None:
                found[self.original_of[replica.stix_id]] = copy
        return found

    def check(self, node):
        copies = self.copies()
        victim = self.records[1]
        readable_by = set()  # the node's agencies that read the victim's identity there
        assert set(copies) <= self.ever_seen[node], "a record reached a node where no agency could see it"
        for name, home in self.homes.items():
            if home != node:
                continue
            reader, agency = self.readers[name], RecipientAgency(self.agencies[name])
            seen = {key for key, copy in copies.items()
                    if type(copy).objects.visible_to(reader).filter(pk=copy.pk).exists()}
            assert seen == self.seen_on_cn(name), (node, name)
            copy = copies.get((Person, victim.pk))
            if copy is not None and (Person, victim.pk) in seen:
                readable_here = Person.objects.filter(pk=copy.pk).filter(protected_visible_q(Person, reader)).exists()
                readable_there = Person.objects.filter(pk=victim.pk).filter(protected_visible_q(Person, agency)).exists()
                assert readable_here == readable_there, (node, name, "protected identity")
                if readable_here:
                    readable_by.add(name)
        copy = copies.get((Person, victim.pk))
        if copy is not None:
            # The identity is on the node only if an agency there may read it.
            named = PersonName.objects.filter(person=copy, full_name="Person Victim").exists()
            assert named == bool(readable_by) or (named and copy.is_retracted), (node, "identity without a reader")

    def take_away_thai_copies(self):
        for replica in Replica.objects.all():
            inbox._withdraw(replica, retracted=False, reason="")
            replica.delete()
        ExternalObject.objects.filter(agency=self.cn).delete()

    def catch_up_kh(self):
        for body in self.kh_bodies:
            with as_node("kh", TH_KEY):
                results = services.receive_envelope("cn", keys.sign(CN_KEY, body), body)
            assert all(error is None for _c, _s, error in results), results


def _run(steps):
    world = World()
    recipients = {**world.agencies, "group": world.group}
    with as_node("cn", CN_KEY):
        for action, index, arg, protected in steps:
            if action == "deliver":
                world.deliver()
                continue
            if action in ("leave", "join"):
                getattr(world.group.members, "remove" if action == "leave" else "add")(world.agencies[arg])
                continue
            record = world.fresh(index)
            try:
                if action == "share":
                    key = "groups" if arg == "group" else "agencies"
                    sharing.share(world.officer, record, include_protected=protected and index == 1,
                                  **{key: [recipients[arg]]})
                elif action == "unshare":
                    for share in sharing.recipients_of(record):
                        if share.recipient == recipients[arg]:
                            sharing.unshare(world.officer, share)
                elif action == "tlp":
                    sharing.set_marking(world.officer, record, tlp=arg)
                elif action == "retract" and not record.is_retracted:
                    sharing.retract(world.officer, record, "property test")
                elif action == "restore" and record.is_retracted:
                    sharing.restore(world.officer, record)
            except sharing.SharingError:
                pass  # a choice the sharing rules refuse (TLP:RED to a group...): nothing changes
        world.deliver()
    world.check("th")
    world.take_away_thai_copies()
    world.catch_up_kh()
    world.check("kh")
