"""Scoring a CSV of record pairs: what ``liaison match score`` does.

Plain Python, no Django, no database: the command and the benchmarks call
``score_csv`` so that both measure the same code path.
"""
from __future__ import annotations

import csv
import io
from typing import IO, Iterable

from .records import PersonRecord, features
from .scoring import Matcher, NameFrequencies

# Optional, per side: left_/right_ dob, country, id, document, phone, sex.
# ``id`` is any identifier both sources may hold (document number, phone,
# account): compared as a shared identifier, whose disagreement weighs little,
# since a file's ids may as well be record numbers. ``document`` is an identity
# document number. Names may list aliases separated by "|".
REQUIRED = ("left_name", "right_name")


class PairsError(ValueError):
    """A pairs file that cannot be scored; the message says what to fix."""


def _record(row: dict, side: str, number: int) -> PersonRecord:
    def get(field: str) -> str:
        return (row.get(f"{side}_{field}") or "").strip()

    return PersonRecord(
        id=f"{side}{number}",
        names=[n for n in (x.strip() for x in get("name").split("|")) if n],
        dob=get("dob") or None,
        countries=[get("country")] if get("country") else [],
        documents=[get("document")] if get("document") else [],
        identifiers=[v for v in (get("id"), get("phone")) if v],
        sex=get("sex") or None,
    )


def read_rows(stream: IO[str]) -> tuple[list[str], Iterable[dict]]:
    reader = csv.DictReader(stream)
    header = reader.fieldnames
    if not header:
        raise PairsError("The file is empty: it needs a header row with left_name and right_name.")
    header = [(h or "").lstrip("\ufeff").strip() for h in header]
    reader.fieldnames = header
    missing = [column for column in REQUIRED if column not in header]
    if missing:
        raise PairsError(
            f"The column “{missing[0]}” is missing. The first row must name the columns; "
            f"found: {', '.join(h for h in header if h) or 'nothing'}."
        )
    return header, reader


def file_purpose(rows: list[dict]) -> str:
    """"screening" for a file of names only (names screened against a list),
    "linkage" when any row gives more than names on either side (registry
    records): the prior differs, see ``scoring``."""
    for row in rows:
        for column, value in row.items():
            if (column and column not in REQUIRED and column.startswith(("left_", "right_"))
                    and (value or "").strip()):
                return "linkage"
    return "screening"


def score_csv(source: IO[str], target: IO[str], matcher: Matcher | None = None, purpose: str = "auto") -> int:
    """Write every row of ``source`` to ``target`` with ``probability`` and ``why``.

    Reads everything first so that a bad row stops the run before any output
    (all or nothing). Returns the number of rows scored. ``purpose`` "auto"
    reads a file of names only as screening and any other as linkage.
    """
    matcher = matcher or Matcher.default()
    header, reader = read_rows(source)
    rows = list(reader)
    if purpose == "auto":
        purpose = file_purpose(rows)
    sides = []
    for number, row in enumerate(rows, start=2):
        if None in row:
            raise PairsError(f"Row {number} has more values than the header has columns.")
        sides.append((features(_record(row, "left", number)), features(_record(row, "right", number))))
    # How common each name is in this file (distinct records), to weigh common names down.
    frequencies = NameFrequencies(f for pair in sides for f in pair)
    results = [matcher.score_features(left, right, frequencies=frequencies, purpose=purpose) for left, right in sides]
    out_header = [h for h in header if h not in ("probability", "why")] + ["probability", "why"]
    writer = csv.DictWriter(target, fieldnames=out_header, extrasaction="ignore", lineterminator="\n")
    writer.writeheader()
    for row, score in zip(rows, results):
        row = {k: v for k, v in row.items()}
        row["probability"] = f"{score.probability:.4f}"
        row["why"] = score.why
        writer.writerow(row)
    return len(rows)


def score_text(text: str, matcher: Matcher | None = None, purpose: str = "auto") -> str:
    out = io.StringIO()
    score_csv(io.StringIO(text.lstrip("\ufeff")), out, matcher, purpose)
    return out.getvalue()
