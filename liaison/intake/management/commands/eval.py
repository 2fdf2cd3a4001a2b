"""`liaison eval extraction DIR`: precision, recall and F1 of the extractor against ground truth.

DIR holds pairs FILE.txt / FILE.json (extraction format). Prints a table per
field, per language and overall, then the report-level headline figures
(figures, figures with their event type, types, dates, persons, countries) by
language; ``--json`` prints the same figures as JSON. ``--split heldout`` (or
``dev``) scores only the reports a ``split.json`` beside or above DIR lists in
that part (tests/data/real_reports/split.json), and says how many of them have
no text yet.
How events are matched and fields compared: liaison/text/evaluate.py.
"""
import json
import sys
from pathlib import Path

from django.core.management.base import BaseCommand
from django.utils.translation import gettext as _

from liaison.text import backends, extract_report
from liaison.text.evaluate import GoldError, evaluate_folder


class Command(BaseCommand):

    help = "Score the extractor against a folder of FILE.txt / FILE.json ground-truth pairs."
    requires_system_checks = []
    requires_migrations_checks = False

    @staticmethod
    def _split(folder, part):
        for place in (folder, folder.parent):
            path = place / "split.json"
            if path.exists():
                return set(json.loads(path.read_text(encoding="utf-8"))[part])
        sys.exit(_("No split.json beside %(folder)s or in its parent.") % {"folder": folder})

    def add_arguments(self, parser):
        parser.add_argument("what", choices=["extraction"], help="what to evaluate")
        parser.add_argument("folder", metavar="DIR")
        parser.add_argument("--backend", default="rules")
        parser.add_argument("--glob", default="*.txt", help="which text files (default *.txt)")
        parser.add_argument("--json", action="store_true", help="print the figures as JSON")
        parser.add_argument("--per-report", action="store_true", help="also print F1 per report")
        parser.add_argument("--split", choices=["dev", "heldout"],
                            help="only the reports of this part of split.json (beside DIR or in its parent)")

    def handle(self, *args, **opts):
        if opts["backend"] not in backends():
            self.stderr.write(_("Unknown backend “%(b)s”.") % {"b": opts["backend"]})
            sys.exit(2)

        def run(text, doc_id):
            return extract_report(text, doc_id=doc_id, backend=opts["backend"]).to_format()

        folder, select = Path(opts["folder"]), None
        if opts["split"]:
            chosen = self._split(folder, opts["split"])
            missing = sorted(i for i in chosen if not (folder / f"{i}.txt").exists())
            if missing:
                self.stderr.write(_("%(n)d reports of the %(part)s part have no text in the folder and are not "
                                    "scored: %(ids)s") % {"n": len(missing), "part": opts["split"],
                                                          "ids": " ".join(missing)})

            def select(txt, gold):
                return txt.stem in chosen
        try:
            result = evaluate_folder(folder, run, opts["glob"], select=select).as_dict()
        except GoldError as exc:
            self.stderr.write(str(exc))
            sys.exit(1)
        if opts["json"]:
            self.stdout.write(json.dumps(result, ensure_ascii=False, indent=2))
            return
        line = "{:<14}{:>10}{:>8}{:>8}{:>6}{:>6}{:>6}"
        self.stdout.write(_("%(n)d reports, backend %(b)s") % {"n": result["reports"], "b": opts["backend"]})
        self.stdout.write(line.format(_("field"), _("precision"), _("recall"), "F1", "tp", "fp", "fn"))
        for name, row in list(result["fields"].items()) + [("OVERALL", result["overall"])]:
            self.stdout.write(line.format(name, f"{row['precision']:.3f}", f"{row['recall']:.3f}", f"{row['f1']:.3f}",
                                          row["tp"], row["fp"], row["fn"]))
        self.stdout.write("")
        self.stdout.write(line.format(_("language"), _("precision"), _("recall"), "F1", "tp", "fp", "fn"))
        for name, row in result["languages"].items():
            self.stdout.write(line.format(name, f"{row['precision']:.3f}", f"{row['recall']:.3f}", f"{row['f1']:.3f}",
                                          row["tp"], row["fp"], row["fn"]))
        self.stdout.write("")
        self.stdout.write(_("Report-level figures (what a reviewer reads), F1 by language:"))
        heads = list(result["headline"])
        self.stdout.write(("{:<10}" + "{:>15}" * len(heads)).format(_("language"), *heads))
        rows = list(result["headline_by_language"].items()) + [("ALL", result["headline"])]
        for name, fields in rows:
            self.stdout.write(("{:<10}" + "{:>15}" * len(heads)).format(
                name, *(f"{fields[h]['f1']:.3f}" for h in heads)))
        if opts["per_report"]:
            self.stdout.write("")
            for name, row in result["per_report"].items():
                self.stdout.write(f"{name:<40} F1 {row['f1']:.3f}  (tp {row['tp']}, fp {row['fp']}, fn {row['fn']})")
