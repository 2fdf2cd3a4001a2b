"""`liaison extract FILE... [--format jsonl|json]`: proposed events of reports, without the database.

Prints one object per readable file, exactly in the extraction format; a file
that is missing, unreadable, binary, not UTF-8 or empty gets a message naming
it on stderr, the other files are still processed, and the exit status is 1.
"""
import json
import sys
from pathlib import Path

from django.core.management.base import BaseCommand
from django.utils.translation import gettext as _

from liaison.text import backends, extract_report


class ReportFileError(Exception):
    pass


def read_report(path: Path) -> str:
    """The text of a .txt report, or a ReportFileError saying in plain words what is wrong."""
    if not path.exists():
        raise ReportFileError(_("%(name)s: no such file.") % {"name": path})
    if path.is_dir():
        raise ReportFileError(_("%(name)s: is a folder, not a report file.") % {"name": path})
    try:
        data = path.read_bytes()
    except OSError as exc:
        raise ReportFileError(_("%(name)s: cannot be read (%(reason)s).") % {"name": path, "reason": exc.strerror})
    if b"\x00" in data[:8192]:
        raise ReportFileError(_("%(name)s: is a binary file, not text. Give the report as a UTF-8 .txt file.")
                              % {"name": path})
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise ReportFileError(_("%(name)s: is not UTF-8 text (bad byte at position %(pos)d). Save it as UTF-8.")
                              % {"name": path, "pos": exc.start})
    if not text.strip():
        raise ReportFileError(_("%(name)s: is empty.") % {"name": path})
    return text


class Command(BaseCommand):
    help = "Extract events, figures, places and persons from report text files (no database access)."
    requires_system_checks = []
    requires_migrations_checks = False

    def add_arguments(self, parser):
        parser.add_argument("files", nargs="+", metavar="FILE", help="UTF-8 text files (.txt)")
        parser.add_argument("--format", choices=["jsonl", "json"], default="jsonl",
                            help="jsonl: one object per line (default); json: pretty-printed list")
        parser.add_argument("--backend", default="rules", help=f"extraction backend ({', '.join(backends())})")
        parser.add_argument("--details", action="store_true",
                            help="add offsets, confidence and warnings (not part of the extraction format)")

    def handle(self, *args, **opts):
        if opts["backend"] not in backends():
            self.stderr.write(_("Unknown backend “%(b)s”. Available: %(all)s.") % {"b": opts["backend"],
                                                                                 "all": ", ".join(backends())})
            sys.exit(2)
        results, failed = [], 0
        for name in opts["files"]:
            path = Path(name)
            try:
                text = read_report(path)
            except ReportFileError as exc:
                self.stderr.write(str(exc))
                failed += 1
                continue
            report = extract_report(text, doc_id=path.stem, backend=opts["backend"])
            data = report.to_dict() if opts["details"] else report.to_format()
            if opts["format"] == "jsonl":
                self.stdout.write(json.dumps(data, ensure_ascii=False))
            else:
                results.append(data)
        if opts["format"] == "json":
            self.stdout.write(json.dumps(results, ensure_ascii=False, indent=2))
        if failed:
            sys.exit(1)
