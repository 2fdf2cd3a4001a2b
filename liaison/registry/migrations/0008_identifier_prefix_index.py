"""Index for finding a wallet or account number from its first characters.

Search (``liaison.registry.search``) looks wallets and accounts up with
``normalized__istartswith``, which Django writes as
``UPPER(normalized::text) LIKE UPPER('PREFIX%')``. The plain btree index on
``normalized`` cannot answer that (other expression, and a collation-aware
btree cannot do LIKE); this expression index with ``text_pattern_ops`` can,
in any database collation. PostgreSQL only: SQLite scans, which is fine at
the sizes it is used for.
"""
from django.db import migrations

INDEX = "registry_identifier_normalized_prefix"


def create(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    schema_editor.execute(
        f"CREATE INDEX IF NOT EXISTS {INDEX} ON registry_identifier (UPPER(normalized::text) text_pattern_ops)"
    )


def drop(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(f"DROP INDEX IF EXISTS {INDEX}")


class Migration(migrations.Migration):
    dependencies = [("registry", "0007_person_sort_name")]
    operations = [migrations.RunPython(create, drop, elidable=False)]
