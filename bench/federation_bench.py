"""Federation throughput, in one process (issue 16): how fast the owner's node writes the
signed deliveries of shared persons, and how fast the receiving node applies them.

    DATABASE_URL= .venv/bin/python bench/federation_bench.py --persons 500
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/liaison_fedbench .venv/bin/python bench/federation_bench.py

Works in a throw-away test database (Django's ``create_test_db``: in memory for SQLite,
``test_<name>`` for PostgreSQL, dropped at the end). Both nodes share it, as in
tests/federation/test_federation.py; the HTTP hop (one request per record) is not counted:
tests/federation/test_three_nodes.py runs the real thing. Prints persons/s of each side and
what 100,000 would take at that rate (the issue's target: under 2 minutes end to end).
"""
import argparse
import random
import os
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "tests.settings")


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--persons", type=int, default=500)
    args = parser.parse_args()

    import django

    django.setup()
    from django.db import connection
    from django.test.utils import override_settings, setup_test_environment

    setup_test_environment()
    old_name = connection.creation.create_test_db(verbosity=0)
    try:
        run(args.persons, override_settings)
    finally:
        connection.creation.destroy_test_db(old_name, verbosity=0)


def run(n, override_settings):
    from liaison.federation import keys, services
    from liaison.federation.models import AgencyHome, Node, OutboxEntry
    from liaison.sharing import services as sharing
    from liaison.sharing.models import Role
    from tests.factories import make_agency, make_person, make_user

    cn_key, cn_public = keys.generate()
    th_key, th_public = keys.generate()
    cn, th = make_agency("CN-MPS", "CN"), make_agency("TH-RTP", "TH")
    nodes = {"cn": Node.objects.create(name="cn", public_key=cn_public), "th": Node.objects.create(name="th", public_key=th_public)}
    AgencyHome.objects.create(agency=cn, node=nodes["cn"])
    AgencyHome.objects.create(agency=th, node=nodes["th"])
    officer = make_user(cn, roles=[Role.LIAISON_OFFICER])
    # Distinct names (seeded): all-alike names would make the matcher, which runs on every new
    # person, compare each with all the others.
    rng = random.Random(16)
    syllables = ["an", "bo", "chen", "da", "fei", "gang", "hui", "jun", "kai", "li", "ming", "ning", "ping", "qiang",
                 "rong", "shu", "tao", "wei", "xin", "yan", "zhi", "lun", "mei", "sok", "dara", "vannak", "somchai"]

    def name():
        return " ".join("".join(rng.sample(syllables, 2)).title() for _ in range(3))

    persons = [make_person(cn, name()) for _i in range(n)]

    with override_settings(FEDERATION_NODE="cn", FEDERATION_PRIVATE_KEY=cn_key):
        start = time.perf_counter()
        for person in persons:
            sharing.share(officer, person, agencies=[th])
        share_s = time.perf_counter() - start
        start = time.perf_counter()
        bodies = []
        for entry in OutboxEntry.objects.select_related("peer", "content_type").order_by("pk"):
            body, _control = services.build_body(entry)
            bodies.append((body, keys.sign(cn_key, body)))
        build_s = time.perf_counter() - start
    with override_settings(FEDERATION_NODE="th", FEDERATION_PRIVATE_KEY=th_key):
        start = time.perf_counter()
        for body, signature in bodies:
            assert services.receive("cn", signature, body) == "accepted"
        receive_s = time.perf_counter() - start
    size = sum(len(b) for b, _s in bodies) / len(bodies)
    print(f"database: {os_db()}  persons: {n}  body: {size:,.0f} bytes on average")
    for label, seconds in (("share + outbox entry", share_s), ("build + sign delivery", build_s),
                           ("verify + import + share copy", receive_s)):
        print(f"{label:30s} {n / seconds:8.1f} persons/s   100,000 in {100_000 / (n / seconds) / 60:6.1f} min")


def os_db():
    from django.db import connection

    return connection.vendor


if __name__ == "__main__":
    main()
