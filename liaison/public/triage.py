"""Triage of public reports into the registry: confirm, merge with an existing
record, reject (issue 11, officer side).

A scam report's identifiers become registry identifiers. Each is merged into a
registry identifier of the same canonical value that the officer may see (their
agency's or one shared with it), or into the agency's own record, created
(TLP:AMBER, owner only) when it holds none. The choice is remembered per agency
(``AttachedIdentifier``): later reports to that agency naming the same value
attach to the same record on arrival. The same identifier reported a hundred
times is one identifier with a hundred reports.

A missing-relative report, confirmed, becomes a person of the agency (a
protected identity: a family's report names a victim) citing the report as its
source, or is joined to a person a hit already found, if the officer may see it.

The reporter's contact is never copied into the registry: it stays on the
report, which only the agency it was sent to reads.
"""
from __future__ import annotations

from dataclasses import dataclass, field

from django.contrib.contenttypes.models import ContentType
from django.db import transaction
from django.db.models import Count
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy as _l

from liaison import identifiers as idf

from .models import AttachedIdentifier, PublicReport, ReportLink
from .services import NotAllowed, _decide, _family, may_triage, relative_contact

_CANNOT_MERGE = _l("You cannot merge into this record: it has another value, or your agency cannot see it.")


def _kinds_like(kind):
    family = _family(kind)
    return sorted(k for k in idf.KIND_CODES if _family(k) == family)


def candidates(user, kind, value):
    """The live registry identifiers of this canonical value ``user`` may see: their
    agency's first, then those of the same kind."""
    from liaison.registry.models import Identifier

    rows = (Identifier.objects.visible_to(user).filter(normalized=value, kind__in=_kinds_like(kind),
                                                      retracted_at__isnull=True).select_related("owner"))
    return sorted(rows, key=lambda i: (i.owner_id != user.agency_id, i.kind != kind, i.pk))


def _attached(agency_id, pairs):
    """{(family, value): registry identifier id} of the agency's earlier choices."""
    values = {v for _k, v in pairs}
    if not agency_id or not values:
        return {}
    return {(row.kind, row.normalized): row.record_id
            for row in AttachedIdentifier.objects.filter(agency_id=agency_id, normalized__in=values)}


def attach_on_arrival(report, links):
    """A new report's identifiers attach to the records its agency chose for the same values."""
    attached = _attached(report.agency_id, [(link.identifier.kind, link.identifier.normalized) for link in links])
    for link in links:
        record_id = attached.get((_family(link.identifier.kind), link.identifier.normalized))
        if record_id:
            link.record_id = record_id
            link.save(update_fields=["record"])


def confirmed_counts(agency_id, record_ids):
    """{registry identifier id: confirmed reports of ``agency_id`` attached to it}. The
    agency's own reports only: another agency's triage is not its business."""
    if not record_ids:
        return {}
    return dict(ReportLink.objects.filter(record_id__in=record_ids, report__agency_id=agency_id,
                                          report__status=PublicReport.Status.CONFIRMED)
                .values_list("record_id").annotate(n=Count("report", distinct=True)).order_by())


@dataclass
class Choice:
    """One identifier of a report, the records it may be merged into, the one proposed
    (None: a new record of the agency) and its reports to the agency."""
    link: ReportLink
    options: list = field(default_factory=list)
    proposed: int | None = None
    current: object = None  # the record it is attached to, if the officer may see it
    has_own: bool = False
    reports: int = 0


def identifier_choices(user, report, counts=True):
    links = list(ReportLink.objects.filter(report=report).select_related("identifier", "record"))
    attached = _attached(report.agency_id, [(link.identifier.kind, link.identifier.normalized) for link in links])
    rows = []
    for link in links:
        ident = link.identifier
        options = candidates(user, ident.kind, ident.normalized)
        visible = {o.pk for o in options}
        remembered = attached.get((_family(ident.kind), ident.normalized))
        proposed = next((pk for pk in (link.record_id, remembered) if pk in visible), None)
        if proposed is None:
            proposed = next((o.pk for o in options if o.owner_id == user.agency_id), None)
        for option in options:
            option.is_own = option.owner_id == user.agency_id
        rows.append(Choice(link=link, options=options, proposed=proposed,
                           current=next((o for o in options if o.pk == link.record_id), None),
                           has_own=any(o.is_own for o in options)))
    if not counts:
        return rows
    counts = confirmed_counts(report.agency_id, {o.pk for row in rows for o in row.options})
    per_value = dict(ReportLink.objects.filter(identifier__in=[row.link.identifier_id for row in rows],
                                               report__agency_id=report.agency_id)
                     .values_list("identifier_id").annotate(n=Count("report", distinct=True)).order_by())
    for row in rows:
        row.reports = per_value.get(row.link.identifier_id, 0)
        for option in row.options:
            option.confirmed_reports = counts.get(option.pk, 0)
    return rows


def same_person_options(user, report):
    """The persons a hit of this report found that ``user`` may see with their identity
    (only those can be judged the same person)."""
    from liaison.matching.services import judgeable_persons

    ids = list(report.hits.values_list("person_id", flat=True))
    if not ids:
        return []
    return list(judgeable_persons(user).filter(pk__in=ids, retracted_at__isnull=True).select_related("owner"))


# Confirming ---------------------------------------------------------------------------------

@transaction.atomic
def confirm(user, report, into=None, person=None):
    """Confirm ``report``, in one transaction, audited.

    ``into`` maps a ``ReportLink`` id to the registry identifier to merge it into
    (an id) or None for the agency's own record, created if it has none; a link
    left out keeps the record proposed to the officer. ``person``, for a
    missing relative: the id of a person a hit found, or None for a new person.

    Confirming a confirmed report changes nothing (a double click)."""
    if not may_triage(user, report):
        raise NotAllowed(_("Only the agency this report was sent to can decide on it."))
    # The row lock makes a second click wait for the first, then find it confirmed.
    report = PublicReport.objects.select_for_update().get(pk=report.pk)
    if report.status == PublicReport.Status.CONFIRMED:
        return report
    if report.status != PublicReport.Status.RECEIVED:
        raise ValueError(_("This report was already decided."))
    merged, created = _merge_identifiers(user, report, into or {})
    detail = {"merged": merged, "created": created}
    fields = {}
    if report.kind == PublicReport.Kind.MISSING and report.names:
        found, source, new = _record_person(user, report, person)
        fields = {"person": found, "source": source}
        detail["new_person"] = new
    return _decide(user, report, PublicReport.Status.CONFIRMED, detail=detail, **fields)


def _merge_identifiers(user, report, into):
    from liaison.registry.models import Identifier

    rows = identifier_choices(user, report, counts=False)
    if set(into) - {row.link.pk for row in rows}:
        raise NotAllowed(str(_CANNOT_MERGE))
    merged, created = [], []
    for row in rows:
        link, ident = row.link, row.link.identifier
        options = {o.pk: o for o in row.options}
        wanted = into.get(link.pk, row.proposed)
        if wanted is None:  # "a new record": the agency's own, if it already holds one
            wanted = next((pk for pk, o in options.items() if o.owner_id == report.agency_id), None)
        if wanted is not None:
            if wanted not in options:
                raise NotAllowed(str(_CANNOT_MERGE))
            record = options[wanted]
            merged.append(record.pk)
        else:
            record, new = Identifier.objects.get_or_create(
                owner_id=report.agency_id, kind=ident.kind, normalized=ident.normalized,
                defaults={"value": ident.normalized, "distribution": "owner", "tlp": "AMBER", "created_by": user,
                          "notes": _("From public report %(ref)s") % {"ref": report.reference}})
            (created if new else merged).append(record.pk)
        link.record = record
        link.save(update_fields=["record"])
        family = _family(ident.kind)
        AttachedIdentifier.objects.update_or_create(agency_id=report.agency_id, kind=family,
                                                    normalized=ident.normalized,
                                                    defaults={"record": record, "attached_by": user})
        # The duplicates already waiting in the agency's queue follow the latest choice too.
        ReportLink.objects.filter(report__agency_id=report.agency_id, report__status=PublicReport.Status.RECEIVED,
                                  identifier__kind__in=_kinds_like(ident.kind),
                                  identifier__normalized=ident.normalized).update(record=record)
    return merged, created


def _record_person(user, report, person_id):
    """(person, source, whether the person is new) for a confirmed missing-relative report."""
    from liaison.registry.models import Citation, Identifier, Person, Relationship, Source

    if person_id is not None:
        person = next((p for p in same_person_options(user, report) if p.pk == person_id), None)
        if person is None:
            raise NotAllowed(_("You cannot join this report to that person."))
        new = False
    else:
        person, new = _new_person(user, report), True
    marking = {"owner_id": report.agency_id, "distribution": "owner", "tlp": "AMBER", "created_by": user}
    source = Source.objects.create(
        title=_("Public report %(ref)s: missing relative") % {"ref": report.reference},
        kind=Source.Kind.TESTIMONY, language=report.language,
        published=timezone.localdate(report.created_at).isoformat(), reference=report.reference,
        text=_source_text(report), **marking)
    if new:
        Citation.objects.create(source=source, record=person, evidence="\n".join(report.names))
    contact = relative_contact(report)
    if contact:
        kind, value = contact
        identifier, _new = Identifier.objects.get_or_create(
            owner_id=report.agency_id, kind=kind, normalized=value, defaults={"value": value, **marking})
        Relationship.objects.get_or_create(
            owner_id=report.agency_id, subject_type=ContentType.objects.get_for_model(Person), subject_id=person.pk,
            object_type=ContentType.objects.get_for_model(Identifier), object_id=identifier.pk,
            kind=Relationship.Kind.USES_PHONE if kind == idf.PHONE else Relationship.Kind.USES_HANDLE,
            defaults={key: value for key, value in marking.items() if key != "owner_id"})
        Citation.objects.create(source=source, record=identifier, evidence=report.relative_contact)
    return person, source, new


def _new_person(user, report):
    from liaison.core.models import Country
    from liaison.registry.models import Nationality, Person, PersonName, PersonStatus

    person = Person.objects.create(
        owner_id=report.agency_id, distribution="owner", tlp="AMBER", protection=Person.Protection.VICTIM,
        birth_date=report.birth_date or "", created_by=user,
        notes=_("From public report %(ref)s") % {"ref": report.reference})
    # The names as the family wrote them (NFC since the report arrived), in any script.
    for i, name in enumerate(report.names):
        PersonName.objects.create(person=person, full_name=name,
                                  kind=PersonName.Kind.PRIMARY if i == 0 else PersonName.Kind.ALIAS)
    if report.nationality and Country.objects.filter(code=report.nationality).exists():
        Nationality.objects.create(person=person, country_id=report.nationality)
    PersonStatus.objects.create(person=person, status=PersonStatus.Status.MISSING, note=report.last_place[:500])
    return person


def _source_text(report):
    """What the family told, field by field, for the records to cite. Neither the
    reporter's contact nor their free text (which often repeats it) is copied: both
    stay on the report, which only the agency it was sent to reads."""
    fields = ("relative_names", "birth_date", "nationality", "last_place", "relative_contact", "recruiter")
    lines = []
    for name in fields:
        value = getattr(report, name)
        if value:
            label = PublicReport._meta.get_field(name).verbose_name
            lines.append(f"{label}: {value}".replace("\n", "; "))
    return "\n".join(lines)


# Joining one report to another ------------------------------------------------------------------

@transaction.atomic
def join(user, report, other):
    """The same story sent twice: ``report`` is joined to ``other``, of the same agency."""
    if other.pk == report.pk or not may_triage(user, other):
        raise NotAllowed(_("A report can only be joined to another report of your agency."))
    for link in ReportLink.objects.filter(report=report):
        ReportLink.objects.get_or_create(report=other, identifier_id=link.identifier_id,
                                         defaults={"as_written": link.as_written, "record_id": link.record_id})
    return _decide(user, report, PublicReport.Status.MERGED, merged_into=other)
