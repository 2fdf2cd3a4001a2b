"""Alerts of saved searches: tell an analyst when a record becomes visible to them
and matches one of their saved searches.

A record becomes visible to someone when it is created, shared (with their
agency, a sharing group of it, an operation or phase they are assigned to),
when its distribution widens, when its retraction is withdrawn, or when they
are assigned to an operation it was shared with. Each of these is announced
by a lower layer (``post_save`` of the record, of a ``Share``, of an
``OperationAssignment``, and the audit entry every marking change and restore
writes): ``liaison.analysis.alert_signals`` collects them per transaction and
queues ``run_pending`` once it commits (the task ``liaison.tasks.alerts_pending``:
a worker evaluates it, off the officer's request); ``run_catch_up`` (``liaison alerts
run``) looks at the same events since its last run, for anything missed (bulk
loads send no signal; a failed evaluation is caught up).

Whether a record matches is decided by the owner's own view of the registry:
``visible_to(owner)`` first, then the search page's conditions for that owner
(a protected identity they may not read is never found by a name), or the list
page's FilterSet bound to the saved filters. A record already reported
(``SavedSearchMatch``) is never reported again; the saved search's row is
locked while one is evaluated, so two evaluations at once cannot both report.

A notice names the saved search and the type of record, never the record's
content: the notice outlives retraction and un-sharing, the record's page
does not. Its link leads to the record (404 once it is withdrawn).

Cost per save (bench/README.md, ``bench/saved_alerts_bench.py``): one query
for the records' marking and texts (one more for persons: their names; up to
three for a shared record: its recipients), one for the saved searches whose
owners could see them (``_audience_q``), one for all the list filters among
them at once (``_listed``, text filters left to Python); a query of the search
page is tested in Python (``saved_queries.PreparedSearch``). Only a saved search
the record could match costs queries of its own (``evaluate``): a person who
matches nothing costs four queries, however many saved searches there are.
"""
from __future__ import annotations

import logging
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import timedelta

from django.apps import apps
from django.contrib.contenttypes.models import ContentType
from django.db import transaction
from django.db.models import Exists, OuterRef, Q
from django.http import QueryDict
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from liaison import identifiers as idf
from liaison import names
from liaison.analysis import saved_queries
from liaison.analysis.models import SavedSearch, SavedSearchMatch
from liaison.core.models import Distribution

log = logging.getLogger(__name__)

# Up to this many new matches of one saved search at once, one notice each (with
# a link to the record); more, and one notice links to the saved search's page.
NOTICE_EACH = 3
# Matches reported per saved search and evaluation; the rest wait for the next run.
CAP = 5000
# The catch-up looks this far before its last run: a record written in a
# transaction that committed after the run began is not missed.
OVERLAP = timedelta(minutes=10)
NOTICE_KIND = "saved_search"

# Fields a saved query of the search page is tested on, per record type.
TEXT_FIELDS = {
    "registry.organisation": ("search_key",),
    "registry.site": ("search_key",),
    "registry.identifier": ("kind", "normalized"),
    "operations.operation": ("name", "native_name"),
    "operations.event": ("title", "place"),
    "registry.source": ("title", "publisher"),
}
PERSON = "registry.person"


def _label(model):
    return model._meta.label_lower


def _region(user):
    from liaison.registry.search import user_region

    return user_region(user)


# What a saved search matches ------------------------------------------------------

def search_condition(model, query, owner):
    """The search page's condition for ``query`` on ``model``, as ``registry.search``
    applies it for ``owner`` (None: it finds no record of that type). The
    matcher's cross-script hits of persons are added by ``_matcher_hits``."""
    from liaison.registry.models import PersonName
    from liaison.registry.search import has_letter, identifier_candidates, person_name_filter

    label = _label(model)
    query = saved_queries.clean_search_query(query)
    key = names.search_key(query)
    if not key and not query:
        return None
    if label == "registry.identifier":
        condition = Q(normalized__in=identifier_candidates(query, _region(owner)))
        prefix = idf.prefix_form(query)
        if prefix is not None:
            condition |= Q(kind__in=idf.PREFIX_KINDS, normalized__istartswith=prefix)
        return condition
    if not key:
        return None
    if label == PERSON:
        if not has_letter(key):
            return None
        return Q(pk__in=PersonName.objects.filter(person_name_filter(key)).values("person_id"))
    if label in ("registry.organisation", "registry.site"):
        return Q(search_key__contains=key)
    fields = {
        "operations.operation": ("name", "native_name"),
        "operations.event": ("title", "place"),
        "registry.source": ("title", "publisher"),
    }.get(label)
    if not fields:
        return None
    return Q(**{f"{fields[0]}__icontains": query}) | Q(**{f"{fields[1]}__icontains": query})


def _matcher_hits(query, candidates, keyed=None):
    """Persons of ``candidates`` (visible, readable) the search finds through the
    matcher: sharing a name key with ``query`` and scored above its candidate
    threshold. ``keyed``: the persons known to share a key (computed from their
    names on arrival); else the search's own look-up in ``MatchKey``."""
    from liaison.registry.search import _matcher_candidates, _scored

    query = saved_queries.clean_search_query(query)
    key = names.search_key(query)
    if not key:
        return set()
    keyed = _matcher_candidates(query) if keyed is None else keyed
    if not keyed:
        return set()
    ids = list(candidates.filter(pk__in=list(keyed)).values_list("pk", flat=True))
    return set(_scored(query, ids)) if ids else set()


def list_filterset(saved, owner, queryset=None):
    """The list page's FilterSet bound to ``saved``'s filters, for ``owner``."""
    from liaison.web.views.pages import LISTS

    spec = LISTS[saved.kind]
    queryset = spec.queryset(owner) if queryset is None else queryset
    return spec.filterset(QueryDict(saved.query), queryset=queryset, user=owner)


def matching_ids(saved, model, candidates=Q(), *, per_row=False, keyed=None, exclude_reported=True, limit=CAP):
    """Ids of the records of ``model`` among ``candidates`` that ``saved``'s owner
    may see and that match it (not yet reported, unless told), at most ``limit``."""
    from liaison.registry.models import Person
    from liaison.registry.search import identity_readable_q
    from liaison.sharing.visibility import filter_visible

    owner = saved.owner
    base = filter_visible(model.objects.filter(candidates), owner, per_row=per_row)
    if exclude_reported:
        reported = SavedSearchMatch.objects.filter(
            search=saved, content_type=ContentType.objects.get_for_model(model), object_id=OuterRef("pk"))
        base = base.exclude(Exists(reported))
    if saved.kind == saved_queries.SEARCH:
        condition = search_condition(model, saved.query, owner)
        if model is Person:
            base = base.filter(identity_readable_q(owner))
        found = set(base.filter(condition).order_by().values_list("pk", flat=True)[:limit]) if condition else set()
        if model is Person and len(found) < limit:
            found |= _matcher_hits(saved.query, base.exclude(pk__in=found), keyed)
        return sorted(found)[:limit]
    if saved_queries.LIST_MODELS.get(saved.kind) != _label(model):
        return []
    # The list page's FilterSet over the owner's visible records (the list's own
    # queryset adds only joins and an order, nothing that narrows it).
    filterset = list_filterset(saved, owner, base)
    if not filterset.is_valid():
        # A filter that no longer means anything to the owner (an operation they
        # may no longer see) matches nothing, rather than being dropped.
        return []
    return list(filterset.qs.order_by("pk").values_list("pk", flat=True)[:limit])


# Reporting ------------------------------------------------------------------------

def _record_url(model, pk):
    from liaison.web.views.common import SLUGS

    return reverse("web:detail", args=[SLUGS[model], pk])


def _notify(saved, found):
    """Notices for ``found`` ({model: [ids]}), to the saved search's owner only."""
    from liaison.requests.notifications import notify

    owner, name = saved.owner, saved.name
    total = sum(len(ids) for ids in found.values())
    title = lambda: _("New match for your saved search “%(name)s”") % {"name": name}  # noqa: E731
    if total <= NOTICE_EACH:
        for model, ids in found.items():
            for pk in ids:
                kind = model._meta.verbose_name
                notify(agency=owner.agency, user=owner, kind=NOTICE_KIND, title=title, url=_record_url(model, pk),
                       body=lambda kind=kind: _("A %(kind)s you may see matches it. Open the notice to read the record.")
                       % {"kind": kind})
        return total
    notify(
        agency=owner.agency, user=owner, kind=NOTICE_KIND,
        url=reverse("analysis:saved_detail", args=[saved.pk]),
        title=lambda: ngettext(
            "%(count)s new record matches your saved search “%(name)s”",
            "%(count)s new records match your saved search “%(name)s”", total) % {"count": total, "name": name},
        body=lambda: _("Open the notice to see the records."),
    )
    return total


def evaluate(saved_pk, candidates_by_model, *, per_row=False, keyed=None):
    """Find and report the new matches of one saved search among the candidates
    ({model: Q}); returns (matches reported, whether the cap was reached).

    The saved search's row is locked meanwhile: two evaluations at once (a save
    and ``liaison alerts run``) report each record once."""
    with transaction.atomic():
        # of=self: lock the saved search's row, not its owner's or agency's.
        saved = (SavedSearch.objects.select_for_update(of=("self",)).select_related("owner", "owner__agency")
                 .filter(pk=saved_pk, alerts=True, owner__is_active=True, owner__agency__isnull=False).first())
        if saved is None:
            return 0, False
        found, capped = {}, False
        for model, candidates in candidates_by_model.items():
            ids = matching_ids(saved, model, candidates, per_row=per_row,
                               keyed=(keyed or {}).get(model) if _label(model) == PERSON else None)
            capped = capped or len(ids) >= CAP
            if ids:
                found[model] = ids
        if not found:
            return 0, capped
        now = timezone.now()
        SavedSearchMatch.objects.bulk_create([
            SavedSearchMatch(search=saved, content_type=ContentType.objects.get_for_model(model), object_id=pk,
                             reported_at=now)
            for model, ids in found.items() for pk in ids
        ], ignore_conflicts=True)
        return _notify(saved, found), capped


# Which saved searches to evaluate, on which records -----------------------------------

@dataclass
class Arrivals:
    """Records that may have become visible to someone: created ({"app.model": ids};
    persons whose names changed too), widened ({"app.model": {id: when, None for
    just now}}: shared, distribution widened, retraction withdrawn) and operation
    assignments ({id: when})."""

    created: dict = field(default_factory=lambda: defaultdict(set))
    widened: dict = field(default_factory=lambda: defaultdict(dict))
    assignments: dict = field(default_factory=dict)

    def count(self):
        return (sum(len(ids) for ids in self.created.values()) + sum(len(ids) for ids in self.widened.values())
                + len(self.assignments))


def _chunks(items, size=5000):
    items = list(items)
    for start in range(0, len(items), size):
        yield items[start:start + size]


def _audience_q(model, rows):
    """A Q over ``SavedSearch`` for the owners who could possibly see one of
    ``rows`` (a superset: visibility decides afterwards), from the records'
    marking and shares alone."""
    from liaison.operations.models import Phase
    from liaison.sharing.models import OperationAssignment, Share, SharingGroup

    live = [r for r in rows if r["retracted_at"] is None]
    if any(r["distribution"] == Distribution.PUBLIC for r in live):
        return Q()
    audience = Q(owner__agency_id__in={r["owner_id"] for r in rows})
    if any(r["distribution"] == Distribution.MEMBERS for r in live):
        audience |= Q(owner__agency__is_member=True)
    shared = [r["pk"] for r in live if r["distribution"] == Distribution.SHARED]
    if shared:
        shares = Share.objects.filter(content_type=ContentType.objects.get_for_model(model), object_id__in=shared)
        groups = SharingGroup.members.through.objects.filter(sharinggroup_id__in=shares.values("group_id"))
        operations = Q(operation_id__in=shares.values("operation_id")) | Q(
            operation_id__in=Phase.objects.filter(pk__in=shares.values("phase_id")).values("operation_id"))
        assigned = OperationAssignment.objects.filter(operations, left_at__isnull=True)
        audience |= (Q(owner__agency_id__in=shares.values("agency_id")) | Q(owner__agency_id__in=groups.values("agency_id"))
                     | Q(owner_id__in=assigned.values("user_id")))
    return audience


class _Reach:
    """Who could possibly see each of ``rows``, from their marking and shares
    (a superset: ``visible_to`` decides). Three queries at most, for the shared
    records' recipients, the sharing groups' members and the officers assigned
    to the operations records were shared with."""

    def __init__(self, model, rows):
        from liaison.operations.models import Phase
        from liaison.sharing.models import OperationAssignment, Share, SharingGroup

        self.rows = {r["pk"]: r for r in rows}
        self.agencies, self.users = defaultdict(set), defaultdict(set)
        shared = [r["pk"] for r in rows if r["distribution"] == Distribution.SHARED and r["retracted_at"] is None]
        if not shared:
            return
        shares = []
        for chunk in _chunks(shared):
            shares += Share.objects.filter(content_type=ContentType.objects.get_for_model(model), object_id__in=chunk) \
                .values_list("object_id", "agency_id", "group_id", "operation_id", "phase_id")
        groups, operations = defaultdict(set), defaultdict(set)
        group_ids = {g for _o, _a, g, _op, _ph in shares if g}
        if group_ids:
            for group_id, agency_id in SharingGroup.members.through.objects.filter(
                    sharinggroup_id__in=group_ids).values_list("sharinggroup_id", "agency_id"):
                groups[group_id].add(agency_id)
        phase_ops = dict(Phase.objects.filter(pk__in={ph for *_r, ph in shares if ph}).values_list("pk", "operation_id")) \
            if any(ph for *_r, ph in shares) else {}
        op_ids = {op for _o, _a, _g, op, _ph in shares if op} | set(phase_ops.values())
        if op_ids:
            for operation_id, user_id in OperationAssignment.objects.filter(
                    operation_id__in=op_ids, left_at__isnull=True).values_list("operation_id", "user_id"):
                operations[operation_id].add(user_id)
        for object_id, agency_id, group_id, operation_id, phase_id in shares:
            if agency_id:
                self.agencies[object_id].add(agency_id)
            if group_id:
                self.agencies[object_id] |= groups[group_id]
            for op in (operation_id, phase_ops.get(phase_id)):
                if op:
                    self.users[object_id] |= operations[op]

    def may_see(self, pk, agency_id, is_member, user_id):
        row = self.rows[pk]
        if row["owner_id"] == agency_id:
            return True
        if row["retracted_at"] is not None:
            return False
        distribution = row["distribution"]
        return (distribution == Distribution.PUBLIC or (distribution == Distribution.MEMBERS and is_member)
                or (distribution == Distribution.SHARED
                    and (agency_id in self.agencies[pk] or user_id in self.users[pk])))


# Persons of a batch up to this many get their matcher keys computed from their
# names (their MatchKey rows may not be written yet); more are read from MatchKey.
PYTHON_KEYS_LIMIT = 200


def _texts(label, rows, wanted_keys):
    """{pk: texts} of ``rows`` for ``PreparedSearch.could_match``."""
    if label != PERSON:
        fields = TEXT_FIELDS.get(label, ())
        return {r["pk"]: {f: r.get(f) for f in fields} for r in rows}
    from liaison.matching.models import MatchKey
    from liaison.registry.models import PersonName

    texts = {r["pk"]: {"names": [], "keys": [], "blocking": set()} for r in rows}
    for chunk in _chunks(texts):
        for person_id, full_name, key in PersonName.objects.filter(person_id__in=chunk).values_list(
                "person_id", "full_name", "search_key"):
            texts[person_id]["names"].append(full_name)
            texts[person_id]["keys"].append(key)
    for found in texts.values():
        found["joined"] = "\n" + "\n".join(found["keys"])
    if not wanted_keys:
        return texts
    if len(texts) <= PYTHON_KEYS_LIMIT:
        for found in texts.values():
            found["blocking"] = saved_queries.person_blocking_keys(found["names"]) & wanted_keys
    else:
        for chunk in _chunks(texts):
            for person_id, key in MatchKey.objects.filter(person_id__in=chunk, key__in=wanted_keys).values_list(
                    "person_id", "key"):
                texts[person_id]["blocking"].add(key)
    return texts


# Filters of list pages tested together in one query, this many at a time.
LIST_FILTERS_PER_QUERY = 40


_SIFTING_TESTS = {}
SIFTING_TESTS_KEPT = 1000


def _sifting_test(kind, sifted, owner):
    """The EXISTS condition of a list's filters ``sifted`` (as bound for ``owner``),
    or None if the form refuses them. Kept between saves (building a FilterSet
    and validating its form costs milliseconds and a query per chosen country):
    a kept test may have gone stale, but it only sifts, and every saved search
    it lets through is evaluated afresh."""
    key = (kind, sifted, owner.pk)
    if key not in _SIFTING_TESTS:
        model = apps.get_model(saved_queries.LIST_MODELS[kind])
        filterset = list_filterset(SavedSearch(kind=kind, query=sifted), owner, model.objects.all())
        if len(_SIFTING_TESTS) >= SIFTING_TESTS_KEPT:
            _SIFTING_TESTS.clear()
        _SIFTING_TESTS[key] = Exists(filterset.qs.filter(pk=OuterRef("pk"))) if filterset.is_valid() else None
    return _SIFTING_TESTS[key]


def _listed(model, rows, list_searches, texts):
    """{(kind, query): the pks of ``rows`` the list's filters could match, or None
    (could match any)}, for the saved list filters among ``list_searches``: one
    query for up to LIST_FILTERS_PER_QUERY distinct filters, whatever the number
    of saved searches. A superset: visibility is not applied (each saved search's
    evaluation applies it for its owner), text filters are left out of the query
    (they would scan an index of every name) and the persons' name is tested in
    Python, protected identities included (whether an owner may read one is
    for the evaluation to say)."""
    from liaison.registry.models import Person

    groups = {}
    for saved in list_searches:
        groups.setdefault((saved.kind, saved.query), saved.owner)
    result, tests = {}, []
    pks = [r["pk"] for r in rows]
    for (kind, query), owner in groups.items():
        sifted = saved_queries.without_text_filters(kind, query)
        test = _sifting_test(kind, sifted, owner) if sifted else True
        if test is None:
            result[(kind, query)] = None
        elif test is True:
            result[(kind, query)] = set(pks)
        else:
            result[(kind, query)] = set()
            tests.append(((kind, query), test))
    for batch in _chunks(tests, LIST_FILTERS_PER_QUERY):
        names_ = {f"m{i}": test for i, (_group, test) in enumerate(batch)}
        for chunk in _chunks(pks):
            for row in model.objects.filter(pk__in=chunk).annotate(**names_).values_list("pk", *names_):
                for (group, _test), hit in zip(batch, row[1:]):
                    if hit:
                        result[group].add(row[0])
    if model is Person:
        for (kind, query), found in result.items():
            if found and "name=" in query:
                result[(kind, query)] = {pk for pk in found
                                         if saved_queries.name_filter_could_match(query, texts[pk]["keys"])}
    return result


def _plan(arrivals, since_of):
    """Which saved searches to evaluate on which records: ({saved search pk:
    {model: Q}}, {saved search pk: {Person: ids sharing a matcher key}}).

    Only saved searches whose owner could see one of the records are read; a
    query of the search page is tested in Python, the list filters in one query
    per type; what remains is evaluated for real by ``evaluate``. ``since_of(saved)``:
    records created or made visible before it are no news to ``saved``."""
    plans, keyed = defaultdict(dict), defaultdict(dict)
    for label in sorted(set(arrivals.created) | set(arrivals.widened)):
        kinds = saved_queries.kinds_of(label)
        if not kinds:
            continue
        model = apps.get_model(label)
        new, wider = set(arrivals.created.get(label, ())), dict(arrivals.widened.get(label, {}))
        extra = ("protection",) if label == PERSON else ()
        rows = []
        for chunk in _chunks(sorted(new | set(wider))):
            rows += model.objects.filter(pk__in=chunk).values(
                "pk", "owner_id", "distribution", "retracted_at", "created_at", *extra, *TEXT_FIELDS.get(label, ()))
        if not rows:
            continue
        searches = list(
            SavedSearch.objects.filter(alerts=True, kind__in=kinds, owner__is_active=True, owner__agency__isnull=False)
            .filter(_audience_q(model, rows)).select_related("owner", "owner__agency").order_by("pk")
        )
        if not searches:
            continue
        by_pk = {r["pk"]: r for r in rows}
        reach = _Reach(model, rows)
        prepared = {}
        for saved in searches:
            if saved.kind == saved_queries.SEARCH:
                region = _region(saved.owner)
                prepared[(saved.query, region)] = saved_queries.prepared_search(saved.query, region)
        lists = [s for s in searches if s.kind != saved_queries.SEARCH]
        wanted = set().union(*(p.blocking for p in prepared.values())) if label == PERSON else set()
        named = label == PERSON and any("name=" in s.query for s in lists)
        texts = _texts(label, rows, wanted) if prepared or named else {}
        listed = _listed(model, rows, lists, texts)
        for saved in searches:
            since, own = since_of(saved), saved.owner.agency_id
            # A new record counts from when alerts were switched on; a record made
            # visible to others counts for every agency but its owner (which always saw it).
            eligible = {pk for pk in new if pk in by_pk and by_pk[pk]["created_at"] >= since}
            eligible |= {pk for pk, when in wider.items()
                         if pk in by_pk and by_pk[pk]["owner_id"] != own and (when is None or when >= since)}
            agency = saved.owner.agency
            eligible = {pk for pk in eligible if reach.may_see(pk, agency.pk, agency.is_member, saved.owner_id)}
            if saved.kind == saved_queries.SEARCH:
                query = saved_queries.prepared_search(saved.query, _region(saved.owner))
                eligible = {pk for pk in eligible if query.could_match(label, texts[pk])}
                if label == PERSON and eligible:
                    keyed[saved.pk][model] = {pk for pk in eligible if query.blocking & texts[pk]["blocking"]}
            elif listed.get((saved.kind, saved.query)) is not None:
                eligible &= listed[(saved.kind, saved.query)]
            if eligible:
                plans[saved.pk][model] = eligible
        _drop_reported(model, plans)
    for assignment_id, when in arrivals.assignments.items():
        _plan_assignment(assignment_id, when, since_of, plans)
    return plans, keyed


def _drop_reported(model, plans):
    """Leave out of ``plans`` the records of ``model`` already reported (one query),
    and turn the remaining ids into conditions: a catch-up looking again at the
    last minutes, or a record saved twice, costs no evaluation."""
    wanted = {pk: ids for pk, by_model in plans.items() if isinstance(ids := by_model.get(model), set)}
    if not wanted:
        return
    ct = ContentType.objects.get_for_model(model)
    every = set().union(*wanted.values())
    for chunk in _chunks(sorted(every)):
        for search_id, object_id in SavedSearchMatch.objects.filter(
                search_id__in=list(wanted), content_type=ct, object_id__in=chunk).values_list("search_id", "object_id"):
            wanted[search_id].discard(object_id)
    for pk, ids in wanted.items():
        if ids:
            plans[pk][model] = Q(pk__in=sorted(ids))
        else:
            del plans[pk][model]
            if not plans[pk]:
                del plans[pk]


def _assigned_shares_q(model, assignments):
    """Records of ``model`` shared with the operations or phases of ``assignments``
    (an OperationAssignment queryset), as ``visibility.reaches`` reads them."""
    from liaison.sharing.models import Share

    whole = assignments.filter(phase__isnull=True).values("operation_id")
    shares = Share.objects.filter(content_type=ContentType.objects.get_for_model(model)).filter(
        Q(operation_id__in=whole) | Q(phase__operation_id__in=whole)
        | Q(phase_id__in=assignments.filter(phase__isnull=False).values("phase_id")))
    return Q(pk__in=shares.values("object_id"))


def _plan_assignment(assignment_id, when, since_of, plans):
    """An officer assigned to an operation starts seeing what was shared with it
    (or with the phase): those records are candidates for their saved searches."""
    from liaison.sharing.models import OperationAssignment

    assignments = OperationAssignment.objects.filter(pk=assignment_id, left_at__isnull=True)
    user_id = assignments.values_list("user_id", flat=True).first()
    if user_id is None:
        return
    searches = SavedSearch.objects.filter(owner_id=user_id, alerts=True, owner__is_active=True,
                                          owner__agency__isnull=False).select_related("owner")
    for saved in searches:
        if when is not None and when < since_of(saved):
            continue
        for label in saved_queries.models_of(saved.kind):
            model = apps.get_model(label)
            q = _assigned_shares_q(model, assignments) & ~Q(owner_id=saved.owner.agency_id)
            existing = plans[saved.pk].get(model)
            plans[saved.pk][model] = q if existing is None else existing | q


# Per-row visibility (one index probe per candidate) below this many candidates.
PER_ROW_LIMIT = 1000


def _run(plans, keyed):
    reported = 0
    for saved_pk in sorted(plans):
        per_row = all(_size(q) < PER_ROW_LIMIT for q in plans[saved_pk].values())
        reported += evaluate(saved_pk, plans[saved_pk], per_row=per_row, keyed=keyed.get(saved_pk))[0]
    return reported


def _size(q):
    """The number of ids of a ``Q(pk__in=[...])`` (0 for other conditions: subqueries)."""
    children = getattr(q, "children", [])
    if len(children) == 1 and isinstance(children[0], tuple) and isinstance(children[0][1], (list, tuple)):
        return len(children[0][1])
    return 0


def run_pending(created=None, widened=None, assignments=()):
    """Evaluate, once a transaction has committed, the records it created
    (``created``: {"app.model": ids}; persons whose names changed too), those it
    made visible to more readers (``widened``: {"app.model": ids}: shared,
    distribution widened, retraction withdrawn) and the officers it assigned to
    operations (``assignments``: OperationAssignment ids). Returns the matches reported."""
    arrivals = Arrivals()
    for label, ids in (created or {}).items():
        arrivals.created[label] |= set(ids)
    for label, ids in (widened or {}).items():
        arrivals.widened[label].update({pk: None for pk in ids})
    arrivals.assignments.update({pk: None for pk in assignments})
    return _run(*_plan(arrivals, lambda saved: saved.alerts_since))


# Catch-up: ``liaison alerts run`` --------------------------------------------------

# Above this many records arrived since the last run (a bulk load), each saved
# search looks for its new matches with a query of its own instead.
BULK_WINDOW = 20_000


def _widening_audit(label, since):
    from liaison.audit.models import AuditEntry

    return AuditEntry.objects.filter(record_type=label, at__gte=since).filter(
        Q(action__in=[AuditEntry.Action.RESTORE, AuditEntry.Action.DISTRIBUTION])
        | Q(action=AuditEntry.Action.MARKING, detail__changes__has_key="distribution"))


def _arrivals_since(since, labels):
    """What may have become visible to someone since ``since`` (at most
    BULK_WINDOW + 1 records of a type: more tells a bulk load)."""
    from liaison.sharing.models import OperationAssignment, Share

    arrivals = Arrivals()
    for label in labels:
        model = apps.get_model(label)
        arrivals.created[label] = set(
            model.objects.filter(created_at__gte=since).order_by().values_list("pk", flat=True)[:BULK_WINDOW + 1])
        events = list(Share.objects.filter(content_type=ContentType.objects.get_for_model(model), created_at__gte=since)
                      .values_list("object_id", "created_at")[:BULK_WINDOW + 1])
        events += list(_widening_audit(label, since).values_list("record_id", "at")[:BULK_WINDOW + 1])
        widened = arrivals.widened[label]
        for pk, when in events:
            widened[pk] = max(when, widened.get(pk, when))
    arrivals.assignments = dict(OperationAssignment.objects.filter(assigned_at__gte=since, left_at__isnull=True)
                                .values_list("pk", "assigned_at"))
    return arrivals


def _window_q(model, saved, since):
    """Records of ``model`` that became visible to ``saved``'s owner since ``since``,
    or may have: created, shared, distribution widened, retraction withdrawn, or
    shared with an operation the owner was assigned to since."""
    from liaison.sharing.models import OperationAssignment, Share

    ct = ContentType.objects.get_for_model(model)
    shared = Share.objects.filter(content_type=ct, created_at__gte=since).values("object_id")
    audited = _widening_audit(_label(model), since).values("record_id")
    assigned = OperationAssignment.objects.filter(user_id=saved.owner_id, assigned_at__gte=since, left_at__isnull=True)
    widened = Q(pk__in=shared) | Q(pk__in=audited) | _assigned_shares_q(model, assigned)
    return Q(created_at__gte=since) | (widened & ~Q(owner_id=saved.owner.agency_id))


def _since(saved):
    if saved.last_run is None:
        return saved.alerts_since
    return max(saved.alerts_since, saved.last_run - OVERLAP)


def run_catch_up(now=None):
    """Report every match missed since each saved search's last run (or since its
    alerts were switched on). Idempotent: a second run reports nothing twice.
    Returns (saved searches checked, matches reported).

    What arrived since the earliest of those points is read once (records
    created, shares, audited widenings and restores, assignments), then planned
    and evaluated as after a save; a bulk load larger than BULK_WINDOW is looked
    for by each saved search with a query of its own."""
    now = now or timezone.now()
    searches = list(SavedSearch.objects.filter(alerts=True, owner__is_active=True, owner__agency__isnull=False)
                    .select_related("owner", "owner__agency").order_by("pk"))
    if not searches:
        return 0, 0
    since = {saved.pk: _since(saved) for saved in searches}
    labels = sorted({label for saved in searches for label in saved_queries.models_of(saved.kind)})
    arrivals = _arrivals_since(min(since.values()), labels)
    bulk = any(len(ids) > BULK_WINDOW for ids in arrivals.created.values()) or any(
        len(ids) > BULK_WINDOW for ids in arrivals.widened.values())
    if bulk:
        plans = {saved.pk: {apps.get_model(label): _window_q(apps.get_model(label), saved, since[saved.pk])
                            for label in saved_queries.models_of(saved.kind)} for saved in searches}
        keyed = {}
    else:
        plans, keyed = _plan(arrivals, lambda saved: since.get(saved.pk, saved.alerts_since))
    checked = reported = 0
    done = []
    for saved in searches:
        count, capped = 0, False
        if saved.pk in plans:
            try:
                count, capped = evaluate(saved.pk, plans[saved.pk], per_row=not bulk and all(
                    _size(q) < PER_ROW_LIMIT for q in plans[saved.pk].values()), keyed=keyed.get(saved.pk))
            except Exception:  # noqa: BLE001 - one broken saved search must not stop the others
                log.exception("Saved search %s could not be evaluated", saved.pk)
                continue
        checked += 1
        reported += count
        if not capped:
            # More than CAP new matches: the next run goes on from the same point.
            done.append(saved.pk)
    for chunk in _chunks(done):
        SavedSearch.objects.filter(pk__in=chunk).update(last_run=now)
    return checked, reported
