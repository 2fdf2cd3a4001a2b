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
               "kh": Api(nodes["kh"], world["tokens"]["kh.officer"])}
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
