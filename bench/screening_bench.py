"""Border screening on PostgreSQL: travellers screened against N watchlisted persons.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/screening_bench \\
        nice -n 10 .venv/bin/python bench/screening_bench.py --persons 20000

The database named in DATABASE_URL is DROPPED and re-created (``test``,
``liaison_dev`` and ``postgres`` are refused), loaded with the registry
benchmark's synthetic persons (``registry_bench.Generator``, COPY loader),
every person is put on its owner's watchlist and given its screening keys
(``screening.keys.refresh_all``, COPY, as ``manage.py screening_keys`` does). Then:

- a manifest of ``--manifest`` travellers (``--hit-rate`` of them, 1 % by default,
  watched persons of the registry; the others from other name pools, as most
  of a real manifest: hits on them are reported apart as ``other_hits``) through ``screening.services.screen``:
  names per second, on one core (one process, one connection);
- one traveller at a time, ``--reps`` times: p50/p95 ms through the service
  function and through ``POST /api/screen`` (Django's test client, token auth).

Targets (issue 13): at 1,000,000 persons, >= 200 names/s for a manifest,
p95 < 50 ms for one name through the API, 10,000 travellers in under a minute.
"""
from __future__ import annotations

import argparse
import json
import os
import random
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

import registry_bench as rb  # noqa: E402  (the registry benchmark's generator and database helpers)


def percentiles(times):
    times = sorted(times)
    return {"n": len(times), "p50_ms": round(statistics.median(times), 2),
            "p95_ms": round(times[max(0, int(len(times) * 0.95) - 1)], 2), "max_ms": round(times[-1], 2)}


def load(args):
    from django.db import connection

    from liaison.registry.bulk import deferred_indexes, load_persons
    from liaison.screening.keys import refresh_all as refresh_screening_keys
    from liaison.sharing.models import Agency

    agencies = [Agency.objects.create(name=f"Agency {short}", short_name=short, country_id=cc) for short, cc in rb.AGENCIES]
    gen = Sampling(args.seed, [a.pk for a in agencies])
    rng = random.Random(args.seed + 1)
    figures, done, start = {}, 0, time.perf_counter()
    with deferred_indexes():
        while done < args.persons:
            size = min(args.batch, args.persons - done)
            owner = rng.choices(agencies, rb.AGENCY_WEIGHTS)[0]
            load_persons([gen.person(owner.pk) for _ in range(size)], owner, reference="benchmark", is_synthetic=True,
                         batch_size=args.batch)
            done += size
            if done % (args.batch * 10) == 0 or done == args.persons:
                print(f"  loaded {done:>9,} persons ({time.perf_counter() - start:,.0f} s)", flush=True)
    figures["load_seconds"] = round(time.perf_counter() - start, 1)
    with connection.cursor() as cursor:
        cursor.execute("INSERT INTO matching_watchlistentry (person_id, agency_id, reason, automatic, since) "
                       "SELECT id, owner_id, 'benchmark', false, now() FROM registry_person WHERE protection = ''")
        cursor.execute("SELECT count(*) FROM matching_watchlistentry")
        figures["watchlisted"] = cursor.fetchone()[0]
    # Screening keys of every watched person (bulk, COPY): what `manage.py screening_keys` does.
    start = time.perf_counter()
    _persons, figures["screening_keys"] = refresh_screening_keys()
    figures["screening_keys_seconds"] = round(time.perf_counter() - start, 1)
    with connection.cursor() as cursor:
        cursor.execute("VACUUM (ANALYZE)")
    print(f"  {figures['watchlisted']:,} watchlisted, {figures['screening_keys']:,} screening keys in "
          f"{figures['screening_keys_seconds']} s", flush=True)
    return agencies, gen, figures


class Sampling(rb.Generator):
    """The registry benchmark's generator, remembering each sampled person's names with its birth year."""

    def __init__(self, *args):
        super().__init__(*args)
        self.known = []  # (name, birth year) of sampled persons, in each script they were written

    def person(self, owner_id):
        before = len(self.samples["identifier"])
        row = super().person(owner_id)
        if len(self.samples["identifier"]) > before:
            self.known.extend((n["full_name"], row["birth_date"]) for n in row["names"])
        return row


# Names of travellers who are not on any list: other pools than the registry's (registry_bench draws
# from Chinese, Vietnamese, Thai, Burmese, Khmer and a few other names), as most of a real manifest is.
OTHER_FAMILY = ("Santos Reyes Cruz Bautista Ocampo Mendoza Sharma Patel Singh Kumar Das Iyer Tanaka Suzuki Sato "
                "Watanabe Ivanova Petrov Müller Schmidt Rossi Silva Costa Dubois Martin Jones Brown Taylor Wilson "
                "Andersson Novak Kowalski Horvath Ozturk Yilmaz Haddad Mensah Okafor Fernando Perera Gurung").split()
OTHER_GIVEN = ("Maria Jose Juan Ana Rosa Carlos Ravi Priya Arjun Hiroshi Yuki Olga Ivan Pierre Sophie Lucas Emma "
               "Noah Liam Olivia Ingrid Sven Tomasz Zsofia Emre Layla Kwame Chidi Dilani Ramesh Pasang Isabel Diego "
               "Marta Jonas Elif Nadia Kofi").split()
OTHER_HAN_FAMILY = ["欧阳", "司马", "诸葛", "上官", "东方", "皇甫", "尉迟", "公孙", "慕容", "令狐"]
OTHER_HAN_GIVEN = list("翔璐蓓珂骏毅鹤岚蕾璇琪骁霖翊珩煜钧铭")
OTHER_THAI_GIVEN = "พิชิต ศุภชัย เอกชัย ธีรวัฒน์ ภูมิพัฒน์ ปิยะพงษ์ ชลธิชา กมลชนก ปวีณา ศศิธร".split()
OTHER_THAI_FAMILY = "แก้วประเสริฐ ศักดิ์สิทธิ์ พงษ์พานิช อินทรวงศ์ เกียรติสกุล ลิ้มทองคำ".split()


def other_name(rng):
    kind = rng.random()
    if kind < 0.6:
        return f"{rng.choice(OTHER_GIVEN)} {rng.choice(OTHER_GIVEN)} {rng.choice(OTHER_FAMILY)}"
    if kind < 0.8:
        return rng.choice(OTHER_HAN_FAMILY) + "".join(rng.choice(OTHER_HAN_GIVEN) for _ in range(rng.choice((1, 2))))
    return f"{rng.choice(OTHER_THAI_GIVEN)} {rng.choice(OTHER_THAI_FAMILY)}"


def travellers(gen, count, hit_rate, seed):
    """(travellers, lines of the watched ones): ``hit_rate`` of them watched persons of the registry (one of
    their names, in whichever script it was registered, their birth year with a day and month), the
    others from other name pools, with a full date of birth, as passports give it."""
    from liaison.screening.manifest import Traveller

    rng = random.Random(seed)
    out, watched = [], set()
    for line in range(2, count + 2):
        if gen.known and rng.random() < hit_rate:
            name, year = rng.choice(gen.known)
            watched.add(line)
        else:
            name, year = other_name(rng), str(rng.randint(1950, 2005))
        born = f"{year}-{rng.randint(1, 12):02d}-{rng.randint(1, 28):02d}"
        out.append(Traveller(line=line, names=[name], birth_date=born))
    return out, watched


def hit_lines(run):
    return set(run.hit_rows.values_list("line", flat=True))


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--persons", type=int, default=20000)
    parser.add_argument("--manifest", type=int, default=2000, help="travellers in the manifest")
    parser.add_argument("--hit-rate", type=float, default=0.01, help="share of the travellers who are registered")
    parser.add_argument("--reps", type=int, default=200, help="single travellers screened")
    parser.add_argument("--batch", type=int, default=10000)
    parser.add_argument("--seed", type=int, default=42)
    parser.add_argument("--profile", action="store_true", help="print the manifest run's profile")
    args = parser.parse_args()

    url = os.environ.get("DATABASE_URL", "postgres://postgres@127.0.0.1:5432/screening_bench")
    if not url.startswith(("postgres://", "postgresql://")):
        sys.exit("The benchmark measures PostgreSQL: set DATABASE_URL=postgres://…/screening_bench")
    os.environ["DATABASE_URL"] = rb.recreate_database(url)
    os.environ.setdefault("SECRET_KEY", "benchmark-only-not-a-secret")
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "liaison.settings")
    import django

    django.setup()
    from django.conf import settings
    from django.core.management import call_command
    from rest_framework.test import APIClient

    from liaison.screening import services
    from liaison.screening.models import Screening
    from liaison.sharing.models import Agency, User
    from liaison.sharing.tokens import ApiToken

    settings.ALLOWED_HOSTS = ["testserver"]
    # One screener makes every hit of the benchmark: the daily limit of hits per agency pair (50) would
    # answer "no hit" (withheld) to all after the manifest. The work is the same either way.
    settings.SCREENING_PROBE_LIMIT = 10**9
    call_command("migrate", verbosity=0)
    agencies, gen, figures = load(args)
    post = Agency.objects.create(name="Immigration (bench)", short_name="IMM", country_id="TH", kind="immigration")
    screener = User.objects.create_user(username="bench_screener", agency=post, roles=["screener"])
    results = {"persons": args.persons, **figures}

    warm, _ = travellers(gen, 50, args.hit_rate, args.seed + 9)
    services.screen(screener, warm, kind=Screening.Kind.MANIFEST)  # warm the matcher and name caches
    manifest, watched = travellers(gen, args.manifest, args.hit_rate, args.seed + 2)
    if args.profile:
        import cProfile
        import pstats

        profiler = cProfile.Profile()
        profiler.enable()
    start = time.perf_counter()
    run, _answers = services.screen(screener, manifest, kind=Screening.Kind.MANIFEST, place="bench")
    seconds = time.perf_counter() - start
    if args.profile:
        profiler.disable()
        pstats.Stats(profiler).sort_stats("cumulative").print_stats(25)
    lines = hit_lines(run)
    results["manifest"] = {
        "travellers": len(manifest), "watched_travellers": len(watched), "hits": len(lines),
        "watched_found": len(lines & watched), "other_hits": len(lines - watched),
        "seconds": round(seconds, 2), "names_per_s": round(len(manifest) / seconds, 1)}
    print(f"manifest: {results['manifest']}", flush=True)

    singles, watched = travellers(gen, args.reps, max(args.hit_rate, 0.1), args.seed + 3)
    times, found = [], 0
    for traveller in singles:
        start = time.perf_counter()
        one, _ = services.screen(screener, [traveller], kind=Screening.Kind.API)
        times.append((time.perf_counter() - start) * 1000)
        found += bool(one.hits)
    results["single_service"] = {**percentiles(times), "watched": len(watched), "hits": found}
    print(f"one name, service: {results['single_service']}", flush=True)

    _token, key = ApiToken.issue(screener, "bench", scope=ApiToken.Scope.READ_WRITE)
    api = APIClient()
    api.credentials(HTTP_AUTHORIZATION=f"Token {key}")
    times, found = [], 0
    singles, watched = travellers(gen, args.reps, max(args.hit_rate, 0.1), args.seed + 4)
    for traveller in singles:
        body = {"names": traveller.names, "birth_date": traveller.birth_date}
        start = time.perf_counter()
        response = api.post("/api/screen", body, format="json")
        times.append((time.perf_counter() - start) * 1000)
        assert response.status_code == 200, response.content
        found += response.json()["hits"]
    results["single_api"] = {**percentiles(times), "watched": len(watched), "hits": found}
    print(f"one name, API:     {results['single_api']}", flush=True)

    out_dir = ROOT / "bench" / "results"
    out_dir.mkdir(parents=True, exist_ok=True)
    path = out_dir / f"screening-{args.persons}-{time.strftime('%Y%m%d-%H%M%S')}.json"
    path.write_text(json.dumps(results, indent=2, ensure_ascii=False))
    print(f"JSON: {path.relative_to(ROOT)}")


if __name__ == "__main__":
    main()
