"""Dashboard, search and the paginated lists."""
from collections import defaultdict

from django.db.models import Prefetch, Q
from django.shortcuts import render
from django.utils.translation import gettext_lazy as _

from liaison import names
from liaison.operations.models import Case, Event, Figure, Operation
from liaison.registry.paging import COUNT_CAP, CappedPaginator
from liaison.registry.models import Identifier, Nationality, Organisation, Person, PersonName, PersonStatus, Site, Source
from liaison.registry.search import search as registry_search
from liaison.web import filters

from . import related
from .common import web_view
from .figures import as_reported, events_with_figures

PAGE_SIZE = 50


@web_view
def dashboard(request):
    user = request.user
    operations = list(Operation.objects.visible_to(user).prefetch_related("phases").order_by("-start", "name")[:20])
    by_operation = defaultdict(list)
    for event in events_with_figures(user, operation__in=[op.pk for op in operations]):
        by_operation[event.operation_id].append(event)
    ctx = {
        "operations": [(op, as_reported(by_operation.get(op.pk, []))) for op in operations],
        "visible_operations": _visible_operation_ids(user),
        "recent_events": list(Event.objects.visible_to(user).select_related("operation").order_by("-date", "-id")[:10]),
        "counts": [
            (_("Persons"), "persons", *_capped_count(Person, user)),
            (_("Organisations"), "organisations", *_capped_count(Organisation, user)),
            (_("Sites"), "sites", *_capped_count(Site, user)),
            (_("Identifiers"), "identifiers", *_capped_count(Identifier, user)),
        ],
    }
    return render(request, "web/dashboard.html", ctx)


def _capped_count(model, user):
    """(count, capped): the visible rows counted up to ``COUNT_CAP``, as the lists count them.

    An exact count of a million visible persons ran for minutes under load (bench/README.md, "Load
    test and faults") and held a web worker; nobody needs the figure beyond "more than 10,000"."""
    counted = model.objects.visible_to(user, per_row=True).values("pk").order_by()[:COUNT_CAP + 1].count()
    return min(counted, COUNT_CAP), counted > COUNT_CAP


@web_view
def search(request):
    query = request.GET.get("q", "").strip()
    results = registry_search(request.user, query) if query else None
    if results is not None and results.persons:
        # registry_search() leaves out persons whose identity is protected from
        # the user (a name hit would confirm the name), so every hit may be shown.
        kept = results.persons
        matching = defaultdict(list)
        key = names.search_key(query)
        # Persons the matcher found may share no substring with the query
        # (明菊兰 for "MING JU LAN"): their names sharing a matcher key are shown too.
        scored = [p.pk for p in kept if getattr(p, "match_score", None) is not None]
        query_keys = names.name_keys(query) if scored else set()
        for name in PersonName.objects.filter(Q(search_key__contains=key) | Q(person__in=scored), person__in=kept):
            if key in name.search_key or query_keys & names.name_keys(name.full_name):
                matching[name.person_id].append(name)
        for person in kept:
            person.matching_names = matching.get(person.pk, [])
    return render(request, "web/search.html", {"query": query, "results": results})


def _visible_operation_ids(user):
    """Rows of other types name an operation only when it is visible in its own right."""
    return set(Operation.objects.visible_to(user).values_list("pk", flat=True))


class ListSpec:
    def __init__(self, title, filterset, queryset, row_template, new_allowed=True):
        self.title, self.filterset, self.queryset = title, filterset, queryset
        self.row_template, self.new_allowed = row_template, new_allowed


def _persons(user):
    # Shares tested row by row: a page and a count capped at 10,000 read few
    # rows, and hashing every share of persons to the user first cost more than
    # the list (the list of one nationality: 1.4 s to 9 ms at a million persons,
    # bench/README.md).
    return related.with_identity_flag(
        Person.objects.visible_to(user, per_row=True).select_related("owner").prefetch_related(
            Prefetch("nationalities", queryset=Nationality.objects.select_related("country")),
            Prefetch("statuses", queryset=PersonStatus.objects.select_related("country")),
        ),
        user,
    )


LISTS = {
    "persons": ListSpec(_("Persons"), filters.PersonFilter, _persons, "web/rows/person.html"),
    "organisations": ListSpec(
        _("Organisations"), filters.OrganisationFilter,
        lambda u: Organisation.objects.visible_to(u).select_related("owner", "country"), "web/rows/organisation.html",
    ),
    "sites": ListSpec(
        _("Sites"), filters.SiteFilter,
        lambda u: Site.objects.visible_to(u).select_related("owner", "country"), "web/rows/site.html",
    ),
    "identifiers": ListSpec(
        _("Identifiers"), filters.IdentifierFilter,
        lambda u: Identifier.objects.visible_to(u).select_related("owner", "country"), "web/rows/identifier.html",
    ),
    "operations": ListSpec(
        _("Operations"), filters.OperationFilter,
        lambda u: Operation.objects.visible_to(u).select_related("owner", "lead_agency").prefetch_related("countries"),
        "web/rows/operation.html",
    ),
    "cases": ListSpec(
        _("Cases"), filters.CaseFilter,
        lambda u: Case.objects.visible_to(u).select_related("owner", "operation", "phase").order_by("-opened", "reference", "id"),
        "web/rows/case.html",
    ),
    "events": ListSpec(
        _("Events"), filters.EventFilter,
        lambda u: Event.objects.visible_to(u).select_related("owner", "operation").prefetch_related("countries"),
        "web/rows/event.html",
    ),
    "sources": ListSpec(
        _("Sources"), filters.SourceFilter,
        lambda u: Source.objects.visible_to(u).select_related("owner"), "web/rows/source.html",
    ),
}


# Lists sorted by name follow the reader's collation (ICU through the database:
# pinyin order for a Chinese reader, dictionary order for a Thai one); the
# protected persons' sort_name is blank whatever the collation (issue 10).
_NAME_ORDER = {"persons": "sort_name", "organisations": "name", "sites": "name"}


def _in_reader_order(slug, queryset, filterset=None):
    from django.db.models import F
    from django.db.models.functions import Collate
    from django.utils.translation import get_language

    from liaison.core.sqlite_collations import collation_for

    field = _NAME_ORDER.get(slug)
    if field is None:
        return queryset
    if slug == "persons" and filterset is not None and filterset.nationality_chosen():
        # The same name, copied onto the nationality the filter joined: PostgreSQL
        # walks (country, name in this collation, person) and stops after the
        # page, instead of sorting every person of that nationality (migration
        # registry 0010; 2.3 s at a million persons before).
        field = "nationalities__sort_name"
    return queryset.order_by(Collate(F(field), collation_for(get_language())), "id")


@web_view
def record_list(request, slug):
    spec = LISTS[slug]
    filterset = spec.filterset(request.GET or None, queryset=spec.queryset(request.user), user=request.user, request=request)
    # Counted only up to 10,000: an exact count of a million visible persons takes seconds.
    page = CappedPaginator(_in_reader_order(slug, filterset.qs, filterset), PAGE_SIZE).get_page(request.GET.get("page"))
    return render(request, "web/list.html", {
        "slug": slug, "spec": spec, "filter": filterset, "page": page,
        "filtered": any(v for k, v in request.GET.items() if k != "page"),
        "can_add": spec.new_allowed and request.user.can_edit,
        "visible_operations": _visible_operation_ids(request.user) if slug in ("events", "cases") else set(),
    })
