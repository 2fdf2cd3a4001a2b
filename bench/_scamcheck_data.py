"""Labelled messages for the scam checker's training and evaluation (see liaison/scamcheck/data/README.md).

Only the two English SMS sets and the examples written for Liaison are read here.
The Indonesian and Thai scam-SMS sets in ../shared/data are reserved for checking
Liaison from outside: never train or tune on them.
"""
from __future__ import annotations

import csv
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SHARED = ROOT.parent / "shared" / "data"
WRITTEN = ROOT / "liaison" / "scamcheck" / "data" / "written_examples.csv"


def _dedupe(rows):
    seen, out = set(), []
    for text, label in rows:
        key = text.strip()
        if key and key not in seen:
            seen.add(key)
            out.append((key, label))
    return out


def uci(data_dir: Path = SHARED) -> list[tuple[str, int]]:
    """UCI SMS Spam Collection (Almeida et al. 2011): spam = 1, ham = 0; exact duplicates removed."""
    rows = []
    with open(data_dir / "sms_spam_collection" / "SMSSpamCollection", encoding="utf-8", errors="replace") as fh:
        for line in fh:
            label, _, text = line.rstrip("\n").partition("\t")
            rows.append((text, int(label == "spam")))
    return _dedupe(rows)


def mishra(data_dir: Path = SHARED) -> list[tuple[str, int]]:
    """Mishra & Soni SMS phishing set: smishing or spam = 1, ham = 0 (labels case-folded)."""
    with open(data_dir / "sms_phishing_mishra_soni" / "Dataset_5971.csv", encoding="utf-8", errors="replace",
              newline="") as fh:
        rows = [(r["TEXT"], int(r["LABEL"].strip().casefold() in ("smishing", "spam"))) for r in csv.DictReader(fh)]
    return _dedupe(rows)


def written(path: Path = WRITTEN) -> list[tuple[str, int, str]]:
    """The examples written for Liaison in the ten languages: (text, label, language)."""
    with open(path, encoding="utf-8", newline="") as fh:
        return [(r["text"], int(r["label"] == "scam"), r["language"]) for r in csv.DictReader(fh)
                if r["written_for_liaison"] == "yes"]


def not_in(rows, other) -> list[tuple[str, int]]:
    """Rows of ``rows`` whose text is not in ``other`` (the two English sets share ~5,000 texts)."""
    texts = {t for t, _ in other}
    return [(t, y) for t, y in rows if t not in texts]
