"""The name-order index of 0005, covering the columns the visibility filter reads.

A list by name prefix counts up to 10,000 matches; with owner, distribution
and retraction in the index PostgreSQL counts them from the index alone
instead of fetching 10,000 person rows (0.3 s at a million persons,
bench/README.md). PostgreSQL only (INCLUDE); SQLite keeps 0005's index.
"""
from django.db import migrations

OLD = "registry_person_display_name_id_idx"
NEW = "registry_person_name_order_idx"


def create(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(
            f"CREATE INDEX IF NOT EXISTS {NEW} ON registry_person (display_name, id) "
            "INCLUDE (owner_id, distribution, retracted_at)"
        )
        schema_editor.execute(f"DROP INDEX IF EXISTS {OLD}")


def drop(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(f"CREATE INDEX IF NOT EXISTS {OLD} ON registry_person (display_name, id)")
        schema_editor.execute(f"DROP INDEX IF EXISTS {NEW}")


class Migration(migrations.Migration):
    dependencies = [("registry", "0005_list_order_indexes")]
    operations = [migrations.RunPython(create, drop, elidable=False)]
