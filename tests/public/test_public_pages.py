"""The public pages, as a member of the public uses them: no login, ten languages,
what was published and nothing else, reports with a reference and a secret code."""
import json
import re

import pytest
from django.utils.html import escape

from liaison.audit.models import AuditEntry
from liaison.public import services
from liaison.public.models import PublicReport, PublishedIdentifier, ReportedIdentifier
from tests.factories import make_user

from .conftest import HELD_PHONE, PUBLISHED_PHONE, solved

pytestmark = pytest.mark.django_db

THAI_OFFER = ("รับสมัครพนักงานบริการลูกค้าที่กัมพูชา เงินเดือน 50,000 บาท ไม่ต้องมีประสบการณ์ "
              "บริษัทออกค่าตั๋วเครื่องบินและวีซ่าให้ ติดต่อทางเทเลแกรมด่วน")


def check(client, text, **extra):
    return client.post("/public/check/", {"text": text}, **extra)


def test_publishing_is_owner_only_audited_and_retractable(world):
    other = make_user(world.th, roles=["liaison_officer"])
    with pytest.raises(services.NotAllowed):
        services.publish(other, world.held, "job_lure")
    assert AuditEntry.objects.filter(action="public_list", record_id=world.published.pk).count() == 1
    services.retract(world.kh_officer, world.listing)
    assert not PublishedIdentifier.objects.live().exists()
    assert AuditEntry.objects.filter(action="public_list", record_id=world.published.pk).count() == 2


def test_home_needs_no_login_and_is_small_and_csp_clean(client, world):
    for url in ("/public/", "/public/report/scam/", "/public/report/missing/", "/public/status/"):
        response = client.get(url)
        assert response.status_code == 200, url
        body = response.content
        assert len(body) < 150 * 1024, url
        assert not re.search(rb"<script(?![^>]*\bsrc=)", body), url  # no inline script
        assert b" style=" not in body and b"<style" not in body, url
        assert b"http://" not in body and b"https://" not in body, url  # no external assets


def test_published_phone_answers_listed_by_agency_since(client, world):
    response = check(client, "+855 12 345 678")
    text = response.content.decode()
    assert "Listed by Cambodian National Police since" in text
    assert "fake job offer" in text and "Fake job agent" in text
    assert "ZZSECRET" not in text  # the record's label and notes are not published


def test_unpublished_phone_answers_exactly_like_an_unknown_one(client, world):
    held = check(client, HELD_PHONE).content.decode()
    unknown = check(client, "+85512777009").content.decode()
    assert "Nothing is listed for it yet" in held
    csrf = re.compile(r'name="csrfmiddlewaretoken" value="[^"]+"')
    assert csrf.sub("", held.replace(HELD_PHONE, "X")) == csrf.sub("", unknown.replace("+85512777009", "X"))
    for marker in ("ZZSECRET", "Cambodian National Police", "Listed by"):
        assert marker not in held


def test_thai_offer_is_highlighted_with_thai_explanations(client, world):
    from liaison import scamcheck

    response = check(client, THAI_OFFER, HTTP_ACCEPT_LANGUAGE="th-TH,th;q=0.9")
    text = response.content.decode()
    assert '<html lang="th">' in text
    expected = scamcheck.check(THAI_OFFER, "th")
    assert expected.level == "high" and expected.flags
    assert '<mark class="sign">' in text
    for flag in expected.flags:
        assert escape(flag.explanation) in text
    from django.utils import translation

    english = "High risk: this looks like a scam or a trafficking lure."
    with translation.override("th"):
        high = translation.gettext(english)
    # The level in Thai (issue 14), not in English.
    assert high != english and high in text and "High risk" not in text


def test_language_switch_is_kept_and_covers_ten_languages(client, world):
    response = client.get("/public/?lang=lo")
    assert response.cookies["public_lang"].value == "lo"
    assert '<html lang="lo">' in response.content.decode()
    for code in ("en", "zh-hans", "th", "vi", "km", "lo", "my", "id", "ms", "tl"):
        assert f'href="?lang={code}"' in response.content.decode()
    assert '<html lang="lo">' in client.get("/public/status/").content.decode()
    km = check(client, "ធ្វើការនៅប៉ោយប៉ែត ប្រាក់ខែខ្ពស់", HTTP_ACCEPT_LANGUAGE="km")
    assert km.status_code == 200


def test_report_scam_gives_reference_and_code_and_one_identifier_for_many_reports(client, world):
    data = {"what_happened": "They asked for a fee before the flight.", "identifiers": "+855 12 345 678\n@fastjobs_kh",
            "country": "TH", "contact": "mother@example.org", "money_lost": "300", "currency": "USD"}
    first = solved(client, "/public/report/scam/", **data)
    assert first.status_code == 200, first.content.decode()[:2000]
    page = first.content.decode()
    reference = re.search(r'id="reference">([^<]+)<', page).group(1)
    code = re.search(r'id="code">([^<]+)<', page).group(1)
    report = PublicReport.objects.get(reference=reference)
    assert report.agency == world.th and report.tlp == "AMBER" and report.contact == "mother@example.org"
    assert code not in report.code_hash and report.code_matches(code)
    solved(client, "/public/report/scam/", **data)
    assert ReportedIdentifier.objects.filter(normalized=PUBLISHED_PHONE).count() == 1
    assert ReportedIdentifier.objects.get(normalized=PUBLISHED_PHONE).reports.count() == 2


def test_report_without_javascript_gets_a_clear_error(client, world):
    response = client.post("/public/report/scam/", {"what_happened": "x", "country": "TH"})
    assert response.status_code == 400
    assert "needs JavaScript" in response.content.decode()
    assert not PublicReport.objects.exists()


def test_honeypot_and_bad_identifier_are_refused_with_clear_errors(client, world):
    robot = solved(client, "/public/report/scam/", what_happened="x", website="http://spam")
    assert robot.status_code == 400 and "could not be sent" in robot.content.decode()
    bad = solved(client, "/public/report/scam/", what_happened="x", identifiers="not a number")
    assert bad.status_code == 400 and "could not read" in bad.content.decode()
    assert not PublicReport.objects.exists()


def test_files_are_type_checked(client, world):
    from django.core.files.uploadedfile import SimpleUploadedFile

    from liaison.public import abuse

    challenge = abuse.new_challenge()
    fake = SimpleUploadedFile("shot.png", b"<html><script>alert(1)</script></html>", content_type="image/png")
    response = client.post("/public/report/scam/", {"what_happened": "x", "files": [fake], "challenge": challenge,
                                                     "nonce": abuse.solve(challenge, 4)})
    assert response.status_code == 400 and "shot.png" in response.content.decode(), re.findall(r"class=\"error\"[^<]*<?[^<]*", response.content.decode())


def test_status_page_shows_only_the_officers_message(client, world):
    response = solved(client, "/public/report/scam/", what_happened="Lost 200 USD", country="KH")
    page = response.content.decode()
    reference = re.search(r'id="reference">([^<]+)<', page).group(1)
    code = re.search(r'id="code">([^<]+)<', page).group(1)
    wrong = client.post("/public/status/", {"reference": reference, "code": "AAAA-BBBB-CCCC"})
    assert wrong.status_code == 400 and "found no report" in wrong.content.decode()
    report = PublicReport.objects.get(reference=reference)
    services.reject(world.kh_officer, report, "ZZSECRET internal reason")
    services.send_message(world.kh_officer, report, "Please call the embassy at +855 23 000 000.")
    shown = client.post("/public/status/", {"reference": reference, "code": code}).content.decode()
    assert "Please call the embassy" in shown
    assert "ZZSECRET" not in shown and "Lost 200 USD" not in shown


def test_rate_limit_per_address(client, world, settings):
    settings.PUBLIC_RATE_LIMITS = {**settings.PUBLIC_RATE_LIMITS, "check": (2, 60)}
    assert check(client, "hello").status_code == 200
    assert check(client, "hello").status_code == 200
    third = check(client, "hello")
    assert third.status_code == 429 and "Too many tries" in third.content.decode()


def test_rate_limit_per_identifier_across_addresses(client, world, settings):
    settings.PUBLIC_RATE_LIMITS = {**settings.PUBLIC_RATE_LIMITS, "identifier": (2, 3600)}
    for n in range(2):
        assert check(client, PUBLISHED_PHONE, REMOTE_ADDR=f"10.0.0.{n}").status_code == 200
    assert check(client, PUBLISHED_PHONE, REMOTE_ADDR="10.0.0.9").status_code == 429


def test_the_check_stores_no_text(client, world):
    from django.db import connection

    check(client, "ZZTEXT offer: customer service in Sihanoukville, contact on Telegram")
    with connection.cursor() as cursor:
        for model in (PublicReport, ReportedIdentifier):
            assert model.objects.count() == 0
        cursor.execute("SELECT count(*) FROM public_dailycount")
        assert cursor.fetchone()[0] >= 1


def test_api_check_same_answers_no_auth(client, world):
    listed = client.post("/api/public/check", json.dumps({"text": PUBLISHED_PHONE, "language": "vi"}),
                         content_type="application/json")
    assert listed.status_code == 200
    data = listed.json()
    assert data["mode"] == "identifier"
    assert data["identifiers"][0]["agencies"][0]["agency"] == "Cambodian National Police"
    held = client.post("/api/public/check", json.dumps({"text": HELD_PHONE}), content_type="application/json").json()
    assert held["identifiers"][0]["agencies"] == [] and held["identifiers"][0]["confirmed_reports"] == 0
    assert "ZZSECRET" not in json.dumps(held)
    text = client.post("/api/public/check", json.dumps({"text": "Việc nhẹ lương cao ở Campuchia, bao vé máy bay",
                                                        "language": "vi"}), content_type="application/json").json()
    assert text["mode"] == "text" and text["flags"]
    bad = client.post("/api/public/check", json.dumps({"nothing": 1}), content_type="application/json")
    assert bad.status_code == 400 and "text" in bad.json()["detail"]


def test_api_is_rate_limited(client, world, settings):
    settings.PUBLIC_RATE_LIMITS = {**settings.PUBLIC_RATE_LIMITS, "check": (1, 60)}
    body = json.dumps({"text": "hello"})
    assert client.post("/api/public/check", body, content_type="application/json").status_code == 200
    assert client.post("/api/public/check", body, content_type="application/json").status_code == 429
