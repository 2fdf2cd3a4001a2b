"""Storing documents and running their stages: dedupe, failures, re-runs without duplicates."""
import pytest

from liaison.audit.models import AuditEntry
from liaison.intake import services
from liaison.intake.models import Document, ProposedFact, StageStatus
from liaison.text.documents import MAX_BYTES
from tests.intake.conftest import extractor_for

MUSE = ("Le 18 novembre, les autorités de Muse ont remis 571 suspects à la Chine. "
        "La police de Dehong a participé à l'opération.")
MUSE_EVENT = {"type": "handover", "date": "--11-18", "countries": ["MM", "CN"], "places": ["Muse"],
              "agencies": ["autorités de Muse"], "operation": None, "counts": {"suspects": 571}, "qualifiers": {},
              "persons": [], "evidence": "Le 18 novembre, les autorités de Muse ont remis 571 suspects à la Chine.",
              "evidence_start": 0, "evidence_end": 73, "confidence": 0.9}
RESCUE = dict(MUSE_EVENT, type="rescue", counts={"victims": 35}, places=["Dehong"],
              evidence="La police de Dehong a participé à l'opération.", evidence_start=None, evidence_end=None)


def states(document):
    return {s.stage: s.state for s in document.stages.all()}


def test_same_document_twice_is_one_document_and_the_user_is_told_when(desk):
    first = services.store(agency=desk.cn, user=desk.analyst, data=MUSE.encode(), filename="muse.txt")
    again = services.store(agency=desk.cn, user=desk.analyst, data=MUSE.encode(), filename="copy-of-muse.txt")
    assert first.created and not again.created
    assert again.document.pk == first.document.pk
    assert Document.objects.count() == 1
    assert again.message.startswith("This document was already taken in on ")
    assert "as “muse.txt”" in again.message
    # Another agency taking in the same report gets its own document: dedupe never reveals another agency's holdings.
    theirs = services.store(agency=desk.mm, user=desk.other, data=MUSE.encode(), filename="muse.txt")
    assert theirs.created and Document.objects.count() == 2


def test_storing_is_audited_with_the_hash(desk):
    document = services.store(agency=desk.cn, user=desk.analyst, text=MUSE).document
    entry = AuditEntry.objects.get(action=AuditEntry.Action.INGEST)
    assert entry.record_id == document.pk and entry.actor_id == desk.analyst.pk
    assert entry.detail["sha256"] == document.content_hash


@pytest.mark.parametrize("payload, message", [
    (b"", "The document is empty."),
    (b"  \n ", "The document is empty."),
    (b"x" * (MAX_BYTES + 1), "the limit is 5 MB"),
])
def test_empty_or_oversized_upload_stores_nothing(desk, payload, message):
    with pytest.raises(services.IntakeError, match=message):
        services.store(agency=desk.cn, user=desk.analyst, data=payload, filename="report.txt")
    assert Document.objects.count() == 0 and StageStatus.objects.count() == 0
    assert not AuditEntry.objects.filter(action=AuditEntry.Action.INGEST).exists()


def test_binary_file_is_stored_and_its_text_stage_says_why_it_failed(desk):
    png = b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" + bytes(range(256))
    document = services.store(agency=desk.cn, user=desk.analyst, data=png, filename="photo.txt").document
    assert services.process(document, extractor=extractor_for([MUSE_EVENT])) is False
    assert states(document) == {"stored": "ok", "text": "failed", "language": "pending", "propose": "pending",
                                "review": "pending"}
    failure = services.failed_stage(document)
    assert failure.stage == "text" and "binary data" in failure.message
    assert document.proposals.count() == 0


def test_pipeline_proposes_the_extracted_facts_with_located_evidence(desk):
    document = services.store(agency=desk.cn, user=desk.analyst, data=MUSE.encode(), filename="muse.txt").document
    assert services.process(document, extractor=extractor_for([MUSE_EVENT, RESCUE], published="--11-22"))
    document.refresh_from_db()
    assert states(document) == {"stored": "ok", "text": "ok", "language": "ok", "propose": "ok", "review": "pending"}
    assert document.language == "fr" and document.published == "--11-22"
    handover, rescue = document.proposals.order_by("position")
    assert handover.data["counts"] == {"suspects": 571} and handover.data["title"] == "Handover: 571 suspects — Muse"
    assert document.text[handover.evidence_start:handover.evidence_end] == MUSE_EVENT["evidence"]
    # No offsets from the extractor: the evidence is found in the text.
    assert document.text[rescue.evidence_start:rescue.evidence_end] == RESCUE["evidence"]
    assert document.stages.get(stage="review").message == "2 of 2 facts wait for review."


def test_failed_stage_is_recorded_then_rerun_alone_without_duplicates(desk):
    document = services.store(agency=desk.cn, user=desk.analyst, text=MUSE).document

    def broken(text, **kwargs):
        raise RuntimeError("model crashed")

    assert services.process(document, extractor=broken) is False
    propose = document.stages.get(stage="propose")
    assert propose.state == "failed" and "Unexpected error (RuntimeError)" in propose.message
    assert states(document)["review"] == "pending" and states(document)["text"] == "ok"

    extractor = extractor_for([MUSE_EVENT])
    assert services.process(document, start="propose", extractor=extractor)
    assert services.process(document, start="propose", extractor=extractor)
    propose = document.stages.get(stage="propose")
    assert propose.state == "ok" and propose.attempt == 3
    assert document.proposals.count() == 1
    assert document.stages.get(stage="text").attempt == 1  # the earlier stage did not run again


def test_reproposing_keeps_decided_facts_and_does_not_propose_them_again(desk):
    document = services.store(agency=desk.cn, user=desk.analyst, text=MUSE).document
    services.process(document, extractor=extractor_for([MUSE_EVENT, RESCUE]))
    handover = document.proposals.get(data__type="handover")
    handover.status, handover.reviewer = ProposedFact.Status.REJECTED, desk.analyst
    handover.save()
    services.process(document, start="text", extractor=extractor_for([MUSE_EVENT, RESCUE]))
    kinds = sorted((p.data["type"], p.status) for p in document.proposals.all())
    assert kinds == [("handover", "rejected"), ("rescue", "proposed")]


def test_mixed_language_text_gets_a_warning(desk):
    text = ("Polisi Kamboja menahan delapan warga negara Vietnam dalam penggerebekan di sebuah kompleks penipuan "
            "daring di Sihanoukville, menurut Kementerian Luar Negeri Vietnam pada hari Kamis. " * 3
            + "\n\n" + "警方在妙瓦底捣毁诈骗窝点，抓获犯罪嫌疑人五百七十一名，解救被困人员三十五名，并移交中方处理。" * 6)
    document = services.store(agency=desk.cn, user=desk.analyst, text=text).document
    services.process(document, extractor=extractor_for([]))
    document.refresh_from_db()
    warnings = [w["message"] for w in document.warnings if w["stage"] == "language"]
    assert any("mixes languages" in w for w in warnings), warnings
    assert document.stages.get(stage="propose").message == "No fact found in this text."


def test_documents_of_another_agency_are_invisible(desk):
    document = services.store(agency=desk.cn, user=desk.analyst, text=MUSE).document
    assert list(Document.objects.visible_to(desk.analyst)) == [document]
    assert not Document.objects.visible_to(desk.other).exists()
    services.process(document, extractor=extractor_for([MUSE_EVENT]))
    assert ProposedFact.objects.visible_to(desk.analyst).count() == 1
    assert ProposedFact.objects.visible_to(desk.other).count() == 0


def test_a_store_that_fails_midway_leaves_nothing_behind(desk, monkeypatch):
    def audit_down(*args, **kwargs):
        raise RuntimeError("audit trail unavailable")

    monkeypatch.setattr(services.audit, "record", audit_down)
    with pytest.raises(RuntimeError):
        services.store(agency=desk.cn, user=desk.analyst, data=MUSE.encode(), filename="muse.txt")
    assert Document.objects.count() == 0 and StageStatus.objects.count() == 0
    monkeypatch.undo()
    # Retrying stores it once.
    assert services.store(agency=desk.cn, user=desk.analyst, data=MUSE.encode(), filename="muse.txt").created
    assert Document.objects.count() == 1 and StageStatus.objects.count() == 5


def test_control_characters_never_reach_titles_or_text(desk):
    document = services.store(agency=desk.cn, user=desk.analyst, text="Raid\x00 in Muse\x07\nmore text").document
    assert document.title == "Raid in Muse"
    services.run_stage(document, "text")
    document.refresh_from_db()
    assert document.text == "Raid in Muse\nmore text"
