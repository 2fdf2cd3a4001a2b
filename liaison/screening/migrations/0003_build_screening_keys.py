from django.db import migrations


def build(apps, schema_editor):
    """Keys for the persons listed before screening keys existed (none on a new install).
    Uses the live code (the key builder is plain Python); later, bulk loads run
    ``manage.py screening_keys``."""
    WatchlistEntry = apps.get_model("matching", "WatchlistEntry")
    if not WatchlistEntry.objects.exists():
        return
    from liaison.screening.keys import refresh_all

    refresh_all()


class Migration(migrations.Migration):
    dependencies = [("screening", "0002_screening_keys"), ("matching", "0003_watchlist_by_owner_bands_probes")]

    operations = [migrations.RunPython(build, migrations.RunPython.noop)]
