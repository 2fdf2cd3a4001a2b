"""The reader's sort order in SQL, on SQLite as on PostgreSQL.

PostgreSQL ships ICU collations ("zh-x-icu", "th-x-icu"...); SQLite has none,
so each new SQLite connection gets the same names backed by PyICU. A list view
then orders with ``Collate(F("sort_name"), collation_for(language))`` and the
database still paginates: no list is loaded whole to be sorted in Python.
"""
from django.db.backends.signals import connection_created
from django.dispatch import receiver

from liaison.core import localefmt

# Liaison language -> ICU collation name, as PostgreSQL spells it.
COLLATIONS = {
    "en": "en-x-icu", "zh-hans": "zh-x-icu", "th": "th-x-icu", "vi": "vi-x-icu", "km": "km-x-icu",
    "lo": "lo-x-icu", "my": "my-x-icu", "id": "id-x-icu", "ms": "ms-x-icu", "tl": "fil-x-icu",
}


def collation_for(language):
    return COLLATIONS.get(language, "und-x-icu")


def _compare(language):
    def compare(a, b):
        ka, kb = localefmt.sort_key(a or "", language), localefmt.sort_key(b or "", language)
        return (ka > kb) - (ka < kb)
    return compare


@receiver(connection_created)
def register_collations(sender, connection, **kwargs):
    if connection.vendor != "sqlite":
        return
    for language, name in COLLATIONS.items():
        connection.connection.create_collation(name, _compare(language))
    connection.connection.create_collation("und-x-icu", _compare("en"))
