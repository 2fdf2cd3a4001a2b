"""``liaison federation demo`` (``make demo-federation``): three nodes on this machine.

China (cn), Thailand (th) and Cambodia (kh), each a ``liaison runserver`` with its own SQLite
database under ``var/federation/`` and its own ``liaison federation push --loop``. The demo's
agencies and officers exist on every node (so th.officer can sign in on the Thai node); the
agencies of China, Thailand and Cambodia are homed on their country's node. The Chinese node
holds three CN-MPS persons: one shared with TH-RTP, one shared with nobody, one for you to share
with KH-NP while the Cambodian node is stopped. Ctrl-C stops everything; run it again to resume.
"""
import json
import os
import shutil
import signal
import subprocess
import sys
import time
import uuid
from pathlib import Path

NODES = (("cn", "CN", 8101), ("th", "TH", 8102), ("kh", "KH", 8103))
PERSONS = (("Wang Jianguo", "TH-RTP"), ("Zhao Lei (not shared)", None), ("Chen Hao (share me with KH-NP)", None))


def _liaison():
    return str(Path(sys.executable).with_name("liaison"))


def node_env(directory, name, private_key):
    return {**os.environ, "DEBUG": "1", "DATABASE_URL": f"sqlite:///{directory / (name + '.sqlite3')}",
            "LIAISON_VAR_DIR": str(directory / name), "LIAISON_NODE_NAME": name, "LIAISON_NODE_PRIVATE_KEY": private_key,
            "STIX_ID_NAMESPACE": str(uuid.uuid5(uuid.NAMESPACE_DNS, f"{name}.liaison.demo")),
            "FEDERATION_MAX_BACKOFF": "5"}


def run(directory, only=None):
    from liaison.demo.agencies import DEMO_PASSWORD
    from liaison.federation import keys

    directory = Path(directory).resolve()
    directory.mkdir(parents=True, exist_ok=True)
    secrets_file = directory / "keys.json"
    if not secrets_file.exists():
        secrets_file.write_text(json.dumps({name: keys.generate() for name, _c, _p in NODES}))
        secrets_file.chmod(0o600)
    pairs = json.loads(secrets_file.read_text())
    liaison = _liaison()
    if not all((directory / f"{name}.sqlite3").exists() for name, _c, _p in NODES):
        base = directory / "base.sqlite3"
        base.unlink(missing_ok=True)
        env = {**node_env(directory, "cn", pairs["cn"][0]), "DATABASE_URL": f"sqlite:///{base}"}
        print("Creating the nodes' database (a minute the first time)...", flush=True)
        subprocess.run([liaison, "migrate", "--no-input", "-v0"], env=env, check=True)
        config = directory / "nodes.json"
        config.write_text(json.dumps({
            "nodes": [{"name": n, "url": f"http://127.0.0.1:{port}", "public_key": pairs[n][1]} for n, _c, port in NODES],
            "homes": {"@country:" + country: n for n, country, _p in NODES}}))
        subprocess.run([liaison, "federation", "demo-setup", str(config)], env=env, check=True)
        for name, _c, _p in NODES:
            shutil.copyfile(base, directory / f"{name}.sqlite3")
        subprocess.run([liaison, "federation", "demo-records"], env=node_env(directory, "cn", pairs["cn"][0]), check=True)
    children = []
    # `kill` (SIGTERM) stops the nodes too, as Ctrl-C does: each child runs in a session of its own.
    signal.signal(signal.SIGTERM, lambda *_args: sys.exit(0))
    try:
        for name, _country, port in NODES:
            if only and name not in only:
                continue
            env = node_env(directory, name, pairs[name][0])
            children.append(subprocess.Popen([liaison, "runserver", "--noreload", f"127.0.0.1:{port}"], env=env,
                                             start_new_session=True))
            children.append(subprocess.Popen([liaison, "federation", "push", "--loop", "--interval", "1"], env=env,
                                             start_new_session=True))
        print("\nThree nodes: China http://127.0.0.1:8101/  Thailand http://127.0.0.1:8102/  "
              "Cambodia http://127.0.0.1:8103/\n"
              f"Sign in with the demo logins (password {DEMO_PASSWORD}); the second-factor code of th.officer on the "
              f"Thai node: DEBUG=1 DATABASE_URL=sqlite:///{directory / 'th.sqlite3'} .venv/bin/liaison demo otp th.officer\n"
              "See README, 'Three federated nodes'. Ctrl-C stops them.", flush=True)
        while all(c.poll() is None for c in children):
            time.sleep(1)
    except (KeyboardInterrupt, SystemExit):
        pass
    finally:
        for child in children:
            if child.poll() is None:
                os.killpg(child.pid, signal.SIGTERM)
        for child in children:
            child.wait(timeout=10)


def setup(config_file):
    """On the base database: the demo's agencies and officers, then the nodes and homes
    (``@country:CN`` homes every agency of that country on the node)."""
    from django.core.management import call_command

    from liaison.demo import agencies as demo_agencies
    from liaison.sharing.models import Agency

    agencies = demo_agencies.ensure_agencies()
    demo_agencies.ensure_users(agencies)
    config = json.loads(Path(config_file).read_text())
    homes = {}
    for key, node in config["homes"].items():
        if key.startswith("@country:"):
            homes.update({a.short_name: node for a in Agency.objects.filter(country_id=key.split(":", 1)[1])})
        else:
            homes[key] = node
    config["homes"] = homes
    Path(config_file).write_text(json.dumps(config))
    call_command("federation", "configure", str(config_file))


def records():
    """On the Chinese node: three CN-MPS persons, the first shared with TH-RTP by cn.liaison."""
    from django.db import transaction

    from liaison.registry.models import Person, PersonName
    from liaison.sharing import services as sharing
    from liaison.sharing.models import Agency, User

    officer = User.objects.get(username="cn.liaison")
    with transaction.atomic():
        for name, recipient in PERSONS:
            person = Person.objects.create(owner=officer.agency, created_by=officer)
            PersonName.objects.create(person=person, full_name=name, kind="primary")
            if recipient:
                sharing.share(officer, person, agencies=[Agency.objects.get(short_name=recipient)])
