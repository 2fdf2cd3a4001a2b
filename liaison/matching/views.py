"""Pages of the matching app: the queue of candidate matches, identity clusters,
watchlist hits and the watchlist. Thin: querysets from the visibility layer,
writes through ``services``; a pair, cluster or notice the user may not see
is a 404.
"""
from django.contrib import messages
from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from liaison.matching import display, services
from liaison.matching.models import EntityMember, PairDecision, WatchlistEntry
from liaison.registry.models import Person
from liaison.web.views.common import web_view

PAGE_SIZE = 20


def _found(getter, *args):
    try:
        return getter(*args)
    except services.NotFound:
        raise Http404 from None


@web_view
def queue(request):
    """Open candidate pairs the user's agency may decide (both persons visible, one its own), most probable first."""
    pairs = services.decidable_pairs(request.user).order_by("-probability", "id")
    page = Paginator(pairs, PAGE_SIZE).get_page(request.GET.get("page"))
    return render(request, "matching/queue.html", {
        "page": page, "pairs": display.pairs_for_display(page.object_list, request.user),
        "can_decide": request.user.can_edit,
    })


@web_view
def pair_detail(request, pk):
    pair = _found(services.get_pair, request.user, pk)
    pair = display.pairs_for_display([pair], request.user)[0]
    display.attach_sources_and_identifiers([pair.left, pair.right], request.user)
    # The pair is shown only to whoever may see both records: its history and reasons with it.
    decisions = PairDecision.objects.filter(pair=pair).select_related("by__agency")
    return render(request, "matching/pair.html", {"pair": pair, "can_decide": services.may_decide(request.user, pair),
                                                  "decisions": decisions})


@require_POST
@web_view
def merge(request, pk):
    pair = _found(services.get_pair, request.user, pk)
    try:
        entity = services.merge(request.user, pair, request.POST.get("note", ""),
                                confirm_statuses=request.POST.get("confirm_statuses") == "yes")
    except services.MatchingError as exc:
        messages.error(request, str(exc))
        return redirect("matching:pair", pk=pair.pk)
    messages.success(request, _("Merged: both records now belong to one identity cluster. Each agency keeps its own record."))
    return redirect("matching:entity", pk=entity.pk)


@require_POST
@web_view
def reject(request, pk):
    pair = _found(services.get_pair, request.user, pk)
    try:
        services.reject(request.user, pair, request.POST.get("note", ""))
    except services.MatchingError as exc:
        messages.error(request, str(exc))
        return redirect("matching:pair", pk=pair.pk)
    messages.success(request, _("Rejected: this pair will not be proposed again."))
    return redirect("matching:queue")


def _told(user, officer, note, pair_visible):
    """(who, note) of a cluster membership as ``user`` may read them. A note typed
    about a match the user may not see often names its hidden record ("same as
    our file on ..."): shown only when the user sees both records of that match,
    or their own agency wrote it. An officer is named to their own agency; other
    agencies read the agency (as in a record's history)."""
    own = officer is not None and officer.agency_id is not None and officer.agency_id == user.agency_id
    if officer is None:
        who = _("system")
    elif own:
        who = officer.get_username()
    else:
        who = officer.agency.short_name if officer.agency_id else _("platform administrator")
    return who, (note if own or pair_visible else "")


@web_view
def entity_detail(request, pk):
    """An identity cluster: its members the user may see, with all their names, identifiers and sources."""
    entity = _found(services.get_entity, request.user, pk)
    judgeable = services.judgeable_persons(request.user)
    members = list(services.visible_members(request.user, entity).filter(person__in=judgeable.values("pk"))
                   .select_related("added_by__agency", "person", "pair__person_a", "pair__person_b"))
    persons = {p.pk: p for p in display.persons_with_details(Person.objects.filter(pk__in=[m.person_id for m in members]))}
    display.attach_sources_and_identifiers(list(persons.values()), request.user)
    # The pair that merged a member is linked only if the user may see both of its persons.
    shown_pairs = set(services.visible_pairs(request.user, status=None)
                      .filter(pk__in=[m.pair_id for m in members if m.pair_id]).values_list("pk", flat=True))
    for m in members:
        m.person_detail = persons[m.person_id]
        m.shown_pair = m.pair if m.pair_id in shown_pairs else None
        m.can_split = services.may_split(request.user, m)
        m.who, m.shown_reason = _told(request.user, m.added_by, m.reason, m.pair_id in shown_pairs or m.pair_id is None)
    past = list(EntityMember.objects.filter(entity=entity, removed_at__isnull=False, person__in=judgeable.values("pk"))
                .select_related("person", "removed_by__agency").order_by("-removed_at"))
    past_pairs = set(services.visible_pairs(request.user, status=None)
                     .filter(pk__in=[m.pair_id for m in past if m.pair_id]).values_list("pk", flat=True))
    for m in past:
        m.who, m.shown_reason = _told(request.user, m.removed_by, m.removal_reason,
                                      m.pair_id in past_pairs or m.pair_id is None)
    return render(request, "matching/entity.html", {
        "entity": entity, "members": members, "past": past,
    })


@require_POST
@web_view
def split(request, pk):
    # Only a membership of a person the user may judge: any other id is a 404,
    # so that no answer tells of a cluster the user cannot see.
    member = _found(services.get_member, request.user, pk)
    try:
        services.split(request.user, member, request.POST.get("note", ""))
    except services.NotFound:
        raise Http404 from None
    except services.MatchingError as exc:
        messages.error(request, str(exc))
        return redirect("matching:entity", pk=member.entity_id)
    messages.success(request, _("Split: the record was taken out of the cluster; its pairs are back in the queue."))
    try:
        services.get_entity(request.user, member.entity_id)
    except services.NotFound:
        return redirect("matching:queue")
    return redirect("matching:entity", pk=member.entity_id)


@web_view
def hits(request):
    """The agency's watchlist hits, each from its own side only."""
    page = Paginator(services.notices_for(request.user).select_related("watched_agency", "matched_agency"),
                     PAGE_SIZE * 2).get_page(request.GET.get("page"))
    notices = list(page.object_list)
    own_ids = set()
    for n in notices:
        n.own_id, n.other_agency, n.role = n.side(request.user.agency_id)
        own_ids.add(n.own_id)
    # The agency's own records only: the other side's record is never loaded for the page.
    readable = dict(Person.objects.filter(pk__in=own_ids, owner_id=request.user.agency_id).values_list("pk", "display_name"))
    for n in notices:
        n.own_name = readable.get(n.own_id, "")
        n.message = n.message_for(request.user.agency_id)
        n.requested = n.request_of(request.user.agency_id)[0] is not None
    return render(request, "matching/hits.html", {"notices": notices, "page": page})


@web_view
def hit_detail(request, pk):
    notice = _found(services.get_notice, request.user, pk)
    notice.own_id, notice.other_agency, notice.role = notice.side(request.user.agency_id)
    notice.message = notice.message_for(request.user.agency_id)
    own = Person.objects.filter(pk=notice.own_id).only("id", "display_name", "owner_id", "protection").first()
    # The user's own side's request, and only if the user may see it: never the other side's draft.
    own_request = services.visible_request(request.user, notice)
    return render(request, "matching/hit.html", {
        "notice": notice, "own": own, "can_request": request.user.can_share,
        "own_request": own_request, "requested_at": notice.request_of(request.user.agency_id)[1],
    })


@require_POST
@web_view
def request_details(request, pk):
    notice = _found(services.get_notice, request.user, pk)
    try:
        notice = services.request_details(request.user, notice)
    except services.MatchingError as exc:
        messages.error(request, str(exc))
    else:
        messages.success(request, _("A draft request for details was prepared for %(agency)s. Review and send it.")
                         % {"agency": notice.side(request.user.agency_id)[1].short_name})
    return redirect("matching:hit", pk=notice.pk)


@web_view
def watchlist(request):
    """Watchlisted persons the user may see (other agencies' listings of invisible records never appear)."""
    entries = (WatchlistEntry.objects.filter(removed_at__isnull=True,
                                             person__in=services.judgeable_persons(request.user).values("pk"))
               .select_related("person", "agency", "listed_by").order_by("-since", "id"))
    page = Paginator(entries, 50).get_page(request.GET.get("page"))
    return render(request, "matching/watchlist.html", {"page": page})


@require_POST
@web_view
def watch(request, person_pk):
    person = Person.objects.visible_to(request.user).filter(pk=person_pk).first()
    if person is None:
        raise Http404
    try:
        services.add_to_watchlist(request.user, person, request.POST.get("reason", ""))
    except services.MatchingError as exc:
        messages.error(request, str(exc))
    else:
        messages.success(request, _("On the watchlist: other agencies' matching records will raise a hit notice."))
    return redirect(reverse("web:detail", args=["persons", person.pk]))


@require_POST
@web_view
def unwatch(request, pk):
    entry = WatchlistEntry.objects.filter(pk=pk, removed_at__isnull=True,
                                          person__in=Person.objects.visible_to(request.user).values("pk")).first()
    if entry is None:
        raise Http404
    try:
        services.remove_from_watchlist(request.user, entry)
    except services.MatchingError as exc:
        messages.error(request, str(exc))
    else:
        messages.success(request, _("Taken off the watchlist."))
    return redirect("matching:watchlist")
