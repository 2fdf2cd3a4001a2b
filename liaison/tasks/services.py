"""Starting, running and showing jobs (``TaskRun``), the same way for every task.

- ``start``: one ``TaskRun`` per idempotency key, then the task is queued once the
  row is committed (eager mode: run at once). Asking again with the same key
  returns the same row and queues nothing.
- ``claim`` / ``progress`` / ``finish`` / ``fail``: the worker's side. Each is one
  small UPDATE in autocommit, so the progress page sees it while the job works.
- ``heartbeat``: while a job runs, ``beat_at`` is written every
  ``TASKS_HEARTBEAT_SECONDS``; ``claim`` drops a second delivery of a job that beats,
  and takes over one whose beat stopped (housekeeping.py queues those again).
- ``runs_visible_to``: who may see a job: the officer who asked, and the
  administrators of the job's agency. Anyone else gets a 404 (the job does not
  exist for them), as for records (docs/architecture.md).
"""
from __future__ import annotations

import logging
import threading
import time
from contextlib import contextmanager
from datetime import timedelta

from django.conf import settings
from django.db import transaction
from django.db.models import F, Q
from django.db.models.functions import Coalesce, Now
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from liaison.tasks.models import TaskRun

log = logging.getLogger(__name__)
S = TaskRun.State


def eager():
    from liaison.tasks.celery_app import app

    return bool(app.conf.task_always_eager)


def dispatch(task, *args, countdown=None, on_error=None, background=False):
    """Queue ``task(*args)`` once the current transaction commits; in eager mode run it now
    (a test's transaction never commits, and eager mode runs in this process anyway).
    ``on_error(exc)``: called instead of raising when the broker does not take the message.
    ``background``: a job with a progress page; without a broker it may run in a thread
    (``TASKS_EAGER_IN_THREAD``, the demo) rather than before the page answers."""

    def send():
        try:
            task.apply_async(args=args, countdown=countdown)
        except Exception as exc:  # noqa: BLE001 - the broker is down or refused the message
            if on_error is None:
                raise
            log.warning("task %s could not be queued", task.name, exc_info=True)
            on_error(exc)

    if not eager():
        transaction.on_commit(send)
    elif background and getattr(settings, "TASKS_EAGER_IN_THREAD", False):
        transaction.on_commit(lambda: _in_thread(send))
    else:
        send()


def _in_thread(function):
    """Run ``function`` in a daemon thread of this process (the demo without a broker),
    closing the thread's database connections afterwards."""
    from django.db import connections

    def run():
        try:
            function()
        except Exception:  # noqa: BLE001 - the job records its own failure
            log.exception("background job thread")
        finally:
            connections.close_all()

    threading.Thread(target=run, name="liaison-job", daemon=True).start()


def start(kind, key, task, *, agency=None, user=None, params=None, total=0):
    """``(run, created)``: the job of ``key``, queued if it is new."""
    params = {"language": translation.get_language() or settings.LANGUAGE_CODE, **(params or {})}
    with transaction.atomic():
        run, created = TaskRun.objects.get_or_create(
            idempotency_key=key,
            defaults={"kind": kind, "agency": agency, "user": user, "params": params, "total": total})
    if created:
        message = _("The job could not be started: the task queue did not answer. Nothing was done. "
                    "Try again in a few minutes; if it fails again, tell your administrator.")
        dispatch(task, run.pk, on_error=lambda exc: fail(run.pk, message), background=True)
    return run, created


def heartbeat_seconds():
    return float(getattr(settings, "TASKS_HEARTBEAT_SECONDS", 30))


def stale_before():
    """A running job whose last beat is older than this has lost its worker (killed, power cut)."""
    return timezone.now() - timedelta(seconds=float(getattr(settings, "TASKS_STALE_SECONDS", 120)))


def claim(run_id):
    """Mark the job running; None if it is finished or another worker is running it now (a
    duplicate message: the broker delivered it again while the job still beats). A running
    job whose beat stopped is taken over: its worker died, and the work is idempotent."""
    alive = Q(state=S.RUNNING, beat_at__gte=stale_before())
    updated = TaskRun.objects.filter(pk=run_id, state__in=[S.QUEUED, S.RUNNING]).exclude(alive).update(
        state=S.RUNNING, started_at=Coalesce(F("started_at"), Now()), attempts=F("attempts") + 1,
        beat_at=timezone.now())
    return TaskRun.objects.select_related("user", "agency").get(pk=run_id) if updated else None


def release(run_id):
    """Back to waiting before a retry, so that the retry's message may claim the job again."""
    TaskRun.objects.filter(pk=run_id, state=S.RUNNING).update(state=S.QUEUED, beat_at=None)


@contextmanager
def heartbeat(run_id):
    """While the job runs in a worker, write ``beat_at`` every ``TASKS_HEARTBEAT_SECONDS`` from a
    thread of its own (the import's long transaction writes no progress meanwhile). In eager mode
    too: a job in a thread of the web process (``TASKS_EAGER_IN_THREAD``) that dies with its
    process stops beating, and ``liaison tasks_housekeeping`` runs it again. A job shorter than
    one interval (every test) never writes a beat: the thread only waits."""
    from django.db import connections

    stop = threading.Event()

    def beat():
        try:
            while not stop.wait(heartbeat_seconds()):
                try:
                    TaskRun.objects.filter(pk=run_id, state=S.RUNNING).update(beat_at=timezone.now())
                except Exception:  # noqa: BLE001 - a missed beat only risks a harmless second run
                    log.warning("job %s: heartbeat not written", run_id, exc_info=True)
        finally:
            connections.close_all()  # this thread's own connections

    thread = threading.Thread(target=beat, name=f"liaison-beat-{run_id}", daemon=True)
    thread.start()
    try:
        yield
    finally:
        stop.set()
        thread.join(timeout=10)


def progress(run_id, done, total=None, stage=None):
    values = {"done": done, "beat_at": timezone.now()}
    if total is not None:
        values["total"] = total
    if stage is not None:
        values["stage"] = stage
    TaskRun.objects.filter(pk=run_id, state=S.RUNNING).update(**values)


def finish(run_id, result=None):
    values = {"state": S.DONE, "finished_at": timezone.now(), "done": F("total"), "error": ""}
    if result is not None:
        values["result"] = result
    TaskRun.objects.filter(pk=run_id).update(**values)


def fail(run_id, error):
    TaskRun.objects.filter(pk=run_id).exclude(state=S.DONE).update(
        state=S.FAILED, finished_at=timezone.now(), error=error)


@contextmanager
def in_language_of(run):
    """Messages the job writes (errors, notices' texts) in the language of the officer who asked."""
    with translation.override(run.params.get("language") or settings.LANGUAGE_CODE):
        yield


@contextmanager
def observed(task_name):
    """Task latency and failures for /metrics (liaison/ops/metrics.py)."""
    from liaison.ops.metrics import observe_task

    began, failed = time.monotonic(), True
    try:
        yield
        failed = False
    finally:
        try:
            observe_task(task_name, time.monotonic() - began, failed=failed)
        except Exception:  # noqa: BLE001 - metrics never break a job
            log.debug("task metrics not recorded", exc_info=True)


def runs_visible_to(user):
    """The jobs ``user`` may see: their own, and every job of their agency for its administrators."""
    from liaison.sharing.models import Role

    if not user.is_authenticated or not user.is_active:
        return TaskRun.objects.none()
    condition = Q(user_id=user.pk)
    if user.agency_id and user.has_role(Role.AGENCY_ADMIN):
        condition |= Q(agency_id=user.agency_id)
    return TaskRun.objects.filter(condition)


def may_list(user):
    from liaison.sharing.models import Role

    return bool(user.is_authenticated and user.agency_id and user.has_role(Role.AGENCY_ADMIN))
