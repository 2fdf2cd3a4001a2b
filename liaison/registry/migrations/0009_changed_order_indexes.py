"""Indexes in the order records were last written: ``(updated_at, id)``.

TAXII pages (liaison/interop/taxii.py) walk every record a caller may see in
that order (TAXII's ``date_added``) from a cursor, 1,000 at a time. Without
them PostgreSQL reads and sorts every visible row of a million-row table for
each page (about 400 ms a table at 1.1 million records); with them it walks the
index from the cursor and stops after the page. Outside the model state, like
0003 to 0008, so a change to the models never drops them by accident.
"""
from django.db import migrations

INDEXES = {
    f"registry_{table}_changed_idx": f"registry_{table} (updated_at, id)"
    for table in ("person", "identifier", "relationship", "organisation", "site", "source")
}


def create(apps, schema_editor):
    for name, target in INDEXES.items():
        schema_editor.execute(f"CREATE INDEX IF NOT EXISTS {name} ON {target}")


def drop(apps, schema_editor):
    for name in INDEXES:
        schema_editor.execute(f"DROP INDEX IF EXISTS {name}")


class Migration(migrations.Migration):
    dependencies = [("registry", "0008_identifier_prefix_index")]
    operations = [migrations.RunPython(create, drop, elidable=False)]
