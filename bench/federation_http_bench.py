"""Federation end to end over HTTP (issue 16): two nodes as server processes on PostgreSQL.

    nice .venv/bin/python bench/federation_http_bench.py --persons 100000
    ... --retractions 20      records retracted one at a time while `push --loop` runs
    ... --down 30             seconds the Thai node stays down before the catch-up
    ... --eager               no broker: the Thai node matches arrivals in its request (default: a
                              Redis broker at redis://127.0.0.1:6379/13 and a `liaison worker`)

What runs (all on 127.0.0.1, `tests.settings` with DEBUG off, as tests/federation/test_three_nodes.py):
- databases fed_bench_cn and fed_bench_th on postgres://postgres@127.0.0.1:5432 (dropped and made
  again; th is a copy of cn once migrated and configured: same agencies, officers, nodes and homes);
- this process is the Chinese node's code (it loads, shares and retracts on fed_bench_cn);
- the Thai node: `liaison runserver --noreload` (threaded) and, unless --eager, `liaison worker`;
- the Chinese node's sender: `liaison federation push --loop --interval 1`.

Stages:
1. load N persons of CN-MPS shared with TH-RTP on cn: registry.bulk's COPY loader and the
   outbox entries in bulk (not timed: the officers' sharing is not replication);
2. replication: from starting `push --loop` until the N copies are committed on th (persons/s,
   end to end: forming, signing, HTTP, verifying, applying); checked through th's REST API as
   TH-RTP's officer (the count of persons it sees);
3. retraction: retract K records on cn one at a time; each until th's API answers 404 for its copy
   (p50 / p95; `push --loop` wakes every second);
4. catch-up: th stopped, N more persons shared, th started again after --down seconds: from its
   start until all arrived (the sender's back-off is capped at 5 s here, FEDERATION_MAX_BACKOFF; in
   production it is 300 s, which a node down for an hour waits at most once before the catch-up);
   then no duplicate: 2N copies, one replica each.
"""
import argparse
import os
import random
import signal
import socket
import statistics
import subprocess
import sys
import time
import uuid
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
LIAISON = str(Path(sys.executable).with_name("liaison"))
SERVER = "postgres://postgres@127.0.0.1:5432"
BROKER = "redis://127.0.0.1:6379/13"


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def node_env(name, key, *, broker):
    env = {**os.environ, "DJANGO_SETTINGS_MODULE": "tests.settings", "PYTHONPATH": str(ROOT),
           "DATABASE_URL": f"{SERVER}/fed_bench_{name}", "LIAISON_NODE_NAME": name, "LIAISON_NODE_PRIVATE_KEY": key,
           "STIX_ID_NAMESPACE": str(uuid.uuid5(uuid.NAMESPACE_DNS, f"{name}.liaison.bench")),
           "FEDERATION_MAX_BACKOFF": "5", "DEBUG": "0", "LOG_REQUESTS": os.environ.get("BENCH_LOG_REQUESTS", "0"), "LIAISON_VAR_DIR": f"/tmp/fed_bench_{name}"}
    env["CELERY_BROKER_URL"] = broker or ""
    return env


def admin(sql):
    import psycopg

    with psycopg.connect(f"{SERVER}/postgres", autocommit=True) as conn:
        conn.execute(sql)


def th_sql(query):
    import psycopg

    with psycopg.connect(f"{SERVER}/fed_bench_th") as conn:
        return conn.execute(query).fetchone()


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--persons", type=int, default=10000)
    parser.add_argument("--retractions", type=int, default=20)
    parser.add_argument("--down", type=float, default=30)
    parser.add_argument("--eager", action="store_true")
    parser.add_argument("--timeout", type=float, default=1800)
    args = parser.parse_args()

    from liaison.federation import keys

    cn_key, cn_public = keys.generate()
    th_key, th_public = keys.generate()
    broker = None if args.eager else BROKER
    if broker:
        import redis

        redis.Redis.from_url(broker).flushdb()  # this bench's own database of the broker
    for name in ("th", "cn"):
        admin(f"DROP DATABASE IF EXISTS fed_bench_{name} WITH (FORCE)")
    admin("CREATE DATABASE fed_bench_cn")
    os.environ.update(node_env("cn", cn_key, broker=""))  # this process: the Chinese node, no broker needed
    import django

    django.setup()
    from django.core.management import call_command
    from django.db import connection

    start = time.perf_counter()
    call_command("migrate", verbosity=0)
    th_port = free_port()
    token = configure(cn_public, th_public, th_port)
    connection.close()
    admin("CREATE DATABASE fed_bench_th TEMPLATE fed_bench_cn")
    print(f"migrated and configured both nodes in {time.perf_counter() - start:.0f} s", flush=True)

    processes = {}

    def spawn(label, argv, env):
        processes[label] = subprocess.Popen(argv, env=env, cwd=ROOT, stdout=subprocess.DEVNULL,
                                            stderr=open(f"/tmp/fed_bench_{label}.log", "w"), start_new_session=True)

    def stop(label):
        process = processes.pop(label, None)
        if process and process.poll() is None:
            os.killpg(process.pid, signal.SIGTERM)
            process.wait(timeout=30)

    th_env = node_env("th", th_key, broker=broker)
    th_url = f"http://127.0.0.1:{th_port}"

    def start_th():
        spawn("th", ["nice", "-n", "5", LIAISON, "runserver", "--noreload", "--skip-checks", f"127.0.0.1:{th_port}"], th_env)
        if broker:
            # Matching arrivals is background work: the lowest priority, so that on two shared cores the
            # replication goes first (the bench reports when matching caught up).
            spawn("th-worker", ["nice", "-n", "19", LIAISON, "worker", "--no-beat", "--concurrency", "1"], th_env)
        wait_ready(th_url, processes["th"])

    import requests

    session = requests.Session()
    session.headers["Authorization"] = f"Token {token}"

    def th_sees():
        response = session.get(f"{th_url}/api/persons/", params={"page_size": 1}, timeout=60)
        response.raise_for_status()
        body = response.json()
        return f"{body['count']:,}" + ("" if body.get("count_is_exact", True) else "+ (the API counts to 10,000)")

    def arrived():
        return th_sql("SELECT count(*) FROM federation_replica WHERE object_id IS NOT NULL")[0]

    try:
        n = args.persons
        start = time.perf_counter()
        originals = load(n, 0)
        print(f"loaded {n} persons shared with TH-RTP on cn in {time.perf_counter() - start:.0f} s (not timed)", flush=True)
        start_th()
        cn_env = node_env("cn", cn_key, broker="")
        start = time.perf_counter()
        spawn("push", ["nice", "-n", "5", LIAISON, "federation", "push", "--loop", "--interval", "1"], cn_env)
        wait_until(lambda: arrived() >= n, args.timeout, processes)
        replication_s = time.perf_counter() - start
        seen = th_sees()
        print(f"replication, end to end      {n / replication_s:8.1f} persons/s  ({n} in {replication_s:.1f} s; "
              f"100,000 in {100_000 / (n / replication_s) / 60:.1f} min); TH-RTP's officer sees {seen}", flush=True)
        matched_after(n, start + replication_s, args.timeout, processes, eager=not broker)
        form_s, send_s = split()
        if form_s < 0:  # formed ahead (PostgreSQL): the envelope was ready before th answered the previous one
            print(f"  per envelope of up to 500: sending + applying on th {send_s:.2f} s; formed + signed on cn "
                  f"{-form_s:.2f} s before it could go (while th applied the previous one)", flush=True)
        else:
            print(f"  per envelope of up to 500: forming + signing on cn {form_s:.2f} s, then sending + applying on "
                  f"th {send_s:.2f} s (one after the other: push waits for th's answer)", flush=True)

        latencies = retractions(originals[:args.retractions], session, th_url)
        if latencies:
            latencies.sort()
            p95 = latencies[min(len(latencies) - 1, int(round(0.95 * (len(latencies) - 1))))]
            print(f"retraction gone from th      p50 {statistics.median(latencies):.2f} s   p95 {p95:.2f} s   "
                  f"max {latencies[-1]:.2f} s   (of {len(latencies)}, push --loop every 1 s)", flush=True)

        stop("th-worker")
        stop("th")
        down = time.perf_counter()
        load(n, n)
        time.sleep(max(0.0, args.down - (time.perf_counter() - down)))
        start_th()
        start = time.perf_counter()
        wait_until(lambda: arrived() >= 2 * n, args.timeout, processes)
        catch_up_s = time.perf_counter() - start
        print(f"catch-up after {start - down:.0f} s down  {n / catch_up_s:8.1f} persons/s  "
              f"({n} in {catch_up_s:.1f} s, from th's start, back-off included)", flush=True)
        matched_after(2 * n, start + catch_up_s, args.timeout, processes, eager=not broker)
        persons, replicas, distinct = th_sql(
            "SELECT (SELECT count(*) FROM registry_person), count(*), count(DISTINCT stix_id) FROM federation_replica")
        print(f"on th: {persons} persons, {replicas} replicas, {distinct} distinct: "
              f"{'no duplicate' if persons == replicas == distinct == 2 * n else 'DUPLICATES OR MISSING'}; "
              f"TH-RTP's officer sees {th_sees()} (retracted ones excepted)", flush=True)
    finally:
        for label in list(processes):
            stop(label)


def matched_after(n, replicated_at, timeout, processes, *, eager):
    """Wait until th's matching has keyed ``n`` persons; print how long after the replication."""
    if eager:
        return
    wait_until(lambda: th_sql("SELECT count(DISTINCT person_id) FROM matching_matchkey")[0] >= n, timeout, processes)
    print(f"  th's worker matched them all {time.perf_counter() - replicated_at:.0f} s after the last copy arrived",
          flush=True)


def split():
    """Mean seconds per envelope from the previous envelope's answer to this one's batch row (forming
    it; negative when it was formed ahead, while th applied the previous one) and from when it could
    go (its batch row, or the previous answer if later) to th's answer (sending and applying it)."""
    from liaison.federation.models import OutboxBatch

    batches = list(OutboxBatch.objects.filter(delivered_at__isnull=False).order_by("pk").values_list("created_at", "delivered_at"))
    pairs = [((b[0] - a[1]).total_seconds(), (b[1] - max(b[0], a[1])).total_seconds()) for a, b in zip(batches, batches[1:])]
    pairs = [p for p in pairs if p[0] < 10] or [(0.0, 0.0)]  # not the waits between runs
    return statistics.mean(p[0] for p in pairs), statistics.mean(p[1] for p in pairs)


def configure(cn_public, th_public, th_port):
    """Agencies, the Thai officer's API token, the nodes and homes: the same rows on both nodes."""
    from liaison.core.models import Country
    from liaison.federation.models import AgencyHome, Node
    from liaison.sharing.models import Agency, Role, User
    from liaison.sharing.tokens import ApiToken

    cn = Agency.objects.create(name="Ministry of Public Security", short_name="CN-MPS", country=Country.objects.get(code="CN"))
    th = Agency.objects.create(name="Royal Thai Police", short_name="TH-RTP", country=Country.objects.get(code="TH"))
    User.objects.create_user(username="cn.liaison", password="x", agency=cn, roles=[Role.LIAISON_OFFICER])
    officer = User.objects.create_user(username="th.officer", password="x", agency=th, roles=[Role.ANALYST])
    nodes = {"cn": Node.objects.create(name="cn", base_url="http://127.0.0.1:1/", public_key=cn_public),
             "th": Node.objects.create(name="th", base_url=f"http://127.0.0.1:{th_port}/", public_key=th_public)}
    AgencyHome.objects.create(agency=cn, node=nodes["cn"])
    AgencyHome.objects.create(agency=th, node=nodes["th"])
    return ApiToken.issue(officer, "bench", days=1)[1]


SYLLABLES = ["an", "bo", "chen", "da", "fei", "gang", "hui", "jun", "kai", "li", "ming", "ning", "ping", "qiang",
             "rong", "shu", "tao", "wei", "xin", "yan", "zhi", "lun", "mei", "sok", "dara", "vannak", "somchai"]


def load(n, offset):
    """``n`` persons of CN-MPS shared with TH-RTP, with their outbox entries: the rows a share writes."""
    from django.contrib.contenttypes.models import ContentType
    from django.db import transaction

    from liaison.core.models import Distribution
    from liaison.federation.models import Node, OutboxEntry, SentRecord
    from liaison.registry.bulk import load_persons
    from liaison.registry.models import Person
    from liaison.sharing.models import Agency, User

    rng = random.Random(16 + offset)
    cn, th = Agency.objects.get(short_name="CN-MPS"), Agency.objects.get(short_name="TH-RTP")
    officer = User.objects.get(username="cn.liaison")
    peer = Node.objects.get(name="th")
    rows = ({"names": [{"full_name": " ".join("".join(rng.sample(SYLLABLES, 2)).title() for _ in range(3)), "kind": "primary"}],
             "nationalities": [rng.choice(["CN", "MM", "TH", "KH", "LA", "VN"])],
             "birth_date": str(rng.randint(1960, 2005)), "sex": rng.choice(["male", "female", ""]),
             "distribution": Distribution.SHARED, "share_with": [th.pk]} for _i in range(n))
    ct = ContentType.objects.get_for_model(Person)
    with transaction.atomic():
        ids = load_persons(rows, cn, created_by=officer, reference="federation bench").person_ids
        SentRecord.objects.bulk_create([SentRecord(content_type=ct, object_id=pk, peer=peer) for pk in ids], batch_size=5000)
        OutboxEntry.objects.bulk_create([OutboxEntry(content_type=ct, object_id=pk, peer=peer) for pk in ids], batch_size=5000)
    from django.db import connection

    with connection.cursor() as cursor:
        # Planner statistics of tables that grew by N rows in a second, as autovacuum's analyze would
        # have them within a minute on a live node (without them PostgreSQL scans whole tables).
        cursor.execute("ANALYZE")
    return ids


def retractions(ids, session, th_url):
    """Retract each of ``ids`` on cn (the sharing service, as an officer would) and wait until its
    copy answers 404 on th's API; returns the seconds each took."""
    from liaison.interop.stix import StixWriter
    from liaison.registry.models import Person
    from liaison.sharing import services as sharing
    from liaison.sharing.models import User

    officer = User.objects.get(username="cn.liaison")
    latencies = []
    for pk in ids:
        copy = th_sql(f"SELECT object_id FROM federation_replica WHERE stix_id = '{StixWriter(None).stix_id(Person, pk)}'")[0]
        assert session.get(f"{th_url}/api/persons/{copy}/", timeout=30).status_code == 200
        start = time.perf_counter()
        sharing.retract(officer, Person.objects.get(pk=pk), "bench")
        while session.get(f"{th_url}/api/persons/{copy}/", timeout=30).status_code != 404:
            if time.perf_counter() - start > 60:
                raise RuntimeError(f"person {pk} still on th after 60 s")
            time.sleep(0.05)
        latencies.append(time.perf_counter() - start)
        time.sleep(random.Random(pk).uniform(0, 1))  # not in step with the push loop's rounds
    return latencies


def wait_ready(url, process, timeout=120):
    import requests

    end = time.monotonic() + timeout
    while time.monotonic() < end:
        try:
            if requests.get(f"{url}/healthz", timeout=2).status_code == 200:
                return
        except requests.RequestException:
            pass
        if process.poll() is not None:
            raise RuntimeError(f"the node exited with {process.returncode} (see /tmp/fed_bench_th.log)")
        time.sleep(0.2)
    raise RuntimeError("the node did not start")


def wait_until(check, timeout, processes, interval=1.0):
    # Each check counts rows on th (tens of ms at 100,000): every second, not to load th itself.
    end = time.monotonic() + timeout
    while not check():
        for label, process in processes.items():
            if process.poll() is not None:
                raise RuntimeError(f"{label} exited with {process.returncode} (see /tmp/fed_bench_{label}.log)")
        if time.monotonic() > end:
            raise RuntimeError("timed out")
        time.sleep(interval)


if __name__ == "__main__":
    main()
