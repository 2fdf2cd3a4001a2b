"""Matching of one arriving person against the whole registry, database included (PostgreSQL).

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/liaison_bench_match \\
        .venv/bin/python bench/matching_incremental.py --persons 100000 --reps 200

(bench/match_incremental.py times the scorer alone, on records in memory;
this one times the service the registry calls on arrival.)

The database named in DATABASE_URL (default liaison_bench_match) is DROPPED
and re-created; ``test``, ``liaison_dev`` and ``postgres`` are refused.

1. Loads ``--persons`` synthetic persons with the registry's bulk loader
   (bench/registry_bench.py's generator: names in seven scripts, identifiers),
   then fills the blocking keys of all of them (``refresh_all_keys``, the first
   half of ``liaison match run``), timed.
2. Then, ``--reps`` times: a person arrives (written without the arrival hook,
   not timed: half of them carry the names of an existing person, so that
   blocking finds candidates and the scorer works; half have new names) and
   ``match_new_person`` is timed: blocking keys, candidate lookup in the key
   table, loading and scoring the candidates, storing pairs and hits.
   Printed: p50 / p95 / max in milliseconds and the queries per call. The
   target is under 100 ms.
"""
from __future__ import annotations

import argparse
import os
import random
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

from registry_bench import AGENCIES, AGENCY_WEIGHTS, Generator, recreate_database  # noqa: E402


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--persons", type=int, default=100000, help="persons in the registry before the arrivals")
    parser.add_argument("--reps", type=int, default=200, help="arriving persons, each matched once")
    parser.add_argument("--seed", type=int, default=7)
    args = parser.parse_args()
    url = os.environ.get("DATABASE_URL", "postgres://postgres@127.0.0.1:5432/liaison_bench_match")
    if not url.startswith(("postgres://", "postgresql://")):
        sys.exit("The benchmark measures PostgreSQL: set DATABASE_URL=postgres://…/liaison_bench_match")
    os.environ["DATABASE_URL"] = recreate_database(url)
    os.environ.setdefault("SECRET_KEY", "benchmark-only-not-a-secret")
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "liaison.settings")
    import django

    django.setup()
    run(args)


def run(args):
    from django.core.management import call_command
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from liaison.matching import services
    from liaison.matching.models import CandidatePair, MatchKey
    from liaison.registry.bulk import load_persons
    from liaison.registry.models import Nationality, Person, PersonName
    from liaison.sharing.models import Agency

    call_command("migrate", verbosity=0)
    agencies = [Agency.objects.create(name=f"Agency {short}", short_name=short, country_id=cc) for short, cc in AGENCIES]
    gen = Generator(args.seed, [a.pk for a in agencies])
    rng = random.Random(args.seed + 1)
    start = time.perf_counter()
    done, batch = 0, 10000
    while done < args.persons:
        size = min(batch, args.persons - done)
        owner = rng.choices(agencies, AGENCY_WEIGHTS)[0]
        load_persons([gen.person(owner.pk) for _ in range(size)], owner, reference="benchmark", is_synthetic=True)
        done += size
    load_seconds = time.perf_counter() - start
    start = time.perf_counter()
    services.refresh_all_keys()
    keys_seconds = time.perf_counter() - start
    with connection.cursor() as cursor:
        cursor.execute("VACUUM (ANALYZE)")
    print(f"registry: {args.persons:,} persons loaded in {load_seconds:.1f} s; "
          f"{MatchKey.objects.count():,} blocking keys built in {keys_seconds:.1f} s "
          f"({args.persons / keys_seconds:,.0f} persons/s)")

    existing = list(Person.objects.order_by("?").values_list("pk", flat=True)[: args.reps])
    names_of = {}
    for pid, name in PersonName.objects.filter(person_id__in=existing).values_list("person_id", "full_name"):
        names_of.setdefault(pid, []).append(name)
    times, queries, found = [], [], 0
    services.matcher()  # loaded once per process, as in a running server
    for i in range(args.reps):
        owner = agencies[i % len(agencies)]
        if i % 2 == 0 and existing:
            names = names_of.get(existing[i % len(existing)], ["Nguyen Van An"])
        else:
            names = [gen.person(owner.pk)["names"][0]["full_name"]]
        # Written with bulk_create (no arrival hook), so that only the call below is timed.
        person = Person.objects.bulk_create([Person(owner=owner, distribution="members", birth_date="1980",
                                                    display_name=names[0], is_synthetic=True)])[0]
        PersonName.objects.bulk_create([PersonName(person=person, full_name=n, kind="primary" if j == 0 else "alias",
                                                   search_key=n.casefold()) for j, n in enumerate(names)])
        Nationality.objects.bulk_create([Nationality(person=person, country_id="VN")])
        with CaptureQueriesContext(connection) as captured:
            start = time.perf_counter()
            new = services.match_new_person(person)
            times.append((time.perf_counter() - start) * 1000)
        queries.append(len(captured.captured_queries))
        found += len(new)
    times.sort()
    print(f"match_new_person over {args.reps} arrivals: p50 {statistics.median(times):.1f} ms, "
          f"p95 {times[max(0, int(len(times) * 0.95) - 1)]:.1f} ms, max {times[-1]:.1f} ms; "
          f"{statistics.median(queries):.0f} queries per call (median); {found} candidate pairs proposed; "
          f"{CandidatePair.objects.count()} pairs stored")


if __name__ == "__main__":
    main()
