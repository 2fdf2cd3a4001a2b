"""Sharing actions and the TLP / handling-code rules, as an officer meets them."""
import pytest

from liaison.audit.models import AuditEntry
from liaison.registry.models import Person
from liaison.sharing import services
from liaison.sharing.models import SharingGroup
from liaison.sharing.visibility import can_see_protected, mark_seen, retraction_notice
from tests.factories import make_agency, make_person, make_user

pytestmark = pytest.mark.django_db


@pytest.fixture
def w():
    cn, mm, kh, th = (make_agency(c, c) for c in ("CN", "MM", "KH", "TH"))
    return {
        "cn": cn, "mm": mm, "kh": kh, "th": th,
        "cn_lo": make_user(cn, roles=("liaison_officer",)),
        "cn_an": make_user(cn, roles=("analyst",)),
        "mm_lo": make_user(mm, roles=("liaison_officer",)),
        "kh_an": make_user(kh, roles=("analyst",)),
        "th_an": make_user(th, roles=("analyst",)),
    }


def sees(user, person):
    return Person.objects.visible_to(user).filter(pk=person.pk).exists()


def test_owner_liaison_officer_shares_and_unshares(w):
    p = make_person(w["cn"], "Suspect A")
    assert not sees(w["kh_an"], p)
    [share] = services.share(w["cn_lo"], p, agencies=[w["kh"]])
    p.refresh_from_db()
    assert p.distribution == "shared" and sees(w["kh_an"], p)
    services.unshare(w["cn_lo"], share)
    assert not sees(w["kh_an"], p)
    actions = list(AuditEntry.objects.values_list("action", flat=True))
    assert actions == ["distribution", "share", "unshare"]


def test_sharing_twice_is_idempotent(w):
    p = make_person(w["cn"], "Suspect B")
    services.share(w["cn_lo"], p, agencies=[w["kh"]])
    assert services.share(w["cn_lo"], p, agencies=[w["kh"]]) == []
    assert AuditEntry.objects.filter(action="share").count() == 1


def test_analyst_cannot_share(w):
    p = make_person(w["cn"], "Suspect C")
    with pytest.raises(PermissionError):
        services.share(w["cn_an"], p, agencies=[w["kh"]])


def test_invisible_record_cannot_be_shared_and_looks_absent(w):
    p = make_person(w["cn"], "Suspect D")
    with pytest.raises(services.NotFound):
        services.share(w["mm_lo"], p, agencies=[w["th"]])


def test_red_only_to_named_agencies(w):
    p = make_person(w["cn"], "Red", tlp="RED")
    group = SharingGroup.objects.create(name="Mekong")
    group.members.add(w["kh"])
    with pytest.raises(services.SharingError, match="RED"):
        services.share(w["cn_lo"], p, groups=[group])
    with pytest.raises(services.SharingError, match="RED"):
        services.set_marking(w["cn_lo"], p, distribution="members")


def test_public_needs_clear(w):
    p = make_person(w["cn"], "Figures", tlp="GREEN")
    with pytest.raises(services.SharingError, match="CLEAR"):
        services.set_marking(w["cn_lo"], p, distribution="public")
    services.set_marking(w["cn_lo"], p, distribution="public", tlp="CLEAR")
    p.refresh_from_db()
    assert (p.distribution, p.tlp) == ("public", "CLEAR")


def test_amber_strict_never_to_all_members(w):
    p = make_person(w["cn"], "Strict", tlp="AMBER+STRICT")
    with pytest.raises(services.SharingError, match="AMBER\\+STRICT"):
        services.set_marking(w["cn_lo"], p, distribution="members")


def test_onward_sharing_follows_marking(w):
    green = make_person(w["cn"], "Green", tlp="GREEN")
    amber = make_person(w["cn"], "Amber", tlp="AMBER")
    green_h2 = make_person(w["cn"], "Green H2", tlp="GREEN", handling="H2")
    for p in (green, amber, green_h2):
        services.share(w["cn_lo"], p, agencies=[w["mm"]])
    services.share(w["mm_lo"], green, agencies=[w["th"]])
    assert sees(w["th_an"], green)
    with pytest.raises(services.SharingError, match="only its owner agency"):
        services.share(w["mm_lo"], amber, agencies=[w["th"]])
    with pytest.raises(services.SharingError, match="only its owner agency"):
        services.share(w["mm_lo"], green_h2, agencies=[w["th"]])
    assert not sees(w["th_an"], amber)


def test_only_owner_grants_protected_fields(w):
    victim = make_person(w["cn"], "Victim", tlp="GREEN", protection="victim")
    services.share(w["cn_lo"], victim, agencies=[w["mm"]])
    with pytest.raises(services.SharingError, match="protected"):
        services.share(w["mm_lo"], victim, agencies=[w["th"]], include_protected=True)
    assert not can_see_protected(victim, w["mm_lo"])
    services.share(w["cn_lo"], victim, agencies=[w["mm"]], include_protected=True)
    assert can_see_protected(victim, w["mm_lo"])


def test_retraction_takes_effect_at_once_with_notice(w):
    p = make_person(w["cn"], "Retract me", distribution="members")
    assert sees(w["kh_an"], p)
    with pytest.raises(services.SharingError):
        services.retract(w["cn_lo"], p, reason=" ")
    mark_seen(p, w["kh_an"])  # KH opened it
    never_opened = make_person(w["cn"], "Shared but never opened", distribution="members")
    services.retract(w["cn_lo"], p, reason="Wrong identification")
    services.retract(w["cn_lo"], never_opened, reason="Wrong identification")
    assert not sees(w["kh_an"], p)
    assert sees(w["cn_an"], p)
    assert retraction_notice(Person, p.pk, w["kh_an"]) is not None
    # Visible to KH before, but never opened by KH: no notice, the number tells nothing.
    assert retraction_notice(Person, never_opened.pk, w["kh_an"]) is None
    # Someone who never saw it gets no notice either: nothing leaks.
    other = make_person(w["cn"], "Private then retracted")
    services.retract(w["cn_lo"], other, reason="x")
    assert retraction_notice(Person, other.pk, w["kh_an"]) is None
    services.restore(w["cn_lo"], p)
    assert sees(w["kh_an"], p)


def test_non_owner_cannot_retract_or_remark(w):
    p = make_person(w["cn"], "Shared", distribution="members")
    with pytest.raises(PermissionError):
        services.retract(w["mm_lo"], p, reason="no")
    with pytest.raises(PermissionError):
        services.set_marking(w["mm_lo"], p, tlp="CLEAR")
