"""Dashboards and timelines at a million persons (issue 17), on the database
``bench/analysis_bench.py`` built; read only.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/analysis_bench \\
        nice -n 10 .venv/bin/python bench/timeline_bench.py

As the analyst of RTP (Thailand), who sees most but not all records, it times
(p50/p95/max over ``--reps`` runs after 2 warm-ups) the functions the pages
call, for the report operation ("Bench Jingyao"), the operation with the most
events, and the country with the most events:

* ``figures.figure_rows(user, operation=…, by=…)`` and ``charts.figures_svg`` (cached, then drawn afresh);
* ``timeline.timeline_items(user, operation, limit=200)``;
* ``dashboard_views.persons_by_status(user, events)``;
* the whole operation and country dashboards, rendered (HTML bytes), through the views
  with a request of that user; inside a transaction rolled back, so the
  "record seen" rows a view writes do not stay.
"""
from __future__ import annotations

import argparse
import math
import os
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))


def timed(fn, reps, warmup=2):
    """Wall and this process's CPU milliseconds of each run (the CPU column says
    what the code costs when the shared machine is busy: SQL time is not in it)."""
    for _ in range(warmup):
        fn()
    times, cpu, result = [], [], None
    for _ in range(reps):
        start, start_cpu = time.perf_counter(), time.process_time()
        result = fn()
        times.append((time.perf_counter() - start) * 1000)
        cpu.append((time.process_time() - start_cpu) * 1000)
    times.sort()
    return times, statistics.median(cpu), result


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--reps", type=int, default=10)
    parser.add_argument("--user", default="bench_rtp")
    args = parser.parse_args()
    os.environ.setdefault("DATABASE_URL", "postgres://postgres@127.0.0.1:5432/analysis_bench")
    os.environ.setdefault("SECRET_KEY", "benchmark-only-not-a-secret")
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "liaison.settings")
    import django

    django.setup()
    from django.db import connection, transaction
    from django.db.models import Count
    from django.test import RequestFactory
    from django.utils import translation

    from liaison.analysis import charts, dashboard_views, figures, timeline
    from liaison.core.models import Country
    from liaison.operations.models import Event, Operation
    from liaison.registry.models import Person
    from liaison.sharing.models import User

    user = User.objects.select_related("agency").get(username=args.user)
    report_op = Operation.objects.filter(name="Bench Jingyao").first()
    biggest = Operation.objects.annotate(n=Count("events")).order_by("-n").first()
    country = (Event.countries.through.objects.values("country_id").annotate(n=Count("id")).order_by("-n").first()
               or {"country_id": "TH"})["country_id"]
    factory = RequestFactory()
    print(f"PostgreSQL {connection.cursor().connection.info.server_version}, {Person.objects.count():,} persons, "
          f"{Event.objects.count():,} events; as {user.username} ({user.agency.short_name})")
    print(f"{'measure':58} {'p50 ms':>8} {'p95 ms':>8} {'max ms':>8} {'cpu p50':>8}  answer")

    def row(name, fn):
        times, cpu, result = timed(fn, args.reps)
        p95 = times[max(0, math.ceil(len(times) * 0.95) - 1)]
        answer = f"{len(result):,}" if hasattr(result, "__len__") else str(result)
        print(f"{name:58} {statistics.median(times):8.1f} {p95:8.1f} {times[-1]:8.1f} {cpu:8.1f}  {answer}")
        return result

    def render(view, *view_args):
        request = factory.get("/")
        request.user = user
        request.session = {}
        response = view(request, *view_args)
        return response.content

    # Pages name their static files; the benchmark has no collectstatic manifest.
    from django.conf import settings
    from django.test.utils import override_settings

    plain_static = {**settings.STORAGES,
                    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"}}
    with translation.override("en"), override_settings(STORAGES=plain_static), transaction.atomic():
        for label, op in (("report operation", report_op), ("largest operation", biggest)):
            if op is None:
                continue
            n = Event.objects.filter(operation=op).count()
            rows = row(f"figure_rows {label} ({n:,} events) by phase",
                       lambda op=op: figures.figure_rows(user, operation=op, by="phase"))
            biggest_rows = rows
            row(f"figure_rows {label} by category",
                lambda op=op: figures.figure_rows(user, operation=op, by="category"))
            row(f"figures_svg {label} ({len(rows):,} rows, 440 px, cached)",
                lambda rows=rows: charts.figures_svg(rows, by="phase", width=440))
            row(f"timeline_items {label} (limit 200)", lambda op=op: timeline.timeline_items(user, op, limit=200))
            row(f"persons_by_status {label}", lambda op=op: dashboard_views.persons_by_status(
                user, figures.visible_events(user, operation=op))[0])
            row(f"operation dashboard {label} (HTML bytes)",
                lambda op=op: render(dashboard_views.operation_dashboard, op.pk))
        code = Country.objects.get(code=country).code
        row(f"figure_rows country {code} by month", lambda: figures.figure_rows(user, country=code, by="month"))
        row(f"country dashboard {code} (HTML bytes)", lambda: render(dashboard_views.country_dashboard, code))
        row("dashboards index (HTML bytes)", lambda: render(dashboard_views.country_index))
        # The figures charts are kept in the process's cache: the runs above drew once.
        charts.cache.clear()
        row("figures_svg uncached, 40 bars of the largest operation", lambda: (
            charts.cache.clear(), charts.figures_svg(biggest_rows, by="phase", width=440, max_bars=40))[1])
        transaction.set_rollback(True)


if __name__ == "__main__":
    main()
