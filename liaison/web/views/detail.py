"""One page per record: everything the registry holds about it that the user may see."""
from collections import defaultdict

from django.db.models import Prefetch
from django.shortcuts import render
from django.utils.translation import gettext_lazy as _

from liaison.operations.models import Case, Event, Figure, Operation, Participant, Phase
from liaison.registry.models import (
    Citation, Identifier, IdentityDocument, Nationality, Organisation, Person, PersonName, PersonStatus,
    Relationship, Site, Source,
)
from liaison.sharing.visibility import citations_for, reveal_protected

from . import related
from .common import GRAPHED, SLUGS, get_visible, web_view
from .figures import as_reported, events_with_figures


def _common(request, record):
    return {
        "record": record,
        "links": related.relationships(record, request.user),
        "citations": related.citations(record, request.user),
        "can_change": request.user.can_edit and record.owner_id == request.user.agency_id,
        "can_add": request.user.can_edit,
        "slug": SLUGS[type(record)],
        "graphable": SLUGS[type(record)] in GRAPHED,
    }


@web_view
def person_detail(request, pk):
    person = get_visible(
        Person.objects.select_related("owner", "created_by").prefetch_related(
            "names",
            Prefetch("nationalities", queryset=Nationality.objects.select_related("country")),
            Prefetch("documents", queryset=IdentityDocument.objects.select_related("country")),
            Prefetch("statuses", queryset=PersonStatus.objects.select_related("country")),
        ),
        request.user, pk,
    )
    identity = reveal_protected(person, request.user)
    ctx = _common(request, person)
    children = [
        (Nationality.history.filter(person_id=person.pk), _("nationality")),
        (PersonStatus.history.filter(person_id=person.pk), _("status")),
    ]
    if identity:
        children += [
            (PersonName.history.filter(person_id=person.pk), _("name")),
            (IdentityDocument.history.filter(person_id=person.pk), _("document")),
        ]
    ctx.update(
        identity=identity,
        participations=list(
            Participant.objects.filter(person=person, event__in=Event.objects.visible_to(request.user))
            .select_related("event").order_by("-event__date")
        ),
        identifier_links=[link for link in ctx["links"] if link.other_model is Identifier],
        history=related.history(person, children),
    )
    return render(request, "web/person_detail.html", ctx)


@web_view
def organisation_detail(request, pk):
    org = get_visible(Organisation.objects.select_related("owner", "country"), request.user, pk)
    ctx = _common(request, org)
    ctx.update(
        members=[link for link in ctx["links"] if link.other_model is Person and not link.outgoing],
        sites=list(Site.objects.visible_to(request.user).filter(operator=org).select_related("country")),
        history=related.history(org),
    )
    return render(request, "web/organisation_detail.html", ctx)


@web_view
def site_detail(request, pk):
    site = get_visible(Site.objects.select_related("owner", "country", "operator"), request.user, pk)
    ctx = _common(request, site)
    operator = site.operator
    if operator is not None and not Organisation.objects.visible_to(request.user).filter(pk=operator.pk).exists():
        operator = related.HIDDEN
    ctx.update(
        operator=operator,
        events=list(Event.objects.visible_to(request.user).filter(site=site)),
        history=related.history(site),
    )
    return render(request, "web/site_detail.html", ctx)


@web_view
def identifier_detail(request, pk):
    identifier = get_visible(Identifier.objects.select_related("owner", "country"), request.user, pk)
    ctx = _common(request, identifier)
    ctx["history"] = related.history(identifier)
    return render(request, "web/identifier_detail.html", ctx)


@web_view
def operation_detail(request, pk):
    op = get_visible(
        Operation.objects.select_related("owner", "lead_agency").prefetch_related("agencies", "countries", "phases"),
        request.user, pk,
    )
    events = list(events_with_figures(request.user, operation=op))
    reported = as_reported(events)
    ctx = _common(request, op)
    ctx.update(
        phases=[(phase, [row for row in reported if row[0].phase_id == phase.pk]) for phase in op.phases.all()],
        unphased=[row for row in reported if row[0].phase_id is None],
        has_figures=bool(reported),
        events=events,
        cases=list(Case.objects.visible_to(request.user).filter(operation=op).select_related("phase")),
        history=related.history(op, [(Phase.history.filter(operation_id=op.pk), _("phase"))]),
    )
    return render(request, "web/operation_detail.html", ctx)


@web_view
def case_detail(request, pk):
    user = request.user
    case = get_visible(Case.objects.select_related("owner", "operation", "phase"), user, pk)
    # As on the event page: the operation is named only when visible in its own right.
    operation = case.operation if case.operation_id and Operation.objects.visible_to(user).filter(pk=case.operation_id).exists() else None
    ctx = _common(request, case)
    ctx.update(
        operation=operation, phase=case.phase if operation else None,
        events=list(Event.objects.visible_to(user).filter(case=case).order_by("-date", "-id")),
        history=related.history(case),
    )
    return render(request, "web/case_detail.html", ctx)


@web_view
def event_detail(request, pk):
    user = request.user
    event = get_visible(
        Event.objects.select_related("owner", "site", "operation", "phase", "case", "from_country", "to_country")
        .prefetch_related("figures", "countries", "agencies"),
        user, pk,
    )
    # Linked records are shown only when visible in their own right.
    site = event.site if event.site and Site.objects.visible_to(user).filter(pk=event.site_id).exists() else None
    operation = event.operation if event.operation and Operation.objects.visible_to(user).filter(pk=event.operation_id).exists() else None
    visible_people = related.with_identity_flag(Person.objects.visible_to(user), user)
    participants = list(
        Participant.objects.filter(event=event)
        .prefetch_related(Prefetch("person", queryset=visible_people))
        .filter(person__in=Person.objects.visible_to(user))
    )
    for p in participants:
        p.label = related.label_of(p.person)
        if p.person.protection and not p.person.identity_readable:
            p.note = ""  # free text about her ("<name>, 17, ..."): withheld with her name (never saved)
    ctx = _common(request, event)
    ctx.update(
        site=site, operation=operation, phase=event.phase if operation else None,
        participants=participants,
        figures=list(event.figures.all()),
        history=related.history(event, [(Figure.history.filter(event_id=event.pk), _("figure"))]),
    )
    return render(request, "web/event_detail.html", ctx)


@web_view
def source_detail(request, pk):
    source = get_visible(Source.objects.select_related("owner"), request.user, pk)
    cites = citations_for(request.user, Citation.objects.filter(source=source).order_by("id"))
    resolved = related.resolve(request.user, [(c.content_type_id, c.object_id) for c in cites])
    # Only records the reader may see: a citation exists for a reader when both its
    # source and its record are (as in the API); "a record you cannot see" here
    # told the source's owner that another agency holds a hidden record built on it.
    cited_by = [(c, ref) for c in cites if (ref := resolved[(c.content_type_id, c.object_id)]).visible]
    ctx = _common(request, source)
    ctx.update(cited_by=cited_by, history=related.history(source))
    return render(request, "web/source_detail.html", ctx)


@web_view
def relationship_detail(request, pk):
    rel = get_visible(Relationship.objects.select_related("owner"), request.user, pk)
    ends = related.resolve(request.user, [(rel.subject_type_id, rel.subject_id), (rel.object_type_id, rel.object_id)])
    ctx = _common(request, rel)
    ctx.update(
        subject=ends[(rel.subject_type_id, rel.subject_id)],
        object=ends[(rel.object_type_id, rel.object_id)],
        history=related.history(rel),
    )
    return render(request, "web/relationship_detail.html", ctx)


DETAIL_VIEWS = {
    "persons": person_detail,
    "organisations": organisation_detail,
    "sites": site_detail,
    "identifiers": identifier_detail,
    "operations": operation_detail,
    "cases": case_detail,
    "events": event_detail,
    "sources": source_detail,
    "relationships": relationship_detail,
}


def detail(request, slug, pk):
    """Dispatch by slug; urls.py only routes the slugs of DETAIL_VIEWS here."""
    return DETAIL_VIEWS[slug](request, pk)
