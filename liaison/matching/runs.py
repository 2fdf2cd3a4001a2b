"""``liaison match run``: match the persons whose keys are not current, chunk by chunk.

A person is "to key" when it is live and has no ``KeyedPerson`` row: bulk
loads write none, ORM writers delete it (``matching.signals``), arrival
matching writes it back. The incremental run reads those persons by primary
key, ``CHUNK`` at a time (keyset: id > last), and for each chunk, in one
transaction: loads their records, replaces their keys, writes their rows,
scores each against its blocked candidates exactly as arrival matching does
(``services.score_loaded``, ``MAX_CANDIDATES``) and records the pairs and
watchlist hits. Memory is bounded by the chunk and its candidates whatever
the size of the registry, and a run killed half-way resumes where it stopped:
each chunk commits its keys, rows and pairs together.

``full`` is the former run (``services.run_batch``): every person keyed again
and the whole registry deduplicated in one batch (Splink). It holds every
record in memory; it is meant for the first run over a registry loaded in
bulk, or after the matcher's parameters changed.

Two runs at once would key the same chunks twice: on PostgreSQL a run holds a
session advisory lock (``LOCK_KEY``) and a second one stops at once.
"""
from __future__ import annotations

from contextlib import contextmanager
from dataclasses import dataclass

from django.db import DatabaseError, connection, transaction
from django.utils.translation import gettext as _

from liaison.matching import records as person_records
from liaison.matching import services

# Persons keyed and matched per transaction: the memory of a run is this many
# records, their keys and up to MAX_CANDIDATES candidates of SCORE_GROUP of them.
CHUNK = 2000
# Persons whose candidates are loaded and scored together inside a chunk:
# bounds the candidate records held at once (SCORE_GROUP x MAX_CANDIDATES).
SCORE_GROUP = 250
# Above this many persons to key, the command points at --full: matching them
# one by one against their candidates is slower than one batch linkage.
FULL_HINT_ABOVE = 100_000
# pg_try_advisory_lock's key, fixed: "liaison match run" (any other use must pick another).
LOCK_KEY = 0x4C4D_5255_4E01


class RunInProgress(services.MatchingError):
    """Another run holds the lock."""


@dataclass
class RunReport:
    to_key: int = 0       # persons to key when the run started
    keyed: int = 0        # persons keyed (and, incremental, matched)
    found: int = 0        # candidate pairs scored from the threshold on
    new: int = 0          # of which new in the queue
    retracted: int = 0    # retracted persons whose keys were removed


def _pending():
    from liaison.registry.models import Person

    return Person.objects.filter(retracted_at__isnull=True, match_keyed__isnull=True)


def count_to_key():
    """Live persons without current keys."""
    return _pending().count()


def to_key(after=0, limit=CHUNK):
    """The next ``limit`` persons to key after id ``after`` (keyset: an index walk, whatever
    the number of persons already keyed before it)."""
    return list(_pending().filter(pk__gt=after).order_by("pk").values_list("pk", flat=True)[:limit])


@contextmanager
def exclusive_run():
    """On PostgreSQL, hold the run's advisory lock (session level: it spans the chunks'
    transactions, and dies with the connection if the process is killed)."""
    if connection.vendor != "postgresql":
        yield
        return
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_try_advisory_lock(%s)", [LOCK_KEY])
        taken = cursor.fetchone()[0]
    if not taken:
        raise RunInProgress(_("Another match run is in progress on this database. Wait until it has finished "
                              "(it prints its progress), then run again."))
    try:
        yield
    finally:
        try:
            with connection.cursor() as cursor:
                cursor.execute("SELECT pg_advisory_unlock(%s)", [LOCK_KEY])
        except DatabaseError:  # the connection is gone, and the lock with it
            pass


def key_and_match(ids, *, threshold=None):
    """Key and match the persons ``ids`` (one chunk, in the caller's transaction).
    Returns (persons keyed, pairs found, pairs new, keys written)."""
    recs = person_records.load(ids)
    services.forget_keys(set(ids) - set(recs))  # retracted since the ids were read
    if not recs:
        return 0, 0, 0, 0
    # Every key of the chunk is stored before any is looked up: two persons of one
    # chunk find each other, and a person of a later chunk finds this one.
    written = services.refresh_keys(recs)
    services.mark_keyed(recs)
    found, new, items, arrived = set(), 0, list(recs.items()), set(recs)
    for start in range(0, len(items), SCORE_GROUP):
        scored = services.score_loaded(dict(items[start:start + SCORE_GROUP]), threshold=threshold)
        found.update((min(a, b), max(a, b)) for a, b, _score in scored if a != b)
        new += len(services.record_pairs(scored, found_by="incremental", arrived=arrived))
    return len(recs), len(found), new, written


def incremental(*, threshold=None, chunk=CHUNK, progress=None):
    """Key and match every live person whose keys are not current; take retracted
    persons out. ``progress(stage, done, total)``: ("key", 0, n) first, then after
    each chunk. Returns a ``RunReport``."""
    with exclusive_run():
        report = RunReport(retracted=services.drop_retracted_keys())
        report.to_key = count_to_key()
        if progress:
            progress("key", 0, report.to_key)
        last, done = 0, 0
        while ids := to_key(after=last, limit=chunk):
            with transaction.atomic():
                keyed, found, new, written = key_and_match(ids, threshold=threshold)
            services.analyze_keys_if_grown(written, keyed)
            report.keyed, report.found, report.new = report.keyed + keyed, report.found + found, report.new + new
            last, done = ids[-1], done + len(ids)
            if progress:  # persons made "to key" during the run may pass the first count
                progress("key", done, max(report.to_key, done))
        return report


def full(*, threshold=None, backend=None, chunk=CHUNK, progress=None):
    """Every live person keyed again (its row written), then the batch linkage over the
    whole registry (``services.run_batch``). Returns a ``RunReport``."""
    with exclusive_run():
        report = RunReport(retracted=services.drop_retracted_keys())

        def seen(stage, done, total):
            if stage == "key":
                report.keyed = done
                report.to_key = max(report.to_key, total)
            if progress:
                progress(stage, done, total)

        report.found, report.new = services.run_batch(threshold=threshold, backend=backend, chunk=chunk, progress=seen)
        return report
