"""The officers' side: the public list, triage, missing-relative hits told like
watchlist hits (nothing of the other side's record), news to the family."""
import re

import pytest

from liaison.public import services, triage
from liaison.public.models import PublicHit, PublicReport, PublishedIdentifier
from liaison.registry.models import Identifier
from liaison.requests.models import Notification
from tests.factories import login

from .conftest import HELD_PHONE, SECRET_ALIAS, SECRET_PASSPORT, solved

pytestmark = pytest.mark.django_db


def _sent(response):
    page = response.content.decode()
    return re.search(r'id="reference">([^<]+)<', page).group(1), re.search(r'id="code">([^<]+)<', page).group(1)


def test_publish_page_only_for_the_owner(client, world):
    login(client, world.th_officer)
    assert client.get(f"/public/officers/publish/{world.held.pk}/").status_code == 404
    client.logout()
    login(client, world.kh_officer)
    response = client.post(f"/public/officers/publish/{world.held.pk}/", {"category": "money_mule", "message": ""})
    assert response.status_code == 302
    assert PublishedIdentifier.objects.live().filter(identifier=world.held).exists()
    listing = PublishedIdentifier.objects.live().get(identifier=world.held)
    client.post(f"/public/officers/list/{listing.pk}/retract/")
    assert not PublishedIdentifier.objects.live().filter(identifier=world.held).exists()


def test_triage_confirm_creates_the_agencys_own_records_and_counts_publicly(client, world):
    for _n in range(2):
        solved(client, "/public/report/scam/", what_happened="fee", identifiers="+855 12 345 678\n+855 99 888 777",
               country="KH", contact="me@example.org")
    first, second = PublicReport.objects.order_by("pk")
    assert first.agency == world.kh
    triage.confirm(world.kh_officer, first)
    new = Identifier.objects.get(owner=world.kh, normalized="+85599888777")
    assert new.tlp == "AMBER" and new.distribution == "owner"
    assert Identifier.objects.filter(owner=world.kh, normalized="+85512345678").count() == 1  # found, not duplicated
    page = client.post("/public/check/", {"text": "+85512345678"}).content.decode()
    assert "1 confirmed report from the public names it" in page
    triage.join(world.kh_officer, second, first)
    second.refresh_from_db()
    assert second.status == "merged" and second.merged_into == first
    with pytest.raises(services.NotAllowed):
        triage.confirm(world.th_officer, first)


def test_queue_shows_only_the_agencys_reports_and_contact_is_protected(client, world):
    solved(client, "/public/report/scam/", what_happened="ZZTH report", country="TH", contact="th-contact@example.org")
    solved(client, "/public/report/scam/", what_happened="ZZKH report", country="KH", contact="kh-contact@example.org")
    login(client, world.kh_officer)
    queue = client.get("/public/officers/").content.decode()
    th_report = PublicReport.objects.get(what_happened="ZZTH report")
    kh_report = PublicReport.objects.get(what_happened="ZZKH report")
    assert kh_report.reference in queue and th_report.reference not in queue
    assert client.get(f"/public/officers/reports/{th_report.pk}/").status_code == 404
    assert "kh-contact@example.org" in client.get(f"/public/officers/reports/{kh_report.pk}/").content.decode()


def test_missing_relative_hit_notifies_holder_and_consul_without_the_other_record(client, world, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        response = solved(client, "/public/report/missing/?lang=vi", relative_names="Nguyễn Văn Hùng",
                          birth_date="1997", nationality="VN", country="VN", contact="0912 000 000")
    assert response.status_code == 200, response.content.decode()[:3000]
    reference, code = _sent(response)
    report = PublicReport.objects.get(reference=reference)
    assert report.language == "vi" and report.agency == world.vn_mps
    hit = PublicHit.objects.get(report=report)
    assert hit.person == world.detained and hit.holding_agency == world.kh and hit.consular_agency == world.vn
    kh_notes = Notification.objects.filter(agency=world.kh, kind="public_hit")
    vn_notes = Notification.objects.filter(agency=world.vn, kind="public_hit")
    assert kh_notes.count() == 1 and vn_notes.count() == 1
    vn_text = " ".join(n.title + n.body for n in vn_notes)
    assert "KH-NP" in vn_text
    for secret in (SECRET_ALIAS, SECRET_PASSPORT, "Nguyễn", str(world.detained.pk), "0.9"):
        assert secret not in vn_text
    kh_text = " ".join(n.title + n.body for n in kh_notes)
    assert "0912" not in kh_text and "Nguyễn" not in kh_text
    # The consul opens the report (not the person) and sends news to the family.
    login(client, world.vn_consul)
    page = client.get(f"/public/officers/reports/{report.pk}/").content.decode()
    assert "A record held by KH-NP" in page and SECRET_ALIAS not in page and SECRET_PASSPORT not in page
    assert "0912 000 000" not in page  # the reporter's contact is the assigned agency's
    client.post(f"/public/officers/reports/{report.pk}/", {"action": "message",
                                                           "message": "Chúng tôi có tin: hãy liên hệ Đại sứ quán."})
    client.logout()
    status = client.post("/public/status/", {"reference": reference, "code": code}).content.decode()
    assert "Chúng tôi có tin" in status
    for secret in (SECRET_ALIAS, SECRET_PASSPORT, "KH-NP", "Cambodian National Police", "detained"):
        assert secret not in status


def test_missing_relative_without_eligible_person_makes_no_hit(client, world, django_capture_on_commit_callbacks):
    world.detained.statuses.all().delete()
    with django_capture_on_commit_callbacks(execute=True):
        solved(client, "/public/report/missing/", relative_names="Nguyễn Văn Hùng", birth_date="1997",
               nationality="VN", country="VN")
    assert not PublicHit.objects.exists()


def test_marker_strings_never_reach_public_pages_api_or_errors(client, world):
    """Whatever is asked, no unpublished registry data comes back."""
    import json

    probes = [HELD_PHONE, "+855 12 777 001", SECRET_ALIAS, SECRET_PASSPORT, "Nguyễn Văn Hùng",
              f"Call {HELD_PHONE} on Telegram for a job in Poipet", "ZZSECRET-Label"]
    markers = {"ZZSECRET-Label", "ZZSECRET note", "ZZSECRET Holding", "ZZSECRET-Pub-Label", "Cambodian National Police",
               SECRET_ALIAS, SECRET_PASSPORT, "1997-11-03", "Royal Thai"}
    answers = []
    for probe in probes:
        answers.append((probe, client.post("/public/check/", {"text": probe}).content.decode()))
        answers.append((probe, client.post("/api/public/check", json.dumps({"text": probe}),
                                           content_type="application/json").content.decode()))
    answers.append((SECRET_PASSPORT, client.post("/public/status/", {"reference": "R-XXXX", "code": SECRET_PASSPORT}
                                                 ).content.decode()))
    answers.append(("", client.post("/api/public/check", "{bad json", content_type="application/json").content.decode()))
    answers += [("", client.get(u).content.decode()) for u in ("/public/", "/public/report/missing/", "/public/status/")]
    for probe, body in answers:
        for marker in markers:
            if marker not in probe:  # what the reader typed comes back; nothing else does
                assert marker not in body, (probe, marker)


def test_demo_publishes_one_kh_np_phone(client, db):
    from liaison.demo import demo_public
    from liaison.sharing.models import Role
    from tests.factories import make_agency, make_user

    kh = make_agency("KH-NP", country="KH", name="Cambodian National Police")
    officer = make_user(kh, roles=[Role.LIAISON_OFFICER], username="kh.officer")
    demo_public.load({"KH-NP": kh}, {"kh.officer": officer})
    demo_public.load({"KH-NP": kh}, {"kh.officer": officer})  # idempotent
    assert PublishedIdentifier.objects.live().count() == 1
    page = client.post("/public/check/", {"text": demo_public.DEMO_PUBLISHED_PHONE}).content.decode()
    assert "Listed by Cambodian National Police since" in page
