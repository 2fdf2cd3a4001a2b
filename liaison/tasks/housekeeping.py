"""The task queue's own upkeep, run every minute by the beat (``liaison.tasks.housekeeping``)
or by ``liaison tasks_housekeeping`` from cron when there is no worker.

- Jobs whose worker died: a running job whose heartbeat stopped more than
  ``TASKS_STALE_SECONDS`` ago is queued again (its work is idempotent); after
  ``TASKS_MAX_ATTEMPTS`` starts it is failed instead, with a reason the officer and
  their administrators read on its page and in "Background jobs". This does not wait
  for the broker to deliver the message again (Redis: after its visibility timeout).
- Jobs that never started: waiting longer than ``TASKS_QUEUED_GIVE_UP_HOURS`` (a message
  the broker lost) are failed with a reason, rather than waiting for ever.
- Pruning: finished jobs are deleted ``TASKS_KEEP_DAYS`` (30) after they ended, failed
  ones after ``TASKS_KEEP_FAILED_DAYS`` (90), so administrators still find the reasons of
  a quarter's failures; one-time form tokens after a day (``once.KEEP``).

Each step is one conditional UPDATE or DELETE: running it twice, or in two workers at
once, does nothing twice.
"""
from __future__ import annotations

import logging
from datetime import timedelta

from django.conf import settings
from django.db.models import Q
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from liaison.tasks import once, services
from liaison.tasks.models import SubmittedForm, TaskRun

log = logging.getLogger(__name__)
S = TaskRun.State


def _setting(name, default):
    return float(getattr(settings, name, default))


def _task_of(kind):
    from liaison.tasks import tasks

    return {TaskRun.Kind.IMPORT_PERSONS: tasks.import_persons, TaskRun.Kind.INTAKE: tasks.intake_stages}.get(kind)


def recover_stalled():
    """``(queued_again, failed)``: running jobs whose worker stopped beating."""
    stale = (TaskRun.objects.filter(state=S.RUNNING)
             .filter(Q(beat_at__lt=services.stale_before()) | Q(beat_at__isnull=True))
             .values_list("pk", "kind", "attempts", "params"))
    again = failed = 0
    for pk, kind, attempts, params in stale:
        task = _task_of(kind)
        if task is None or attempts >= _setting("TASKS_MAX_ATTEMPTS", 8):
            with translation.override(params.get("language") or settings.LANGUAGE_CODE):
                reason = _("The job stopped several times without finishing (the worker running it was "
                           "stopped). Nothing more will be tried. Start it again; if it stops again, "
                           "tell your administrator.")
            failed += TaskRun.objects.filter(pk=pk, state=S.RUNNING).update(
                state=S.FAILED, finished_at=timezone.now(), error=reason)
            continue
        # Only the pass that moves it back to waiting queues it: two passes at once queue it once.
        if TaskRun.objects.filter(pk=pk, state=S.RUNNING).filter(
                Q(beat_at__lt=services.stale_before()) | Q(beat_at__isnull=True)).update(state=S.QUEUED, beat_at=None):
            log.warning("job %s lost its worker: queued again", pk)
            services.dispatch(task, pk, on_error=lambda exc: None)
            again += 1
    return again, failed


def give_up_waiting():
    """Jobs queued long ago that no worker ever started (their message was lost)."""
    before = timezone.now() - timedelta(hours=_setting("TASKS_QUEUED_GIVE_UP_HOURS", 24))
    failed = 0
    for pk, params in TaskRun.objects.filter(state=S.QUEUED, created_at__lt=before).values_list("pk", "params"):
        with translation.override(params.get("language") or settings.LANGUAGE_CODE):
            reason = _("The job waited a day without a worker starting it. Nothing was done. Start it "
                       "again; if it waits again, tell your administrator.")
        failed += TaskRun.objects.filter(pk=pk, state=S.QUEUED).update(
            state=S.FAILED, finished_at=timezone.now(), error=reason)
    return failed


def prune():
    """``(jobs, forms)`` deleted: finished jobs past their keeping time, old one-time tokens."""
    now = timezone.now()
    done_before = now - timedelta(days=_setting("TASKS_KEEP_DAYS", 30))
    failed_before = now - timedelta(days=_setting("TASKS_KEEP_FAILED_DAYS", 90))
    jobs, _counts = TaskRun.objects.filter(
        Q(state=S.DONE, finished_at__lt=done_before) | Q(state=S.FAILED, finished_at__lt=failed_before)).delete()
    forms, _counts = SubmittedForm.objects.filter(created_at__lt=now - once.KEEP).delete()
    return jobs, forms


def run():
    again, stalled_failed = recover_stalled()
    never_started = give_up_waiting()
    jobs, forms = prune()
    return {"queued_again": again, "failed": stalled_failed + never_started, "pruned_jobs": jobs,
            "pruned_forms": forms}
