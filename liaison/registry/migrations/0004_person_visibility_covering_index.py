"""A covering index of the columns the visibility filter reads on persons.

Lists join persons by id (from nationalities, names...) and then test owner,
distribution and retraction for each row; with those columns in the index
PostgreSQL answers from the index alone instead of reading every person row,
so a visibility-filtered count costs about what the unfiltered one does.
PostgreSQL only (INCLUDE); SQLite has no need at its sizes.
"""
from django.db import migrations

INDEX = "registry_person_visibility_idx"


def create(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(
            f"CREATE INDEX IF NOT EXISTS {INDEX} ON registry_person (id) INCLUDE (owner_id, distribution, retracted_at)"
        )


def drop(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(f"DROP INDEX IF EXISTS {INDEX}")


class Migration(migrations.Migration):
    dependencies = [("registry", "0003_personname_trigram_index")]
    operations = [migrations.RunPython(create, drop, elidable=False)]
