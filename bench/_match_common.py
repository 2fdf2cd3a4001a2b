"""Shared helpers of the bench/match_*.py benchmarks (not a benchmark itself)."""
from __future__ import annotations

import argparse
import csv
import io
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

DEFAULT_DATA = Path(__file__).resolve().parents[1] / ".." / "shared" / "data"


def data_parser(description: str) -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(description=description)
    parser.add_argument("--data", type=Path, default=DEFAULT_DATA, help="folder of the shared data sets")
    return parser


def score_rows(rows: list[dict]) -> list[dict]:
    """Score through the very code path of `liaison match score` (CSV in, CSV out)."""
    from liaison.linkage.pairs import score_text

    header = list(rows[0])
    buffer = io.StringIO()
    writer = csv.DictWriter(buffer, fieldnames=header, lineterminator="\n")
    writer.writeheader()
    writer.writerows(rows)
    return list(csv.DictReader(io.StringIO(score_text(buffer.getvalue()))))


def prf(labels: list[bool], predicted: list[bool]) -> tuple[float, float, float, int, int, int]:
    tp = sum(1 for y, p in zip(labels, predicted) if y and p)
    fp = sum(1 for y, p in zip(labels, predicted) if p and not y)
    fn = sum(1 for y, p in zip(labels, predicted) if y and not p)
    precision = tp / (tp + fp) if tp + fp else 0.0
    recall = tp / (tp + fn) if tp + fn else 0.0
    f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
    return precision, recall, f1, tp, fp, fn
