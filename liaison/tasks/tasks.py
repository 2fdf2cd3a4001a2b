"""The tasks. Each is idempotent (a duplicate message or a retry finds the work
done, or does it again without duplicating rows) and retried with exponential
back-off on transient failures (the database or a file system not answering);
a failure that will not heal (a refused file, a bug) is recorded at once on the
job with a reason the officer can read.

- ``import_persons``: a person list staged by the import page (registry/views.py):
  checked, written in one transaction with the job's "saved" mark (all or nothing,
  exactly once), then matched in chunks, with progress after each.
- ``deliver_webhooks``: one pass of ``requests.webhooks.deliver_due`` (its own
  back-off per delivery); every minute from the worker's beat, and right after a
  request step when ``REQUESTS_WEBHOOKS_ON_COMMIT`` is on.
- ``alerts_pending``: the saved-search alerts of what one transaction saved
  (``analysis.alert_signals``), off the officer's request: the time a save takes no
  longer depends on whose saved searches the record matches.
- ``alerts_catch_up``: ``liaison alerts run``, every ten minutes from the beat.
- ``match_arrivals``: arrival matching of the persons one transaction saved
  (``matching.services.schedule``), with a broker only: without one it stays in the
  process, after the commit. Matching a person again records no pair or hit twice.
- ``intake_stages``: the stages of a stored document (text → language → facts
  proposed, from the one asked for), off the officer's request; progress = stages
  done. Each stage runs in its own transaction and replaces its own outputs only
  (intake/services.py), so a duplicate message or a retry runs it again harmlessly.
- ``housekeeping``: every minute from the beat (housekeeping.py): jobs whose worker died
  queued again, jobs never started failed, old jobs and form tokens pruned.

A job with a page (import, intake) beats while it runs (``services.heartbeat``): a
message the broker delivers again while the job beats is dropped by ``claim``.
"""
from __future__ import annotations

import hashlib
import logging

from django.db import InterfaceError, OperationalError, transaction
from django.utils.translation import gettext as _

from liaison.tasks import services
from liaison.tasks.celery_app import app
from liaison.tasks.models import TaskRun

log = logging.getLogger(__name__)

# Failures worth another try: the database or the disk did not answer this time.
TRANSIENT = (OperationalError, InterfaceError, OSError)
MAX_RETRIES = 5
MATCH_CHUNK = 50


def backoff(retries):
    """Seconds before retry number ``retries + 1``: 5, 10, 20, 40, 80... at most 10 minutes."""
    return min(5 * 2 ** retries, 600)


# Person list import ----------------------------------------------------------------

IMPORT_STAGES = ("checking", "saving", "matching")


def _run_job(task, run_id, name, work, fail, transient_error, bug_error):
    """The life every job with a page shares: claimed once (a message delivered twice finds it
    taken), run in its officer's language, retried with back-off when the database or the disk
    did not answer, and failed with words for the officer (the trace goes to the log only).
    ``transient_error`` and ``bug_error`` are called in the officer's language."""
    run = services.claim(run_id)
    if run is None:
        return "finished already"
    with services.in_language_of(run):
        try:
            with services.observed(name), services.heartbeat(run_id):
                work(run)
        except TRANSIENT as exc:
            if task.request.retries < task.max_retries:
                log.warning("%s job %s: transient failure, retrying", name, run_id, exc_info=True)
                services.release(run_id)
                raise task.retry(exc=exc, countdown=backoff(task.request.retries))
            log.exception("%s job %s failed after %s tries", name, run_id, task.request.retries + 1)
            fail(run_id, transient_error())
        except Exception:  # noqa: BLE001 - recorded on the job, with the trace in the log
            log.exception("%s job %s failed", name, run_id)
            fail(run_id, bug_error())
    return "ok"


@app.task(name="liaison.tasks.import_persons", bind=True, max_retries=MAX_RETRIES, acks_late=True)
def import_persons(self, run_id):
    return _run_job(
        self, run_id, "import_persons", _import, _fail_import,
        lambda: _("The import could not finish (the database or the disk did not answer). "
                  "Nothing was imported. Upload the file again in a few minutes; if it "
                  "fails again, tell your administrator."),
        lambda: _("The import stopped because of an error in Liaison. Nothing was imported. "
                  "Your administrator can see this job in the list of background jobs."))


def _fail_import(run_id, error):
    """Record ``error``, unless the persons were saved already: then only the matching
    after the save failed, which `liaison match run` catches up; the job is done."""
    saved = TaskRun.objects.filter(pk=run_id).values_list("result", flat=True).first() or {}
    if saved.get("source"):
        services.finish(run_id)
    else:
        services.fail(run_id, error)


def _import(run):
    from django.contrib.contenttypes.models import ContentType

    from liaison.matching.services import match_persons
    from liaison.registry import importer
    from liaison.registry.models import Citation, Person
    from liaison.registry.views import staged_path
    from liaison.sharing.models import Agency

    params = run.params
    path = staged_path(run.user_id, params["sha"])
    source_id = run.result.get("source")
    if not source_id:
        data = path.read_bytes() if path.exists() else b""
        if hashlib.sha256(data).hexdigest() != params["sha"]:
            services.fail(run.pk, _("The uploaded file is no longer waiting to be imported (files are kept a "
                                    "day). Nothing was imported. Upload it again."))
            return
        services.progress(run.pk, 0, stage="checking")
        report = importer.validate(data, params["filename"])
        rows = len(report.rows)
        # Progress in rows: checked (done), saved (one step of a third), matched (the rest).
        services.progress(run.pk, rows, total=3 * rows or 1, stage="saving")
        share_with = list(Agency.objects.filter(pk__in=params.get("share_with", [])))
        try:
            with transaction.atomic():
                # The job's row is locked with the import: two deliveries of the same message
                # (a worker killed after the commit, before the acknowledgement) import once.
                locked = TaskRun.objects.select_for_update().get(pk=run.pk)
                if locked.result.get("source"):
                    source_id = locked.result["source"]
                else:
                    importer.import_persons(report, run.agency, user=run.user, distribution=params["distribution"],
                                            tlp=params["tlp"], share_with=share_with, match=False)
                    source_id = report.source.pk
                    TaskRun.objects.filter(pk=run.pk).update(
                        result={"source": source_id, "imported": report.imported, "warnings": len(report.warnings)},
                        done=2 * rows, stage="matching")
        except importer.ImportRefused as exc:
            path.unlink(missing_ok=True)
            services.fail(run.pk, "\n".join([*report.errors, str(exc)]) if report.errors else str(exc))
            return
        path.unlink(missing_ok=True)
    person_ct = ContentType.objects.get_for_model(Person)
    ids = sorted(Citation.objects.filter(source_id=source_id, content_type=person_ct).values_list("object_id", flat=True))
    total = 3 * len(ids) or 1
    services.progress(run.pk, 2 * len(ids), total=total, stage="matching")
    for start in range(0, len(ids), MATCH_CHUNK):
        # Candidate matches and watchlist hits of the new persons (idempotent: a retry
        # after a crash here records no pair twice). A failure leaves the import saved:
        # `liaison match run` catches up, so it does not fail the job.
        try:
            match_persons(ids[start:start + MATCH_CHUNK])
        except TRANSIENT:
            raise
        except Exception:  # noqa: BLE001
            log.exception("import job %s: matching of the imported persons failed", run.pk)
            break
        services.progress(run.pk, 2 * len(ids) + min(start + MATCH_CHUNK, len(ids)))
    run.refresh_from_db(fields=["result"])
    services.finish(run.pk, {**run.result, "source": source_id})


# Webhooks ----------------------------------------------------------------------------

@app.task(name="liaison.tasks.deliver_webhooks", bind=True, max_retries=MAX_RETRIES, acks_late=True)
def deliver_webhooks(self, ids=None):
    """One pass over the due deliveries (all, or those of ``ids``). Each delivery's own
    back-off (1, 2, 4... minutes, requests/webhooks.py) decides when it is due again;
    the beat's pass every minute picks it up then. Claiming is a conditional UPDATE,
    so passes running at once never send a delivery twice."""
    from liaison.requests import webhooks

    try:
        with services.observed("deliver_webhooks"):
            delivered, failed = webhooks.deliver_due(ids=ids)
    except TRANSIENT as exc:
        raise self.retry(exc=exc, countdown=backoff(self.request.retries))
    return {"delivered": delivered, "failed": failed}


# Saved-search alerts --------------------------------------------------------------------

@app.task(name="liaison.tasks.alerts_pending", bind=True, max_retries=MAX_RETRIES, acks_late=True)
def alerts_pending(self, created, widened, assignments):
    """The alerts of what one transaction saved (lists of ids, JSON). Idempotent: a record
    already reported to a saved search is never reported again (SavedSearchMatch)."""
    from liaison.analysis import alerts

    try:
        with services.observed("alerts_pending"):
            return alerts.run_pending(created, widened, assignments)
    except TRANSIENT as exc:
        raise self.retry(exc=exc, countdown=backoff(self.request.retries))


@app.task(name="liaison.tasks.alerts_catch_up", bind=True, max_retries=MAX_RETRIES, acks_late=True)
def alerts_catch_up(self):
    from liaison.analysis import alerts

    try:
        with services.observed("alerts_catch_up"):
            checked, reported = alerts.run_catch_up()
    except TRANSIENT as exc:
        raise self.retry(exc=exc, countdown=backoff(self.request.retries))
    return {"checked": checked, "reported": reported}


# Intake stages ---------------------------------------------------------------------------

@app.task(name="liaison.tasks.intake_stages", bind=True, max_retries=MAX_RETRIES, acks_late=True)
def intake_stages(self, run_id):
    return _run_job(
        self, run_id, "intake_stages", _intake, services.fail,
        lambda: _("The document is stored, but reading it could not finish (the database did "
                  "not answer). Use “Run again” on the document's page in a few minutes."),
        lambda: _("The document is stored, but reading it stopped because of an error in "
                  "Liaison. Use “Run again” on the document's page; if it fails again, tell "
                  "your administrator."))


def _intake(run):
    """Run the document's stages from ``params["start"]`` on, each in its own transaction;
    a failed stage records why on its own row (the document page shows it), fails the job
    with the same words, and leaves the stages after it waiting."""
    from liaison.intake import services as intake
    from liaison.intake.models import Document, Stage

    document = Document.objects.filter(pk=run.params.get("document")).first()
    if document is None:
        services.fail(run.pk, _("The document no longer exists."))
        return
    start = run.params.get("start") or Stage.TEXT
    stages = intake.RUNNABLE[intake.RUNNABLE.index(start):] if start in intake.RUNNABLE else intake.RUNNABLE
    for done, stage in enumerate(stages):
        services.progress(run.pk, done, total=len(stages), stage=str(stage))
        if not intake.run_stage(document, stage):
            failure = intake.failed_stage(document)
            services.fail(run.pk, _("“%(stage)s” failed: %(reason)s") % {
                "stage": failure.get_stage_display(), "reason": failure.message} if failure else
                _("“%(stage)s” failed.") % {"stage": Stage(stage).label})
            return
    intake.refresh_review(document)
    services.finish(run.pk, {"document": document.pk})


# Arrival matching ------------------------------------------------------------------------

@app.task(name="liaison.tasks.match_arrivals", bind=True, max_retries=MAX_RETRIES, acks_late=True)
def match_arrivals(self, person_ids):
    from liaison.matching.services import match_persons

    try:
        with services.observed("match_arrivals"):
            match_persons(person_ids)
    except TRANSIENT as exc:
        raise self.retry(exc=exc, countdown=backoff(self.request.retries))
    return len(person_ids)


# The queue's upkeep --------------------------------------------------------------------------

@app.task(name="liaison.tasks.housekeeping", bind=True, max_retries=MAX_RETRIES, acks_late=True)
def housekeeping(self):
    """Every minute from the beat: jobs whose worker died queued again (or failed after too many
    starts), jobs never started failed with a reason, old jobs and form tokens pruned
    (liaison/tasks/housekeeping.py). Each step is a conditional UPDATE or DELETE: idempotent."""
    from liaison.tasks import housekeeping as upkeep

    try:
        with services.observed("housekeeping"):
            return upkeep.run()
    except TRANSIENT as exc:
        raise self.retry(exc=exc, countdown=backoff(self.request.retries))
