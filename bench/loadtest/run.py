"""The load test of issue 18: gunicorn + task worker + PostgreSQL under 50 officers, with faults.

    # once: a PostgreSQL cluster of the test's own (it is restarted by --faults), as root
    pg_createcluster 15 load -p 5433 --start   # then trust 127.0.0.1 in its pg_hba.conf, reload
    # the database: a copy of the registry benchmark's million persons, or --persons N
    nice -n 5 .venv/bin/python bench/loadtest/run.py --minutes 10 --users 50 [--faults] [--persons 20000]

Steps (each printed as it happens):

1. ``bench/loadtest/prepare.py`` on ``--database`` (default
   postgres://postgres@127.0.0.1:5433/load): officers, marker records and samples; an
   empty database is first filled with ``--persons`` synthetic persons.
2. A Redis of its own as the broker (``redis-server`` on ``--redis-port``, 6390,
   append-only file on), so that restarting it disturbs nobody else; with ``--faults``,
   small tmpfs file systems mounted on the uploads directory (``MEDIA_ROOT``) and the
   import staging directory (needs root).
3. ``liaison serve`` (gunicorn with liaison/ops/gunicorn_conf.py, ``--web-workers``
   workers) and ``liaison worker`` on that database and broker, with their own
   ``LIAISON_VAR_DIR`` (var/loadtest/run).
4. locust, headless, ``--users`` officers for ``--minutes`` (bench/loadtest/locustfile.py).
5. With ``--faults``, during the run, at fixed fractions of it: kill -9 the task worker
   in the middle of an intake, and again in the middle of a person-list import (then start
   it again); restart PostgreSQL (``pg_ctlcluster 15 load restart``); restart the broker;
   fill the uploads disk and upload (an import file, a request attachment). Each fault
   prints what the application answered (/readyz, the page's status and message).
6. After the load: wait for the jobs, then check that every ``TaskRun`` is done or failed
   with a reason, that the import killed in the middle saved all its rows or none,
   that no intake document is left half-processed, and that ``liaison audit verify``
   passes.

Printed: per kind of request the count, errors, p50/p95/p99 in ms and requests/s; the
total throughput; the visibility violations (markers of records another agency may
not see, in any body read); errors inside and outside the fault windows; the load
average before and after. Exit status 1 when a check fails.
"""
from __future__ import annotations

import argparse
import csv
import json
import os
import random
import shutil
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path

import requests

ROOT = Path(__file__).resolve().parents[2]
HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))
from client import form_fields, login, message_of, post_form  # noqa: E402

VENV = ROOT / ".venv" / "bin"
PAGES = ("person page", "dashboard", "request desk", "request page", "list nationality", "list prefix",
         "search Latn", "search Hani", "search Thai", "search identifier", "search attack (marker)",
         "edit person (form)", "request (form)", "intake (form)", "intake (document page)")


def parse_args():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--minutes", type=float, default=10)
    parser.add_argument("--users", type=int, default=50)
    parser.add_argument("--spawn-rate", type=float, default=5)
    parser.add_argument("--faults", action="store_true", help="inject the faults during the run (needs root)")
    parser.add_argument("--database", default="postgres://postgres@127.0.0.1:5433/load")
    parser.add_argument("--cluster", default="15 load", help="the PostgreSQL cluster restarted by --faults")
    parser.add_argument("--persons", type=int, default=20000, help="persons loaded into an empty database")
    parser.add_argument("--port", type=int, default=8300)
    parser.add_argument("--redis-port", type=int, default=6390)
    parser.add_argument("--web-workers", type=int, default=0, help="gunicorn workers (default: liaison serve's)")
    parser.add_argument("--worker-concurrency", type=int, default=2)
    parser.add_argument("--wait", default="1,5", help="seconds between an officer's actions: min,max")
    parser.add_argument("--out", default=str(ROOT / "var" / "loadtest"))
    return parser.parse_args()


def say(message):
    print(f"[{time.strftime('%H:%M:%S')}] {message}", flush=True)


def loadavg():
    return " ".join(Path("/proc/loadavg").read_text().split()[:3])


class Stack:
    """The processes and mounts of one run; stopped in reverse order whatever happens."""

    def __init__(self, args):
        self.args = args
        self.out = Path(args.out)
        self.var = self.out / "run"
        self.var.mkdir(parents=True, exist_ok=True)
        self.logs = self.out / "logs"
        self.logs.mkdir(parents=True, exist_ok=True)
        self.base = f"http://127.0.0.1:{args.port}"
        self.broker = f"redis://127.0.0.1:{args.redis_port}/0"
        self.env = dict(os.environ,
                        DATABASE_URL=args.database, SECRET_KEY="load-test-only-not-a-secret",
                        ALLOWED_HOSTS="127.0.0.1,localhost", SECURE_COOKIES="0", LIAISON_VAR_DIR=str(self.var),
                        CELERY_BROKER_URL=self.broker, LIAISON_BIND=f"127.0.0.1:{args.port}",
                        LIAISON_SCHEMA_LANGUAGES="none",
                        LOG_FORMAT="text", LOG_REQUESTS="0", LOG_LEVEL="WARNING",
                        PYTHONPATH=str(ROOT))
        self.env.pop("DJANGO_SETTINGS_MODULE", None)
        if args.web_workers:
            self.env["WEB_CONCURRENCY"] = str(args.web_workers)
        self.procs = {}
        self.mounts = []

    # -- processes ----------------------------------------------------------------------
    def spawn(self, name, command, **kwargs):
        log = open(self.logs / f"{name}.log", "ab")
        proc = subprocess.Popen(command, cwd=ROOT, env=self.env, stdout=log, stderr=subprocess.STDOUT,
                                start_new_session=True, **kwargs)
        self.procs[name] = proc
        return proc

    def stop(self, name, sig=signal.SIGTERM, timeout=40):
        proc = self.procs.pop(name, None)
        if proc is None or proc.poll() is not None:
            return
        try:
            os.killpg(proc.pid, sig)
            proc.wait(timeout=timeout)
        except (ProcessLookupError, subprocess.TimeoutExpired):
            try:
                os.killpg(proc.pid, signal.SIGKILL)
            except ProcessLookupError:
                pass
            proc.wait()

    def start_redis(self):
        data = self.var / "redis"
        data.mkdir(exist_ok=True)
        self.spawn("redis", ["redis-server", "--port", str(self.args.redis_port), "--bind", "127.0.0.1",
                             "--dir", str(data), "--appendonly", "yes", "--appendfsync", "everysec",
                             "--save", "", "--protected-mode", "yes"])
        self.wait_for(lambda: subprocess.run(["redis-cli", "-p", str(self.args.redis_port), "ping"],
                                             capture_output=True).stdout.strip() == b"PONG", 20, "redis")

    def start_web(self):
        self.spawn("web", [str(VENV / "liaison"), "serve"])
        self.wait_for(lambda: requests.get(self.base + "/readyz", timeout=5).status_code == 200, 900, "gunicorn")

    def start_worker(self):
        n = sum(1 for k in self.procs if k.startswith("worker"))
        self.spawn("worker", [str(VENV / "liaison"), "worker", "--concurrency", str(self.args.worker_concurrency)])
        time.sleep(1 + n)

    def wait_for(self, ready, seconds, what):
        deadline = time.monotonic() + seconds
        while time.monotonic() < deadline:
            try:
                if ready():
                    return
            except Exception:  # noqa: BLE001 - not up yet
                pass
            time.sleep(0.5)
        raise SystemExit(f"{what} did not start in {seconds} s (logs in {self.logs})")

    # -- mounts -------------------------------------------------------------------------
    def mount_small_disks(self):
        for sub in ("media", "import-staging"):
            path = self.var / sub
            if path.is_mount():
                subprocess.run(["umount", str(path)], check=False)
            if path.exists():
                shutil.rmtree(path)
            path.mkdir(parents=True)
            subprocess.run(["mount", "-t", "tmpfs", "-o", "size=16m,mode=0700", "tmpfs", str(path)], check=True)
            self.mounts.append(path)

    def close(self):
        for name in ("locust", "worker", "web", "redis"):
            self.stop(name)
        for path in self.mounts:
            subprocess.run(["umount", "-l", str(path)], check=False)


# -- the fault driver ---------------------------------------------------------------------

class Faults:
    """Injects the faults at fractions of the run and records what the application answered."""

    def __init__(self, stack, world, seconds):
        self.stack, self.world, self.seconds = stack, world, seconds
        self.windows = []  # (name, start, end) in epoch seconds
        self.notes = []
        self.import_file = None
        self.officer = next(u for u in world["users"] if u["agency"] == "RTP")
        self.session = requests.Session()

    def note(self, text):
        self.notes.append(text)
        say(f"fault: {text}")

    def signed_in(self):
        if not login(self.session, self.stack.base, self.officer):
            raise RuntimeError("the fault driver could not sign in")

    def readyz(self):
        try:
            r = requests.get(self.stack.base + "/readyz", timeout=10)
            return f"{r.status_code} {r.text.strip()}"
        except requests.RequestException as exc:
            return f"no answer ({type(exc).__name__})"

    def run(self):
        plan = [(0.12, self.kill_worker_during_intake), (0.27, self.kill_worker_during_import),
                (0.45, self.restart_postgres), (0.62, self.restart_broker), (0.78, self.fill_uploads_disk)]
        began = time.monotonic()
        for fraction, fault in plan:
            delay = began + fraction * self.seconds - time.monotonic()
            if delay > 0:
                time.sleep(delay)
            start = time.time()
            try:
                fault()
            except Exception as exc:  # noqa: BLE001 - a fault that could not be injected is reported
                self.note(f"{fault.__name__} could not run: {type(exc).__name__}: {exc}")
            self.windows.append((fault.__name__, start, time.time() + 5))

    def worker_pids(self):
        proc = self.stack.procs.get("worker")
        return proc

    def kill_worker(self):
        proc = self.stack.procs.pop("worker")
        os.killpg(proc.pid, signal.SIGKILL)  # the master and its children: a machine-level crash of the worker
        proc.wait()

    def job_of(self, location):
        import re

        match = re.search(r"/tasks/(\d+)/", location or "")
        return int(match.group(1)) if match else None

    def job_state(self, pk):
        r = self.session.get(f"{self.stack.base}/tasks/{pk}/status", timeout=10)
        return r.json() if r.status_code == 200 else {"status_code": r.status_code}

    def kill_worker_during_intake(self):
        self.signed_in()
        page = self.session.get(self.stack.base + "/intake/new/")
        _a, values = form_fields(page.text, "/intake/new/")
        values["text"] = ("On 3 December 2026 the police of Mae Sot rescued 57 foreign nationals and detained 9 "
                          f"suspects at a scam compound. Fault test {time.time_ns()}.")
        values.pop("file", None)
        r = post_form(self.session, self.stack.base + "/intake/new/", values, allow_redirects=False)
        self.kill_worker()
        self.note(f"intake posted ({r.status_code} → {r.headers.get('Location')}); worker killed -9 right after")
        self.intake_document = r.headers.get("Location") or ""
        time.sleep(3)
        self.stack.start_worker()

    def kill_worker_during_import(self):
        self.signed_in()
        rows = 3000
        rng = random.Random(time.time_ns())
        name = f"loadtest-{time.time_ns()}.csv"
        lines = ["name,sex,birth_date,nationality,phone,note"]
        for i in range(rows):
            lines.append(f"FAULT{rng.randrange(10**9)} Person {i},male,19{rng.randint(60, 99)},TH,"
                         f"+66 8{rng.randint(1, 9)} {rng.randint(100, 999)} {rng.randint(1000, 9999)},Load test import {name}")
        data = ("\n".join(lines) + "\n").encode()
        self.import_file = name
        page = self.session.get(self.stack.base + "/registry/import/")
        _a, values = form_fields(page.text, "/registry/import/")
        values.update(distribution="owner", tlp="AMBER")
        values.pop("file", None)
        r = self.session.post(self.stack.base + "/registry/import/", data=values, files={"file": (name, data, "text/csv")},
                              headers={"Referer": self.stack.base + "/registry/import/"})
        _a, confirm = form_fields(r.text, "/import/confirm/")
        if confirm is None:
            raise RuntimeError(f"the import was not accepted for confirmation (status {r.status_code})")
        r = post_form(self.session, self.stack.base + "/registry/import/confirm/", confirm, allow_redirects=False)
        job = self.job_of(r.headers.get("Location"))
        self.import_job = job
        deadline = time.monotonic() + 120
        state = {}
        while time.monotonic() < deadline:
            state = self.job_state(job)
            if state.get("state") == "running" and state.get("done", 0) > 0:
                break
            time.sleep(0.2)
        self.kill_worker()
        self.note(f"import of {rows} rows, job {job}: worker killed -9 at {state}")
        time.sleep(3)
        self.stack.start_worker()

    def restart_postgres(self):
        began = time.monotonic()
        done = {}

        def restart():
            done["result"] = subprocess.run(["pg_ctlcluster", *self.stack.args.cluster.split(), "restart", "-m", "fast"],
                                            capture_output=True, text=True)

        thread = threading.Thread(target=restart)
        thread.start()
        time.sleep(0.3)
        during = self.readyz()
        page = self.page_status("/persons/")
        thread.join()
        self.note(f"PostgreSQL restarted in {time.monotonic() - began:.1f} s "
                  f"(rc {done['result'].returncode}); during it /readyz: {during}; a page: {page}; "
                  f"after: /readyz {self.readyz()}")

    def page_status(self, path):
        try:
            r = self.session.get(self.stack.base + path, timeout=30)
            title = ""
            if "<title>" in r.text:
                title = r.text.split("<title>", 1)[1].split("</title>", 1)[0].strip()
            return f"{r.status_code} “{title[:80]}”"
        except requests.RequestException as exc:
            return f"no answer ({type(exc).__name__})"

    def restart_broker(self):
        self.stack.stop("redis")
        time.sleep(0.5)
        during = self.readyz()
        time.sleep(5)
        self.stack.start_redis()
        time.sleep(1)
        self.note(f"broker stopped for 5 s; /readyz during: {during}; after: {self.readyz()}")

    def fill_uploads_disk(self):
        self.signed_in()
        fillers = []
        for sub in ("media", "import-staging"):
            path = self.stack.var / sub / "filler.bin"
            subprocess.run(["dd", "if=/dev/zero", f"of={path}", "bs=1M", "count=64"], capture_output=True)
            fillers.append(path)
        df = subprocess.run(["df", "-h", str(self.stack.var / "media")], capture_output=True, text=True).stdout
        self.note("uploads disk full: " + df.splitlines()[-1])
        # An import upload stages its file under import-staging.
        page = self.session.get(self.stack.base + "/registry/import/")
        _a, values = form_fields(page.text, "/registry/import/")
        values.update(distribution="owner", tlp="AMBER")
        values.pop("file", None)
        data = f"name,sex,nationality\nFULLDISK Person {time.time_ns()},male,TH\n".encode()
        r = self.session.post(self.stack.base + "/registry/import/", data=values,
                              files={"file": ("full-disk.csv", data, "text/csv")},
                              headers={"Referer": self.stack.base + "/registry/import/"})
        self.note(f"import upload on a full disk: {r.status_code}; {self.message_of(r.text)}")
        # A request's attachment is stored under MEDIA_ROOT: a draft request, then a comment with a file.
        pk = self.create_request()
        page = self.session.get(f"{self.stack.base}/requests/{pk}/")
        _a, values = form_fields(page.text, "/comment/")
        if values is None:
            self.note(f"request {pk} has no comment form")
        else:
            values.pop("file", None)
            values["text"] = "Full-disk test"
            r = self.session.post(f"{self.stack.base}/requests/{pk}/comment/", data=values,
                                  files={"file": ("note.pdf", b"%PDF-1.4\n" + b"0" * 200_000 + b"\n%%EOF\n",
                                                  "application/pdf")},
                                  headers={"Referer": f"{self.stack.base}/requests/{pk}/"})
            self.note(f"request attachment on a full disk: {r.status_code}; {self.message_of(r.text)}")
        strays = [p.name for p in (self.stack.var / "media").rglob("*") if p.is_file() and p.name != "filler.bin"]
        self.note(f"files left in the uploads directory: {len(strays)} {strays[:5]}")
        for path in fillers:
            path.unlink()
        self.note(f"disk freed; /readyz {self.readyz()}")

    def create_request(self):
        """A draft criminal-record check to another agency, through its form; its id."""
        import re

        path = "/requests/new/record_check/"
        page = self.session.get(self.stack.base + path)
        _a, values = form_fields(page.text, path)
        other = next(a for a in self.world["agency_ids"] if a != self.officer["agency"])
        values.update(title="Fault test request", to_agency=str(self.world["agency_ids"][other]),
                      f_purpose="Fault test", persons=str(self.world["agencies"][self.officer["agency"]]["own"][0]),
                      tlp="AMBER")
        r = post_form(self.session, self.stack.base + path, values, allow_redirects=False)
        match = re.search(r"/requests/(\d+)/", r.headers.get("Location", ""))
        if not match:
            raise RuntimeError(f"the request was not created (status {r.status_code}: {self.message_of(r.text)})")
        return int(match.group(1))

    message_of = staticmethod(message_of)


# -- results --------------------------------------------------------------------------------

def read_stats(prefix):
    rows = list(csv.DictReader(open(f"{prefix}_stats.csv", encoding="utf-8")))
    failures = list(csv.DictReader(open(f"{prefix}_failures.csv", encoding="utf-8")))
    return rows, failures


def errors_in_windows(prefix, windows):
    """Failures counted during the fault windows (each window and the 10 s after it),
    from locust's per-second history of the cumulative failure count."""
    path = f"{prefix}_stats_history.csv"
    if not os.path.exists(path):
        return None
    history = [(float(r["Timestamp"]), int(r["Total Failure Count"]))
               for r in csv.DictReader(open(path, encoding="utf-8")) if r["Name"] == "Aggregated"]
    inside, previous = 0, 0
    for at, failures in history:
        if any(start <= at <= end + 10 for _name, start, end in windows):
            inside += failures - previous
        previous = failures
    return inside


def print_table(rows, seconds):
    print(f"\n{'kind of request':40s} {'count':>7s} {'errors':>6s} {'p50':>6s} {'p95':>6s} {'p99':>6s} {'req/s':>6s}")
    for row in sorted(rows, key=lambda r: (r["Name"] == "Aggregated", r["Name"])):
        name = row["Name"] if row["Name"] != "Aggregated" else "ALL"
        print(f"{name[:40]:40s} {int(row['Request Count']):7d} {int(row['Failure Count']):6d} "
              f"{row['50%']:>6s} {row['95%']:>6s} {row['99%']:>6s} {float(row['Requests/s']):6.1f}")


def pages_p95(rows):
    """The p95 of every page request together is not in locust's CSV: the worst kind's."""
    return max((int(r["95%"]) for r in rows if r["Name"] in PAGES and r["95%"] not in ("N/A", "")), default=0)


def after_checks(stack, faults):
    """Jobs done or failed with a reason, the killed import all or nothing, the audit chain."""
    check = subprocess.run(
        [str(VENV / "python"), "-c", CHECK_SCRIPT, json.dumps({
            "import_file": getattr(faults, "import_file", None) if faults else None,
            "import_job": getattr(faults, "import_job", None) if faults else None,
            "intake_document": getattr(faults, "intake_document", None) if faults else None})],
        cwd=ROOT, env=dict(stack.env, DJANGO_SETTINGS_MODULE="liaison.settings"), capture_output=True, text=True)
    print(check.stdout, end="")
    if check.returncode:
        print(check.stderr[-3000:])
    audit = subprocess.run([str(VENV / "liaison"), "audit", "verify"], cwd=ROOT, env=stack.env,
                           capture_output=True, text=True)
    print(f"liaison audit verify: exit {audit.returncode}: {(audit.stdout + audit.stderr).strip()[-400:]}")
    return check.returncode == 0 and audit.returncode == 0


CHECK_SCRIPT = r'''
import json, sys, time
import django
django.setup()
from django.db.models import Q
from liaison.tasks.models import TaskRun
from liaison.registry.models import Person, Source
from liaison.intake.models import Document
args = json.loads(sys.argv[1])
deadline = time.monotonic() + 300
while time.monotonic() < deadline and TaskRun.objects.filter(state__in=["queued", "running"]).exists():
    time.sleep(2)
ok = True
by_state = {}
for run in TaskRun.objects.all():
    by_state.setdefault((run.kind, run.state), 0)
    by_state[(run.kind, run.state)] += 1
print("jobs:", ", ".join(f"{k} {s}: {n}" for (k, s), n in sorted(by_state.items())))
pending = TaskRun.objects.filter(state__in=["queued", "running"])
if pending.exists():
    ok = False
    print("NOT FINISHED after 5 minutes:", [(r.pk, r.kind, r.state, r.stage, r.done, r.total) for r in pending[:20]])
silent = TaskRun.objects.filter(state="failed", error="")
if silent.exists():
    ok = False
    print("FAILED WITHOUT A REASON:", list(silent.values_list("pk", "kind")[:20]))
for run in TaskRun.objects.filter(state="failed")[:10]:
    print(f"  failed job {run.pk} ({run.kind}): {run.error[:160]}")
if args.get("import_file"):
    sources = Source.objects.filter(title=args["import_file"]).count()
    run = TaskRun.objects.filter(pk=args.get("import_job")).first()
    marked = Person.objects.filter(notes="Load test import " + args["import_file"]).count()
    print(f"killed import {args['import_file']}: job {run.state if run else '?'} (attempts {run.attempts if run else '?'}), "
          f"sources {sources}, persons from it {marked}")
    if run and run.state == "done" and not (sources == 1 and marked == 3000):
        ok = False; print("HALF-WRITTEN IMPORT")
    if run and run.state == "failed" and (sources or marked):
        ok = False; print("HALF-WRITTEN IMPORT (failed job left rows)")
import re
document = re.search(r"/documents/(\d+)/", args.get("intake_document") or "")
if document:
    runs = [r for r in TaskRun.objects.filter(kind="intake") if r.params.get("document") == int(document.group(1))]
    doc = Document.objects.filter(pk=int(document.group(1))).first()
    stages = list(doc.stages.values_list("stage", "state")) if doc is not None and hasattr(doc, "stages") else "?"
    print(f"killed intake: document {document.group(1)}, jobs {[(r.pk, r.state, r.attempts) for r in runs]}, "
          f"stages {stages}")
    if not runs or any(r.state not in ("done", "failed") for r in runs):
        ok = False; print("INTAKE JOB NOT FINISHED")
print("checks:", "passed" if ok else "FAILED")
sys.exit(0 if ok else 1)
'''


def main():
    args = parse_args()
    stack = Stack(args)
    world_path = stack.out / "world.json"
    say(f"load average {loadavg()}; preparing {args.database}")
    subprocess.run([str(VENV / "python"), str(HERE / "prepare.py"), "--persons", str(args.persons),
                    "--officers", str(args.users), "--out", str(world_path)],
                   cwd=ROOT, env={k: v for k, v in stack.env.items() if k != "CELERY_BROKER_URL"}, check=True)
    world = json.loads(world_path.read_text())
    prefix = str(stack.out / "locust")
    ok = True
    faults = None
    try:
        if args.faults:
            stack.mount_small_disks()
        stack.start_redis()
        say("starting gunicorn (liaison serve) and the task worker (liaison worker)")
        stack.start_web()
        stack.start_worker()
        seconds = int(args.minutes * 60)
        stack.env.update(LOADTEST_WORLD=str(world_path), LOADTEST_SUMMARY=str(stack.out / "summary.json"),
                         LOADTEST_WAIT=args.wait)
        (stack.out / "summary.json").unlink(missing_ok=True)
        load_before = loadavg()
        say(f"load average {load_before}; locust: {args.users} officers for {seconds} s")
        locust = stack.spawn("locust", [str(VENV / "locust"), "-f", str(HERE / "locustfile.py"), "--headless",
                                        "--users", str(args.users), "--spawn-rate", str(args.spawn_rate),
                                        "--run-time", f"{seconds}s", "--host", stack.base, "--csv", prefix,
                                        "--csv-full-history", "--only-summary", "--stop-timeout", "30"])
        if args.faults:
            faults = Faults(stack, world, seconds)
            thread = threading.Thread(target=faults.run, daemon=True)
            thread.start()
        locust.wait()
        stack.procs.pop("locust", None)
        if faults:  # on a loaded machine the faults can run late: all of them before the checks
            thread.join()
        load_after = loadavg()
        rows, failures = read_stats(prefix)
        print_table(rows, seconds)
        total = next(r for r in rows if r["Name"] == "Aggregated")
        summary = json.loads((stack.out / "summary.json").read_text()) if (stack.out / "summary.json").exists() else {}
        violations = summary.get("violations", [])
        print(f"\nthroughput {float(total['Requests/s']):.1f} requests/s over {seconds} s; "
              f"errors {total['Failure Count']} of {total['Request Count']}; "
              f"visibility violations {len(violations)}; failed sign-ins {len(summary.get('failed_logins', []))}")
        print(f"worst p95 of a page kind: {pages_p95(rows)} ms (target < 300 ms); "
              f"load average {load_before} before, {load_after} after")
        if faults:
            inside = errors_in_windows(prefix, faults.windows)
            if inside is not None:
                print(f"errors inside the fault windows: {inside}; outside: {int(total['Failure Count']) - inside}")
        for failure in failures[:25]:
            print(f"  error: {failure['Method']} {failure['Name']}: {failure['Error'][:150]} × {failure['Occurrences']}")
        for v in violations[:10]:
            print(f"  VIOLATION: {v}")
        ok = not violations
        if faults:
            print("\nfaults:")
            for line in faults.notes:
                print(f"  {line}")
        print()
        ok = after_checks(stack, faults) and ok
    finally:
        stack.close()
    sys.exit(0 if ok else 1)


if __name__ == "__main__":
    main()
