"""Rebuild the texts of the real-report corpus from their addresses.

The texts are not in git (their outlets' terms do not allow redistribution), so
this fetches each report's `url` (from its JSON in tests/data/real_reports/incoming/)
with trafilatura and writes `<id>.txt` beside it. Needs internet access, which CI
and the development machines here do not have: run it where the web is reachable.

A page fetched today may differ from the copy that was annotated (edited
articles, other page furniture), so every annotation's `evidence` is checked
against the new text and the reports whose evidence no longer appears are listed:
score only on reports that pass, or re-annotate those.

    .venv/bin/python tools/rebuild_real_reports.py [--only ID ...]
"""
import argparse
import json
import sys
import unicodedata
from pathlib import Path

FOLDER = Path(__file__).resolve().parents[1] / "tests" / "data" / "real_reports" / "incoming"


def main(argv=None):
    import trafilatura

    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--only", nargs="*", help="report ids to rebuild (default: every report without a text)")
    args = parser.parse_args(argv)
    stale, failed, written = [], [], 0
    for annotation in sorted(FOLDER.glob("*.json")):
        report = json.loads(annotation.read_text(encoding="utf-8"))
        target = annotation.with_suffix(".txt")
        if args.only is not None and report["id"] not in args.only:
            continue
        if args.only is None and target.exists():
            continue
        page = trafilatura.fetch_url(report["url"])
        text = trafilatura.extract(page, include_comments=False) if page else None
        if not text:
            failed.append(report["id"])
            continue
        text = unicodedata.normalize("NFC", text)
        target.write_text(text, encoding="utf-8")
        written += 1
        if any(e.get("evidence") and e["evidence"] not in text for e in report.get("events", [])):
            stale.append(report["id"])
    print(f"{written} texts written; {len(failed)} could not be fetched; {len(stale)} no longer hold their evidence")
    for name, ids in (("not fetched", failed), ("evidence changed", stale)):
        if ids:
            print(f"{name}: {' '.join(ids)}")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
