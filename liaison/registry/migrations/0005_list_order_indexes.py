"""Indexes for the persons list: by nationality, in name order.

``(country_id, person_id)`` on nationalities lets a "nationality = X" list
be found (and counted) from the index alone; ``(display_name, id)`` on
persons is the list's ORDER BY, so PostgreSQL can walk persons in order and
stop after a page instead of sorting every match. Plain btree indexes:
SQLite uses them too. Outside the model state, like 0003 and 0004, so a
change to the models never drops them by accident.
"""
from django.db import migrations

INDEXES = {
    "registry_nationality_country_person_idx": "registry_nationality (country_id, person_id)",
    "registry_person_display_name_id_idx": "registry_person (display_name, id)",
}


def create(apps, schema_editor):
    for name, target in INDEXES.items():
        schema_editor.execute(f"CREATE INDEX IF NOT EXISTS {name} ON {target}")


def drop(apps, schema_editor):
    for name in INDEXES:
        schema_editor.execute(f"DROP INDEX IF EXISTS {name}")


class Migration(migrations.Migration):
    dependencies = [("registry", "0004_person_visibility_covering_index")]
    operations = [migrations.RunPython(create, drop, elidable=False)]
