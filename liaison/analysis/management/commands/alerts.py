"""``liaison alerts run``: report the matches of saved searches that the alerts on
saving missed (bulk loads send no signal; an evaluation that failed). Idempotent:
a record already reported to a saved search is never reported again, so running
it twice, or while officers save records, sends nothing twice. Run it after bulk
loads, and every few minutes from cron or a timer."""
from django.core.management.base import BaseCommand
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

SUBCOMMANDS = ["run"]


class Command(BaseCommand):
    help = gettext_lazy("Alerts of saved searches: `alerts run` reports the new matches not reported yet.")

    def add_arguments(self, parser):
        subparsers = parser.add_subparsers(dest="subcommand", required=True, metavar="SUBCOMMAND")
        subparsers.add_parser("run", help=str(gettext_lazy(
            "Look for records that became visible to the owners of saved searches since the last run and "
            "match them; notify each record once.")))

    def handle(self, *args, **options):
        return getattr(self, f"handle_{options['subcommand']}")(**options)

    def handle_run(self, **options):
        from liaison.analysis.alerts import run_catch_up

        checked, reported = run_catch_up()
        self.stdout.write(_("%(checked)s saved searches checked, %(reported)s new matches reported.")
                          % {"checked": checked, "reported": reported})
