"""``liaison misp_export --user U --event N [--source M] [--recipient AGENCY] [-o FILE]``: one event
as a MISP event JSON file, with what U (and the recipient) may see under the onward rules."""
import sys

from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext as _

from liaison.interop.management.commands._interop_args import user_and_recipient


class Command(BaseCommand):
    help = "Export an event with its persons, organisations, identifiers and markings as a MISP event (JSON)."

    def add_arguments(self, parser):
        parser.add_argument("--user", required=True, help="The exporting officer (what they may see is exported).")
        parser.add_argument("--event", required=True, type=int, help="Id of the event.")
        parser.add_argument("--source", type=int, help="Also the persons citing this source (e.g. a handover list).")
        parser.add_argument("--recipient", help="Short name of the receiving agency (TLP:AMBER goes only to it).")
        parser.add_argument("-o", "--output", help="File to write (default: standard output).")

    def handle(self, *args, **options):
        from liaison.interop import misp
        from liaison.operations.models import Event
        from liaison.registry.models import Source

        user, recipient = user_and_recipient(options)
        event = Event.objects.visible_to(user).filter(pk=options["event"]).first()
        if event is None:
            raise CommandError(_("No such event."), returncode=1)
        source = None
        if options["source"]:
            source = Source.objects.visible_to(user).filter(pk=options["source"]).first()
            if source is None:
                raise CommandError(_("No such source."), returncode=1)
        try:
            result, report = misp.export_event(user, event, recipient=recipient, source=source,
                                               description=f"misp_export event {event.pk}")
        except misp.MispError as exc:
            raise CommandError(str(exc), returncode=1) from exc
        text = misp.export_json(result)
        if options["output"]:
            with open(options["output"], "w", encoding="utf-8") as out:
                out.write(text)
        else:
            sys.stdout.write(text + "\n")
        self.stderr.write(_("TLP:%(tlp)s — %(n)d records in the MISP event.") % {
            "tlp": report.strictest_tlp, "n": sum(v for k, v in report.records.items() if "." in k)})
