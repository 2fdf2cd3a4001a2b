"""Federation throughput, in one process (issue 16): how fast the owner's node forms and signs the
batched envelopes of shared persons, how fast the receiving node applies them, and how long a
retraction takes to disappear on the peer.

    DATABASE_URL= .venv/bin/python bench/federation_bench.py --persons 5000
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/liaison_fedbench .venv/bin/python bench/federation_bench.py
    ... --batch 500       deliveries per envelope (FEDERATION_BATCH)
    ... --http            deliver through the inbox view (Django's test client: the view, the TAXII
                          status answer, no network)

Works in a throw-away test database (Django's ``create_test_db``: in memory for SQLite,
``test_<name>`` for PostgreSQL, dropped at the end). Both nodes share it, as in
tests/federation/test_federation.py; the network hop is not counted (one request per envelope):
tests/federation/test_three_nodes.py runs the real thing.

Stages (persons/s and what 100,000 would take at that rate; the issue's target for replication,
forming + receiving, is under 2 minutes):
- share + outbox entry: the officer's sharing action with the outbox entry in its transaction,
  timed on ``--share-sample`` persons (the rest are shared with the same rows written in bulk, so
  that a large run does not spend its time there: it is the officer's action, not replication);
- form + sign envelopes: ``services._next_batch`` (records read, recipients, onward rule, STIX,
  the frozen body) and the Ed25519 signature;
- verify + apply: ``services.receive_envelope`` (signature, one transaction per envelope, import,
  shares of the copy, exchange log, and the matching of the new persons after the commit);
- retraction: retract on the owner's node, form, sign and apply that batch, until the copy is gone
  from the peer's officer's list (p50 / p95 over ``--retractions``; ``push --loop`` adds up to its
  interval, 2 s by default, and the network).
"""
import argparse
import os
import random
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "tests.settings")


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--persons", type=int, default=2000)
    parser.add_argument("--batch", type=int, default=500)
    parser.add_argument("--share-sample", type=int, default=300)
    parser.add_argument("--retractions", type=int, default=20)
    parser.add_argument("--http", action="store_true")
    args = parser.parse_args()

    import django

    django.setup()
    from django.db import connection
    from django.test.utils import override_settings, setup_test_environment

    setup_test_environment()
    old_name = connection.creation.create_test_db(verbosity=0)
    try:
        run(args, override_settings)
    finally:
        connection.creation.destroy_test_db(old_name, verbosity=0)


def run(args, override_settings):
    from django.contrib.contenttypes.models import ContentType
    from django.db import transaction
    from django.test import Client
    from django.utils import timezone

    from liaison.core.models import Distribution
    from liaison.federation import keys, services
    from liaison.federation.models import AgencyHome, Node, OutboxEntry, SentRecord
    from liaison.registry.models import Person, PersonName
    from liaison.sharing import services as sharing
    from liaison.sharing.models import Role, Share
    from tests.factories import make_agency, make_user

    n = args.persons
    cn_key, cn_public = keys.generate()
    th_key, th_public = keys.generate()
    cn, th = make_agency("CN-MPS", "CN"), make_agency("TH-RTP", "TH")
    nodes = {"cn": Node.objects.create(name="cn", public_key=cn_public), "th": Node.objects.create(name="th", public_key=th_public)}
    AgencyHome.objects.create(agency=cn, node=nodes["cn"])
    AgencyHome.objects.create(agency=th, node=nodes["th"])
    officer = make_user(cn, roles=[Role.LIAISON_OFFICER])
    th_officer = make_user(th, roles=[Role.ANALYST])
    # Distinct names (seeded): all-alike names would make the matcher compare each new person with all the others.
    rng = random.Random(16)
    syllables = ["an", "bo", "chen", "da", "fei", "gang", "hui", "jun", "kai", "li", "ming", "ning", "ping", "qiang",
                 "rong", "shu", "tao", "wei", "xin", "yan", "zhi", "lun", "mei", "sok", "dara", "vannak", "somchai"]

    def name():
        return " ".join("".join(rng.sample(syllables, 2)).title() for _ in range(3))

    # The owner's persons, written in bulk (no signals: no matching on the owner's side, which is not measured).
    with transaction.atomic():
        persons = Person.objects.bulk_create([Person(owner=cn, created_by=officer) for _i in range(n)])
        PersonName.objects.bulk_create([PersonName(person=p, full_name=name(), kind="primary") for p in persons])
    persons = list(Person.objects.filter(owner=cn).order_by("pk"))
    sample = persons[:min(n, args.share_sample)]

    settings = dict(FEDERATION_BATCH=args.batch)
    with override_settings(FEDERATION_NODE="cn", FEDERATION_PRIVATE_KEY=cn_key, **settings):
        start = time.perf_counter()
        for person in sample:
            sharing.share(officer, person, agencies=[th])
        share_s = time.perf_counter() - start
        # The rest: the rows sharing and its outbox entry write, in bulk.
        rest = persons[len(sample):]
        ct = ContentType.objects.get_for_model(Person)
        with transaction.atomic():
            Person.objects.filter(pk__in=[p.pk for p in rest]).update(distribution=Distribution.SHARED)
            Share.objects.bulk_create([Share(content_type=ct, object_id=p.pk, agency=th, created_by=officer) for p in rest])
            SentRecord.objects.bulk_create([SentRecord(content_type=ct, object_id=p.pk, peer=nodes["th"]) for p in rest])
            OutboxEntry.objects.bulk_create([OutboxEntry(content_type=ct, object_id=p.pk, peer=nodes["th"]) for p in rest])
        start = time.perf_counter()
        envelopes = []
        while (batch := services._next_batch(nodes["th"])) is not None:
            body = bytes(batch.body)
            envelopes.append((body, keys.sign(cn_key, body)))
            batch.delivered_at = timezone.now()
            batch.save(update_fields=["delivered_at"])
        build_s = time.perf_counter() - start

    client = Client()
    url = services.inbox_url(nodes["th"])

    def deliver(body, signature):
        if not args.http:
            results = services.receive_envelope("cn", signature, body)
            return sum(1 for _c, status, _e in results if status == "accepted")
        response = client.post(url, data=body, content_type=services.TAXII_MEDIA_TYPE,
                               headers={"X-Liaison-Node": "cn", "X-Liaison-Signature": signature})
        assert response.status_code == 202, response.content[:300]
        return sum(1 for s in response.json()["successes"] if s["message"] == "accepted")

    with override_settings(FEDERATION_NODE="th", FEDERATION_PRIVATE_KEY=th_key, **settings):
        start = time.perf_counter()
        accepted = sum(deliver(body, signature) for body, signature in envelopes)
        receive_s = time.perf_counter() - start
        assert accepted == n, f"{accepted} of {n} deliveries accepted"
        # Both nodes share the database: the copies are the persons written after the originals.
        copies = Person.objects.filter(pk__gt=persons[-1].pk)
        seen = copies.visible_to(th_officer).count()
        assert seen == n, f"the peer's officer sees {seen} of {n} copies"

    latencies = []
    for person in persons[:args.retractions]:
        start = time.perf_counter()
        with override_settings(FEDERATION_NODE="cn", FEDERATION_PRIVATE_KEY=cn_key, **settings):
            person.refresh_from_db()
            sharing.retract(officer, person, "bench")
            batch = services._next_batch(nodes["th"])
            body = bytes(batch.body)
            signature = keys.sign(cn_key, body)
            batch.delivered_at = timezone.now()
            batch.save(update_fields=["delivered_at"])
        with override_settings(FEDERATION_NODE="th", FEDERATION_PRIVATE_KEY=th_key, **settings):
            deliver(body, signature)
            assert copies.visible_to(th_officer).count() == seen - len(latencies) - 1
        latencies.append(time.perf_counter() - start)

    size = sum(len(b) for b, _s in envelopes) / n
    print(f"database: {os_db()}  persons: {n}  envelopes: {len(envelopes)} of up to {args.batch}  "
          f"{size:,.0f} bytes a person  {'through the inbox view' if args.http else 'receive_envelope'}")
    for label, count, seconds in (("share + outbox entry", len(sample), share_s),
                                  ("form + sign envelopes", n, build_s),
                                  ("verify + apply (+ matching)", n, receive_s),
                                  ("replication (both)", n, build_s + receive_s)):
        rate = count / seconds
        print(f"{label:30s} {rate:8.1f} persons/s   100,000 in {100_000 / rate / 60:6.1f} min")
    if latencies:
        latencies.sort()
        p95 = latencies[min(len(latencies) - 1, int(round(0.95 * (len(latencies) - 1))))]
        print(f"retraction gone from the peer  p50 {statistics.median(latencies) * 1000:6.0f} ms   "
              f"p95 {p95 * 1000:6.0f} ms   (of {len(latencies)}; plus the push loop's interval and the network)")


def os_db():
    from django.db import connection

    return connection.vendor


if __name__ == "__main__":
    main()
