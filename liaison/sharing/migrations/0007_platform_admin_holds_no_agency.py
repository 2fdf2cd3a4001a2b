from django.db import migrations, models
from django.db.models import Q


def platform_admins_leave_their_agency(apps, schema_editor):
    """Before the constraint: an administrator account that also held an agency
    keeps administering and loses the agency (and its agency roles), the safe
    direction: it stops seeing that agency's records."""
    User = apps.get_model("sharing", "User")
    for user in User.objects.filter(Q(is_staff=True) | Q(is_superuser=True), agency__isnull=False):
        user.agency = None
        user.roles = [role for role in user.roles or [] if role == "platform_admin"]
        user.save(update_fields=["agency", "roles"])


class Migration(migrations.Migration):

    dependencies = [
        ("sharing", "0006_record_seen"),
    ]

    operations = [
        migrations.RunPython(platform_admins_leave_their_agency, migrations.RunPython.noop),
        migrations.AddConstraint(
            model_name="user",
            constraint=models.CheckConstraint(
                condition=models.Q(("agency__isnull", True), models.Q(("is_staff", False), ("is_superuser", False)),
                                   _connector="OR"),
                name="platform_admin_holds_no_agency",
            ),
        ),
    ]
