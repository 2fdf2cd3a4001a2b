"""The table of the public pages' rate-limit counters, when they are kept in the
database (no REDIS_URL): created by `liaison migrate`, so installing needs no extra step."""
from django.core.management import call_command
from django.db import migrations


def create_cache_table(apps, schema_editor):
    call_command("createcachetable", database=schema_editor.connection.alias, verbosity=0)


class Migration(migrations.Migration):
    dependencies = [("public", "0001_initial")]
    operations = [migrations.RunPython(create_cache_table, migrations.RunPython.noop, elidable=True)]
