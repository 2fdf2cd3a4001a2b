"""Arguments the MISP and FtM commands share: who exports or imports, and for whom."""
from django.core.management.base import CommandError
from django.utils.translation import gettext as _


def user_and_recipient(options):
    from liaison.sharing.models import Agency, User

    user = User.objects.filter(username=options["user"], is_active=True).select_related("agency").first()
    if user is None or user.agency_id is None:
        raise CommandError(_("There is no active officer “%(user)s” of an agency.") % {"user": options["user"]},
                           returncode=2)
    recipient = None
    if options.get("recipient"):
        recipient = Agency.objects.filter(short_name=options["recipient"]).first()
        if recipient is None:
            raise CommandError(_("There is no agency with the short name “%(agency)s”.")
                               % {"agency": options["recipient"]}, returncode=2)
    return user, recipient
