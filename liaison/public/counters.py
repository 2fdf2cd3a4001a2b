"""The day's counters of the public side (checks per mode and language, reports, the
most-checked identifiers), added up in memory and written in batches.

Two UPDATEs and their commits on every public check cost more than the check
itself (bench/README.md, "Public side through HTTP"). So each process adds its
counts up in memory and writes them at most once every
``PUBLIC_COUNTER_FLUSH_SECONDS`` (1 by default), from a thread of its own, with one
``INSERT … ON CONFLICT DO UPDATE`` per table: a check waits for no counter. The
statistics page writes its own process's counts first; another worker's appear
within the interval. A worker killed without warning loses at most that
interval's counts; one stopped normally writes them on its way out (atexit).
With an interval of 0 (the test settings) every count is written at once, in
the caller's transaction when it has one, as before.
"""
from __future__ import annotations

import atexit
import logging
import os
import threading
from collections import Counter

from django.conf import settings
from django.db import connection, transaction
from django.utils import timezone

log = logging.getLogger(__name__)

_lock = threading.Lock()
_daily: Counter = Counter()  # (day, metric, language) -> n
_checked: Counter = Counter()  # (day, kind, normalized) -> n
_thread: threading.Thread | None = None
_stop = threading.Event()
_pid = os.getpid()


def _interval():
    return float(getattr(settings, "PUBLIC_COUNTER_FLUSH_SECONDS", 1))


def add(metric=None, language="", checked=()):
    """Count one ``metric`` in ``language`` and one check of each (kind, value) in ``checked``."""
    day = timezone.localdate()
    _after_fork()
    with _lock:
        if metric:
            _daily[(day, metric, language or "")] += 1
        for kind, value in set(checked):
            _checked[(day, kind, value)] += 1
    if _interval() <= 0:
        flush()
    else:
        _start_thread()


def flush():
    """Write what this process has counted; on a database error the counts are kept for the next try."""
    _after_fork()
    with _lock:
        daily, checked = dict(_daily), dict(_checked)
        _daily.clear()
        _checked.clear()
    if not daily and not checked:
        return
    try:
        _write(daily, checked)
    except Exception:
        with _lock:
            _daily.update(daily)
            _checked.update(checked)
        raise


def _write(daily, checked):
    from .models import CheckedIdentifier, DailyCount

    with transaction.atomic():
        _upsert(DailyCount._meta.db_table, ("day", "metric", "language"), daily)
        _upsert(CheckedIdentifier._meta.db_table, ("day", "kind", "normalized"), checked)


def _upsert(table, key_columns, counts, batch=500):
    """Add ``counts`` to ``table`` in one statement per ``batch`` rows. Hand-written SQL:
    the ORM's ``bulk_create(update_conflicts=True)`` sets the count, it cannot add to it.
    PostgreSQL and SQLite (3.24+) both read this form."""
    items = sorted(counts.items())
    quote = connection.ops.quote_name
    columns = ", ".join(quote(c) for c in (*key_columns, "count"))
    conflict = ", ".join(quote(c) for c in key_columns)
    for start in range(0, len(items), batch):
        chunk = items[start:start + batch]
        rows = ", ".join(["(" + ", ".join(["%s"] * (len(key_columns) + 1)) + ")"] * len(chunk))
        params = [p for key, n in chunk for p in (*key, n)]
        count = quote("count")
        with connection.cursor() as cursor:
            cursor.execute(f"INSERT INTO {quote(table)} ({columns}) VALUES {rows} ON CONFLICT ({conflict}) "
                           f"DO UPDATE SET {count} = {quote(table)}.{count} + excluded.{count}", params)


def _after_fork():
    """A forked worker starts with nothing counted and no writer thread of its own yet."""
    global _pid, _thread, _lock, _stop
    if os.getpid() != _pid:
        _pid, _thread, _lock, _stop = os.getpid(), None, threading.Lock(), threading.Event()
        _daily.clear()
        _checked.clear()


def _start_thread():
    global _thread
    if _thread is not None and _thread.is_alive():
        return
    with _lock:
        if _thread is not None and _thread.is_alive():
            return
        _stop.clear()
        _thread = threading.Thread(target=_run, name="public-counters", daemon=True)
        _thread.start()


def _run():
    try:
        while not _stop.wait(max(_interval(), 0.05)):
            try:
                flush()
            except Exception:  # the database is away: keep counting, try again next time
                log.exception("public counters not written; kept for the next try")
                connection.close()
    finally:
        connection.close()  # this thread's own connection


def stop():
    """Write what is left and stop the writer thread (at exit, and in tests)."""
    global _thread
    thread = _thread
    _stop.set()
    if thread is not None and thread.is_alive() and thread is not threading.current_thread():
        thread.join(timeout=5)
    _thread = None
    try:
        flush()
    except Exception:
        log.exception("public counters not written at exit")


atexit.register(stop)
