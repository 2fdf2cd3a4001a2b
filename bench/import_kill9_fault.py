"""Fault: kill -9 the worker in the middle of an import job, start another, count the rows.

    CELERY_BROKER_URL=redis://127.0.0.1:6379/12 METRICS_QUEUES=liaison-kill9 \
    SECRET_KEY=… DATABASE_URL=postgres://…/liaison_bench_tasks .venv/bin/python bench/import_kill9_fault.py

(the production settings: heartbeat 30 s, a job silent 120 s is queued again by the second
worker's beat, Redis visibility timeout 300 s; add CELERY_VISIBILITY_TIMEOUT=20 to see the
redelivered message find the job still "alive" and be dropped, the housekeeping pass doing it.)

Needs a database with the demo data (bench/import_job_bench.py leaves one) where TH-RTP has
not imported the handover list yet. Starts a worker (``--pool=solo``), queues the 571-row
import as th.officer, sends SIGKILL to the worker once a third of the matching is done,
starts a second worker (with the beat) and waits: the job must end "done", with 571 persons
and one source (queued again by the housekeeping pass once its heartbeat is 120 s old, or
taken over by the broker's redelivery, whichever comes first; the save is not repeated).
"""
import hashlib
import os
import signal
import subprocess
import sys
import tempfile
import time

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
sys.path.insert(0, ROOT)
os.environ["DJANGO_SETTINGS_MODULE"] = "liaison.settings"
import django
django.setup()
from liaison.registry.models import Person, Source
from liaison.sharing.models import User
from liaison.tasks import services, tasks
from liaison.tasks.models import TaskRun
from liaison.registry.views import staged_path

user = User.objects.get(username="th.officer")
data = open(os.path.join(ROOT, "liaison/demo/data/handover_muse_synthetic.csv"), "rb").read()
sha = hashlib.sha256(data).hexdigest()
staged_path(user.pk, sha).write_bytes(data)
before = Person.objects.filter(owner=user.agency).count()


def worker(log, beat=False):
    extra = ["--beat", f"--schedule={tempfile.mkdtemp()}/beat"] if beat else []
    return subprocess.Popen([sys.executable, "-m", "celery", "-A", "liaison.tasks.celery_app", "worker",
                             "--pool=solo", "-Q", os.environ["METRICS_QUEUES"], "--without-gossip", "--without-mingle",
                             "--loglevel=INFO", *extra], stdout=open(log, "w"), stderr=subprocess.STDOUT, cwd=ROOT)


w1 = worker(os.path.join(tempfile.gettempdir(), "liaison-kill9-worker1.log"))
time.sleep(8)
run, _ = services.start(TaskRun.Kind.IMPORT_PERSONS, f"import:kill9:{time.time()}", tasks.import_persons,
                        agency=user.agency, user=user, params={"sha": sha, "filename": "kill9.csv",
                                                                "distribution": "owner", "tlp": "AMBER", "share_with": []})
t0 = time.monotonic()
while True:
    run.refresh_from_db()
    if run.stage == "matching" and run.done > (2 * run.total) // 3 + 50:
        break
    if run.finished or time.monotonic() - t0 > 120:
        sys.exit(f"not killed in time: {run.state} {run.stage} {run.done}/{run.total}")
    time.sleep(0.05)
os.kill(w1.pid, signal.SIGKILL)
w1.wait()
run.refresh_from_db()
print(f"killed -9 at {run.stage} {run.done}/{run.total}, state {run.state}, attempts {run.attempts}")
w2 = worker(os.path.join(tempfile.gettempdir(), "liaison-kill9-worker2.log"), beat=True)
t0 = time.monotonic()
while time.monotonic() - t0 < 400:
    run.refresh_from_db()
    if run.finished:
        break
    time.sleep(1)
print(f"after restart: {run.state} {run.done}/{run.total}, attempts {run.attempts}, {time.monotonic() - t0:.0f} s")
print("persons added:", Person.objects.filter(owner=user.agency).count() - before,
      "sources:", Source.objects.filter(owner=user.agency, title="kill9.csv").count())
w2.send_signal(signal.SIGTERM)
w2.wait(timeout=30)
