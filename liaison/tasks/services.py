"""Starting, running and showing jobs (``TaskRun``), the same way for every task.

- ``start``: one ``TaskRun`` per idempotency key, then the task is queued once the
  row is committed (eager mode: run at once). Asking again with the same key
  returns the same row and queues nothing.
- ``claim`` / ``progress`` / ``finish`` / ``fail``: the worker's side. Each is one
  small UPDATE in autocommit, so the progress page sees it while the job works.
- ``runs_visible_to``: who may see a job: the officer who asked, and the
  administrators of the job's agency. Anyone else gets a 404 (the job does not
  exist for them), as for records (docs/architecture.md).
"""
from __future__ import annotations

import logging
import threading
import time
from contextlib import contextmanager

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


def claim(run_id):
    """Mark the job running; None if it is finished (a duplicate message: nothing to do)."""
    updated = TaskRun.objects.filter(pk=run_id, state__in=[S.QUEUED, S.RUNNING]).update(
        state=S.RUNNING, started_at=Coalesce(F("started_at"), Now()), attempts=F("attempts") + 1)
    return TaskRun.objects.select_related("user", "agency").get(pk=run_id) if updated else None


def progress(run_id, done, total=None, stage=None):
    values = {"done": done}
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
