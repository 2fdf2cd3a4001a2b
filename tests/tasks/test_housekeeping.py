"""The task queue's weak points (issue 18): a killed worker's job runs again without waiting
for the broker, a message delivered twice while its job runs is dropped, old jobs and form
tokens are pruned (failed ones kept longer), and the broker settings hold together."""
from datetime import timedelta

import pytest
from django.conf import settings
from django.core.management import call_command
from django.utils import timezone

from liaison.tasks import housekeeping, services, tasks
from liaison.tasks.models import SubmittedForm, TaskRun
from tests.factories import login

pytestmark = pytest.mark.django_db
S = TaskRun.State


def job(w, key, state, *, beat=None, finished=None, attempts=1, created=None, kind=TaskRun.Kind.IMPORT_PERSONS):
    run = TaskRun.objects.create(kind=kind, agency=w.dh, user=w.officer, idempotency_key=key, state=state,
                                 attempts=attempts, beat_at=beat, finished_at=finished,
                                 params={"language": "th", "sha": "0" * 64, "filename": "x.csv"})
    if created:
        TaskRun.objects.filter(pk=run.pk).update(created_at=created)
    return run


def ago(**delta):
    return timezone.now() - timedelta(**delta)


def test_a_message_delivered_again_while_its_job_runs_is_dropped(w):
    running = job(w, "k1", S.RUNNING, beat=ago(seconds=5))
    assert services.claim(running.pk) is None
    assert TaskRun.objects.get(pk=running.pk).attempts == 1


def test_a_job_whose_worker_stopped_beating_is_taken_over(w):
    dead = job(w, "k2", S.RUNNING, beat=ago(minutes=10))
    claimed = services.claim(dead.pk)
    assert claimed is not None and claimed.attempts == 2 and claimed.beat_at > ago(seconds=5)


def test_housekeeping_queues_a_dead_workers_job_again(w, monkeypatch):
    dead = job(w, "k3", S.RUNNING, beat=ago(minutes=10))
    alive = job(w, "k4", S.RUNNING, beat=ago(seconds=10))
    sent = []
    monkeypatch.setattr(tasks.import_persons, "apply_async", lambda args, **kw: sent.append(args))
    assert housekeeping.recover_stalled() == (1, 0)
    assert sent == [(dead.pk,)]
    assert TaskRun.objects.get(pk=dead.pk).state == S.QUEUED
    assert TaskRun.objects.get(pk=alive.pk).state == S.RUNNING
    assert housekeeping.recover_stalled() == (0, 0), "a second pass queues nothing twice"


def test_a_job_that_keeps_killing_its_worker_is_failed_with_a_reason_the_officer_reads(client, w):
    crashing = job(w, "k5", S.RUNNING, beat=ago(minutes=10), attempts=settings.TASKS_MAX_ATTEMPTS)
    assert housekeeping.recover_stalled() == (0, 1)
    crashing.refresh_from_db()
    assert crashing.state == S.FAILED and crashing.finished_at
    assert "Traceback" not in crashing.error and crashing.error.strip()
    # Shown to their administrator in "Background jobs" (written in the officer's language,
    # params["language"], once the catalogues have the new sentence).
    login(client, w.dh_admin)
    page = client.get("/tasks/").content.decode()
    assert crashing.error.splitlines()[0] in page


def test_a_job_no_worker_ever_started_is_failed_after_a_day(w):
    lost = job(w, "k6", S.QUEUED, created=ago(hours=25))
    waiting = job(w, "k7", S.QUEUED, created=ago(minutes=5))
    assert housekeeping.give_up_waiting() == 1
    assert TaskRun.objects.get(pk=lost.pk).state == S.FAILED
    assert TaskRun.objects.get(pk=waiting.pk).state == S.QUEUED


def test_old_finished_jobs_are_pruned_and_failed_ones_kept_longer(w):
    old_done = job(w, "d1", S.DONE, finished=ago(days=31))
    recent_done = job(w, "d2", S.DONE, finished=ago(days=2))
    month_failed = job(w, "f1", S.FAILED, finished=ago(days=31))
    old_failed = job(w, "f2", S.FAILED, finished=ago(days=91))
    running = job(w, "r1", S.RUNNING, beat=ago(seconds=1), created=ago(days=200))
    fresh_form = SubmittedForm.objects.create(user=w.officer, token="a" * 24)
    old_form = SubmittedForm.objects.create(user=w.colleague, token="b" * 24)
    SubmittedForm.objects.filter(pk=old_form.pk).update(created_at=ago(days=2))
    assert housekeeping.prune() == (2, 1)
    kept = set(TaskRun.objects.values_list("pk", flat=True))
    assert kept == {recent_done.pk, month_failed.pk, running.pk}
    assert not {old_done.pk, old_failed.pk} & kept
    assert list(SubmittedForm.objects.values_list("pk", flat=True)) == [fresh_form.pk]


def test_the_beat_runs_housekeeping_every_minute_and_the_command_runs_it_without_a_broker(w, capsys):
    assert settings.CELERY_BEAT_SCHEDULE["housekeeping"] == {"task": "liaison.tasks.housekeeping", "schedule": 60.0}
    job(w, "d3", S.DONE, finished=ago(days=40))
    assert tasks.housekeeping.apply().get()["pruned_jobs"] == 1
    call_command("tasks_housekeeping")
    assert "0 jobs queued again" in capsys.readouterr().out


def test_a_retry_waits_as_queued_so_that_its_own_message_can_claim_the_job(w):
    running = job(w, "k8", S.RUNNING, beat=ago(seconds=1))
    services.release(running.pk)
    assert services.claim(running.pk) is not None


def test_the_broker_settings_hold_together():
    """Redis redelivers an unacknowledged message after the visibility timeout: it must exceed
    the longest retry countdown (or a waiting retry is run twice) and the time after which a
    silent job counts as dead; the heartbeat must come well within that time."""
    visibility = settings.CELERY_BROKER_TRANSPORT_OPTIONS["visibility_timeout"]
    longest_countdown = max(tasks.backoff(n) for n in range(tasks.MAX_RETRIES))
    assert visibility > longest_countdown and visibility > settings.TASKS_STALE_SECONDS
    assert visibility <= 600, "a killed worker's webhook or alert pass waits at most ten minutes"
    assert settings.TASKS_HEARTBEAT_SECONDS * 3 <= settings.TASKS_STALE_SECONDS
    assert settings.CELERY_TASK_ACKS_LATE and settings.CELERY_TASK_REJECT_ON_WORKER_LOST
    assert settings.CELERY_WORKER_PREFETCH_MULTIPLIER == 1


def test_alerts_go_to_the_demos_thread_not_the_request(w, settings, monkeypatch,
                                                       django_capture_on_commit_callbacks):
    from liaison.analysis import alerts
    from liaison.analysis.models import SavedSearch
    from tests.factories import make_person

    settings.TASKS_EAGER_IN_THREAD = True
    SavedSearch.objects.create(owner=w.colleague, name="Nguyen", kind="search", query="Nguyen")
    threaded, evaluated = [], []
    monkeypatch.setattr(services, "_in_thread", lambda function: threaded.append(function))
    monkeypatch.setattr(alerts, "run_pending", lambda *a, **k: evaluated.append(a))
    with django_capture_on_commit_callbacks(execute=True):
        make_person(w.dh, "Nguyen Van Moi")
    assert evaluated == [] and len(threaded) == 1, "evaluated after the answer, in the demo's thread"
    threaded[0]()
    assert len(evaluated) == 1


def test_an_officer_never_sees_another_agencys_jobs(client, w):
    failed = job(w, "x1", S.FAILED, finished=ago(minutes=1))
    TaskRun.objects.filter(pk=failed.pk).update(error="Row 3: the name is missing.")
    login(client, w.th_admin)
    assert "Row 3" not in client.get("/tasks/").content.decode()
    assert client.get(f"/tasks/{failed.pk}/").status_code == 404
    assert client.get(f"/tasks/{failed.pk}/status").status_code == 404
    login(client, w.th_officer)
    assert client.get("/tasks/").status_code == 404
    assert client.get(f"/tasks/{failed.pk}/").status_code == 404
    login(client, w.dh_admin)
    assert "Row 3: the name is missing." in client.get("/tasks/").content.decode()
