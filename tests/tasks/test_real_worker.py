"""One import through a real Celery worker and the local Redis broker: the page
answers at once, the worker imports, the job reaches "done".

The worker is a subprocess (``celery worker --pool=solo``) on a queue of this test's
own, reading the test database; it needs the committed rows, so this test runs on
PostgreSQL (the SQLite test database lives in the test process's memory)."""
import os
import signal
import socket
import subprocess
import sys
import time
import uuid

import pytest
from django.db import connection

from liaison.registry.models import Person
from liaison.tasks.celery_app import reconfigure
from liaison.tasks.models import TaskRun
from tests.redis_db import REDIS_URL
from tests.tasks.conftest import ROWS, upload_and_confirm

BROKER = os.environ.get("TEST_CELERY_BROKER_URL", REDIS_URL)
WAIT_SECONDS = 120


def broker_reachable():
    try:
        socket.create_connection(("127.0.0.1", 6379), timeout=1).close()
        return True
    except OSError:
        return False


def database_url():
    s = connection.settings_dict
    auth = s["USER"] + (f":{s['PASSWORD']}" if s["PASSWORD"] else "")
    return f"postgres://{auth}@{s['HOST'] or '127.0.0.1'}:{s['PORT'] or 5432}/{s['NAME']}"


@pytest.fixture
def worker(transactional_db, tmp_path, settings):
    if connection.vendor != "postgresql":
        pytest.skip("the worker process needs a database it can open: runs in the PostgreSQL pass")
    if not broker_reachable():
        pytest.skip(f"no Redis broker at {BROKER}: the real-worker test needs one")
    queue = f"liaison-test-{uuid.uuid4().hex[:8]}"
    settings.LIAISON_IMPORT_STAGING_DIR = tmp_path / "import-staging"
    env = {**os.environ, "DJANGO_SETTINGS_MODULE": "tests.settings", "DATABASE_URL": database_url(),
           "CELERY_BROKER_URL": BROKER, "LIAISON_VAR_DIR": str(tmp_path), "METRICS_QUEUES": queue}
    log = open(tmp_path / "worker.log", "w+")
    proc = subprocess.Popen(
        [sys.executable, "-m", "celery", "-A", "liaison.tasks.celery_app", "worker", "--pool=solo", "-Q", queue,
         "--without-gossip", "--without-mingle", "--without-heartbeat", "--loglevel=INFO"],
        env=env, stdout=log, stderr=subprocess.STDOUT, cwd=settings.BASE_DIR)
    saved = reconfigure(task_always_eager=False, broker_url=BROKER, task_default_queue=queue)
    try:
        yield proc, log
    finally:
        reconfigure(**saved)
        proc.send_signal(signal.SIGTERM)
        try:
            proc.wait(timeout=20)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()
        log.close()
        _forget_queue(queue)


def _forget_queue(queue):
    """Leave the broker's database as found: this test's queue and kombu's bindings of it."""
    import redis

    client = redis.Redis.from_url(BROKER)
    client.delete(queue, *client.keys(f"_kombu.binding*.{queue}"))
    client.close()


def test_an_import_through_a_real_worker_reaches_done(client, w, worker):
    proc, log = worker
    response = upload_and_confirm(client, w.officer)
    assert response.status_code == 302 and response.url.startswith("/tasks/")
    run = TaskRun.objects.get()
    page = client.get(response.url)
    assert page.status_code == 200, "the page answers while the worker imports"
    deadline = time.monotonic() + WAIT_SECONDS
    while time.monotonic() < deadline:
        run.refresh_from_db()
        if run.finished:
            break
        assert proc.poll() is None, _log(log)
        time.sleep(0.5)
    assert run.state == "done", (run.state, run.error, _log(log))
    assert run.done == run.total == 3 * ROWS
    assert Person.objects.filter(owner=w.dh).count() == ROWS
    assert client.get(f"/tasks/{run.pk}/status").json()["percent"] == 100
    text = _log(log)
    assert "liaison.tasks.import_persons" in text and "succeeded" in text, "run by the worker, not in this process"


def _log(log):
    log.seek(0)
    return log.read()[-4000:]
