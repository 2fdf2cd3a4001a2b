"""Builders for the intake tests: agencies with analysts, documents, proposals from dicts."""
from dataclasses import dataclass, field

import pytest

from liaison.intake import facts, services
from liaison.intake.models import ProposedFact
from tests.factories import make_agency, make_user


@dataclass
class Report:
    """What ``liaison.text.extract_report`` returns, reduced to what the pipeline reads."""

    events: list
    language: str = ""
    published: str = ""
    warnings: list = field(default_factory=list)

    def to_dict(self):
        return {"language": self.language, "published": self.published, "warnings": self.warnings,
                "events": [dict(e) for e in self.events]}


def extractor_for(events, **report):
    """An extractor that proposes ``events`` (dicts in the extraction format) for any text."""
    def extract(text, *, doc_id="", published=None, backend="rules"):
        return Report(events=[dict(e) for e in events], **report)
    return extract


def propose(document, kind="event", position=0, **data):
    """A proposal of ``document`` as the extractor would have made it, with its evidence located in the text."""
    evidence = data.pop("evidence", "")
    start, end = facts.locate(document.text, evidence)
    payload = facts.clean_event(data) if kind == "event" else data
    return ProposedFact.objects.create(document=document, kind=kind, position=position, original=payload,
                                       data=payload, evidence=evidence, evidence_start=start, evidence_end=end)


def store_text(agency, user, text, filename=""):
    """A pasted document whose text stage has run (no extraction needed to review proposals made by hand)."""
    document = services.store(agency=agency, user=user, text=text, filename=filename).document
    services.run_stage(document, "text")
    document.refresh_from_db()
    return document


@pytest.fixture
def desk(db):
    """Two agencies, each with an analyst; a read-only officer in the first."""
    from types import SimpleNamespace

    cn = make_agency("CN-TEST", "CN")
    mm = make_agency("MM-TEST", "MM")
    return SimpleNamespace(
        cn=cn, mm=mm, analyst=make_user(cn, username="cn_analyst"), other=make_user(mm, username="mm_analyst"),
        reader=make_user(cn, roles=("viewer",), username="cn_viewer"),
    )
