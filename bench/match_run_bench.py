"""Incremental ``liaison match run`` at scale (issue 18): time and memory, PostgreSQL.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/liaison_bench_match \\
        .venv/bin/python bench/match_run_bench.py --persons 100000

    # a registry loaded already (never keyed, or keyed: step 1 keys it again), used as it is:
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/COPY_OF_1M \\
        .venv/bin/python bench/match_run_bench.py --reuse

With ``--persons N`` the database named in DATABASE_URL is DROPPED and re-created
(``test``, ``liaison_dev`` and ``postgres`` are refused), migrated, and N synthetic
persons are loaded with the COPY loader (bench/registry_bench.py's generator: names
in seven scripts, identifiers); the load is not timed. Then:

1. **First keying of the whole registry**: the keying part of ``match run --full``
   (``services.refresh_all_keys``: every live person's blocking keys by COPY and its
   ``KeyedPerson`` row, a chunk of 2,000 a transaction). Not the batch linkage of
   ``--full``, which holds every record in memory (about 5 GB at a million).
2. **Changes**: 1,000 persons get an alias name through the ORM (arrival matching
   switched off, as when it failed or the worker was down, so that the run has
   their work to do), and 1,000 new persons are bulk-loaded, 200 of them copies
   (names, year of birth, sex, nationality) of existing persons held by another agency.
3. **Incremental run** (``runs.incremental``, what ``liaison match run`` does):
   seconds, persons re-keyed, pairs found and new.
4. **Second incremental run**: nothing to do; its time.

Steps 1, 3 and 4 each run in a child process, so that each reports its own peak
memory: ``ru_maxrss`` of the child (the high-water mark of its resident set, Django,
the matcher and the name analysis's dictionaries included) and its resident set just
before the step started, once those were loaded and warmed on 300 of the registry's
persons; the difference is what the step itself added at its peak.
"""
from __future__ import annotations

import argparse
import json
import os
import random
import resource
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

from registry_bench import AGENCIES, AGENCY_WEIGHTS, Generator, recreate_database  # noqa: E402

CHANGED = 1000
NEW = 1000
DUPLICATES = 200


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    what = parser.add_mutually_exclusive_group(required=True)
    what.add_argument("--persons", type=int, help="re-create the database and load this many persons")
    what.add_argument("--reuse", action="store_true", help="use the database in DATABASE_URL as it is")
    what.add_argument("--child", choices=["key_all", "incremental"], help=argparse.SUPPRESS)
    parser.add_argument("--seed", type=int, default=11)
    args = parser.parse_args()

    url = os.environ.get("DATABASE_URL", "postgres://postgres@127.0.0.1:5432/liaison_bench_match")
    if not url.startswith(("postgres://", "postgresql://")):
        sys.exit("The benchmark measures PostgreSQL: set DATABASE_URL=postgres://…/liaison_bench_match")
    if args.persons:
        url = recreate_database(url)
    os.environ["DATABASE_URL"] = url
    os.environ.setdefault("SECRET_KEY", "benchmark-only-not-a-secret")
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "liaison.settings")
    import django

    django.setup()
    if args.child:
        return child(args.child)
    run(args)


def rss_kb(field="VmRSS"):
    with open("/proc/self/status") as status:
        for line in status:
            if line.startswith(field + ":"):
                return int(line.split()[1])
    return 0


def child(step):
    """One timed step in its own process; its figures as the last line of standard output (JSON)."""
    from liaison.matching import records, runs, services
    from liaison.registry.models import Person

    # Before the baseline, what every process that matches loads once: the matcher's
    # parameters and the name analysis's dictionaries and models (pinyin, ICU, Thai, Japanese
    # readings...), warmed on a sample of the registry's names in every script.
    sample = records.load(Person.objects.order_by("pk").values_list("pk", flat=True)[:300])
    for record in sample.values():
        records.keys_of(record)
    for record in list(sample.values())[:20]:
        services.matcher().candidates(record, sample.values())
    started_rss = rss_kb()

    marks = {}  # resident set at 10 %, 50 % and 100 % of the persons: flat if memory is bounded

    def progress(stage, done, total):
        for share in (10, 50, 100):
            if total and done * 100 >= share * total and share not in marks:
                marks[share] = round(rss_kb() / 1024, 1)
        if done % 20000 == 0 or done == total:
            print(f"  {stage}: {done:,} / {total:,}, RSS {rss_kb() / 1024:,.0f} MB", file=sys.stderr, flush=True)

    start = time.perf_counter()
    if step == "key_all":
        keyed = services.refresh_all_keys(keep=False, progress=lambda done, total: progress("key", done, total))
        figures = {"keyed": keyed}
    else:
        report = runs.incremental(progress=progress)
        figures = {"to_key": report.to_key, "keyed": report.keyed, "found": report.found, "new": report.new}
    seconds = time.perf_counter() - start
    figures.update(rss_mb_at_percent={f"{k}%": v for k, v in sorted(marks.items())})
    figures.update(seconds=round(seconds, 2), rss_before_mb=round(started_rss / 1024, 1),
                   peak_rss_mb=round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1),
                   load=[round(x, 1) for x in os.getloadavg()])
    print(json.dumps(figures))


def in_child(step):
    done = subprocess.run([sys.executable, __file__, "--child", step], env=os.environ, check=True,
                          stdout=subprocess.PIPE, text=True)
    return json.loads(done.stdout.strip().splitlines()[-1])


def run(args):
    from django.core.management import call_command
    from django.db import connection

    from liaison.matching.models import CandidatePair, KeyedPerson, MatchKey
    from liaison.registry.models import Person
    from liaison.sharing.models import Agency

    call_command("migrate", verbosity=0)
    rng = random.Random(args.seed)
    if args.persons:
        agencies = [Agency.objects.create(name=f"Agency {short}", short_name=short, country_id=cc) for short, cc in AGENCIES]
        gen = Generator(args.seed, [a.pk for a in agencies])
        load(gen, agencies, args.persons, rng)
        with connection.cursor() as cursor:
            cursor.execute("VACUUM (ANALYZE)")
    else:
        agencies = list(Agency.objects.order_by("pk"))
        gen = Generator(args.seed, [a.pk for a in agencies])
        gen.serial = 80_000_000  # identifiers the loaded registry does not hold (phones are unique up to 90M)
    persons = Person.objects.count()
    print(f"registry: {persons:,} persons, {MatchKey.objects.count():,} blocking keys, "
          f"{KeyedPerson.objects.count():,} persons keyed; load average {os.getloadavg()[0]:.1f}", flush=True)

    print("1. first keying of the whole registry (the keying part of `match run --full`)", flush=True)
    first = in_child("key_all")
    print(f"   {first['keyed']:,} persons keyed in {first['seconds']:.1f} s "
          f"({first['keyed'] / first['seconds']:,.0f} persons/s); {MatchKey.objects.count():,} keys; "
          f"peak RSS {first['peak_rss_mb']:.0f} MB (before: {first['rss_before_mb']:.0f} MB; "
          f"RSS at {first['rss_mb_at_percent']}); load {first['load']}",
          flush=True)
    with connection.cursor() as cursor:
        cursor.execute("VACUUM (ANALYZE) matching_matchkey")
        cursor.execute("VACUUM (ANALYZE) matching_keyedperson")

    print(f"2. {CHANGED:,} persons given an alias through the ORM, {NEW:,} new persons bulk-loaded "
          f"({DUPLICATES} of them copies of existing persons)", flush=True)
    start = time.perf_counter()
    change(gen, agencies, rng)
    print(f"   done in {time.perf_counter() - start:.1f} s (not part of the run)", flush=True)
    pairs_before = CandidatePair.objects.count()

    print("3. incremental run", flush=True)
    third = in_child("incremental")
    print(f"   {third['keyed']:,} persons re-keyed (of {third['to_key']:,} to key) in {third['seconds']:.1f} s "
          f"({third['keyed'] / max(third['seconds'], 1e-9):,.0f} persons/s); {third['found']:,} candidate pairs found, "
          f"{third['new']:,} new in the queue ({CandidatePair.objects.count() - pairs_before:,} stored); "
          f"peak RSS {third['peak_rss_mb']:.0f} MB (before: {third['rss_before_mb']:.0f} MB); load {third['load']}",
          flush=True)

    print("4. second incremental run (nothing to do)", flush=True)
    fourth = in_child("incremental")
    print(f"   {fourth['keyed']:,} persons re-keyed in {fourth['seconds']:.2f} s; "
          f"peak RSS {fourth['peak_rss_mb']:.0f} MB (before: {fourth['rss_before_mb']:.0f} MB); load {fourth['load']}",
          flush=True)

    results = {"persons": persons, "first_keying": first, "incremental": third, "second_incremental": fourth}
    out_dir = ROOT / "bench" / "results"
    out_dir.mkdir(parents=True, exist_ok=True)
    path = out_dir / f"match-run-{persons}-{time.strftime('%Y%m%d-%H%M%S')}.json"
    path.write_text(json.dumps(results, indent=2))
    print(f"\nJSON: {path.relative_to(ROOT)}")


def load(gen, agencies, count, rng, batch=10000):
    from liaison.registry.bulk import load_persons

    done, start = 0, time.perf_counter()
    while done < count:
        size = min(batch, count - done)
        owner = rng.choices(agencies, AGENCY_WEIGHTS[:len(agencies)] or None)[0]
        load_persons([gen.person(owner.pk) for _ in range(size)], owner, reference="benchmark", is_synthetic=True)
        done += size
    print(f"loaded {count:,} persons in {time.perf_counter() - start:.1f} s (not timed further)", flush=True)


def sample_persons(rng, count):
    """``count`` live person ids picked at random across the id range (no list of every id)."""
    from django.db.models import Max, Min

    from liaison.registry.models import Person

    bounds = Person.objects.aggregate(low=Min("pk"), high=Max("pk"))
    found = set()
    while len(found) < count:
        wanted = {rng.randint(bounds["low"], bounds["high"]) for _ in range(2 * (count - len(found)))}
        found.update(Person.objects.filter(pk__in=wanted, retracted_at__isnull=True).values_list("pk", flat=True))
    return sorted(found)[:count] if len(found) == count else sorted(rng.sample(sorted(found), count))


def change(gen, agencies, rng):
    from liaison.matching import services
    from liaison.registry.bulk import load_persons
    from liaison.registry.models import Nationality, Person, PersonName

    # 1,000 aliases through the ORM: each save deletes the person's KeyedPerson row (matching.signals).
    # Arrival matching is switched off here, as when it failed or no worker ran.
    scheduled, services.schedule = services.schedule, lambda person_id: None
    try:
        for pk in sample_persons(rng, CHANGED):
            PersonName.objects.create(person_id=pk, full_name=gen.person(agencies[0].pk)["names"][0]["full_name"],
                                      kind="alias")
    finally:
        services.schedule = scheduled

    # 1,000 new persons in one bulk load by one agency; 200 copy an existing person of another agency.
    owner = agencies[-1]
    originals = Person.objects.filter(pk__in=sample_persons(rng, DUPLICATES * 3)).exclude(owner=owner)
    originals = list(originals.values_list("pk", "sex", "birth_date")[:DUPLICATES])
    names, countries = {}, {}
    for pid, full_name, kind in PersonName.objects.filter(person_id__in=[o[0] for o in originals]).values_list(
            "person_id", "full_name", "kind"):
        names.setdefault(pid, []).append({"full_name": full_name, "kind": kind})
    for pid, country in Nationality.objects.filter(person_id__in=[o[0] for o in originals]).values_list(
            "person_id", "country_id"):
        countries.setdefault(pid, []).append(country)
    rows = [{"names": names[pid], "sex": sex, "birth_date": (birth_date or "")[:4], "nationalities": countries.get(pid, []),
             "distribution": "members"} for pid, sex, birth_date in originals if names.get(pid)]
    rows += [gen.person(owner.pk) for _ in range(NEW - len(rows))]
    rng.shuffle(rows)
    load_persons(rows, owner, reference="benchmark changes", is_synthetic=True)


if __name__ == "__main__":
    main()
