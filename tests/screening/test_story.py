"""Issue 13, "Done when": the Mae Sot manifest comes back with exactly the three fugitives,
each naming only the agency to contact; those agencies get hit notices; nothing else shows."""
import json

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from rest_framework.test import APIClient

from liaison.audit.models import AuditEntry
from liaison.requests.models import Notification
from liaison.screening.models import Screening, ScreeningHit
from tests.factories import login

from .conftest import FUGITIVE_LINES, SECRETS, as_csv, as_xlsx, manifest_rows

pytestmark = pytest.mark.django_db


def leaks(text, world):
    found = [s for s in SECRETS if s in text]
    for person in (world.cn_fugitive, world.mm_fugitive, world.kh_fugitive, world.kh_unlisted, world.kh_victim):
        if f"/persons/{person.pk}/" in text:
            found.append(f"/persons/{person.pk}/")
    return found


def test_the_manifest_spellings_share_no_exact_key_with_the_records(world):
    """The hits below come from the cross-script screening keys, not from an exact name key."""
    from liaison.matching import records
    from liaison.matching.keys import blocking_keys

    recs = records.load([world.cn_fugitive.pk, world.mm_fugitive.pk, world.kh_fugitive.pk])
    for (name, _born, _nationality), person in zip(FUGITIVE_LINES.values(),
                                                   (world.cn_fugitive, world.mm_fugitive, world.kh_fugitive)):
        assert not blocking_keys([name]) & blocking_keys(recs[person.pk].names), name


def test_the_mae_sot_manifest_hits_exactly_the_three_fugitives(world, client):
    login(client, world.screener)
    upload = SimpleUploadedFile("mae_sot_manifest.xlsx", as_xlsx(manifest_rows()))
    response = client.post("/screening/manifest/", {"file": upload, "place": "Mae Sot border checkpoint"}, follow=True)
    page = response.content.decode()
    assert response.status_code == 200
    run = Screening.objects.get()
    assert (run.travellers, run.hits, run.place, run.user) == (300, 3, "Mae Sot border checkpoint", world.screener)
    hits = {h.line: h for h in ScreeningHit.objects.filter(withheld=False)}
    assert sorted(hits) == sorted(FUGITIVE_LINES)
    assert {line: h.watched_agency for line, h in hits.items()} == {57: world.cn, 141: world.mm, 233: world.kh}
    # The page lists the hits first, each naming the agency and the reference, nothing of the record.
    first_no_hit = page.index("No hit")
    for hit in hits.values():
        assert hit.reference in page and page.index(hit.reference) < first_no_hit
        assert hit.watched_agency.name in page
    assert page.count("HIT") >= 3
    assert leaks(page, world) == []

    # Each agency was told: who screened, where, when; in its inbox.
    for agency, fugitive in ((world.cn, world.cn_fugitive), (world.mm, world.mm_fugitive), (world.kh, world.kh_fugitive)):
        notice = Notification.objects.get(agency=agency, kind="screening_hit")
        hit = ScreeningHit.objects.get(watched=fugitive)
        assert hit.reference in notice.title and "TH-IMM-T" in notice.title
        assert "Mae Sot border checkpoint" in notice.body and "Malee Srisuk" in notice.body
        assert notice.url == f"/screening/hits/{hit.reference}/"
    assert not Notification.objects.filter(agency=world.th).exists()
    # Audited: one entry for the run (with counts) in TH's trail, one per hit in the owner's.
    run_entry = AuditEntry.objects.get(action="screening")
    assert (run_entry.owner_agency, run_entry.detail["travellers"], run_entry.detail["hits"]) == (world.th, 300, 3)
    assert AuditEntry.objects.filter(action="screening_hit").count() == 3
    assert set(AuditEntry.objects.filter(action="screening_hit").values_list("owner_agency", flat=True)) == {
        world.cn.pk, world.mm.pk, world.kh.pk}
    assert leaks(json.dumps(run_entry.detail), world) == []


def test_the_same_through_the_api_names_only_the_agencies(world):
    api = login(APIClient(), world.screener)
    rows = manifest_rows()
    header, body = rows[0], rows[1:]
    travellers = [{"name": r[0], "birth_date": r[1], "nationality": r[2], "document": r[3], "sex": r[4]} for r in body]
    response = api.post("/api/screen", {"travellers": travellers, "place": "Mae Sot"}, format="json")
    assert response.status_code == 200, response.content
    data = response.json()
    assert (data["travellers"], data["hits"]) == (300, 3)
    hit_lines = {r["line"] + 1: r for r in data["results"] if r["hit"]}  # line 1 of the API is line 2 of the file
    assert sorted(hit_lines) == sorted(FUGITIVE_LINES)
    agencies = {line: [h["agency"] for h in r["hits"]] for line, r in hit_lines.items()}
    assert agencies == {57: ["CN-MPS-T"], 141: ["MM-MPF-T"], 233: ["KH-NP-T"]}
    assert all(h["record"] is None for r in hit_lines.values() for h in r["hits"])
    assert {f["field"] for h in hit_lines[57]["hits"] for f in h["fields_agreed"]} >= {"name", "dob"}
    assert leaks(response.content.decode(), world) == []
    assert "score" not in json.dumps(data) and "0.9" not in json.dumps(data)


def test_a_csv_manifest_answers_the_same(world, client):
    login(client, world.screener)
    upload = SimpleUploadedFile("manifest.csv", as_csv(manifest_rows(60)), content_type="text/csv")
    client.post("/screening/manifest/", {"file": upload})
    assert Screening.objects.get().travellers == 60
    assert sorted(ScreeningHit.objects.values_list("line", flat=True)) == [57]


def test_a_bad_manifest_screens_nothing_and_names_every_bad_line(world, client):
    login(client, world.screener)
    rows = manifest_rows(20)
    rows[3][1] = "31/02/1990"
    rows[7][0] = ""
    rows[7][1] = "soon"
    rows[12][2] = "Atlantis"
    upload = SimpleUploadedFile("manifest.csv", as_csv(rows), content_type="text/csv")
    page = client.post("/screening/manifest/", {"file": upload}).content.decode()
    assert not Screening.objects.exists() and not ScreeningHit.objects.exists()
    for line in ("Line 4:", "Line 8:", "Line 13:"):
        assert line in page
    assert "Atlantis" in page and "4 problems" in page


def test_one_traveller_at_the_checkpoint(world, client):
    login(client, world.screener)
    response = client.post("/screening/", {"name": "ซก ดารา", "other_names": "", "birth_date": "12/03/1990",
                                           "nationality": "KH", "document": "", "place": "Mae Sot"})
    page = response.content.decode()
    hit = ScreeningHit.objects.get()
    assert response.status_code == 200 and hit.reference in page and "Cambodian National Police (test)" in page
    assert leaks(page, world) == []
    assert "Mae Sot" in client.get("/screening/").content.decode()  # the post is remembered for the next traveller
    page = client.post("/screening/", {"name": "Qorvath Zenlimbo", "birth_date": "31/02/1990"}).content.decode()
    assert "Nothing was screened" in page and Screening.objects.count() == 1
