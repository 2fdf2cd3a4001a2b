# Person.sort_name: the order every list uses, blank for protected identities (issue 10).

from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ('registry', '0006_person_name_order_covering_index'),
    ]

    operations = [
        migrations.AlterModelOptions(
            name='person',
            options={'ordering': ['sort_name', 'id'], 'verbose_name': 'person', 'verbose_name_plural': 'persons'},
        ),
        migrations.AddField(
            model_name='historicalperson',
            name='sort_name',
            field=models.GeneratedField(db_persist=True, expression=models.Case(models.When(protection='', then=models.F('display_name')), default=models.Value('')), output_field=models.CharField(max_length=300), verbose_name='name'),
        ),
        migrations.AddField(
            model_name='person',
            name='sort_name',
            field=models.GeneratedField(db_persist=True, expression=models.Case(models.When(protection='', then=models.F('display_name')), default=models.Value('')), output_field=models.CharField(max_length=300), verbose_name='name'),
        ),
    ]


# The list order index of 0005/0006, moved to the safe sort key. Outside the
# model state like those, so a model change never drops it by accident.
OLD = {"postgresql": "registry_person_name_order_idx", "sqlite": "registry_person_display_name_id_idx"}
NEW = "registry_person_sort_order_idx"
PROTECTED = "registry_person_protected_idx"


def create_index(apps, schema_editor):
    vendor = schema_editor.connection.vendor
    include = " INCLUDE (owner_id, distribution, retracted_at)" if vendor == "postgresql" else ""
    schema_editor.execute(f"CREATE INDEX IF NOT EXISTS {NEW} ON registry_person (sort_name, id){include}")
    if vendor in OLD:
        schema_editor.execute(f"DROP INDEX IF EXISTS {OLD[vendor]}")
    # The few protected persons, found without reading the others: every list of
    # identifiers and links withholds those tied to them (sharing/visibility.py).
    schema_editor.execute(f"CREATE INDEX IF NOT EXISTS {PROTECTED} ON registry_person (id) WHERE protection <> ''")


def drop_index(apps, schema_editor):
    schema_editor.execute(f"DROP INDEX IF EXISTS {NEW}")
    schema_editor.execute(f"DROP INDEX IF EXISTS {PROTECTED}")


Migration.operations.append(migrations.RunPython(create_index, drop_index, elidable=False))
