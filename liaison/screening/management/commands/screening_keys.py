"""Rebuild the screening keys of every watched person (after a bulk load, which sends no signals)."""
import time

from django.core.management.base import BaseCommand


class Command(BaseCommand):
    help = "Rebuild the screening keys of every watched person."

    def handle(self, *args, **options):
        from liaison.screening.keys import refresh_all

        start = time.perf_counter()
        persons, keys = refresh_all()
        self.stdout.write(f"{persons} watched persons, {keys} screening keys, {time.perf_counter() - start:.1f} s")
