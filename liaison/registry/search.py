"""Search across the registry by any name in any script or any identifier.

One function for the web UI, the API and the CLI. Results come only from
``visible_to(user)`` querysets, so search never reveals a record, a count or a
snippet the user may not see; and a person whose identity is protected from
the user is never found by a name (that would confirm the name to someone not
allowed to read it).

Why it is built in steps (bench/README.md): a million persons, three million
names. A full name matches a handful of names through the trigram index, so
the matching person ids are fetched first and only those rows are tested for
visibility, each on its own (``filter_visible(per_row=True)``). Joining the name
condition into one query made PostgreSQL test visibility on every person, or
hash every share of the type first (50–90 ms whatever the hits).

Names are also looked up the way the matcher looks them up (issue 13): the
query becomes the matcher's name keys (any script, word order free, titles
dropped), the persons holding one of those keys are found through
``MatchKey`` (indexed), the visible and identity-readable ones are scored by
the matcher against the query and ranked by that score. So "Ming Xuechang"
finds "Xuechang Ming", "MING XUE CHANG" and 明学昌, which share no substring.
Each hit is listed with the other visible records of its identity cluster.
"""
from __future__ import annotations

import unicodedata
from dataclasses import dataclass, field

from django.db.models import Q

from liaison import identifiers as idf
from liaison import names
from liaison.matching.keys import blocking_keys, rank_candidates
from liaison.matching.models import EntityMember, MatchKey
from liaison.operations.models import Event, Operation
from liaison.registry.models import Identifier, Organisation, Person, PersonName, Site, Source
from liaison.sharing.visibility import filter_visible, protected_visible_q, reach_read_once

RESULT_LISTS = ("persons", "organisations", "sites", "identifiers", "operations", "events", "sources")


@dataclass
class SearchResults:
    query: str
    persons: list = field(default_factory=list)
    organisations: list = field(default_factory=list)
    sites: list = field(default_factory=list)
    identifiers: list = field(default_factory=list)
    operations: list = field(default_factory=list)
    events: list = field(default_factory=list)
    sources: list = field(default_factory=list)

    @property
    def total(self):
        """Hits shown, over every list (each list holds at most ``limit``)."""
        return sum(len(getattr(self, name)) for name in RESULT_LISTS)


def identifier_candidates(query: str, region: str | None = None) -> set[str]:
    """Canonical forms the query could stand for, plus the query as typed.

    ``region``: the searcher's country, for phone numbers typed as dialled there."""
    forms = {value for _kind, value in idf.guess_kinds(query, region)}
    forms.add(query.strip())
    return forms


def user_region(user) -> str | None:
    """The country of the user's agency (ISO alpha-2), read as home for local phone numbers."""
    agency = getattr(user, "agency", None) if getattr(user, "agency_id", None) else None
    return getattr(agency, "country_id", None) or None


# pg_trgm finds no trigram in a pattern shorter than this, so its index
# cannot help; such queries (a two-character Chinese name, "Li") match names
# that start with them, through the btree prefix index.
MIN_CONTAINS_LENGTH = 3

# Matching names fetched before visibility is applied. A full name matches a
# few; a single common family name matches tens of thousands, and then one
# query that walks persons in display order and stops at ``limit`` is cheaper
# than carrying the ids over (and gives the same answer).
NAME_CANDIDATES = 2000

# Rows of MatchKey read for one query, and persons scored out of them. A full
# name key is shared by a handful of persons; a lone common name ("Ming") by
# many, and then the substring search below lists them anyway.
MATCH_KEY_ROWS = 5000
MATCH_CANDIDATES = 200


def person_name_filter(key: str) -> Q:
    """The person-name condition for search key ``key``: contains, or starts with when short."""
    if len(key) >= MIN_CONTAINS_LENGTH:
        return Q(search_key__contains=key)
    return Q(search_key__startswith=key)


def has_letter(text: str) -> bool:
    """Whether ``text`` holds a letter of any script (names do; phone numbers do not)."""
    return any(unicodedata.category(char).startswith("L") for char in text)


def identity_readable_q(user) -> Q:
    """Persons whose names ``user`` may read: unprotected, or protected but granted."""
    return Q(protection="") | protected_visible_q(Person, user)


def _matcher_candidates(query: str) -> list[int]:
    """Person ids sharing one of the matcher's name keys with ``query``, most keys shared first."""
    keys = blocking_keys([query])
    if not keys:
        return []
    shared = MatchKey.objects.filter(key__in=keys).order_by().values_list("person_id", "key")[:MATCH_KEY_ROWS]
    return rank_candidates(shared, MATCH_CANDIDATES)


def _written_alike(a: str, b: str) -> bool:
    return " ".join(unicodedata.normalize("NFC", a).casefold().split()) == " ".join(
        unicodedata.normalize("NFC", b).casefold().split())


def _scored(query: str, person_ids) -> dict[int, tuple[bool, float]]:
    """{person id: (a name of the record is written as the query, the matcher's probability that it
    is the person named ``query``)}, for those above the candidate threshold. Only names are
    compared: the query has nothing else. A record that carries the name exactly as typed comes
    first among equals: the matcher's levels weigh a reading (pinyin) about as much as the same
    characters, but the officer who typed 明学昌 expects the record written 明学昌 on top."""
    from liaison.linkage import PersonRecord
    from liaison.matching.records import _names
    from liaison.matching.services import candidate_threshold, matcher

    rows = {}
    for pid, full_name, kind in PersonName.objects.filter(person_id__in=person_ids).order_by("id").values_list(
            "person_id", "full_name", "kind"):
        rows.setdefault(pid, []).append((full_name, kind))
    pool = [PersonRecord(id=str(pid), names=_names(found)) for pid, found in rows.items()]
    return {int(record.id): (any(_written_alike(query, name) for name, _kind in rows[int(record.id)]), score.probability)
            for record, score in matcher().candidates(PersonRecord(id="query", names=[query]), pool,
                                                      threshold=candidate_threshold())}


def _readable(user, ids) -> set[int]:
    """Those of ``ids`` (a few hundred at most) that ``user`` may see with their identity."""
    if not ids:
        return set()
    queryset = filter_visible(Person.objects.filter(pk__in=set(ids)), user, per_row=True)
    return set(queryset.filter(identity_readable_q(user)).values_list("pk", flat=True))


def _with_clusters(user, hits: list[int], limit: int) -> tuple[list[int], dict[int, int]]:
    """``hits`` in order, each followed by the other records of its identity cluster that
    ``user`` may see and read; and {member: the hit it is listed under}."""
    members: dict[int, list[int]] = {}
    entity_of: dict[int, int] = {}
    live = EntityMember.objects.filter(removed_at__isnull=True)
    for entity, pid in live.filter(entity_id__in=live.filter(person_id__in=hits).values("entity_id")).order_by(
            "entity_id", "person_id").values_list("entity_id", "person_id"):
        members.setdefault(entity, []).append(pid)
        entity_of[pid] = entity
    # Members the search itself did not find: shown only if the user may see and read them.
    allowed = set(hits) | _readable(user, {pid for pid in entity_of if pid not in set(hits)})
    order, lead = [], {}
    for pid in hits:
        if pid in lead or pid in order:
            continue
        order.append(pid)
        others = [m for m in members.get(entity_of.get(pid), []) if m != pid and m in allowed]
        # The cluster's other search hits keep their rank among themselves, before the rest.
        others.sort(key=lambda m: (hits.index(m) if m in hits else len(hits), m))
        for other in others:
            if other not in lead and other not in order:
                order.append(other)
                lead[other] = pid
    order = order[:limit]
    return order, {pid: head for pid, head in lead.items() if pid in order and head in order}


def _persons(user, key, limit, query=""):
    name_filter = person_name_filter(key)
    # order_by(): any NAME_CANDIDATES rows will do; sorting them all would not.
    ids = list(PersonName.objects.filter(name_filter).order_by().values_list("person_id", flat=True)[:NAME_CANDIDATES])
    matched = _matcher_candidates(query) if query else []
    if len(ids) < NAME_CANDIDATES:
        candidates = filter_visible(Person.objects.filter(pk__in=set(ids) | set(matched)), user, per_row=True)
    else:
        # A semi-join (IN) rather than a join + DISTINCT: a person with three
        # matching names is found once, and PostgreSQL can stop at ``limit``.
        matching = PersonName.objects.filter(name_filter).values("person_id")
        candidates = Person.objects.visible_to(user).filter(pk__in=matching)
        matched = []  # a name that common is listed by the substring search alone
    # Ids first, in display order: the objects are fetched once the cluster members are known.
    # The narrow path has at most NAME_CANDIDATES + MATCH_CANDIDATES rows, all
    # needed (a matcher hit may sort anywhere by name); the broad path stops at ``limit``.
    readable = candidates.filter(identity_readable_q(user)).order_by("display_name", "id").values_list("pk", flat=True)
    readable = list(readable if matched else readable[:limit])
    readable_set = set(readable)
    scores = _scored(query, [pid for pid in matched if pid in readable_set]) if matched else {}
    # The matcher's hits by score, then the names containing the query, in display order.
    position = {pid: i for i, pid in enumerate(readable)}
    ranked = sorted(scores, key=lambda pid: (not scores[pid][0], -scores[pid][1], position[pid]))
    # (Matcher candidates scored below the threshold are no hit unless a name contains the query.)
    by_name = set(ids)
    ranked += [pid for pid in readable if pid not in scores and (not matched or pid in by_name)]
    hits = ranked[:limit]
    if not hits:
        return []
    order, lead = _with_clusters(user, hits, limit)
    persons = Person.objects.filter(pk__in=order).select_related("owner").in_bulk()
    result = []
    for pid in order:
        person = persons[pid]
        person.match_score = scores.get(pid)
        person.cluster_lead = persons[lead[pid]] if pid in lead else None
        result.append(person)
    return result


def _identifiers(user, query, limit):
    """Identifiers the query stands for (any way of writing it, phones as dialled in the
    user's country), and wallets and accounts whose number starts with it."""
    exact = Q(normalized__in=identifier_candidates(query, user_region(user)))
    prefix = idf.prefix_form(query)
    if prefix is None:
        # One row per owner and canonical form at most: a handful, tested one by one.
        candidates = filter_visible(Identifier.objects.filter(exact), user, per_row=True)
    else:
        # istartswith: upper(normalized) LIKE 'PREFIX%', answered by the
        # text_pattern_ops index of migration registry 0008 on PostgreSQL.
        condition = exact | Q(kind__in=idf.PREFIX_KINDS, normalized__istartswith=prefix)
        ids = list(Identifier.objects.filter(condition).order_by().values_list("pk", flat=True)[:NAME_CANDIDATES])
        if len(ids) < NAME_CANDIDATES:
            candidates = filter_visible(Identifier.objects.filter(pk__in=ids), user, per_row=True)
        else:
            candidates = Identifier.objects.visible_to(user).filter(condition)
    return list(candidates.select_related("owner", "country").order_by("kind", "normalized", "id")[:limit])


def search(user, query: str, limit: int = 20) -> SearchResults:
    query = names.nfc(query).strip()
    results = SearchResults(query=query)
    key = names.search_key(query)
    if not key and not query:
        return results
    # Seven visibility-filtered lists for one user: the ids its shares reach
    # through are read once, not compiled as subqueries seven times.
    with reach_read_once(user):
        return _search(user, query, key, limit, results)


def _search(user, query, key, limit, results):

    results.identifiers = _identifiers(user, query, limit)
    if key and has_letter(key):
        # A person's name has letters; a phone or account number has none, and
        # skipping the person search keeps the identifier search short.
        results.persons = _persons(user, key, limit, query)
    if key:
        results.organisations = list(
            Organisation.objects.visible_to(user).filter(search_key__contains=key).select_related("owner")[:limit]
        )
        results.sites = list(
            Site.objects.visible_to(user).filter(search_key__contains=key).select_related("owner", "country")[:limit]
        )
        # Few rows (hundreds to thousands), no search key stored: a scan is fine.
        results.operations = list(
            Operation.objects.visible_to(user)
            .filter(Q(name__icontains=query) | Q(native_name__icontains=query)).select_related("owner")[:limit]
        )
        results.events = list(
            Event.objects.visible_to(user)
            .filter(Q(title__icontains=query) | Q(place__icontains=query)).select_related("owner")[:limit]
        )
        results.sources = list(
            Source.objects.visible_to(user)
            .filter(Q(title__icontains=query) | Q(publisher__icontains=query)).select_related("owner")[:limit]
        )
    return results
