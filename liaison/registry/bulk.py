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
        "tlp": "AMBER",                    # optional: CLEAR for a public row, else AMBER
        "share_with": [agency_id, ...],    # optional: named-agency shares
    }

Each identifier becomes an ``Identifier`` (one per owner and canonical form,
reused if the owner already has it) linked to the person by a
``Relationship`` (uses phone / uses handle / holds account / owns).
"""
from __future__ import annotations

import gc
import itertools
import logging
import multiprocessing
from collections import deque
from concurrent.futures import ProcessPoolExecutor, ThreadPoolExecutor
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
from liaison.core.models import TLP, Distribution
from liaison.registry.models import Identifier, Nationality, Person, PersonName, Relationship
from liaison.sharing.models import Share
from liaison.sharing.services import SharingError, check_marking

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
MARKINGS = set(TLP.values)
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
    """The rows of one model for one batch, and how to write them.

    A row holds only the values that vary from row to row; the rest (defaults,
    the owner, the load's time stamps) are the table's ``constants``, the same for
    every row of the batch. COPY sends them pre-formatted (a time stamp as text, a
    boolean as ``t``): psycopg then writes the few varying values of a row and
    copies the rest, 1.7 µs a row instead of 3.9 (bench/README.md, "Bulk load").
    """

    def __init__(self, model, now, constants=None):
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
        self.defaults.update(constants or {})
        self.rows = []

    def add(self, **values):
        self.rows.append(values)
        return values

    def __len__(self):
        return len(self.rows)

    def full_rows(self):
        """Every row with every field (for ``bulk_create``, off PostgreSQL)."""
        return [{**self.defaults, **row} for row in self.rows]


# COPY's text format: a backslash escapes; tab, newline and carriage return would end a column or a row.
_COPY_ESCAPES = str.maketrans({"\\": "\\\\", "\t": "\\t", "\n": "\\n", "\r": "\\r"})


def _text(value):
    """One value in COPY's text format. Written here, not by psycopg, because a worker process
    without a database connection formats the rows (``_CopyText``)."""
    if value is None:
        return "\\N"
    if isinstance(value, str):
        return value.translate(_COPY_ESCAPES)
    if isinstance(value, bool):
        return "t" if value else "f"
    if hasattr(value, "isoformat"):
        return value.isoformat()
    return str(value)


class _CopyText:
    """A ``_Table``'s rows as the data of one COPY: formatted once, sent as is."""

    def __init__(self, table, with_id):
        self.model, self.count = table.model, len(table.rows)
        self.columns, self.data = [], b""
        if not table.rows:
            return
        self.columns, values, constant = _layout(table, with_id)
        tail = "".join("\t" + _text(table.defaults[a]) for a in constant) + "\n"
        self.data = "".join(["\t".join(map(_text, values(row))) + tail for row in table.rows]).encode()

    def __len__(self):
        return self.count

    def send(self, raw_cursor):
        if not self.count:
            return
        cols = ", ".join(connection.ops.quote_name(c) for c in self.columns)
        with raw_cursor.copy(f"COPY {connection.ops.quote_name(self.model._meta.db_table)} ({cols}) FROM STDIN") as copy:
            copy.write(self.data)


def _batches(rows, size):
    iterator = iter(rows)
    while batch := list(islice(iterator, size)):
        yield batch


def load_persons(rows, owner, *, distribution=Distribution.OWNER, created_by=None, batch_size=5000,
                 reference="", is_synthetic=False):
    """Load ``rows`` (see the module docstring) as persons owned by ``owner``.

    All or nothing: one transaction for the whole call. Returns a
    ``LoadReport`` with the counts and the new person ids in input order.
    On PostgreSQL a worker process prepares the next batches while this one
    writes (``_prepared_batches``).
    """
    owner_id = getattr(owner, "pk", owner)
    created_by_id = getattr(created_by, "pk", created_by)
    report = LoadReport()
    # Cached now, so that building a batch never queries while the batch before is being sent.
    ContentType.objects.get_for_models(Person, Identifier, Relationship)
    with transaction.atomic(), _collector_paused(), ThreadPoolExecutor(max_workers=1) as sender:
        carry = _Carry(whole_load=not Identifier.objects.filter(owner_id=owner_id).exists())
        sending = None
        for batch_len, prepared in _prepared_batches(
                rows, batch_size, (owner_id, distribution, created_by_id, is_synthetic, timezone.now())):
            # Reads first, while the connection is idle; then the batch before is sent
            # while this one is built (PostgreSQL works as Python does).
            reads = _read_for(prepared, owner_id, carry)
            written = sending and sender.submit(_send, connection.connection, sending)
            sending, carry = _build(prepared, reads, carry, created_by_id, report)
            if written:
                with connection.wrap_database_errors:
                    written.result()
            log.info(
                "bulk load %s: %d persons for agency %s (ids %s–%s), no history rows written",
                reference or "-", batch_len, owner_id, report.person_ids[-batch_len], report.person_ids[-1],
            )
        if sending:
            with connection.wrap_database_errors:
                sender.submit(_send, connection.connection, sending).result()
    return report


@contextmanager
def _collector_paused():
    """Python's cyclic garbage collector off for the load, on again after.

    A load allocates millions of small dicts and tuples, none of them in a
    cycle; the collector walked the growing heap again and again for nothing,
    15 % of a load's time (bench/README.md, "Bulk load"). Reference counting
    still frees everything as usual."""
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_enabled:
            gc.enable()


# Batches prepared ahead of the one being written: enough to keep the workers busy
# while the main process waits for PostgreSQL, few enough to bound the memory. Two
# workers: on two cores, one worker (11,000 persons/s at 100,000) left the machine
# idle while the main process waited for it; two kept both cores busy.
AHEAD = 3
WORKERS = 2


def _prepared_batches(rows, size, settings):
    """(length, prepared batch) for each batch of ``rows``, in order.

    Preparing a batch (validating, normalising phone numbers, the names' script and
    search key) is pure Python and was half of a load's time; writing it is mostly
    PostgreSQL's. On PostgreSQL, and when this process may start one, a worker process
    prepares the next batches while this one sends the current batch: the two cores
    work at once (10,000 persons/s and more, bench/README.md). The worker is forked:
    it never uses the database connection it inherits. Elsewhere (SQLite, a daemonic
    worker of the task queue, which may not have children) batches are prepared here."""
    batches = _batches(rows, size)
    first = next(batches, None)
    if first is None:
        return
    second = next(batches, None)
    pg = connection.vendor == "postgresql"
    if second is None or not _may_fork():
        for offset, batch in _offsets(itertools.chain([first], [] if second is None else [second], batches), size):
            yield len(batch), _prepare(batch, offset, *settings, _reserve_ids(Person, len(batch)) if pg else None)
        return
    context = multiprocessing.get_context("fork")
    with ProcessPoolExecutor(max_workers=WORKERS, mp_context=context) as pool:
        pending = deque()
        for offset, batch in _offsets(itertools.chain([first, second], batches), size):
            # Called between two batches, when the load's connection is idle.
            person_ids = _reserve_ids(Person, len(batch))
            pending.append((len(batch), pool.submit(_prepare, batch, offset, *settings, person_ids)))
            if len(pending) > AHEAD:
                length, future = pending.popleft()
                yield length, future.result()
        while pending:
            length, future = pending.popleft()
            yield length, future.result()


def _offsets(batches, size):
    offset = 0
    for batch in batches:
        yield offset, batch
        offset += len(batch)


def _may_fork():
    return (connection.vendor == "postgresql" and "fork" in multiprocessing.get_all_start_methods()
            and not multiprocessing.current_process().daemon)


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


def _prepare(batch, offset, owner_id, default_distribution, created_by_id, is_synthetic, now, person_ids=None):
    """Python side of a batch: validated, derived rows. Returns (tables, persons), persons
    being [person, links, distribution, share_with] in input order.

    With ``person_ids`` (reserved beforehand: PostgreSQL) the persons get their ids here, and the
    persons, names and nationalities leave as COPY text (``_CopyText``): when a worker process
    prepares the batch, sending a few strings back costs far less than sending row objects, which
    the loading process spent a quarter of its time unpickling. Without (SQLite), ``_build``
    inserts the persons and sets the ids (``_set_person_ids``); rows name their person by its
    index in the batch until then."""
    record = {"owner_id": owner_id, "created_by_id": created_by_id, "is_synthetic": is_synthetic}
    t = {m: _Table(m, now, record if m in (Person, Identifier, Relationship) else None)
         for m in (Person, PersonName, Nationality, Identifier, Relationship, Share)}
    persons = []
    for index, data in enumerate(batch):
        i = offset + index
        distribution = data.get("distribution") or default_distribution
        if distribution not in DISTRIBUTIONS:
            raise BulkLoadError(f"Row {i}: unknown distribution “{distribution}”.")
        # The marking rules of every other writer (sharing.services.check_marking): a public row
        # without a TLP is TLP:CLEAR, the only marking a public record may have; the model's
        # default (AMBER) made public persons that no form would save again.
        tlp = data.get("tlp") or (TLP.CLEAR if distribution == Distribution.PUBLIC else TLP.AMBER)
        if tlp not in MARKINGS:
            raise BulkLoadError(f"Row {i}: unknown TLP marking “{tlp}”.")
        try:
            check_marking(distribution, tlp)
        except SharingError as exc:
            raise BulkLoadError(f"Row {i}: {exc}") from exc
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
        protection = data.get("protection", "")
        person = t[Person].add(
            distribution=distribution, tlp=tlp, display_name=display, sex=data.get("sex", ""),
            birth_date=data.get("birth_date", ""), birth_place=data.get("birth_place", ""),
            protection=protection,
        )
        for name in prepared_names:
            t[PersonName].add(person_id=index, **name)
        for code in dict.fromkeys(data.get("nationalities") or ()):
            # Person.sort_name's rule (blank for a protected identity); on SQLite
            # and for every other writer the trigger of migration 0010 sets it.
            t[Nationality].add(person_id=index, country_id=code, sort_name="" if protection else display)
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
        persons.append([person, links, distribution, list(data.get("share_with") or ()), tlp])
    if person_ids is not None:
        _set_person_ids(t, persons, person_ids)
        for model in (Person, PersonName, Nationality):
            t[model] = _CopyText(t[model], with_id=model is Person)
    return t, persons


def _set_person_ids(t, persons, ids):
    """Ids to the persons, and to the names and nationalities that name them by index."""
    ids = list(ids)
    for entry, pk in zip(persons, ids):
        entry[0]["id"] = pk
        entry[0] = pk
    for model in (PersonName, Nationality):
        for row in t[model].rows:
            row["person_id"] = ids[row["person_id"]]


class _Carry:
    """The identifiers of this load that the database may not show yet: their ids
    {(kind, normalized): id} and their shares {(identifier id, agency id)}.

    Usually those of the batch before only: its COPY runs while this batch is built, so
    the reads for this batch see every earlier batch in the database but that one.
    ``whole_load`` when the owner had no identifier when the load began (a centre's first
    load of an agency's list): then the only identifiers a row can reuse are the load's
    own, kept here for the whole load, and no batch looks in the database. Those lookups
    were 30,000 random probes of the identifier index a batch, a fifth of PostgreSQL's
    work at a million persons. The memory is about 200 bytes an identifier loaded in the
    call (600 MB for 3,000,000). An identifier the owner gets from elsewhere during such a
    load makes the load fail on the unique constraint, whole: nothing is written twice."""

    def __init__(self, whole_load=False):
        self.whole_load = whole_load
        self.identifiers = {}
        self.identifier_shares = set()

    def after(self, identifiers, identifier_shares):
        """The carry for the next batch, once this one has built these."""
        if not self.whole_load:
            carry = _Carry()
            carry.identifiers, carry.identifier_shares = identifiers, identifier_shares
            return carry
        self.identifiers.update(identifiers)
        self.identifier_shares |= identifier_shares
        return self


@dataclass
class _Reads:
    existing: dict          # {(kind, normalized): id} of the owner's identifiers the batch reuses
    identifier_shared: set  # {(identifier id, agency id)} already shared
    identifier_ids: object = None    # reserved (PostgreSQL)
    relationship_ids: object = None


def _read_for(prepared, owner_id, carry):
    """The database reads of a batch, before its rows are built: the owner's identifiers
    it reuses, their shares, and (PostgreSQL) the ids of its rows, reserved."""
    _t, persons = prepared
    pg = connection.vendor == "postgresql"
    # Identifiers: one per (owner, kind, canonical form), reusing the owner's existing ones.
    wanted = {(link[0], link[1]) for _p, links, *_rest in persons for link in links}
    existing = {}
    if carry.whole_load:
        pass  # the owner had none when the load began: only the load's own can be reused
    elif wanted and pg:
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

    # An identifier is shared with an agency once (constraint one_share_per_agency), however many
    # persons of the load use it: two shared persons with one phone each brought a second share.
    in_database = list(existing.values())
    for key in wanted:
        pk = carry.identifiers.get(key)
        if pk is not None:
            existing[key] = pk
    identifier_shared = set()  # of the identifiers found in the database; the carry holds the others'
    agencies = {a for _p, _l, distribution, share_with, _tlp in persons if distribution == Distribution.SHARED
                for a in share_with}
    if in_database and agencies:
        identifier_shared.update(Share.objects.filter(
            content_type_id=ContentType.objects.get_for_model(Identifier).pk,
            object_id__in=in_database, agency_id__in=agencies,
        ).values_list("object_id", "agency_id"))
    reads = _Reads(existing, identifier_shared)
    if pg:
        reads.identifier_ids = _reserve_ids(Identifier, len(wanted) - len(existing))
        reads.relationship_ids = _reserve_ids(Relationship, sum(len(p[1]) for p in persons))
    return reads


def _build(prepared, reads, carry, created_by_id, report):
    """The rows of a batch, ids set; returns the tables left to write and the batch's ``_Carry``.
    Python only on PostgreSQL; elsewhere the rows whose ids others need are inserted here."""
    t, persons = prepared
    pg = connection.vendor == "postgresql"
    ct = {m: ContentType.objects.get_for_model(m).pk for m in (Person, Identifier, Relationship)}

    # Persons first: every other row needs their ids (on PostgreSQL, reserved and set by _prepare).
    if not pg:
        objs = Person.objects.bulk_create([Person(**row) for row in t[Person].full_rows()])
        _set_person_ids(t, persons, [obj.pk for obj in objs])

    wanted = {(link[0], link[1]): link for _p, links, *_rest in persons for link in links}
    existing = reads.existing
    new_keys = [key for key in wanted if key not in existing]
    marking_of = {}  # an identifier new in the load takes the marking of the first person using it
    for _pid, links, distribution, _shares, tlp in persons:
        for link in links:
            marking_of.setdefault((link[0], link[1]), (distribution, tlp))
    ident_rows = [
        t[Identifier].add(distribution=marking_of[key][0], tlp=marking_of[key][1], kind=key[0], normalized=key[1],
                          value=wanted[key][2], country_id=wanted[key][3], label=wanted[key][4])
        for key in new_keys
    ]
    if pg:
        for row, pk in zip(ident_rows, reads.identifier_ids):
            row["id"] = pk
    elif ident_rows:
        objs = Identifier.objects.bulk_create([Identifier(**row) for row in t[Identifier].full_rows()])
        for row, obj in zip(ident_rows, objs):
            row["id"] = obj.pk
    ident_id = dict(existing)
    new_identifiers = {(row["kind"], row["normalized"]): row["id"] for row in ident_rows}
    ident_id.update(new_identifiers)

    identifier_shared = reads.identifier_shared
    new_identifier_shares = set()
    for pid, links, distribution, share_with, tlp in persons:
        targets = []
        for kind, normalized, *_ in links:
            rel = t[Relationship].add(
                distribution=distribution, tlp=tlp, kind=RELATIONSHIP_FOR_KIND.get(kind, Relationship.Kind.USES_HANDLE),
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
                    if key in identifier_shared or key in carry.identifier_shares:
                        continue
                    identifier_shared.add(key)
                    new_identifier_shares.add(key)
                    report.shares += 1
                    t[Share].add(content_type_id=ct[Identifier], object_id=key[0],
                                 agency_id=agency_id, created_by_id=created_by_id)
    if pg:
        # Relationship ids are needed before their shares can be written.
        for row, pk in zip(t[Relationship].rows, reads.relationship_ids):
            row["id"] = pk
    else:
        objs = Relationship.objects.bulk_create([Relationship(**row) for row in t[Relationship].full_rows()])
        for row, obj in zip(t[Relationship].rows, objs):
            row["id"] = obj.pk
    rel_by_person = {}
    for row in t[Relationship].rows:
        rel_by_person.setdefault(row["subject_id"], []).append(row["id"])
    for pid, _links, distribution, share_with, _tlp in persons:
        if share_with and distribution == Distribution.SHARED:
            for agency_id in share_with:
                for rel_id in rel_by_person.get(pid, ()):
                    t[Share].add(content_type_id=ct[Relationship], object_id=rel_id, agency_id=agency_id,
                                 created_by_id=created_by_id)

    report.persons += len(persons)
    report.names += len(t[PersonName])
    report.nationalities += len(t[Nationality])
    report.identifiers += len(ident_rows)
    report.identifiers_reused += sum(len(p[1]) for p in persons) - len(ident_rows)
    report.relationships += len(t[Relationship])
    report.person_ids.extend(p[0] for p in persons)
    carry = carry.after(new_identifiers, new_identifier_shares)
    if pg:
        return t, carry
    for model in (PersonName, Nationality, Share):
        model.objects.bulk_create([model(**row) for row in t[model].full_rows()], batch_size=500)
    return None, carry


def _send(raw_connection, t):
    """COPY a built batch (PostgreSQL). Runs in the sender thread on the load's own
    connection (the raw psycopg one: Django's wrapper belongs to the load's thread),
    while the load's thread builds the next batch; nothing else uses the connection then."""
    with raw_connection.cursor() as cursor:
        for model in (Person, Identifier, PersonName, Nationality, Relationship, Share):
            if model is Nationality:
                # The rows carry their sort_name: the trigger need not look it up
                # (transaction-local, and switched off again right after the COPY).
                cursor.execute("SELECT set_config('liaison.sort_name_given', 'on', true)")
            if isinstance(t[model], _CopyText):
                t[model].send(cursor)
            else:
                _copy(cursor, t[model], with_id=model in (Person, Identifier, Relationship))
            if model is Nationality:
                cursor.execute("SELECT set_config('liaison.sort_name_given', 'off', true)")


# The sequence looked up once per query (an InitPlan), not once per id: as a plain argument of
# nextval, pg_get_serial_sequence ran for every row, 3.5 µs an id against 0.3.
_SEQUENCE = "(SELECT pg_get_serial_sequence(%s, 'id')::regclass)"


def _reserve_ids(model, count):
    """``count`` ids from the table's own sequence, so concurrent inserts never collide.

    The ids are taken one ``nextval`` each, as any insert takes them; when no other
    writer took one in between (a load), they are one run and only its ends travel back:
    fetching 10,000 single-value rows was a tenth of a load's Python time."""
    if not count:
        return []
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT min(id), max(id), count(*) FROM "
            f"(SELECT nextval({_SEQUENCE}) AS id FROM generate_series(1, %s)) AS taken",
            [model._meta.db_table, count],
        )
        low, high, taken = cursor.fetchone()
        if high - low + 1 == taken == count:
            return range(low, high + 1)
    # Someone else's inserts interleaved: the ids are not one run. Taking them again
    # leaves a gap in the sequence, which ids may have anyway (rolled-back inserts).
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT nextval({_SEQUENCE}) FROM generate_series(1, %s)",
            [model._meta.db_table, count],
        )
        return [r[0] for r in cursor.fetchall()]


def _layout(table, with_id):
    """How a ``_Table``'s rows go into COPY: the columns (those its rows carry, then the
    constant ones), a function giving a row's varying values as a tuple (built in C), and
    the attribute names of the constant columns."""
    varying = [a for a in table.rows[0] if with_id or a != "id"]
    constant = [a for a in table.attnames if a not in table.rows[0] and (with_id or a != "id")]
    column = dict(zip(table.attnames, table.columns))
    values = itemgetter(*varying)
    if len(varying) == 1:
        values = lambda row, _get=values: (_get(row),)  # noqa: E731 — itemgetter of one key returns the value
    return [column[a] for a in varying + constant], values, constant


def _copy_text(value):
    """A constant as COPY's text format reads it; psycopg escapes the strings."""
    if isinstance(value, bool):
        return "t" if value else "f"
    if hasattr(value, "isoformat"):
        return value.isoformat()
    return value


def _copy(raw_cursor, table, with_id):
    if not table.rows:
        return
    columns, values, constant = _layout(table, with_id)
    cols = ", ".join(connection.ops.quote_name(c) for c in columns)
    constants = tuple(_copy_text(table.defaults[a]) for a in constant)
    with raw_cursor.copy(f"COPY {connection.ops.quote_name(table.model._meta.db_table)} ({cols}) FROM STDIN") as copy:
        for row in table.rows:
            copy.write_row(values(row) + constants)


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
