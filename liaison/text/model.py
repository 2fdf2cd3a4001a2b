"""What the extractor proposes: a report and its events, each with evidence.

Plain dataclasses, no Django. ``to_format`` gives exactly the keys of the
extraction format (docs: /work/shared/eval/extraction-format.md); ``to_dict``
adds offsets, confidence and warnings for reviewers and other services.
"""
from __future__ import annotations

from dataclasses import dataclass, field

FORMAT_EVENT_KEYS = ("type", "date", "countries", "places", "agencies", "operation", "counts", "qualifiers",
                     "persons", "evidence")


@dataclass
class ExtractedEvent:
    type: str
    evidence: str
    evidence_start: int
    evidence_end: int
    date: str | None = None
    countries: list[str] = field(default_factory=list)
    places: list[str] = field(default_factory=list)
    agencies: list[str] = field(default_factory=list)
    operation: str | None = None
    counts: dict[str, int] = field(default_factory=dict)
    qualifiers: dict[str, str] = field(default_factory=dict)
    persons: list[dict[str, str]] = field(default_factory=list)
    confidence: float = 0.5

    def to_format(self) -> dict:
        return {
            "type": self.type, "date": self.date, "countries": list(self.countries), "places": list(self.places),
            "agencies": list(self.agencies), "operation": self.operation, "counts": dict(self.counts),
            "qualifiers": dict(self.qualifiers), "persons": [dict(p) for p in self.persons],
            "evidence": self.evidence,
        }

    def to_dict(self) -> dict:
        data = self.to_format()
        data.update(evidence_start=self.evidence_start, evidence_end=self.evidence_end,
                    confidence=round(self.confidence, 3))
        return data


@dataclass
class ExtractedReport:
    id: str
    language: str | None
    published: str | None
    events: list[ExtractedEvent] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
    language_confidence: float = 0.0
    backend: str = "rules"

    def to_format(self) -> dict:
        return {"id": self.id, "language": self.language, "published": self.published,
                "events": [e.to_format() for e in self.events]}

    def to_dict(self) -> dict:
        return {"id": self.id, "language": self.language, "language_confidence": self.language_confidence,
                "published": self.published, "backend": self.backend, "warnings": list(self.warnings),
                "events": [e.to_dict() for e in self.events]}
