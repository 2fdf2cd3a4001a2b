"""The intake API: submit a document as text or file, read its stages and proposals; other agencies get 404."""
import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from liaison.intake.models import Document
from liaison.sharing.tokens import ApiToken
from tests.intake.conftest import propose, store_text

RAID = "Police raided a scam compound in Myawaddy on 2025-03-04 and arrested 214 suspects."
URL = "/api/intake/documents/"


def token(user, scope=ApiToken.Scope.READ_WRITE):
    _token, key = ApiToken.issue(user, "test", scope=scope, days=1)
    return {"HTTP_AUTHORIZATION": f"Token {key}"}


def test_submitting_text_stores_and_processes_it(client, desk):
    response = client.post(URL, {"text": RAID, "source_kind": "official"}, content_type="application/json",
                           **token(desk.analyst))
    assert response.status_code == 201, response.content
    body = response.json()
    assert [s["stage"] for s in body["stages"]] == ["stored", "text", "language", "propose", "review"]
    assert body["stages"][1]["state"] == "ok" and body["language"] == "en"
    again = client.post(URL, {"text": RAID}, content_type="application/json", **token(desk.analyst))
    assert again.status_code == 200 and again.json()["id"] == body["id"]
    assert again.json()["message"].startswith("This document was already taken in on")


def test_submitting_a_file(client, desk):
    upload = SimpleUploadedFile("raid.html", f"<html><body><p>{RAID}</p></body></html>".encode())
    response = client.post(URL, {"file": upload}, **token(desk.analyst))
    assert response.status_code == 201
    document = Document.objects.get()
    assert document.kind == "html" and RAID in document.text


@pytest.mark.parametrize("payload", [{}, {"text": "   "}, {"text": RAID, "file": ""}, {"source_kind": "gossip", "text": RAID}])
def test_bad_submissions_are_400_with_a_reason(client, desk, payload):
    response = client.post(URL, payload, content_type="application/json", **token(desk.analyst))
    assert response.status_code == 400
    assert Document.objects.count() == 0


def test_read_only_token_and_viewer_cannot_submit(client, desk):
    response = client.post(URL, {"text": RAID}, content_type="application/json",
                           **token(desk.analyst, ApiToken.Scope.READ))
    assert response.status_code == 403
    response = client.post(URL, {"text": RAID}, content_type="application/json", **token(desk.reader))
    assert response.status_code == 403
    assert not Document.objects.exists()


def test_stages_and_proposals_are_read_by_the_owner_only(client, desk):
    document = store_text(desk.cn, desk.analyst, RAID)
    propose(document, type="raid", counts={"suspects": 214}, evidence=RAID)
    mine = client.get(f"{URL}{document.pk}/", **token(desk.analyst))
    assert mine.status_code == 200
    (proposal,) = mine.json()["proposals"]
    assert proposal["data"]["counts"] == {"suspects": 214} and proposal["evidence_start"] == 0
    theirs = token(desk.other)
    assert client.get(f"{URL}{document.pk}/", **theirs).status_code == 404
    assert client.get(URL, **theirs).json()["count"] == 0
    assert client.get(URL, **token(desk.analyst)).json()["count"] == 1
