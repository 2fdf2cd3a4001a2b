"""The 571-row handover list imported as a background job: how long the officer's
page waits, and how long each stage of the job takes.

    nice -n 10 .venv/bin/python bench/import_job_bench.py            # a temporary SQLite file
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/liaison_bench nice -n 10 .venv/bin/python bench/import_job_bench.py

Migrates a fresh database (a temporary SQLite file by default; with DATABASE_URL that
PostgreSQL database is DROPPED and re-created; ``test``, ``liaison_dev`` and
``postgres`` are refused), loads the demo data (``liaison demo load``: the registry the
list is matched against), then as CN-MPS's analyst uploads the list, confirms, and
times:

- the confirm request with a broker (``CELERY_BROKER_URL``, default the local Redis on
  database 14, a queue of its own that nothing consumes): what the officer waits for now;
- the job run in this process (eager mode), stage by stage (checked, saved, matched),
  from the progress it writes: what the worker does while the page shows the bar.

Before the task queue the whole of the second figure was spent inside the request.
"""
from __future__ import annotations

import os
import sys
import tempfile
import time
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

ROOT = Path(__file__).resolve().parent.parent
PROTECTED = {"test", "liaison_dev", "postgres", "template0", "template1"}
BROKER = os.environ.get("BENCH_BROKER_URL", "redis://127.0.0.1:6379/14")


def prepare_database():
    url = os.environ.get("DATABASE_URL", "")
    if not url:
        path = Path(tempfile.mkdtemp(prefix="liaison-import-bench-")) / "bench.sqlite3"
        os.environ["DATABASE_URL"] = f"sqlite:///{path}"
        return
    parts = urlsplit(url)
    name = parts.path.lstrip("/")
    if name in PROTECTED:
        sys.exit(f"refusing to drop the database {name!r}")
    import psycopg

    admin = urlunsplit(parts._replace(path="/postgres"))
    with psycopg.connect(admin, autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}"')
        conn.execute(f'CREATE DATABASE "{name}"')


def main():
    prepare_database()
    os.environ.setdefault("SECRET_KEY", "bench-only")
    os.environ["LIAISON_VAR_DIR"] = tempfile.mkdtemp(prefix="liaison-import-bench-var-")
    sys.path.insert(0, str(ROOT))
    os.environ["DJANGO_SETTINGS_MODULE"] = "tests.settings"
    import django

    django.setup()
    from django.core.management import call_command
    from django.test import Client
    from django.test.utils import setup_test_environment

    setup_test_environment()  # the test client keeps the rendered context (the staged upload's sha)

    call_command("migrate", verbosity=0)
    began = time.perf_counter()
    call_command("demo", "load", verbosity=0)
    print(f"demo data loaded in {time.perf_counter() - began:.1f} s")

    from liaison.demo.handover import HANDOVER_CSV
    from liaison.registry.models import Person
    from liaison.sharing.models import User
    from liaison.tasks import services, tasks
    from liaison.tasks.celery_app import reconfigure
    from liaison.tasks.models import TaskRun
    from tests.factories import login

    user = User.objects.get(username="cn.analyst")
    client = Client()

    def upload(name):
        from django.core.files.uploadedfile import SimpleUploadedFile

        login(client, user)
        file = SimpleUploadedFile(name, HANDOVER_CSV.read_bytes(), content_type="text/csv")
        began = time.perf_counter()
        report = client.post("/registry/import/", {"file": file, "distribution": "owner", "tlp": "AMBER"})
        assert report.status_code == 200, report.status_code
        return report.context["pending"]["sha"], time.perf_counter() - began

    # 1. With a broker: the confirm request only queues the job.
    sha, dry_run = upload("handover.csv")
    print(f"dry run (upload and check of 571 rows): {dry_run * 1000:.0f} ms")
    saved = reconfigure(task_always_eager=False, broker_url=BROKER, task_default_queue="liaison-bench-unconsumed")
    try:
        began = time.perf_counter()
        tasks.deliver_webhooks.delay()  # the first publish opens the broker connection
        print(f"first message to the broker (connection): {(time.perf_counter() - began) * 1000:.0f} ms")
        began = time.perf_counter()
        response = client.post("/registry/import/confirm/", {"sha": sha})
        queued = time.perf_counter() - began
        page_began = time.perf_counter()
        page = client.get(response.url)
        page_ms = (time.perf_counter() - page_began) * 1000
    finally:
        reconfigure(**saved)
        import redis

        redis.Redis.from_url(BROKER).delete("liaison-bench-unconsumed")  # the two messages nobody consumes
    assert response.status_code == 302 and page.status_code == 200
    run = TaskRun.objects.get()
    print(f"confirm with a broker: {queued * 1000:.0f} ms to answer (job #{run.pk} {run.state}); "
          f"progress page {page_ms:.0f} ms")

    # 2. The job itself, stage by stage (as a worker runs it).
    marks = []
    real = services.progress

    def timed(run_id, done, total=None, stage=None):
        marks.append((time.perf_counter(), stage, done, total))
        return real(run_id, done, total, stage)

    services.progress = timed
    began = time.perf_counter()
    tasks.import_persons.apply(args=[run.pk]).get()
    ended = time.perf_counter()
    run.refresh_from_db()
    assert run.state == "done", run.error
    stages, last = {}, began
    for at, stage, _done, _total in marks:
        if stage:
            last = at
            stages.setdefault(stage, at)
    order = [s for s in tasks.IMPORT_STAGES if s in stages]
    bounds = [stages[s] for s in order] + [ended]
    print(f"job: {ended - began:.1f} s in all, {len(marks)} progress updates, "
          f"{Person.objects.filter(owner=user.agency).count()} persons of CN-MPS now")
    for stage, start, end in zip(order, bounds, bounds[1:]):
        print(f"  {stage:9s} {end - start:6.1f} s")


if __name__ == "__main__":
    main()
