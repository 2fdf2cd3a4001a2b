"""`liaison i18n compile`: the translation catalogues, compiled for Django.

Django's own ``compilemessages`` needs GNU gettext's ``msgfmt``, a system
package a fresh laptop may lack; Babel (a Python dependency) writes the same
``.mo`` files, so ``make install`` needs nothing beyond pip. Fuzzy entries are
left out, as msgfmt does, so a guess never reaches an officer.
"""
from pathlib import Path

from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po
from django.conf import settings
from django.core.management.base import BaseCommand, CommandError


class Command(BaseCommand):
    help = "Compile the translation catalogues (liaison/locale/*/LC_MESSAGES/*.po) to .mo files."

    def add_arguments(self, parser):
        parser.add_argument("action", choices=["compile"])

    def handle(self, *args, **options):
        count = 0
        for base in settings.LOCALE_PATHS:
            for po_path in sorted(Path(base).glob("*/LC_MESSAGES/*.po")):
                try:
                    with po_path.open("rb") as f:
                        catalog = read_po(f, locale=po_path.parts[-3])
                except Exception as exc:  # noqa: BLE001 - reported with the file's name
                    raise CommandError(f"{po_path}: {exc}") from exc
                with po_path.with_suffix(".mo").open("wb") as f:
                    write_mo(f, catalog, use_fuzzy=False)
                count += 1
        if options["verbosity"]:
            self.stdout.write(f"Compiled {count} catalogues.")
