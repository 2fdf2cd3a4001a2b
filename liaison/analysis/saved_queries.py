"""What a saved search means, in plain Python (no Django): which record types it
looks at, its query in one canonical form, and a quick test of whether a record
*could* match it.

The quick test (``could_match_search``) runs on every save of a record, for each
saved search of the search page whose owner could see the record, so that only
the few saved searches a record could match cost a database query
(``liaison.analysis.alerts``). It must never say no where the search would find
the record: it is a superset of the search's conditions (``registry/search.py``),
and the database decides.
"""
from __future__ import annotations

import unicodedata
from collections.abc import Iterable
from functools import lru_cache
from urllib.parse import parse_qsl, urlencode

from liaison import identifiers as idf
from liaison import names

SEARCH = "search"
# Record types the search page looks at, as "app_label.model".
SEARCH_MODELS = (
    "registry.person", "registry.organisation", "registry.site", "registry.identifier",
    "operations.operation", "operations.event", "registry.source",
)
# The list pages (web:list <slug>) and the record type each lists.
LIST_MODELS = {
    "persons": "registry.person",
    "organisations": "registry.organisation",
    "sites": "registry.site",
    "identifiers": "registry.identifier",
    "operations": "operations.operation",
    "cases": "operations.case",
    "events": "operations.event",
    "sources": "registry.source",
}
KINDS = (SEARCH, *LIST_MODELS)
MAX_QUERY_LENGTH = 1000
# Shorter than this, a name is matched at its start (search.MIN_CONTAINS_LENGTH).
MIN_CONTAINS_LENGTH = 3


def models_of(kind: str) -> tuple[str, ...]:
    """The record types (``app_label.model``) a saved search of ``kind`` looks at."""
    if kind == SEARCH:
        return SEARCH_MODELS
    return (LIST_MODELS[kind],) if kind in LIST_MODELS else ()


def kinds_of(model_label: str) -> tuple[str, ...]:
    """The kinds of saved search that look at records of ``model_label``."""
    found = [SEARCH] if model_label in SEARCH_MODELS else []
    found += [slug for slug, label in LIST_MODELS.items() if label == model_label]
    return tuple(found)


def clean_search_query(text: str) -> str:
    """The query of the search page as the search reads it (NFC, stripped)."""
    return names.nfc(text or "").strip()[:MAX_QUERY_LENGTH]


def normalise_querystring(querystring: str, allowed: Iterable[str]) -> str:
    """A list page's query string in one form: only the filter fields ``allowed``,
    no page number, no empty value, keys in order. Two ways of writing the same
    filters give one saved search."""
    allowed = set(allowed)
    pairs = [(key, value.strip()) for key, value in parse_qsl(querystring or "", keep_blank_values=False)]
    pairs = [(key, value) for key, value in pairs if key in allowed and value]
    return urlencode(sorted(pairs))[:MAX_QUERY_LENGTH]


def _has_letter(text: str) -> bool:
    return any(unicodedata.category(char).startswith("L") for char in text)


def _icontains(text: str, part: str) -> bool:
    """Whether ``part`` is in ``text`` ignoring case, however the database folds
    case (SQLite folds ASCII only, PostgreSQL upper-cases): true if any folding says so."""
    if not part:
        return False
    text = text or ""
    return any(fold(part) in fold(text) for fold in (str.casefold, str.lower, str.upper, str))


def _name_hit(key: str, search_keys: Iterable[str]) -> bool:
    if len(key) >= MIN_CONTAINS_LENGTH:
        return any(key in k for k in search_keys)
    return any(k.startswith(key) for k in search_keys)


def person_blocking_keys(full_names: Iterable[str]) -> set[str]:
    """The matcher's name keys of a person's names (what ``MatchKey`` stores for them)."""
    from liaison.matching.keys import blocking_keys

    return {k for k in blocking_keys(full_names) if k.startswith("n:")}


_TEXT_FIELDS = {
    "operations.operation": ("name", "native_name"),
    "operations.event": ("title", "place"),
    "registry.source": ("title", "publisher"),
}


class PreparedSearch:
    """A query of the search page, made ready to be tested against many records.

    ``could_match(model_label, texts)`` says whether the search page, for this
    query, could find a record of ``model_label`` with ``texts``: a superset of
    ``registry.search``'s conditions. ``texts`` by type: persons ``{"keys": [search
    keys of its names], "blocking": {the matcher's name keys of its names}}``;
    organisations and sites ``{"search_key"}``; identifiers ``{"kind", "normalized"}``;
    operations ``{"name", "native_name"}``; events ``{"title", "place"}``; sources
    ``{"title", "publisher"}``. ``region``: the owner's country (phones as dialled there).
    """

    def __init__(self, query: str, region: str | None = None):
        self.query = clean_search_query(query)
        self.key = names.search_key(self.query)
        self.forms = {value for _kind, value in idf.guess_kinds(self.query, region)} | {self.query.strip()}
        self.prefix = idf.prefix_form(self.query)
        self.names_searched = bool(self.key) and _has_letter(self.key)
        self._blocking = None

    @property
    def blocking(self) -> set[str]:
        """The matcher's name keys of the query (persons sharing one are scored)."""
        if self._blocking is None:
            self._blocking = person_blocking_keys([self.query]) if self.names_searched else set()
        return self._blocking

    def could_match(self, model_label: str, texts: dict) -> bool:
        if not self.key and not self.query:
            return False
        if model_label == "registry.identifier":
            normalized = texts.get("normalized") or ""
            if normalized in self.forms:
                return True
            return (bool(self.prefix) and texts.get("kind") in idf.PREFIX_KINDS
                    and normalized.upper().startswith(self.prefix.upper()))
        if not self.key:
            return False
        if model_label == "registry.person":
            if not self.names_searched:
                return False
            joined = texts.get("joined")
            if joined is not None:  # "\n"-joined search keys: one scan instead of one per name
                hit = (self.key in joined) if len(self.key) >= MIN_CONTAINS_LENGTH else ("\n" + self.key) in joined
            else:
                hit = _name_hit(self.key, texts.get("keys", ()))
            return hit or bool(texts.get("blocking") and self.blocking & set(texts["blocking"]))
        if model_label in ("registry.organisation", "registry.site"):
            return self.key in (texts.get("search_key") or "")
        return any(_icontains(texts.get(field) or "", self.query) for field in _TEXT_FIELDS.get(model_label, ()))


@lru_cache(maxsize=4096)
def prepared_search(query: str, region: str | None = None) -> PreparedSearch:
    """``PreparedSearch(query, region)``, kept: the same saved queries are tested
    on every save, and preparing one (identifier forms, the matcher's keys) takes
    a millisecond or more."""
    return PreparedSearch(query, region)


# Filters of the list pages that compare text (``web/filters.py``): a saved
# search's first sifting leaves them out (``alerts._listed``), their database
# conditions scan an index of every name or value; the person's name, the most
# saved, is tested in Python instead (``name_filter_could_match``).
TEXT_FILTERS = {"persons": ("name",), "identifiers": ("value",), "operations": ("name",), "cases": ("reference",)}


def without_text_filters(kind: str, querystring: str) -> str:
    """``querystring`` of a list of ``kind`` without its text filters."""
    dropped = set(TEXT_FILTERS.get(kind, ()))
    return urlencode([(k, v) for k, v in parse_qsl(querystring or "") if k not in dropped])


def name_filter_could_match(querystring: str, search_keys: Iterable[str]) -> bool:
    """Whether the persons list's "Name contains" filter of ``querystring`` could
    match a person whose names have ``search_keys`` (as ``PersonFilter.filter_name``)."""
    values = [v for k, v in parse_qsl(querystring or "") if k == "name"]
    keys = [names.search_key(v) for v in values]
    return all(not key or any(key in k for k in search_keys) for key in keys)


def could_match_search(query: str, model_label: str, texts: dict, region: str | None = None) -> bool:
    """``PreparedSearch(query, region).could_match(model_label, texts)``; for persons,
    ``texts`` may give ``"names"`` (full names) instead of ``"blocking"``."""
    if model_label == "registry.person" and "blocking" not in texts:
        texts = {**texts, "blocking": person_blocking_keys(texts.get("names", ()))}
    return prepared_search(query, region).could_match(model_label, texts)
