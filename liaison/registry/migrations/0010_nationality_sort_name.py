"""Nationality.sort_name: "persons of one nationality in name order" from one index.

A nationality's persons bunch in name order (Chinese nationals have Han names),
so PostgreSQL either walked the person name index reading ~400,000 persons
before the 50 of page 1, or read and sorted every person of the nationality:
2.3 s at a million persons (bench/README.md). With the person's sort_name
copied onto the nationality, ``(country_id, sort_name, person_id)`` gives the
page directly.

The copy is kept by triggers, not by Python, so that every write path keeps it
in step (forms, API, importer, COPY bulk loader, ``queryset.update``):

* a nationality inserted or updated takes its person's current sort_name;
* a person whose sort_name changes (PersonName.save updates display_name;
  protection set or lifted) passes it to its nationalities.

sort_name is blank for a protected identity (issue 10), here as on Person.

Web lists sort in the reader's collation (``Collate(..., "zh-x-icu")``,
liaison/core/sqlite_collations.py); an index serves an ORDER BY only in its own
collation, so PostgreSQL gets one index per collation the web lists use, plus
the database's default one (API, ``?ordering=name``). Outside the model state,
like 0003 to 0009, so a model change never drops them by accident.

SQLite: the triggers are SQLite triggers. A later migration that makes Django
rebuild ``registry_nationality`` or ``registry_person`` on SQLite (most
AlterField operations) drops them: such a migration must call ``create`` below
again.
"""
from django.db import migrations, models

# Those of liaison.core.sqlite_collations.COLLATIONS (copied: a migration must
# not change when the code does), and the fallback for other languages.
COLLATIONS = ["en-x-icu", "zh-x-icu", "th-x-icu", "vi-x-icu", "km-x-icu", "lo-x-icu", "my-x-icu", "id-x-icu",
              "ms-x-icu", "fil-x-icu", "und-x-icu"]
DEFAULT_INDEX = "registry_nationality_order_idx"


def collation_index(collation):
    return f"registry_nationality_order_{collation.split('-x-')[0]}_idx"


PG_TRIGGERS = """
CREATE OR REPLACE FUNCTION registry_nationality_take_sort_name() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    -- The COPY bulk loader writes the value itself and says so for the length
    -- of its COPY (liaison/registry/bulk.py): the lookup took two fifths of the
    -- nationalities' load time.
    IF TG_OP = 'INSERT' AND current_setting('liaison.sort_name_given', true) = 'on' THEN
        RETURN NEW;
    END IF;
    NEW.sort_name := COALESCE((SELECT p.sort_name FROM registry_person p WHERE p.id = NEW.person_id), '');
    RETURN NEW;
END $$;
DROP TRIGGER IF EXISTS registry_nationality_sort_name ON registry_nationality;
CREATE TRIGGER registry_nationality_sort_name BEFORE INSERT OR UPDATE ON registry_nationality
    FOR EACH ROW EXECUTE FUNCTION registry_nationality_take_sort_name();

CREATE OR REPLACE FUNCTION registry_person_pass_sort_name() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    UPDATE registry_nationality SET sort_name = NEW.sort_name
     WHERE person_id = NEW.id AND sort_name IS DISTINCT FROM NEW.sort_name;
    RETURN NULL;
END $$;
DROP TRIGGER IF EXISTS registry_person_sort_name ON registry_person;
CREATE TRIGGER registry_person_sort_name AFTER UPDATE ON registry_person
    FOR EACH ROW WHEN (OLD.sort_name IS DISTINCT FROM NEW.sort_name)
    EXECUTE FUNCTION registry_person_pass_sort_name();
"""

PG_DROP = """
DROP TRIGGER IF EXISTS registry_nationality_sort_name ON registry_nationality;
DROP TRIGGER IF EXISTS registry_person_sort_name ON registry_person;
DROP FUNCTION IF EXISTS registry_nationality_take_sort_name();
DROP FUNCTION IF EXISTS registry_person_pass_sort_name();
"""

# recursive_triggers is off (SQLite's default): the UPDATE a nationality
# trigger makes does not fire that trigger again.
SQLITE_PERSON_SORT_NAME = "COALESCE((SELECT p.sort_name FROM registry_person p WHERE p.id = NEW.person_id), '')"
SQLITE_TRIGGERS = [
    "DROP TRIGGER IF EXISTS registry_nationality_sort_name_insert",
    "DROP TRIGGER IF EXISTS registry_nationality_sort_name_update",
    "DROP TRIGGER IF EXISTS registry_person_sort_name",
    f"""CREATE TRIGGER registry_nationality_sort_name_insert AFTER INSERT ON registry_nationality
        BEGIN UPDATE registry_nationality SET sort_name = {SQLITE_PERSON_SORT_NAME} WHERE id = NEW.id; END""",
    f"""CREATE TRIGGER registry_nationality_sort_name_update AFTER UPDATE ON registry_nationality
        BEGIN UPDATE registry_nationality SET sort_name = {SQLITE_PERSON_SORT_NAME} WHERE id = NEW.id; END""",
    """CREATE TRIGGER registry_person_sort_name AFTER UPDATE ON registry_person
        WHEN OLD.sort_name IS NOT NEW.sort_name
        BEGIN UPDATE registry_nationality SET sort_name = NEW.sort_name WHERE person_id = NEW.id; END""",
]


def create(apps, schema_editor):
    vendor = schema_editor.connection.vendor
    execute = schema_editor.execute
    if vendor == "postgresql":
        execute(PG_TRIGGERS)
        # Fill the existing rows (the BEFORE UPDATE trigger copies the name).
        execute("UPDATE registry_nationality SET sort_name = '' WHERE true")
        execute(f"CREATE INDEX IF NOT EXISTS {DEFAULT_INDEX} ON registry_nationality (country_id, sort_name, person_id)")
        with schema_editor.connection.cursor() as cursor:
            cursor.execute("SELECT collname FROM pg_collation WHERE collname = ANY(%s)", [COLLATIONS])
            present = {row[0] for row in cursor.fetchall()}
        for collation in COLLATIONS:
            if collation in present:  # ICU collations exist when PostgreSQL was built with ICU
                execute(f'CREATE INDEX IF NOT EXISTS {collation_index(collation)} ON registry_nationality '
                        f'(country_id, (sort_name COLLATE "{collation}"), person_id)')
    elif vendor == "sqlite":
        for statement in SQLITE_TRIGGERS:
            execute(statement)
        execute("UPDATE registry_nationality SET sort_name = "
                "COALESCE((SELECT p.sort_name FROM registry_person p WHERE p.id = registry_nationality.person_id), '')")
        execute(f"CREATE INDEX IF NOT EXISTS {DEFAULT_INDEX} ON registry_nationality (country_id, sort_name, person_id)")


def drop(apps, schema_editor):
    vendor = schema_editor.connection.vendor
    schema_editor.execute(f"DROP INDEX IF EXISTS {DEFAULT_INDEX}")
    if vendor == "postgresql":
        for collation in COLLATIONS:
            schema_editor.execute(f"DROP INDEX IF EXISTS {collation_index(collation)}")
        schema_editor.execute(PG_DROP)
    elif vendor == "sqlite":
        for statement in SQLITE_TRIGGERS[:3]:
            schema_editor.execute(statement)


class Migration(migrations.Migration):

    dependencies = [
        ("registry", "0009_changed_order_indexes"),
    ]

    operations = [
        migrations.AddField(
            model_name="historicalnationality",
            name="sort_name",
            field=models.CharField(blank=True, default="", editable=False, max_length=300),
        ),
        migrations.AddField(
            model_name="nationality",
            name="sort_name",
            field=models.CharField(blank=True, default="", editable=False, max_length=300),
        ),
        migrations.RunPython(create, drop, elidable=False),
    ]
