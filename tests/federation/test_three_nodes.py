"""Proof of issue 16's core path: three real nodes (China, Thailand, Cambodia), each a server
process with its own SQLite database on 127.0.0.1, and the Chinese node's outbox sender as a
fourth process (``liaison federation push --loop``).

Drives them as officers would, through the REST API: CN-MPS shares a person with TH-RTP, which
arrives on the Thai node while a person not shared does not (nor anything on the Cambodian
node); an edit arrives; the retraction takes it away from the Thai node's list, detail and
search; the Cambodian node is stopped, CN-MPS shares with KH-NP, the node is started again and
the record arrives there exactly once.

The nodes' databases are copies of this run's migrated SQLite test database (sqlite3's backup),
so no node migrates; on the PostgreSQL pass the test is skipped (it runs in the SQLite pass, and
what it proves does not depend on the database of the test run).
"""
import json
import os
import shutil
import signal
import socket
import sqlite3
import subprocess
import sys
import time
import uuid
from pathlib import Path

import pytest
import requests

from liaison.federation import keys

ROOT = Path(__file__).resolve().parents[2]
LIAISON = str(Path(sys.executable).with_name("liaison"))
NODES = {"cn": "CN-MPS", "th": "TH-RTP", "kh": "KH-NP"}
# Marked so that pytest-django creates the test database this module copies (it skips that when
# no test of the run is marked).
pytestmark = pytest.mark.django_db


def _free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Node:
    def __init__(self, name, directory, private_key, port):
        self.name, self.port, self.private_key = name, port, private_key
        self.db = directory / f"{name}.sqlite3"
        self.url = f"http://127.0.0.1:{port}"
        self.process = None
        self.env = {**os.environ, "DJANGO_SETTINGS_MODULE": "tests.settings", "PYTHONPATH": str(ROOT),
                    "DATABASE_URL": f"sqlite:///{self.db}", "LIAISON_VAR_DIR": str(directory / name),
                    "LIAISON_NODE_NAME": name, "LIAISON_NODE_PRIVATE_KEY": private_key,
                    "STIX_ID_NAMESPACE": str(uuid.uuid5(uuid.NAMESPACE_DNS, f"{name}.liaison.test")),
                    "FEDERATION_MAX_BACKOFF": "1", "FEDERATION_TIMEOUT": "5", "DEBUG": "0", "LOG_REQUESTS": "0"}

    def start(self):
        self.process = subprocess.Popen(
            [LIAISON, "runserver", "--noreload", "--skip-checks", f"127.0.0.1:{self.port}"], env=self.env, cwd=ROOT,
            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, start_new_session=True)

    def wait_ready(self, timeout=40):
        end = time.monotonic() + timeout
        while time.monotonic() < end:
            try:
                if requests.get(f"{self.url}/healthz", timeout=1).status_code == 200:
                    return
            except requests.RequestException:
                pass
            if self.process.poll() is not None:
                raise RuntimeError(f"node {self.name} exited with {self.process.returncode}")
            time.sleep(0.2)
        raise RuntimeError(f"node {self.name} did not start")

    def stop(self):
        if self.process and self.process.poll() is None:
            os.killpg(self.process.pid, signal.SIGTERM)
            self.process.wait(timeout=10)
        self.process = None


class Api:
    def __init__(self, node, token):
        self.node, self.headers = node, {"Authorization": f"Token {token}"}

    def get(self, path, **params):
        return requests.get(self.node.url + path, headers=self.headers, params=params, timeout=10)

    def post(self, path, body):
        return requests.post(self.node.url + path, headers=self.headers, json=body, timeout=10)

    def patch(self, path, body):
        return requests.patch(self.node.url + path, headers=self.headers, json=body, timeout=10)

    def names(self, **params):
        response = self.get("/api/persons/", **params)
        assert response.status_code == 200, response.text
        body = response.json()
        rows = body["results"] if isinstance(body, dict) else body
        return sorted(n["full_name"] for row in rows for n in row["names"])


def _until(check, timeout=20):
    end = time.monotonic() + timeout
    while True:
        value = check()
        if value or time.monotonic() > end:
            return value
        time.sleep(0.25)


@pytest.fixture(scope="module")
def federation(django_db_setup, django_db_blocker, tmp_path_factory):
    from django.db import connection

    if connection.vendor != "sqlite":
        pytest.skip("the nodes run on copies of the SQLite test database: this proof runs in the SQLite pass")
    directory = tmp_path_factory.mktemp("federation")
    base = directory / "base.sqlite3"
    with django_db_blocker.unblock():
        connection.ensure_connection()
        target = sqlite3.connect(base)
        connection.connection.backup(target)
        target.close()
    pairs = {name: keys.generate() for name in NODES}
    nodes = {name: Node(name, directory, pairs[name][0], _free_port()) for name in NODES}
    config = directory / "nodes.json"
    config.write_text(json.dumps({
        "nodes": [{"name": n.name, "url": n.url, "public_key": pairs[n.name][1]} for n in nodes.values()],
        "homes": {agency: name for name, agency in NODES.items()}}))
    setup = subprocess.run(
        [LIAISON, "shell", "-c", "import runpy; runpy.run_path('tests/federation/node_setup.py')"],
        env={**nodes["cn"].env, "DATABASE_URL": f"sqlite:///{base}", "FEDERATION_CONFIG_FILE": str(config)},
        cwd=ROOT, capture_output=True, text=True, timeout=60)
    assert setup.returncode == 0, setup.stderr
    world = json.loads(setup.stdout.strip().splitlines()[-1])
    for node in nodes.values():
        shutil.copyfile(base, node.db)
        node.start()
    sender = None
    try:
        for node in nodes.values():
            node.wait_ready()
        sender = subprocess.Popen([LIAISON, "federation", "push", "--loop", "--interval", "0.3"], env=nodes["cn"].env,
                                  cwd=ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, start_new_session=True)
        yield {"nodes": nodes, "agencies": world["agencies"],
               "cn": Api(nodes["cn"], world["tokens"]["cn.liaison"]),
               "th": Api(nodes["th"], world["tokens"]["th.officer"]),
               "kh": Api(nodes["kh"], world["tokens"]["kh.officer"]), "tokens": world["tokens"]}
    finally:
        if sender is not None:
            os.killpg(sender.pid, signal.SIGTERM)
            sender.wait(timeout=10)
        for node in nodes.values():
            node.stop()


def _create(api, name):
    response = api.post("/api/persons/", {"names": [{"full_name": name}]})
    assert response.status_code == 201, response.text
    return response.json()["id"]


def test_shared_arrives_retracted_goes_and_a_stopped_node_catches_up_once(federation):
    cn, th, kh = federation["cn"], federation["th"], federation["kh"]
    agencies = federation["agencies"]
    alpha = _create(cn, "Federated Alpha")
    _create(cn, "Never Shared Beta")
    gamma = _create(cn, "Kampot Gamma")

    assert cn.post(f"/api/persons/{alpha}/share/", {"agencies": [agencies["TH-RTP"]]}).status_code == 201
    assert _until(lambda: "Federated Alpha" in th.names()), "the shared record did not reach the Thai node"
    assert th.names() == ["Federated Alpha"]  # the record not shared did not leave
    assert th.names(name="Beta") == []
    assert kh.names() == []  # nor did anything reach the Cambodian node

    # An edit by the owner reaches the copy.
    assert cn.patch(f"/api/persons/{alpha}/", {"birth_place": "Kunming"}).status_code == 200
    assert _until(lambda: [p["birth_place"] for p in th.get("/api/persons/").json()["results"]] == ["Kunming"])
    copy_id = th.get("/api/persons/").json()["results"][0]["id"]

    assert cn.post(f"/api/persons/{alpha}/retract/", {"reason": "Wrong person"}).status_code == 204
    assert _until(lambda: th.names() == []), "the retracted record is still on the Thai node"
    assert th.get(f"/api/persons/{copy_id}/").status_code == 404
    assert th.names(name="Alpha") == []

    kh_node = federation["nodes"]["kh"]
    kh_node.stop()
    assert cn.post(f"/api/persons/{gamma}/share/", {"agencies": [agencies["KH-NP"]]}).status_code == 201
    time.sleep(1.5)  # the sender tries, fails, backs off
    kh_node.start()
    kh_node.wait_ready()
    assert _until(lambda: "Kampot Gamma" in kh.names(), timeout=25), "the stopped node did not catch up"
    time.sleep(1)  # a duplicate delivery, were there one, would have arrived by now
    assert kh.names() == ["Kampot Gamma"]
    assert th.names() == []


def _run(node, *args):
    """``liaison <args>`` as ``node`` (its database, name and key); returns its output."""
    done = subprocess.run([LIAISON, *args], env=node.env, cwd=ROOT, capture_output=True, text=True, timeout=60)
    assert done.returncode == 0, done.stderr
    return done.stdout


def test_a_request_sent_from_th_is_fulfilled_on_cn_and_th_asks_cn_whether_it_holds_a_person(federation):
    """Issue 16: "a request sent and fulfilled across nodes", and matching across nodes without moving data."""
    nodes, agencies, cn = federation["nodes"], federation["agencies"], federation["cn"]
    th = Api(nodes["th"], federation["tokens"]["th.liaison"])
    suspect = _create(th, "Somchai Requested")
    made = th.post("/api/requests/", {"kind": "record_check", "to_agency": agencies["CN-MPS"], "persons": [suspect],
                                      "title": "Criminal record of a suspect", "fields": {"purpose": "Scam compound"}})
    assert made.status_code == 201, made.text
    request = made.json()
    sent = th.post(f"/api/requests/{request['id']}/transition/", {"action": "send", "version": request["version"]})
    assert sent.status_code == 200, sent.text
    pushed = _run(nodes["th"], "federation", "push", "--now")  # (only the Chinese node runs a sender loop here)

    def on_cn():
        rows = cn.get("/api/requests/").json()
        rows = rows["results"] if isinstance(rows, dict) else rows
        return next((r for r in rows if r["from_agency"] == "TH-RTP"), None)

    copy = _until(on_cn)
    assert copy and copy["status"] == "sent" and copy["title"] == "Criminal record of a suspect", pushed
    assert len(copy["persons"]) == 1  # the person shared by sending came first, and is linked
    for step in ("acknowledge", "fulfil"):
        version = cn.get(f"/api/requests/{copy['id']}/").json()["version"]
        done = cn.post(f"/api/requests/{copy['id']}/transition/", {"action": step, "version": version})
        assert done.status_code == 200, done.text
    assert _until(lambda: th.get(f"/api/requests/{request['id']}/").json()["status"] == "fulfilled"), \
        "the fulfilment did not reach the Thai node"

    # "Do you hold this person?": CN-MPS watches a record on the Chinese node; th asks, cn answers with
    # whom to contact and a reference, never the record.
    # (SQLite: the node's database may be busy a moment with the deliveries it applies and sends; 503 then)
    made = _until(lambda: (lambda r: r if r.status_code != 503 else None)(
        cn.post("/api/persons/", {"names": [{"full_name": "Ming Xuechang"}], "birth_date": "1955"})))
    assert made.status_code == 201, made.text
    fugitive = made.json()["id"]
    _run(nodes["cn"], "shell", "-c", "from liaison.matching import services; from liaison.registry.models import Person; "
         f"services.put_on_watchlist(Person.objects.get(pk={fugitive}), 'Warrant')")
    out = _run(nodes["th"], "federation", "ask", "--agency", "TH-RTP", "--officer", "th.liaison",
               "--name", "MING XUE CHANG", "--peer", "cn")
    assert "cn: hit" in out and "contact CN-MPS" in out and "SCR-" in out, out


# Run in the Chinese node's process: a crime group, a phone, a boss nobody else sees, the links
# among them, and BULK persons, all shared with TH-RTP (except the boss) in one transaction.
_SHARE_MANY = """
import json
from django.db import transaction
from liaison.registry.models import Identifier, Organisation, Person, PersonName, Relationship
from liaison.sharing import services as sharing
from liaison.sharing.models import Agency, User
cn, th = Agency.objects.get(short_name="CN-MPS"), Agency.objects.get(short_name="TH-RTP")
officer = User.objects.get(username="cn.liaison")
with transaction.atomic():
    def person(name):
        p = Person.objects.create(owner=cn, created_by=officer)
        PersonName.objects.create(person=p, full_name=name)
        return p
    crew = Organisation.objects.create(owner=cn, name="Kokang Crew", kind="crime_group", created_by=officer)
    phone = Identifier.objects.create(owner=cn, kind="phone", value="+66 81 234 5678", created_by=officer)
    boss = person("Hidden Boss")
    people = [person("Bulk %03d" % i) for i in range(BULK)]
    links = [Relationship.objects.create(owner=cn, kind=kind, subject=people[0], object=end, created_by=officer)
             for kind, end in (("member_of", crew), ("uses_phone", phone), ("related_to", boss))]
    for record in (*links, crew, phone, *people):  # the links first: they still arrive after their ends
        sharing.share(officer, record, agencies=[th])
print(json.dumps({"people": len(people)}))
"""

_COUNT = """
import json
from django.db.models import Count
from liaison.federation.models import ExchangeEntry, Replica
from liaison.registry.models import PersonName
names = PersonName.objects.filter(person__owner__short_name="CN-MPS", person__retracted_at__isnull=True)
print(json.dumps({
    "names": names.count(), "distinct": names.values("full_name").distinct().count(),
    "replicas": Replica.objects.count(), "replica_ids": Replica.objects.values("stix_id").distinct().count(),
    "accepted_twice": ExchangeEntry.objects.filter(direction="in", status="accepted").values("delivery_id")
        .annotate(n=Count("id")).filter(n__gt=1).count()}))
"""


def _shell(node, code, wait=True, **values):
    """Run ``code`` in ``liaison shell`` as ``node``; its last line of output as JSON (or the process)."""
    for key, value in values.items():
        code = code.replace(key, str(value))
    process = subprocess.Popen([LIAISON, "shell", "-c", code], env=node.env, cwd=ROOT, stdout=subprocess.PIPE,
                               stderr=subprocess.PIPE, text=True)
    if not wait:
        return process
    out, err = process.communicate(timeout=120)
    assert process.returncode == 0, err
    return json.loads(out.strip().splitlines()[-1])


def _kill_while_applying(node, timeout=120):
    """kill -9 ``node`` while it applies an envelope: its SQLite rollback journal exists while a write
    transaction is open. Returns whether the kill landed inside that transaction."""
    journal = Path(f"{node.db}-journal")
    end = time.monotonic() + timeout
    while not journal.exists() and time.monotonic() < end:
        time.sleep(0.001)  # (the node reads and checks the whole envelope first: its writes take a moment)
    os.killpg(node.process.pid, signal.SIGKILL)
    node.process.wait(timeout=10)
    node.process = None
    return journal.exists()  # a hot journal: the transaction was cut, SQLite rolls it back at the next open


def test_every_kind_arrives_and_a_node_killed_in_the_middle_of_a_push_converges_without_duplicates(federation):
    """Issue 16: "one node killed in the middle and restarted". The Thai node is killed (SIGKILL) while
    it applies the envelope of BULK persons, a crime group, a phone and links, then started again:
    the sender sends the same envelope again, and every record is there exactly once."""
    nodes, th = federation["nodes"], federation["th"]
    bulk = 120
    before = _shell(nodes["th"], _COUNT)["names"]
    sharing = _shell(nodes["cn"], _SHARE_MANY, wait=False, BULK=bulk)
    interrupted = _kill_while_applying(nodes["th"])
    out, err = sharing.communicate(timeout=120)
    assert sharing.returncode == 0 and json.loads(out.strip().splitlines()[-1]) == {"people": bulk}, err
    nodes["th"].start()
    nodes["th"].wait_ready()

    def converged():
        counts = _shell(nodes["th"], _COUNT)
        return counts if counts["names"] >= before + bulk else None

    counts = _until(converged, timeout=60)
    assert counts, "the killed node did not catch up"
    assert counts["names"] == counts["distinct"] == before + bulk  # nothing twice
    assert counts["replicas"] == counts["replica_ids"] and counts["accepted_twice"] == 0
    assert interrupted, "the node was not killed inside the envelope's transaction (the proof did not happen)"
    assert _until(lambda: th.names(name="Bulk 119") == ["Bulk 119"])
    assert "Hidden Boss" not in th.names()
    organisations = th.get("/api/organisations/").json()
    assert [o["name"] for o in organisations["results"]] == ["Kokang Crew"]
    links = th.get("/api/relationships/").json()["results"]
    # The link to the boss the Thai agencies may not see did not leave; the other two joined their ends.
    assert sorted(link["kind"] for link in links) == ["member_of", "uses_phone"]
    assert [i["value"] for i in th.get("/api/identifiers/").json()["results"]] == ["+66 81 234 5678"]
    assert "Bulk" not in " ".join(federation["kh"].names())
