"""Saved-search alerts on PostgreSQL: what an alert adds to the save of a record,
and how long the catch-up (``liaison alerts run``) takes (issue 17).

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/saved_alerts_bench \\
        nice -n 10 .venv/bin/python bench/saved_alerts_bench.py --persons 100000 --searches 300

The database named in DATABASE_URL (default ``saved_alerts_bench``) is DROPPED and
re-created (``registry_bench.recreate_database``) unless ``--keep-data`` is given.

It loads ``--persons`` persons with ``registry_bench``'s generator (six agencies),
gives each agency ``--analysts`` analysts and spreads ``--searches`` saved searches with
alerts over them: 60 % queries of the search page (names of the registry, family names
shared by hundreds), 40 % list filters (persons by nationality or name, sites, events).

Then, for ``--reps`` new persons each saved in its own transaction the way the person
form saves them (the person, then two names), it measures the work ``alerts.run_pending``
does after the commit: queries and milliseconds (p50/p95/max), for persons matching no
saved search and for persons named like one. Last, it bulk-loads ``--bulk`` persons
(no signals) and times ``run_catch_up`` over every saved search, twice (the second run
reports nothing: idempotent).
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

import registry_bench as rb  # noqa: E402


def stats(values):
    values = sorted(values)
    return {"n": len(values), "p50": round(statistics.median(values), 1),
            "p95": round(values[max(0, int(len(values) * 0.95) - 1)], 1), "max": round(values[-1], 1)}


def build(args):
    from django.core.management import call_command
    from django.db import connection

    from liaison.registry.bulk import deferred_indexes, load_persons
    from liaison.sharing.models import Agency, User

    call_command("migrate", verbosity=0)
    agencies = [Agency.objects.create(name=f"Agency {short}", short_name=short, country_id=cc)
                for short, cc in rb.AGENCIES]
    for agency in agencies:
        for i in range(args.analysts):
            User.objects.create_user(username=f"saved_{agency.short_name.lower()}_{i}", agency=agency, roles=["analyst"])
    gen = rb.Generator(args.seed, [a.pk for a in agencies])
    rng = random.Random(args.seed + 1)
    start = time.perf_counter()
    with deferred_indexes():
        done = 0
        while done < args.persons:
            size = min(10_000, args.persons - done)
            owner = rng.choices(agencies, rb.AGENCY_WEIGHTS)[0]
            load_persons([gen.person(owner.pk) for _ in range(size)], owner, reference="bench", is_synthetic=True)
            done += size
    with connection.cursor() as cursor:
        cursor.execute("VACUUM (ANALYZE)")
    print(f"loaded {args.persons:,} persons in {time.perf_counter() - start:.0f} s", flush=True)


def make_searches(args):
    from django.db import connection

    from liaison.analysis.models import SavedSearch
    from liaison.sharing.models import User

    SavedSearch.objects.all().delete()
    rng = random.Random(args.seed + 3)
    users = list(User.objects.filter(username__startswith="saved_"))
    with connection.cursor() as cursor:
        cursor.execute("SELECT full_name FROM registry_personname TABLESAMPLE SYSTEM (2) WHERE script = 'Latn' "
                       "AND full_name NOT LIKE 'Zzqx%%' AND full_name NOT LIKE '%%Junior%%' LIMIT 2000")
        full_names = [r[0] for r in cursor.fetchall()]
    family = sorted({n.split()[0] for n in full_names})
    lists = ["nationality=MM", "nationality=KH", "nationality=TH&status=wanted", "country=MM", "kind=raid"]
    rows = []
    for i in range(args.searches):
        user = rng.choice(users)
        if rng.random() < 0.6:
            query = rng.choice(full_names) if rng.random() < 0.5 else rng.choice(family)
            rows.append(SavedSearch(owner=user, name=query, kind="search", query=f"{query} {i}" if i % 7 == 0 else query))
        else:
            query = rng.choice(lists)
            kind = {"country=MM": "sites", "kind=raid": "events"}.get(query, "persons")
            rows.append(SavedSearch(owner=user, name=query, kind=kind, query=query if i % 3 else f"name={rng.choice(family)}"))
    SavedSearch.objects.bulk_create(rows, ignore_conflicts=True)
    return SavedSearch.objects.count(), family


def measure_saves(args, family):
    from django.db import connection, transaction
    from django.test.utils import CaptureQueriesContext

    from liaison.analysis import alerts
    from liaison.analysis.models import SavedSearch
    from liaison.registry.models import Person, PersonName
    from liaison.sharing.models import Agency

    taken = {"ms": [], "queries": []}
    original = alerts.run_pending

    def measured(*a, **k):
        connection.queries_log.clear()  # the log keeps 9,000 queries: a full one counts nothing
        start = time.perf_counter()
        with CaptureQueriesContext(connection) as ctx:
            result = original(*a, **k)
        taken["ms"].append((time.perf_counter() - start) * 1000)
        taken["queries"].append(len(ctx.captured_queries))
        return result

    alerts.run_pending = measured
    searched = list(SavedSearch.objects.filter(kind="search").values_list("query", flat=True))
    agencies = list(Agency.objects.all())
    rng = random.Random(args.seed + 4)
    out = {}
    try:
        for case in ("no_match", "named_like_a_saved_search"):
            taken["ms"].clear()
            taken["queries"].clear()
            for i in range(args.reps):
                owner = rng.choice(agencies)
                distribution = rng.choice(["owner", "members", "members", "shared"])
                if case == "no_match":
                    # no saved name is part of it, no digit to share a matcher key with "Nguyen 14"
                    name = "Zzqx Qvvz " + "".join("qxzv"[int(d) % 4] for d in str(i))
                else:
                    name = f"{rng.choice(searched)} Junior{i}"
                with transaction.atomic():
                    person = Person.objects.create(owner=owner, distribution=distribution, is_synthetic=True)
                    PersonName.objects.create(person=person, full_name=name, kind="primary")
                    PersonName.objects.create(person=person, full_name=f"{name} Qz", kind="alias")
            out[case] = {"ms": stats(taken["ms"]), "queries": stats(taken["queries"])}
    finally:
        alerts.run_pending = original
    return out


def measure_catch_up(args, family):
    from liaison import names
    from liaison.analysis import alerts
    from liaison.registry.models import Person, PersonName
    from liaison.sharing.models import Agency

    # bulk_create, as bulk loads write: no signal, so only the catch-up sees them.
    rng = random.Random(args.seed + 9)
    owners = list(Agency.objects.all())
    persons = Person.objects.bulk_create([Person(owner=rng.choice(owners), distribution="members", is_synthetic=True)
                                          for _ in range(args.bulk)])
    rows = []
    for i, person in enumerate(persons):
        full_name = f"{rng.choice(family)} Bulk{i}"
        rows.append(PersonName(person=person, full_name=full_name, search_key=names.search_key(full_name), kind="primary"))
    PersonName.objects.bulk_create(rows)
    runs = []
    for _ in range(2):
        start = time.perf_counter()
        checked, reported = alerts.run_catch_up()
        runs.append({"seconds": round(time.perf_counter() - start, 2), "checked": checked, "reported": reported})
    return runs


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--persons", type=int, default=100_000)
    parser.add_argument("--searches", type=int, default=300)
    parser.add_argument("--analysts", type=int, default=10, help="analysts per agency")
    parser.add_argument("--reps", type=int, default=100)
    parser.add_argument("--bulk", type=int, default=1000, help="persons bulk-loaded before the catch-up")
    parser.add_argument("--keep-data", action="store_true", help="reuse the persons of an earlier run")
    parser.add_argument("--seed", type=int, default=17)
    args = parser.parse_args()
    url = os.environ.get("DATABASE_URL", "postgres://postgres@127.0.0.1:5432/saved_alerts_bench")
    if not url.startswith(("postgres://", "postgresql://")):
        sys.exit("The benchmark measures PostgreSQL: set DATABASE_URL=postgres://…/saved_alerts_bench")
    os.environ["DATABASE_URL"] = url if args.keep_data else rb.recreate_database(url)
    os.environ.setdefault("SECRET_KEY", "benchmark-only-not-a-secret")
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "liaison.settings")
    import django

    django.setup()
    if not args.keep_data:
        build(args)
    else:
        from django.core.management import call_command

        call_command("migrate", verbosity=0)
    count, family = make_searches(args)
    print(f"{count} saved searches with alerts, {args.analysts} analysts per agency")
    saves = measure_saves(args, family)
    print(f"\n{'after the commit of one new person':34} {'p50':>7} {'p95':>7} {'max':>7}")
    for case, row in saves.items():
        print(f"{case + ' (queries)':34} {row['queries']['p50']:>7} {row['queries']['p95']:>7} {row['queries']['max']:>7}")
        print(f"{case + ' (ms)':34} {row['ms']['p50']:>7} {row['ms']['p95']:>7} {row['ms']['max']:>7}")
    for i, run in enumerate(measure_catch_up(args, family), 1):
        print(f"catch-up run {i} after {args.bulk:,} bulk-loaded persons: {run['seconds']} s, "
              f"{run['checked']} saved searches, {run['reported']} matches reported")


if __name__ == "__main__":
    main()
