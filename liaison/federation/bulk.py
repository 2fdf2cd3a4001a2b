"""Receiving in bulk: the new copies of a peer's persons that an envelope brings, written together.

Why: applying an envelope delivery by delivery (``inbox._apply``: the STIX import, model saves
with their history rows, citations, an audit entry and the shares of the copy) took ~20 ms a
person, some 20 times too slow for issue 16's 100,000 records in two minutes. Most of an
envelope, at the first replication and at a catch-up, is new persons: here they are checked one
by one with the rules of ``inbox._apply`` (from and to the right nodes, the owner agency homed on
the sender and owning every object, the objects in the envelope, the record named, not applied
before by delivery id, no copy yet so no older sequence to compare, a recipient homed here, the
import account sound, valid STIX, valid fields), then written with one ``bulk_create`` a table
(``COPY`` on PostgreSQL, ``_insert``).

What is not taken here goes through ``inbox._apply`` one by one, as before, which refuses what
breaks a rule with its message: other actions (withdraw, retract), updates of an existing copy,
other record types, a person whose identity was withheld, a record delivered twice in the
envelope, and any delivery this module finds doubtful. A delivery written here concerns a record
no other delivery of the envelope touches, so applying it before the others changes no outcome.

As for the registry's bulk loads (``liaison.registry.bulk``), no history rows are written: the
envelope is one import event, recorded once per owner agency in the audit chain (what the STIX
import records for a file) and in the log, with the persons' ids. The persons are matched once,
together, after the commit (``matching.services.schedule``), and the saved-search alerts of the
new persons are evaluated after it too (``liaison.tasks.alerts_pending``), as for one-by-one saves.
"""
import functools
import logging
import re
import threading
import uuid
from collections import Counter

from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import ValidationError
from django.db import IntegrityError, connection, transaction
from django.utils.translation import gettext as _

from liaison.federation.models import ExchangeEntry, Replica
from liaison.federation.nodes import FederationError, home_of, self_name, side_thread

log = logging.getLogger("liaison.federation")


def apply_new_persons(peer, controls, by_id):
    """Write together the deliveries of ``controls`` (one envelope from ``peer``) that bring a new
    copy of a person; returns ``{id(control): status}`` of those written (the caller applies the
    others one by one). Runs in the envelope's transaction; all or nothing: on a conflict (the same
    envelope applied at the same moment by another worker) nothing is written here and every
    delivery goes the one-by-one way, which knows how to answer it."""
    taken = _eligible(peer, controls, by_id)
    if not taken:
        return {}
    try:
        with transaction.atomic():
            _write(peer, taken)
    except IntegrityError:
        log.info("federation: bulk write of %s deliveries from %s conflicted; applied one by one", len(taken), peer.name)
        return {}
    return {id(item.control): ExchangeEntry.Status.ACCEPTED for item in taken}


class _Item:
    """One delivery taken: its control, owner agency, person object, recipients here, the Person
    (not yet saved) and its child rows."""

    __slots__ = ("control", "owner", "user", "obj", "refs", "here", "person", "names", "nationalities",
                 "documents", "statuses", "sequence")


def _eligible(peer, controls, by_id):
    from liaison.interop.stix import RECORD_EXTENSION
    from liaison.sharing.models import Agency

    if not controls:
        return []
    from liaison.federation.outbox import _uuid

    me = self_name()
    records = Counter(str(c.get("record") or "") for c in controls)
    # By the id the exchange log keeps (a malformed one reads as the nil UUID: one by one).
    deliveries = Counter(_uuid(c) for c in controls)
    names = {n for c in controls for n in [c.get("owner"), *(c.get("recipients") or [])] if isinstance(n, str) and n}
    agencies = {a.short_name: a for a in Agency.objects.filter(short_name__in=names)}
    candidates = []
    for control in controls:
        refs = control.get("object_refs")
        record = str(control.get("record") or "")
        owner = agencies.get(control.get("owner") or "")
        if (control.get("action") != ExchangeEntry.Action.UPSERT or control.get("model", "registry.person") != "registry.person"
                or control.get("sender") != peer.name
                or control.get("to") != me or not isinstance(refs, list) or not refs
                or any(not isinstance(ref, str) or ref not in by_id for ref in refs)
                or records[record] != 1 or deliveries[_uuid(control)] != 1 or _uuid(control).int == 0
                or owner is None or home_of(owner.pk) != peer.name):
            continue
        objects = [by_id[ref] for ref in refs]
        person = [o for o in objects if o.get("id") == record]
        others = [o for o in objects if o.get("id") != record]
        if len(person) != 1 or not _is_person(person[0]) or not all(_is_agency(o) for o in others):
            continue
        if any(((o.get("extensions") or {}).get(RECORD_EXTENSION) or {}).get("owner", owner.short_name) != owner.short_name
               for o in objects):
            continue
        ext = (person[0].get("extensions") or {}).get(RECORD_EXTENSION) or {}
        if ext.get("protected"):
            continue  # withheld identity: the one-by-one path decides what a copy of it is
        here = [agencies[n] for n in dict.fromkeys(control.get("recipients") or [])
                if isinstance(n, str) and n in agencies and home_of(agencies[n].pk) == me]
        try:
            sequence = int(control.get("sequence") or 0)
        except (TypeError, ValueError):
            continue
        if not here:
            continue
        item = _Item()
        item.control, item.owner, item.obj, item.refs, item.here, item.sequence = control, owner, person[0], refs, here, sequence
        candidates.append(item)
    if not candidates:
        return []
    # Applied before (delivery id), a copy already (any sequence), or imported before: one by one.
    from liaison.interop.models import ExternalObject

    applied = set(ExchangeEntry.objects.filter(
        direction=ExchangeEntry.Direction.IN, peer=peer, status=ExchangeEntry.Status.ACCEPTED,
        delivery_id__in=[_uuid(i.control) for i in candidates]).values_list("delivery_id", flat=True))
    stix_ids = [i.obj["id"] for i in candidates]
    copies = set(Replica.objects.filter(peer=peer, stix_id__in=stix_ids).values_list("stix_id", flat=True))
    imported = set(ExternalObject.objects.filter(agency__in={i.owner.pk for i in candidates},
                                                 external_id__in=stix_ids).values_list("external_id", flat=True))
    candidates = [i for i in candidates if _uuid(i.control) not in applied and i.obj["id"] not in copies
                  and i.obj["id"] not in imported]
    users = _import_accounts({i.owner for i in candidates})
    candidates = [i for i in candidates if i.owner.pk in users]
    valid = _valid_stix({o["id"]: o for i in candidates for o in [by_id[ref] for ref in i.refs]})
    countries = _countries(candidates)
    taken = []
    for item in candidates:
        if not all(valid.get(ref) for ref in item.refs):
            continue
        item.user = users[item.owner.pk]
        if _prepare(item, countries):
            taken.append(item)
    return taken


def _is_person(obj):
    from liaison.interop.stix import RECORD_EXTENSION

    ext = (obj.get("extensions") or {}).get(RECORD_EXTENSION) or {}
    return obj.get("type") == "identity" and (obj.get("identity_class") == "individual" or ext.get("liaison_type") == "person") \
        and ext.get("liaison_type") in (None, "person")


def _is_agency(obj):
    from liaison.interop.stix import RECORD_EXTENSION

    ext = (obj.get("extensions") or {}).get(RECORD_EXTENSION) or {}
    return obj.get("type") == "identity" and ext.get("liaison_type") == "agency"


def _import_accounts(owners):
    """The import account of each owner agency; an agency whose account name is taken by someone
    else is left out (the one-by-one path answers it with its message, a 409)."""
    from liaison.federation.inbox import _system_user

    users = {}
    for owner in owners:
        try:
            with transaction.atomic():
                users[owner.pk] = _system_user(owner)
        except FederationError:
            continue
    return users


def _valid_stix(objects):
    """{id: whether the object is valid STIX}, each object of the envelope checked once (the STIX
    import parses every object it is given: one by one, the owner's identity was parsed again for
    each of its persons).

    A person's object, as Liaison's writer makes it, is checked here by hand (``_plain_person``):
    ``stix2.parse`` costs ~0.3-0.5 ms an object, a third of the whole time a person may take to
    replicate at issue 16's rate. Anything that check does not recognise is parsed by ``stix2``."""
    import stix2

    from liaison.interop.stix import SPEC

    valid = {}
    for stix_id, obj in objects.items():
        if _plain_person(obj):
            valid[stix_id] = True
            continue
        try:
            stix2.parse(obj, allow_custom=True, version=SPEC)
            valid[stix_id] = True
        except Exception:  # noqa: BLE001 - stix2 raises many types; the one-by-one path reports it
            valid[stix_id] = False
    return valid


_UUID = r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}"
_STIX_ID = re.compile(rf"(identity|marking-definition)--{_UUID}")
_TIMESTAMP = re.compile(r"\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?Z")
_PERSON_KEYS = {"type", "spec_version", "id", "created", "modified", "created_by_ref", "name", "identity_class",
                "object_marking_refs", "external_references", "extensions"}


def _plain_person(obj):
    """Whether ``obj`` is an identity object with only the properties Liaison's writer gives a person,
    each of the type STIX 2.1 requires (what ``stix2.parse`` would check of it)."""
    def is_id(value, prefix):
        return isinstance(value, str) and value.startswith(prefix) and _STIX_ID.fullmatch(value) is not None

    refs = obj.get("external_references", [])
    return (set(obj) <= _PERSON_KEYS and obj.get("type") == "identity" and obj.get("spec_version") == "2.1"
            and is_id(obj.get("id"), "identity--") and ("created_by_ref" not in obj or is_id(obj["created_by_ref"], "identity--"))
            and all(isinstance(obj.get(k), str) and _TIMESTAMP.fullmatch(obj[k]) for k in ("created", "modified"))
            and obj["created"] <= obj["modified"]
            and isinstance(obj.get("name"), str) and obj["name"] != "" and isinstance(obj.get("identity_class", ""), str)
            and isinstance(obj.get("object_marking_refs", []), list)
            and all(is_id(m, "marking-definition--") for m in obj.get("object_marking_refs", []))
            and isinstance(refs, list) and all(isinstance(r, dict) and isinstance(r.get("source_name"), str)
                                               and all(isinstance(v, str) for v in r.values()) for r in refs)
            and isinstance(obj.get("extensions"), dict)
            and all(isinstance(k, str) and k.startswith("extension-definition--") and isinstance(v, dict)
                    and v.get("extension_type") == "property-extension" for k, v in obj["extensions"].items()))


def _countries(items):
    """The country codes of the envelope's persons known here (the STIX import drops the others)."""
    from liaison.core.models import Country
    from liaison.interop.stix import RECORD_EXTENSION

    codes = set()
    for item in items:
        ext = (item.obj.get("extensions") or {}).get(RECORD_EXTENSION) or {}
        for n in ext.get("nationalities") or []:
            codes.add(n.get("country") if isinstance(n, dict) else n)
        codes.update(row.get("country") for key in ("documents", "statuses") for row in ext.get(key) or []
                     if isinstance(row, dict))
    codes = {str(c).upper() for c in codes if isinstance(c, str) and c}
    return set(Country.objects.filter(pk__in=codes).values_list("pk", flat=True)) if codes else set()


def _prepare(item, countries):
    """The Person and child rows the STIX import would write for ``item`` (``stix._Importer._person``,
    ``marking`` and ``save``), checked as it checks them; False when a field is not valid (the
    one-by-one path then refuses the delivery with the import's message)."""
    from liaison import names as nm
    from liaison.core.models import Accuracy, Distribution, Handling, TLP
    from liaison.interop.stix import MARKING_TLP, RECORD_EXTENSION
    from liaison.registry.models import IdentityDocument, Nationality, Person, PersonName, PersonStatus
    from liaison.sharing.exports import strictest

    def country(code):
        code = (code or "").upper() if isinstance(code, str) else ""
        return code if code in countries else None

    ok = _choices()
    obj = item.obj
    ext = (obj.get("extensions") or {}).get(RECORD_EXTENSION) or {}
    tlps = [MARKING_TLP[m] for m in obj.get("object_marking_refs") or [] if m in MARKING_TLP]
    person = Person(
        owner=item.owner, created_by=item.user,
        sex=ext.get("sex") if ext.get("sex") in ok["sex"] else "",
        birth_date=ext.get("birth_date") or "", birth_place=(ext.get("birth_place") or "")[:200],
        protection=ext.get("protection") if ext.get("protection") in ok["protection"] else "",
        tlp=strictest(tlps) if tlps else TLP.AMBER,
        handling=ext.get("handling") if ext.get("handling") in ok["handling"] else Handling.H0,
        handling_note=(ext.get("handling_note") or "")[:500],
        accuracy=ext.get("accuracy") if ext.get("accuracy") in ok["accuracy"] else Accuracy.CANNOT_ASSESS,
        is_synthetic=bool(ext.get("synthetic")), distribution=Distribution.OWNER)
    names = [n for n in ext.get("names") or [] if isinstance(n, dict) and n.get("full_name")] or \
        [{"full_name": obj.get("name", ""), "kind": "primary"}]
    item.names = []
    for n in names:
        full = nm.nfc(str(n["full_name"])[:300])
        if not full:
            return False
        item.names.append(PersonName(
            full_name=full, kind=n.get("kind") if n.get("kind") in ok["name"] else PersonName.Kind.PRIMARY,
            script=(n.get("script") or "")[:4] or nm.detect_script(full), language=(n.get("language") or "")[:10],
            search_key=nm.search_key(full)))
    # PersonName.save()'s rule: the first primary name, else the first name.
    person.display_name = next((n.full_name for n in item.names if n.kind == PersonName.Kind.PRIMARY),
                               item.names[0].full_name)
    try:
        person.full_clean(exclude=["owner", "created_by"])
    except (ValidationError, ValueError):
        return False
    person.distribution = Distribution.SHARED  # what inbox._upsert sets after the import
    item.person = person
    item.nationalities = {}
    for n in ext.get("nationalities") or []:
        code = country(n.get("country") if isinstance(n, dict) else n)
        if code and code not in item.nationalities:
            n = n if isinstance(n, dict) else {}
            item.nationalities[code] = Nationality(
                country_id=code, acquired=n.get("acquired") if n.get("acquired") in ok["acquired"] else "unknown",
                acquired_on=n.get("acquired_on") or "", status_since=n.get("status_since") or "",
                status=n.get("status") if n.get("status") in ok["nationality"] else "held")
    item.documents = [IdentityDocument(
        kind=d.get("kind") if d.get("kind") in ok["document"] else "other",
        number=(d.get("number") or "")[:60], country_id=country(d.get("country")), issued_on=d.get("issued_on") or "",
        expires_on=d.get("expires_on") or "", is_fraudulent=bool(d.get("is_fraudulent")))
        for d in ext.get("documents") or [] if isinstance(d, dict)]
    item.statuses = [PersonStatus(status=s["status"], date=s.get("date") or "", country_id=country(s.get("country")),
                                  note=(s.get("note") or "")[:500])
                     for s in ext.get("statuses") or [] if isinstance(s, dict) and s.get("status") in ok["status"]]
    return True


@functools.lru_cache(maxsize=1)
def _choices():
    """The values of each choice the import checks (``TextChoices.values`` builds its list at every call)."""
    from liaison.core.models import Accuracy, Handling
    from liaison.registry.models import IdentityDocument, Nationality, Person, PersonName, PersonStatus

    return {"sex": set(Person.Sex.values), "protection": set(Person.Protection.values), "handling": set(Handling.values),
            "accuracy": set(Accuracy.values), "name": set(PersonName.Kind.values),
            "acquired": set(Nationality.Acquired.values), "nationality": set(Nationality.Status.values),
            "document": set(IdentityDocument.Kind.values), "status": set(PersonStatus.Status.values)}


def _write(peer, items):
    from liaison.audit import log as audit
    from liaison.audit.models import AuditEntry
    from liaison.federation.outbox import _log_many
    from liaison.interop.models import ExternalObject
    from liaison.matching.services import schedule
    from liaison.registry.models import Citation, IdentityDocument, Nationality, Person, PersonName, PersonStatus
    from liaison.sharing.models import Share

    ct = ContentType.objects.get_for_model(Person)
    persons = _insert(Person, [i.person for i in items], with_ids=True)
    children = {PersonName: [], Nationality: [], IdentityDocument: [], PersonStatus: []}
    for item, person in zip(items, persons):
        for model, rows in ((PersonName, item.names), (Nationality, item.nationalities.values()),
                            (IdentityDocument, item.documents), (PersonStatus, item.statuses)):
            for row in rows:
                row.person_id = person.pk
                children[model].append(row)
    for model, rows in children.items():
        _insert(model, rows)
    _insert(Citation, _citations(peer, items, ct))
    _insert(ExternalObject, [ExternalObject(
        agency=i.owner, external_id=i.obj["id"], content_type=ct, object_id=i.person.pk,
        version=i.obj.get("modified", "")) for i in items])
    _insert(Share, [Share(content_type=ct, object_id=i.person.pk, agency=agency, created_by=i.user,
                          include_protected=bool(i.person.protection) and _identity_granted(i.control, agency))
                    for i in items for agency in i.here])
    _insert(Replica, [Replica(peer=peer, stix_id=i.obj["id"], content_type=ct, object_id=i.person.pk,
                              sequence=i.sequence) for i in items])
    _log_many(ExchangeEntry.Direction.IN, peer, [(i.control, ExchangeEntry.Status.ACCEPTED, "") for i in items])
    # One import event per owner agency and envelope, as the STIX import records one per file.
    by_owner = {}
    for item in items:
        by_owner.setdefault(item.owner.pk, []).append(item)
    for group in by_owner.values():
        audit.record(AuditEntry.Action.INTEROP_IMPORT, group[0].user, _bundle_source(peer, group), format="stix",
                     name=_source_name(peer)[:200], bundle=_bundle_id(peer), created={"registry.person": len(group)},
                     updated={}, unchanged=0, federation=True)
        log.info("federation: %s new persons of %s from node %s written in bulk (ids %s), no history rows",
                 len(group), group[0].owner.short_name, peer.name, [i.person.pk for i in group])
    ids = [i.person.pk for i in items]
    for pk in ids:
        schedule(pk)  # one matching run of the whole transaction, after it commits
    _alerts_on_commit(ids)
    written = {Person: len(persons), ExternalObject: len(items), Share: len(items), Replica: len(items),
               ExchangeEntry: len(items), ExchangeEntry.recipients.through: len(items),
               **{model: len(rows) for model, rows in children.items()}}
    if connection.vendor == "postgresql":
        transaction.on_commit(lambda: _refresh_statistics(written))


_refreshing = threading.Lock()


def _refresh_statistics(written):
    """The planner's statistics of the tables an envelope wrote to, kept up with a fast-growing node
    (``registry.bulk.analyze_if_grown``): after the commit, so that the sample sees the envelope's
    rows, and in a thread of its own, so that the peer's answer does not wait. One at a time per
    process: a refresh under way makes the next envelope's unnecessary."""
    from liaison.registry.bulk import analyze_if_grown

    if not _refreshing.acquire(blocking=False):
        return

    def refresh():
        try:
            analyze_if_grown(written)
        finally:
            _refreshing.release()

    side_thread("liaison-federation-analyze", refresh, failed="federation: refreshing planner statistics failed")


def _identity_granted(control, agency):
    """Whether the sender grants ``agency`` the protected identity it sent (``identity_to``, the
    recipients that may read it on the owner's node; all of them when the control does not say)."""
    names = control.get("identity_to", None)
    if names is None:
        return True
    return isinstance(names, list) and agency.short_name in names


def _source_name(peer):
    # The name and bundle id inbox._upsert gives the STIX import: the same Source stands for the peer.
    return _("Liaison node %(node)s") % {"node": peer.name}


def _bundle_id(peer):
    return f"bundle--{uuid.uuid5(uuid.NAMESPACE_URL, 'liaison-node:' + peer.name)}"


def _bundle_source(peer, group):
    """The Source standing for the peer's deliveries for this owner agency (``_Importer.bundle_source``)."""
    from liaison.core.models import Distribution, TLP
    from liaison.registry.models import Source
    from liaison.sharing.exports import strictest

    source, _created = Source.objects.get_or_create(
        owner=group[0].owner, kind=Source.Kind.INTELLIGENCE, title=_source_name(peer)[:500],
        reference=_bundle_id(peer)[:200],
        defaults={"tlp": strictest({i.person.tlp for i in group}) or TLP.AMBER, "distribution": Distribution.OWNER,
                  "created_by": group[0].user, "reliability": Source.Reliability.X})
    return source


def _citations(peer, items, ct):
    """The citations ``_Importer.cite`` writes (not saved): the peer's Source (where in the delivery), then each
    source the record cites (found by title, URL and reference among the owner's, or made)."""
    from liaison.core.models import Distribution
    from liaison.interop.stix import RECORD_EXTENSION
    from liaison.registry.models import Citation, Source

    by_owner = {}
    for item in items:
        by_owner.setdefault(item.owner.pk, []).append(item)
    rows = []
    for group in by_owner.values():
        bundle = _bundle_source(peer, group)
        sources = {}
        for item in group:
            obj = item.obj
            number = item.refs.index(obj["id"]) + 1
            rows.append(Citation(source=bundle, content_type=ct, object_id=item.person.pk,
                                 location=(_("object %(number)d") % {"number": number})[:100], evidence=obj["id"]))
            details = ((obj.get("extensions") or {}).get(RECORD_EXTENSION) or {}).get("citations") or []
            for n, ref in enumerate(obj.get("external_references") or []):
                if not isinstance(ref, dict):
                    continue
                detail = details[n] if n < len(details) and isinstance(details[n], dict) else {}
                key = (ref.get("source_name", ""), ref.get("url", ""), ref.get("external_id", ""))
                source = sources.get(key)
                if source is None:
                    kind = detail.get("kind") if detail.get("kind") in Source.Kind.values else Source.Kind.OTHER
                    source = Source.objects.filter(owner=item.owner, title=key[0][:500], url=key[1][:1000],
                                                   reference=key[2][:200]).first() or Source.objects.create(
                        owner=item.owner, title=key[0][:500] or _source_name(peer)[:500], url=key[1][:1000],
                        reference=key[2][:200], kind=kind, publisher=(detail.get("publisher") or "")[:200],
                        published=detail.get("published") or "", language=(detail.get("language") or "")[:10],
                        reliability=detail.get("reliability") if detail.get("reliability") in Source.Reliability.values else "X",
                        tlp=item.person.tlp, distribution=Distribution.OWNER, created_by=item.user)
                    sources[key] = source
                rows.append(Citation(source=source, content_type=ct, object_id=item.person.pk,
                                     evidence=ref.get("description", ""), location=(detail.get("location") or "")[:100]))
    return rows


def _insert(model, objs, *, with_ids=False):
    """Insert ``objs`` (unsaved instances): ``bulk_create``, or on PostgreSQL ``COPY`` through the
    registry's loader (``registry.bulk``: its column order, its ids reserved from the table's
    sequence), three to four times faster for the few thousand rows of an envelope. No signals
    either way (the module docstring says what replaces them)."""
    objs = list(objs)
    if not objs:
        return objs
    if connection.vendor != "postgresql":
        return model.objects.bulk_create(objs, batch_size=1000)
    from liaison.registry.bulk import copy_instances

    return copy_instances(model, objs, reserve_ids=with_ids)


def _alerts_on_commit(ids):
    """The saved-search alerts of the new persons, after the commit (bulk_create sends no
    ``post_save``, which ``analysis.alert_signals`` listens to)."""
    from liaison.tasks.tasks import alerts_pending

    def send():
        try:
            alerts_pending.delay({"registry.person": sorted(ids)}, {}, [])
        except Exception:  # noqa: BLE001 - the copies are saved; `liaison alerts run` catches up
            log.exception("federation: saved-search alerts of %s new persons could not be queued", len(ids))

    transaction.on_commit(send)
