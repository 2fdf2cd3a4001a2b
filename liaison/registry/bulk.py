"""Bulk loading of persons, their names, nationalities and identifiers.

For imports of handover lists, partner exports and the benchmark: hundreds of
thousands of persons at a time, where saving model by model would take hours.
The derived fields are computed by the very functions the models use
(``names.nfc``/``detect_script``/``search_key``, ``identifiers.normalize``,
the display-name rule of ``PersonName.save``), so a bulk-loaded row is the
same row the ORM would have written. On PostgreSQL rows go in with ``COPY``;
elsewhere (SQLite in development and tests) with ``bulk_create``.

No simple-history rows are written, on purpose: a load is one import event,
not a million edits. A million "created" history rows would double the
database and bury real edits; instead every batch is logged (count, owner,
id range, ``reference``) so the import can be traced and undone as a whole.

Input rows are plain dicts::

    {
        "names": [{"full_name": "Nguyễn Văn An", "kind": "primary", "script": "", "language": "vi"}, ...],
        "sex": "male", "birth_date": "1990-04", "birth_place": "...",
        "nationalities": ["VN"],
        "identifiers": [{"kind": "phone", "value": "+84 912 345 678", "label": ""}, ...],
        "distribution": "shared",          # optional, else the call's default
        "share_with": [agency_id, ...],    # optional: named-agency shares
    }

Each identifier becomes an ``Identifier`` (one per owner and canonical form,
reused if the owner already has it) linked to the person by a
``Relationship`` (uses phone / uses handle / holds account / owns).
"""
from __future__ import annotations

import logging
from contextlib import contextmanager
from dataclasses import dataclass, field
from functools import lru_cache
from itertools import islice
from operator import itemgetter

import phonenumbers

from django.contrib.contenttypes.models import ContentType
from django.db import connection, transaction
from django.utils import timezone

from liaison import identifiers as idf
from liaison import names as nm
from liaison.core.models import Distribution
from liaison.registry.models import Identifier, Nationality, Person, PersonName, Relationship
from liaison.sharing.models import Share

log = logging.getLogger(__name__)

RELATIONSHIP_FOR_KIND = {
    idf.PHONE: Relationship.Kind.USES_PHONE,
    idf.WHATSAPP: Relationship.Kind.USES_PHONE,
    idf.IBAN_KIND: Relationship.Kind.HOLDS_ACCOUNT,
    idf.BANK_ACCOUNT: Relationship.Kind.HOLDS_ACCOUNT,
    idf.CRYPTO_WALLET: Relationship.Kind.HOLDS_ACCOUNT,
    idf.DOMAIN: Relationship.Kind.OWNS,
    idf.URL: Relationship.Kind.OWNS,
}
NAME_KINDS = {choice for choice, _label in PersonName.Kind.choices}
DISTRIBUTIONS = set(Distribution.values)
LOADED_MODELS = (Person, PersonName, Nationality, Identifier, Relationship, Share)


class BulkLoadError(ValueError):
    """A row cannot be loaded; the message names the row and the problem."""


@dataclass
class LoadReport:
    persons: int = 0
    names: int = 0
    nationalities: int = 0
    identifiers: int = 0
    identifiers_reused: int = 0
    relationships: int = 0
    shares: int = 0
    person_ids: list = field(default_factory=list, repr=False)


class _Table:
    """Column order and defaults of one model, computed once per load."""

    def __init__(self, model, now):
        self.model = model
        # Generated columns (Person.sort_name) are the database's to fill.
        self.fields = [f for f in model._meta.concrete_fields if not getattr(f, "generated", False)]
        self.columns = [f.column for f in self.fields]
        self.attnames = [f.attname for f in self.fields]
        self.defaults = {}
        for f in self.fields:
            if f.primary_key:
                self.defaults[f.attname] = None
            elif getattr(f, "auto_now", False) or getattr(f, "auto_now_add", False):
                self.defaults[f.attname] = now
            else:
                self.defaults[f.attname] = f.get_default()
        self.rows = []

    def add(self, **values):
        row = {**self.defaults, **values}
        self.rows.append(row)
        return row


def _batches(rows, size):
    iterator = iter(rows)
    while batch := list(islice(iterator, size)):
        yield batch


def load_persons(rows, owner, *, distribution=Distribution.OWNER, created_by=None, batch_size=5000,
                 reference="", is_synthetic=False):
    """Load ``rows`` (see the module docstring) as persons owned by ``owner``.

    All or nothing: one transaction for the whole call. Returns a
    ``LoadReport`` with the counts and the new person ids in input order.
    """
    owner_id = getattr(owner, "pk", owner)
    created_by_id = getattr(created_by, "pk", created_by)
    report = LoadReport()
    with transaction.atomic():
        offset = 0
        for batch in _batches(rows, batch_size):
            _load_batch(batch, offset, owner_id, distribution, created_by_id, is_synthetic, report)
            offset += len(batch)
            log.info(
                "bulk load %s: %d persons for agency %s (ids %s–%s), no history rows written",
                reference or "-", len(batch), owner_id, report.person_ids[-len(batch)], report.person_ids[-1],
            )
    return report


@lru_cache(maxsize=100_000)
def _name_fields(full_name):
    """(script, search key) of a name: the same few family and given names recur
    across a load, and these two functions were a third of its Python time."""
    return nm.detect_script(full_name), nm.search_key(full_name)


def _phone_region(e164):
    """``identifiers.phone_region`` without parsing the number a second time.

    A country code used by one region only (+66, +95, +855...) names it, as
    ``phonenumbers.region_code_for_number`` would answer; codes shared by
    several regions (+1, +7, +44...) need the full number, so those are parsed.
    """
    digits = e164[1:]
    for length in (1, 2, 3):
        regions = phonenumbers.COUNTRY_CODE_TO_REGION_CODE.get(int(digits[:length] or 0))
        if regions is not None:
            return regions[0] if len(regions) == 1 else idf.phone_region(e164)
    return idf.phone_region(e164)


def _prepare(batch, offset, owner_id, default_distribution, created_by_id, is_synthetic, now):
    """Python side of a batch: validated, derived rows; ids still unassigned."""
    t = {m: _Table(m, now) for m in (Person, PersonName, Nationality, Identifier, Relationship, Share)}
    record = {"owner_id": owner_id, "created_by_id": created_by_id, "is_synthetic": is_synthetic}
    persons = []
    for i, data in enumerate(batch, start=offset):
        distribution = data.get("distribution") or default_distribution
        if distribution not in DISTRIBUTIONS:
            raise BulkLoadError(f"Row {i}: unknown distribution “{distribution}”.")
        prepared_names = []
        for name in data.get("names") or ():
            full = nm.nfc(name.get("full_name", ""))
            if not full:
                raise BulkLoadError(f"Row {i}: a name is empty.")
            kind = name.get("kind") or PersonName.Kind.PRIMARY
            if kind not in NAME_KINDS:
                raise BulkLoadError(f"Row {i}: unknown name kind “{kind}”.")
            script, key = _name_fields(full)
            prepared_names.append({
                "full_name": full, "kind": kind, "language": name.get("language", ""),
                "script": name.get("script") or script, "search_key": key,
            })
        if not prepared_names:
            raise BulkLoadError(f"Row {i}: a person needs at least one name.")
        # The rule of PersonName.save(): the first primary name, else the first name.
        display = next((n["full_name"] for n in prepared_names if n["kind"] == PersonName.Kind.PRIMARY),
                       prepared_names[0]["full_name"])
        person = t[Person].add(
            **record, distribution=distribution, display_name=display, sex=data.get("sex", ""),
            birth_date=data.get("birth_date", ""), birth_place=data.get("birth_place", ""),
            protection=data.get("protection", ""),
        )
        links = []
        for ident in data.get("identifiers") or ():
            kind, country = ident.get("kind"), ident.get("country") or None
            try:
                normalized = idf.normalize(kind, ident.get("value", ""), country)
            except idf.IdentifierError as exc:
                raise BulkLoadError(f"Row {i}: {exc}") from exc
            if kind in (idf.PHONE, idf.WHATSAPP) and not country:
                country = _phone_region(normalized)
            links.append((kind, normalized, ident.get("value", ""), country, ident.get("label", "")))
        persons.append((person, prepared_names, list(dict.fromkeys(data.get("nationalities") or ())),
                        links, distribution, list(data.get("share_with") or ())))
    return t, record, persons


def _load_batch(batch, offset, owner_id, default_distribution, created_by_id, is_synthetic, report):
    now = timezone.now()
    t, record, persons = _prepare(batch, offset, owner_id, default_distribution, created_by_id, is_synthetic, now)
    pg = connection.vendor == "postgresql"
    ct = {m: ContentType.objects.get_for_model(m).pk for m in (Person, Identifier, Relationship)}

    # Persons first: every other row needs their ids.
    if pg:
        for row, pk in zip(t[Person].rows, _reserve_ids(Person, len(t[Person].rows))):
            row["id"] = pk
    else:
        objs = Person.objects.bulk_create([Person(**row) for row in t[Person].rows])
        for row, obj in zip(t[Person].rows, objs):
            row["id"] = obj.pk

    # Identifiers: one per (owner, kind, canonical form), reusing the owner's existing ones.
    wanted = {(link[0], link[1]): link for *_, links, _d, _s in persons for link in links}
    existing = {}
    if wanted and pg:
        # One array parameter, not 30,000 placeholders: ten times faster to send and plan.
        with connection.cursor() as cursor:
            cursor.execute(
                f"SELECT kind, normalized, id FROM {Identifier._meta.db_table} WHERE owner_id = %s AND normalized = ANY(%s)",
                [owner_id, list({n for _k, n in wanted})],
            )
            existing = {(k, n): pk for k, n, pk in cursor.fetchall() if (k, n) in wanted}
    elif wanted:
        found = Identifier.objects.filter(owner_id=owner_id, normalized__in={n for _k, n in wanted}).values_list(
            "kind", "normalized", "id")
        existing = {(k, n): pk for k, n, pk in found if (k, n) in wanted}
    new_keys = [key for key in wanted if key not in existing]
    distribution_of = {}
    for person, _names, _nats, links, distribution, _shares in persons:
        for link in links:
            distribution_of.setdefault((link[0], link[1]), distribution)
    ident_rows = [
        t[Identifier].add(**record, distribution=distribution_of[key], kind=key[0], normalized=key[1],
                          value=wanted[key][2], country_id=wanted[key][3], label=wanted[key][4])
        for key in new_keys
    ]
    if pg:
        for row, pk in zip(ident_rows, _reserve_ids(Identifier, len(ident_rows))):
            row["id"] = pk
    elif ident_rows:
        objs = Identifier.objects.bulk_create([Identifier(**row) for row in ident_rows])
        for row, obj in zip(ident_rows, objs):
            row["id"] = obj.pk
    ident_id = dict(existing)
    ident_id.update({(row["kind"], row["normalized"]): row["id"] for row in ident_rows})

    # An identifier is shared with an agency once (constraint one_share_per_agency), however many
    # persons of the load use it: two shared persons with one phone each brought a second share.
    identifier_shared = set()
    agencies = {a for *_rest, distribution, share_with in persons if distribution == Distribution.SHARED
                for a in share_with}
    if existing and agencies:
        identifier_shared.update(Share.objects.filter(
            content_type_id=ct[Identifier], object_id__in=list(existing.values()), agency_id__in=agencies,
        ).values_list("object_id", "agency_id"))
    for person, names_, nats, links, distribution, share_with in persons:
        pid = person["id"]
        for name in names_:
            t[PersonName].add(person_id=pid, **name)
        for code in nats:
            # Person.sort_name's rule (blank for a protected identity); on SQLite
            # and for every other writer the trigger of migration 0010 sets it.
            t[Nationality].add(person_id=pid, country_id=code,
                               sort_name=person["display_name"] if not person["protection"] else "")
        targets = []
        for kind, normalized, *_ in links:
            rel = t[Relationship].add(
                **record, distribution=distribution, kind=RELATIONSHIP_FOR_KIND.get(kind, Relationship.Kind.USES_HANDLE),
                subject_type_id=ct[Person], subject_id=pid, object_type_id=ct[Identifier],
                object_id=ident_id[(kind, normalized)],
            )
            targets.append(rel)
        if share_with and distribution == Distribution.SHARED:
            report.shares += len(share_with) * (1 + len(targets))  # the person and its links
            for agency_id in share_with:
                t[Share].add(content_type_id=ct[Person], object_id=pid, agency_id=agency_id, created_by_id=created_by_id)
                for kind, normalized, *_ in links:
                    key = (ident_id[(kind, normalized)], agency_id)
                    if key in identifier_shared:
                        continue
                    identifier_shared.add(key)
                    report.shares += 1
                    t[Share].add(content_type_id=ct[Identifier], object_id=key[0],
                                 agency_id=agency_id, created_by_id=created_by_id)
    if pg:
        # Relationship ids are needed before their shares can be written.
        for row, pk in zip(t[Relationship].rows, _reserve_ids(Relationship, len(t[Relationship].rows))):
            row["id"] = pk
    else:
        objs = Relationship.objects.bulk_create([Relationship(**row) for row in t[Relationship].rows])
        for row, obj in zip(t[Relationship].rows, objs):
            row["id"] = obj.pk
    rel_by_person = {}
    for row in t[Relationship].rows:
        rel_by_person.setdefault(row["subject_id"], []).append(row["id"])
    for person, _n, _c, _l, distribution, share_with in persons:
        if share_with and distribution == Distribution.SHARED:
            for agency_id in share_with:
                for rel_id in rel_by_person.get(person["id"], ()):
                    t[Share].add(content_type_id=ct[Relationship], object_id=rel_id, agency_id=agency_id,
                                 created_by_id=created_by_id)

    if pg:
        with connection.cursor() as cursor:
            for model in (Person, Identifier, PersonName, Nationality, Relationship, Share):
                if model is Nationality:
                    # The rows carry their sort_name: the trigger need not look it up
                    # (transaction-local, and switched off again right after the COPY).
                    cursor.execute("SELECT set_config('liaison.sort_name_given', 'on', true)")
                _copy(cursor.cursor, t[model], with_id=model in (Person, Identifier, Relationship))
                if model is Nationality:
                    cursor.execute("SELECT set_config('liaison.sort_name_given', 'off', true)")
    else:
        for model in (PersonName, Nationality, Share):
            model.objects.bulk_create([model(**row) for row in t[model].rows], batch_size=500)

    report.persons += len(persons)
    report.names += len(t[PersonName].rows)
    report.nationalities += len(t[Nationality].rows)
    report.identifiers += len(ident_rows)
    report.identifiers_reused += sum(len(p[3]) for p in persons) - len(ident_rows)
    report.relationships += len(t[Relationship].rows)
    report.person_ids.extend(p[0]["id"] for p in persons)


def _reserve_ids(model, count):
    """``count`` ids from the table's own sequence, so concurrent inserts never collide."""
    if not count:
        return []
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT nextval(pg_get_serial_sequence(%s, 'id')) FROM generate_series(1, %s)",
            [model._meta.db_table, count],
        )
        return [r[0] for r in cursor.fetchall()]


def _copy(raw_cursor, table, with_id):
    if not table.rows:
        return
    names_ = [(c, a) for c, a in zip(table.columns, table.attnames) if with_id or a != "id"]
    cols = ", ".join(connection.ops.quote_name(c) for c, _a in names_)
    values = itemgetter(*[a for _c, a in names_])  # a tuple per row, built in C
    with raw_cursor.copy(f"COPY {connection.ops.quote_name(table.model._meta.db_table)} ({cols}) FROM STDIN") as copy:
        for row in table.rows:
            copy.write_row(values(row))


def copy_instances(model, objs, *, reserve_ids=False):
    """Insert ``objs`` (unsaved instances of ``model``) with ``COPY``, PostgreSQL only: the loader's
    column order and defaults; ``auto_now`` fields stamped now (and set on the instances); with
    ``reserve_ids``, ids taken from the table's sequence first and set on the instances (so that rows
    naming them can follow in the same transaction). No signals, like ``bulk_create``. Used by
    federation to write an envelope's new copies (``liaison.federation.bulk``)."""
    objs = list(objs)
    if not objs:
        return objs
    table = _Table(model, timezone.now())
    stamped = {f.attname for f in table.fields if getattr(f, "auto_now", False) or getattr(f, "auto_now_add", False)}
    if reserve_ids:
        for obj, pk in zip(objs, _reserve_ids(model, len(objs))):
            obj.pk = pk
    for obj in objs:
        row = {name: getattr(obj, name) for name in table.attnames}
        row.update((name, table.defaults[name]) for name in stamped)
        for name in stamped:
            setattr(obj, name, row[name])
        table.rows.append(row)
    with connection.cursor() as cursor:
        _copy(cursor.cursor, table, with_id=reserve_ids)
    return objs


# A table is analysed again once it has grown by this share of the rows PostgreSQL last counted
# (1.0: doubled). The planner scales a row count by the table's current size, so what goes wrong is
# a table never analysed, or one whose columns' statistics were taken when it was nearly empty.
STALE_STATISTICS = 1.0


def analyze_if_grown(written):
    """``ANALYZE`` the tables of ``written`` ({model: rows just inserted}) that grew by more than
    ``STALE_STATISTICS`` of what the planner believes they hold. PostgreSQL only.

    A node receiving a first replication grows from nothing to 100,000 persons in two minutes, faster
    than autovacuum's analyse follows (a minute's nap, then 10 % of the old size): the planner, still
    believing the tables hold a few hundred rows, scanned whole tables for each envelope's 500 ids,
    30-230 ms a query at 100,000 and growing (bench/README.md, "Federation"). Analysing each time a
    table doubles costs about 17 ANALYZEs of it from 1 row to 100,000, each sampling at most 30,000
    rows."""
    if connection.vendor != "postgresql" or not written:
        return []
    tables = {model._meta.db_table: rows for model, rows in written.items() if rows}
    with connection.cursor() as cursor:
        # Rows changed since the last analyse, as the statistics system counts them (a transaction's
        # count arrives within a second of its commit: ``written`` stands in until then).
        cursor.execute("SELECT c.relname, c.reltuples, s.n_mod_since_analyze FROM pg_class c "
                       "JOIN pg_stat_user_tables s ON s.relid = c.oid WHERE c.relname = ANY(%s)", [list(tables)])
        known = {name: (max(float(tuples), 0.0), changed or 0) for name, tuples, changed in cursor.fetchall()}
        stale = sorted(name for name, rows in tables.items()
                       if max(rows, known.get(name, (0.0, 0))[1]) > STALE_STATISTICS * known.get(name, (0.0, 0))[0])
        for name in stale:
            cursor.execute(f"ANALYZE {connection.ops.quote_name(name)}")
    return stale


@contextmanager
def deferred_indexes(models=LOADED_MODELS, maintenance_work_mem="1GB"):
    """Drop the secondary indexes and foreign keys of ``models`` for a large initial load, then restore them.

    Maintaining some thirty indexes row by row triples the cost of a load;
    building them once afterwards is several times cheaper. Foreign keys are
    checked row by row at every commit (a quarter of a load's time); they are
    re-added ``NOT VALID`` and then validated, which checks every row in one
    pass per key (PostgreSQL manual, "Populating a Database"). Primary keys
    and unique constraints stay. If a row breaks a foreign key, validation
    fails at the end with PostgreSQL's message naming the key; the key stays
    in place (NOT VALID: new rows are checked) until the row is fixed.

    Only for loading into a quiet registry (a new centre, the benchmark):
    while the block runs, lists and search are slow. PostgreSQL only;
    elsewhere it does nothing. Yields a dict that receives the rebuild time
    in seconds.
    """
    timing = {"rebuild_seconds": 0.0}
    if connection.vendor != "postgresql":
        yield timing
        return
    tables = [m._meta.db_table for m in models]
    with connection.cursor() as cursor:
        cursor.execute(
            """SELECT i.indexrelid::regclass::text, pg_get_indexdef(i.indexrelid)
                 FROM pg_index i JOIN pg_class t ON t.oid = i.indrelid
                WHERE t.relname = ANY(%s) AND NOT i.indisprimary AND NOT i.indisunique""",
            [tables],
        )
        definitions = cursor.fetchall()
        cursor.execute(
            """SELECT c.conrelid::regclass::text, quote_ident(c.conname), pg_get_constraintdef(c.oid)
                 FROM pg_constraint c JOIN pg_class t ON t.oid = c.conrelid
                WHERE t.relname = ANY(%s) AND c.contype = 'f'""",
            [tables],
        )
        foreign_keys = cursor.fetchall()
        for name, _definition in definitions:
            cursor.execute(f"DROP INDEX {name}")
        for table, name, _definition in foreign_keys:
            cursor.execute(f"ALTER TABLE {table} DROP CONSTRAINT {name}")
    log.info("bulk load: %d secondary indexes and %d foreign keys dropped", len(definitions), len(foreign_keys))
    try:
        yield timing
    finally:
        import time

        start = time.perf_counter()
        with connection.cursor() as cursor:
            cursor.execute("SET maintenance_work_mem = %s", [maintenance_work_mem])
            for _name, definition in definitions:
                cursor.execute(definition)
            for table, name, definition in foreign_keys:
                cursor.execute(f"ALTER TABLE {table} ADD CONSTRAINT {name} {definition} NOT VALID")
            cursor.execute("RESET maintenance_work_mem")
        with connection.cursor() as cursor:
            for table, name, _definition in foreign_keys:
                cursor.execute(f"ALTER TABLE {table} VALIDATE CONSTRAINT {name}")
        timing["rebuild_seconds"] = time.perf_counter() - start
        log.info("bulk load: %d secondary indexes and %d foreign keys restored in %.1f s",
                 len(definitions), len(foreign_keys), timing["rebuild_seconds"])
