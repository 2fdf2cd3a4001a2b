"""The public side through HTTP: identifier checks, 1 KB text checks and reports, against
gunicorn (2 workers) and PostgreSQL with 100,000 published identifiers.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/liaison_bench .venv/bin/python bench/public_bench.py
    ... --identifiers 100000 --clients 8 --seconds 20 --max-requests 20000 [--redis redis://127.0.0.1:6379/9]
    ... --keep-data --kinds identifier,text    (reuse the loaded database; only these kinds)

The PostgreSQL database named in DATABASE_URL is DROPPED and re-created (``test``,
``liaison_dev`` and ``postgres`` are refused), migrated, and loaded with N published
phones (registry identifiers of one agency and their public listings, bulk_create in
batches). gunicorn then serves ``liaison.wsgi`` on 127.0.0.1 (2 sync workers, DEBUG off,
rate limits raised out of the way, proof of work at 1 bit). A bounded pool of client
threads (http.client, only 127.0.0.1) runs each kind in turn, each for at most
``--seconds`` and ``--max-requests``:

- identifier: ``POST /api/public/check`` with one phone, half published, half not;
- text: the same API with a ~1 KB job offer (Thai and English, two identifiers in it);
- report: ``GET /public/report/scam/`` (CSRF token, signed challenge), the nonce found,
  then the timed ``POST`` that stores the report (its identifiers too).

Printed per kind: requests, errors, requests/s, p50 and p95 in ms, and the CPU per request
of gunicorn, of the PostgreSQL backends of the database, of redis-server and of the client
threads (from /proc). The client threads share the machine's cores with the server: on a
2-core machine the figures are a floor, and the CPU per request is the steadier figure.
Targets (issue 11): ≥ 1,000 identifier checks/s with p95 < 50 ms; ≥ 200 text checks/s per
core; a report stored in < 200 ms at p95.
"""
from __future__ import annotations

import argparse
import hashlib
import http.client
import json
import os
import random
import re
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path
from urllib.parse import urlencode, urlsplit

ROOT = Path(__file__).resolve().parent.parent

HOST = "127.0.0.1"
LISTED_FROM, UNLISTED_FROM = 100_000, 500_000  # +85512xxxxxx: valid Cambodian mobile numbers
OFFER = ("รับสมัครพนักงานบริการลูกค้าที่กัมพูชา เงินเดือน 50,000 บาท ไม่ต้องมีประสบการณ์ ตั๋วเครื่องบินและวีซ่าฟรี "
         "ติดต่อทาง Telegram @hr_kh_jobs หรือโทร +85512{n:06d} ด่วน! รับจำนวนจำกัด\n"
         "Customer service job in Sihanoukville, USD 1,500 a month, no experience needed, flight and visa paid "
         "by the company. Passport will be kept by HR for the work permit. Contact only on Telegram. Start next "
         "week, places are limited, send your passport photo today. ")


def phone(i):
    return f"+85512{i:06d}"


# Loading (runs inside Django, in a child process) ------------------------------------------

def load(count):
    import django

    django.setup()
    from django.db import transaction

    from liaison import identifiers as idf
    from liaison.core.models import Country
    from liaison.public.models import PublishedIdentifier
    from liaison.registry.models import Identifier
    from liaison.sharing.models import Agency

    assert idf.normalize("phone", phone(LISTED_FROM), None) == phone(LISTED_FROM)
    kh = Country.objects.filter(code="KH").first()
    agency, _ = Agency.objects.get_or_create(short_name="KH-NP", defaults={"name": "Cambodian National Police",
                                                                          "country": kh})
    started = time.perf_counter()
    batch = 5000
    for start in range(0, count, batch):
        with transaction.atomic():
            rows = Identifier.objects.bulk_create(
                Identifier(owner=agency, kind="phone", value=phone(LISTED_FROM + i), normalized=phone(LISTED_FROM + i),
                           country=kh, is_synthetic=True) for i in range(start, min(count, start + batch)))
            PublishedIdentifier.objects.bulk_create(
                PublishedIdentifier(identifier=row, owner=agency, kind="phone", normalized=row.normalized,
                                    category="job_lure", message="Fake job agent (benchmark)") for row in rows)
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")
    print(f"loaded {count:,} published identifiers in {time.perf_counter() - started:.1f} s", flush=True)


# The client --------------------------------------------------------------------------------

def request(port, method, path, body=None, headers=None):
    conn = http.client.HTTPConnection(HOST, port, timeout=30)
    try:
        conn.request(method, path, body=body, headers=headers or {})
        response = conn.getresponse()
        return response.status, response.getheader("Set-Cookie") or "", response.read()
    finally:
        conn.close()


def check_identifier(port, rng):
    base = LISTED_FROM if rng.random() < 0.5 else UNLISTED_FROM
    body = json.dumps({"text": phone(base + rng.randrange(100_000))})
    t0 = time.perf_counter()
    status, _c, _b = request(port, "POST", "/api/public/check", body, {"Content-Type": "application/json"})
    return status == 200, time.perf_counter() - t0


def check_text(port, rng):
    text = OFFER.format(n=LISTED_FROM + rng.randrange(100_000))
    body = json.dumps({"text": text[:1024], "language": "th"})
    t0 = time.perf_counter()
    status, _c, _b = request(port, "POST", "/api/public/check", body, {"Content-Type": "application/json"})
    return status == 200, time.perf_counter() - t0


def solve(challenge):
    payload = challenge.split(":")[0]
    bits = json.loads(__import__("base64").urlsafe_b64decode(payload + "=" * (-len(payload) % 4)))["b"]
    nonce = 0
    while True:
        digest = hashlib.sha256(f"{challenge}:{nonce}".encode()).digest()
        if bits == 0 or int.from_bytes(digest, "big") >> (256 - bits) == 0:
            return str(nonce)
        nonce += 1


def submit_report(port, rng):
    status, cookie, page = request(port, "GET", "/public/report/scam/")
    html = page.decode()
    csrf_cookie = re.search(r"csrftoken=([^;]+)", cookie).group(1)
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', html).group(1)
    challenge = re.search(r'name="challenge" value="([^"]+)"', html).group(1)
    form = {"csrfmiddlewaretoken": token, "challenge": challenge, "nonce": solve(challenge), "website": "",
            "what_happened": "They offered a job in Cambodia and asked for 300 USD for the visa. " * 6,
            "identifiers": f"{phone(LISTED_FROM + rng.randrange(100_000))}\n@hr_kh_jobs",
            "money_lost": "300", "currency": "USD", "country": "TH", "contact": ""}
    body = urlencode(form)
    t0 = time.perf_counter()
    status, _c, answer = request(port, "POST", "/public/report/scam/", body, {
        "Content-Type": "application/x-www-form-urlencoded", "Cookie": f"csrftoken={csrf_cookie}",
        "Referer": f"http://{HOST}:{port}/public/report/scam/"})
    return status == 200 and b'id="reference"' in answer, time.perf_counter() - t0


# CPU accounting: the wall-clock figures depend on what else runs on the machine; the
# CPU each request costs in every process involved does much less.

def _ticks(pid):
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
        return int(fields[11]) + int(fields[12])  # utime + stime
    except (OSError, IndexError, ValueError):
        return 0


def _children(pid):
    out = []
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                if int((entry / "stat").read_text().rsplit(")", 1)[1].split()[1]) == pid:
                    out.append(int(entry.name))
            except (OSError, IndexError, ValueError):
                continue
    return out


def _named(name):
    out = []
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                if (entry / "comm").read_text().strip() == name:
                    out.append(int(entry.name))
            except OSError:
                continue
    return out


class CpuMeter:
    """CPU seconds of gunicorn (master and workers), of the PostgreSQL backends serving
    the benchmark's database, of redis-server, and of this client process."""

    def __init__(self, server_pid, url):
        self.server_pid, self.url = server_pid, url
        self.hz = os.sysconf("SC_CLK_TCK")

    def _backends(self):
        import psycopg

        name = urlsplit(self.url).path.lstrip("/")
        with psycopg.connect(self.url, autocommit=True) as conn:
            return [r[0] for r in conn.execute("SELECT pid FROM pg_stat_activity WHERE datname = %s "
                                               "AND pid <> pg_backend_pid()", [name])]

    def snapshot(self):
        groups = {"gunicorn": [self.server_pid, *_children(self.server_pid)], "postgres": self._backends(),
                  "redis": _named("redis-server")}
        return {g: {pid: _ticks(pid) for pid in pids} for g, pids in groups.items()}, time.process_time()

    def report(self, before, after, requests):
        (b, bc), (a, ac) = before, after
        per = {g: sum(t - b[g].get(pid, 0) for pid, t in a[g].items()) / self.hz * 1000 / requests for g in a}
        server = sum(per.values())
        return (f"CPU per request: server {server:.2f} ms (gunicorn {per['gunicorn']:.2f}, PostgreSQL "
                f"{per['postgres']:.2f}, Redis {per['redis']:.2f}), client {(ac - bc) * 1000 / requests:.2f} ms")


def run(kind, fire, port, clients, seconds, max_requests, meter=None):
    times, errors, lock = [], [0], threading.Lock()
    remaining = [max_requests]
    deadline = time.perf_counter() + seconds

    def worker(seed):
        rng = random.Random(seed)
        while time.perf_counter() < deadline:
            with lock:
                if remaining[0] <= 0:
                    return
                remaining[0] -= 1
            try:
                ok, elapsed = fire(port, rng)
            except (OSError, http.client.HTTPException, AttributeError):
                ok, elapsed = False, 0.0
            with lock:
                if ok:
                    times.append(elapsed)
                else:
                    errors[0] += 1

    threads = [threading.Thread(target=worker, args=(n,)) for n in range(clients)]
    before = meter.snapshot() if meter else None
    t0 = time.perf_counter()
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    wall = time.perf_counter() - t0
    if not times:
        print(f"{kind:10s} no successful request ({errors[0]} errors)")
        return
    times.sort()
    p95 = times[min(len(times) - 1, int(0.95 * len(times)))]
    print(f"{kind:10s} {len(times):6d} ok {errors[0]:4d} errors {len(times) / wall:8.1f} req/s   "
          f"p50 {statistics.median(times) * 1000:6.1f} ms   p95 {p95 * 1000:6.1f} ms", flush=True)
    if meter:
        print(f"{'':10s} {meter.report(before, meter.snapshot(), len(times) + errors[0])}", flush=True)


def free_port():
    with socket.socket() as s:
        s.bind((HOST, 0))
        return s.getsockname()[1]


def wait_ready(port, server, timeout=60):
    t0 = time.time()
    while time.time() - t0 < timeout:
        if server.poll() is not None:
            sys.exit("gunicorn stopped; see its log above")
        try:
            if request(port, "GET", "/public/")[0] == 200:
                return
        except OSError:
            pass
        time.sleep(0.3)
    sys.exit("gunicorn did not answer in time")


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--identifiers", type=int, default=100_000)
    parser.add_argument("--clients", type=int, default=8, help="client threads")
    parser.add_argument("--seconds", type=float, default=20, help="at most this long per kind")
    parser.add_argument("--max-requests", type=int, default=20_000, help="at most this many requests per kind")
    parser.add_argument("--reports", type=int, default=300, help="at most this many reports")
    parser.add_argument("--redis", default="", help="REDIS_URL for the rate-limit counters (else the database)")
    parser.add_argument("--keep-data", action="store_true",
                        help="reuse the database a previous run loaded (migrated again, not dropped nor reloaded)")
    parser.add_argument("--kinds", default="identifier,text,report", help="which kinds to run, comma-separated")
    parser.add_argument("--load", type=int, help=argparse.SUPPRESS)  # internal: the loading child
    args = parser.parse_args()
    if args.load is not None:
        return load(args.load)

    url = os.environ.get("DATABASE_URL", "")
    if not url.startswith("postgres"):
        sys.exit("Set DATABASE_URL to a throw-away PostgreSQL database, e.g. "
                 "postgres://postgres@127.0.0.1:5432/liaison_bench")
    work = Path(tempfile.mkdtemp(prefix="public-bench-"))
    env = {**os.environ, "SECRET_KEY": "bench-only-key", "LIAISON_VAR_DIR": str(work), "DEBUG": "0",
           "DJANGO_SETTINGS_MODULE": "liaison.settings", "ALLOWED_HOSTS": HOST, "LOG_LEVEL": "ERROR",
           "PUBLIC_POW_BITS": "1", "PUBLIC_CHECKS_PER_MINUTE": "100000000",
           "PUBLIC_REPORTS_PER_HOUR": "100000000", "PUBLIC_CHECKS_PER_IDENTIFIER_HOUR": "100000000",
           "PUBLIC_HOTLINES": json.dumps({"TH": [["1441", "AOC"]]}), "PYTHONUNBUFFERED": "1"}
    env.pop("REDIS_URL", None)
    if args.redis:
        try:
            import redis  # noqa: F401  (Django's Redis cache needs it; without it every public page fails)
        except ImportError:
            sys.exit("--redis needs the “redis” package in the virtual environment.")
        env["REDIS_URL"] = args.redis
    # intake_bench's reset drops and re-creates the database, refusing the shared ones.
    sys.path.insert(0, str(Path(__file__).resolve().parent))
    from intake_bench import reset_postgres

    if not args.keep_data:
        reset_postgres(url)
    python, liaison = str(ROOT / ".venv" / "bin" / "python"), str(ROOT / ".venv" / "bin" / "liaison")
    subprocess.run([liaison, "migrate", "-v", "0"], env=env, check=True, cwd=ROOT, stdout=subprocess.DEVNULL)
    subprocess.run([liaison, "collectstatic", "--noinput", "-v", "0"], env=env, check=True, cwd=ROOT)
    if not args.keep_data:
        subprocess.run([python, __file__, "--load", str(args.identifiers)], env=env, check=True, cwd=ROOT)

    port = free_port()
    server = subprocess.Popen([str(ROOT / ".venv" / "bin" / "gunicorn"), "liaison.wsgi", "--workers", "2",
                               "--bind", f"{HOST}:{port}", "--log-level", "warning"], env=env, cwd=ROOT)
    try:
        wait_ready(port, server)
        print(f"gunicorn 2 workers on {HOST}:{port}; database {urlsplit(url).path.lstrip('/')}; "
              f"rate-limit counters in {'Redis' if args.redis else 'the database'}; {args.clients} client threads; "
              f"{os.cpu_count()} CPUs shared by server and client", flush=True)
        rng = random.Random(1)
        kinds = [k.strip() for k in args.kinds.split(",")]
        plan = {"identifier": ("identifier", check_identifier, args.max_requests),
                "text": ("text 1 KB", check_text, args.max_requests), "report": ("report", submit_report, args.reports)}
        for kind in kinds:  # warm both workers
            for _ in range(4):
                plan[kind][1](port, rng)
        for kind in kinds:
            label, fire, most = plan[kind]
            run(label, fire, port, args.clients, args.seconds, most, CpuMeter(server.pid, url))
    finally:
        server.terminate()
        server.wait(timeout=30)


if __name__ == "__main__":
    main()
