"""Indexes in the order records were last written, ``(updated_at, id)``: the order TAXII
pages walk (see registry 0009). Outside the model state, like registry's."""
from django.db import migrations

INDEXES = {
    f"operations_{table}_changed_idx": f"operations_{table} (updated_at, id)"
    for table in ("event", "operation", "case")
}


def create(apps, schema_editor):
    for name, target in INDEXES.items():
        schema_editor.execute(f"CREATE INDEX IF NOT EXISTS {name} ON {target}")


def drop(apps, schema_editor):
    for name in INDEXES:
        schema_editor.execute(f"DROP INDEX IF EXISTS {name}")


class Migration(migrations.Migration):
    dependencies = [("operations", "0002_initial")]
    operations = [migrations.RunPython(create, drop, elidable=False)]
