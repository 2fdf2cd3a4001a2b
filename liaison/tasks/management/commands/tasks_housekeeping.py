"""``liaison tasks_housekeeping``: one pass of the task queue's upkeep (liaison/tasks/housekeeping.py).

``liaison worker``'s beat runs it every minute; without a broker (jobs in the web process),
run it from cron every few minutes so that jobs whose process died run again and old jobs
are pruned."""
from django.core.management.base import BaseCommand
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from liaison.tasks import housekeeping


class Command(BaseCommand):
    help = gettext_lazy("Queue again the jobs whose worker died, and delete old finished jobs.")

    def handle(self, *args, **options):
        outcome = housekeeping.run()
        self.stdout.write(_("%(queued_again)s jobs queued again, %(failed)s failed, %(pruned_jobs)s old jobs and "
                            "%(pruned_forms)s old form tokens deleted.") % outcome)
