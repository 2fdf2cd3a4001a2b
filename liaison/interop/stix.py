"""STIX 2.1: Liaison's records as a bundle, and a bundle back into records.

The mapping (documented in docs/interop-mapping.md, "STIX 2.1"):

- person -> ``identity`` (identity_class ``individual``; victims are never threat actors);
  organisation -> ``threat-actor`` (crime groups, families, armed groups, compound
  operators: ``crime-syndicate``) or ``identity`` (``organization``: front companies, other);
- site (scam compound...) -> ``infrastructure`` ``located-at`` a ``location``;
- identifier -> ``email-addr``, ``url``, ``domain-name``, ``user-account`` (handles), and
  for what STIX has no object for, three new SCOs of the Liaison identifier extension:
  ``phone-number``, ``bank-account``, ``cryptocurrency-wallet`` (the names OpenCTI uses);
- relationship -> ``relationship``; event -> ``incident``; operation and case -> ``grouping``;
- sources -> ``external_references`` (the quoted evidence in ``description``);
- owner agencies -> ``identity`` (``organization``), each record's ``created_by_ref``.

Markings: the TLP 2.0 marking definitions published by OASIS in
``object_marking_refs``; the handling code, grading, distribution, protection and
what STIX cannot say are in the "Liaison record" property extension
(``RECORD_EXTENSION``) on every object.

What leaves: ``liaison.interop.onward`` decides, the one onward-sharing rule of every
format (visibility for the officer and the recipient agency, never TLP:RED, AMBER only
to a recipient that sees it, another agency's H2/H3 never, a protected identity's names,
documents, birth data, notes and citation quotes only to a named recipient that, like
the officer, may read them).

Objects are written as plain dicts, not built with ``stix2`` classes: building one
costs 0.35 ms, two minutes for a 100,000-person bundle. The tests check every
bundle with ``stix2-validator`` and parse it with ``stix2``; the import parses each
object with ``stix2`` before mapping it.
"""
import collections
import functools
import hashlib
import json
import operator
import uuid
from datetime import timezone as dt_timezone
from collections import Counter
from dataclasses import dataclass, field

from django.conf import settings
from django.core.signals import setting_changed
from django.dispatch import receiver
from django.contrib.contenttypes.models import ContentType
from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

from liaison import identifiers as idf
from liaison.core.models import TLP, Accuracy, Distribution, Handling
from liaison.interop.onward import OnwardAudience

SPEC = "2.1"
# OASIS TLP 2.0 marking definitions (cti-stix-common-objects, extension-definition-specifications/tlp-2.0).
TLP2_EXTENSION = "extension-definition--60a3c5c5-0d10-413e-aab3-9e08dde9e88d"
TLP2_CREATOR = "identity--b3bca3c2-1f3d-4b54-b44f-dac42c3a8f01"
TLP_MARKINGS = {
    TLP.CLEAR: "marking-definition--94868c89-83c2-464b-929b-a1a8aa3c8487",
    TLP.GREEN: "marking-definition--bab4a63c-aed9-4cf5-a766-dfca5abac2bb",
    TLP.AMBER: "marking-definition--55d920b0-5e8b-4f79-9ee9-91f868d9b421",
    TLP.AMBER_STRICT: "marking-definition--939a9414-2ddd-4d32-a0cd-375ea402b003",
    TLP.RED: "marking-definition--e828b379-4e03-4974-9ac4-e53a884c97c1",
}
# TLP 1.0 (what stix2 ships as TLP_WHITE... and older platforms send) read as their TLP 2.0 equivalents.
TLP1_MARKINGS = {
    "marking-definition--613f2e26-407d-48c7-9eca-b8e91df99dc9": TLP.CLEAR,
    "marking-definition--34098fce-860f-48ae-8e50-ebd3cc5e41da": TLP.GREEN,
    "marking-definition--f88d31f6-486f-44da-b317-01333bde0b82": TLP.AMBER,
    "marking-definition--5e57c739-391a-4eb3-b6be-7d15ca92d5ed": TLP.RED,
}
MARKING_TLP = {v: k for k, v in TLP_MARKINGS.items()} | TLP1_MARKINGS
# Liaison's two extension definitions: fixed ids, the same in every deployment.
RECORD_EXTENSION = "extension-definition--7d4a1b9b-1bf3-486f-a478-86e4150df5b2"
IDENTIFIER_EXTENSION = "extension-definition--32c264c9-85df-4193-ac4a-9c109a71000b"
LIAISON_IDENTITY = "identity--628871a0-be19-4504-9107-ef05a65d23db"  # creator of the two extension definitions
EXTENSION_SCHEMA = "https://github.com/liaison-centre/liaison/blob/main/docs/interop-mapping.md#stix-21"
EPOCH = "2026-01-01T00:00:00.000Z"

# Identifier kinds and the STIX cyber-observable each one becomes.
SCO_FOR_KIND = {
    idf.EMAIL: "email-addr", idf.URL: "url", idf.DOMAIN: "domain-name",
    idf.TELEGRAM: "user-account", idf.WECHAT: "user-account", idf.LINE: "user-account", idf.OTHER_HANDLE: "user-account",
    idf.PHONE: "phone-number", idf.WHATSAPP: "phone-number",
    idf.IBAN_KIND: "bank-account", idf.BANK_ACCOUNT: "bank-account", idf.CRYPTO_WALLET: "cryptocurrency-wallet",
}
NEW_SCO_TYPES = ("phone-number", "bank-account", "cryptocurrency-wallet")
THREAT_ACTOR_KINDS = {"crime_group", "family", "armed_group", "compound_operator"}


def namespace():
    """The UUID namespace of this deployment's object ids: ``STIX_ID_NAMESPACE`` if set (set it
    once and keep it: partners recognise a record again by its id), else derived from the
    first host name. Two deployments must not share it, or their records' ids collide."""
    # Derived once and kept until the settings change (tests override them): ids are made twice
    # per record, thousands per TAXII page, and reading a setting that is not set costs 40 µs.
    global _NAMESPACE
    if _NAMESPACE is None:
        _NAMESPACE = _namespace(str(getattr(settings, "STIX_ID_NAMESPACE", "") or ""),
                                tuple(getattr(settings, "ALLOWED_HOSTS", [])))
    return _NAMESPACE


_NAMESPACE = None


@receiver(setting_changed)
def _forget_namespace(setting, **kwargs):
    global _NAMESPACE
    if setting in ("STIX_ID_NAMESPACE", "ALLOWED_HOSTS"):
        _NAMESPACE = None


def _namespace(configured, allowed_hosts):
    if configured:
        return uuid.UUID(configured)
    hosts = [h for h in allowed_hosts if h and h not in ("*", "localhost", "127.0.0.1")]
    return uuid.uuid5(uuid.NAMESPACE_DNS, (hosts[0].lstrip(".") if hosts else "liaison.invalid"))


def sdo_id(stix_type, key):
    """A stable id for a domain object: a version-4-shaped UUID from a hash of the deployment
    namespace and ``key`` (the spec asks SDO ids to look like v4; stable ids let partners and
    TAXII clients recognise a record again)."""
    digest = hashlib.sha256(f"{namespace()}|{key}".encode()).digest()
    return f"{stix_type}--{uuid.UUID(bytes=digest[:16], version=4)}"


@functools.lru_cache(maxsize=256)
def _agency_id(_namespace, agency_pk):
    """An agency's id, once per deployment namespace (the namespace is the cache key)."""
    return sdo_id("identity", f"sharing.agency:{agency_pk}")


def sco_id(stix_type, key):
    return f"{stix_type}--{uuid.uuid5(namespace(), key)}"


def timestamp(value):
    if value is None:
        return EPOCH
    return value.astimezone(dt_timezone.utc).strftime("%Y-%m-%dT%H:%M:%S.") + f"{value.microsecond // 1000:03d}Z"


def tlp_marking_definition(tlp):
    return {
        "type": "marking-definition", "spec_version": SPEC, "id": TLP_MARKINGS[tlp], "created": "2022-10-01T00:00:00.000Z",
        "created_by_ref": TLP2_CREATOR, "name": f"TLP:{tlp}",
        "extensions": {TLP2_EXTENSION: {"extension_type": "property-extension", "tlp_2_0": tlp.lower()}},
    }


def extension_definitions():
    """The objects every bundle starts with: Liaison's identity, its two extension definitions
    and the TLP 2.0 marking definitions."""
    return [
        {"type": "identity", "spec_version": SPEC, "id": LIAISON_IDENTITY, "created": EPOCH, "modified": EPOCH,
         "name": "Liaison", "identity_class": "system",
         "description": "Liaison, the joint centres' registry of scam compounds and trafficking."},
        {"type": "extension-definition", "spec_version": SPEC, "id": RECORD_EXTENSION, "created": EPOCH,
         "modified": EPOCH, "created_by_ref": LIAISON_IDENTITY, "name": "Liaison record",
         "description": "Owner agency, distribution, SIENA handling code, 4x4 grading, protection and the record's "
                        "fields that STIX has no property for.",
         "schema": EXTENSION_SCHEMA, "version": "1.0.0", "extension_types": ["property-extension"]},
        {"type": "extension-definition", "spec_version": SPEC, "id": IDENTIFIER_EXTENSION, "created": EPOCH,
         "modified": EPOCH, "created_by_ref": LIAISON_IDENTITY, "name": "Liaison identifiers",
         "description": "Phone numbers (phone-number: value in E.164), bank accounts (bank-account: iban or "
                        "account_number) and crypto wallets (cryptocurrency-wallet: value).",
         "schema": EXTENSION_SCHEMA, "version": "1.0.0", "extension_types": ["new-sco"]},
        *[tlp_marking_definition(t) for t in (TLP.CLEAR, TLP.GREEN, TLP.AMBER, TLP.AMBER_STRICT)],
    ]


# Who reads the file, and what may leave: ``liaison.interop.onward`` (one rule for every format).


# --------------------------------------------------------------------------- export

def _models():
    from liaison.operations.models import Case, Event, Operation
    from liaison.registry.models import Identifier, Organisation, Person, Relationship, Site

    # Ends before links: a relationship comes after both objects it joins.
    return [Organisation, Site, Person, Identifier, Operation, Case, Event, Relationship]


@dataclass
class Selection:
    """Which records to export (each then narrowed by the audience): ``None`` = all visible."""

    ids: dict = None  # model -> set of pks

    def queryset(self, model):
        if self.ids is None:
            return model.objects.all()
        return model.objects.filter(pk__in=self.ids.get(model, ()))


def selection_for(*, source=None, event=None, operation=None):
    """The records citing ``source``, or ``event`` with its participants, or ``operation`` with its
    cases and events; with the identifiers linked to the persons and organisations in it, and
    the relationships among them all."""
    from liaison.operations.models import Case, Event, Operation
    from liaison.registry.models import Citation, Identifier, Person, Relationship, Site

    ids = {}

    def add(model, pks):
        ids.setdefault(model, set()).update(pk for pk in pks if pk is not None)

    if source is not None:
        for ct_id, pk in Citation.objects.filter(source=source).values_list("content_type_id", "object_id"):
            add(ContentType.objects.get_for_id(ct_id).model_class(), [pk])
    if operation is not None:
        add(Operation, [operation.pk])
        add(Case, Case.objects.filter(operation=operation).values_list("pk", flat=True))
        add(Event, Event.objects.filter(operation=operation).values_list("pk", flat=True))
    if event is not None:
        add(Event, [event.pk])
    events = Event.objects.filter(pk__in=ids.get(Event, ()))
    add(Person, events.values_list("participants__person_id", flat=True))
    add(Site, events.values_list("site_id", flat=True))
    # Identifiers linked to the persons and organisations selected, then every link among the selection.
    identifier_ct = ContentType.objects.get_for_model(Identifier)
    for model in list(ids):
        if model is Relationship:
            continue
        ct = ContentType.objects.get_for_model(model)
        links = Relationship.objects.filter(
            Q(subject_type=ct, subject_id__in=ids[model], object_type=identifier_ct)
            | Q(object_type=ct, object_id__in=ids[model], subject_type=identifier_ct))
        for row in links.values("subject_type_id", "subject_id", "object_id"):
            add(Identifier, [row["subject_id"] if row["subject_type_id"] == identifier_ct.pk else row["object_id"]])
    keys = {(ContentType.objects.get_for_model(m).pk, pk) for m, pks in ids.items() for pk in pks}
    selected_types = {ct for ct, _pk in keys}
    candidates = Relationship.objects.filter(subject_type__in=selected_types, object_type__in=selected_types)
    add(Relationship, [r.pk for r in candidates.only("pk", "subject_type_id", "subject_id", "object_type_id", "object_id")
                       if (r.subject_type_id, r.subject_id) in keys and (r.object_type_id, r.object_id) in keys])
    return Selection(ids)


@dataclass
class ExportReport:
    objects: int = 0
    records: Counter = field(default_factory=Counter)
    per_owner: Counter = field(default_factory=Counter)
    strictest_tlp: str = TLP.CLEAR


class StixWriter:
    """Maps records to STIX objects for one audience; shared by the file export and TAXII."""

    BATCH = 1000

    def __init__(self, audience):
        self.audience = audience
        self.agency_ids_emitted = set()
        self._agencies = {}
        self._sources = None
        # What left, counted where each record becomes its object (a relationship whose end the
        # audience may not see is dropped after its query): the report and the audit say this.
        self.report = ExportReport()
        self.tlps = set()

    # -- ids
    @staticmethod
    def record_key(record):
        return f"{record._meta.label_lower}:{record.pk}"

    def stix_id(self, model, pk):
        from liaison.operations.models import Case, Event, Operation
        from liaison.registry.models import Identifier, Organisation, Person, Relationship, Site

        key = f"{model._meta.label_lower}:{pk}"
        if model is Identifier:
            raise ValueError("identifier ids depend on the kind; use identifier_id")
        stix_type = {Person: "identity", Site: "infrastructure", Event: "incident", Operation: "grouping",
                     Case: "grouping", Relationship: "relationship"}.get(model)
        if model is Organisation:
            stix_type = None
        return sdo_id(stix_type, key) if stix_type else None

    def ref_for(self, model, pk, kinds=None):
        """The STIX id of a record (whose type may depend on its kind)."""
        from liaison.registry.models import Identifier, Organisation

        if model is Identifier:
            return sco_id(SCO_FOR_KIND[kinds[pk]], f"registry.identifier:{pk}")
        if model is Organisation:
            stix_type = "threat-actor" if kinds[pk] in THREAT_ACTOR_KINDS else "identity"
            return sdo_id(stix_type, f"registry.organisation:{pk}")
        return self.stix_id(model, pk)

    def agency_id(self, agency_pk):
        return _agency_id(namespace(), agency_pk)

    def agency_object(self, agency_pk):
        from liaison.sharing.models import Agency

        agency = self._agencies.get(agency_pk) or Agency.objects.get(pk=agency_pk)
        self._agencies[agency_pk] = agency
        obj = {"type": "identity", "spec_version": SPEC, "id": self.agency_id(agency_pk), "created": EPOCH,
               "modified": EPOCH, "name": agency.name, "identity_class": "organization",
               "sectors": ["government-public-services"],
               "extensions": {RECORD_EXTENSION: {"extension_type": "property-extension", "liaison_type": "agency",
                                                 "short_name": agency.short_name, "country": agency.country_id or ""}}}
        if agency.country_id:
            obj["extensions"][RECORD_EXTENSION]["country"] = agency.country_id
        return obj

    # -- common parts
    def _common(self, record, stix_type, stix_id, ext, citations=()):
        self.report.records[record._meta.label_lower] += 1
        self.report.per_owner[record.owner_id] += 1
        self.tlps.add(record.tlp)
        ext = {"extension_type": "property-extension", **{k: v for k, v in ext.items() if v not in ("", None, [], {})}}
        ext.update({
            "owner": self._agencies[record.owner_id].short_name, "distribution": record.distribution,
            "handling": record.handling, "accuracy": record.accuracy,
        })
        if record.handling_note:
            ext["handling_note"] = record.handling_note
        if record.is_synthetic:
            ext["synthetic"] = True
        obj = {"type": stix_type, "spec_version": SPEC, "id": stix_id}
        if stix_type not in SCO_TYPES:
            obj.update(created=timestamp(record.created_at), modified=timestamp(record.updated_at),
                       created_by_ref=self.agency_id(record.owner_id))
        obj["object_marking_refs"] = [TLP_MARKINGS[record.tlp]]
        refs = []
        for c in citations:
            ref = {"source_name": c["title"] or "source"}
            if c["evidence"]:
                ref["description"] = c["evidence"]
            if c["url"]:
                ref["url"] = c["url"]
            if c["reference"]:
                ref["external_id"] = c["reference"]
            refs.append(ref)
        if refs and stix_type not in SCO_TYPES:
            obj["external_references"] = refs
        if citations:
            ext["citations"] = [{k: v for k, v in c.items() if v} for c in citations]
        obj["extensions"] = {RECORD_EXTENSION: ext}
        return obj

    def _load_agencies(self, records):
        from liaison.sharing.models import Agency

        missing = {r.owner_id for r in records} - set(self._agencies)
        self._agencies.update(Agency.objects.in_bulk(missing))

    def _citations(self, model, records):
        from liaison.registry.models import Citation, Source

        ct = ContentType.objects.get_for_model(model)
        cited = Citation.objects.filter(content_type=ct, object_id__anyof=[r.pk for r in records])
        if not cited.exists():
            return {}  # (most records of a large registry): no visibility filter of sources to build
        if self._sources is None:
            # Built once per writer (a few ms of ORM work each time), used as a subquery by every kind.
            self._sources = self.audience.narrow(Source.objects.all())
        cits = cited.filter(source__in=self._sources)
        withheld = self.audience.withheld_citation_ids(cits)
        out = {}
        for c in cits.select_related("source").order_by("pk"):
            s = c.source
            hidden = c.pk in withheld
            out.setdefault(c.object_id, []).append({
                "title": s.title, "kind": s.kind, "reliability": s.reliability, "publisher": s.publisher,
                "published": s.published, "url": s.url, "reference": s.reference, "language": s.language,
                "evidence": "" if hidden else c.evidence, "location": "" if hidden else c.location,
            })
        return out

    # -- records
    def objects(self, model, records):
        """STIX objects (dicts) for ``records`` of ``model`` (already narrowed to the audience),
        owner identities first when not yet written."""
        if not records:
            return
        self._load_agencies(records)
        for owner_id in sorted({r.owner_id for r in records} - self.agency_ids_emitted):
            self.agency_ids_emitted.add(owner_id)
            yield self.agency_object(owner_id)
        citations = self._citations(model, records)
        mapper = getattr(self, f"_{model._meta.model_name}")
        yield from mapper(records, citations)

    def _person(self, people, citations):
        from liaison.registry.models import Person

        readable = self.audience.readable_protected(Person, [p.pk for p in people if p.protection])
        for p in people:
            visible = not p.protection or p.pk in readable
            ext = {"liaison_type": "person", "sex": p.sex,
                   "nationalities": [{"country": n.country_id, "acquired": n.acquired, "acquired_on": n.acquired_on,
                                      "status": n.status, "status_since": n.status_since} for n in child_rows(p, "nationalities")],
                   "statuses": [{"status": s.status, "date": s.date, "country": s.country_id or "",
                                 "note": s.note if visible else ""} for s in child_rows(p, "statuses")]}
            name = p.display_name
            if visible:
                ext.update(names=[{"full_name": n.full_name, "kind": n.kind, "script": n.script, "language": n.language}
                                  for n in child_rows(p, "names")],
                           documents=[{"kind": d.kind, "number": d.number, "country": d.country_id or "",
                                       "issued_on": d.issued_on, "expires_on": d.expires_on,
                                       "is_fraudulent": d.is_fraudulent} for d in child_rows(p, "documents")],
                           birth_date=p.birth_date, birth_place=p.birth_place, protection=p.protection)
            else:
                name = _("[protected identity withheld]")
                ext["protected"] = True
            obj = self._common(p, "identity", self.stix_id(Person, p.pk), ext, citations.get(p.pk, ()))
            obj["name"] = name or _("Person #%(id)s") % {"id": p.pk}
            obj["identity_class"] = "individual"
            yield obj

    def _organisation(self, orgs, citations):
        for o in orgs:
            threat = o.kind in THREAT_ACTOR_KINDS
            ext = {"liaison_type": "organisation", "kind": o.kind, "country": o.country_id or "", "area": o.area}
            obj = self._common(o, "threat-actor" if threat else "identity",
                               self.ref_for(o._meta.model, o.pk, {o.pk: o.kind}), ext, citations.get(o.pk, ()))
            obj["name"] = o.name
            if threat:
                obj["threat_actor_types"] = ["crime-syndicate"]
                if o.alias_list:
                    obj["aliases"] = o.alias_list
            else:
                obj["identity_class"] = "organization"
                if o.alias_list:
                    ext_aliases = obj["extensions"][RECORD_EXTENSION]
                    ext_aliases["aliases"] = o.alias_list
            yield obj

    def _site(self, sites, citations):
        from liaison.registry.models import Organisation

        operators = self.audience.visible_ids(Organisation, (s.operator_id for s in sites))
        operator_kinds = dict(Organisation.objects.filter(pk__in=operators).values_list("pk", "kind"))
        for s in sites:
            location_id = sdo_id("location", f"registry.site:{s.pk}:location")
            location = {"type": "location", "spec_version": SPEC, "id": location_id,
                        "created": timestamp(s.created_at), "modified": timestamp(s.updated_at),
                        "created_by_ref": self.agency_id(s.owner_id), "name": s.name, "country": s.country_id,
                        "object_marking_refs": [TLP_MARKINGS[s.tlp]]}
            if s.admin_area:
                location["administrative_area"] = s.admin_area
            if s.locality:
                location["city"] = s.locality
            if s.latitude is not None and s.longitude is not None:
                location["latitude"], location["longitude"] = float(s.latitude), float(s.longitude)
            yield location
            ext = {"liaison_type": "site", "kind": s.kind, "status": s.status, "status_since": s.status_since,
                   "location_ref": location_id}
            if s.operator_id in operators:
                ext["operator_ref"] = self.ref_for(Organisation, s.operator_id, operator_kinds)
            obj = self._common(s, "infrastructure", self.stix_id(s._meta.model, s.pk), ext, citations.get(s.pk, ()))
            obj["name"] = s.name
            obj["infrastructure_types"] = ["unknown"]
            if s.aliases:
                obj["aliases"] = [a for a in s.aliases.splitlines() if a]
            yield obj
            yield {"type": "relationship", "spec_version": SPEC, "id": sdo_id("relationship", f"registry.site:{s.pk}:located-at"),
                   "created": timestamp(s.created_at), "modified": timestamp(s.updated_at),
                   "created_by_ref": self.agency_id(s.owner_id), "relationship_type": "located-at",
                   "source_ref": obj["id"], "target_ref": location_id, "object_marking_refs": [TLP_MARKINGS[s.tlp]]}

    def _identifier(self, identifiers, citations):
        for i in identifiers:
            sco = SCO_FOR_KIND[i.kind]
            ext = {"liaison_type": "identifier", "kind": i.kind, "value": i.value, "country": i.country_id or "",
                   "label": i.label}
            obj = self._common(i, sco, sco_id(sco, f"registry.identifier:{i.pk}"), ext, citations.get(i.pk, ()))
            if sco == "user-account":
                obj["account_login"] = i.normalized
                obj["account_type"] = i.kind
            elif sco == "bank-account":
                obj["iban" if i.kind == idf.IBAN_KIND else "account_number"] = i.normalized
            else:
                obj["value"] = i.normalized
            if sco in NEW_SCO_TYPES:
                obj["extensions"][IDENTIFIER_EXTENSION] = {"extension_type": "new-sco"}
            yield obj

    def _refs_of(self, pairs):
        """{(model, pk): stix id} of the records named by ``pairs`` that the audience may see."""
        from liaison.registry.models import Identifier, Organisation

        by_model = {}
        for model, pk in pairs:
            if model in _models() and pk is not None:
                by_model.setdefault(model, set()).add(pk)
        refs = {}
        for model, pks in by_model.items():
            if model in (Identifier, Organisation):
                # The visible ones with their kind in one query (``visible_ids`` and a second
                # query for the kinds cost 20-30 ms more on a page of 1,000 links).
                kinds = dict(self.audience.narrow(model.objects.all(), among=pks).order_by()
                             .values_list("pk", "kind"))
                visible = set(kinds)
            else:
                kinds, visible = None, self.audience.visible_ids(model, pks)
            refs.update({(model, pk): self.ref_for(model, pk, kinds) for pk in visible})
        return refs

    def _relationship(self, rels, citations):
        cts = {ct_id: ContentType.objects.get_for_id(ct_id).model_class()
               for r in rels for ct_id in (r.subject_type_id, r.object_type_id)}
        refs = self._refs_of([(cts[r.subject_type_id], r.subject_id) for r in rels]
                             + [(cts[r.object_type_id], r.object_id) for r in rels])
        for r in rels:
            source = refs.get((cts[r.subject_type_id], r.subject_id))
            target = refs.get((cts[r.object_type_id], r.object_id))
            if source is None or target is None:
                continue  # an end the audience may not see: the link would tell of it
            ext = {"liaison_type": "relationship", "kind": r.kind, "start": r.start, "end": r.end, "detail": r.detail}
            obj = self._common(r, "relationship", self.stix_id(r._meta.model, r.pk), ext, citations.get(r.pk, ()))
            obj.update(relationship_type=r.kind.replace("_", "-"), source_ref=source, target_ref=target)
            yield obj

    def _event(self, events, citations):
        from liaison.operations.models import Case, Operation
        from liaison.registry.models import Person, Site

        pairs = [(Site, e.site_id) for e in events] + [(Operation, e.operation_id) for e in events] \
            + [(Case, e.case_id) for e in events] + [(Person, p.person_id) for e in events for p in child_rows(e, "participants")]
        refs = self._refs_of(pairs)
        readable = self.audience.readable_protected(Person, [pk for m, pk in refs if m is Person])
        for e in events:
            phase = e.phase if e.phase_id and (Operation, e.operation_id) in refs else None
            ext = {"liaison_type": "event", "kind": e.kind, "date": e.date, "date_end": e.date_end, "place": e.place,
                   "countries": sorted(c.pk for c in child_rows(e, "countries")), "from_country": e.from_country_id or "",
                   "to_country": e.to_country_id or "", "agencies": sorted(a.short_name for a in child_rows(e, "agencies")),
                   "is_cumulative": e.is_cumulative or None,
                   "site_ref": refs.get((Site, e.site_id)), "operation_ref": refs.get((Operation, e.operation_id)),
                   "phase": phase.number if phase else None, "case_ref": refs.get((Case, e.case_id)),
                   "figures": [{"category": f.category, "value": f.value, "qualifier": f.qualifier, "note": f.note}
                               for f in child_rows(e, "figures")],
                   "participants": [{"person_ref": refs[(Person, p.person_id)], "role": p.role,
                                     "note": p.note if (p.person_id in readable or not p.person.protection) else ""}
                                    for p in child_rows(e, "participants") if (Person, p.person_id) in refs]}
            obj = self._common(e, "incident", self.stix_id(type(e), e.pk), ext, citations.get(e.pk, ()))
            obj["name"] = e.title
            if e.description:
                obj["description"] = e.description
            yield obj

    def _grouped(self, records, citations, kind, children):
        """Operations and cases as groupings of their visible events (and an operation's cases)."""
        from liaison.operations.models import Case, Event

        child_refs = {}
        for model, fk in children:
            rows = list(self.audience.narrow(model.objects.filter(**{f"{fk}__in": [r.pk for r in records]}))
                        .values_list(fk, "pk"))
            for parent, pk in rows:
                child_refs.setdefault(parent, []).append(self.stix_id(model, pk))
        for r in records:
            ext = {"liaison_type": kind}
            if kind == "operation":
                ext.update(native_name=r.native_name, crime_types=r.crime_types, start=r.start, end=r.end,
                           lead_agency=r.lead_agency.short_name if r.lead_agency_id else "",
                           agencies=sorted(a.short_name for a in child_rows(r, "agencies")),
                           countries=sorted(c.pk for c in child_rows(r, "countries")),
                           phases=[{"number": p.number, "name": p.name, "start": p.start, "end": p.end,
                                    "description": p.description} for p in child_rows(r, "phases")])
                name, description = r.name, r.description
            else:
                ext.update(reference=r.reference, crime_type=r.crime_type, status=r.status, opened=r.opened)
                name, description = f"{r.reference} – {r.title}", ""
                ext["title"] = r.title
            obj = self._common(r, "grouping", self.stix_id(type(r), r.pk), ext, citations.get(r.pk, ()))
            obj.update(name=name, context="suspicious-activity",
                       # A grouping must refer to something: with no visible event, to its owner.
                       object_refs=sorted(child_refs.get(r.pk, [])) or [self.agency_id(r.owner_id)])
            if description:
                obj["description"] = description
            yield obj

    def _operation(self, records, citations):
        from liaison.operations.models import Case, Event

        return self._grouped(records, citations, "operation", [(Event, "operation_id"), (Case, "operation_id")])

    def _case(self, records, citations):
        from liaison.operations.models import Event

        return self._grouped(records, citations, "case", [(Event, "case_id")])


SCO_TYPES = {"email-addr", "url", "domain-name", "user-account", *NEW_SCO_TYPES}
PREFETCH = {
    "registry.person": ("names", "nationalities", "documents", "statuses"),
    "operations.event": ("figures", "countries", "agencies", "participants"),
    "operations.operation": ("agencies", "countries", "phases"),
}


def load(model, pks):
    """The records ``pks`` of ``model`` in that order, each with its child rows (``PREFETCH``) as plain
    lists, read by ``child_rows``: one query per relation, the ids as one parameter (``__anyof``).

    Why not ``prefetch_related``: Django builds a related queryset per record and relation (about
    0.5 ms each) and binds every id of each ``IN`` list on its own; for a TAXII page of 1,000
    persons that was most of the page's time."""
    pks = list(pks)
    found = model.objects.filter(pk__anyof=pks).in_bulk() if pks else {}
    records = [found[pk] for pk in pks if pk in found]
    ids = [r.pk for r in records]
    for name in PREFETCH.get(model._meta.label_lower, ()):
        field = model._meta.get_field(name)
        rows = {pk: [] for pk in ids}
        if field.many_to_many:
            through = field.remote_field.through
            source, target = field.m2m_field_name(), field.m2m_reverse_field_name()
            for link in through.objects.filter(**{f"{source}_id__anyof": ids}).select_related(target).order_by("pk"):
                rows[getattr(link, f"{source}_id")].append(getattr(link, target))
        else:
            related, fk = field.related_model, field.field.attname
            children_qs = related.objects.filter(**{f"{fk}__anyof": ids}).order_by(*_child_order(related))
            if name == "participants":
                children_qs = children_qs.select_related("person")
            for child in children_qs if ids else ():
                rows[getattr(child, fk)].append(child)
        for record in records:
            setattr(record, f"stix_{name}", rows[record.pk])
    return records


# The kinds ``load_rows`` reads as tuples: the bulk of a large registry, with no related
# object the mappers follow (events, operations and cases do: ``load`` reads those).
ROW_KINDS = ("registry.person", "registry.identifier", "registry.relationship", "registry.organisation",
             "registry.site")
# Model properties the mappers read on a row (each computed from the row's own fields).
ROW_PROPERTIES = {"registry.organisation": ("alias_list",)}


class _Row:
    """A record or child row read as a tuple (``load_rows``): a named tuple of its concrete fields'
    attributes (``owner_id``, not ``owner``) with ``pk`` and ``_meta``; a record's child rows
    (``PREFETCH``) are its last items, ``stix_<relation>``. One object a row, no model instance
    (which is five: the instance, its ``__dict__``, its state and the state's cache)."""

    __slots__ = ()


_ROW_CLASSES = {}


def _row_class(model, extra=()):
    """The ``_Row`` class of ``model``: its fields, then ``extra`` (the names of its child-row lists)."""
    cls = _ROW_CLASSES.get((model, extra))
    if cls is None:
        names = tuple(f.attname for f in model._meta.concrete_fields)
        base = collections.namedtuple(f"{model.__name__}Fields", names + extra)
        attrs = {"__slots__": (), "_meta": model._meta, "attnames": names,
                 "pk": property(operator.itemgetter(names.index(model._meta.pk.attname)))}
        for name in ROW_PROPERTIES.get(model._meta.label_lower, ()):
            attrs[name] = getattr(model, name)
        cls = _ROW_CLASSES[(model, extra)] = type(f"{model.__name__}Row", (base, _Row), attrs)
    return cls


def _child_order(related):
    """The order of a record's child rows: the model's own, else by id (stable on every database)."""
    return related._meta.ordering or ["pk"]


def load_rows(model, pks):
    """What ``load`` returns, for the kinds of ``ROW_KINDS`` read as tuples into ``_Row`` objects
    instead of model instances (else ``load`` itself): the mappers read the same attributes.

    Why: a TAXII page of 1,000 persons built ~6,000 model instances (the person and its names,
    nationalities, documents and statuses): the most CPU of a page after its SQL, and the most
    objects for the garbage collector to walk. ``tests/interop/test_taxii.py`` checks that both
    paths give the same objects."""
    label = model._meta.label_lower
    if label not in ROW_KINDS:
        return load(model, pks)
    pks = list(pks)
    if not pks:
        return []
    relations = PREFETCH.get(label, ())
    cls = _row_class(model, tuple(f"stix_{name}" for name in relations))
    at = cls.attnames.index(model._meta.pk.attname)
    found = {values[at]: values for values in
             model.objects.filter(pk__anyof=pks).order_by().values_list(*cls.attnames)}
    ordered = [found[pk] for pk in pks if pk in found]
    new = tuple.__new__
    if not relations:
        return [new(cls, values) for values in ordered]
    ids = [values[at] for values in ordered]
    children = []
    for name in relations:
        field = model._meta.get_field(name)
        related, fk = field.related_model, field.field.attname
        child_cls = _row_class(related)
        fk_at = child_cls.attnames.index(fk)
        rows = {pk: [] for pk in ids}
        for values in (related.objects.filter(**{f"{fk}__anyof": ids}).order_by(*_child_order(related))
                       .values_list(*child_cls.attnames)):
            rows[values[fk_at]].append(new(child_cls, values))
        children.append(rows)
    return [new(cls, (*values, *(rows[values[at]] for rows in children))) for values in ordered]


def child_rows(record, name):
    """``record``'s child rows ``name`` as ``load`` read them, or read now."""
    loaded = getattr(record, f"stix_{name}", None)
    return loaded if loaded is not None else list(getattr(record, name).all())


def batches(queryset, size):
    """``queryset`` in lists of ``size`` records with their child rows, memory bounded by ``size``."""
    pks = queryset.order_by("pk").values_list("pk", flat=True)
    last = 0
    model = queryset.model
    while True:
        chunk = list(pks.filter(pk__gt=last)[:size])
        if not chunk:
            return
        last = chunk[-1]
        yield load(model, chunk)


def export_bundle(user, out, *, recipient=None, selection=None, description=""):
    """Write the STIX 2.1 bundle of what ``user`` (and ``recipient``) may see to the text file
    ``out``, object by object (memory does not grow with the bundle); audited per owner agency."""
    audience = OnwardAudience(user, recipient)
    writer = StixWriter(audience)
    selection = selection or Selection()
    report = writer.report
    out.write('{"type": "bundle", "id": "bundle--%s", "objects": [\n' % uuid.uuid4())
    first = True

    def emit(obj):
        nonlocal first
        out.write(("" if first else ",\n") + json.dumps(obj, ensure_ascii=False, separators=(",", ":")))
        first = False
        report.objects += 1

    for obj in extension_definitions():
        emit(obj)
    for model in _models():
        for records in batches(audience.narrow(selection.queryset(model)), StixWriter.BATCH):
            for obj in writer.objects(model, records):
                emit(obj)
    out.write("\n]}\n")
    from liaison.sharing.exports import strictest

    report.strictest_tlp = strictest(writer.tlps)
    _audit_export(user, report, recipient, description, fmt="stix")
    return report


def _audit_export(user, report, recipient, description, fmt):
    from liaison.audit import log as audit
    from liaison.audit.models import AuditEntry
    from liaison.sharing.models import Agency

    with transaction.atomic():
        for owner_id, count in sorted(report.per_owner.items()):
            audit.record(AuditEntry.Action.INTEROP_EXPORT, user, None, owner_agency=Agency(pk=owner_id), format=fmt,
                         records=count, recipient=recipient.short_name if recipient else "",
                         description=description[:200])
        if not report.per_owner:
            audit.record(AuditEntry.Action.INTEROP_EXPORT, user, None, format=fmt, records=0,
                         recipient=recipient.short_name if recipient else "", description=description[:200])


# --------------------------------------------------------------------------- import


class StixImportError(ValueError):
    """The bundle cannot be imported; ``errors`` lists each problem with its object number."""

    def __init__(self, errors):
        super().__init__("\n".join(errors))
        self.errors = errors


@dataclass
class ImportReport:
    created: Counter = field(default_factory=Counter)
    updated: Counter = field(default_factory=Counter)
    unchanged: int = 0
    skipped: Counter = field(default_factory=Counter)
    source: object = None


def _where(number, obj):
    return _("object %(number)d (%(id)s)") % {"number": number, "id": obj.get("id", "?") if isinstance(obj, dict) else "?"}


def read_bundle(data):
    """The list of objects of a bundle (bytes, text or dict), or StixImportError."""
    if isinstance(data, (bytes, bytearray)):
        try:
            data = data.decode("utf-8")
        except UnicodeDecodeError:
            raise StixImportError([_("The file is not UTF-8 text, so it is no STIX bundle.")]) from None
    if isinstance(data, str):
        try:
            data = json.loads(data)
        except json.JSONDecodeError as exc:
            raise StixImportError([_("The file is not JSON (line %(line)d, column %(col)d): %(msg)s")
                                   % {"line": exc.lineno, "col": exc.colno, "msg": exc.msg}]) from None
    if isinstance(data, dict) and data.get("type") == "bundle":
        objects = data.get("objects") or []
    elif isinstance(data, list):
        objects = data
    else:
        raise StixImportError([_("The file is no STIX bundle: it should be a JSON object of type “bundle”.")])
    return data.get("id", "") if isinstance(data, dict) else "", objects


def import_bundle(user, data, *, name, source_kind=None, connect_to=None, withheld_identities=False):
    """Import a STIX bundle (or a list of objects) for ``user``'s agency, all or nothing.

    Each record cites one Source standing for the bundle ``name`` (the object's number and id
    as the location) and the sources of its external references; it keeps its TLP marking,
    handling code and grading. Objects imported before (same id, same agency) are updated when
    their ``modified`` changed and left alone otherwise, so importing again changes nothing.

    A person exported with its identity withheld is skipped (there is no name to import), unless
    ``withheld_identities``: federation keeps such a copy as a protected person whose identity
    nobody on the receiving node may read, as its own node shows it to the recipients.
    """
    import stix2

    from liaison.registry.models import Source

    if user.agency_id is None:
        raise StixImportError([_("Only an officer of an agency can import records.")])
    bundle_id, objects = read_bundle(data)
    errors = []
    parsed = []
    for number, obj in enumerate(objects, start=1):
        try:
            stix2.parse(obj, allow_custom=True, version=SPEC)
        except Exception as exc:  # stix2 raises many exception types, all "this object is not valid STIX"
            errors.append(_("%(where)s: not valid STIX 2.1: %(error)s") % {"where": _where(number, obj), "error": exc})
            continue
        parsed.append((number, obj))
    if errors:
        raise StixImportError(errors)
    reader = _Importer(user, parsed, bundle_id, name, source_kind or Source.Kind.INTELLIGENCE)
    reader.withheld_identities = withheld_identities
    with transaction.atomic():
        report = reader.run()
        if reader.errors:
            transaction.set_rollback(True)
            raise StixImportError(reader.errors)
    return report


class _Importer:
    withheld_identities = False  # see import_bundle

    def __init__(self, user, parsed, bundle_id, name, source_kind):
        self.user = user
        self.agency = user.agency
        self.parsed = parsed
        self.by_id = {obj["id"]: (n, obj) for n, obj in parsed if "id" in obj}
        self.bundle_id = bundle_id
        self.name = name
        self.source_kind = source_kind
        self.errors = []
        self.report = ImportReport()
        self.records = {}  # stix id -> record
        self.sources = {}

    # -- helpers
    def error(self, number, obj, message):
        self.errors.append(f"{_where(number, obj)}: {message}")

    @staticmethod
    def ext(obj):
        return (obj.get("extensions") or {}).get(RECORD_EXTENSION) or {}

    def marking(self, obj):
        ext = self.ext(obj)
        tlps = [MARKING_TLP[m] for m in obj.get("object_marking_refs") or [] if m in MARKING_TLP]
        from liaison.sharing.exports import strictest

        return {
            "tlp": strictest(tlps) if tlps else TLP.AMBER,  # unmarked: the cautious default of Liaison
            "handling": ext.get("handling") if ext.get("handling") in Handling.values else Handling.H0,
            "handling_note": (ext.get("handling_note") or "")[:500],
            "accuracy": ext.get("accuracy") if ext.get("accuracy") in Accuracy.values else Accuracy.CANNOT_ASSESS,
            "is_synthetic": bool(ext.get("synthetic")),
            "distribution": Distribution.OWNER,  # the importing agency decides who else sees it
        }

    def existing(self, stix_id):
        from liaison.interop.models import ExternalObject

        link = ExternalObject.objects.filter(agency=self.agency, external_id=stix_id).first()
        if link is None:
            return None, None
        return link, link.content_type.model_class().objects.filter(pk=link.object_id).first()

    def named(self, stix_id):
        """The record a reference names: imported from this bundle, or before by this agency (a
        partner's or a node's later bundle may name what an earlier one brought)."""
        if not isinstance(stix_id, str) or not stix_id:
            return None
        return self.records.get(stix_id) or self.existing(stix_id)[1]

    def bundle_source(self):
        from liaison.registry.models import Source

        if "bundle" not in self.sources:
            tlps = {self.marking(obj)["tlp"] for _n, obj in self.parsed if obj.get("object_marking_refs")}
            from liaison.sharing.exports import strictest

            source, _created = Source.objects.get_or_create(
                owner=self.agency, kind=self.source_kind, title=self.name[:500], reference=(self.bundle_id or self.name)[:200],
                defaults={"tlp": strictest(tlps) if tlps else TLP.AMBER, "distribution": Distribution.OWNER,
                          "created_by": self.user, "reliability": Source.Reliability.X})
            self.sources["bundle"] = source
            self.report.source = source
        return self.sources["bundle"]

    def cite(self, record, number, obj):
        from liaison.registry.models import Citation, Source

        ct = ContentType.objects.get_for_model(type(record))
        Citation.objects.filter(content_type=ct, object_id=record.pk).delete()
        Citation.objects.create(source=self.bundle_source(), content_type=ct, object_id=record.pk,
                                location=(_("object %(number)d") % {"number": number})[:100], evidence=obj["id"])
        marks = self.marking(obj)
        details = self.ext(obj).get("citations") or []
        for i, ref in enumerate(obj.get("external_references") or []):
            detail = details[i] if i < len(details) and isinstance(details[i], dict) else {}
            key = (ref.get("source_name", ""), ref.get("url", ""), ref.get("external_id", ""))
            source = self.sources.get(key)
            if source is None:
                kind = detail.get("kind") if detail.get("kind") in Source.Kind.values else Source.Kind.OTHER
                source = Source.objects.filter(owner=self.agency, title=key[0][:500], url=key[1][:1000],
                                               reference=key[2][:200]).first() or Source.objects.create(
                    owner=self.agency, title=key[0][:500] or self.name[:500], url=key[1][:1000], reference=key[2][:200],
                    kind=kind, publisher=(detail.get("publisher") or "")[:200], published=detail.get("published") or "",
                    language=(detail.get("language") or "")[:10],
                    reliability=detail.get("reliability") if detail.get("reliability") in Source.Reliability.values else "X",
                    tlp=marks["tlp"], distribution=Distribution.OWNER, created_by=self.user)
                self.sources[key] = source
            Citation.objects.create(source=source, content_type=ct, object_id=record.pk,
                                    evidence=ref.get("description", ""), location=(detail.get("location") or "")[:100])

    # -- run
    ORDER = ["identity", "threat-actor", "intrusion-set", "location", "infrastructure", "email-addr", "url",
             "domain-name", "user-account", *NEW_SCO_TYPES, "grouping", "incident", "relationship"]

    def run(self):
        rank = {t: i for i, t in enumerate(self.ORDER)}
        for number, obj in sorted(self.parsed, key=lambda p: (rank.get(p[1].get("type"), 99), p[0])):
            stix_type = obj.get("type")
            handler = getattr(self, "_" + stix_type.replace("-", "_"), None) if stix_type else None
            if handler is None or stix_type in ("location",):
                self.report.skipped[stix_type] += 1
                continue
            try:
                handler(number, obj)
            except _Skip:
                self.report.skipped[stix_type] += 1
        from liaison.audit import log as audit
        from liaison.audit.models import AuditEntry

        if not self.errors:
            audit.record(AuditEntry.Action.INTEROP_IMPORT, self.user, self.report.source, format="stix",
                         name=self.name[:200], bundle=self.bundle_id, created=dict(self.report.created),
                         updated=dict(self.report.updated), unchanged=self.report.unchanged)
        return self.report

    def save(self, number, obj, model, fields, children=None):
        """Create or update the record for ``obj``; returns it, or None when unchanged."""
        from django.core.exceptions import ValidationError

        from liaison.interop.models import ExternalObject

        link, record = self.existing(obj["id"])
        version = obj.get("modified", "")
        if record is not None and link.version == version and version:
            self.records[obj["id"]] = record
            self.report.unchanged += 1
            return None
        created = record is None
        if created:
            record = model(owner=self.agency, created_by=self.user)
        for key, value in {**fields, **self.marking(obj)}.items():
            setattr(record, key, value)
        try:
            record.full_clean(exclude=["owner", "created_by"])
            record.save()
        except (ValidationError, ValueError, idf.IdentifierError) as exc:
            messages = exc.messages if hasattr(exc, "messages") else [str(exc)]
            self.error(number, obj, " ".join(str(m) for m in messages))
            raise _Skip from None
        if children:
            children(record, created)
        self.cite(record, number, obj)
        ExternalObject.objects.update_or_create(
            agency=self.agency, external_id=obj["id"],
            defaults={"content_type": ContentType.objects.get_for_model(model), "object_id": record.pk, "version": version})
        self.records[obj["id"]] = record
        (self.report.created if created else self.report.updated)[model._meta.label_lower] += 1
        return record

    @staticmethod
    def agencies(short_names):
        """The agencies of this deployment named in the bundle by short name (others are unknown here)."""
        from liaison.sharing.models import Agency

        names = [n for n in short_names or [] if isinstance(n, str) and n]
        return list(Agency.objects.filter(short_name__in=names)) if names else []

    def country(self, code):
        from liaison.core.models import Country

        code = (code or "").upper()
        return code if code and Country.objects.filter(pk=code).exists() else None

    def _identity(self, number, obj):
        from liaison.registry.models import Organisation, Person

        ext = self.ext(obj)
        if ext.get("liaison_type") == "agency" or obj["id"] == LIAISON_IDENTITY or obj.get("identity_class") in ("system", "class"):
            raise _Skip
        if obj.get("identity_class") == "individual" or ext.get("liaison_type") == "person":
            self._person(number, obj, ext, Person)
        else:
            kind = ext.get("kind") if ext.get("kind") in Organisation.Kind.values else Organisation.Kind.OTHER
            self._org(number, obj, ext, kind)

    def _threat_actor(self, number, obj):
        from liaison.registry.models import Organisation

        ext = self.ext(obj)
        kind = ext.get("kind") if ext.get("kind") in Organisation.Kind.values else Organisation.Kind.CRIME_GROUP
        self._org(number, obj, ext, kind)

    _intrusion_set = _threat_actor

    def _org(self, number, obj, ext, kind):
        from liaison.registry.models import Organisation

        aliases = obj.get("aliases") or ext.get("aliases") or []
        self.save(number, obj, Organisation, {"name": obj.get("name", "")[:300], "kind": kind,
                                              "aliases": "\n".join(aliases), "country_id": self.country(ext.get("country")),
                                              "area": (ext.get("area") or "")[:200]})

    def _person(self, number, obj, ext, model):
        from liaison.registry.models import IdentityDocument, Nationality, PersonName, PersonStatus

        if ext.get("protected") and not self.withheld_identities:
            # Exported without its identity: there is no name to import, only "withheld".
            self.report.skipped["identity (protected, withheld)"] += 1
            raise _Skip
        protection = ext.get("protection") if ext.get("protection") in model.Protection.values else ""
        if ext.get("protected"):
            # Kept as withheld: even the kind of protection was withheld; any kind makes the identity
            # unreadable to every reader without a grant, and no grant comes with a withheld copy.
            protection = model.Protection.VICTIM
        names = [n for n in ext.get("names") or [] if isinstance(n, dict) and n.get("full_name")] or \
            [{"full_name": obj.get("name", ""), "kind": "primary"}]

        def children(person, created):
            if not created:
                for rel in ("names", "nationalities", "documents", "statuses"):
                    getattr(person, rel).all().delete()
            for n in names:
                kind = n.get("kind") if n.get("kind") in PersonName.Kind.values else PersonName.Kind.PRIMARY
                PersonName.objects.create(person=person, full_name=n["full_name"][:300], kind=kind,
                                          script=(n.get("script") or "")[:4], language=(n.get("language") or "")[:10])
            for n in ext.get("nationalities") or []:
                code = self.country(n.get("country") if isinstance(n, dict) else n)
                if code:
                    n = n if isinstance(n, dict) else {}
                    Nationality.objects.get_or_create(person=person, country_id=code, defaults={
                        "acquired": n.get("acquired") if n.get("acquired") in Nationality.Acquired.values else "unknown",
                        "acquired_on": n.get("acquired_on") or "", "status_since": n.get("status_since") or "",
                        "status": n.get("status") if n.get("status") in Nationality.Status.values else "held"})
            for d in ext.get("documents") or []:
                IdentityDocument.objects.create(
                    person=person, kind=d.get("kind") if d.get("kind") in IdentityDocument.Kind.values else "other",
                    number=(d.get("number") or "")[:60], country_id=self.country(d.get("country")),
                    issued_on=d.get("issued_on") or "", expires_on=d.get("expires_on") or "",
                    is_fraudulent=bool(d.get("is_fraudulent")))
            for s in ext.get("statuses") or []:
                if s.get("status") in PersonStatus.Status.values:
                    PersonStatus.objects.create(person=person, status=s["status"], date=s.get("date") or "",
                                                country_id=self.country(s.get("country")), note=(s.get("note") or "")[:500])

        sex = ext.get("sex") if ext.get("sex") in model.Sex.values else ""
        self.save(number, obj, model, {"sex": sex, "birth_date": ext.get("birth_date") or "",
                                       "birth_place": (ext.get("birth_place") or "")[:200], "protection": protection},
                  children)

    def _infrastructure(self, number, obj):
        from liaison.registry.models import Organisation, Site

        ext = self.ext(obj)
        location_id = ext.get("location_ref") or next(
            (o["target_ref"] for _n, o in self.parsed if o.get("type") == "relationship"
             and o.get("relationship_type") == "located-at" and o.get("source_ref") == obj["id"]), None)
        location = self.by_id.get(location_id, (None, {}))[1]
        country = self.country(location.get("country"))
        if country is None:
            self.error(number, obj, _("a site needs a country: give the infrastructure a location with a country."))
            raise _Skip
        operator = self.named(ext.get("operator_ref"))
        fields = {"name": obj.get("name", "")[:300], "aliases": "\n".join(obj.get("aliases") or []),
                  "kind": ext.get("kind") if ext.get("kind") in Site.Kind.values else Site.Kind.OTHER,
                  "status": ext.get("status") if ext.get("status") in Site.Status.values else Site.Status.UNKNOWN,
                  "status_since": ext.get("status_since") or "", "country_id": country,
                  "admin_area": (location.get("administrative_area") or "")[:200],
                  "locality": (location.get("city") or "")[:200],
                  "latitude": location.get("latitude"), "longitude": location.get("longitude"),
                  "operator": operator if isinstance(operator, Organisation) else None}
        for key in ("latitude", "longitude"):
            if fields[key] is not None:
                from decimal import Decimal

                fields[key] = Decimal(str(round(float(fields[key]), 6)))
        self.save(number, obj, Site, fields)

    def _identifier(self, number, obj, kind, value):
        from liaison.registry.models import Identifier

        ext = self.ext(obj)
        if ext.get("kind") in idf.KIND_CODES:
            kind = ext["kind"]
        value = ext.get("value") or value
        if not value:
            self.error(number, obj, _("the identifier has no value."))
            raise _Skip
        country = self.country(ext.get("country"))
        try:
            normalized = idf.normalize(kind, value, country)
        except idf.IdentifierError as exc:
            self.error(number, obj, str(exc))
            raise _Skip from None
        # One identifier per owner and canonical form: a second object naming it reuses the record.
        found = Identifier.objects.filter(owner=self.agency, kind=kind, normalized=normalized).first()
        if found is not None and obj["id"] not in self.records:
            from liaison.interop.models import ExternalObject

            ExternalObject.objects.get_or_create(agency=self.agency, external_id=obj["id"], defaults={
                "content_type": ContentType.objects.get_for_model(Identifier), "object_id": found.pk,
                "version": obj.get("modified", "")})
        self.save(number, obj, Identifier, {"kind": kind, "value": value[:500], "country_id": country,
                                            "label": (ext.get("label") or "")[:200]})

    def _email_addr(self, number, obj):
        self._identifier(number, obj, idf.EMAIL, obj.get("value"))

    def _url(self, number, obj):
        self._identifier(number, obj, idf.URL, obj.get("value"))

    def _domain_name(self, number, obj):
        self._identifier(number, obj, idf.DOMAIN, obj.get("value"))

    def _user_account(self, number, obj):
        kind = obj.get("account_type") if obj.get("account_type") in (idf.TELEGRAM, idf.WECHAT, idf.LINE) else idf.OTHER_HANDLE
        self._identifier(number, obj, kind, obj.get("account_login") or obj.get("user_id"))

    def _phone_number(self, number, obj):
        self._identifier(number, obj, idf.PHONE, obj.get("value"))

    def _bank_account(self, number, obj):
        kind = idf.IBAN_KIND if obj.get("iban") else idf.BANK_ACCOUNT
        self._identifier(number, obj, kind, obj.get("iban") or obj.get("account_number"))

    def _cryptocurrency_wallet(self, number, obj):
        self._identifier(number, obj, idf.CRYPTO_WALLET, obj.get("value"))

    def _grouping(self, number, obj):
        from liaison.operations.models import Case, Operation, Phase

        ext = self.ext(obj)
        if ext.get("liaison_type") == "case":
            self.save(number, obj, Case, {
                "reference": (ext.get("reference") or obj["id"])[:100], "title": (ext.get("title") or obj.get("name", ""))[:300],
                "crime_type": ext.get("crime_type") if ext.get("crime_type") in dict(Case._meta.get_field("crime_type").choices) else "other",
                "status": ext.get("status") if ext.get("status") in Case.Status.values else Case.Status.OPEN,
                "opened": ext.get("opened") or ""})
            return

        def children(operation, created):
            operation.phases.all().delete() if not created else None
            for p in ext.get("phases") or []:
                Phase.objects.create(operation=operation, number=p.get("number") or 1, name=(p.get("name") or "")[:200],
                                     start=p.get("start") or "", end=p.get("end") or "", description=p.get("description") or "")
            codes = [self.country(c) for c in ext.get("countries") or []]
            operation.countries.set([c for c in codes if c])
            operation.agencies.set(self.agencies(ext.get("agencies")))
            lead = self.agencies([ext.get("lead_agency")])
            if lead:
                Operation.objects.filter(pk=operation.pk).update(lead_agency=lead[0])

        self.save(number, obj, Operation, {
            "name": obj.get("name", "")[:200], "native_name": (ext.get("native_name") or "")[:200],
            "description": obj.get("description", ""), "crime_types": ext.get("crime_types") or [],
            "start": ext.get("start") or "", "end": ext.get("end") or ""}, children)

    def _incident(self, number, obj):
        from liaison.operations.models import Case, Event, Figure, Operation, Participant
        from liaison.registry.models import Person, Site

        ext = self.ext(obj)
        operation = self.named(ext.get("operation_ref"))
        operation = operation if isinstance(operation, Operation) else None
        site = self.named(ext.get("site_ref"))
        case = self.named(ext.get("case_ref"))

        def children(event, created):
            if not created:
                event.figures.all().delete()
                event.participants.all().delete()
            for f in ext.get("figures") or []:
                if f.get("category") in Figure.Category.values and isinstance(f.get("value"), int) and f["value"] >= 0:
                    Figure.objects.create(event=event, category=f["category"], value=f["value"],
                                          qualifier=f.get("qualifier") if f.get("qualifier") in Figure.Qualifier.values else "",
                                          note=(f.get("note") or "")[:200])
            for p in ext.get("participants") or []:
                person = self.named(p.get("person_ref"))
                if isinstance(person, Person) and p.get("role") in Participant.Role.values:
                    Participant.objects.get_or_create(event=event, person=person, role=p["role"],
                                                      defaults={"note": (p.get("note") or "")[:200]})
            codes = [self.country(c) for c in ext.get("countries") or []]
            event.countries.set([c for c in codes if c])
            event.agencies.set(self.agencies(ext.get("agencies")))

        phase = None
        if operation is not None and ext.get("phase"):
            phase = operation.phases.filter(number=ext["phase"]).first()
        self.save(number, obj, Event, {
            "kind": ext.get("kind") if ext.get("kind") in Event.Kind.values else Event.Kind.OTHER,
            "title": obj.get("name", "")[:300], "description": obj.get("description", ""),
            "date": ext.get("date") or "", "date_end": ext.get("date_end") or "", "place": (ext.get("place") or "")[:200],
            "from_country_id": self.country(ext.get("from_country")), "to_country_id": self.country(ext.get("to_country")),
            "is_cumulative": bool(ext.get("is_cumulative")), "site": site if isinstance(site, Site) else None,
            "operation": operation, "phase": phase, "case": case if isinstance(case, Case) else None}, children)

    def _relationship(self, number, obj):
        from liaison.registry.models import Relationship

        if obj.get("relationship_type") == "located-at" and obj.get("source_ref", "").startswith("infrastructure--"):
            raise _Skip  # the site's own location, read with the site
        source = self.named(obj.get("source_ref"))
        target = self.named(obj.get("target_ref"))
        if source is None or target is None:
            raise _Skip  # a link to an object that is not in the bundle nor imported before
        ext = self.ext(obj)
        kind = ext.get("kind") or obj.get("relationship_type", "").replace("-", "_")
        self.save(number, obj, Relationship, {
            "kind": kind if kind in Relationship.Kind.values else Relationship.Kind.RELATED_TO,
            "subject_type": ContentType.objects.get_for_model(type(source)), "subject_id": source.pk,
            "object_type": ContentType.objects.get_for_model(type(target)), "object_id": target.pk,
            "start": ext.get("start") or "", "end": ext.get("end") or "", "detail": (ext.get("detail") or "")[:300]})


class _Skip(Exception):
    """An object that is not imported (its error, if any, is already recorded)."""
