"""``liaison ftm_export --user U [--event N] [--source M] [--recipient AGENCY] -o FILE``: persons,
organisations, identifiers and relationships as FollowTheMoney entities (JSON lines)."""
import sys

from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext as _

from liaison.interop.management.commands._interop_args import user_and_recipient


class Command(BaseCommand):
    help = "Export what the officer may see as FollowTheMoney entities (JSON lines) for Aleph or yente."

    def add_arguments(self, parser):
        parser.add_argument("--user", required=True)
        parser.add_argument("--event", type=int, help="Only this event's persons (and their identifiers and links).")
        parser.add_argument("--source", type=int, help="Only the records citing this source.")
        parser.add_argument("--recipient", help="Short name of the receiving agency (TLP:AMBER goes only to it).")
        parser.add_argument("-o", "--output", help="File to write (default: standard output).")

    def handle(self, *args, **options):
        from liaison.interop import ftm
        from liaison.interop.stix import selection_for
        from liaison.operations.models import Event
        from liaison.registry.models import Source

        user, recipient = user_and_recipient(options)
        selection = None
        if options["event"] or options["source"]:
            event = Event.objects.visible_to(user).filter(pk=options["event"]).first() if options["event"] else None
            source = Source.objects.visible_to(user).filter(pk=options["source"]).first() if options["source"] else None
            if (options["event"] and event is None) or (options["source"] and source is None):
                raise CommandError(_("No such event or source."), returncode=1)
            selection = selection_for(event=event, source=source)
        out = open(options["output"], "w", encoding="utf-8") if options["output"] else sys.stdout
        try:
            report = ftm.export_entities(user, out, recipient=recipient, selection=selection,
                                         description="ftm_export")
        finally:
            if out is not sys.stdout:
                out.close()
        self.stderr.write(_("TLP:%(tlp)s — %(n)d entities.") % {"tlp": report.strictest_tlp, "n": report.objects})
