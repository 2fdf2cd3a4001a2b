"""``liaison worker``: a Celery worker of Liaison's task queue, with the beat that
schedules the periodic passes (webhook deliveries every minute, the saved-search
catch-up every ten minutes) unless ``--no-beat``.

Replaces itself with ``celery -A liaison.tasks.celery_app worker`` so that a
supervisor's signals reach Celery (TERM: finish the running tasks, then stop).
Run exactly one worker with the beat (``--no-beat`` on the others): the beat of two
workers would queue each pass twice (harmless, every task is idempotent, but wasted).
"""
import os
import sys
from pathlib import Path

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy


class Command(BaseCommand):
    help = gettext_lazy("Run a worker of the task queue (needs CELERY_BROKER_URL).")
    requires_system_checks = []

    def add_arguments(self, parser):
        parser.add_argument("--concurrency", type=int, default=int(os.environ.get("WORKER_CONCURRENCY", "2")),
                            help="processes running tasks (WORKER_CONCURRENCY, default 2)")
        parser.add_argument("--no-beat", action="store_true", help="do not run the periodic passes in this worker")
        parser.add_argument("--pool", default=os.environ.get("WORKER_POOL", "prefork"),
                            help="prefork (default), solo or threads")
        parser.add_argument("--loglevel", default=os.environ.get("WORKER_LOGLEVEL", "INFO"))

    def handle(self, *args, **options):
        if not settings.CELERY_BROKER_URL:
            raise CommandError(_("CELERY_BROKER_URL is not set: without a broker every job runs inside the web "
                                 "process and no worker is needed. Set it, e.g. CELERY_BROKER_URL=redis://127.0.0.1:6379/1"))
        argv = [sys.executable, "-m", "celery", "-A", "liaison.tasks.celery_app", "worker",
                f"--loglevel={options['loglevel']}", f"--pool={options['pool']}",
                f"--concurrency={options['concurrency']}", "--without-gossip", "--without-mingle"]
        if not options["no_beat"]:
            argv += ["--beat", f"--schedule={settings.VAR_DIR / 'celerybeat-schedule'}"]
        settings.VAR_DIR.mkdir(parents=True, exist_ok=True)
        # Task latency and failures go where `liaison serve`'s /metrics adds up its workers'
        # figures (the same directory; serve empties it when it starts: start workers after it).
        env = dict(os.environ)
        metrics_dir = Path(env.get("PROMETHEUS_MULTIPROC_DIR") or Path(settings.VAR_DIR) / "prometheus")
        metrics_dir.mkdir(parents=True, exist_ok=True)
        env["PROMETHEUS_MULTIPROC_DIR"] = str(metrics_dir)
        self.stdout.flush()
        os.execve(sys.executable, argv, env)
