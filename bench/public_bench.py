"""The public side through HTTP: identifier checks, 1 KB text checks and reports, against
gunicorn (2 workers) and PostgreSQL with 100,000 published identifiers.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/liaison_public_bench .venv/bin/python bench/public_bench.py
    ... --identifiers 100000 --clients 8 --seconds 20 --max-requests 20000 [--redis redis://127.0.0.1:6379/9]
    ... --keep-data --kinds identifier,text    (reuse the loaded database; only these kinds)
    ... --client threads                       (Python client threads instead of wrk)

The PostgreSQL database named in DATABASE_URL is DROPPED and re-created (``test``,
``liaison_dev`` and ``postgres`` are refused), migrated, and loaded with N published
identifiers (registry identifiers of one agency and their public listings, bulk_create in
batches): half phones, a fifth IBANs, a fifth crypto wallets (EVM and Tron), a tenth web
addresses. gunicorn then serves ``liaison.wsgi`` on 127.0.0.1 (2 sync workers, DEBUG off,
proof of work at 1 bit). Rate limits are raised out of the way, not switched off: every
request still counts against its client address and its identifiers in Redis (or the
database), as in production, only the ceilings are so high that the benchmark's single
address never reaches them.

The load comes from ``wrk`` (C, one thread, ``--clients`` connections; bench/wrk_public.lua,
``apt-get install wrk``), which leaves the two cores to the server: Python client threads
spent about as much CPU per request as gunicorn's own HTTP handling. ``--client threads``
keeps the earlier client (http.client threads, only 127.0.0.1). Kinds, each for at most
``--seconds`` (threads: and ``--max-requests``):

- identifier: ``POST /api/public/check`` with one identifier as people paste it, half
  published, half not, phones, IBANs, wallets and web addresses in turn, the reader's
  language among en/th/vi/zh;
- text: the same API with a ~1 KB job offer (Thai and English, two identifiers in it);
- report: ``GET /public/report/scam/`` (CSRF token, signed challenge), the nonce found,
  then the timed ``POST`` that stores the report (its identifiers too). With wrk the
  forms are fetched and solved first (the GETs are timed apart: "report form"), then wrk
  sends the POSTs, each once, over ``--report-clients`` connections.

Printed per kind: requests, errors (non-2xx, and 200 answers that are not the expected
page), requests/s, p50, p95 and p99 in ms, the CPU per request of gunicorn, of the
PostgreSQL backends of the database, of redis-server and of the client (from /proc and
getrusage), requests per CPU-second of gunicorn and of the whole server, and the
machine's load average before and after. On a shared machine requests/s move with
whatever else runs; CPU per request moves much less, so it is the figure to compare.
Targets (issue 11): >= 1,000 identifier checks/s with p95 < 50 ms; >= 200 text checks/s per
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
import resource
import shutil
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


_BASE58 = "123456789ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz"


def _base58(n, width):
    out = ""
    while n:
        n, r = divmod(n, 58)
        out = _BASE58[r] + out
    return out.rjust(width, "1")


def identifier(i):
    """(kind, as written, canonical form) of identifier number ``i``: listed ones are
    numbered from LISTED_FROM, unlisted ones from UNLISTED_FROM. By i % 10: five phones
    (written with and without spaces), two IBANs (grouped by four, as banks print them),
    an EVM and a Tron wallet, a web address."""
    kind = i % 10
    if kind < 5:
        return "phone", (phone(i) if kind % 2 else f"+855 12 {i // 1000 % 1000:03d} {i % 1000:03d}"), phone(i)
    if kind < 7:
        from schwifty import IBAN

        iban = IBAN.generate("DE", bank_code="37040044", account_code=f"{i:010d}")
        return "iban", iban.formatted, iban.compact
    if kind == 7:
        wallet = f"0x{i:040x}"
        return "crypto_wallet", wallet, wallet
    if kind == 8:
        wallet = "T" + _base58(i, 33)
        return "crypto_wallet", wallet, wallet
    url = f"https://jobs-{i}.example-offer.xyz/apply"
    return "url", url, url


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

    for i in range(LISTED_FROM, LISTED_FROM + 10):  # the canonical forms are the normaliser's
        kind, written, canonical = identifier(i)
        assert idf.normalize(kind, written, None) == canonical, (kind, written, canonical)
    kh = Country.objects.filter(code="KH").first()
    agency, _ = Agency.objects.get_or_create(short_name="KH-NP", defaults={"name": "Cambodian National Police",
                                                                          "country": kh})
    # The agency the reports from Thailand go to (settings.PUBLIC_REPORT_AGENCIES), as in a deployment.
    Agency.objects.get_or_create(short_name="TH-RTP", defaults={"name": "Royal Thai Police",
                                                               "country": Country.objects.filter(code="TH").first()})
    if not count:
        return
    started = time.perf_counter()
    batch = 5000
    for start in range(0, count, batch):
        made = [identifier(LISTED_FROM + i) for i in range(start, min(count, start + batch))]
        with transaction.atomic():
            rows = Identifier.objects.bulk_create(
                Identifier(owner=agency, kind=kind, value=written, normalized=canonical,
                           country=kh if kind == "phone" else None, is_synthetic=True)
                for kind, written, canonical in made)
            PublishedIdentifier.objects.bulk_create(
                PublishedIdentifier(identifier=row, owner=agency, kind=row.kind, normalized=row.normalized,
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


LANGUAGES = ("en", "th", "vi", "zh")


def identifier_body(rng):
    base = LISTED_FROM if rng.random() < 0.5 else UNLISTED_FROM
    _kind, written, _canonical = identifier(base + rng.randrange(100_000))
    return json.dumps({"text": written, "language": rng.choice(LANGUAGES)})


def text_body(rng):
    return json.dumps({"text": OFFER.format(n=LISTED_FROM + rng.randrange(100_000))[:1024], "language": "th"})


def check_identifier(port, rng):
    body = identifier_body(rng)
    t0 = time.perf_counter()
    status, _c, _b = request(port, "POST", "/api/public/check", body, {"Content-Type": "application/json"})
    return status == 200, time.perf_counter() - t0


def check_text(port, rng):
    body = text_body(rng)
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


REPORT_PATH = "/public/report/scam/"
FORM = "application/x-www-form-urlencoded"


def prepare_report(port, rng):
    """(cookie, body, seconds the form page took): a report ready to send, its proof of work done."""
    t0 = time.perf_counter()
    status, cookie, page = request(port, "GET", REPORT_PATH)
    elapsed = time.perf_counter() - t0
    html = page.decode()
    csrf_cookie = re.search(r"csrftoken=([^;]+)", cookie).group(1)
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', html).group(1)
    challenge = re.search(r'name="challenge" value="([^"]+)"', html).group(1)
    form = {"csrfmiddlewaretoken": token, "challenge": challenge, "nonce": solve(challenge), "website": "",
            "what_happened": "They offered a job in Cambodia and asked for 300 USD for the visa. " * 6,
            "identifiers": f"{phone(LISTED_FROM + rng.randrange(100_000))}\n@hr_kh_jobs",
            "money_lost": "300", "currency": "USD", "country": "TH", "contact": ""}
    return f"csrftoken={csrf_cookie}", urlencode(form), elapsed


def submit_report(port, rng):
    cookie, body, _elapsed = prepare_report(port, rng)
    t0 = time.perf_counter()
    status, _c, answer = request(port, "POST", REPORT_PATH, body, {
        "Content-Type": FORM, "Cookie": cookie, "Referer": f"http://{HOST}:{port}{REPORT_PATH}"})
    return status == 200 and b'id="reference"' in answer, time.perf_counter() - t0


# CPU accounting: the wall-clock figures depend on what else runs on the machine; the
# CPU each request costs in every process involved does much less.

def _ticks(pid, reaped=False):
    """CPU ticks of process ``pid``; with ``reaped``, its finished children's too (gunicorn's
    master: workers replaced after max_requests take their CPU time with them)."""
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
        return int(fields[11]) + int(fields[12]) + (int(fields[13]) + int(fields[14]) if reaped else 0)
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
    """CPU seconds of gunicorn (master, workers, and workers that were replaced), of the
    PostgreSQL backends serving the benchmark's database (those that ended during a run,
    a replaced worker's, are missed), of redis-server, and of this client process."""

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
        return ({g: {pid: _ticks(pid, reaped=pid == self.server_pid) for pid in pids} for g, pids in groups.items()},
                time.process_time())

    def report(self, before, after, requests, client_seconds=None):
        (b, bc), (a, ac) = before, after
        # A worker replaced in between left its whole CPU time in the master's count of
        # reaped children: what it had used before the first snapshot comes off.
        gone = sum(t for pid, t in b["gunicorn"].items() if pid not in a["gunicorn"])
        per = {g: (sum(t - b[g].get(pid, 0) for pid, t in a[g].items()) - (gone if g == "gunicorn" else 0))
               / self.hz * 1000 / requests for g in a}
        server = sum(per.values())
        client = (ac - bc) if client_seconds is None else client_seconds
        return (f"CPU per request: server {server:.2f} ms (gunicorn {per['gunicorn']:.2f}, PostgreSQL "
                f"{per['postgres']:.2f}, Redis {per['redis']:.2f}), client {client * 1000 / requests:.2f} ms; "
                f"per CPU-second: {1000 / max(per['gunicorn'], 1e-9):,.0f} by gunicorn, "
                f"{1000 / max(server, 1e-9):,.0f} by the whole server")


def load_average():
    return "load {:.1f} {:.1f} {:.1f}".format(*os.getloadavg())


def run(kind, fire, port, clients, seconds, max_requests, meter=None):
    """The load from ``clients`` Python threads calling ``fire`` (the ``--client threads`` mode)."""
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
    load_before = load_average()
    before = meter.snapshot() if meter else None
    t0 = time.perf_counter()
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    wall = time.perf_counter() - t0
    if not times:
        print(f"{kind:12s} no successful request ({errors[0]} errors)")
        return
    times.sort()

    def pct(q):
        return times[min(len(times) - 1, int(q * len(times)))] * 1000

    print(f"{kind:12s} {len(times):6d} ok {errors[0]:4d} errors {len(times) / wall:8.1f} req/s   "
          f"p50 {statistics.median(times) * 1000:6.1f} ms   p95 {pct(0.95):6.1f} ms   p99 {pct(0.99):6.1f} ms   "
          f"({clients} client threads; {load_before} before, {load_average()} after)", flush=True)
    if meter:
        print(f"{'':12s} {meter.report(before, meter.snapshot(), len(times) + errors[0])}", flush=True)


WRK_SCRIPT = Path(__file__).resolve().parent / "wrk_public.lua"


def wrk_process(lines, port, path, content_type, connections, seconds, *, expect="", once=False, referer=""):
    """wrk started (bench/wrk_public.lua) on ``lines``, (cookie, body) pairs sent in turn; with
    ``once`` each is sent at most once (wrk stops after as many answers as lines, less those
    in flight). Returns the process and its requests file."""
    threads = 1  # one wrk thread (C, epoll) drives 8-64 connections on a fraction of a core
    connections = max(connections, threads)
    with tempfile.NamedTemporaryFile("w", suffix=".tsv", delete=False, encoding="utf-8") as fh:
        for cookie, body in lines:
            assert "\t" not in cookie and "\n" not in body and "\t" not in body
            fh.write(f"{cookie}\t{body}\n")
    limit = max(1, len(lines) // threads - connections) if once else 0
    command = ["wrk", f"-t{threads}", f"-c{connections}", f"-d{seconds:g}s", "--timeout", "10s", "-s", str(WRK_SCRIPT),
               f"http://{HOST}:{port}{path}", "--", fh.name, content_type, expect, str(limit), str(threads), referer]
    return subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True), fh.name


def wrk_result(kind, process, requests_file, once=False):
    """Waits for wrk; prints and returns its totals (None when it failed). With ``once`` no
    rate is given: wrk's thread stops after its lines, but wrk runs out its duration."""
    stdout, stderr = process.communicate()
    os.unlink(requests_file)
    line = next((x for x in stdout.splitlines() if x.startswith("WRK ")), None)
    if process.returncode != 0 or line is None:
        print(f"{kind:12s} wrk failed ({process.returncode}):\n{stdout}{stderr}", flush=True)
        return None
    r = json.loads(line[4:])
    r["seconds"] = r["duration_us"] / 1e6
    socket_errors = r["connect"] + r["read"] + r["write"] + r["timeout"]
    listed = f", {r['listed']} listed" if r["listed"] else ""
    rate = "each sent once" if once else f"{r['requests'] / r['seconds']:8.1f} req/s"
    print(f"{kind:12s} {r['good']:6d} ok {r['bad'] + socket_errors:4d} errors ({r['status']} non-2xx, "
          f"{r['bad'] - r['status']} other answers, {socket_errors} socket){listed}   "
          f"{rate}   p50 {r['p50'] / 1000:6.1f} ms   "
          f"p95 {r['p95'] / 1000:6.1f} ms   p99 {r['p99'] / 1000:6.1f} ms   max {r['max'] / 1000:6.1f} ms", flush=True)
    return r


def run_wrk(kind, lines, port, path, content_type, connections, seconds, meter, **options):
    """One kind's load from wrk, with the CPU per request of every process and the machine's load."""
    load_before = load_average()
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    before = meter.snapshot()
    r = wrk_result(kind, *wrk_process(lines, port, path, content_type, connections, seconds, **options),
                   once=options.get("once", False))
    after = meter.snapshot()
    used = resource.getrusage(resource.RUSAGE_CHILDREN)
    if r is None:
        return None
    client = (used.ru_utime + used.ru_stime) - (usage.ru_utime + usage.ru_stime)
    print(f"{'':12s} {meter.report(before, after, max(1, r['requests']), client_seconds=client)}", flush=True)
    print(f"{'':12s} wrk, 1 thread, {max(1, connections)} connections, {r['seconds']:.1f} s; {load_before} before, "
          f"{load_average()} after", flush=True)
    return r


def prepared_reports(port, rng, count, meter):
    """``count`` reports ready to send (form page fetched, proof of work done), one after
    the other; prints the form pages' figures (a single client on an otherwise idle server)."""
    before, times, c0 = meter.snapshot(), [], time.process_time()
    lines = []
    for _ in range(count):
        cookie, body, elapsed = prepare_report(port, rng)
        lines.append((cookie, body))
        times.append(elapsed)
    times.sort()
    p50, p95 = statistics.median(times) * 1000, times[int(0.95 * len(times))] * 1000
    print(f"{'report form':12s} {len(times):6d} pages, one at a time: p50 {p50:6.1f} ms   p95 {p95:6.1f} ms",
          flush=True)
    print(f"{'':12s} {meter.report(before, meter.snapshot(), len(times), time.process_time() - c0)} (client: "
          f"fetching and solving)", flush=True)
    return lines


def wrk_kinds(args, port, meter):
    rng = random.Random(7)
    check = "/api/public/check"
    report = {"expect": 'id="reference"', "once": True, "referer": f"http://{HOST}:{port}{REPORT_PATH}"}
    for kind in [k.strip() for k in args.kinds.split(",")]:
        if kind == "identifier":
            lines = [("", identifier_body(rng)) for _ in range(20_000)]
            run_wrk("identifier", lines, port, check, "application/json", args.clients, args.seconds, meter)
        elif kind == "text":
            lines = [("", text_body(rng)) for _ in range(5_000)]
            run_wrk("text 1 KB", lines, port, check, "application/json", args.clients, args.seconds, meter)
        elif kind == "report":
            lines = prepared_reports(port, rng, args.reports + args.report_clients, meter)
            run_wrk("report", lines, port, REPORT_PATH, FORM, args.report_clients, args.seconds, meter, **report)
        elif kind == "mixed":
            # Reports sent while identifier checks keep both workers busy: how long a
            # reporter waits when the site is under its check load.
            lines = prepared_reports(port, rng, args.reports + args.report_clients, meter)
            checks = [("", identifier_body(rng)) for _ in range(20_000)]
            load_before = load_average()
            background = wrk_process(checks, port, check, "application/json", args.clients, args.seconds + 2)
            time.sleep(1)
            wrk_result("report+load", *wrk_process(lines, port, REPORT_PATH, FORM, args.report_clients, args.seconds,
                                                   **report), once=True)
            wrk_result("  the checks", *background)
            print(f"{'':12s} {args.report_clients} report connections while {args.clients} send identifier checks; "
                  f"{load_before} before, {load_average()} after", flush=True)


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
    parser.add_argument("--client", choices=("wrk", "threads"), default="wrk",
                        help="what sends the load: wrk (bench/wrk_public.lua) or Python threads")
    parser.add_argument("--clients", type=int, default=8, help="wrk connections, or client threads")
    parser.add_argument("--report-clients", type=int, default=2,
                        help="wrk connections sending reports (a report is rare next to checks)")
    parser.add_argument("--seconds", type=float, default=20, help="at most this long per kind")
    parser.add_argument("--max-requests", type=int, default=20_000, help="at most this many requests per kind")
    parser.add_argument("--reports", type=int, default=300, help="at most this many reports")
    parser.add_argument("--redis", default="", help="REDIS_URL for the rate-limit counters (else the database)")
    parser.add_argument("--keep-data", action="store_true",
                        help="reuse the database a previous run loaded (migrated again, not dropped nor reloaded)")
    parser.add_argument("--kinds", default="identifier,text,report",
                        help="which kinds to run, comma-separated: identifier, text, report, and with wrk mixed "
                             "(reports sent during identifier checks)")
    parser.add_argument("--threads", type=int, default=1,
                        help="threads per gunicorn worker; more than 1 makes them gthread workers (keep-alive, and "
                             "a worker computes one check while another waits for Redis or PostgreSQL)")
    parser.add_argument("--gunicorn-config", default="",
                        help="gunicorn -c CONFIG, e.g. python:liaison.ops.gunicorn_conf (the production settings: "
                             "the application preloaded, workers replaced after WEB_MAX_REQUESTS); workers and "
                             "address still from this script")
    parser.add_argument("--load", type=int, help=argparse.SUPPRESS)  # internal: the loading child
    args = parser.parse_args()
    if args.load is not None:
        return load(args.load)

    url = os.environ.get("DATABASE_URL", "")
    if not url.startswith("postgres"):
        sys.exit("Set DATABASE_URL to a throw-away PostgreSQL database, e.g. "
                 "postgres://postgres@127.0.0.1:5432/liaison_bench")
    if args.client == "wrk" and not shutil.which("wrk"):
        sys.exit("wrk is not installed (apt-get install wrk), or run with --client threads.")
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
    subprocess.run([python, __file__, "--load", "0" if args.keep_data else str(args.identifiers)], env=env,
                   check=True, cwd=ROOT)

    port = free_port()
    config = ["-c", args.gunicorn_config] if args.gunicorn_config else []
    server = subprocess.Popen([str(ROOT / ".venv" / "bin" / "gunicorn"), *config, "liaison.wsgi", "--workers", "2",
                               "--threads", str(args.threads), "--bind", f"{HOST}:{port}", "--log-level", "warning"],
                              env={**env, "WEB_CONCURRENCY": "2"}, cwd=ROOT)
    try:
        wait_ready(port, server)
        client = (f"wrk, {args.clients} connections ({args.report_clients} for reports)" if args.client == "wrk"
                  else f"{args.clients} client threads")
        kind_of = f"gthread, {args.threads} threads each" if args.threads > 1 else "sync"
        print(f"gunicorn 2 workers ({kind_of}{', ' + args.gunicorn_config if config else ''}) on {HOST}:{port}; "
              f"database {urlsplit(url).path.lstrip('/')}; "
              f"rate-limit counters in {'Redis' if args.redis else 'the database'}; {client}; "
              f"{os.cpu_count()} CPUs shared by server and client; {load_average()}", flush=True)
        rng = random.Random(1)
        kinds = [k.strip() for k in args.kinds.split(",")]
        plan = {"identifier": ("identifier", check_identifier, args.max_requests),
                "text": ("text 1 KB", check_text, args.max_requests), "report": ("report", submit_report, args.reports)}
        if args.client == "threads" and "mixed" in kinds:
            sys.exit("--kinds mixed needs --client wrk")
        for kind in kinds:  # warm both workers
            for _ in range(4):
                plan["identifier" if kind == "mixed" else kind][1](port, rng)
        meter = CpuMeter(server.pid, url)
        if args.client == "wrk":
            wrk_kinds(args, port, meter)
        else:
            for kind in kinds:
                label, fire, most = plan[kind]
                run(label, fire, port, args.clients, args.seconds, most, meter)
    finally:
        server.terminate()
        server.wait(timeout=30)


if __name__ == "__main__":
    main()
