"""The sharing page, the agency administrators' pages and the audit view, through HTTP."""
import re

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
    login(Client(), w["cn_lo"]).post(url(q), {"action": "retract", "reason": "Mistaken identity", "confirm": "yes"})
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
    r = c.post("/agency/users/new/", {"username": "cn.new", "roles": ["analyst"], "is_active": "on"})
    new = User.objects.get(username="cn.new")
    assert new.agency == w["cn"] and new.roles == ["analyst"]
    # No password set by the administrator, none in a cookie: a one-time set-up link on this page only.
    assert not new.has_usable_password()
    page = r.content.decode()
    assert "/account/set-up/" in page and "no-store" in r["Cache-Control"]
    assert "set-up" not in str(r.cookies.get("messages", ""))
    link = re.search(r"(/account/set-up/[^<\s]+)", page).group(1)
    assert Client().get(link, follow=True).status_code == 200


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



# Issue 10: styled pages, pickers, "Share…" and "Retract" only where they work ---------


def detail(p):
    return f"/persons/{p.pk}/"


def test_share_button_only_for_those_who_may_share(w):
    mm_lo = make_user(w["mm"], roles=("liaison_officer",))
    amber = make_person(w["cn"], "Amber person", distribution="members")  # TLP:AMBER, H0: owner only shares
    green = make_person(w["cn"], "Green person", distribution="members", tlp="GREEN")
    owner_page = login(Client(), w["cn_lo"]).get(detail(amber)).content.decode()
    assert "Share…" in owner_page
    recipient = login(Client(), mm_lo)
    page = recipient.get(detail(amber)).content.decode()
    assert "Share…" not in page and "Who sees this" in page
    assert "Share…" in recipient.get(detail(green)).content.decode()
    # The page behind "Who sees this" says who decides, and offers no form that would fail.
    sharing = recipient.get(url(amber)).content.decode()
    assert 'name="agencies"' not in sharing and "Only Agency CN-MPS decides who else sees this record" in sharing
    assert "Retract" not in sharing
    # An analyst of the owner agency may not share either.
    analyst = make_user(w["cn"])
    as_analyst = login(Client(), analyst)
    assert "Share…" not in as_analyst.get(detail(amber)).content.decode()
    sharing = as_analyst.get(url(amber)).content.decode()
    assert "Only a liaison officer of your agency can share this record" in sharing
    assert 'name="agencies"' not in sharing and "Retract" not in sharing


def test_sharing_page_uses_searchable_pickers_and_names_every_recipient(w):
    from liaison.operations.models import Operation
    from liaison.sharing.models import SharingGroup

    group = SharingGroup.objects.create(name="Mekong centre")
    group.members.set([w["mm"], w["kh"]])
    op = Operation.objects.create(owner=w["cn"], name="Jingyao", distribution="members")
    p = make_person(w["cn"], "Shared widely")
    c = login(Client(), w["cn_lo"])
    page = c.get(url(p)).content.decode()
    for name in ("agencies", "groups", "operations", "phases"):
        assert f'name="{name}"' in page
    assert page.count('data-picker="local"') == 4
    assert "Hold Ctrl" not in page
    # Each option says enough to choose: the group's members.
    assert 'data-detail="KH-CNP, MM-MOHA"' in page
    c.post(url(p), {"action": "share", "groups": [group.pk], "operations": [op.pk]})
    page = c.get(url(p)).content.decode()
    assert "Sharing group: Mekong centre" in page and "Operation team: Jingyao" in page
    assert "None" not in page


def test_red_record_offers_agencies_only(w):
    p = make_person(w["cn"], "Red person", tlp="RED")
    page = login(Client(), w["cn_lo"]).get(url(p)).content.decode()
    assert 'name="agencies"' in page
    assert 'name="groups"' not in page and 'name="operations"' not in page
    assert "TLP:RED records go only to named agencies." in page


def test_retract_asks_for_confirmation_first(w):
    p = make_person(w["cn"], "To retract", distribution="members")
    c = login(Client(), w["cn_lo"])
    page = c.get(url(p)).content.decode()
    assert "Retract…" in page
    r = c.post(url(p), {"action": "retract", "reason": "Wrong person"})
    assert r.status_code == 200
    body = r.content.decode()
    assert "Yes, retract it" in body and "Wrong person" in body and "All member agencies" in body
    p.refresh_from_db()
    assert p.retracted_at is None  # nothing happened yet
    c.post(url(p), {"action": "retract", "reason": "Wrong person", "confirm": "yes"})
    p.refresh_from_db()
    assert p.retracted_at is not None and p.retraction_reason == "Wrong person"


def test_retract_still_checked_on_the_server(w):
    """A forged confirmation from a recipient's liaison officer changes nothing."""
    mm_lo = make_user(w["mm"], roles=("liaison_officer",))
    p = make_person(w["cn"], "Not yours", distribution="members", tlp="GREEN")
    c = login(Client(), mm_lo)
    r = c.post(url(p), {"action": "retract", "reason": "x"}, follow=True)
    assert "Yes, retract it" not in r.content.decode()
    r = c.post(url(p), {"action": "retract", "reason": "x", "confirm": "yes"}, follow=True)
    assert "Only the owner agency can retract this record." in r.content.decode()
    p.refresh_from_db()
    assert p.retracted_at is None


def audit_page(w, query=""):
    return login(Client(), w["cn_admin"]).get(f"/agency/audit/{query}").content.decode()


def test_audit_trail_reads_as_text_not_as_stored_data(w):
    p = make_person(w["cn"], "Audited person")
    c = login(Client(), w["cn_lo"])
    c.post(url(p), {"action": "share", "agencies": [w["kh"].pk], "include_protected": "on"})
    c.post(url(p), {"action": "marking", "distribution": "shared", "tlp": "RED", "handling": "H2"})
    c.post(url(p), {"action": "retract", "reason": "Duplicate of another record", "confirm": "yes"})
    # An export concerns no single record.
    from liaison.sharing.exports import export_csv

    export_csv(Person.objects.filter(pk=p.pk), w["cn_lo"], description="persons list")
    body = audit_page(w)
    assert "{'" not in body and "['" not in body and "#None" not in body
    assert "Shared" in body and "KH-CNP" in body and "Protected identities revealed" in body
    assert "TLP:AMBER → TLP:RED" in body
    assert "H2 – no onward sharing without the owner&#x27;s permission" in body or "H2 – no onward sharing" in body
    assert "Duplicate of another record" in body
    assert f'href="/persons/{p.pk}/"' in body


def test_audit_trail_filters_and_pages(w):
    p = make_person(w["cn"], "Often shared")
    from liaison.sharing import services

    for i in range(30):
        services.share(w["cn_lo"], p, [w["kh"]])
        services.unshare(w["cn_lo"], services.recipients_of(p)[0])
    services.retract(w["cn_lo"], p, "Enough")
    everything = audit_page(w)
    assert "Page 1 of 2" in everything
    retractions = audit_page(w, "?action=retract")
    assert "Enough" in retractions and "KH-CNP" not in retractions
    by_officer = audit_page(w, f"?officer={w['cn_lo'].username}&action=share")
    assert "KH-CNP" in by_officer and "Page 1 of 2" not in by_officer
    assert "No entry matches these filters." in audit_page(w, "?until=2000-01-01")
    second = audit_page(w, "?action=unshare&page=2")
    assert "action=unshare" in second  # the pager keeps the filters
    assert "The end date is before the start date." in audit_page(w, "?since=2024-02-01&until=2024-01-01")


def test_officers_page_shows_role_names(w):
    body = login(Client(), w["cn_admin"]).get("/agency/users/").content.decode()
    assert "Liaison officer" in body and "liaison_officer" not in body.split("<main>")[-1].split("</main>")[0]
    form = login(Client(), w["cn_admin"]).get(f"/agency/users/{w['cn_lo'].pk}/").content.decode()
    assert 'class="editform"' in form


def test_operation_team_page_is_styled_with_an_officer_picker(w):
    from liaison.operations.models import Operation

    op = Operation.objects.create(owner=w["cn"], name="Team op", distribution="members")
    body = login(Client(), w["cn_admin"]).get(f"/operations/{op.pk}/team/").content.decode()
    assert 'name="officer"' in body and 'data-picker="local"' in body
    assert "Nobody is assigned yet." in body
