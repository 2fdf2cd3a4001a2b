"""FollowTheMoney: persons, organisations, identifiers and relationships as FtM entities
(JSON lines, what Aleph and yente read), and FtM entity files (a sanctions or wanted list)
imported as a watchlist source.

Entities are built with ``followthemoney`` (``model.make_entity``: each value cleaned by its
property type) and each is checked with ``validate_entity`` before it is written. Mapping
tables: docs/interop-mapping.md, "FollowTheMoney".

What leaves: ``liaison.interop.onward.OnwardAudience`` (as for MISP). FtM has no marking
model: each entity names its record's marking in ``keywords`` (``TLP:AMBER``, ``handling:H0``,
``owner:CN-MPS``, ``accuracy:4``), or in ``summary`` for the link schemata, which have no
keywords; the file itself carries no TLP, so the command writes it in the file's name.
"""
import hashlib
import json
from collections import Counter
from dataclasses import dataclass, field

from django.contrib.contenttypes.models import ContentType
from django.db import transaction
from django.utils.translation import gettext as _

from liaison import identifiers as idf
from liaison.core.models import TLP, Distribution
from liaison.interop import onward
from liaison.interop.stix import ExportReport, Selection, _audit_export, batches, namespace

PREFIX = "liaison"


def entity_id(record):
    """Stable per record and deployment (yente and Aleph merge updates by id), opaque: a hash."""
    digest = hashlib.sha1(f"{namespace()}|{record._meta.label_lower}:{record.pk}".encode()).hexdigest()
    return f"{PREFIX}-{record._meta.model_name}-{digest}"


def marking_words(record, owner):
    words = [f"TLP:{record.tlp}", f"handling:{record.handling}", f"accuracy:{record.accuracy}", f"owner:{owner}"]
    if record.is_synthetic:
        words.append("synthetic")
    return words


class FtmError(ValueError):
    """The file cannot be exported or imported; ``errors`` lists each problem (with its line)."""

    def __init__(self, errors):
        errors = [errors] if isinstance(errors, str) else list(errors)
        super().__init__("\n".join(errors))
        self.errors = errors


def validate_entity(data):
    """Raise ``followthemoney.exc.InvalidData`` unless ``data`` (an entity dict) is a valid FtM
    entity: a known, concrete schema, every value valid for its property, every required
    property present (``Schema.validate`` checks only the properties that are there)."""
    from followthemoney import model
    from followthemoney.exc import InvalidData

    schema = model.get(data.get("schema") or "")
    if schema is None or schema.abstract:
        raise InvalidData(f"no concrete schema {data.get('schema')!r}")
    if not data.get("id"):
        raise InvalidData("no id")
    schema.validate(data)
    missing = [name for name in schema.required if not data.get("properties", {}).get(name)]
    if missing:
        raise InvalidData(f"{schema.name}: required {', '.join(missing)}")


# Liaison relationship kinds -> (schema, subject property, object property, role property) for
# the links FtM has a schema for; every other link is an UnknownLink (subject, object, role).
PERSON_PERSON = {"family_of": ("Family", "person", "relative", "relationship"),
                 "associate_of": ("Associate", "person", "associate", "relationship"),
                 "related_to": ("Associate", "person", "associate", "relationship")}
TO_ORGANISATION = {"member_of": ("Membership", "member", "organization", "role"),
                   "leads": ("Membership", "member", "organization", "role"),
                   "works_at": ("Employment", "employee", "employer", "role")}
HOLDER_LINKS = {"holds_account", "owns", "uses_handle", "uses_phone"}


class _Writer:
    def __init__(self, audience):
        self.audience = audience
        self.report = ExportReport()
        self.tlps = set()
        self.owners = {}
        self.emitted = {}  # (model, pk) -> FtM schema name of the entity written

    def owner(self, record):
        from liaison.sharing.models import Agency

        if record.owner_id not in self.owners:
            self.owners[record.owner_id] = Agency.objects.get(pk=record.owner_id).short_name
        return self.owners[record.owner_id]

    def entity(self, schema, record, properties, marking_prop="keywords"):
        from followthemoney import model

        proxy = model.make_entity(schema)
        proxy.id = entity_id(record)
        for prop, values in properties.items():
            for value in values if isinstance(values, (list, tuple, set)) else [values]:
                if value not in ("", None):
                    proxy.add(prop, str(value), quiet=True)
        words = marking_words(record, self.owner(record))
        if marking_prop == "keywords":
            proxy.add("keywords", words)
        else:
            proxy.add("summary", "; ".join(words))
        data = proxy.to_dict()
        validate_entity(data)
        self.report.records[record._meta.label_lower] += 1
        self.report.per_owner[record.owner_id] += 1
        self.report.objects += 1
        self.tlps.add(record.tlp)
        self.emitted[(type(record), record.pk)] = schema
        return data

    def run(self, selection):
        """FtM entity dicts of the selection, persons and organisations first, then accounts and links."""
        from liaison.registry.models import Identifier, Organisation, Person, Relationship

        narrow = self.audience.narrow
        person_ct = ContentType.objects.get_for_model(Person)
        org_ct = ContentType.objects.get_for_model(Organisation)
        identifier_ct = ContentType.objects.get_for_model(Identifier)
        links = list(narrow(selection.queryset(Relationship)).order_by("pk"))
        identifiers = {i.pk: i for i in narrow(selection.queryset(Identifier))}
        # Phones and e-mail addresses are properties of their holder in FtM, not entities.
        contact = {}
        for link in links:
            ends = ((link.subject_type_id, link.subject_id), (link.object_type_id, link.object_id))
            for (holder_ct, holder), (other_ct, other) in (ends, ends[::-1]):
                if holder_ct in (person_ct.pk, org_ct.pk) and other_ct == identifier_ct.pk and other in identifiers:
                    contact.setdefault((holder_ct, holder), []).append(identifiers[other])

        for people in batches(narrow(selection.queryset(Person)), 1000):
            readable = self.audience.readable_protected(Person, [p.pk for p in people if p.protection])
            for person in people:
                if person.protection and person.pk not in readable:
                    self.report.records["withheld protected identity"] += 1
                    continue
                yield self._person(person, contact.get((person_ct.pk, person.pk), []))
        for orgs in batches(narrow(selection.queryset(Organisation)), 1000):
            for org in orgs:
                yield self.entity("Organization", org, {
                    "name": org.name, "alias": org.alias_list, "country": org.country_id or "",
                    "description": org.area, "topics": "crime" if org.kind in ("crime_group", "family") else "",
                    **self._contact(contact.get((org_ct.pk, org.pk), [])),
                })
        holders = {}
        for link in links:
            if link.kind in HOLDER_LINKS:
                for holder, other in (((link.subject_type_id, link.subject_id), (link.object_type_id, link.object_id)),
                                      ((link.object_type_id, link.object_id), (link.subject_type_id, link.subject_id))):
                    if other[0] == identifier_ct.pk and holder[0] in (person_ct.pk, org_ct.pk):
                        holders.setdefault(other[1], []).append((holder, link))
        for identifier in sorted(identifiers.values(), key=lambda i: i.pk):
            yield from self._account(identifier, holders.get(identifier.pk, []), person_ct, org_ct)
        for link in links:
            entity = self._link(link, person_ct, org_ct)
            if entity is not None:
                yield entity
        from liaison.sharing.exports import strictest

        self.report.strictest_tlp = strictest(self.tlps)

    @staticmethod
    def _contact(identifiers):
        return {"phone": [i.normalized for i in identifiers if i.kind in (idf.PHONE, idf.WHATSAPP)],
                "email": [i.normalized for i in identifiers if i.kind == idf.EMAIL],
                "website": [i.normalized for i in identifiers if i.kind in (idf.URL, idf.DOMAIN)]}

    def _person(self, person, identifiers):
        names = list(person.names.all())
        primary = next((n for n in names if n.kind == "primary"), names[0] if names else None)
        documents = list(person.documents.all())
        statuses = {s.status for s in person.statuses.all()}
        return self.entity("Person", person, {
            "name": primary.full_name if primary else "",
            "alias": [n.full_name for n in names if n is not primary],
            "gender": person.sex if person.sex in ("male", "female", "other") else "",
            "birthDate": person.birth_date if person.birth_date[:1] != "-" else "",
            "birthPlace": person.birth_place,
            "nationality": [n.country_id for n in person.nationalities.all()],
            "passportNumber": [d.number for d in documents if d.kind == "passport"],
            "idNumber": [d.number for d in documents if d.kind != "passport"],
            "topics": ["wanted"] if statuses & {"wanted", "fugitive"} else [],
            "deathDate": "",
            **self._contact(identifiers),
        })

    def _account(self, identifier, holders, person_ct, org_ct):
        kind = identifier.kind
        if kind in (idf.PHONE, idf.WHATSAPP, idf.EMAIL, idf.URL, idf.DOMAIN):
            # Written as properties of their holders; the record still left in the file.
            if holders:
                self.report.records[identifier._meta.label_lower] += 1
                self.report.per_owner[identifier.owner_id] += 1
                self.tlps.add(identifier.tlp)
            return
        holder_ids = [entity_id(_Ref(ct, pk)) for (ct, pk), _link in holders
                      if (ContentType.objects.get_for_id(ct).model_class(), pk) in self.emitted]
        if kind in (idf.IBAN_KIND, idf.BANK_ACCOUNT):
            account = self.entity("BankAccount", identifier, {
                "iban" if kind == idf.IBAN_KIND else "accountNumber": identifier.normalized,
                "bankName": identifier.label, "country": identifier.country_id or ""})
            yield account
            for (ct, pk), link in holders:
                if (ContentType.objects.get_for_id(ct).model_class(), pk) in self.emitted:
                    yield self.entity("Ownership", link, {"owner": entity_id(_Ref(ct, pk)), "asset": account["id"],
                                                          "role": link.get_kind_display(), "startDate": link.start,
                                                          "endDate": link.end}, marking_prop="summary")
        elif kind == idf.CRYPTO_WALLET:
            yield self.entity("CryptoWallet", identifier, {"publicKey": identifier.normalized,
                                                           "currency": identifier.label, "holder": holder_ids})
        else:  # messaging handles
            service = {idf.TELEGRAM: "Telegram", idf.WECHAT: "WeChat", idf.LINE: "LINE"}.get(kind, identifier.label)
            yield self.entity("UserAccount", identifier, {"username": identifier.normalized, "service": service,
                                                          "owner": holder_ids[:1]})

    def _link(self, link, person_ct, org_ct):
        from liaison.registry.models import Identifier

        subject = (link.subject_type.model_class(), link.subject_id)
        obj = (link.object_type.model_class(), link.object_id)
        if subject not in self.emitted or obj not in self.emitted or Identifier in (subject[0], obj[0]):
            return None  # an end left out, or an account link written with the account
        dates = {"startDate": link.start, "endDate": link.end}
        both_persons = self.emitted[subject] == self.emitted[obj] == "Person"
        if both_persons and link.kind in PERSON_PERSON:
            schema, a, b, role = PERSON_PERSON[link.kind]
        elif self.emitted[subject] == "Person" and self.emitted[obj] == "Organization" and link.kind in TO_ORGANISATION:
            schema, a, b, role = TO_ORGANISATION[link.kind]
            if schema == "Employment":
                a, b = "employee", "employer"
        else:
            schema, a, b, role = "UnknownLink", "subject", "object", "role"
        detail = link.detail or ("leader" if link.kind == "leads" else link.get_kind_display())
        return self.entity(schema, link, {a: entity_id(_Ref(link.subject_type_id, link.subject_id)),
                                          b: entity_id(_Ref(link.object_type_id, link.object_id)),
                                          role: detail, **dates}, marking_prop="summary")


class _Ref:
    """Just enough of a record for ``entity_id``: its model's labels and its pk."""

    def __init__(self, content_type_id, pk):
        self._meta = ContentType.objects.get_for_id(content_type_id).model_class()._meta
        self.pk = pk


def export_entities(user, out, *, recipient=None, selection=None, description=""):
    """Write the FtM entities (one JSON object a line) of what ``user`` and ``recipient`` may
    see, narrowed by the onward-sharing rules, to the text file ``out``; audited per owner."""
    audience = onward.OnwardAudience(user, recipient)
    writer = _Writer(audience)
    for entity in writer.run(selection or Selection()):
        out.write(json.dumps(entity, ensure_ascii=False, sort_keys=True) + "\n")
    _audit_export(user, writer.report, recipient, description or "FtM entities", fmt="ftm")
    return writer.report


# --------------------------------------------------------------------------- import as a watchlist

@dataclass
class ImportReport:
    persons: int = 0
    skipped: Counter = field(default_factory=Counter)
    warnings: list = field(default_factory=list)
    source: object = None


MAX_LINES = 200_000


def _read_lines(data):
    """(line number, entity proxy) of every line, and the list of problems by line."""
    from followthemoney import model
    from followthemoney.exc import InvalidData

    if isinstance(data, (bytes, bytearray)):
        try:
            data = data.decode("utf-8-sig")
        except UnicodeDecodeError as exc:
            line = data[: exc.start].count(b"\n") + 1
            raise FtmError(_("line %(line)d: not UTF-8 text") % {"line": line}) from None
    entities, errors = [], []
    lines = data.splitlines()
    if len(lines) > MAX_LINES:
        raise FtmError(_("The file has %(n)d lines; the limit is %(max)d per file.") % {"n": len(lines), "max": MAX_LINES})
    for number, line in enumerate(lines, start=1):
        if not line.strip():
            continue
        try:
            raw = json.loads(line)
        except json.JSONDecodeError as exc:
            errors.append(_("line %(line)d: not JSON (column %(col)d: %(msg)s)") % {"line": number, "col": exc.colno,
                                                                                  "msg": exc.msg})
            continue
        if not isinstance(raw, dict) or not raw.get("id") or not raw.get("schema"):
            errors.append(_("line %(line)d: not an FtM entity (an object with “id”, “schema” and “properties”)")
                          % {"line": number})
            continue
        try:
            proxy = model.get_proxy(raw, cleaned=False)
        except InvalidData as exc:
            errors.append(_("line %(line)d: %(error)s") % {"line": number, "error": exc})
            continue
        entities.append((number, proxy))
    return text_of(data), entities, errors


def text_of(data):
    return data if isinstance(data, str) else data.decode("utf-8-sig")


def import_watchlist(user, data, *, filename, list_name, tlp=TLP.AMBER):
    """Import the persons of an FtM entity file (a sanctions or wanted list) as records of
    ``user``'s agency citing the list, each put on the agency's watchlist with the list named
    as the reason; all or nothing, problems by line. Other schemata are counted, not imported."""
    from liaison.audit import log as audit
    from liaison.audit.models import AuditEntry
    from liaison.matching.services import match_on_commit, put_on_watchlist
    from liaison.registry.models import (
        Citation, IdentityDocument, Nationality, Person, PersonName, Source,
    )

    if user.agency_id is None or not getattr(user, "can_edit", False):
        raise FtmError(_("Only an analyst or liaison officer of an agency can import records."))
    if not (list_name or "").strip():
        raise FtmError(_("Name the list (for example “UN Security Council sanctions”): it is the watchlist reason."))
    text, entities, errors = _read_lines(data)
    digest = hashlib.sha256(text.encode("utf-8")).hexdigest()
    earlier = Source.objects.filter(owner_id=user.agency_id, content_hash=digest).order_by("created_at").first()
    if earlier is not None:
        raise FtmError(_("This file was already imported on %(date)s (source “%(title)s”); nothing was imported "
                         "again.") % {"date": earlier.created_at.date().isoformat(), "title": earlier.title})
    report = ImportReport()
    persons, programs, documents = [], {}, {}
    for number, proxy in entities:
        if proxy.schema.is_a("Sanction"):
            for target in proxy.get("entity"):
                programs.setdefault(target, []).extend(proxy.get("program") or proxy.get("reason") or [])
        elif proxy.schema.is_a("Identification"):
            for holder in proxy.get("holder"):
                documents.setdefault(holder, []).append(proxy)
    for number, proxy in entities:
        if not proxy.schema.is_a("Person"):
            if not proxy.schema.is_a("Sanction") and not proxy.schema.is_a("Identification"):
                report.skipped[proxy.schema.name] += 1
            continue
        names = proxy.get("name")
        if not names:
            errors.append(_("line %(line)d: the person has no name") % {"line": number})
            continue
        births = [d for d in proxy.get("birthDate") if _partial(d) is not None]
        if proxy.get("birthDate") and not births:
            errors.append(_("line %(line)d: birth date “%(value)s” is not a date")
                          % {"line": number, "value": proxy.first("birthDate")})
            continue
        persons.append((number, proxy, names, births))
    if errors:
        raise FtmError(errors)
    if not persons:
        raise FtmError(_("The file holds no person: nothing to put on the watchlist."))
    if report.skipped:
        report.warnings.append(_("Not imported (the watchlist holds persons only): %(types)s") % {
            "types": ", ".join(f"{name} ×{count}" for name, count in sorted(report.skipped.items()))})

    from liaison.core.models import Country

    known = set(Country.objects.values_list("code", flat=True))
    marking = {"owner_id": user.agency_id, "created_by": user, "distribution": Distribution.OWNER, "tlp": tlp}
    with transaction.atomic():
        source = Source(title=list_name.strip()[:500], kind=Source.Kind.OFFICIAL, reference=filename[:200], text=text,
                        **marking)
        source.save()
        report.source = source
        created = []
        for number, proxy, names, births in persons:
            person = Person.objects.create(
                sex={"male": "male", "female": "female"}.get(proxy.first("gender") or "", ""),
                birth_date=_partial(births[0]) if births else "", birth_place=(proxy.first("birthPlace") or "")[:200],
                **marking)
            aliases = [n for n in proxy.get("alias") + names[1:] if n != names[0]]
            PersonName.objects.create(person=person, full_name=names[0][:300], kind=PersonName.Kind.PRIMARY)
            for alias in dict.fromkeys(aliases):
                PersonName.objects.create(person=person, full_name=alias[:300], kind=PersonName.Kind.ALIAS)
            for code in {c.upper() for c in proxy.get("nationality") + proxy.get("citizenship")} & known:
                Nationality.objects.create(person=person, country_id=code)
            numbers = [("passport", n) for n in proxy.get("passportNumber")] + [
                ("national_id", n) for n in proxy.get("idNumber")]
            for doc in documents.get(proxy.id, []):
                kind = "passport" if doc.schema.is_a("Passport") else "other"
                numbers += [(kind, n) for n in doc.get("number")]
            for kind, value in dict.fromkeys(numbers):
                IdentityDocument.objects.create(person=person, kind=kind, number=value[:60])
            Citation.objects.create(source=source, record=person, evidence=names[0][:2000],
                                    location=_("line %(line)d, entity %(id)s") % {"line": number, "id": proxy.id[:60]})
            reason = list_name.strip()
            if programs.get(proxy.id):
                reason = f"{reason}: {', '.join(dict.fromkeys(programs[proxy.id]))}"
            put_on_watchlist(person, reason[:500], user)
            created.append(person.pk)
        report.persons = len(created)
        audit.record(AuditEntry.Action.INTEROP_IMPORT, user, source, format="ftm", file=filename[:200],
                     list=list_name[:200], persons=len(created))
        match_on_commit(created)
    return report


def _partial(text):
    """An FtM date (a prefix of an ISO date) as a Liaison partial date, or None."""
    from liaison.partialdate import PartialDate, PartialDateError

    try:
        return PartialDate.parse(str(text)[:10]).isoformat()
    except PartialDateError:
        return None
