"""Trigram index on person names, for "contains" search in any script.

PostgreSQL only (pg_trgm): SQLite keeps scanning, which is fine at the sizes
it is used for. In a C.UTF-8 database pg_trgm also makes trigrams of Han,
Thai, Khmer and Burmese letters (``show_trgm('明国平')`` gives one), so one
index serves every script; queries of fewer than three characters fall back
to prefix search on the existing ``varchar_pattern_ops`` index (see
``liaison.registry.search``).
"""
from django.db import migrations

INDEX = "registry_personname_search_key_trgm"


def create(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    schema_editor.execute("CREATE EXTENSION IF NOT EXISTS pg_trgm")
    schema_editor.execute(
        f"CREATE INDEX IF NOT EXISTS {INDEX} ON registry_personname USING gin (search_key gin_trgm_ops)"
    )


def drop(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(f"DROP INDEX IF EXISTS {INDEX}")


class Migration(migrations.Migration):
    dependencies = [("registry", "0002_initial")]
    operations = [migrations.RunPython(create, drop, elidable=False)]
