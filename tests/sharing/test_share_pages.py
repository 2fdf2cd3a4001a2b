"""The sharing page, the agency administrators' pages and the audit view, through HTTP."""
import pytest
from django.test import Client

from liaison.audit.models import AuditEntry
from liaison.registry.models import Person
from liaison.sharing.models import User
from tests.factories import login, make_agency, make_person, make_user

pytestmark = pytest.mark.django_db


@pytest.fixture
def w():
    cn, mm, kh = make_agency("CN-MPS", "CN"), make_agency("MM-MOHA", "MM"), make_agency("KH-CNP", "KH")
    return {
        "cn": cn, "mm": mm, "kh": kh,
        "cn_lo": make_user(cn, roles=("liaison_officer",)),
        "cn_admin": make_user(cn, roles=("agency_admin",)),
        "mm_an": make_user(mm),
        "mm_admin": make_user(mm, roles=("agency_admin",)),
        "kh_an": make_user(kh),
    }


def url(p):
    return f"/sharing/registry.person/{p.pk}/"


def test_share_through_page_then_withdraw(w):
    p = make_person(w["cn"], "明国平")
    c = login(Client(), w["cn_lo"])
    r = c.post(url(p), {"action": "share", "agencies": [w["mm"].pk]}, follow=True)
    assert "Shared with 1 new recipient" in r.content.decode()
    assert Person.objects.visible_to(w["mm_an"]).filter(pk=p.pk).exists()
    page = c.get(url(p)).content.decode()
    assert "MM-MOHA" in page or "Agency MM-MOHA" in page
    share = p.__class__.objects.get(pk=p.pk)
    from liaison.sharing.services import recipients_of

    [s] = recipients_of(share)
    c.post(url(p), {"action": "unshare", "share": s.pk})
    assert not Person.objects.visible_to(w["mm_an"]).filter(pk=p.pk).exists()


def test_rule_violation_shown_as_message_not_error(w):
    p = make_person(w["cn"], "Red record", tlp="RED")
    c = login(Client(), w["cn_lo"])
    r = c.post(url(p), {"action": "marking", "distribution": "members", "tlp": "RED", "handling": "H0"}, follow=True)
    assert r.status_code == 200
    assert "TLP:RED records go only to named recipients" in r.content.decode()
    p.refresh_from_db()
    assert p.distribution == "owner"


def test_invisible_record_is_404_and_retracted_one_says_so(w):
    p = make_person(w["cn"], "Private")
    c = login(Client(), w["mm_an"])
    assert c.get(url(p)).status_code == 404
    assert c.get("/sharing/registry.person/999999/").status_code == 404
    q = make_person(w["cn"], "Was shared", distribution="members")
    assert c.get(url(q)).status_code == 200
    login(Client(), w["cn_lo"]).post(url(q), {"action": "retract", "reason": "Mistaken identity"})
    r = c.get(url(q))
    assert r.status_code == 404
    assert "was retracted" in r.content.decode()
    assert "Was shared" not in r.content.decode()


def test_non_shareable_model_is_404(w):
    c = login(Client(), w["cn_lo"])
    assert c.get(f"/sharing/sharing.user/{w['cn_lo'].pk}/").status_code == 404
    assert c.get("/sharing/nonsense/1/").status_code == 404


def test_agency_admin_manages_only_own_officers(w):
    c = login(Client(), w["cn_admin"])
    r = c.get("/agency/users/")
    assert w["cn_lo"].username in r.content.decode()
    assert w["mm_an"].username not in r.content.decode()
    assert c.get(f"/agency/users/{w['mm_an'].pk}/").status_code == 404
    r = c.post("/agency/users/new/", {"username": "cn.new", "roles": ["analyst"], "is_active": "on"}, follow=True)
    new = User.objects.get(username="cn.new")
    assert new.agency == w["cn"] and new.roles == ["analyst"]
    assert "temporary password" in r.content.decode()


def test_non_admin_gets_404_on_admin_pages(w):
    c = login(Client(), w["cn_lo"])
    for path in ("/agency/users/", "/agency/audit/", f"/agency/users/{w['cn_lo'].pk}/"):
        assert c.get(path).status_code == 404


def test_audit_view_shows_only_own_agency_records(w):
    p = make_person(w["cn"], "Shared person")
    login(Client(), w["cn_lo"]).post(url(p), {"action": "share", "agencies": [w["kh"].pk]})
    assert AuditEntry.objects.filter(action="share").exists()
    body = login(Client(), w["cn_admin"]).get("/agency/audit/?action=share").content.decode()
    assert "KH-CNP" in body
    other = login(Client(), w["mm_admin"]).get("/agency/audit/").content.decode()
    assert "KH-CNP" not in other and "Nothing recorded yet" in other
