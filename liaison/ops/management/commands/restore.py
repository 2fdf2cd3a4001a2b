"""``liaison restore DIR --database URL``: into an empty database, then verified (liaison/ops/backup.py)."""
from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from liaison.ops.backup import BackupError, restore


class Command(BaseCommand):
    help = ("Restore a backup made by `liaison backup` into an EMPTY database (refused otherwise) and its uploaded "
            "files into MEDIA_ROOT, then verify the audit chain (`liaison audit verify`) and every table's row count.")

    def add_arguments(self, parser):
        parser.add_argument("directory", help="the backup's directory (with manifest.json)")
        parser.add_argument("--database", required=True, metavar="URL",
                            help="the empty database to restore into, e.g. postgres://liaison@db/liaison_restored "
                                 "or sqlite:///var/restored.sqlite3")
        parser.add_argument("--media-root", default=None,
                            help="where the uploaded files go (default: MEDIA_ROOT, %s)" % settings.MEDIA_ROOT)

    def handle(self, *args, directory, database, media_root, **options):
        try:
            outcome = restore(directory, database, media_root or settings.MEDIA_ROOT)
        except BackupError as error:
            raise CommandError(str(error)) from None
        for line in outcome.lines:
            self.stdout.write(line)
        self.stdout.write(self.style.SUCCESS("Restored. Point DATABASE_URL at the restored database, run "
                                             "`liaison migrate` if this release is newer, and start Liaison."))
