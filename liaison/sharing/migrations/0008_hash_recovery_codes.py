import django.db.models.deletion
from django.conf import settings
from django.contrib.auth.hashers import make_password
from django.db import migrations, models


def hash_clear_codes(apps, schema_editor):
    """Move every unused recovery code from django-otp's static device (plain
    text) to a recovery-code device (salted hashes), then delete the plain ones.
    Users keep the codes they printed; the database no longer holds them."""
    StaticDevice = apps.get_model("otp_static", "StaticDevice")
    RecoveryCodeDevice = apps.get_model("sharing", "RecoveryCodeDevice")
    RecoveryCode = apps.get_model("sharing", "RecoveryCode")
    for static in StaticDevice.objects.all():
        device = RecoveryCodeDevice.objects.create(user_id=static.user_id, name="recovery codes", confirmed=static.confirmed)
        RecoveryCode.objects.bulk_create(
            RecoveryCode(device=device, hash=make_password(token.token)) for token in static.token_set.all()
        )
        static.token_set.all().delete()
        static.delete()


class Migration(migrations.Migration):

    dependencies = [
        ("sharing", "0007_platform_admin_holds_no_agency"),
        ("otp_static", "0003_add_timestamps"),
    ]

    operations = [
        migrations.CreateModel(
            name="RecoveryCodeDevice",
            fields=[
                ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID")),
                ("name", models.CharField(help_text="The human-readable name of this device.", max_length=64)),
                ("confirmed", models.BooleanField(default=True, help_text="Is this device ready for use?")),
                ("created_at", models.DateTimeField(auto_now_add=True, help_text="The date and time when this device was initially created in the system.", null=True)),
                ("last_used_at", models.DateTimeField(blank=True, help_text="The most recent date and time this device was used.", null=True)),
                ("throttling_failure_timestamp", models.DateTimeField(blank=True, default=None, help_text="A timestamp of the last failed verification attempt. Null if last attempt succeeded.", null=True)),
                ("throttling_failure_count", models.PositiveIntegerField(default=0, help_text="Number of successive failed attempts.")),
                ("user", models.ForeignKey(help_text="The user that this device belongs to.", on_delete=django.db.models.deletion.CASCADE, to=settings.AUTH_USER_MODEL)),
            ],
            options={"verbose_name": "recovery codes", "verbose_name_plural": "recovery codes"},
        ),
        migrations.CreateModel(
            name="RecoveryCode",
            fields=[
                ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID")),
                ("hash", models.CharField(editable=False, max_length=256, verbose_name="salted hash")),
                ("device", models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name="codes", to="sharing.recoverycodedevice")),
            ],
        ),
        migrations.RunPython(hash_clear_codes, migrations.RunPython.noop),
    ]
