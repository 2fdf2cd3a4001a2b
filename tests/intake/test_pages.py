"""The intake pages: upload, documents with their stages, the review queue and the review page."""
import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from liaison.intake import services
from liaison.intake.models import Document, ProposedFact
from liaison.operations.models import Event
from liaison.registry.models import Citation
from liaison.text.documents import MAX_BYTES
from tests.factories import login
from tests.intake.conftest import propose, store_text

RAID = "Police raided a scam compound in Myawaddy on 2025-03-04 and arrested 214 suspects."
ARABIC = "أعلنت الصين وتايلاند خلال قمة مشتركة أنهما ستعززان التعاون بين سلطاتهما الأمنية."


@pytest.fixture
def as_analyst(client, desk):
    return login(client, desk.analyst)


def raid(document, **extra):
    fields = {"type": "raid", "date": "2025-03-04", "countries": ["MM"], "places": ["Myawaddy"],
              "counts": {"suspects": 214}, "evidence": RAID}
    fields.update(extra)
    return propose(document, **fields)


def test_pasting_a_report_stores_it_and_shows_its_stages(as_analyst, desk):
    response = as_analyst.post(reverse("intake:upload"), {"text": RAID, "source_kind": "police_report"}, follow=True)
    document = Document.objects.get()
    assert response.redirect_chain[-1][0] == reverse("intake:document", args=[document.pk])
    page = response.content.decode()
    assert "Police raided a scam compound" in page
    stages = {s.stage: s.state for s in document.stages.all()}
    assert stages["stored"] == stages["text"] == stages["language"] == "ok"
    assert document.source_kind == "police_report" and document.language == "en"


def test_uploading_the_same_file_twice_says_when_it_was_taken_in(as_analyst, desk):
    for _ in range(2):
        response = as_analyst.post(reverse("intake:upload"), {
            "file": SimpleUploadedFile("raid.txt", RAID.encode()), "source_kind": "news"}, follow=True)
    assert Document.objects.count() == 1
    assert "This document was already taken in on" in response.content.decode()


@pytest.mark.parametrize("payload, message", [
    ({}, "Paste the report&#x27;s text or choose a file."),
    ({"file": SimpleUploadedFile("big.txt", b"a" * (MAX_BYTES + 1))}, "the limit is 5 MB"),
    ({"file": SimpleUploadedFile("empty.txt", b"")}, "The submitted file is empty."),
])
def test_bad_uploads_are_refused_with_a_reason_and_store_nothing(as_analyst, desk, payload, message):
    response = as_analyst.post(reverse("intake:upload"), {"source_kind": "news", **payload})
    assert response.status_code == 400
    assert message in response.content.decode()
    assert not Document.objects.exists()


def test_a_scanned_pdf_is_stored_and_its_failed_stage_explained(as_analyst, desk):
    from pypdf import PdfWriter

    writer = PdfWriter()
    writer.add_blank_page(width=612, height=792)
    out = io.BytesIO()
    writer.write(out)
    response = as_analyst.post(reverse("intake:upload"), {
        "file": SimpleUploadedFile("scan.pdf", out.getvalue()), "source_kind": "news"}, follow=True)
    page = response.content.decode()
    assert "no text layer" in page and "OCR is not available" in page
    document = Document.objects.get()
    assert document.stages.get(stage="text").state == "failed"


def test_readers_cannot_take_in_documents(client, desk):
    login(client, desk.reader)
    assert client.get(reverse("intake:upload")).status_code == 403
    assert client.post(reverse("intake:upload"), {"text": RAID, "source_kind": "news"}).status_code == 403
    assert not Document.objects.exists()


def test_another_agencys_documents_and_facts_are_404_and_never_listed(client, desk):
    document = store_text(desk.cn, desk.analyst, RAID, "secret-raid.txt")
    proposal = raid(document)
    login(client, desk.other)
    for url in (reverse("intake:document", args=[document.pk]), reverse("intake:review", args=[proposal.pk])):
        assert client.get(url).status_code == 404
    assert client.post(reverse("intake:review", args=[proposal.pk]), {"decision": "reject"}).status_code == 404
    assert client.post(reverse("intake:rerun", args=[document.pk, "text"])).status_code == 404
    for url in (reverse("intake:documents"), reverse("intake:queue")):
        page = client.get(url).content.decode()
        assert "secret-raid" not in page and "Myawaddy" not in page
    proposal.refresh_from_db()
    assert proposal.status == "proposed"


def test_review_page_highlights_the_evidence_in_the_text(as_analyst, desk):
    document = store_text(desk.cn, desk.analyst, f"Bulletin 12.\n{RAID}\nEnd of bulletin.")
    services.run_stage(document, "language")
    proposal = raid(document)
    page = as_analyst.get(reverse("intake:review", args=[proposal.pk])).content.decode()
    assert f'<mark id="evidence" dir="auto">{RAID}</mark>' in page
    assert 'class="doctext" dir="auto" lang="en"' in page
    assert "Bulletin 12.\n<mark" in page
    assert "<script src=" in page and "<script>" not in page  # CSP: no inline script


def test_arabic_document_is_shown_right_to_left(as_analyst, desk):
    document = store_text(desk.cn, desk.analyst, ARABIC)
    services.run_stage(document, "language")
    proposal = propose(document, type="other", countries=["CN", "TH"], evidence=ARABIC)
    page = as_analyst.get(reverse("intake:review", args=[proposal.pk])).content.decode()
    assert 'class="doctext" dir="auto" lang="ar"' in page
    assert f'<mark id="evidence" dir="auto">{ARABIC}</mark>' in page


def test_accepting_from_the_page_creates_the_event_and_moves_to_the_next_fact(as_analyst, desk):
    document = store_text(desk.cn, desk.analyst, RAID)
    first = raid(document)
    second = propose(document, kind="person", position=1, name="Saw Chit Thu", role="leader", evidence=RAID)
    form = as_analyst.get(reverse("intake:review", args=[first.pk])).context["form"]
    data = {name: ("" if value is None else value) for name, value in form.initial.items()}
    response = as_analyst.post(reverse("intake:review", args=[first.pk]), {**data, "decision": "accept"})
    assert response.status_code == 302
    assert response["Location"] == reverse("intake:review", args=[second.pk]) + "#evidence"
    first.refresh_from_db()
    assert first.status == "accepted"
    event = Event.objects.get()
    assert event.figures.get().value == 214
    assert Citation.objects.get(object_id=event.pk, content_type__model="event").evidence == RAID


def test_editing_a_figure_on_the_page_accepts_with_changes(as_analyst, desk):
    document = store_text(desk.cn, desk.analyst, RAID)
    proposal = raid(document)
    form = as_analyst.get(reverse("intake:review", args=[proposal.pk])).context["form"]
    data = {name: ("" if value is None else value) for name, value in form.initial.items()}
    data.update(count_suspects="215", qualifier_suspects="about", date="18 March")
    response = as_analyst.post(reverse("intake:review", args=[proposal.pk]), {**data, "decision": "accept"})
    assert response.status_code == 400 and "is not a date" in response.content.decode()
    data["date"] = "2025-03-18"
    as_analyst.post(reverse("intake:review", args=[proposal.pk]), {**data, "decision": "accept"})
    proposal.refresh_from_db()
    assert proposal.status == "edited"
    figure = Event.objects.get().figures.get()
    assert (figure.value, figure.qualifier) == (215, "about")


def test_rejecting_from_the_page_records_the_reason(as_analyst, desk):
    document = store_text(desk.cn, desk.analyst, RAID)
    proposal = raid(document)
    response = as_analyst.post(reverse("intake:review", args=[proposal.pk]),
                               {"decision": "reject", "reason": "Duplicate of the police bulletin"})
    assert response.status_code == 302
    proposal.refresh_from_db()
    assert proposal.status == "rejected" and proposal.reason == "Duplicate of the police bulletin"
    assert not Event.objects.exists()


def test_accepting_another_agencys_event_says_what_happened_and_offers_the_ways_on(as_analyst, desk):
    from liaison.intake import review
    from liaison.requests.models import Request

    theirs, _created = review.accept(raid(store_text(desk.mm, desk.other, RAID)), desk.other)
    Event.objects.filter(pk=theirs.pk).update(distribution="members")
    proposal = raid(store_text(desk.cn, desk.analyst, RAID + " (as reported by an outlet)"))
    url = reverse("intake:review", args=[proposal.pk])
    form = as_analyst.get(url).context["form"]
    data = {name: ("" if value is None else value) for name, value in form.initial.items()}
    assert data["target"] == str(theirs.pk)  # the page offered theirs as "the same event"
    response = as_analyst.post(url, {**data, "decision": "accept"})
    page = response.content.decode()
    # No "Accepted": what happened, and what can be done.
    assert response.status_code == 409 and "Accepted" not in page
    assert "Not saved: this is another agency's record" in page
    assert "is a record of MM-TEST: only they can add your report to it, so nothing was saved." in page
    assert "Record it as a new record of CN-TEST, citing this report" in page
    assert "Ask MM-TEST to add your report" in page
    proposal.refresh_from_db()
    assert proposal.status == "proposed"
    # (b) ask the owner: a draft request to MM, opened for the analyst to check.
    response = as_analyst.post(url, {"decision": "ask_owner", "owner_record": theirs.pk}, follow=True)
    draft = Request.objects.get()
    assert response.redirect_chain[-1][0] == reverse("requests:detail", args=[draft.pk])
    assert f"Draft request {draft.reference} asks MM-TEST to add your report" in response.content.decode()
    # (a) on another fact of the same kind: record it as an own event.
    other = raid(store_text(desk.cn, desk.analyst, RAID + " Second outlet."))
    response = as_analyst.post(reverse("intake:review", args=[other.pk]), {**data, "decision": "accept_new"})
    assert response.status_code == 302
    own = Event.objects.get(owner=desk.cn)
    assert Citation.objects.filter(object_id=own.pk, content_type__model="event").exists()


def test_queue_filters_by_kind_and_language(as_analyst, desk):
    english = store_text(desk.cn, desk.analyst, RAID)
    english.language = "en"
    english.save()
    raid(english)
    propose(english, kind="person", position=1, name="Saw Chit Thu", role="leader", evidence=RAID)
    page = as_analyst.get(reverse("intake:queue"), {"kind": "person"}).content.decode()
    assert "Saw Chit Thu (leader)" in page and "Raid: 214 suspects" not in page
    page = as_analyst.get(reverse("intake:queue"), {"language": "en"}).content.decode()
    assert "Saw Chit Thu (leader)" in page and "Raid: 214 suspects" in page
    assert "2 facts wait for review" in page


def test_rerun_button_runs_the_stage_again_without_duplicates(as_analyst, desk):
    document = store_text(desk.cn, desk.analyst, RAID)
    response = as_analyst.post(reverse("intake:rerun", args=[document.pk, "text"]), follow=True)
    assert response.status_code == 200
    text = document.stages.get(stage="text")
    assert text.state == "ok" and text.attempt == 2
    assert Document.objects.count() == 1
    assert as_analyst.post(reverse("intake:rerun", args=[document.pk, "stored"])).status_code == 404


@pytest.fixture
def many_documents(desk):
    for i in range(25):
        document = store_text(desk.cn, desk.analyst, f"Report {i}: {RAID}", f"report-{i}.txt")
        raid(document, evidence=f"Report {i}: {RAID}")
        propose(document, kind="person", position=1, name=f"Suspect {i}", role="suspect", evidence=f"Report {i}")


def test_document_list_queries_do_not_grow_with_documents(as_analyst, many_documents, django_assert_max_num_queries):
    with django_assert_max_num_queries(8):
        response = as_analyst.get(reverse("intake:documents"))
    assert response.content.decode().count("report-") >= 25


def test_queue_queries_do_not_grow_with_facts(as_analyst, many_documents, django_assert_max_num_queries):
    with django_assert_max_num_queries(9):
        response = as_analyst.get(reverse("intake:queue"))
    assert "50 facts wait for review" in response.content.decode()


def test_document_page_queries_do_not_grow_with_facts(as_analyst, desk, django_assert_max_num_queries):
    document = store_text(desk.cn, desk.analyst, RAID)
    for i in range(20):
        propose(document, kind="person", position=i, name=f"Suspect {i}", role="suspect", evidence=RAID)
    with django_assert_max_num_queries(9):
        response = as_analyst.get(reverse("intake:document", args=[document.pk]))
    assert response.content.decode().count("Suspect ") == 20


def test_review_page_queries_are_bounded(as_analyst, desk, django_assert_max_num_queries):
    for i in range(10):
        other = store_text(desk.cn, desk.analyst, f"Raid {i}. {RAID}")
        from liaison.intake import review

        review.accept(raid(other, evidence=f"Raid {i}. {RAID}", date=f"2025-03-{i + 10:02d}"), desk.analyst)
    document = store_text(desk.cn, desk.analyst, RAID)
    proposal = raid(document, date="")
    with django_assert_max_num_queries(14):
        response = as_analyst.get(reverse("intake:review", args=[proposal.pk]))
    assert response.status_code == 200
    assert len(response.context["matches"]) == 5
    assert ProposedFact.objects.get(pk=proposal.pk).status == "proposed"
