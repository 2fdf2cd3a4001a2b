"""``liaison requests remind``: notify both agencies of each overdue request, once a day."""

from django.core.management.base import BaseCommand

from liaison.requests import services


class Command(BaseCommand):
    help = "Notify about overdue requests (at most one reminder per request per day; safe to run repeatedly)."

    def add_arguments(self, parser):
        parser.add_argument("action", choices=["remind"])

    def handle(self, *args, **options):
        n = services.remind_overdue()
        self.stdout.write(f"{n} overdue request(s) reminded")
