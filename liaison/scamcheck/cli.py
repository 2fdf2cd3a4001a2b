"""``liaison check messages FILE.csv``: score a CSV of messages, no database, no configuration.

Reads a CSV with a ``text`` column (and an optional ``language`` column, the
language of the explanations) and prints CSV on standard output with the
columns ``score``, ``level`` and ``flags`` (codes joined by ``;``), one row per
input row, in order. Bad input (missing file, not UTF-8, empty, no ``text``
column) is refused with a plain message on standard error and exit code 2.

Dispatched by liaison/cli.py before Django starts: it needs no settings.
"""
from __future__ import annotations

import argparse
import csv
import io
import sys

USAGE_ERROR = 2
BATCH = 256


class InputError(Exception):
    pass


def _read_rows(path: str) -> list[dict]:
    try:
        with open(path, "rb") as fh:
            raw = fh.read()
    except FileNotFoundError:
        raise InputError(f"{path}: no such file.")
    except IsADirectoryError:
        raise InputError(f"{path} is a folder, not a CSV file.")
    except PermissionError:
        raise InputError(f"{path}: permission denied.")
    try:
        content = raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise InputError(f"{path} is not UTF-8 text (unreadable byte at position {exc.start}). "
                         "Save it as “CSV UTF-8” and try again.")
    if not content.strip():
        raise InputError(f"{path} is empty: it needs a header line with a “text” column, then one message per line.")
    try:
        reader = csv.DictReader(io.StringIO(content, newline=""))
        columns = [c.strip() for c in (reader.fieldnames or [])]
        if "text" not in columns:
            found = ", ".join(f"“{c}”" for c in columns if c) or "none"
            raise InputError(f"{path} has no “text” column (columns found: {found}). "
                             "The first line must name the columns, one of them “text”.")
        reader.fieldnames = columns
        return [{k: v for k, v in row.items() if k is not None} for row in reader]
    except csv.Error as exc:
        raise InputError(f"{path} is not a readable CSV file: {exc}.")


def messages(path: str, out=None) -> int:
    from . import check_many

    out = out or sys.stdout
    try:
        rows = _read_rows(path)
    except InputError as exc:
        print(f"liaison check messages: {exc}", file=sys.stderr)
        return USAGE_ERROR
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(["score", "level", "flags"])
    for i in range(0, len(rows), BATCH):
        batch = rows[i:i + BATCH]
        results = check_many([r.get("text") or "" for r in batch],
                             [(r.get("language") or "").strip() or None for r in batch])
        for result in results:
            writer.writerow([f"{result.score:.3f}", result.level, ";".join(result.codes)])
    return 0


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(prog="liaison check",
                                     description="Check messages for the warning signs of scams and trafficking lures.")
    sub = parser.add_subparsers(dest="what", required=True)
    msg = sub.add_parser("messages", help="score every row of a CSV file with a “text” column; CSV on standard output")
    msg.add_argument("file", help="CSV file, UTF-8, with a “text” column and optionally a “language” column")
    args = parser.parse_args(argv)  # exits with code 2 on a usage error
    return messages(args.file)
