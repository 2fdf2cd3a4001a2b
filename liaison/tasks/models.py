"""``TaskRun``: one long job as the officer and their administrators see it.

A row per job, written before the job is queued, keyed by an idempotency key: asking
twice (a double click, a retried request, a message delivered twice by the broker)
finds the same row and runs nothing twice. The worker moves it queued → running →
done or failed and writes its progress (``done`` of ``total``) in its own small
committed updates, so the progress page sees them while the job's own writes wait
in their transaction (an import stays all-or-nothing).

``error`` is what the officer reads: written in the language of the officer who
asked (the task runs under ``reading_as(user)``), with no stack trace and nothing
of records they may not see. The technical reason goes to the worker's log.
"""
from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class TaskRun(models.Model):
    class Kind(models.TextChoices):
        IMPORT_PERSONS = "import_persons", _("Person list import")
        WEBHOOKS = "webhooks", _("Webhook deliveries")
        ALERTS = "alerts", _("Saved-search alerts")
        INTAKE = "intake", _("Document intake")

    class State(models.TextChoices):
        QUEUED = "queued", _("Waiting")
        RUNNING = "running", _("Running")
        DONE = "done", _("Done")
        FAILED = "failed", _("Failed")

    kind = models.CharField(max_length=40, choices=Kind.choices)
    agency = models.ForeignKey("sharing.Agency", null=True, blank=True, on_delete=models.CASCADE, related_name="+")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                             related_name="+")
    idempotency_key = models.CharField(max_length=200, unique=True)
    state = models.CharField(max_length=10, choices=State.choices, default=State.QUEUED, db_index=True)
    stage = models.CharField(max_length=40, blank=True, default="")
    done = models.PositiveIntegerField(default=0)
    total = models.PositiveIntegerField(default=0)
    attempts = models.PositiveSmallIntegerField(default=0)
    # Parameters of the job (no personal data: file names, ids, choices).
    params = models.JSONField(default=dict, blank=True)
    # What the job produced, for the page (counts, the id of the source created...).
    result = models.JSONField(default=dict, blank=True)
    # Shown to the officer, in their language; every problem of a refused import, one per line.
    error = models.TextField(blank=True, default="")
    created_at = models.DateTimeField(auto_now_add=True)
    started_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)
    # The worker running the job writes the time here every HEARTBEAT seconds (services.heartbeat):
    # a message delivered again while the job still beats is dropped; a job whose beat stopped
    # (its worker was killed) is taken over by the next delivery or queued again by the beat's
    # ``liaison.tasks.housekeeping`` pass.
    beat_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["agency", "state", "-created_at"], name="tasks_run_agency_state")]

    def __str__(self):
        return f"{self.kind} #{self.pk} ({self.state})"

    @property
    def finished(self):
        return self.state in (self.State.DONE, self.State.FAILED)

    @property
    def percent(self):
        if self.state == self.State.DONE:
            return 100
        return int(100 * self.done / self.total) if self.total else 0

    def error_lines(self):
        return [line for line in self.error.splitlines() if line.strip()]


class SubmittedForm(models.Model):
    """A form that created something, by its one-time token (``liaison.tasks.once``).

    Written in the transaction that creates the record, before it: a second POST of the
    same form (a double click, the browser resending after a slow answer) waits on the
    unique token, then finds this row and is sent to what the first one created instead
    of creating it again. Rolled back with the record if the save fails, so the officer
    can correct the form and send it again."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    token = models.CharField(max_length=64)
    url = models.CharField(max_length=300, blank=True, default="")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["user", "token"], name="tasks_submitted_form_once")]

    def __str__(self):
        return f"{self.user_id}:{self.token}"
