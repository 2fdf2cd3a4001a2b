"""``liaison misp_import FILE --user U``: a MISP event JSON file into records of U's agency, all or
nothing, each record citing the file and keeping its TLP marking."""
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext as _


class Command(BaseCommand):
    help = "Import a MISP event JSON file (all or nothing; problems listed by object number)."

    def add_arguments(self, parser):
        parser.add_argument("file")
        parser.add_argument("--user", required=True, help="The importing officer; their agency owns the records.")

    def handle(self, *args, **options):
        from liaison.interop import misp
        from liaison.interop.management.commands._interop_args import user_and_recipient

        user, _recipient = user_and_recipient(options)
        path = Path(options["file"])
        if not path.is_file():
            raise CommandError(_("There is no file %(file)s.") % {"file": path}, returncode=2)
        try:
            report = misp.import_event(user, path.read_bytes(), filename=path.name)
        except misp.MispError as exc:
            for error in exc.errors:
                self.stderr.write(error)
            raise CommandError(_("%(file)s was not imported.") % {"file": path.name}, returncode=1) from exc
        for warning in report.warnings:
            self.stderr.write(warning)
        self.stdout.write(_("Imported from %(file)s: %(counts)s (source #%(source)d).") % {
            "file": path.name, "source": report.source.pk,
            "counts": ", ".join(f"{k} {v}" for k, v in sorted(report.created.items()) if v)})
