"""The person page's "same person as …" box and watchlist status (``{% same_person_as record %}``).

A template tag rather than a change to the person view: the view belongs to
the web app, and this box costs two queries when the person is in no cluster.
"""
from django import template
from django.db.models import Exists, OuterRef, Subquery

from liaison.matching import display, services
from liaison.matching.models import EntityMember, WatchlistEntry
from liaison.registry.models import Person

register = template.Library()


@register.filter
def current_status(person):
    """The person's current status (its statuses prefetched by ``display.persons_with_details``)."""
    return display.current_status(person)


@register.inclusion_tag("matching/_same_person.html", takes_context=True)
def same_person_as(context, person):
    request = context.get("request")
    user = getattr(request, "user", None)
    # A withheld identity shows no link to other records: the link would name the person.
    if user is None or not context.get("identity", True):
        return {"show": False}
    # One query for the usual case (no cluster): cluster and watchlist entry as subqueries.
    live = {"person": OuterRef("pk"), "removed_at__isnull": True}
    watch = WatchlistEntry.objects.filter(**live)
    state = Person.objects.filter(pk=person.pk).annotate(
        cluster=Subquery(EntityMember.objects.filter(**live).values("entity_id")[:1]),
        watched=Exists(watch),
        watch_reason=Subquery(watch.values("reason")[:1]),
        watch_since=Subquery(watch.values("since")[:1]),
        watch_automatic=Subquery(watch.values("automatic")[:1]),
    ).values("cluster", "watched", "watch_reason", "watch_since", "watch_automatic").first() or {}
    entity_id = state.get("cluster")
    others = []
    if entity_id is not None:
        members = (services.visible_members(user, entity_id).exclude(person_id=person.pk)
                   .filter(person__in=services.judgeable_persons(user).values("pk")).values_list("person_id", flat=True))
        others = list(display.persons_with_details(Person.objects.filter(pk__in=list(members))))
        display.attach_sources_and_identifiers(others, user)
    watch = None
    if state.get("watched"):
        watch = WatchlistEntry(reason=state["watch_reason"], since=state["watch_since"], automatic=state["watch_automatic"])
    return {
        "show": True, "person": person, "entity_id": entity_id, "others": others, "watch": watch,
        "can_watch": getattr(user, "can_edit", False) and person.owner_id == user.agency_id,
        "csrf_token": context.get("csrf_token"), "user": user,
    }
