"""``liaison match``: record linkage from the command line.

``liaison match score PAIRS.csv`` scores pairs of person records without
touching the database. Subcommands are argparse subparsers: another one is
added by defining ``add_<name>_arguments`` and ``handle_<name>`` and listing
it in ``SUBCOMMANDS``.
"""
from __future__ import annotations

import sys
import time

from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext_lazy as _

SUBCOMMANDS = ["score", "run"]


class Command(BaseCommand):
    help = _("Record linkage of persons: `match score PAIRS.csv` scores pairs of records.")
    requires_system_checks = []  # `score` needs no database and no migrations

    def add_arguments(self, parser):
        subparsers = parser.add_subparsers(dest="subcommand", required=True, metavar="SUBCOMMAND")
        for name in SUBCOMMANDS:
            getattr(self, f"add_{name}_arguments")(subparsers)

    def add_score_arguments(self, subparsers):
        score = subparsers.add_parser(
            "score",
            help=str(_("Score pairs of person records (CSV with left_name, right_name, optionally left_dob, "
                       "right_dob, left_country, right_country, left_id, right_id, left_document, "
                       "right_document, left_phone, right_phone, left_sex, right_sex); `-` reads standard "
                       "input. Writes the rows with `probability` and `why` columns to standard output.")),
        )
        score.add_argument("pairs", help=str(_("CSV file of pairs, or - for standard input")))
        score.add_argument("--params", help=str(_("JSON parameters (default: the shipped ones)")))

    def add_run_arguments(self, subparsers):
        run = subparsers.add_parser(
            "run",
            help=str(_("Match the persons added or changed since the last run (bulk loads included): their blocking "
                       "keys are rebuilt, candidate pairs go to the matching queue, watchlist hits are made. "
                       "Idempotent: a second run has nothing to do and a rejected pair is never proposed again.")),
        )
        run.add_argument("--threshold", type=float, default=None,
                         help=str(_("Lowest probability (0–1) of a pair to propose (default 0.5)")))
        run.add_argument("--full", action="store_true",
                         help=str(_("Key every person again and deduplicate the whole registry in one batch: for the "
                                    "first run over a registry loaded in bulk, or after the matcher's parameters "
                                    "changed. Needs memory for every person (about 5 GB at a million).")))
        run.add_argument("--backend", choices=["auto", "duckdb", "python"], default=None,
                         help=str(_("Splink on DuckDB, or pure Python (auto: Python for small registries)")))
        run.add_argument("--chunk", type=int, default=None,
                         help=str(_("Persons keyed and matched per transaction (default 2000)")))

    def handle_run(self, threshold=None, full=False, backend=None, chunk=None, **options):
        from liaison.matching import runs
        from liaison.matching.services import MatchingError

        if threshold is not None and not 0 <= threshold <= 1:
            raise CommandError(_("The threshold is a probability between 0 and 1, not %(value)s.") % {"value": threshold})
        if backend is not None and not full:
            raise CommandError(_("--backend chooses how --full deduplicates the whole registry: add --full, "
                                 "or leave --backend out."))
        if chunk is not None and chunk < 1:
            raise CommandError(_("--chunk is a number of persons, at least 1, not %(value)s.") % {"value": chunk})
        progress = _Progress(self.stdout, full)
        try:
            if full:
                report = runs.full(threshold=threshold, backend=None if backend in (None, "auto") else backend,
                                   chunk=chunk or runs.CHUNK, progress=progress)
            else:
                report = runs.incremental(threshold=threshold, chunk=chunk or runs.CHUNK, progress=progress)
        except MatchingError as error:
            raise CommandError(str(error))
        if report.retracted:
            self.stdout.write(_("Retracted persons taken out of the matching: %(count)s.") % {"count": num(report.retracted)})
        self.stdout.write(_("Persons re-keyed: %(count)s.") % {"count": num(report.keyed)})
        self.stdout.write(_("%(found)s candidate pairs found, %(new)s new in the queue.")
                          % {"found": num(report.found), "new": num(report.new)})

    def handle(self, *args, **options):
        return getattr(self, f"handle_{options['subcommand']}")(**options)

    def handle_score(self, pairs, params=None, **options):
        from liaison.linkage import Matcher
        from liaison.linkage.pairs import PairsError, score_csv

        matcher = None
        if params:
            try:
                with open(params, encoding="utf-8") as handle:
                    matcher = Matcher.from_json(handle.read())
            except OSError as error:
                raise CommandError(_("Cannot read the parameters file “%(path)s”: %(error)s")
                                   % {"path": params, "error": error.strerror})
            except (ValueError, KeyError) as error:
                raise CommandError(_("The parameters file “%(path)s” is not valid: %(error)s")
                                   % {"path": params, "error": error})
        try:
            if pairs == "-":
                stream = open(sys.stdin.fileno(), encoding="utf-8-sig", closefd=False, newline="")
            else:
                stream = open(pairs, encoding="utf-8-sig", newline="")
        except FileNotFoundError:
            raise CommandError(_("The file “%(path)s” does not exist.") % {"path": pairs})
        except OSError as error:
            raise CommandError(_("Cannot read “%(path)s”: %(error)s") % {"path": pairs, "error": error.strerror})
        try:
            with stream:
                score_csv(stream, self.stdout, matcher)
        except UnicodeDecodeError:
            raise CommandError(_("“%(path)s” is not UTF-8 text. Save it as CSV UTF-8 and try again.") % {"path": pairs})
        except PairsError as error:
            raise CommandError(str(error))


def num(value):
    from liaison.core.localefmt import format_number

    return format_number(value)


class _Progress:
    """What the run is doing, one line per chunk: how many persons, how fast."""

    def __init__(self, stdout, full):
        self.stdout, self.full, self.started = stdout, full, None

    def __call__(self, stage, done, total):
        now = time.monotonic()
        if stage == "link":
            self.stdout.write(_("Deduplicating %(count)s persons in one batch…") % {"count": num(total)})
            return
        if self.started is None:
            self.started = now
            self.stdout.write(_("Persons to key: %(count)s.") % {"count": num(total)})
            if not self.full and total > _full_hint_above():
                self.stdout.write(_("That is many: for a registry loaded in bulk, `liaison match run --full` is "
                                    "faster (it needs memory for every person)."))
            return
        rate = done / max(now - self.started, 1e-6)
        values = {"done": num(done), "total": num(total), "rate": num(round(rate))}
        message = (_("%(done)s of %(total)s persons keyed (%(rate)s persons/s).") if self.full else
                   _("%(done)s of %(total)s persons keyed and matched (%(rate)s persons/s)."))
        self.stdout.write(message % values)


def _full_hint_above():
    from liaison.matching.runs import FULL_HINT_ABOVE

    return FULL_HINT_ABOVE
