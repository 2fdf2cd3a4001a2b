"""Blocking keys of a person: which other persons are worth scoring against it.

Plain Python, no Django. A key is a short string with a prefix naming its
kind, so that a name key can never collide with a document number:
``n:`` name keys (any script, from ``liaison.names.name_keys``), ``d:``
identity document numbers, ``i:`` canonical identifiers (phones, wallets…).
Dates of birth are not keys: a birth year alone is shared by far too many
people to narrow anything; the scorer uses them.
"""
from __future__ import annotations

import re
from collections.abc import Iterable

MAX_KEY_LENGTH = 200
_NOT_ALNUM = re.compile(r"[^0-9A-Z]")


def document_key(number: str) -> str:
    """A document number as compared: upper case, spaces and dashes dropped ("e 123-45" = "E12345")."""
    return _NOT_ALNUM.sub("", (number or "").upper())


def blocking_keys(names: Iterable[str], documents: Iterable[str] = (), identifiers: Iterable[str] = ()) -> set[str]:
    from liaison.names import name_keys

    keys = set()
    for name in names:
        keys.update(f"n:{k}" for k in name_keys(name) if k)
    keys.update(f"d:{k}" for k in map(document_key, documents) if len(k) >= 4)
    keys.update(f"i:{k}" for k in identifiers if k)
    return {k[:MAX_KEY_LENGTH] for k in keys}


def rank_candidates(shared: Iterable[tuple[int, str]], limit: int) -> list[int]:
    """Person ids ordered by how many keys they share (then by id), at most ``limit``.

    A document or identifier key counts for more than a name key: two
    records with the same passport number are worth scoring even when a
    hundred namesakes share the name key.
    """
    score: dict[int, int] = {}
    for person_id, key in shared:
        score[person_id] = score.get(person_id, 0) + (5 if key[:2] in ("d:", "i:") else 1)
    return [pid for pid, _s in sorted(score.items(), key=lambda item: (-item[1], item[0]))[:limit]]
