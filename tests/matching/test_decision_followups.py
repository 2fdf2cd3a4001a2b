"""Issue 10, item 6 and the rough edges of deciding matches: what the audit trail
of a merge tells an agency, the reason typed before rejecting, the history of
a pair, conflicting statuses, and a new person that duplicates a visible one."""
import json
import re

import pytest
from rest_framework.test import APIClient

from liaison.audit.models import AuditEntry
from liaison.matching import services
from liaison.matching.models import CandidatePair, EntityMember
from liaison.registry.models import Person, PersonStatus
from liaison.sharing.models import Role
from tests.factories import login, make_person, make_user

from .conftest import SECRET_ALIAS, make_pair
from .forms import forms_of, press

pytestmark = pytest.mark.django_db


# Item 6 — the audit trail of merges, splits and rejections --------------------------------------

@pytest.fixture
def cn_own(world):
    """CN-MPS's own record of Ming Xuechang, for its eyes only."""
    return make_person(world.cn, "Ming Xuechang", SECRET_ALIAS, sex="male", birth_date="1955")


def test_the_audit_trail_shows_no_agency_a_record_it_cannot_see(client, world, cn_own):
    mm_admin = make_user(world.mm, roles=(Role.AGENCY_ADMIN,), username="t_mm_admin")
    pair = make_pair(cn_own, world.mm_ming)  # field weights name 7.5, dob 1.2, country -0.4
    entity = services.merge(world.cn_analyst, pair, f"Same man as {SECRET_ALIAS}")
    member = EntityMember.objects.get(entity=entity, person=world.mm_ming)
    services.split(world.cn_analyst, member, f"Not {SECRET_ALIAS} after all")
    services.reject(world.cn_analyst, pair, f"{SECRET_ALIAS} is his brother")
    login(client, mm_admin)
    html = client.get("/agency/audit/").content.decode()
    assert "Persons merged" in html and "Merge undone" in html and "Candidate match rejected" in html
    assert "ZZSECRET" not in html
    for number in ("7.5", "1.2", "0.4", "0.93"):  # the field weights and the probability; not inside a time
        assert not re.search(rf"(?<![\d.]){re.escape(number)}(?![\d])", html), number
    trail = AuditEntry.objects.filter(owner_agency=world.mm, action__in=["merge", "split", "match_reject"])
    assert {e.action for e in trail} == {"merge", "split", "match_reject"}
    for entry in trail:
        # Only the numbers of the match and of the cluster: nothing of CN-MPS's record.
        assert set(entry.detail) <= {"pair", "entity"}, entry.detail
        assert entry.detail.get("pair", pair.pk) == pair.pk
        assert entry.record_id == world.mm_ming.pk
    assert "ZZSECRET" not in json.dumps([e.detail for e in AuditEntry.objects.filter(owner_agency=world.cn)])


def test_decisions_between_records_of_one_agency_keep_their_evidence_in_its_trail(world):
    pair = make_pair(world.mm_ming, world.mm_hidden)
    services.reject(world.mm_analyst, pair, "Different mothers")
    for entry in AuditEntry.objects.filter(action="match_reject"):
        assert entry.owner_agency == world.mm
        assert entry.detail["fields"] == {"name": 7.5, "dob": 1.2, "country": -0.4}
        assert entry.detail["probability"] == 0.93 and entry.detail["note"] == "Different mothers"
        assert entry.detail["other_person"] == ({world.mm_ming.pk, world.mm_hidden.pk} - {entry.record_id}).pop()


# The reason typed on the page, and the pair's history ----------------------------------------------

def test_the_reason_typed_on_the_matching_page_is_kept_when_rejecting(as_cn, world):
    pair = make_pair(world.cn_ming, world.mm_ming)
    for url in ("/matching/", f"/matching/pairs/{pair.pk}/"):
        page = as_cn.get(url).content.decode()
        reject_form = next(f for f in forms_of(page) if any("reject" in b["text"] for b in f["buttons"]))
        assert any(field.get("name") == "note" and field.get("type") == "text" for field in reject_form["fields"]), url
    page = as_cn.get(f"/matching/pairs/{pair.pk}/").content.decode()
    response = press(as_cn, page, "Different persons: reject", typed={"note": "Different mothers' names"})
    assert response.status_code == 302
    pair.refresh_from_db()
    assert (pair.status, pair.note) == ("rejected", "Different mothers' names")
    history = as_cn.get(f"/matching/pairs/{pair.pk}/").content.decode()
    assert "Rejected: different persons" in history and "Different mothers&#x27; names" in history


def test_the_pair_page_keeps_the_history_of_its_decisions(as_cn, world):
    pair = make_pair(world.cn_ming, world.mm_ming)
    page = as_cn.get(f"/matching/pairs/{pair.pk}/").content.decode()
    press(as_cn, page, "Same person: merge", typed={"note": "Same passport MB0311955"})
    member = EntityMember.objects.get(person=world.mm_ming, removed_at__isnull=True)
    services.split(world.cn_analyst, member, "Passport was forged")
    services.reject(world.mm_analyst, pair, "Father's names differ")
    html = as_cn.get(f"/matching/pairs/{pair.pk}/").content.decode()
    history = html[html.index("History"):]
    # The reader's own officers by name, another agency's by agency (as the history of records does).
    for text in ("Same passport MB0311955", "Passport was forged", "Father&#x27;s names differ",
                 "t_cn_analyst", f"an officer of {world.mm_analyst.agency.short_name}"):
        assert text in history
    assert "t_mm_analyst" not in history
    assert history.index("Same passport") < history.index("Passport was forged") < history.index("names differ")
    # Only whoever may see both records sees the pair, its history with it.
    login(as_cn, world.kh_analyst)
    assert as_cn.get(f"/matching/pairs/{pair.pk}/").status_code == 404


# Conflicting statuses ----------------------------------------------------------------------------

@pytest.fixture
def conflicting(world):
    PersonStatus.objects.create(person=world.cn_ming, status="deceased", date="2023-11")
    PersonStatus.objects.create(person=world.mm_ming, status="wanted", date="2020")
    PersonStatus.objects.create(person=world.mm_ming, status="repatriated", date="2024-01")  # handed over alive
    return make_pair(world.cn_ming, world.mm_ming)


def test_conflicting_statuses_are_shown_side_by_side_and_need_a_confirmation(as_cn, world, conflicting):
    pair = conflicting
    page = as_cn.get(f"/matching/pairs/{pair.pk}/").content.decode()
    assert "Deceased" in page and "Repatriated" in page and "conflicting statuses" in page.lower()
    response = press(as_cn, page, "Same person: merge", typed={"note": "Same family"})
    pair.refresh_from_db()
    assert pair.status == "open" and not EntityMember.objects.exists()
    shown = as_cn.get(response["Location"]).content.decode()
    assert "Deceased" in shown and "Repatriated" in shown
    press(as_cn, page, "Same person: merge", typed={"note": "Death report was wrong"}, ticked=("confirm_statuses",))
    pair.refresh_from_db()
    assert pair.status == "merged" and pair.note == "Death report was wrong"


def test_the_api_asks_for_the_same_confirmation(world, conflicting):
    api = login(APIClient(), world.cn_analyst)
    refused = api.post(f"/api/matching/candidates/{conflicting.pk}/merge/", {"note": "x"}, format="json")
    assert refused.status_code == 400 and "Deceased" in refused.json()["detail"]
    merged = api.post(f"/api/matching/candidates/{conflicting.pk}/merge/",
                      {"note": "x", "confirm_conflicting_statuses": True}, format="json")
    assert merged.status_code == 200 and merged.json()["status"] == "merged"


def test_statuses_that_agree_need_no_confirmation(as_cn, world):
    PersonStatus.objects.create(person=world.cn_ming, status="arrested", date="2023-11")
    PersonStatus.objects.create(person=world.mm_ming, status="in_custody", date="2023-12")
    pair = make_pair(world.cn_ming, world.mm_ming)
    page = as_cn.get(f"/matching/pairs/{pair.pk}/").content.decode()
    assert "conflicting statuses" not in page.lower() and "confirm_statuses" not in page
    press(as_cn, page, "Same person: merge")
    assert CandidatePair.objects.get().status == "merged"


# A new person that duplicates one the officer can see ----------------------------------------------

def test_a_new_person_like_a_visible_one_is_saved_only_after_a_warning(as_cn, world):
    cn_chen = make_person(world.cn, "Chen Zhihua", sex="male", birth_date="1979", distribution="members")
    # Records CN-MPS may not read: KH-NP's hidden fugitive, MM-MPF's victim whose identity is withheld.
    make_person(world.mm, "Chen Zhihua", sex="male", birth_date="1979", distribution="members", protection="victim")
    services.refresh_all_keys()
    before = Person.objects.count()
    form = as_cn.get("/persons/new/").content.decode()
    typed = {"names-0-full_name": "陈志华", "birth_date": "1979", "sex": "male"}
    response = press(as_cn, form, "Save", typed=typed, at="/persons/new/")
    assert response.status_code == 200 and Person.objects.count() == before
    warning = response.content.decode()
    assert "Possible duplicate" in warning and f'href="/persons/{cn_chen.pk}/"' in warning
    assert f"/persons/{world.kh_wanted.pk}/" not in warning and "ZZSECRET" not in warning
    assert warning.count("Chen Zhihua") == 1  # CN's own record only, not the victim's withheld identity
    response = press(as_cn, warning, "Save anyway", typed=typed, at="/persons/new/")
    assert response.status_code == 302 and Person.objects.count() == before + 1
    assert Person.objects.latest("pk").names.get().full_name == "陈志华"


def test_a_new_person_like_nobody_visible_is_saved_at_once(as_cn, world):
    services.refresh_all_keys()
    form = as_cn.get("/persons/new/").content.decode()
    # Like KH-NP's fugitive, which CN-MPS cannot see: no warning, nothing said of it.
    response = press(as_cn, form, "Save", typed={"names-0-full_name": "Chen Zhihua", "birth_date": "1979", "sex": "male"},
                     at="/persons/new/")
    assert response.status_code == 302
