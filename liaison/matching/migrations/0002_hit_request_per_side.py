"""A hit notice's request for details is stored per side (watched, matched).

The single ``request_id`` told the second agency to ask that a draft had been
prepared when none had been made for it, and linked it to the first side's
draft. Existing requests are kept on the side of the officer who made them.
"""
from django.db import migrations, models


def split_requests(apps, schema_editor):
    HitNotice = apps.get_model("matching", "HitNotice")
    for notice in HitNotice.objects.filter(request_id__isnull=False).select_related("requested_by"):
        agency_id = getattr(notice.requested_by, "agency_id", None)
        if agency_id == notice.matched_agency_id:
            notice.matched_request_id, notice.matched_requested_at = notice.request_id, notice.requested_at
        elif agency_id == notice.watched_agency_id:
            notice.watched_request_id, notice.watched_requested_at = notice.request_id, notice.requested_at
        else:
            continue  # the officer left or moved: that side can ask again
        notice.save(update_fields=["watched_request_id", "watched_requested_at", "matched_request_id", "matched_requested_at"])


class Migration(migrations.Migration):
    dependencies = [("matching", "0001_initial")]

    operations = [
        migrations.AddField("hitnotice", "watched_request_id", models.PositiveBigIntegerField(blank=True, null=True)),
        migrations.AddField("hitnotice", "watched_requested_at", models.DateTimeField(blank=True, null=True)),
        migrations.AddField("hitnotice", "matched_request_id", models.PositiveBigIntegerField(blank=True, null=True)),
        migrations.AddField("hitnotice", "matched_requested_at", models.DateTimeField(blank=True, null=True)),
        migrations.RunPython(split_requests, migrations.RunPython.noop),
        migrations.RemoveField("hitnotice", "request_id"),
        migrations.RemoveField("hitnotice", "requested_at"),
        migrations.RemoveField("hitnotice", "requested_by"),
    ]
