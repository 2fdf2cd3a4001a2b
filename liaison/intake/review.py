"""Deciding about a proposed fact: accept (as proposed or edited) or reject.

Accepting writes to the registry, citing the document's source with the
evidence sentence and its place in the text. A fact the registry already
holds (an event another report stated) gains a citation instead of a twin:
three outlets reporting one raid make one event with three sources. Only the
owner agency may change a record, so a matching record of another agency is
linked to the decision but left untouched. Every decision is audited.
"""
import hashlib
import re

from django.contrib.contenttypes.models import ContentType
from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

from liaison import names
from liaison.audit import log as audit
from liaison.audit.models import AuditEntry
from liaison.core.models import Country
from liaison.operations.models import Event, Figure, Operation, Participant
from liaison.registry.models import Citation, Person, PersonName, Site, Source
from liaison.sharing.models import Agency
from liaison.sharing.visibility import protected_visible_q

from . import facts
from .models import ProposedFact
from .services import refresh_review

PARTICIPANT_ROLES = {r.value for r in Participant.Role}


class ReviewError(ValueError):
    """A decision that cannot be taken; the message is for the analyst."""


class OwnedElsewhere(ReviewError):
    """Accepting would change nothing: the registry's record of this fact is
    another agency's, and only its owner can add the report to it. Nothing is
    saved and the fact stays in the queue; the analyst can record it on a record
    of their own (``accept(..., target="new")`` or an own event) or ask the
    owner (``ask_owner``). ``record`` is the other agency's record."""

    def __init__(self, record):
        self.record = record
        super().__init__(
            _("“%(record)s” is a record of %(agency)s: only they can add your report to it, so nothing was saved.")
            % {"record": record, "agency": record.owner.short_name}
        )


def _lock(proposal, user):
    if not getattr(user, "can_edit", False):
        raise ReviewError(_("Your account can only read. Reviewing needs the analyst or liaison officer role."))
    locked = ProposedFact.objects.select_for_update(of=("self",)).select_related("document").get(pk=proposal.pk)
    if locked.document.owner_id != user.agency_id:
        raise ReviewError(_("This document belongs to another agency."))
    if locked.is_decided:
        raise ReviewError(_("This fact was already %(status)s by %(who)s on %(when)s.") % {
            "status": locked.get_status_display(), "who": locked.reviewer or _("someone"),
            "when": timezone.localtime(locked.decided_at).strftime("%Y-%m-%d %H:%M") if locked.decided_at else "?"})
    return locked


def _location(proposal):
    if proposal.evidence_start is None:
        return ""
    return _("chars %(start)s–%(end)s") % {"start": proposal.evidence_start, "end": proposal.evidence_end}


def source_for(document, user):
    """The registry source of ``document``: its own, else a visible one with the same text, else a new one."""
    if document.source_id:
        source = Source.objects.visible_to(user).filter(pk=document.source_id).first()
        if source is not None:
            return source
    digest = hashlib.sha256(document.text.encode("utf-8")).hexdigest()
    source = Source.objects.visible_to(user).filter(content_hash=digest).order_by("id").first()
    if source is None:
        source = Source.objects.create(
            owner_id=user.agency_id, created_by=user, title=str(document)[:500], kind=document.source_kind,
            language=document.language[:10], published=document.published, reference=document.original_filename[:200],
            text=document.text,
        )
    document.source = source
    document.save(update_fields=["source"])
    return source


def cite(record, source, proposal, user):
    """Cite ``source`` on ``record`` with the proposal's evidence, once; only on records of the user's agency.

    Returns True when a citation exists afterwards (added now or already there)."""
    ct = ContentType.objects.get_for_model(record)
    existing = Citation.objects.filter(content_type=ct, object_id=record.pk, source=source)
    evidence = proposal.evidence.strip()
    for citation in existing:
        quoted = citation.evidence.strip()
        if not evidence or (quoted and (quoted in evidence or evidence in quoted)):
            return True
    if record.owner_id != user.agency_id:
        return False
    Citation.objects.create(source=source, content_type=ct, object_id=record.pk, evidence=evidence,
                            location=_location(proposal))
    return True


def _mark(user):
    return {"owner_id": user.agency_id, "created_by": user}


# --- matching registry records -------------------------------------------------------------------

def event_as_dict(event, evidence=(), *, readable_persons, visible_operations):
    """The event as ``facts`` compares it, with only what the user may see.

    ``readable_persons``/``visible_operations``: ids of the participants whose
    identity the user may read and of the operations the user may see. Names
    of any other would change the score, so an analyst editing a proposal's
    persons could probe the registry for records hidden from them."""
    return {
        "id": event.pk, "type": event.kind, "date": event.date,
        "countries": [c.code for c in event.countries.all()],
        "places": [event.place] if event.place else [],
        "counts": {f.category: f.value for f in event.figures.all()},
        "operation": event.operation.name if event.operation_id in visible_operations else "",
        "persons": [p.person.display_name for p in event.participants.all() if p.person_id in readable_persons],
        "evidence": list(evidence),
    }


def event_candidates(user, data, text=""):
    """Visible events that could be the one ``data`` states: loaded as plain dicts for ``facts``.

    ``text``: the report's text; events already citing a visible source with
    exactly this text are candidates too, with the sentences they quote."""
    values = list((data.get("counts") or {}).values())
    date = data.get("date") or ""
    q = Q()
    if values:
        q |= Q(figures__value__in=values)
    if len(date) == 10 or date.startswith("--"):  # a day: the same day with or without a year
        q |= Q(date__endswith=date[-5:])
    elif date:
        q |= Q(date__startswith=date)
    for place in data.get("places") or []:
        if len(place) >= 3:
            q |= Q(place__icontains=place)
    quoted = {}
    if text:
        digest = hashlib.sha256(text.encode("utf-8")).hexdigest()
        event_type = ContentType.objects.get_for_model(Event)
        for object_id, evidence in Citation.objects.filter(
                content_type=event_type, source__in=Source.objects.visible_to(user).filter(content_hash=digest),
        ).values_list("object_id", "evidence"):
            quoted.setdefault(object_id, []).append(evidence)
        if quoted:
            q |= Q(pk__in=list(quoted))
    if not q:
        return []
    ids = (Event.objects.visible_to(user).filter(q).values_list("pk", flat=True).distinct().order_by("-pk")[:200])
    events = list(Event.objects.filter(pk__in=list(ids)).select_related("operation", "owner")
                  .prefetch_related("countries", "figures", "participants__person"))
    person_ids = {p.person_id for e in events for p in e.participants.all()}
    readable = set(Person.objects.visible_to(user).filter(Q(protection="") | protected_visible_q(Person, user))
                   .filter(pk__in=person_ids).values_list("pk", flat=True)) if person_ids else set()
    operation_ids = {e.operation_id for e in events if e.operation_id}
    operations = set(Operation.objects.visible_to(user).filter(pk__in=operation_ids)
                     .values_list("pk", flat=True)) if operation_ids else set()
    return [event_as_dict(e, quoted.get(e.pk, ()), readable_persons=readable, visible_operations=operations)
            | {"record": e} for e in events]


def matching_events(user, data, limit=5, text="", evidence=""):
    """(score, event) pairs for the review page: the events ``data`` may restate, best first."""
    new = dict(data, evidence=evidence)
    return [(score, c["record"]) for score, c in facts.ranked_restatements(new, event_candidates(user, data, text), limit)]


def find_operation(user, name):
    """A visible operation called ``name``, or one whose name the given one contains ("Operasi Gabungan Jingyao")."""
    if not name:
        return None
    wanted = " ".join(name.casefold().split())
    best = None
    for op in Operation.objects.visible_to(user).only("pk", "name", "native_name", "owner_id").order_by("pk"):
        for known in (op.name, op.native_name):
            known = " ".join((known or "").casefold().split())
            if not known:
                continue
            if known == wanted:
                return op
            if len(known) >= 4 and (known in wanted or wanted in known) and best is None:
                best = op
    return best


def find_person(user, name):
    """A visible person with this name (any of their names, by search key), whose identity the user may read."""
    key = names.search_key(name)
    if not key:
        return None
    return (Person.objects.visible_to(user).filter(Q(protection="") | protected_visible_q(Person, user))
            .filter(names__search_key=key).order_by("pk").first())


def find_site(user, place):
    key = names.search_key(place)
    if len(key) < 3:
        return None
    for site in Site.objects.visible_to(user).filter(search_key__contains=key).order_by("pk")[:5]:
        if key in site.search_key.split("\n"):
            return site
    return None


def _person(user, name, source, proposal, role="", new=False):
    person = None if new else find_person(user, name)
    created = person is None
    if created:
        person = Person.objects.create(**_mark(user))
        PersonName.objects.create(person=person, full_name=names.nfc(name), kind=PersonName.Kind.PRIMARY)
        person.refresh_from_db(fields=["display_name"])
    cite(person, source, proposal, user)
    return person, created


def _operation(user, name, source, proposal, countries=(), new=False):
    op = None if new else find_operation(user, name)
    created = op is None
    if created:
        op = Operation.objects.create(name=name[:200], **_mark(user))
        op.countries.set(Country.objects.filter(code__in=list(countries)))
    cite(op, source, proposal, user)
    return op, created


# --- validation of (edited) data -----------------------------------------------------------------

def validated_event(data):
    """The event data an analyst may submit, cleaned; ReviewError naming the first problem."""
    cleaned = facts.clean_event(data)
    cleaned["title"] = " ".join(str(data.get("title") or "").split())[:300] or cleaned["title"]
    if data.get("type") and data.get("type") not in facts.EVENT_TYPES:
        raise ReviewError(_("“%(kind)s” is not a kind of event.") % {"kind": data.get("type")})
    date = data.get("date") or ""
    if date:
        from liaison.partialdate import PartialDate, PartialDateError

        try:
            cleaned["date"] = PartialDate.parse(date).isoformat()
        except PartialDateError:
            raise ReviewError(_("“%(date)s” is not a date. Use YYYY, YYYY-MM, YYYY-MM-DD, or --MM-DD when the year "
                                "is unknown.") % {"date": date}) from None
    unknown = [c for c in cleaned["countries"] if not Country.objects.filter(code=c).exists()]
    if unknown:
        raise ReviewError(_("Unknown country code: %(codes)s.") % {"codes": ", ".join(unknown)})
    return cleaned


# --- decisions -----------------------------------------------------------------------------------

def _decide(proposal, user, status, record=None, created=False, reason="", data=None):
    proposal.status = status
    proposal.reviewer = user
    proposal.decided_at = timezone.now()
    proposal.reason = reason[:500]
    if data is not None:
        proposal.data = data
    if record is not None:
        proposal.record_type = ContentType.objects.get_for_model(record)
        proposal.record_id = record.pk
        proposal.record_created = created
    proposal.save()
    changes = {k: {"proposed": proposal.original.get(k), "accepted": v}
               for k, v in proposal.data.items() if proposal.original.get(k) != v} if status == "edited" else {}
    audit.record(AuditEntry.Action.REVIEW, user, proposal, owner_agency=proposal.document.owner,
                 decision=status, document=proposal.document_id, kind=proposal.kind,
                 registry_record=f"{record._meta.label_lower}:{record.pk}" if record is not None else "",
                 created=created, changes=changes, reason=reason[:500])
    refresh_review(proposal.document)


def accept(proposal, user, data=None, target=None):
    """Accept ``proposal`` (with the analyst's ``data`` if edited); returns (record, created).

    ``target``: None to find the record it restates automatically, "new" to
    create one whatever matches, or the id of a visible event to attach to.

    A record found that belongs to another agency is left as it is (only its
    owner changes it): unless it already cites this report, accepting would
    change nothing, so ``OwnedElsewhere`` is raised and nothing is saved.
    """
    with transaction.atomic():
        proposal = _lock(proposal, user)
        final = dict(proposal.data if data is None else data)
        source = source_for(proposal.document, user)
        kind = proposal.kind
        if kind == ProposedFact.Kind.EVENT:
            final = validated_event(final)
            record, created = _accept_event(proposal, user, final, source, target)
        elif kind == ProposedFact.Kind.PERSON:
            name = names.nfc(str(final.get("name") or "")).strip()
            if not name:
                raise ReviewError(_("A person needs a name."))
            final = {"name": name, "role": final.get("role") if final.get("role") in facts.ROLES else "other"}
            record, created = _person(user, name, source, proposal, new=target == "new")
        elif kind == ProposedFact.Kind.OPERATION:
            name = " ".join(str(final.get("name") or "").split())
            if not name:
                raise ReviewError(_("An operation needs a name."))
            final = {"name": name, "countries": list(final.get("countries") or [])}
            record, created = _operation(user, name, source, proposal, final["countries"], new=target == "new")
        elif kind == ProposedFact.Kind.SITE:
            record, created = _accept_site(proposal, user, final, source, new=target == "new")
        else:
            raise ReviewError(_("Unknown kind of fact."))
        if not created and record.owner_id != user.agency_id and not cite(record, source, proposal, user):
            raise OwnedElsewhere(record)  # rolls back the source made for it too
        status = ProposedFact.Status.ACCEPTED if final == proposal.original else ProposedFact.Status.EDITED
        _decide(proposal, user, status, record, created, data=final)
    return record, created


def reject(proposal, user, reason=""):
    with transaction.atomic():
        proposal = _lock(proposal, user)
        _decide(proposal, user, ProposedFact.Status.REJECTED, reason=" ".join((reason or "").split()))
    return proposal


RECORD_MODELS = {
    ProposedFact.Kind.EVENT: Event,
    ProposedFact.Kind.PERSON: Person,
    ProposedFact.Kind.OPERATION: Operation,
    ProposedFact.Kind.SITE: Site,
}


def owned_elsewhere(proposal, user, record_id):
    """The record of another agency, visible to ``user``, that ``proposal`` restates; else ReviewError."""
    model = RECORD_MODELS.get(proposal.kind)
    wanted = str(record_id or "")
    if model is None or not re.fullmatch(r"[0-9]{1,18}", wanted):
        return _no_such_record()
    records = model.objects.visible_to(user).select_related("owner")
    if model is Person:  # a withheld identity is not named, not even in a request
        records = records.filter(Q(protection="") | protected_visible_q(Person, user))
    record = records.filter(pk=int(wanted)).first()
    if record is None:
        return _no_such_record()
    if record.owner_id == user.agency_id:
        raise ReviewError(_("This record is your agency's own: accept the fact to add the report to it."))
    return record


def _no_such_record():
    raise ReviewError(_("The record to ask about does not exist or is not visible to you."))


def ask_owner(proposal, user, record_id):
    """Ask the agency owning the record ``proposal`` restates to add the report
    to it: a draft request (type "Addition to one of your records") that the
    analyst checks and sends; nothing is shared before that. The fact leaves
    the queue, linked to that record, its reason saying who was asked. Returns
    (record, request)."""
    # A service of another app, imported here as the matching app does.
    from liaison.requests import services as requests

    with transaction.atomic():
        proposal = _lock(proposal, user)
        record = owned_elsewhere(proposal, user, record_id)
        document = proposal.document
        described = _("%(kind)s “%(record)s”") % {"kind": record._meta.verbose_name, "record": record}
        if isinstance(record, Event):
            described += " (" + ", ".join(x for x in (record.date, record.place, f"#{record.pk}") if x) + ")"
        addition = _("Our report “%(document)s” states the same:\n\n“%(evidence)s”\n\nPlease add it to your "
                     "record as a source. We can send you the report in this request's thread.") % {
            "document": document, "evidence": proposal.evidence.strip() or summary_of(proposal)}
        try:
            request = requests.create_request(
                user, kind="record_update", to_agency=record.owner,
                title=_("Please add our report to your %(kind)s “%(record)s”")
                % {"kind": record._meta.verbose_name, "record": record},
                body="", persons=[record] if isinstance(record, Person) else (),
                fields={"record": described[:500], "addition": addition},
            )
        except requests.RequestError as exc:  # its messages are written for officers
            raise ReviewError(str(exc)) from exc
        reason = _("Recorded by %(agency)s, who alone can add this report to it: asked them in draft request "
                   "%(ref)s.") % {"agency": record.owner.short_name, "ref": request.reference}
        _decide(proposal, user, ProposedFact.Status.ACCEPTED, record, False, reason=reason)
    return record, request


def summary_of(proposal):
    data = proposal.data
    if proposal.kind == ProposedFact.Kind.EVENT:
        return data.get("title") or facts.event_title(data)
    return data.get("name", "")


def _accept_event(proposal, user, data, source, target):
    if target == "new":
        match = None
    elif target not in (None, ""):
        # ASCII digits only: str.isdigit() accepts "²", which the database lookup refuses (a 500).
        wanted = str(target)
        match = (Event.objects.visible_to(user).filter(pk=int(wanted)).first()
                 if re.fullmatch(r"[0-9]{1,18}", wanted) else None)
        if match is None:
            raise ReviewError(_("The event to attach this report to does not exist or is not visible to you."))
    else:
        new = dict(data, evidence=proposal.evidence)
        best = facts.best_restatement(new, event_candidates(user, data, proposal.document.text))
        match = best["record"] if best else None
    if match is not None:
        cite(match, source, proposal, user)
        if match.owner_id == user.agency_id:
            known = set(match.figures.values_list("category", flat=True))
            Figure.objects.bulk_create([
                Figure(event=match, category=c, value=v, qualifier=data["qualifiers"].get(c, ""))
                for c, v in data["counts"].items() if c not in known
            ])
            if data["countries"]:
                match.countries.add(*Country.objects.filter(code__in=data["countries"]))
        return match, False

    operation = None
    if data["operation"]:
        operation, _created = _operation(user, data["operation"], source, proposal, data["countries"])
    places = ", ".join(data["places"])
    site = find_site(user, data["places"][0]) if data["places"] else None
    countries = list(Country.objects.filter(code__in=data["countries"]))
    agencies = list(Agency.objects.filter(Q(short_name__in=data["agencies"]) | Q(name__in=data["agencies"])))
    named = [a for a in data["agencies"] if a not in {x.short_name for x in agencies} | {x.name for x in agencies}]
    description = _("Taken in from “%(doc)s”.") % {"doc": proposal.document}
    if named:
        description += " " + _("Agencies named in the report: %(names)s.") % {"names": "; ".join(named)}
    event = Event.objects.create(
        kind=data["type"], title=data["title"], date=data["date"], place=places[:200], site=site,
        operation=operation, description=description, **_mark(user),
    )
    event.countries.set(countries)
    event.agencies.set(agencies)
    Figure.objects.bulk_create([
        Figure(event=event, category=c, value=v, qualifier=data["qualifiers"].get(c, "")) for c, v in data["counts"].items()
    ])
    for person in data["persons"]:
        record, _created = _person(user, person["name"], source, proposal)
        role = person["role"] if person["role"] in PARTICIPANT_ROLES else Participant.Role.OTHER
        Participant.objects.get_or_create(event=event, person=record, role=role)
    cite(event, source, proposal, user)
    return event, True


def _accept_site(proposal, user, data, source, new=False):
    name = " ".join(str(data.get("name") or "").split())
    if not name:
        raise ReviewError(_("A site needs a name."))
    site = None if new else find_site(user, name)
    if site is not None:
        cite(site, source, proposal, user)
        return site, False
    country = Country.objects.filter(code=str(data.get("country") or "").upper()).first()
    if country is None:
        raise ReviewError(_("A new site needs its country (ISO code, e.g. MM)."))
    site = Site.objects.create(name=name, country=country, locality=str(data.get("locality") or "")[:200],
                               **_mark(user))
    cite(site, source, proposal, user)
    return site, True
