"""Sharing through the API: the same rules as the sharing page."""
import pytest
from rest_framework.test import APIClient

from liaison.registry.models import Person
from tests.factories import login, make_agency, make_person, make_user

pytestmark = pytest.mark.django_db


@pytest.fixture
def w():
    cn, mm, th = make_agency("CN", "CN"), make_agency("MM", "MM"), make_agency("TH", "TH")
    return {
        "cn": cn, "mm": mm, "th": th,
        "cn_lo": login(APIClient(), make_user(cn, roles=("liaison_officer",))),
        "cn_an": login(APIClient(), make_user(cn)),
        "mm_lo": login(APIClient(), make_user(mm, roles=("liaison_officer",))),
        "mm_user": make_user(mm),
    }


def test_share_list_unshare(w):
    p = make_person(w["cn"], "Ming Julan")
    r = w["cn_lo"].post(f"/api/persons/{p.pk}/share/", {"agencies": [w["mm"].pk]}, format="json")
    assert r.status_code == 201, r.content
    assert Person.objects.visible_to(w["mm_user"]).filter(pk=p.pk).exists()
    shares = w["cn_lo"].get(f"/api/persons/{p.pk}/shares/").json()
    assert [s["agency"] for s in shares] == [w["mm"].pk]
    # The recipient cannot list the owner's recipients.
    assert w["mm_lo"].get(f"/api/persons/{p.pk}/shares/").status_code == 403
    r = w["cn_lo"].post(f"/api/persons/{p.pk}/unshare/", {"share": shares[0]["id"]}, format="json")
    assert r.status_code == 204
    assert not Person.objects.visible_to(w["mm_user"]).filter(pk=p.pk).exists()


def test_rules_map_to_status_codes(w):
    red = make_person(w["cn"], "Red", tlp="RED")
    r = w["cn_lo"].post(f"/api/persons/{red.pk}/marking/", {"distribution": "members"}, format="json")
    assert r.status_code == 400 and "TLP:RED" in r.json()["detail"]
    assert w["cn_an"].post(f"/api/persons/{red.pk}/share/", {"agencies": [w["mm"].pk]}, format="json").status_code == 403
    # Invisible: 404, the same as an unknown id.
    assert w["mm_lo"].post(f"/api/persons/{red.pk}/share/", {"agencies": [w["th"].pk]}, format="json").status_code == 404
    assert w["mm_lo"].post("/api/persons/999999/share/", {"agencies": [w["th"].pk]}, format="json").status_code == 404


def test_retract_via_api(w):
    p = make_person(w["cn"], "Shared", distribution="members")
    assert w["cn_lo"].post(f"/api/persons/{p.pk}/retract/", {"reason": ""}, format="json").status_code == 400
    assert w["cn_lo"].post(f"/api/persons/{p.pk}/retract/", {"reason": "Wrong person"}, format="json").status_code == 204
    assert w["mm_lo"].get(f"/api/persons/{p.pk}/").status_code == 404
    assert w["cn_lo"].post(f"/api/persons/{p.pk}/restore/").status_code == 204
    assert w["mm_lo"].get(f"/api/persons/{p.pk}/").status_code == 200


def test_marking_rules_hold_when_writing_a_record_directly(w):
    r = w["cn_an"].post("/api/persons/", {"distribution": "public", "tlp": "RED", "names": [{"full_name": "X Y"}]}, format="json")
    assert r.status_code == 400 and "CLEAR" in str(r.json())
    p = make_person(w["cn"], "Strict", tlp="AMBER+STRICT")
    r = w["cn_an"].patch(f"/api/persons/{p.pk}/", {"distribution": "members"}, format="json")
    assert r.status_code == 400 and "AMBER+STRICT" in str(r.json())


def test_a_phase_cannot_be_moved_into_another_agencys_operation(w):
    from liaison.operations.models import Operation, Phase

    theirs = Operation.objects.create(owner=w["cn"], name="CN op", distribution="members")
    mine = Operation.objects.create(owner=w["mm"], name="MM op")
    phase = Phase.objects.create(operation=mine, number=1)
    r = w["mm_lo"].patch(f"/api/phases/{phase.pk}/", {"operation": theirs.pk}, format="json")
    assert r.status_code == 403
    phase.refresh_from_db()
    assert phase.operation == mine


# --- one path for markings: the record's own PUT/PATCH goes through the marking action ---------


def marking_entries(record):
    from liaison.audit.models import AuditEntry

    return list(AuditEntry.objects.filter(action="marking", record_id=record.pk).order_by("seq"))


def test_an_analyst_cannot_change_distribution_or_tlp_by_patching_the_record(w):
    p = make_person(w["cn"], "Owner Only", tlp="AMBER")
    for change in ({"distribution": "members"}, {"tlp": "GREEN"}, {"handling": "H2"}, {"handling_note": "Ask first"}):
        r = w["cn_an"].patch(f"/api/persons/{p.pk}/", change, format="json")
        assert r.status_code == 403, (change, r.content)
        assert "liaison officer" in r.json()["detail"]
    p.refresh_from_db()
    assert (p.distribution, p.tlp, p.handling, p.handling_note) == ("owner", "AMBER", "H0", "")
    assert not Person.objects.visible_to(w["mm_user"]).filter(pk=p.pk).exists()
    assert not marking_entries(p)


def test_repeating_the_current_marking_is_fine(w):
    p = make_person(w["cn"], "Owner Only", tlp="AMBER")
    full = w["cn_an"].get(f"/api/persons/{p.pk}/").json()
    r = w["cn_an"].patch(f"/api/persons/{p.pk}/", {"distribution": "owner", "tlp": "AMBER", "sex": "female"}, format="json")
    assert r.status_code == 200, r.content
    full["sex"] = "male"
    r = w["cn_an"].put(f"/api/persons/{p.pk}/", {k: v for k, v in full.items() if k != "owner"}, format="json")
    assert r.status_code == 200, r.content
    assert not marking_entries(p)


def test_a_liaison_officer_changes_the_marking_by_patch_and_it_is_audited(w):
    p = make_person(w["cn"], "To Share", tlp="AMBER")
    r = w["cn_lo"].patch(f"/api/persons/{p.pk}/", {"distribution": "members", "handling_note": "No onward use"},
                         format="json")
    assert r.status_code == 200, r.content
    assert r.json()["distribution"] == "members"
    assert Person.objects.visible_to(w["mm_user"]).filter(pk=p.pk).exists()
    [entry] = marking_entries(p)
    assert entry.detail["changes"] == {"distribution": ["owner", "members"], "handling_note": ["", "No onward use"]}


def test_creating_a_record_with_a_wide_marking_is_audited(w):
    r = w["cn_an"].post("/api/persons/", {"distribution": "members", "tlp": "GREEN", "names": [{"full_name": "New One"}]},
                        format="json")
    assert r.status_code == 201, r.content
    p = Person.objects.get(pk=r.json()["id"])
    [entry] = marking_entries(p)
    assert entry.detail["initial"] is True
    assert entry.detail["changes"]["distribution"] == ["owner", "members"]
