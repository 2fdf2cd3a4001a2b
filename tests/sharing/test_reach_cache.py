"""Inside ``reach_read_once`` (search), the groups, operations and phases a
user's shares reach are read once and reused for a moment (issue 18): an
officer taken off an operation or an agency taken out of a group must stop
seeing its records at once, and a change made by another process is seen
within ``REACH_SECONDS``."""
import pytest

from liaison.operations.models import Operation, Phase
from liaison.registry.models import Person
from liaison.sharing import services, visibility
from liaison.registry.search import search
from liaison.sharing.models import OperationAssignment, SharingGroup
from liaison.sharing.visibility import reach_read_once
from tests.factories import make_agency, make_person, make_user

pytestmark = pytest.mark.django_db


def sees(user, person):
    return Person.objects.visible_to(user).filter(pk=person.pk).exists()


@pytest.fixture
def w():
    cn, th = make_agency("CN", "CN"), make_agency("TH", "TH")
    op = Operation.objects.create(owner=cn, name="Jingyao", distribution="members")
    op.agencies.add(cn, th)
    return {"cn": cn, "th": th, "op": op, "cn_lo": make_user(cn, roles=("liaison_officer",)),
            "th_admin": make_user(th, roles=("agency_admin",)), "th_officer": make_user(th)}


def test_a_new_phase_of_an_assigned_operation_reaches_at_once(w):
    services.assign(w["th_admin"], w["th_officer"], w["op"])
    target = make_person(w["cn"], "Phase 3 target")
    with reach_read_once(w["th_officer"]):
        assert not sees(w["th_officer"], target)
        phase = Phase.objects.create(operation=w["op"], number=3)
        services.share(w["cn_lo"], target, phases=[phase])
        assert sees(w["th_officer"], target)


def test_leaving_a_group_hides_its_shares_at_once(w):
    group = SharingGroup.objects.create(name="Mekong")
    group.members.add(w["cn"], w["th"])
    target = make_person(w["cn"], "Group target")
    services.share(w["cn_lo"], target, groups=[group])
    with reach_read_once(w["th_officer"]):
        assert sees(w["th_officer"], target)
        group.members.remove(w["th"])
        assert not sees(w["th_officer"], target)


def test_an_assignment_ended_elsewhere_is_seen_within_the_reuse_time(w, monkeypatch):
    """Another process (a second web server) ends the assignment: no signal here.
    Until REACH_SECONDS have passed the kept ids are reused; then read again."""
    target = make_person(w["cn"], "Operation target")
    services.share(w["cn_lo"], target, operations=[w["op"]])
    services.assign(w["th_admin"], w["th_officer"], w["op"])
    with reach_read_once(w["th_officer"]):
        assert sees(w["th_officer"], target)
        OperationAssignment.objects.filter(user=w["th_officer"]).update(left_at="2026-01-01T00:00:00Z")  # no signal
        now = visibility.time.monotonic()
        monkeypatch.setattr(visibility.time, "monotonic", lambda: now + visibility.REACH_SECONDS + 0.1)
        assert not sees(w["th_officer"], target)


def test_search_finds_an_operations_record_only_while_assigned(w):
    target = make_person(w["cn"], "Operation Zhang Wei")
    services.share(w["cn_lo"], target, operations=[w["op"]])
    assert search(w["th_officer"], "Operation Zhang").persons == []
    assignment = services.assign(w["th_admin"], w["th_officer"], w["op"])
    assert [p.pk for p in search(w["th_officer"], "Operation Zhang").persons] == [target.pk]
    services.end_assignment(w["th_admin"], assignment)
    assert search(w["th_officer"], "Operation Zhang").persons == []
