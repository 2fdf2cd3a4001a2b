"""The hash chain of the audit trail, in plain Python (no Django).

Each entry's hash covers its own canonical content and the previous entry's
hash, so altering any stored entry, or removing one, breaks every link after
it; ``first_break`` finds the first such link.
"""
from __future__ import annotations

import hashlib
import json
from typing import Iterable, Mapping

GENESIS = "0" * 64


def canonical(fields: Mapping) -> bytes:
    return json.dumps(fields, sort_keys=True, ensure_ascii=False, separators=(",", ":"), default=str).encode("utf-8")


def link_hash(prev_hash: str, fields: Mapping) -> str:
    return hashlib.sha256(prev_hash.encode("ascii") + b"\n" + canonical(fields)).hexdigest()


def first_break(entries: Iterable[tuple[int, str, str, Mapping]]):
    """``(seq, prev_hash, hash, fields)`` in sequence order → the first broken entry's seq and why, or None."""
    expected_prev, expected_seq = GENESIS, 1
    for seq, prev_hash, stored_hash, fields in entries:
        if seq != expected_seq:
            return seq, f"entry {expected_seq} is missing (found {seq} next)"
        if prev_hash != expected_prev:
            return seq, "its link to the previous entry does not match (an earlier entry was altered or removed)"
        if link_hash(prev_hash, fields) != stored_hash:
            return seq, "its content does not match its hash (the entry was altered)"
        expected_prev, expected_seq = stored_hash, seq + 1
    return None
