"""Property test over random sharing choices (issue 16): whatever a liaison officer of CN-MPS
does (share with agencies of the Thai node, of the Cambodian node or with a group spanning
both; unshare; change the TLP marking; retract; restore), and whenever the Chinese node's
outbox is delivered in between, once it is delivered each agency of the Thai node sees exactly
the copies of the records it sees on the Chinese node (TLP:RED never leaves), and no copy a
Thai reader could see stays on the Thai node for a record none of them sees.

One database holds both nodes, as in test_federation.py; only the Thai node receives here (a
second receiving node in the same database would share the copies' import keys).
"""
import pytest
from django.db import transaction
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from liaison.core.models import TLP
from liaison.federation import services
from liaison.federation.models import AgencyHome, Node, OutboxEntry, Replica
from liaison.interop.onward import RecipientAgency
from liaison.interop.stix import StixWriter
from liaison.registry.models import Person
from liaison.sharing import services as sharing
from liaison.sharing.models import Role, SharingGroup
from liaison.sharing.visibility import filter_visible
from tests.factories import make_agency, make_person, make_user
from tests.federation.test_federation import CN_KEY, CN_PUBLIC, TH_KEY, TH_PUBLIC, as_node

pytestmark = pytest.mark.django_db
TARGETS = ["TH-RTP", "TH-IMM", "KH-NP", "group"]
step = st.one_of(
    st.tuples(st.just("share"), st.integers(0, 2), st.sampled_from(TARGETS)),
    st.tuples(st.just("unshare"), st.integers(0, 2), st.sampled_from(TARGETS)),
    st.tuples(st.just("tlp"), st.integers(0, 2), st.sampled_from([TLP.GREEN, TLP.AMBER, TLP.RED])),
    st.tuples(st.just("retract"), st.integers(0, 2), st.none()),
    st.tuples(st.just("restore"), st.integers(0, 2), st.none()),
    st.tuples(st.just("deliver"), st.none(), st.none()),
)


def deliver_to_th(kh):
    for entry in OutboxEntry.objects.filter(delivered_at__isnull=True).select_related("peer").order_by("pk"):
        if entry.peer.name == "th":
            with as_node("cn", CN_KEY):
                body, _control = services.build_body(entry)
            with as_node("th", TH_KEY):
                services.receive("cn", services.keys.sign(CN_KEY, body), body)
        entry.delivered_at = entry.created_at
        entry.save()


@settings(max_examples=15, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])
@given(steps=st.lists(step, min_size=1, max_size=10))
def test_each_thai_agency_sees_the_copies_of_exactly_what_it_sees_on_the_chinese_node(steps):
    with transaction.atomic():
        _run(steps)
        transaction.set_rollback(True)


def _run(steps):
    cn, kh = make_agency("CN-MPS", "CN"), make_agency("KH-NP", "KH")
    th = {"TH-RTP": make_agency("TH-RTP", "TH"), "TH-IMM": make_agency("TH-IMM", "TH")}
    nodes = {n: Node.objects.create(name=n, public_key=k) for n, k in (("cn", CN_PUBLIC), ("th", TH_PUBLIC), ("kh", TH_PUBLIC))}
    for agency, node in ((cn, "cn"), (kh, "kh"), (th["TH-RTP"], "th"), (th["TH-IMM"], "th")):
        AgencyHome.objects.create(agency=agency, node=nodes[node])
    group = SharingGroup.objects.create(name="Mekong")
    group.members.set([th["TH-RTP"], kh])
    recipients = {**th, "KH-NP": kh, "group": group}
    officer = make_user(cn, roles=[Role.LIAISON_OFFICER])
    readers = {name: make_user(agency) for name, agency in th.items()}
    persons = [make_person(cn, f"Person {i}") for i in range(3)]

    with as_node("cn", CN_KEY):
        for action, index, arg in steps:
            if action == "deliver":
                deliver_to_th(kh)
                continue
            person = Person.objects.get(pk=persons[index].pk)
            try:
                if action == "share":
                    key = "groups" if arg == "group" else "agencies"
                    sharing.share(officer, person, **{key: [recipients[arg]]})
                elif action == "unshare":
                    target = recipients[arg]
                    for share in sharing.recipients_of(person):
                        if share.recipient == target:
                            sharing.unshare(officer, share)
                elif action == "tlp":
                    sharing.set_marking(officer, person, tlp=arg)
                elif action == "retract" and not person.is_retracted:
                    sharing.retract(officer, person, "property test")
                elif action == "restore" and person.is_retracted:
                    sharing.restore(officer, person)
            except sharing.SharingError:
                pass  # a choice the sharing rules refuse (TLP:RED to a group...): nothing changes
    deliver_to_th(kh)

    stix_of = {StixWriter(None).stix_id(Person, p.pk): p.pk for p in persons}
    copies = {r.object_id: r.stix_id for r in Replica.objects.filter(object_id__isnull=False)}
    originals = Person.objects.filter(pk__in=[p.pk for p in persons])
    for name, agency in th.items():
        expected = {pk for pk in filter_visible(originals, RecipientAgency(agency)).exclude(tlp=TLP.RED)
                    .values_list("pk", flat=True)}
        seen = {stix_of[copies[pk]] for pk in
                Person.objects.visible_to(readers[name]).filter(pk__in=list(copies)).values_list("pk", flat=True)}
        assert seen == expected, (name, steps)
