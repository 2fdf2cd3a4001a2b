"""Intake stages as a background job (issue 18): after a document is stored, text →
language → facts proposed run in ``liaison.tasks.intake_stages``, keyed per document,
stage and attempt; the document page shows the job's progress and the stages' states."""
from unittest import mock

import pytest
from django.urls import reverse
from django.utils import timezone

from liaison.intake import services
from liaison.intake.models import ProposedFact
from liaison.tasks import tasks as jobs
from liaison.tasks.models import TaskRun
from tests.factories import login

RAID = "Police raided a scam compound in Myawaddy on 2025-03-04 and arrested 214 suspects."


@pytest.fixture
def as_analyst(client, desk):
    return login(client, desk.analyst)


@pytest.fixture
def broker(monkeypatch):
    """As with a real broker: the job is queued after the commit (which a test's transaction
    never reaches), so it waits until the test runs it as the worker would."""
    monkeypatch.setattr("liaison.tasks.services.eager", lambda: False)


def test_pasting_a_report_runs_its_stages_as_one_job(as_analyst, desk):
    response = as_analyst.post(reverse("intake:upload"), {"text": RAID, "source_kind": "news"}, follow=True)
    document = response.context["document"]
    run = TaskRun.objects.get(kind=TaskRun.Kind.INTAKE)
    assert run.state == "done" and (run.done, run.total) == (3, 3)
    assert run.params == {"language": "en", "document": document.pk, "start": "text"}
    assert run.user == desk.analyst and run.agency == desk.cn
    assert {s.stage: s.state for s in document.stages.all()} == {
        "stored": "ok", "text": "ok", "language": "ok", "propose": "ok", "review": "pending"}
    page = response.content.decode()
    assert "Stored" in page and 'http-equiv="refresh"' not in page  # finished: no reloading


def test_while_the_job_waits_the_page_shows_it_and_refreshes_then_the_worker_runs_it(as_analyst, desk, broker):
    response = as_analyst.post(reverse("intake:upload"), {"text": RAID, "source_kind": "news"}, follow=True)
    document = response.context["document"]
    page = response.content.decode()
    assert "Liaison is reading the document now" in page
    assert "Waiting for a worker to start reading the document" in page and 'http-equiv="refresh"' in page
    assert "Run again" not in page  # one job at a time: a second would replace what the first writes
    run = TaskRun.objects.get(kind=TaskRun.Kind.INTAKE)
    assert run.state == "queued" and not document.proposals.exists()

    jobs.intake_stages.apply(args=[run.pk])  # the worker
    run.refresh_from_db()
    assert run.state == "done"
    page = as_analyst.get(reverse("intake:document", args=[document.pk])).content.decode()
    assert 'http-equiv="refresh"' not in page and "Run again" in page
    assert document.proposals.filter(status=ProposedFact.Status.PROPOSED).exists()


def test_a_double_click_on_run_again_queues_one_job(as_analyst, desk, broker):
    document = services.store(agency=desk.cn, user=desk.analyst, text=RAID).document
    services.process(document)
    url = reverse("intake:rerun", args=[document.pk, "language"])
    as_analyst.post(url)
    second = as_analyst.post(url, follow=True)
    assert TaskRun.objects.filter(kind=TaskRun.Kind.INTAKE).count() == 1
    assert "still reading this document" in second.content.decode()
    run = TaskRun.objects.get()
    assert run.params["start"] == "language" and run.total == 2
    # A message delivered twice (a worker killed before acknowledging): the stages run again,
    # nothing is duplicated, and a finished job is not run a third time.
    jobs.intake_stages.apply(args=[run.pk])
    before = list(document.proposals.values_list("kind", "position"))
    # (Its worker is dead: the job stopped beating. A job that still beats is not run twice.)
    TaskRun.objects.filter(pk=run.pk).update(state="running", beat_at=timezone.now())
    jobs.intake_stages.apply(args=[run.pk])  # dropped: another worker is on it
    assert TaskRun.objects.get(pk=run.pk).state == "running"
    TaskRun.objects.filter(pk=run.pk).update(state="running", beat_at=None)
    jobs.intake_stages.apply(args=[run.pk])
    assert list(document.proposals.values_list("kind", "position")) == before
    assert jobs.intake_stages.apply(args=[run.pk]).result == "finished already"
    # Once it ran, "Run again" is a new job (the stage's attempt moved on).
    as_analyst.post(url)
    assert TaskRun.objects.filter(kind=TaskRun.Kind.INTAKE).count() == 2


def test_a_failed_stage_fails_the_job_with_the_stages_reason(as_analyst, desk):
    with mock.patch("liaison.intake.services._detector", side_effect=ImportError):
        response = as_analyst.post(reverse("intake:upload"), {"text": RAID, "source_kind": "news"}, follow=True)
    run = TaskRun.objects.get(kind=TaskRun.Kind.INTAKE)
    assert run.state == "failed" and "language detector" in run.error
    page = response.content.decode()
    assert "Stored, but “language” failed" in page
    document = response.context["document"]
    assert document.stages.get(stage="propose").state == "pending"  # waits for the failed one


def test_a_job_that_never_ran_can_be_asked_for_again(desk, broker):
    """The queue refused it (the broker was down): the same stage and attempt make a new job."""
    document = services.store(agency=desk.cn, user=desk.analyst, text=RAID).document
    first, created = services.start_stages(document, desk.analyst)
    again, created_again = services.start_stages(document, desk.analyst)
    assert created and not created_again and again.pk == first.pk
    TaskRun.objects.filter(pk=first.pk).update(state="failed", error="The job could not be started")
    retried, created = services.start_stages(document, desk.analyst)
    assert created and retried.pk != first.pk


def test_another_agency_sees_neither_the_document_nor_its_job(client, desk, broker):
    document = services.store(agency=desk.cn, user=desk.analyst, text=RAID).document
    run, _created = services.start_stages(document, desk.analyst)
    login(client, desk.other)
    assert client.get(reverse("intake:document", args=[document.pk])).status_code == 404
    assert client.post(reverse("intake:rerun", args=[document.pk, "text"])).status_code == 404
    assert client.get(reverse("tasks:run", args=[run.pk])).status_code == 404
    assert client.get(reverse("tasks:status", args=[run.pk])).status_code == 404
    assert TaskRun.objects.count() == 1
