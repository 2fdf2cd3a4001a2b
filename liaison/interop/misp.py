"""MISP: an event of Liaison (with its persons, organisations, identifiers and links) as a
MISP event, and a MISP event JSON file back into records.

Built with PyMISP (``MISPEvent``, ``MISPObject`` with the object templates PyMISP ships,
``strict=True`` so an attribute outside its template is refused). The mapping tables
(objects, relationships, TLP and distribution both ways) are in docs/interop-mapping.md,
"MISP"; they are the dictionaries below.

What leaves: ``liaison.interop.onward.OnwardAudience`` (the visibility layer for the
exporting officer and the named recipient, TLP:RED never, AMBER only to a recipient that sees it,
H2/H3 only by the owner, a protected identity only to a recipient who may read it; a
person whose identity is withheld is left out, a MISP person object needs a name).
"""
import hashlib
import json
import uuid
from collections import Counter
from dataclasses import dataclass, field

from django.contrib.contenttypes.models import ContentType
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django_countries import countries

from liaison import identifiers as idf
from liaison.core.models import TLP, Accuracy, Distribution, Handling
from liaison.interop import onward
from liaison.interop.stix import ExportReport, _audit_export, namespace, selection_for

# Liaison TLP <-> MISP "tlp" taxonomy tags (TLP 2.0; tlp:white is TLP 1.0's CLEAR).
TLP_TAGS = {TLP.CLEAR: "tlp:clear", TLP.GREEN: "tlp:green", TLP.AMBER: "tlp:amber",
            TLP.AMBER_STRICT: "tlp:amber+strict", TLP.RED: "tlp:red"}
TAG_TLP = {v: k for k, v in TLP_TAGS.items()} | {"tlp:white": TLP.CLEAR}

# MISP distribution: 0 your organisation only, 1 this community only, 2 connected
# communities, 3 all communities, 4 sharing group, 5 inherit the event's.
DISTRIBUTION_TO_MISP = {Distribution.OWNER: 0, Distribution.SHARED: 0, Distribution.MEMBERS: 1, Distribution.PUBLIC: 3}

# Liaison relationship kind <-> MISP object relationship (names from PyMISP's relationships list).
RELATIONSHIP_TO_MISP = {
    "member_of": "member-of", "leads": "directs", "works_at": "works-for", "operates": "operator-of",
    "uses_phone": "uses", "uses_handle": "user-of", "holds_account": "owner-of", "owns": "owns",
    "related_to": "related-to", "family_of": "Kin", "victim_of": "targeted-by", "held_at": "located-at",
    "associate_of": "associated-with",
}
MISP_TO_RELATIONSHIP = {v.casefold(): k for k, v in RELATIONSHIP_TO_MISP.items()} | {
    "kin": "family_of", "parent-of": "family_of", "child-of": "family_of", "sibling-of": "family_of",
    "spouse-of": "family_of", "works-with": "associate_of", "friend-of": "associate_of", "knows": "associate_of",
    "owner-of": "holds_account", "primary-member-of": "member_of", "former-member-of": "member_of",
}

# Participant role <-> the person template's "role" (a closed list); a leader is a suspect to
# MISP, and keeps its own role in the ``liaison:role`` tag.
ROLE_TO_MISP = {"suspect": "Suspect", "leader": "Suspect", "victim": "Victim", "witness": "Witness"}
MISP_TO_ROLE = {"suspect": "suspect", "victim": "victim", "witness": "witness", "accused": "suspect",
                "defendent": "suspect", "culprit": "suspect", "accomplice": "suspect", "target": "victim"}
SEX_TO_MISP = {"male": "Male", "female": "Female", "other": "Other", "": "Unknown"}
MISP_TO_SEX = {"male": "male", "female": "female", "other": "other"}

LIAISON_TAG = "liaison:"


def _tag(name, value):
    return f'{LIAISON_TAG}{name}="{value}"'


def _tag_value(tags, name):
    prefix = f"{LIAISON_TAG}{name}="
    for tag in tags:
        if tag.startswith(prefix):
            return tag[len(prefix):].strip('"')
    return ""


def _uuid(key):
    """A stable UUID per record and deployment, so a partner's MISP recognises an object again."""
    return str(uuid.uuid5(namespace(), f"misp:{key}"))


class MispError(ValueError):
    """The event cannot be exported or the file imported; ``errors`` lists each problem."""

    def __init__(self, errors):
        errors = [errors] if isinstance(errors, str) else list(errors)
        super().__init__("\n".join(errors))
        self.errors = errors


# --------------------------------------------------------------------------- export

def _persons_of_event(event):
    from liaison.registry.models import PersonStatus

    return set(PersonStatus.objects.filter(event=event).values_list("person_id", flat=True))


def export_event(user, event, *, recipient=None, source=None, description=""):
    """The MISP event (``pymisp.MISPEvent``) for ``event`` as ``user`` exports it for
    ``recipient`` (an Agency or None); ``source`` adds the persons citing that source (the
    handover list of a handover). Raises MispError when the event may not leave."""
    from liaison.operations.models import Event
    from liaison.registry.models import Person, Source

    audience = onward.OnwardAudience(user, recipient)
    if not Event.objects.visible_to(user).filter(pk=event.pk).exists():
        raise MispError(_("No such event."))
    refused = onward.refusal(event, audience)
    if refused:
        raise MispError(refused)
    if source is not None and not Source.objects.visible_to(user).filter(pk=source.pk).exists():
        raise MispError(_("No such source."))
    selection = selection_for(event=event, source=source)
    selection.ids.setdefault(Person, set()).update(_persons_of_event(event))
    selection = _widen(selection)
    writer = _Writer(audience)
    misp = writer.event(event, selection)
    _audit_export(user, writer.report, recipient, description or f"MISP event {event.pk}", fmt="misp")
    return misp, writer.report


def _widen(selection):
    """The identifiers and organisations linked to the selected persons and the links among the
    selection (as ``selection_for`` does for participants), for the persons whose status names
    the event, and because a MISP event holds the groups its persons belong to."""
    from django.db.models import Q

    from liaison.registry.models import Identifier, Organisation, Person, Relationship

    ids = selection.ids
    person_ct = ContentType.objects.get_for_model(Person)
    people = ids.get(Person, set())
    for model in (Identifier, Organisation):
        ct = ContentType.objects.get_for_model(model)
        links = Relationship.objects.filter(Q(subject_type=person_ct, subject_id__in=people, object_type=ct)
                                            | Q(object_type=person_ct, object_id__in=people, subject_type=ct))
        for row in links.values("subject_type_id", "subject_id", "object_id"):
            ids.setdefault(model, set()).add(row["subject_id"] if row["subject_type_id"] == ct.pk else row["object_id"])
    keys = {(ContentType.objects.get_for_model(m).pk, pk) for m, pks in ids.items() if m is not Relationship
            for pk in pks}
    types = {ct for ct, _pk in keys}
    for r in Relationship.objects.filter(subject_type__in=types, object_type__in=types).only(
            "pk", "subject_type_id", "subject_id", "object_type_id", "object_id"):
        if (r.subject_type_id, r.subject_id) in keys and (r.object_type_id, r.object_id) in keys:
            ids.setdefault(Relationship, set()).add(r.pk)
    return selection


class _Writer:
    def __init__(self, audience):
        self.audience = audience
        self.report = ExportReport()
        self.tlps = set()
        self.uuids = {}  # (model, pk) -> object or attribute uuid
        self._owners = {}

    def _owner(self, record):
        from liaison.sharing.models import Agency

        if record.owner_id not in self._owners:
            self._owners[record.owner_id] = Agency.objects.get(pk=record.owner_id).short_name
        return self._owners[record.owner_id]

    def marking_tags(self, record):
        tags = [TLP_TAGS[record.tlp], _tag("owner", self._owner(record)), _tag("handling", record.handling),
                _tag("accuracy", record.accuracy)]
        if record.is_synthetic:
            tags.append(_tag("synthetic", "yes"))
        return tags

    def _count(self, record):
        self.report.records[record._meta.label_lower] += 1
        self.report.per_owner[record.owner_id] += 1
        self.tlps.add(record.tlp)

    def _object(self, template, record, values, comment=""):
        """A MISPObject of ``template`` for ``record``: ``values`` as (relation, value) pairs,
        each attribute carrying the record's marking tags."""
        from pymisp import MISPObject

        obj = MISPObject(template, strict=True, standalone=False)
        obj.uuid = _uuid(f"{record._meta.label_lower}:{record.pk}")
        obj.distribution = DISTRIBUTION_TO_MISP[record.distribution]
        if comment:
            obj.comment = comment
        tags = self.marking_tags(record)
        for relation, value in values:
            if value in ("", None):
                continue
            attribute = obj.add_attribute(relation, value=str(value), distribution=5)
            for tag in tags:
                attribute.add_tag(tag)
        self.uuids[(type(record), record.pk)] = obj.uuid
        self._count(record)
        return obj

    def event(self, event, selection):
        from pymisp import MISPEvent

        from liaison.operations.models import Event
        from liaison.registry.models import Identifier, Organisation, Person, Relationship, Site

        misp = MISPEvent()
        misp.uuid = _uuid(f"operations.event:{event.pk}")
        misp.info = event.title
        misp.distribution = DISTRIBUTION_TO_MISP[event.distribution]
        misp.threat_level_id = 4  # undefined: MISP's levels grade malware, not crimes
        misp.analysis = 2  # completed: the record as its owner keeps it
        full_date = event.date if len(event.date or "") == 10 and event.date[0] != "-" else ""
        misp.set_date(full_date or event.created_at.date())
        for tag in self.marking_tags(event) + [_tag("event-kind", event.kind)]:
            misp.add_tag(tag)
        self._count(event)
        for relation, value in (("date", event.date), ("date-end", event.date_end), ("place", event.place),
                                ("description", event.description)):
            if value:
                misp.add_attribute("text", value, comment=relation, distribution=5, category="Other")
        for figure in event.figures.all():
            misp.add_attribute("text", f"{figure.category} {figure.qualifier or 'exactly'} {figure.value}",
                               comment="figure", distribution=5, category="Other")
        for country in event.countries.all():
            misp.add_attribute("text", country.pk, comment="country", distribution=5, category="Other")
        roles = {p.person_id: p.role for p in event.participants.all()}

        narrow = self.audience.narrow
        for org in narrow(selection.queryset(Organisation)).order_by("pk"):
            misp.add_object(self._object("organization", org, [
                ("name", org.name), *[("alias", a) for a in org.alias_list],
                ("type-of-organization", org.kind), ("description", org.area),
                ("address", countries.name(org.country_id) if org.country_id else ""),
            ]))
        for site in narrow(selection.queryset(Site)).order_by("pk"):
            misp.add_object(self._object("geolocation", site, [
                ("text", site.name), ("countrycode", site.country_id), ("region", site.admin_area),
                ("city", site.locality), ("latitude", site.latitude), ("longitude", site.longitude),
            ], comment=site.kind))
        people = list(narrow(selection.queryset(Person)).order_by("pk").prefetch_related(
            "names", "nationalities", "documents", "statuses"))
        readable = self.audience.readable_protected(Person, [p.pk for p in people if p.protection])
        for person in people:
            if person.protection and person.pk not in readable:
                self.report.records["withheld protected identity"] += 1
                continue
            misp.add_object(self._person(person, roles.get(person.pk, "")))
        identifiers = list(narrow(selection.queryset(Identifier)).order_by("pk"))
        for identifier in identifiers:
            self._identifier(misp, identifier)
        for link in narrow(selection.queryset(Relationship)).order_by("pk"):
            self._reference(misp, link)
        from liaison.sharing.exports import strictest

        self.report.strictest_tlp = strictest(self.tlps)
        # The event's own tag says the strictest marking of what it holds.
        if self.report.strictest_tlp != event.tlp:
            misp.tags = [t for t in misp.tags if not t.name.startswith("tlp:")]
            misp.add_tag(TLP_TAGS[self.report.strictest_tlp])
        self.report.objects = len(misp.objects) + len(misp.attributes)
        return misp

    def _person(self, person, role):
        names = list(person.names.all())
        primary = next((n for n in names if n.kind == "primary"), names[0] if names else None)
        passport = next((d for d in person.documents.all() if d.kind == "passport"), None)
        national = next((d for d in person.documents.all() if d.kind == "national_id"), None)
        statuses = [f"status={s.status}; since={s.date}; country={s.country_id or ''}" for s in person.statuses.all()]
        values = [
            ("full-name", primary.full_name if primary else ""),
            *[("alias", n.full_name) for n in names if n is not primary],
            ("gender", SEX_TO_MISP.get(person.sex, "Unknown")),
            ("date-of-birth", person.birth_date), ("place-of-birth", person.birth_place),
            *[("nationality", countries.name(n.country_id) or n.country_id) for n in person.nationalities.all()],
            ("passport-number", passport.number if passport else ""),
            ("passport-country", passport.country_id if passport else ""),
            ("passport-expiration", passport.expires_on if passport and len(passport.expires_on) == 10 else ""),
            ("identity-card-number", national.number if national else ""),
            ("role", ROLE_TO_MISP.get(role, "")),
            ("text", "\n".join(statuses)),
        ]
        obj = self._object("person", person, values)
        if role:
            for attribute in obj.attributes:
                if attribute.object_relation == "full-name":
                    attribute.add_tag(_tag("role", role))
        if person.protection:
            for attribute in obj.attributes:
                attribute.add_tag(_tag("protection", person.protection))
        return obj

    def _identifier(self, misp, identifier):
        kind, value, label = identifier.kind, identifier.normalized, identifier.label
        tags = self.marking_tags(identifier)
        if kind in (idf.EMAIL, idf.DOMAIN, idf.URL):
            # Observables MISP has a plain attribute type for: one attribute, not an object.
            misp_type = {idf.EMAIL: "email", idf.DOMAIN: "domain", idf.URL: "url"}[kind]
            attribute = misp.add_attribute(misp_type, value, comment=label, distribution=DISTRIBUTION_TO_MISP[
                identifier.distribution], category="Network activity" if kind != idf.EMAIL else "Social network",
                uuid=_uuid(f"registry.identifier:{identifier.pk}"), to_ids=False)
            for tag in tags:
                attribute.add_tag(tag)
            self.uuids[(type(identifier), identifier.pk)] = attribute.uuid
            self._count(identifier)
            return
        if kind in (idf.PHONE, idf.WHATSAPP):
            values = [("phone-number", value), ("country-code", identifier.country_id or ""),
                      ("text", "WhatsApp" if kind == idf.WHATSAPP else label)]
            obj = self._object("phone-number", identifier, values)
        elif kind == idf.IBAN_KIND:
            obj = self._object("bank-account", identifier, [("iban", value), ("institution-name", label)])
        elif kind == idf.BANK_ACCOUNT:
            obj = self._object("bank-account", identifier, [("account", value), ("institution-name", label)])
        elif kind == idf.CRYPTO_WALLET:
            obj = self._object("coin-address", identifier, [("address-crypto", value), ("text", label)])
        elif kind == idf.TELEGRAM:
            obj = self._object("telegram-account", identifier, [("username", value)])
        else:  # WeChat, LINE, other handles
            obj = self._object("user-account", identifier, [("username", value), ("account-type", kind),
                                                            ("description", label)])
        misp.add_object(obj)

    def _reference(self, misp, link):
        start = self.uuids.get((link.subject_type.model_class(), link.subject_id))
        end = self.uuids.get((link.object_type.model_class(), link.object_id))
        source = next((o for o in misp.objects if o.uuid == start), None)
        if source is None or end is None:
            return  # an end the readers may not see, or that MISP cannot hold (an event, an operation)
        comment = " ".join(filter(None, [link.detail, f"{link.start}..{link.end}" if link.start or link.end else ""]))
        source.add_reference(end, RELATIONSHIP_TO_MISP[link.kind], comment=comment or None)
        self._count(link)


def export_json(misp):
    """The event as MISP's JSON file format (``{"Event": {...}}``, what MISP's "Import from
    MISP JSON" reads)."""
    return json.dumps({"Event": json.loads(misp.to_json())}, ensure_ascii=False, indent=1)


# --------------------------------------------------------------------------- import

@dataclass
class ImportReport:
    created: Counter = field(default_factory=Counter)
    skipped: Counter = field(default_factory=Counter)
    warnings: list = field(default_factory=list)
    source: object = None
    event: object = None


def _tlp_of(tags, default):
    for tag in tags:
        if tag.casefold() in TAG_TLP:
            return TAG_TLP[tag.casefold()]
    return default


def _distribution_on_import(misp_distribution, tlp, fallback):
    """The distribution of an imported record. Only TLP:CLEAR and GREEN may spread: those
    marked for the community (1, 2, 3) go to all member agencies; everything else, and every
    AMBER or RED record (for its recipients only: the importing agency), stays with the
    importing agency, which may share it onward itself. Never public by import."""
    try:
        value = int(misp_distribution)
    except (TypeError, ValueError):
        value = 5
    if value == 5:
        value = fallback
    if tlp in (TLP.CLEAR, TLP.GREEN) and value in (1, 2, 3):
        return Distribution.MEMBERS
    return Distribution.OWNER


def _load(data):
    from pymisp import MISPEvent

    if isinstance(data, (bytes, bytearray)):
        try:
            data = data.decode("utf-8-sig")
        except UnicodeDecodeError:
            raise MispError(_("The file is not UTF-8 text, so it is no MISP event.")) from None
    try:
        parsed = json.loads(data)
    except json.JSONDecodeError as exc:
        raise MispError(_("The file is not JSON (line %(line)d, column %(col)d): %(msg)s")
                        % {"line": exc.lineno, "col": exc.colno, "msg": exc.msg}) from None
    if isinstance(parsed, dict) and "response" in parsed and isinstance(parsed["response"], list):
        parsed = parsed["response"][0] if parsed["response"] else {}
    if not isinstance(parsed, dict) or not isinstance(parsed.get("Event", parsed), dict) or not (
            parsed.get("Event", parsed).get("info") or parsed.get("Event", parsed).get("Object")):
        raise MispError(_("The file is no MISP event: it should be a JSON object with an “Event”."))
    event = MISPEvent()
    try:
        event.load(parsed)
    except Exception as exc:  # PyMISP raises several types for one meaning: not a MISP event
        raise MispError(_("The file is no MISP event: %(error)s") % {"error": exc}) from None
    return data, event


class _Reader:
    """Checks a MISP event completely (every problem with its object number), then writes it."""

    def __init__(self, user, event, filename):
        self.user, self.event, self.filename = user, event, filename
        self.errors, self.report = [], ImportReport()
        event_tags = [t.name for t in event.tags]
        self.event_tlp = _tlp_of(event_tags, None)
        if self.event_tlp is None:
            self.event_tlp = TLP.AMBER
            self.report.warnings.append(_("The event has no TLP tag: its records are marked TLP:AMBER."))
        self.event_tags = event_tags
        try:
            self.event_distribution = int(event.distribution)
        except (TypeError, ValueError, AttributeError):
            self.event_distribution = 0
        self.plans = []  # (number, kind, data)

    def where(self, number, obj):
        return _("object %(number)d (%(name)s)") % {"number": number, "name": obj.name}

    def marking(self, tags, distribution):
        tlp = _tlp_of(tags, self.event_tlp)
        handling = _tag_value(tags, "handling")
        accuracy = _tag_value(tags, "accuracy")
        return {
            "tlp": tlp,
            "distribution": _distribution_on_import(distribution, tlp, self.event_distribution),
            "handling": handling if handling in Handling.values else Handling.H0,
            "accuracy": accuracy if accuracy in Accuracy.values else Accuracy.CANNOT_ASSESS,
            "is_synthetic": _tag_value(tags, "synthetic") == "yes",
        }

    def check(self):
        from liaison.registry.models import Organisation, Person

        for number, obj in enumerate(self.event.objects, start=1):
            values = {}
            tags = []
            for attribute in obj.attributes:
                values.setdefault(attribute.object_relation, []).append(str(attribute.value).strip())
                tags += [t.name for t in attribute.tags]
            first = {k: v[0] for k, v in values.items() if v and v[0]}
            marking = self.marking(tags, getattr(obj, "distribution", 5))
            where = self.where(number, obj)
            if obj.name == "person":
                name = first.get("full-name") or " ".join(
                    filter(None, [first.get("first-name"), first.get("middle-name"), first.get("last-name")]))
                aliases = [a for a in values.get("alias", []) if a]
                if not name and aliases:
                    name, aliases = aliases[0], aliases[1:]
                if not name:
                    self.errors.append(_("%(where)s: a person needs a full name or an alias") % {"where": where})
                    continue
                if _tag_value(tags, "protection") and _tag_value(tags, "protection") not in Person.Protection.values:
                    self.errors.append(_("%(where)s: unknown protection “%(value)s”")
                                       % {"where": where, "value": _tag_value(tags, "protection")})
                    continue
                self.plans.append((number, obj, "person", {"name": name, "aliases": aliases, "values": values,
                                                           "first": first, "tags": tags, "marking": marking}))
            elif obj.name in ("organization", "legal-entity"):
                name = first.get("name") or (values.get("alias") or [""])[0]
                if not name:
                    self.errors.append(_("%(where)s: an organisation needs a name") % {"where": where})
                    continue
                kind = first.get("type-of-organization", "")
                self.plans.append((number, obj, "organisation", {
                    "name": name[:300], "aliases": [a for a in values.get("alias", []) if a and a != name],
                    "kind": kind if kind in Organisation.Kind.values else Organisation.Kind.OTHER,
                    "area": first.get("description", "")[:200], "marking": marking}))
            elif obj.name in IDENTIFIER_OBJECTS:
                kind, value, label, country = IDENTIFIER_OBJECTS[obj.name](first)
                if not value:
                    self.errors.append(_("%(where)s: no value to import") % {"where": where})
                    continue
                try:
                    normalized = idf.normalize(kind, value, country or None)
                except idf.IdentifierError as exc:
                    self.errors.append(_("%(where)s: %(reason)s") % {"where": where, "reason": exc})
                    continue
                self.plans.append((number, obj, "identifier", {"kind": kind, "value": value, "normalized": normalized,
                                                               "label": label[:200], "country": country,
                                                               "marking": marking}))
            else:
                self.report.skipped[obj.name] += 1
        for number, attribute in enumerate(self.event.attributes, start=1):
            kind = ATTRIBUTE_KINDS.get(attribute.type)
            if kind is None:
                continue  # the event's own fields (text) and types Liaison keeps no record of
            tags = [t.name for t in attribute.tags]
            try:
                normalized = idf.normalize(kind, str(attribute.value), None)
            except idf.IdentifierError as exc:
                self.errors.append(_("attribute %(number)d (%(type)s): %(reason)s")
                                   % {"number": number, "type": attribute.type, "reason": exc})
                continue
            self.plans.append((number, attribute, "identifier", {
                "kind": kind, "value": str(attribute.value), "normalized": normalized,
                "label": _comment(attribute)[:200], "country": "",
                "marking": self.marking(tags, getattr(attribute, "distribution", 5))}))
        if self.report.skipped:
            self.report.warnings.append(_("Not imported (Liaison keeps no such records): %(types)s") % {
                "types": ", ".join(f"{name} ×{count}" for name, count in sorted(self.report.skipped.items()))})

    # -- writing (inside the caller's transaction)
    def write(self, agency, text):
        from liaison.operations.models import Event, Participant
        from liaison.registry.models import (
            Citation, Identifier, IdentityDocument, Nationality, Organisation, Person, PersonName, PersonStatus,
            Relationship, Source,
        )

        common = {"owner": agency, "created_by": self.user}
        source = Source(
            title=(self.event.info or self.filename)[:500], kind=Source.Kind.INTELLIGENCE, reference=self.filename[:200],
            text=text, publisher=_("MISP event %(uuid)s") % {"uuid": self.event.uuid}, **common,
            **self.marking(self.event_tags, self.event_distribution),
        )
        source.published = _misp_date(self.event)
        source.save()
        self.report.source = source
        by_uuid = {}

        def cite(record, number, evidence, label="object"):
            Citation.objects.create(
                source=source, record=record, evidence=evidence[:2000],
                location=(_("object %(number)d") if label == "object" else _("attribute %(number)d"))
                % {"number": number})

        event = Event(kind=Event.Kind.OTHER, title=(self.event.info or self.filename)[:300], **common,
                      **self.marking(self.event_tags, self.event_distribution))
        kind = _tag_value(self.event_tags, "event-kind")
        if kind in Event.Kind.values:
            event.kind = kind
        fields = {}
        for attribute in self.event.attributes:
            if attribute.type == "text" and _comment(attribute) in ("date", "date-end", "place", "description"):
                fields.setdefault(_comment(attribute), str(attribute.value))
        event.date = fields.get("date") or _misp_date(self.event)
        event.date_end = fields.get("date-end", "")
        event.place = fields.get("place", "")[:200]
        event.description = fields.get("description", "")
        event.full_clean(exclude=["owner", "created_by", "site", "operation", "phase", "case"])
        event.save()
        self._figures(event)
        cite(event, 0, self.event.info or "")
        self.report.event = event
        self.report.created["event"] += 1

        persons = []
        for number, obj, what, plan in self.plans:
            marking = plan["marking"]
            evidence = json.dumps({getattr(a, "object_relation", None) or a.type: str(a.value) for a in getattr(obj, "attributes", [obj])},
                                  ensure_ascii=False)
            if what == "person":
                person = self._person(plan, common, marking, event, Person, PersonName, Nationality,
                                      IdentityDocument, PersonStatus, Participant)
                persons.append(person)
                record = person
            elif what == "organisation":
                record = Organisation.objects.create(name=plan["name"], aliases="\n".join(plan["aliases"]),
                                                     kind=plan["kind"], area=plan["area"], **common, **marking)
            else:
                record = Identifier.objects.filter(owner=agency, kind=plan["kind"],
                                                   normalized=plan["normalized"]).first()
                if record is None:
                    record = Identifier(kind=plan["kind"], value=plan["value"], label=plan["label"],
                                        country_id=plan["country"] or None, **common, **marking)
                    record.save()
                else:
                    self.report.created["identifier (already held)"] -= 1
            cite(record, number, evidence, "object" if hasattr(obj, "attributes") else "attribute")
            by_uuid[obj.uuid] = record
            self.report.created[what] += 1
        for number, obj in enumerate(self.event.objects, start=1):
            for reference in obj.references:
                start, end = by_uuid.get(obj.uuid), by_uuid.get(reference.referenced_uuid)
                kind = MISP_TO_RELATIONSHIP.get((reference.relationship_type or "").casefold(), "related_to")
                if start is None or end is None or start is end:
                    continue
                if kind == "holds_account" and not isinstance(end, Identifier):
                    kind = "owns"
                comment = getattr(reference, "comment", "") or ""
                link = Relationship(kind=kind, subject=start, object=end, detail=comment[:300],
                                    **common, **self._link_marking(start, end))
                if ".." in comment:
                    dates = comment.rsplit(" ", 1)[-1]
                    link.start, _sep, link.end = (_partial(d) for d in dates.partition(".."))
                    link.detail = comment[: -len(dates)].strip()[:300]
                link.save()
                cite(link, number, f"{reference.relationship_type} {reference.referenced_uuid}")
                self.report.created["relationship"] += 1
        return persons

    @staticmethod
    def _link_marking(start, end):
        """A link is marked like the stricter of its two ends (it says something about both)."""
        from liaison.sharing.exports import TLP_ORDER

        strict = max((start, end), key=lambda r: TLP_ORDER.index(r.tlp))
        return {"tlp": strict.tlp, "distribution": Distribution.OWNER if Distribution.OWNER in (
            start.distribution, end.distribution) else strict.distribution, "handling": strict.handling,
            "accuracy": strict.accuracy, "is_synthetic": strict.is_synthetic}

    def _figures(self, event):
        from liaison.operations.models import Figure

        for attribute in self.event.attributes:
            if attribute.type != "text" or _comment(attribute) != "figure":
                continue
            parts = str(attribute.value).split()
            if len(parts) == 3 and parts[0] in Figure.Category.values and parts[2].isdigit():
                qualifier = "" if parts[1] == "exactly" else parts[1]
                if qualifier in Figure.Qualifier.values:
                    Figure.objects.create(event=event, category=parts[0], qualifier=qualifier, value=int(parts[2]))
        codes = {str(a.value).upper() for a in self.event.attributes if a.type == "text" and _comment(a) == "country"}
        from liaison.core.models import Country

        event.countries.set(Country.objects.filter(code__in=codes))

    def _person(self, plan, common, marking, event, Person, PersonName, Nationality, IdentityDocument,
                PersonStatus, Participant):
        first, values, tags = plan["first"], plan["values"], plan["tags"]
        protection = _tag_value(tags, "protection")
        birth = first.get("date-of-birth", "")
        person = Person(sex=MISP_TO_SEX.get(first.get("gender", "").casefold(), ""), birth_date=_partial(birth),
                        birth_place=first.get("place-of-birth", "")[:200], protection=protection, **common, **marking)
        person.save()
        PersonName.objects.create(person=person, full_name=plan["name"][:300], kind=PersonName.Kind.PRIMARY)
        for alias in plan["aliases"]:
            PersonName.objects.create(person=person, full_name=alias[:300], kind=PersonName.Kind.ALIAS)
        for nationality in values.get("nationality", []):
            code = _country_code(nationality)
            if code:
                Nationality.objects.get_or_create(person=person, country_id=code)
        if first.get("passport-number"):
            IdentityDocument.objects.create(
                person=person, kind="passport", number=first["passport-number"][:60],
                country_id=_country_code(first.get("passport-country", "")) or None,
                expires_on=_partial(first.get("passport-expiration", "")))
        if first.get("identity-card-number"):
            IdentityDocument.objects.create(person=person, kind="national_id", number=first["identity-card-number"][:60])
        for line in first.get("text", "").splitlines():
            parts = dict(p.strip().partition("=")[::2] for p in line.split(";") if "=" in p)
            if parts.get("status") in PersonStatus.Status.values:
                PersonStatus.objects.create(person=person, status=parts["status"], date=_partial(parts.get("since", "")),
                                            country_id=_country_code(parts.get("country", "")) or None)
        role = _tag_value(tags, "role") or MISP_TO_ROLE.get(first.get("role", "").casefold(), "")
        if role in Participant.Role.values:
            Participant.objects.get_or_create(event=event, person=person, role=role)
        person.refresh_from_db()
        return person


def _comment(attribute):
    # PyMISP sets only the keys a file holds: an attribute without a comment has no .comment.
    return getattr(attribute, "comment", "") or ""


def _misp_date(event):
    value = getattr(event, "date", None)
    return value.isoformat() if value else ""


def _partial(text):
    from liaison.partialdate import PartialDate, PartialDateError

    if not text:
        return ""
    try:
        return PartialDate.parse(str(text)[:10]).isoformat()
    except PartialDateError:
        return ""


def _country_code(text):
    from liaison.core.models import Country

    text = (text or "").strip()
    if not text:
        return ""
    code = text.upper() if len(text) == 2 else (countries.alpha2(text) if len(text) == 3 else "")
    code = code or countries.by_name(text, insensitive=True) or ""
    return code if code and Country.objects.filter(code=code).exists() else ""


def _phone(first):
    text = first.get("text", "")
    kind = idf.WHATSAPP if text.casefold() == "whatsapp" else idf.PHONE
    return kind, first.get("phone-number", ""), "" if kind == idf.WHATSAPP else text, first.get("country-code", "")


def _bank(first):
    if first.get("iban"):
        return idf.IBAN_KIND, first["iban"], first.get("institution-name", ""), ""
    return idf.BANK_ACCOUNT, first.get("account", ""), first.get("institution-name", ""), ""


def _handle(first):
    kind = first.get("account-type", "")
    kind = kind if kind in (idf.WECHAT, idf.LINE, idf.OTHER_HANDLE) else idf.OTHER_HANDLE
    return kind, first.get("username") or first.get("user-id", ""), first.get("description", ""), ""


IDENTIFIER_OBJECTS = {
    "phone-number": _phone,
    "bank-account": _bank,
    "coin-address": lambda f: (idf.CRYPTO_WALLET, f.get("address-crypto") or f.get("address") or f.get("address-xmr", ""),
                               f.get("text", ""), ""),
    "btc-wallet": lambda f: (idf.CRYPTO_WALLET, f.get("wallet-address", ""), "BTC", ""),
    "telegram-account": lambda f: (idf.TELEGRAM, f.get("username") or f.get("id", ""), "", ""),
    "user-account": _handle,
}
ATTRIBUTE_KINDS = {"email": idf.EMAIL, "email-src": idf.EMAIL, "email-dst": idf.EMAIL, "domain": idf.DOMAIN,
                   "hostname": idf.DOMAIN, "url": idf.URL, "link": idf.URL, "phone-number": idf.PHONE,
                   "iban": idf.IBAN_KIND, "btc": idf.CRYPTO_WALLET, "xmr": idf.CRYPTO_WALLET}


def import_event(user, data, *, filename):
    """Import a MISP event JSON file for ``user``'s agency, all or nothing: every record cites one
    Source standing for the file (object numbers as locations) and keeps its TLP marking,
    handling code and grading. Raises MispError listing every problem by object number."""
    from liaison.audit import log as audit
    from liaison.audit.models import AuditEntry
    from liaison.registry.models import Source

    if user.agency_id is None or not getattr(user, "can_edit", False):
        raise MispError(_("Only an analyst or liaison officer of an agency can import records."))
    text, event = _load(data)
    digest = hashlib.sha256(text.encode("utf-8")).hexdigest()
    earlier = Source.objects.filter(owner_id=user.agency_id, content_hash=digest).order_by("created_at").first()
    if earlier is not None:
        raise MispError(_("This file was already imported on %(date)s (source “%(title)s”); nothing was imported "
                          "again.") % {"date": earlier.created_at.date().isoformat(), "title": earlier.title})
    reader = _Reader(user, event, filename)
    reader.check()
    if reader.errors:
        raise MispError(reader.errors)
    with transaction.atomic():
        persons = reader.write(user.agency, text)
        audit.record(AuditEntry.Action.INTEROP_IMPORT, user, reader.report.source, format="misp", file=filename[:200],
                     event=str(event.uuid), records=sum(reader.report.created.values()))
        from liaison.matching.services import match_on_commit

        match_on_commit([p.pk for p in persons])
    return reader.report
