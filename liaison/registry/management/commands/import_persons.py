"""``liaison import_persons FILE --agency SHORT``: import a CSV/XLSX person list.

Exit status: 0 imported (or, with --dry-run, valid); 1 the file has problems
or was already imported (nothing written); 2 wrong arguments.
"""
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from liaison.core.models import TLP, Distribution
from liaison.registry import importer


class Command(BaseCommand):
    help = (
        "Import persons from a CSV (UTF-8) or XLSX file with a header row. Columns: "
        + ", ".join(importer.COLUMNS)
        + " (only name is required). Every row is checked first; one bad row and nothing is imported."
    )

    def add_arguments(self, parser):
        parser.add_argument("file", help="The .csv or .xlsx file.")
        parser.add_argument("--agency", required=True, help="Short name of the agency that will own the records.")
        parser.add_argument("--user", help="Username recorded as the importer (must belong to the agency).")
        parser.add_argument("--dry-run", action="store_true", help="Check the file and print the report; write nothing.")
        parser.add_argument("--distribution", default=Distribution.OWNER, choices=Distribution.values)
        parser.add_argument("--tlp", default=TLP.AMBER, choices=TLP.values)
        parser.add_argument("--share-with", nargs="+", default=[], metavar="AGENCY",
                            help="Short names of agencies to share with (with --distribution shared).")

    def handle(self, *args, **options):
        from liaison.sharing.models import Agency, User

        path = Path(options["file"])
        if not path.is_file():
            raise CommandError(f"There is no file {path}.", returncode=2)
        agency = Agency.objects.filter(short_name=options["agency"]).first()
        if agency is None:
            raise CommandError(f"There is no agency with the short name “{options['agency']}”.", returncode=2)
        user = None
        if options["user"]:
            user = User.objects.filter(username=options["user"]).first()
            if user is None:
                raise CommandError(f"There is no user “{options['user']}”.", returncode=2)
            if user.agency_id != agency.pk:
                raise CommandError(f"{user.username} does not belong to {agency.short_name}.", returncode=2)
        targets = list(Agency.objects.filter(short_name__in=options["share_with"]))
        unknown = set(options["share_with"]) - {a.short_name for a in targets}
        if unknown:
            raise CommandError(f"Unknown agency: {', '.join(sorted(unknown))}.", returncode=2)

        report = importer.validate(path.read_bytes(), path.name)
        for line in report.lines():
            self.stdout.write(line)
        if not report.ok:
            raise CommandError(f"{path.name} was not imported.", returncode=1)
        if options["dry_run"]:
            earlier = importer.previous_import(report, agency)
            if earlier is not None:
                raise CommandError(f"{agency.short_name} already imported these rows as “{earlier.title}”.", returncode=1)
            self.stdout.write("Dry run: nothing was written.")
            return
        try:
            importer.import_persons(report, agency, user=user, distribution=options["distribution"],
                                    tlp=options["tlp"], share_with=targets)
        except importer.ImportRefused as exc:
            raise CommandError(str(exc), returncode=1) from exc
        self.stdout.write(self.style.SUCCESS(
            f"{report.imported} persons imported from {path.name} for {agency.short_name} (source #{report.source.pk})."
        ))
