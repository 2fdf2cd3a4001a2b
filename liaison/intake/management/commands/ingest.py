"""``liaison ingest PATH... --agency CODE``: take in report files in bulk.

Each file is stored (the same bytes twice are one document) and run through
every stage; one line per file says what happened. Directories are walked.
Memory stays flat over any number of files: paths are streamed, one file's
bytes are held at a time, nothing accumulates but three counters, and the
query log (kept when DEBUG is on) is cleared after each file.
"""
import os
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError
from django.db import reset_queries
from django.utils.translation import gettext as _

from liaison.intake import services
from liaison.intake.models import Stage
from liaison.registry.models import Source
from liaison.sharing.models import Agency, User
from liaison.text import documents as docs


def walk(paths):
    """Every file under ``paths``, in name order per directory, lazily."""
    for raw in paths:
        path = Path(raw)
        if path.is_dir():
            for root, dirs, files in os.walk(path):
                dirs.sort()
                for name in sorted(files):
                    yield Path(root) / name
        else:
            yield path


def readable(path):
    """Whether ``path`` has a name of a format Liaison reads (others are skipped, not failed)."""
    return path.suffix.lower() in docs.EXTENSIONS


class Command(BaseCommand):
    help = ("Take in report files (.txt, .html, .pdf, .docx) for an agency: store each, extract its text, detect its "
            "language and propose its facts for review. Files of other formats (README.md...) are skipped. "
            "Exits with status 1 if any file failed.")

    def add_arguments(self, parser):
        parser.add_argument("paths", nargs="+", help="Files or directories.")
        parser.add_argument("--agency", required=True, help="Short name of the agency that takes the files in, e.g. CN-MPS.")
        parser.add_argument("--user", help="Username of the officer taking them in (must belong to the agency).")
        parser.add_argument("--kind", default="news", help="Kind of source: news, official, police_report... (default news).")

    def handle(self, *args, paths, agency, user=None, kind="news", **options):
        owner = Agency.objects.filter(short_name=agency).first()
        if owner is None:
            raise CommandError(_("No agency has the short name “%(code)s”.") % {"code": agency})
        officer = None
        if user:
            officer = User.objects.filter(username=user).first()
            if officer is None or officer.agency_id != owner.pk:
                raise CommandError(_("“%(user)s” is not an officer of %(code)s.") % {"user": user, "code": agency})
        if kind not in Source.Kind.values:
            raise CommandError(_("Unknown kind of source “%(kind)s”.") % {"kind": kind})

        stored = known = failed = skipped = 0
        for path in walk(paths):
            reset_queries()
            line, outcome = self.take_in(path, owner, officer, kind)
            self.stdout.write(f"{path}: {line}")
            if outcome == "stored":
                stored += 1
            elif outcome == "known":
                known += 1
            elif outcome == "skipped":
                skipped += 1
            else:
                failed += 1
        summary = _("%(stored)s stored, %(known)s already known, %(failed)s failed, %(skipped)s skipped.") % {
            "stored": stored, "known": known, "failed": failed, "skipped": skipped}
        if failed:
            raise CommandError(summary, returncode=1)
        self.stdout.write(summary)

    def take_in(self, path, owner, officer, kind):
        """(line to print, outcome) for one file: stored / known / failed / skipped."""
        if not path.is_file():
            return _("failed: no such file"), "failed"
        if not readable(path):
            return _("skipped: not a format Liaison reads (.txt, .html, .pdf, .docx)"), "skipped"
        size = path.stat().st_size
        try:
            docs.check_size(size)  # before reading: a 2 GB file is refused without loading it
            data = path.read_bytes()
            result = services.store(agency=owner, user=officer, data=data, filename=path.name, source_kind=kind)
        except (docs.DocumentError, services.IntakeError) as exc:
            return _("failed at stage “%(stage)s” because %(reason)s") % {
                "stage": Stage.STORED.label, "reason": services.translated(exc)}, "failed"
        except OSError as exc:
            return _("failed: cannot read the file (%(error)s)") % {"error": exc.strerror or exc}, "failed"
        finally:
            data = None
        document = result.document
        if not result.created:
            return _("already known: %(message)s") % {"message": result.message}, "known"
        if services.process(document):
            proposals = document.proposals.count()
            return _("stored, %(n)s facts proposed (document %(id)s)") % {"n": proposals, "id": document.pk}, "stored"
        failure = services.failed_stage(document)
        return _("stored as document %(id)s, but failed at stage “%(stage)s” because %(reason)s") % {
            "id": document.pk, "stage": failure.get_stage_display(), "reason": failure.message}, "failed"
