"""``liaison match``: record linkage from the command line.

``liaison match score PAIRS.csv`` scores pairs of person records without
touching the database. Subcommands are argparse subparsers: another one is
added by defining ``add_<name>_arguments`` and ``handle_<name>`` and listing
it in ``SUBCOMMANDS``.
"""
from __future__ import annotations

import sys

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
            help=str(_("Deduplicate the whole registry: candidate pairs go to the matching queue. Idempotent: "
                       "a second run adds no duplicate pair and never proposes a rejected pair again.")),
        )
        run.add_argument("--threshold", type=float, default=None,
                         help=str(_("Lowest probability (0–1) of a pair to propose (default 0.5)")))
        run.add_argument("--backend", choices=["auto", "duckdb", "python"], default="auto",
                         help=str(_("Splink on DuckDB, or pure Python (auto: Python for small registries)")))

    def handle_run(self, threshold=None, backend="auto", **options):
        from liaison.matching.services import run_batch

        if threshold is not None and not 0 <= threshold <= 1:
            raise CommandError(_("The threshold is a probability between 0 and 1, not %(value)s.") % {"value": threshold})
        found, new = run_batch(threshold=threshold, backend=None if backend == "auto" else backend)
        self.stdout.write(_("%(found)s candidate pairs found, %(new)s new in the queue.") % {"found": found, "new": new})

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
