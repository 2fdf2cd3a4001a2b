"""``liaison stix_import --user NAME FILE``: a partner's STIX 2.1 bundle into Liaison, all or nothing."""
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext as _

from liaison.interop import stix


class Command(BaseCommand):
    help = "Import a STIX 2.1 bundle for the user's agency (all or nothing; records cite the bundle; audited)."

    def add_arguments(self, parser):
        parser.add_argument("file")
        parser.add_argument("--user", required=True, help="The officer importing: records belong to their agency.")

    def handle(self, *args, **options):
        from liaison.sharing.models import User

        user = User.objects.filter(username=options["user"], is_active=True).first()
        if user is None:
            raise CommandError(_("No active user “%(name)s”.") % {"name": options["user"]})
        path = Path(options["file"])
        try:
            data = path.read_bytes()
        except OSError as exc:
            raise CommandError(_("Cannot read %(file)s: %(error)s") % {"file": path, "error": exc.strerror}) from None
        try:
            report = stix.import_bundle(user, data, name=path.name)
        except stix.StixImportError as exc:
            raise CommandError(_("Nothing was imported:") + "\n" + "\n".join(exc.errors)) from None
        self.stdout.write(_("Imported: %(created)d new records, %(updated)d updated, %(unchanged)d unchanged.")
                          % {"created": sum(report.created.values()), "updated": sum(report.updated.values()),
                             "unchanged": report.unchanged})
