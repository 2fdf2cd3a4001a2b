"""``liaison backup DIR``: the database, the uploaded files and a manifest (liaison/ops/backup.py)."""
from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.db import connections

from liaison.ops.backup import BackupError, backup, model_tables


class Command(BaseCommand):
    help = ("Back up the database (pg_dump, or SQLite's backup API), the uploaded files (MEDIA_ROOT) and a manifest "
            "of checksums, row counts and the audit chain's head into DIR (new or empty; readable by its owner only).")

    def add_arguments(self, parser):
        parser.add_argument("directory", help="a new or empty directory")

    def handle(self, *args, directory, **options):
        db = settings.DATABASES["default"]
        connection = connections["default"] if "sqlite" in db["ENGINE"] else None
        try:
            outcome = backup(directory, db, settings.MEDIA_ROOT, model_tables(), connection=connection)
        except BackupError as error:
            raise CommandError(str(error)) from None
        for line in outcome.lines:
            self.stdout.write(line)
