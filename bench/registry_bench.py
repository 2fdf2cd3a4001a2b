"""Registry performance on PostgreSQL: bulk load, entity page, lists, search.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/liaison_bench \\
        .venv/bin/python bench/registry_bench.py --persons 1000000

The database named in DATABASE_URL (default liaison_bench) is DROPPED and
re-created; ``test``, ``liaison_dev`` and ``postgres`` are refused. See
bench/README.md for what each figure means.
"""
from __future__ import annotations

import argparse
import contextlib
import json
import os
import random
import statistics
import sys
import time
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
PROTECTED_DATABASES = {"test", "liaison_dev", "postgres", "template0", "template1"}

AGENCIES = [("MPS", "CN"), ("MOHA", "MM"), ("CNP", "KH"), ("RTP", "TH"), ("VNPOL", "VN"), ("LAOPOL", "LA")]
# How many of the persons each agency owns: the centres are not the same size.
AGENCY_WEIGHTS = [30, 20, 15, 15, 12, 8]
DISTRIBUTIONS = ["owner", "members", "shared", "public"]
DISTRIBUTION_WEIGHTS = [40, 45, 12, 3]

LATIN_FAMILY = "Nguyen Tran Le Pham Hoang Phan Vu Dang Bui Do Ho Ngo Duong Ly Wang Li Zhang Liu Chen Yang Zhao Huang Zhou Wu Xu Sun Ma Zhu Hu Guo Lin He Gao Luo Chan Sok Chea Kim Aung Kyaw Win Htun Soe Myint Thant Hassan Ali Khan Rahman Smith Garcia".split()
LATIN_SYLLABLES = "an bao binh chi cuong dung duc giang ha hai hanh hieu hoa hung huy khanh lan linh long mai minh nam nga ngoc phong phuong quang son tam thanh thao thu tien trung tuan tung van viet xuan yen wei jun hao lei ming qiang jie tao yong bo chao dara sophea vanna rithy sokha thida zaw naing moe ahmed omar".split()
VIET_FAMILY = "Nguyễn Trần Lê Phạm Hoàng Phan Vũ Đặng Bùi Đỗ Hồ Ngô Dương Lý".split()
VIET_GIVEN = "An Bảo Bình Chi Cường Dũng Đức Giang Hà Hải Hạnh Hiếu Hoa Hùng Huy Khánh Lan Linh Long Mai Minh Nam Nga Ngọc Phong Phương Quang Sơn Tâm Thành Thảo Thu Tiến Trung Tuấn Tùng Văn Việt Xuân Yến Thị".split()
HAN_FAMILY = list("王李张刘陈杨赵黄周吴徐孙胡朱高林何郭马罗梁宋郑谢韩唐冯于董萧程曹袁邓许傅沈曾彭吕苏卢蒋蔡贾丁魏薛叶阎余潘杜戴夏钟汪田任姜范方石姚谭廖邹熊金陆郝孔白崔康毛邱秦江史顾侯邵孟龙万段")
HAN_GIVEN = list("伟芳娜敏静丽强磊军洋勇艳杰娟涛明超秀霞平刚桂英华玉兰萍红鹏辉建国文斌宇浩凯健俊帆帅旭宁龙林欣雪琳晨阳海波飞鑫瑞博志泽德荣新安福永春东晓雨婷慧佳颖倩嘉怡子涵梓轩一诺浩然思远天佑俊杰宏亮")
THAI_GIVEN = "สมชาย สมศักดิ์ สมพร วิชัย ประเสริฐ สุรชัย ธนพล ณัฐวุฒิ กิตติ อนุชา สุนทร ชัยวัฒน์ มานพ ปรีชา บุญมี สมหญิง มาลี วันดี สุดา นภา ปราณี รัตนา อรุณี จันทร์เพ็ญ ศิริพร".split()
THAI_FAMILY_PARTS = "ใจ ดี ศรี สุข ทอง บุญ รัตน์ วงศ์ ชัย มั่น คง เจริญ พร สวัสดิ์ กุล แสง จันทร์ ทรัพย์ สมบูรณ์ ประเสริฐ".split()
KHMER_PARTS = "សុខ ដារា ចាន់ សុភា វណ្ណា រិទ្ធី សុខា ធីតា ពិសិដ្ឋ សំណាង ស្រីនាង បុប្ផា វិចិត្រ ម៉ៅ ហេង ឡុង គឹម".split()
BURMESE_PARTS = "မောင် အောင် ကျော် ဝင်း ထွန်း စိုး မြင့် သန့် ဇော် နိုင် မိုး လှ ခင် သီတာ နွယ် ဦး".split()
ARABIC_PARTS = "محمد أحمد علي حسن حسين عمر خالد يوسف إبراهيم عبد الله الرحمن سعيد مصطفى كريم".split()


def latin_name(rng):
    return f"{rng.choice(LATIN_FAMILY)} {rng.choice(LATIN_SYLLABLES).title()} {rng.choice(LATIN_SYLLABLES).title()}"


def viet_name(rng):
    return f"{rng.choice(VIET_FAMILY)} {rng.choice(VIET_GIVEN)} {rng.choice(VIET_GIVEN)}"


def han_name(rng):
    return rng.choice(HAN_FAMILY) + "".join(rng.choice(HAN_GIVEN) for _ in range(rng.choice((1, 2, 2))))


def thai_name(rng):
    return f"{rng.choice(THAI_GIVEN)} {rng.choice(THAI_FAMILY_PARTS)}{rng.choice(THAI_FAMILY_PARTS)}{rng.choice(THAI_FAMILY_PARTS)}"


def parts_name(parts, n=3):
    return lambda rng: " ".join(rng.choice(parts) for _ in range(n))


SCRIPTS = {
    "Latn": latin_name, "Viet": viet_name, "Hani": han_name, "Thai": thai_name,
    "Khmr": parts_name(KHMER_PARTS), "Mymr": parts_name(BURMESE_PARTS), "Arab": parts_name(ARABIC_PARTS),
}
# The script of the primary name follows the nationality; aliases are anything.
PRIMARY_SCRIPT = {"CN": "Hani", "MM": "Mymr", "KH": "Khmr", "TH": "Thai", "VN": "Viet", "LA": "Latn", "MY": "Arab"}
NATIONALITIES = list(PRIMARY_SCRIPT)
NATIONALITY_WEIGHTS = [30, 15, 10, 15, 15, 10, 5]
BASE58 = "123456789ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz"


def tron_wallet(n):
    digits = []
    for _ in range(33):
        n, r = divmod(n, 58)
        digits.append(BASE58[r])
    return "T" + "".join(reversed(digits))


def identifier(serial, rng):
    kind = rng.choices(["phone", "telegram", "crypto_wallet", "bank_account", "email"], [40, 25, 15, 12, 8])[0]
    if kind == "phone":  # Thai mobiles +66 8x xxx xxxx: 90 million distinct numbers
        return {"kind": kind, "value": f"+66 8{1 + serial % 9} {serial // 9 % 10_000_000:07d}"}
    if kind == "telegram":
        return {"kind": kind, "value": f"@user_{serial:09d}"}
    if kind == "crypto_wallet":
        return {"kind": kind, "value": tron_wallet(serial * 7919 + 12345), "label": "TRC20"}
    if kind == "bank_account":
        return {"kind": kind, "value": f"{serial:012d}", "label": "KBank"}
    return {"kind": kind, "value": f"p{serial}@example.org"}


class Generator:
    """Deterministic synthetic persons; remembers a sample of what it made, to query it later."""

    def __init__(self, seed, agency_ids):
        self.rng = random.Random(seed)
        self.agency_ids = agency_ids
        self.serial = 0
        self.samples = {"Latn": [], "Hani": [], "Thai": [], "identifier": []}

    def person(self, owner_id):
        rng = self.rng
        nationality = rng.choices(NATIONALITIES, NATIONALITY_WEIGHTS)[0]
        scripts = [PRIMARY_SCRIPT[nationality]] + rng.sample(list(SCRIPTS), rng.randint(1, 3))
        names = [{"full_name": SCRIPTS[s](rng), "kind": "primary" if i == 0 else rng.choice(("alias", "transliteration"))}
                 for i, s in enumerate(scripts)]
        idents = []
        for _ in range(rng.choice((2, 3, 3, 4))):
            self.serial += 1
            idents.append(identifier(self.serial, rng))
        distribution = rng.choices(DISTRIBUTIONS, DISTRIBUTION_WEIGHTS)[0]
        row = {
            "names": names, "nationalities": [nationality], "identifiers": idents, "distribution": distribution,
            "sex": rng.choice(("male", "female", "")), "birth_date": f"{rng.randint(1960, 2005)}",
        }
        if distribution == "shared":
            others = [a for a in self.agency_ids if a != owner_id]
            row["share_with"] = rng.sample(others, rng.choice((1, 1, 2)))
        if rng.random() < 0.002:
            for name, script in zip(names, scripts):
                if script in ("Latn", "Hani", "Thai"):
                    self.samples[script].append(name["full_name"])
            self.samples["identifier"].append(idents[0]["value"])
        return row


def recreate_database(url):
    import psycopg

    parts = urlsplit(url)
    name = parts.path.lstrip("/") or "liaison_bench"
    if name in PROTECTED_DATABASES:
        sys.exit(f"Refusing to drop the database “{name}”: give the benchmark its own, e.g. liaison_bench.")
    admin = urlunsplit(parts._replace(path="/postgres"))
    with psycopg.connect(admin, autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}"')
        conn.execute(f'CREATE DATABASE "{name}" TEMPLATE template0 ENCODING \'UTF8\' LC_COLLATE \'C.UTF-8\' LC_CTYPE \'C.UTF-8\'')
        # JIT compiles every query whose estimate passes 100,000 (any count over
        # a large list) and adds 10–50 ms to each: off, as for any OLTP database.
        conn.execute(f'ALTER DATABASE "{name}" SET jit = off')
    return urlunsplit(parts._replace(path=f"/{name}"))


def timed(fn, args_list, warmup=5):
    for args in args_list[:warmup]:
        fn(*args)
    times = []
    for args in args_list:
        start = time.perf_counter()
        fn(*args)
        times.append((time.perf_counter() - start) * 1000)
    times.sort()
    return {
        "n": len(times), "p50_ms": round(statistics.median(times), 2),
        "p95_ms": round(times[max(0, int(len(times) * 0.95) - 1)], 2), "max_ms": round(times[-1], 2),
    }


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--persons", type=int, default=20000)
    parser.add_argument("--reps", type=int, default=200, help="repetitions of each measured query")
    parser.add_argument("--batch", type=int, default=10000, help="persons per load_persons call")
    parser.add_argument("--keep-indexes", dest="defer_indexes", action="store_false",
                        help="load with every index in place instead of rebuilding them after the load")
    parser.add_argument("--measure-only", action="store_true",
                        help="keep the database of an earlier run (migrating it) and only measure the queries")
    parser.add_argument("--seed", type=int, default=42)
    args = parser.parse_args()

    url = os.environ.get("DATABASE_URL", "postgres://postgres@127.0.0.1:5432/liaison_bench")
    if not url.startswith(("postgres://", "postgresql://")):
        sys.exit("The benchmark measures PostgreSQL: set DATABASE_URL=postgres://…/liaison_bench")
    os.environ["DATABASE_URL"] = url if args.measure_only else recreate_database(url)
    os.environ.setdefault("SECRET_KEY", "benchmark-only-not-a-secret")
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "liaison.settings")
    import django

    django.setup()
    results = run(args)
    out_dir = ROOT / "bench" / "results"
    out_dir.mkdir(parents=True, exist_ok=True)
    path = out_dir / f"registry-{results['persons']}-{time.strftime('%Y%m%d-%H%M%S')}.json"
    path.write_text(json.dumps(results, indent=2, ensure_ascii=False))
    print(f"\nJSON: {path.relative_to(ROOT)}")


def run(args):
    from django.core.management import call_command
    from django.db import connection

    from liaison.registry.bulk import deferred_indexes, load_persons
    from liaison.sharing.models import Agency, User

    results = {"persons": args.persons, "reps": args.reps, "postgres": connection.cursor().connection.info.server_version}
    call_command("migrate", verbosity=0)
    if args.measure_only:
        return measure_existing(args, results)
    agencies = [Agency.objects.create(name=f"Agency {short}", short_name=short, country_id=cc) for short, cc in AGENCIES]
    users = [User.objects.create_user(username=f"bench_{a.short_name.lower()}", agency=a, roles=["analyst"])
             for a in agencies]
    gen = Generator(args.seed, [a.pk for a in agencies])

    # --- Load -----------------------------------------------------------
    gen_seconds = load_seconds = 0.0
    done = 0
    report_totals = {}
    defer = deferred_indexes() if args.defer_indexes else contextlib.nullcontext({"rebuild_seconds": 0.0})
    # One load_persons call per agency, with its share of the persons (AGENCY_WEIGHTS), as a
    # centre's import of one agency's list would be: within a call a worker process prepares
    # the batches ahead and each batch is sent while the next is built, so few large calls
    # are what the loader is for. Rows are generated before each call, timed apart.
    shares = [args.persons * w // sum(AGENCY_WEIGHTS) for w in AGENCY_WEIGHTS]
    shares[0] += args.persons - sum(shares)
    with defer as rebuild:
        for owner, size in zip(agencies, shares):
            start = time.perf_counter()
            rows = [gen.person(owner.pk) for _ in range(size)]
            gen_seconds += time.perf_counter() - start
            start = time.perf_counter()
            report = load_persons(rows, owner, reference="benchmark", is_synthetic=True, batch_size=args.batch)
            load_seconds += time.perf_counter() - start
            for key in ("persons", "names", "nationalities", "identifiers", "relationships", "shares"):
                report_totals[key] = report_totals.get(key, 0) + getattr(report, key)
            done += size
            del rows
            print(f"  loaded {done:>9,} persons ({owner.short_name} {size:,}), {done / load_seconds:,.0f} persons/s",
                  flush=True)
    start = time.perf_counter()
    with connection.cursor() as cursor:
        cursor.execute("VACUUM (ANALYZE)")
    vacuum_seconds = time.perf_counter() - start
    results["load"] = {
        **report_totals, "seconds": round(load_seconds, 1), "persons_per_s": round(args.persons / load_seconds),
        "index_rebuild_seconds": round(rebuild["rebuild_seconds"], 1),
        "persons_per_s_with_rebuild": round(args.persons / (load_seconds + rebuild["rebuild_seconds"])),
        "generation_seconds": round(gen_seconds, 1), "vacuum_analyze_seconds": round(vacuum_seconds, 1),
    }
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_size_pretty(pg_database_size(current_database()))")
        results["load"]["database_size"] = cursor.fetchone()[0]

    results["queries"] = measure(args, gen, agencies, users)
    print_table(results)
    return results


def measure(args, gen, agencies, users):
    from django.contrib.contenttypes.models import ContentType
    from django.core.paginator import Paginator
    from django.db.models import F
    from django.db.models.functions import Collate

    from liaison.registry.models import Identifier, Person, Relationship
    from liaison.registry.paging import CappedPaginator
    from liaison.registry.search import search
    from liaison.sharing.visibility import filter_visible

    rng = random.Random(args.seed + 2)
    reps = args.reps
    # A mid-sized agency among six: it owns ~15% of the persons.
    user = users[2]
    person_ct = ContentType.objects.get_for_model(Person)
    # Random persons the user may see: random ids probed, not ORDER BY random() over every visible
    # person, which sorted 2 million rows for minutes at 3.4 million persons.
    highest = Person.objects.order_by("-pk").values_list("pk", flat=True).first() or 0
    visible_ids = []
    while highest and len(visible_ids) < reps:
        probe = [rng.randint(1, highest) for _ in range(reps * 10)]
        visible_ids += Person.objects.visible_to(user, per_row=True).filter(pk__in=probe).values_list("pk", flat=True)
    visible_ids = visible_ids[:reps]

    def entity_page(pk):
        person = (
            Person.objects.visible_to(user).select_related("owner")
            .prefetch_related("names", "nationalities__country", "statuses__country", "documents__country")
            .get(pk=pk)
        )
        links = list(Relationship.objects.visible_to(user).filter(subject_type=person_ct, subject_id=pk))
        ids = [r.object_id for r in links if r.object_type_id != person_ct.pk]
        return person, links, list(Identifier.objects.visible_to(user).filter(pk__in=ids))

    def paged(qs, page, paginator_class=CappedPaginator):
        # The web list and the API page with CappedPaginator: total counted up to 10,000.
        paginator = paginator_class(qs, 50)
        return paginator.count, list(paginator.page(page).object_list)

    def by_nationality(code, page, visible=True, paginator_class=CappedPaginator, collation=None):
        # As the API (default collation) and the web list (the reader's ICU
        # collation) order it: by the name copied onto the nationality (registry 0010).
        # Shares tested per row, as the person lists do (web list, API).
        qs = Person.objects.visible_to(user, per_row=True) if visible else Person.objects.all()
        order = F("nationalities__sort_name") if collation is None else Collate(F("nationalities__sort_name"), collation)
        return paged(qs.filter(nationalities__country_id=code).order_by(order, "id"), page, paginator_class)

    def by_prefix(prefix, page):
        # "Starts with" as a range of the list order, which the (sort_name, id)
        # index answers in a C.UTF-8 database; LIKE 'Ng%' cannot use it (it is
        # not the C collation) and scanned the table. Shares tested per row.
        upper = prefix[:-1] + chr(ord(prefix[-1]) + 1)
        qs = Person.objects.visible_to(user, per_row=True).filter(sort_name__gte=prefix, sort_name__lt=upper)
        return paged(qs.order_by("sort_name", "id"), page)

    def pick(seq):
        return [rng.choice(seq) for _ in range(reps)]

    nat_args = [(rng.choice(NATIONALITIES), rng.randint(1, 5)) for _ in range(reps)]
    prefixes = [n[:2] for n in gen.samples["Latn"] + gen.samples["Hani"]] or ["Ng"]
    out = {
        "entity_page_orm": timed(entity_page, [(pk,) for pk in visible_ids]),
        "list_by_nationality": timed(by_nationality, nat_args),
        "list_by_nationality_web_en": timed(lambda c, p: by_nationality(c, p, collation="en-x-icu"), nat_args),
        "list_by_nationality_web_zh": timed(lambda c, p: by_nationality(c, p, collation="zh-x-icu"), nat_args),
        # For comparison with earlier runs only; seconds each at a million, so fewer repetitions.
        "list_by_nationality_exact_count": timed(lambda c, p: by_nationality(c, p, paginator_class=Paginator),
                                                 nat_args[:25]),
        "list_by_name_prefix": timed(by_prefix, [(p, 1) for p in pick(prefixes)]),
        "identifier_search": timed(lambda q: search(user, q), [(q,) for q in pick(gen.samples["identifier"])]),
        # As search() does it: the few rows of that canonical form, visibility tested per row.
        "identifier_lookup_only": timed(
            lambda q: list(filter_visible(Identifier.objects.filter(normalized__in=[q]), user, per_row=True)[:20]),
            [(q.replace(" ", "").replace("@", "").lower(),) for q in pick(gen.samples["identifier"])],
        ),
    }
    for script in ("Latn", "Hani", "Thai"):
        out[f"name_search_{script}"] = timed(lambda q: search(user, q), [(q,) for q in pick(gen.samples[script])])
    # One word: many more matches than a full name.
    out["name_search_Latn_family_only"] = timed(lambda q: search(user, q), [(q,) for q in pick(LATIN_FAMILY)])
    out["name_search_Hani_two_chars"] = timed(lambda q: search(user, q), [(q[:2],) for q in pick(gen.samples["Hani"])])

    # Visibility ratio: the same list (count + page), as a user of one agency vs with no visibility filter.
    unfiltered = timed(lambda c, p: by_nationality(c, p, visible=False), nat_args)
    out["list_by_nationality_unfiltered"] = unfiltered
    filtered = out["list_by_nationality"]
    out["visibility_ratio"] = {
        "p50": round(filtered["p50_ms"] / unfiltered["p50_ms"], 2),
        "p95": round(filtered["p95_ms"] / unfiltered["p95_ms"], 2),
    }
    return out


def measure_existing(args, results):
    """Measure the queries on a database loaded by an earlier run, sampling queries from it."""
    from django.db import connection

    from liaison.sharing.models import Agency, User

    agencies = [Agency.objects.get(short_name=short) for short, _cc in AGENCIES]
    users = [User.objects.get(username=f"bench_{a.short_name.lower()}") for a in agencies]
    gen = Generator(args.seed, [a.pk for a in agencies])
    with connection.cursor() as cursor:
        cursor.execute("SELECT count(*) FROM registry_person")
        results["persons"] = cursor.fetchone()[0]
        for script in ("Latn", "Hani", "Thai"):
            cursor.execute("SELECT full_name FROM registry_personname TABLESAMPLE SYSTEM (1) WHERE script = %s LIMIT 500",
                           [script])
            gen.samples[script] = [r[0] for r in cursor.fetchall()]
        cursor.execute("SELECT value FROM registry_identifier TABLESAMPLE SYSTEM (1) LIMIT 500")
        gen.samples["identifier"] = [r[0] for r in cursor.fetchall()]
    results["queries"] = measure(args, gen, agencies, users)
    print_table(results)
    return results


TARGETS = {
    "entity_page_orm": 100, "list_by_nationality": 100, "list_by_nationality_web_en": 100,
    "list_by_nationality_web_zh": 100, "list_by_name_prefix": 100,
    "identifier_search": 20, "identifier_lookup_only": 20,
    "name_search_Latn": 200, "name_search_Hani": 200, "name_search_Thai": 200,
}


def print_table(results):
    load = results.get("load")
    if load is None:
        print(f"\nPostgreSQL {results['postgres']}, {results['persons']:,} persons (loaded by an earlier run)")
        return print_queries(results)
    print(f"\nPostgreSQL {results['postgres']}, {results['persons']:,} persons, "
          f"{load['names']:,} names, {load['identifiers']:,} identifiers, {load['relationships']:,} relationships, "
          f"{load['shares']:,} shares, database {load['database_size']}")
    print(f"Bulk load: {load['persons_per_s']:,} persons/s ({load['seconds']} s; generating the rows took "
          f"{load['generation_seconds']} s more, VACUUM ANALYZE {load['vacuum_analyze_seconds']} s) — target ≥ 10,000")
    print(f"  with the index rebuild ({load['index_rebuild_seconds']} s): {load['persons_per_s_with_rebuild']:,} persons/s")
    print_queries(results)


def print_queries(results):
    print(f"\n{'measure':34} {'n':>4} {'p50 ms':>9} {'p95 ms':>9} {'max ms':>9} {'target p95':>11}")
    for name, row in results["queries"].items():
        if name == "visibility_ratio":
            continue
        target = TARGETS.get(name)
        flag = "" if target is None else (f"< {target}" + (" ok" if row["p95_ms"] < target else " MISSED"))
        print(f"{name:34} {row['n']:>4} {row['p50_ms']:>9} {row['p95_ms']:>9} {row['max_ms']:>9} {flag:>11}")
    ratio = results["queries"]["visibility_ratio"]
    print(f"\nVisibility ratio (one agency of six / unfiltered): p50 {ratio['p50']}, p95 {ratio['p95']} — target ≤ 1.2")


if __name__ == "__main__":
    main()
