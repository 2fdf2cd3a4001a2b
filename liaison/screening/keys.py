"""The screening keys of watched persons: built in bulk, kept up to date on changes.

Only persons on a watchlist have keys (screening is against the watchlist).
``refresh_all`` rebuilds the table (after bulk loads, which send no signals:
``manage.py screening_keys``); the signals connected in ``apps.ready`` refresh
one person's keys when its names, documents, date of birth or listing change.
"""
from __future__ import annotations

from django.db import connection, models, transaction

from functools import lru_cache

from liaison.matching.keys import screening_keys
from liaison.screening.models import ScreeningKey, ScreeningRecord


@lru_cache(maxsize=1)
def features_version():
    """A fingerprint of the code that computes linkage features (the name analysis, the
    records' normalisation): stored features of another version are not trusted."""
    import hashlib
    import inspect

    from liaison.linkage import records
    from liaison.names import translit

    digest = hashlib.sha256()
    for module in (records, translit):
        digest.update(inspect.getsource(module).encode())
    return digest.hexdigest()[:16]


def features_to_json(found):
    import dataclasses

    return dataclasses.asdict(found)


def features_from_json(data):
    from liaison.linkage import Features

    return Features(**data)


def stored_features(person_ids):
    """{person id: Features} of the watched persons whose stored features are of this code's version."""
    ids = list(person_ids)
    if not ids:
        return {}
    version = features_version()
    if connection.vendor == "postgresql":
        table = connection.ops.quote_name(ScreeningRecord._meta.db_table)
        with connection.cursor() as cursor:
            cursor.execute(f"SELECT person_id, features FROM {table} WHERE person_id = ANY(%s) AND version = %s",
                           [ids, version])
            rows = cursor.fetchall()
    else:
        rows = ScreeningRecord.objects.filter(person_id__in=ids, version=version).values_list("person_id", "features")
    import json

    return {pid: features_from_json(json.loads(data) if isinstance(data, str) else data) for pid, data in rows}


def _listed_ids(person_ids=None):
    from liaison.matching.models import WatchlistEntry

    entries = WatchlistEntry.objects.filter(
        removed_at__isnull=True, person__protection="", person__retracted_at__isnull=True,
        person__owner_id=models.F("agency_id"))
    if person_ids is not None:
        entries = entries.filter(person_id__in=list(person_ids))
    return sorted(set(entries.values_list("person_id", flat=True)))


def load(person_ids):
    """{person id: PersonRecord} of ``person_ids``: names, birth date, nationalities, documents.

    Not ``matching.records.load``: a traveller brings no phone or wallet, so
    the identifiers (two relationship queries, most of that function's time)
    are not read; and on PostgreSQL the ids go as one array parameter
    (``= ANY``) rather than thousands of placeholders, which psycopg spent
    longer splitting than the database answering."""
    from collections import defaultdict

    from liaison.linkage import PersonRecord
    from liaison.matching.keys import document_key
    from liaison.matching.records import _names
    from liaison.registry.models import IdentityDocument, Nationality, Person, PersonName

    ids = sorted(set(person_ids))
    if not ids:
        return {}
    names, countries, documents = defaultdict(list), defaultdict(set), defaultdict(list)
    if connection.vendor == "postgresql":
        table = {m: connection.ops.quote_name(m._meta.db_table)
                 for m in (Person, PersonName, Nationality, IdentityDocument)}
        with connection.cursor() as cursor:
            cursor.execute(f"SELECT id, sex, birth_date FROM {table[Person]} "
                           "WHERE id = ANY(%s) AND retracted_at IS NULL", [ids])
            persons = cursor.fetchall()
            cursor.execute(f"SELECT person_id, full_name, kind FROM {table[PersonName]} WHERE person_id = ANY(%s) "
                           "ORDER BY id", [ids])
            for pid, full_name, kind in cursor.fetchall():
                names[pid].append((full_name, kind))
            cursor.execute(f"SELECT person_id, country_id FROM {table[Nationality]} WHERE person_id = ANY(%s)", [ids])
            for pid, country in cursor.fetchall():
                countries[pid].add(country)
            cursor.execute(f"SELECT person_id, number FROM {table[IdentityDocument]} WHERE person_id = ANY(%s) "
                           "ORDER BY id", [ids])
            for pid, number in cursor.fetchall():
                documents[pid].append(number)
    else:
        persons = list(Person.objects.filter(pk__in=ids, retracted_at__isnull=True).values_list(
            "pk", "sex", "birth_date"))
        for pid, full_name, kind in PersonName.objects.filter(person_id__in=ids).order_by("id").values_list(
                "person_id", "full_name", "kind"):
            names[pid].append((full_name, kind))
        for pid, country in Nationality.objects.filter(person_id__in=ids).values_list("person_id", "country_id"):
            countries[pid].add(country)
        for pid, number in IdentityDocument.objects.filter(person_id__in=ids).order_by("id").values_list(
                "person_id", "number"):
            documents[pid].append(number)
    return {
        pk: PersonRecord(id=str(pk), names=_names(names.get(pk, [])), dob=birth_date or None,
                         countries=sorted(countries.get(pk, ())),
                         documents=[k for k in map(document_key, documents.get(pk, [])) if k], sex=sex or None)
        for pk, sex, birth_date in persons
    }


def keys_of(record):
    return screening_keys(record.names, record.dob, record.documents)


def _write(rows, recs=None):
    """Store key rows (person id, key) and, for ``recs`` ({id: PersonRecord}), their features."""
    import json

    from liaison.linkage import features

    version = features_version()
    records = [(pid, json.dumps(features_to_json(features(rec)), ensure_ascii=False), version)
               for pid, rec in (recs or {}).items()]
    if connection.vendor == "postgresql" and len(rows) > 1000:
        # COPY: a million watched persons give some thirty million keys;
        # building INSERT statements would take longer than storing them.
        q = connection.ops.quote_name
        with connection.cursor() as cursor:
            with cursor.cursor.copy(f"COPY {q(ScreeningKey._meta.db_table)} (person_id, key) FROM STDIN") as copy:
                for row in rows:
                    copy.write_row(row)
            with cursor.cursor.copy(f"COPY {q(ScreeningRecord._meta.db_table)} (person_id, features, version) "
                                    "FROM STDIN") as copy:
                for row in records:
                    copy.write_row(row)
    else:
        ScreeningKey.objects.bulk_create([ScreeningKey(person_id=pid, key=key) for pid, key in rows], batch_size=2000)
        ScreeningRecord.objects.bulk_create([ScreeningRecord(person_id=pid, features=json.loads(data), version=v)
                                             for pid, data, v in records], batch_size=500)


def refresh(person_ids):
    """Replace the keys of ``person_ids``: the keys of those still watched, none for the others."""
    ids = list(person_ids)
    with transaction.atomic():
        ScreeningKey.objects.filter(person_id__in=ids).delete()
        ScreeningRecord.objects.filter(person_id__in=ids).delete()
        recs = load(_listed_ids(ids))
        _write([(pid, key) for pid, rec in recs.items() for key in sorted(keys_of(rec))], recs)


def refresh_all(*, chunk=5000, progress=None):
    """Rebuild every watched person's keys in one transaction. Returns (persons, keys)."""
    from contextlib import nullcontext

    from liaison.registry.bulk import deferred_indexes

    ids = _listed_ids()
    written = 0
    # The key index is built once after the COPY rather than row by row. The
    # TRUNCATE locks the tables until the commit: screening waits for a full
    # rebuild (run it at a quiet hour; single changes go through the signals).
    indexes = deferred_indexes([ScreeningKey]) if len(ids) > 10000 else nullcontext()
    with transaction.atomic(), indexes:
        if connection.vendor == "postgresql":
            with connection.cursor() as cursor:
                cursor.execute(f"TRUNCATE {connection.ops.quote_name(ScreeningKey._meta.db_table)}, "
                               f"{connection.ops.quote_name(ScreeningRecord._meta.db_table)}")
        else:
            ScreeningKey.objects.all().delete()
            ScreeningRecord.objects.all().delete()
        for start in range(0, len(ids), chunk):
            recs = load(ids[start:start + chunk])
            rows = [(pid, key) for pid, rec in recs.items() for key in sorted(keys_of(rec))]
            _write(rows, recs)
            written += len(rows)
            if progress:
                progress(min(start + chunk, len(ids)), len(ids))
    return len(ids), written


# Signals ----------------------------------------------------------------------

def _person_changed(sender, instance, raw=False, **kwargs):
    if not raw:
        _refresh_if_watched(instance.pk)


def _child_changed(sender, instance, raw=False, **kwargs):
    if not raw:
        _refresh_if_watched(instance.person_id)


def _entry_changed(sender, instance, raw=False, **kwargs):
    if not raw:
        refresh([instance.person_id])


def _refresh_if_watched(person_id):
    """One indexed query for a person that is not watched (most saves of the registry)."""
    from liaison.matching.models import WatchlistEntry

    if person_id is None:
        return
    if WatchlistEntry.objects.filter(person_id=person_id).exists() or \
            ScreeningRecord.objects.filter(person_id=person_id).exists():
        refresh([person_id])


def connect():
    from django.db.models.signals import post_delete, post_save

    from liaison.matching.models import WatchlistEntry
    from liaison.registry.models import IdentityDocument, Person, PersonName

    post_save.connect(_person_changed, sender=Person, dispatch_uid="screening-person")
    post_save.connect(_entry_changed, sender=WatchlistEntry, dispatch_uid="screening-watchlist-save")
    post_delete.connect(_entry_changed, sender=WatchlistEntry, dispatch_uid="screening-watchlist-delete")
    for model in (PersonName, IdentityDocument):
        post_save.connect(_child_changed, sender=model, dispatch_uid=f"screening-{model.__name__}-save")
        post_delete.connect(_child_changed, sender=model, dispatch_uid=f"screening-{model.__name__}-delete")
