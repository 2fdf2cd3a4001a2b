"""Access scoped to a joint operation or phase: assigned officers see what was
shared with it, and stop seeing it when they leave."""
import pytest

from liaison.operations.models import Operation, Phase
from liaison.registry.models import Person
from liaison.sharing import services
from liaison.sharing.visibility import can_see_protected
from tests.factories import make_agency, make_person, make_user

pytestmark = pytest.mark.django_db


@pytest.fixture
def w():
    cn, th = make_agency("CN", "CN"), make_agency("TH", "TH")
    op = Operation.objects.create(owner=cn, name="Jingyao", distribution="members")
    op.agencies.add(cn, th)
    p1 = Phase.objects.create(operation=op, number=1)
    p2 = Phase.objects.create(operation=op, number=2)
    return {
        "cn": cn, "th": th, "op": op, "p1": p1, "p2": p2,
        "cn_lo": make_user(cn, roles=("liaison_officer",)),
        "th_admin": make_user(th, roles=("agency_admin",)),
        "th_officer": make_user(th),
        "th_other": make_user(th),
    }


def sees(user, p):
    return Person.objects.visible_to(user).filter(pk=p.pk).exists()


def test_assigned_officer_sees_operation_share_until_leaving(w):
    p = make_person(w["cn"], "Jingyao target")
    services.share(w["cn_lo"], p, operations=[w["op"]])
    assert not sees(w["th_officer"], p)
    a = services.assign(w["th_admin"], w["th_officer"], w["op"])
    assert sees(w["th_officer"], p)
    # Assignment is personal: a colleague of the same agency sees nothing.
    assert not sees(w["th_other"], p)
    services.end_assignment(w["th_admin"], a)
    assert not sees(w["th_officer"], p)


def test_phase_scope(w):
    p = make_person(w["cn"], "Phase 2 target")
    services.share(w["cn_lo"], p, phases=[w["p2"]])
    services.assign(w["th_admin"], w["th_officer"], w["op"], phase=w["p1"])
    assert not sees(w["th_officer"], p)
    services.assign(w["th_admin"], w["th_officer"], w["op"], phase=w["p2"])
    assert sees(w["th_officer"], p)
    # Assignment to the whole operation covers its phases.
    services.assign(w["th_admin"], w["th_other"], w["op"])
    assert sees(w["th_other"], p)


def test_protected_fields_through_operation_share(w):
    victim = make_person(w["cn"], "Victim", protection="victim")
    services.share(w["cn_lo"], victim, operations=[w["op"]], include_protected=True)
    services.assign(w["th_admin"], w["th_officer"], w["op"])
    assert can_see_protected(victim, w["th_officer"])
    assert not can_see_protected(victim, w["th_other"])


def test_red_never_to_operation_teams(w):
    p = make_person(w["cn"], "Red", tlp="RED")
    with pytest.raises(services.SharingError, match="RED"):
        services.share(w["cn_lo"], p, operations=[w["op"]])


def test_only_own_agency_admin_assigns(w):
    with pytest.raises(PermissionError):
        services.assign(w["th_officer"], w["th_other"], w["op"])
    cn_admin = make_user(w["cn"], roles=("agency_admin",))
    with pytest.raises(PermissionError):
        services.assign(cn_admin, w["th_officer"], w["op"])
    # Seeing an operation is not taking part in it.
    outsider = make_agency("VN", "VN")
    vn_admin = make_user(outsider, roles=("agency_admin",))
    with pytest.raises(PermissionError, match="participating agencies"):
        services.assign(vn_admin, vn_admin, w["op"])
    private_op = Operation.objects.create(owner=w["cn"], name="Private")
    with pytest.raises(services.NotFound):
        services.assign(w["th_admin"], w["th_officer"], private_op)


def test_team_page_assign_and_leave_through_http(w):
    from django.test import Client

    from tests.factories import login

    p = make_person(w["cn"], "Team-shared person")
    c = login(Client(), w["cn_lo"])
    c.post(f"/sharing/registry.person/{p.pk}/", {"action": "share", "operations": [w["op"].pk]})
    admin = login(Client(), w["th_admin"])
    r = admin.post(f"/operations/{w['op'].pk}/team/", {"action": "assign", "officer": w["th_officer"].pk}, follow=True)
    assert w["th_officer"].username in r.content.decode()
    assert sees(w["th_officer"], p)
    from liaison.sharing.models import OperationAssignment

    a = OperationAssignment.objects.get(user=w["th_officer"])
    admin.post(f"/operations/{w['op'].pk}/team/", {"action": "end", "assignment": a.pk})
    assert not sees(w["th_officer"], p)
    # An officer of another agency cannot be assigned by this administrator.
    r = admin.post(f"/operations/{w['op'].pk}/team/", {"action": "assign", "officer": w["cn_lo"].pk})
    assert not OperationAssignment.objects.filter(user=w["cn_lo"]).exists()
    # The operation's page is 404 for someone who cannot see it.
    private = Operation.objects.create(owner=w["cn"], name="Private op")
    assert admin.get(f"/operations/{private.pk}/team/").status_code == 404
