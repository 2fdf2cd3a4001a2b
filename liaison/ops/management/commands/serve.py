"""``liaison serve``: collect the static files if they changed, then become gunicorn.

gunicorn's settings come from the environment (liaison/ops/gunicorn_conf.py); the
options here override the two most often changed. The process is replaced by
gunicorn's master (exec), so a supervisor (systemd, a container runtime) signals
gunicorn itself: TERM stops gracefully, HUP reloads the code, TTIN/TTOU add or remove a
worker.
"""
import os
import shutil
import sys
from pathlib import Path

from django.conf import settings
from django.core.management import call_command
from django.core.management.base import BaseCommand
from django.db import connections


class Command(BaseCommand):
    help = ("Serve Liaison with gunicorn (settings from the environment: docs/operations.md). "
            "Collects the static files first when they changed.")

    def add_arguments(self, parser):
        parser.add_argument("--bind", help="address:port or unix:PATH (default LIAISON_BIND or 127.0.0.1:8000)")
        parser.add_argument("--workers", type=int, help="worker processes (default WEB_CONCURRENCY or 2 × cores + 1, "
                                                        "at most 8)")
        parser.add_argument("--no-collectstatic", action="store_true",
                            help="skip collectstatic (when the static files were collected at build time)")
        parser.add_argument("--print-command", action="store_true",
                            help="print the gunicorn command and its settings instead of running it")

    def handle(self, *args, **options):
        if settings.DEBUG:
            self.stderr.write("DEBUG is on: this is not a production configuration.")
        if not options["no_collectstatic"]:
            collect_static(self.stdout)
        env = dict(os.environ)
        if options["bind"]:
            env["LIAISON_BIND"] = options["bind"]
        if options["workers"]:
            env["WEB_CONCURRENCY"] = str(options["workers"])
        env["PROMETHEUS_MULTIPROC_DIR"] = str(prepare_metrics_dir(env.get("PROMETHEUS_MULTIPROC_DIR")))
        command = [sys.executable, "-m", "gunicorn", "-c", "python:liaison.ops.gunicorn_conf"]
        if options["print_command"]:
            shown = {k: env[k] for k in ("LIAISON_BIND", "WEB_CONCURRENCY", "PROMETHEUS_MULTIPROC_DIR") if k in env}
            self.stdout.write(" ".join(f"{k}={v}" for k, v in shown.items()) + " " + " ".join(command))
            return
        connections.close_all()
        sys.stdout.flush()
        sys.stderr.flush()
        os.execve(sys.executable, command, env)


def collect_static(out):
    """``collectstatic`` when the static sources changed since the last collection
    (WhiteNoise compresses every file anew: minutes with brotli), else nothing."""
    from liaison.ops.storage import sources_fingerprint

    stamp = Path(settings.STATIC_ROOT) / ".liaison-collected"
    fingerprint = sources_fingerprint()
    if stamp.exists() and stamp.read_text().strip() == fingerprint and (Path(settings.STATIC_ROOT) /
                                                                        "staticfiles.json").exists():
        return False
    out.write("Collecting the static files (once per release: a few minutes)…")
    call_command("collectstatic", interactive=False, verbosity=0)
    stamp.write_text(fingerprint + "\n")
    return True


def prepare_metrics_dir(path=None):
    """An empty directory for the workers' metric files: figures of a previous run
    would otherwise be added to this one's."""
    directory = Path(path) if path else Path(settings.VAR_DIR) / "prometheus"
    if directory.exists():
        shutil.rmtree(directory)
    directory.mkdir(parents=True, mode=0o700)
    return directory
