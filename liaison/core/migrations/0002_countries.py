"""Load every ISO 3166-1 country from django-countries (names in English;
pages show the translated name through Country.__str__)."""
from django.db import migrations


def load_countries(apps, schema_editor):
    from django.utils import translation
    from django_countries import countries

    Country = apps.get_model("core", "Country")
    with translation.override("en"):
        Country.objects.bulk_create(
            [Country(code=code, name=str(name)) for code, name in countries],
            ignore_conflicts=True,
        )


class Migration(migrations.Migration):
    dependencies = [("core", "0001_initial")]
    operations = [migrations.RunPython(load_countries, migrations.RunPython.noop)]
