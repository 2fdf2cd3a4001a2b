from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ("tasks", "0003_submitted_form"),
    ]

    operations = [
        migrations.AddField(
            model_name="taskrun",
            name="beat_at",
            field=models.DateTimeField(blank=True, null=True),
        ),
    ]
