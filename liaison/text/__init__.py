"""Multilingual extraction of events, figures, places and people from reports.

Plain Python, no Django: ``extract_report`` turns a report's text into proposed
facts, each with the sentence that states it, its offsets and a confidence.
Backends are registered by name; ``rules`` (offline: lexicons, gazetteers,
number and date grammars) is the default, and a model-based backend can be
added with ``register_backend`` behind the same interface.
"""
from __future__ import annotations

from typing import Callable

from .langid import detect_language
from .model import ExtractedEvent, ExtractedReport
from .numbers import parse_number

__all__ = ["extract_report", "detect_language", "parse_number", "ExtractedEvent", "ExtractedReport",
           "register_backend", "backends", "UnknownBackend"]

Backend = Callable[[str, str, "str | None"], ExtractedReport]
_BACKENDS: dict[str, Backend] = {}


class UnknownBackend(ValueError):
    pass


def register_backend(name: str, backend: Backend) -> None:
    """Make ``backend(text, doc_id, published) -> ExtractedReport`` available as ``backend=name``."""
    _BACKENDS[name] = backend


def backends() -> list[str]:
    return sorted(_BACKENDS)


def _rules(text: str, doc_id: str, published: str | None) -> ExtractedReport:
    from .rules import extract

    return extract(text, doc_id=doc_id, published=published)


register_backend("rules", _rules)


def extract_report(text: str, *, doc_id: str = "", published: str | None = None,
                   backend: str = "rules") -> ExtractedReport:
    """Proposed events of one report; ``published`` (a partial date) overrides the date found in the text."""
    if backend not in _BACKENDS:
        raise UnknownBackend(f"Unknown extraction backend “{backend}”. Available: {', '.join(backends())}.")
    if published is not None:
        from .dates import parse_partial

        if parse_partial(published) is None:
            raise ValueError(f"“{published}” is not a date. Use YYYY, YYYY-MM, YYYY-MM-DD, or --MM-DD.")
    report = _BACKENDS[backend](text, doc_id, published)
    report.backend = backend
    return report
