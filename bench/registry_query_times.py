"""The registry's list and search queries timed by what load distorts least.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/liaison_bench \\
        .venv/bin/python bench/registry_query_times.py

On a database loaded by bench/registry_bench.py (read only). On a shared,
busy machine wall-clock figures say more about the neighbours than about the
code, so this prints instead:

* each list query's own time in PostgreSQL (``EXPLAIN ANALYZE`` execution
  time): persons of one nationality in the reader's order (page 1 and 5, each
  nationality) and its count capped at 10,000; persons whose name starts with
  two letters (a range of the list order); with the shares hashed (the
  default of ``visible_to``) and tested per row (what the person lists use);
* identifier search (``registry.search.search``): the Python CPU time of the
  process (``time.process_time``) per search, a new user object per search as
  per request, and the database's own time summed over the search's queries.
"""
from __future__ import annotations

import copy
import os
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

NATIONALITIES = ("CN", "MM", "KH", "TH", "VN", "LA", "MY")
PREFIXES = ("Ng", "Tr", "Wa", "王", "李", "สม", "Zh", "Ch")


def main():
    os.environ.setdefault("DATABASE_URL", "postgres://postgres@127.0.0.1:5432/liaison_bench")
    os.environ.setdefault("SECRET_KEY", "benchmark-only-not-a-secret")
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "liaison.settings")
    import django

    django.setup()
    from django.db import connection
    from django.db.models import F
    from django.db.models.functions import Collate
    from django.test.utils import CaptureQueriesContext

    from liaison.registry.models import Person
    from liaison.registry.search import search
    from liaison.sharing.models import User

    user = User.objects.get(username="bench_cnp")
    print(f"load average {os.getloadavg()[0]:.1f}")

    def execution_ms(sql, params=None):
        with connection.cursor() as cursor:
            cursor.execute("EXPLAIN (ANALYZE) " + sql, params)
            line = next(r[0] for r in cursor.fetchall() if "Execution Time" in r[0])
        return float(line.split()[2])

    def of(queryset):
        return execution_ms(*queryset.query.sql_with_params())

    def show(label, values):
        values = sorted(values)
        print(f"{label:52} median {statistics.median(values):8.1f} ms   max {values[-1]:8.1f} ms   n={len(values)}")

    for per_row in (False, True):
        visible = Person.objects.visible_to(user, per_row=per_row)
        how = "per row" if per_row else "hashed "
        counts, pages = [], {"en-x-icu": [], "zh-x-icu": []}
        for code in NATIONALITIES:
            of_nationality = visible.filter(nationalities__country_id=code)
            counts.append(of(of_nationality.values("pk").order_by()[:10001]))
            for collation, times in pages.items():
                order = Collate(F("nationalities__sort_name"), collation)
                for page in (1, 5):
                    times.append(of(of_nationality.order_by(order, "id")[(page - 1) * 50:page * 50 + 1]))
        show(f"nationality, count capped at 10,000 (shares {how})", counts)
        for collation, times in pages.items():
            show(f"nationality, page in {collation} order (shares {how})", times)
        counts, pages = [], []
        for prefix in PREFIXES:
            upper = prefix[:-1] + chr(ord(prefix[-1]) + 1)
            starting = visible.filter(sort_name__gte=prefix, sort_name__lt=upper)
            counts.append(of(starting.values("pk").order_by()[:10001]))
            pages.append(of(starting.order_by("sort_name", "id")[:51]))
        show(f"name prefix, count capped at 10,000 (shares {how})", counts)
        show(f"name prefix, page 1 (shares {how})", pages)

    with connection.cursor() as cursor:
        cursor.execute("SELECT value FROM registry_identifier TABLESAMPLE SYSTEM (1) LIMIT 40")
        queries = [row[0] for row in cursor.fetchall()]
    cpu, database, counts = [], [], []
    for query in queries[:5]:
        search(copy.copy(user), query)  # warm-up
    for query in queries:
        request_user = User.objects.select_related("agency").get(pk=user.pk)  # one per request
        with CaptureQueriesContext(connection) as captured:
            start = time.process_time()
            search(request_user, query)
            cpu.append((time.process_time() - start) * 1000)
        database.append(sum(execution_ms(q["sql"]) for q in captured.captured_queries))
        counts.append(len(captured.captured_queries))
    show("identifier search, Python CPU per search", cpu)
    show(f"identifier search, database time summed ({min(counts)}–{max(counts)} queries)", database)
    print(f"load average {os.getloadavg()[0]:.1f}")


if __name__ == "__main__":
    main()
