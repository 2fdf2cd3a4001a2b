"""Background jobs in eager mode (no broker, as in the demo and CI): the person-list
import as a job with progress, its failures and retries, and who may see a job."""
import json

import pytest
from django.db import OperationalError
from django.utils import translation

from liaison.registry import importer
from liaison.registry.models import Person, Source
from liaison.tasks import services, tasks
from liaison.tasks.models import TaskRun
from tests.factories import login
from tests.tasks.conftest import ROWS, small_csv, upload_and_confirm

pytestmark = pytest.mark.django_db


def run_of(response):
    assert response.status_code == 302 and response.url.startswith("/tasks/"), response
    return TaskRun.objects.get(pk=int(response.url.strip("/").split("/")[-1]))


def test_import_runs_as_a_job_whose_progress_reaches_the_total(client, w, staging):
    response = upload_and_confirm(client, w.officer)
    run = run_of(response)
    assert (run.kind, run.state, run.agency, run.user) == ("import_persons", "done", w.dh, w.officer)
    assert run.total == 3 * ROWS and run.done == run.total and run.attempts == 1
    assert run.started_at and run.finished_at and run.error == ""
    assert Person.objects.filter(owner=w.dh).count() == ROWS
    assert run.result["source"] == Source.objects.get(owner=w.dh).pk
    assert not list(staging.iterdir()), "the staged upload is deleted once imported"

    page = client.get(response.url)
    html = page.content.decode()
    assert page.status_code == 200
    assert f"{ROWS} persons imported from muse.csv" in html
    assert f'href="/sources/{run.result["source"]}/"' in html
    assert 'http-equiv="refresh"' not in html, "a finished job's page stops reloading"
    status = client.get(f"/tasks/{run.pk}/status").json()
    assert status["finished"] and status["percent"] == 100 and status["done"] == status["total"] == 3 * ROWS
    assert status["link"] == f"/sources/{run.result['source']}/"


def test_a_waiting_job_page_refreshes_itself_without_javascript(client, w):
    run = TaskRun.objects.create(kind="import_persons", agency=w.dh, user=w.officer, idempotency_key="k-wait",
                                 state="running", stage="matching", done=30, total=60, params={"filename": "a.csv"})
    login(client, w.officer)
    html = client.get(f"/tasks/{run.pk}/").content.decode()
    assert '<noscript><meta http-equiv="refresh" content="3"></noscript>' in html
    assert 'value="30"' in html and 'max="60"' in html and "50 % done" in html
    assert "Looking for matches" in html
    assert f'data-status-url="/tasks/{run.pk}/status"' in html and "tasks/progress.js" in html
    status = client.get(f"/tasks/{run.pk}/status").json()
    assert (status["finished"], status["done"], status["total"], status["percent"]) == (False, 30, 60, 50)


def test_a_double_submit_starts_one_job_and_imports_once(w):
    job = dict(kind=TaskRun.Kind.IMPORT_PERSONS, key="import:double", task=tasks.import_persons,
               agency=w.dh, user=w.officer)
    sha = _stage(w.officer)
    params = {"sha": sha, "filename": "muse.csv", "distribution": "owner", "tlp": "AMBER", "share_with": []}
    first, created = services.start(job["kind"], job["key"], job["task"], agency=w.dh, user=w.officer, params=params)
    second, created_again = services.start(job["kind"], job["key"], job["task"], agency=w.dh, user=w.officer,
                                           params=params)
    assert created and not created_again and first.pk == second.pk
    assert TaskRun.objects.count() == 1 and Person.objects.count() == ROWS
    # The broker delivering the same message again (worker killed before acknowledging): nothing twice.
    assert tasks.import_persons.apply(args=[first.pk]).get() == "finished already"
    assert Person.objects.count() == ROWS and Source.objects.count() == 1


def _stage(user, data=None):
    import hashlib

    from liaison.registry.views import staged_path

    data = data or small_csv()
    sha = hashlib.sha256(data).hexdigest()
    staged_path(user.pk, sha).write_bytes(data)
    return sha


def _job(w, key, data=None, language="en"):
    sha = _stage(w.officer, data)
    with translation.override(language):
        run, _ = services.start(TaskRun.Kind.IMPORT_PERSONS, key, tasks.import_persons, agency=w.dh, user=w.officer,
                                params={"sha": sha, "filename": "muse.csv", "distribution": "owner", "tlp": "AMBER",
                                        "share_with": []})
    run.refresh_from_db()
    return run


def test_a_transient_failure_is_retried_and_duplicates_nothing(w, monkeypatch):
    from liaison.matching import services as matching

    real, calls = matching.match_persons, []

    def flaky(ids, **kwargs):
        calls.append(list(ids))
        if len(calls) == 1:  # the database drops the connection once, after the import committed
            raise OperationalError("server closed the connection unexpectedly")
        return real(ids, **kwargs)

    monkeypatch.setattr(matching, "match_persons", flaky)
    run = _job(w, "import:flaky")
    assert (run.state, run.attempts, run.done, run.total) == ("done", 2, 3 * ROWS, 3 * ROWS)
    assert Person.objects.count() == ROWS and Source.objects.count() == 1, "the retry did not import again"
    assert tasks.backoff(0) == 5 and tasks.backoff(3) == 40 and tasks.backoff(20) == 600


def test_a_refused_import_is_shown_failed_with_the_reason_in_the_officers_language(w):
    assert _job(w, "import:first").state == "done"
    # The same rows again (two uploads confirmed before either finished): refused, nothing written.
    run = _job(w, "import:again", language="th")
    assert run.state == "failed" and run.finished_at
    assert Person.objects.count() == ROWS
    with translation.override("th"):
        expected = translation.gettext("These rows were already imported by %(agency)s on %(date)s (source “%(title)s”); "
                              "nothing was imported again.")
    assert expected.split("%")[0] and expected.split("%")[0] in run.error, run.error
    assert "already imported" not in run.error, "written in Thai, not English"


def test_a_file_gone_before_the_job_ran_fails_with_a_reason(client, w, staging):
    sha = _stage(w.officer)
    for path in staging.iterdir():
        path.write_bytes(b"name\nsomeone else\n")  # replaced between the two steps
    run, _ = services.start(TaskRun.Kind.IMPORT_PERSONS, "import:gone", tasks.import_persons, agency=w.dh,
                            user=w.officer, params={"sha": sha, "filename": "muse.csv", "distribution": "owner",
                                                    "tlp": "AMBER", "share_with": []})
    run.refresh_from_db()
    assert run.state == "failed" and "no longer waiting to be imported" in run.error
    assert not Person.objects.exists()
    login(client, w.officer)
    html = client.get(f"/tasks/{run.pk}/").content.decode()
    assert "Failed" in html and "Upload it again" in html
    assert client.get(f"/tasks/{run.pk}/status").json()["errors"] == run.error_lines()


def test_a_bug_fails_the_job_without_leaking_the_trace(w, monkeypatch):
    def broken(*args, **kwargs):
        raise ValueError("SELECT secret FROM somewhere")

    monkeypatch.setattr(importer, "import_persons", broken)
    run = _job(w, "import:bug")
    assert run.state == "failed" and "error in Liaison" in run.error and "SELECT" not in run.error
    assert not Person.objects.exists()


# Who sees a job ------------------------------------------------------------------------

def test_a_job_exists_only_for_its_officer_and_their_agencys_administrators(client, w):
    run = TaskRun.objects.create(kind="import_persons", agency=w.dh, user=w.officer, idempotency_key="k-seen",
                                 state="failed", error="line 3: birth_date “1990-13” is not a date",
                                 params={"filename": "secret-list.csv"})
    for user, code in ((w.officer, 200), (w.dh_admin, 200), (w.colleague, 404), (w.th_officer, 404),
                       (w.th_admin, 404)):
        login(client, user)
        for url in (f"/tasks/{run.pk}/", f"/tasks/{run.pk}/status"):
            response = client.get(url)
            assert response.status_code == code, (user.username, url)
            if code == 404:
                body = response.content.decode()
                assert "secret-list" not in body and "1990-13" not in body
    # A job that does not exist answers the same as another agency's.
    login(client, w.th_admin)
    assert client.get(f"/tasks/{run.pk + 1000}/").status_code == 404


def test_the_administrators_list_shows_their_agencys_failed_jobs_only(client, w):
    TaskRun.objects.create(kind="import_persons", agency=w.dh, user=w.officer, idempotency_key="dh-failed",
                           state="failed", error="DH reason one\nDH reason two")
    TaskRun.objects.create(kind="import_persons", agency=w.dh, user=w.officer, idempotency_key="dh-done", state="done",
                           params={"filename": "done.csv"})
    TaskRun.objects.create(kind="import_persons", agency=w.th, user=w.th_officer, idempotency_key="th-failed",
                           state="failed", error="TH reason")
    login(client, w.dh_admin)
    html = client.get("/tasks/").content.decode()
    assert "DH reason one" in html and "DH reason two" in html and "TH reason" not in html
    assert "#" + str(TaskRun.objects.get(idempotency_key="dh-done").pk) not in html, "failed jobs first, by default"
    html = client.get("/tasks/?show=all").content.decode()
    assert "Done" in html and "TH reason" not in html
    for user in (w.officer, w.th_officer):
        login(client, user)
        assert client.get("/tasks/").status_code == 404
    client.logout()
    assert client.get("/tasks/").status_code == 302


def test_the_status_answer_carries_no_record_content(client, w):
    response = upload_and_confirm(client, w.officer)
    body = json.dumps(client.get(response.url + "status").json(), ensure_ascii=False)
    assert "LUO" not in body and "罗建华" not in body and "E74703019" not in body


def test_a_broker_that_does_not_answer_fails_the_job_with_a_reason_not_the_page(client, w, monkeypatch):
    from kombu.exceptions import OperationalError as BrokerDown

    def down(*args, **kwargs):
        raise BrokerDown("Error 111 connecting to 127.0.0.1:6379. Connection refused.")

    monkeypatch.setattr(tasks.import_persons, "apply_async", down)
    response = upload_and_confirm(client, w.officer, follow=True)
    assert response.status_code == 200
    run = TaskRun.objects.get()
    assert run.state == "failed" and "the task queue did not answer" in run.error and "6379" not in run.error
    assert "the task queue did not answer" in response.content.decode()
    assert not Person.objects.exists()


def test_the_worker_command_needs_a_broker(settings):
    from django.core.management import CommandError, call_command

    settings.CELERY_BROKER_URL = ""
    with pytest.raises(CommandError, match="CELERY_BROKER_URL is not set"):
        call_command("worker")


@pytest.mark.django_db(transaction=True)
def test_without_a_broker_the_demo_runs_the_import_after_the_page_answered(client, w, settings, monkeypatch):
    """TASKS_EAGER_IN_THREAD (the demo): the confirm answers before the job runs, in a
    thread of the web process, and the progress page then sees it finish."""
    import threading
    import time

    settings.TASKS_EAGER_IN_THREAD = True
    gate = threading.Event()
    real = tasks.import_persons.apply_async

    def held(*args, **kwargs):
        gate.wait(30)  # the job waits until the page has answered
        return real(*args, **kwargs)

    monkeypatch.setattr(tasks.import_persons, "apply_async", held)
    try:
        response = upload_and_confirm(client, w.officer)
        run = run_of(response)
        assert run.state == "queued" and not Person.objects.exists()
        assert client.get(f"/tasks/{run.pk}/status").json()["finished"] is False
        gate.set()
        deadline = time.monotonic() + 60
        while not run.finished and time.monotonic() < deadline:
            time.sleep(0.2)
            run.refresh_from_db()
    finally:
        gate.set()
    assert run.state == "done", run.error
    assert Person.objects.count() == ROWS
