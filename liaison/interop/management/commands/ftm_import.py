"""``liaison ftm_import FILE --user U --list NAME``: the persons of an FtM entity file (a sanctions
or wanted list) as records of U's agency, put on its watchlist with the list named as the reason."""
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext as _

from liaison.core.models import TLP


class Command(BaseCommand):
    help = "Import an FtM entity file (JSON lines) as a watchlist source (all or nothing; problems by line)."

    def add_arguments(self, parser):
        parser.add_argument("file")
        parser.add_argument("--user", required=True, help="The importing officer; their agency owns the records.")
        parser.add_argument("--list", required=True, dest="list_name", help="The list's name: the watchlist reason.")
        parser.add_argument("--tlp", default=TLP.AMBER, choices=[t for t in TLP.values if t != TLP.RED])

    def handle(self, *args, **options):
        from liaison.interop import ftm
        from liaison.interop.management.commands._interop_args import user_and_recipient

        user, _recipient = user_and_recipient(options)
        path = Path(options["file"])
        if not path.is_file():
            raise CommandError(_("There is no file %(file)s.") % {"file": path}, returncode=2)
        try:
            report = ftm.import_watchlist(user, path.read_bytes(), filename=path.name, list_name=options["list_name"],
                                          tlp=options["tlp"])
        except ftm.FtmError as exc:
            for error in exc.errors:
                self.stderr.write(error)
            raise CommandError(_("%(file)s was not imported.") % {"file": path.name}, returncode=1) from exc
        for warning in report.warnings:
            self.stderr.write(warning)
        self.stdout.write(_("%(n)d persons from %(file)s put on the watchlist of %(agency)s (source #%(source)d).") % {
            "n": report.persons, "file": path.name, "agency": user.agency.short_name, "source": report.source.pk})
