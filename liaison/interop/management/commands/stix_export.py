"""``liaison stix_export --user NAME [--recipient AGENCY] [--source ID|--event ID|--operation ID] FILE``."""
from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext as _

from liaison.interop import stix


class Command(BaseCommand):
    help = "Write what a user may see as a STIX 2.1 bundle (TLP:RED never leaves; audited)."

    def add_arguments(self, parser):
        parser.add_argument("file", help="Where to write the bundle (.json); '-' for standard output.")
        parser.add_argument("--user", required=True, help="The officer exporting: the bundle holds what they may see.")
        parser.add_argument("--recipient", help="Short name of the agency the file is for: only what it may see too.")
        parser.add_argument("--source", type=int, help="Only the records citing this source (e.g. a handover list).")
        parser.add_argument("--event", type=int, help="Only this event, its participants and their identifiers.")
        parser.add_argument("--operation", type=int, help="Only this operation, its cases and events.")

    def handle(self, *args, **options):
        from liaison.operations.models import Event, Operation
        from liaison.registry.models import Source
        from liaison.sharing.models import Agency, User

        user = User.objects.filter(username=options["user"], is_active=True).first()
        if user is None:
            raise CommandError(_("No active user “%(name)s”.") % {"name": options["user"]})
        recipient = None
        if options["recipient"]:
            recipient = Agency.objects.filter(short_name=options["recipient"]).first()
            if recipient is None:
                raise CommandError(_("No agency with the short name “%(name)s”.") % {"name": options["recipient"]})
        selection = None
        picks = {}
        for option, model in (("source", Source), ("event", Event), ("operation", Operation)):
            if options[option]:
                record = model.objects.visible_to(user).filter(pk=options[option]).first()
                if record is None:
                    raise CommandError(_("No %(kind)s #%(id)s that %(user)s may see.")
                                       % {"kind": model._meta.verbose_name, "id": options[option], "user": user.username})
                picks[option] = record
        if picks:
            selection = stix.selection_for(**picks)
        description = " ".join(f"{k}={v.pk}" for k, v in picks.items())
        if options["file"] == "-":
            report = stix.export_bundle(user, self.stdout, recipient=recipient, selection=selection, description=description)
        else:
            with open(options["file"], "w", encoding="utf-8") as out:
                report = stix.export_bundle(user, out, recipient=recipient, selection=selection, description=description)
        self.stderr.write(_("%(objects)d STIX objects for %(records)d records written; the strictest marking is "
                            "TLP:%(tlp)s.") % {"objects": report.objects, "records": sum(report.records.values()),
                                               "tlp": report.strictest_tlp})
