"""``liaison audit verify``: check the audit trail's hash chain."""
from django.core.management.base import BaseCommand, CommandError

from liaison.audit.log import verify
from liaison.audit.models import AuditEntry


class Command(BaseCommand):
    help = "Audit trail tools. `verify` reports the first broken link of the hash chain, if any."

    def add_arguments(self, parser):
        parser.add_argument("action", choices=["verify"])

    def handle(self, *args, **options):
        broken = verify()
        count = AuditEntry.objects.count()
        if broken:
            seq, reason = broken
            raise CommandError(f"Audit chain BROKEN at entry {seq}: {reason}.")
        self.stdout.write(self.style.SUCCESS(f"Audit chain intact: {count} entries verified."))
