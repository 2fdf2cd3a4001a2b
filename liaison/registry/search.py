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
"""
from __future__ import annotations

import unicodedata
from dataclasses import dataclass, field

from django.db.models import Q

from liaison import identifiers as idf
from liaison import names
from liaison.operations.models import Event, Operation
from liaison.registry.models import Identifier, Organisation, Person, PersonName, Site, Source
from liaison.sharing.visibility import filter_visible, protected_visible_q

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


def identifier_candidates(query: str) -> set[str]:
    """Canonical forms the query could stand for, plus the query as typed."""
    forms = {value for _kind, value in idf.guess_kinds(query)}
    forms.add(query.strip())
    return forms


# pg_trgm finds no trigram in a pattern shorter than this, so its index
# cannot help; such queries (a two-character Chinese name, "Li") match names
# that start with them, through the btree prefix index.
MIN_CONTAINS_LENGTH = 3

# Matching names fetched before visibility is applied. A full name matches a
# few; a single common family name matches tens of thousands, and then one
# query that walks persons in display order and stops at ``limit`` is cheaper
# than carrying the ids over (and gives the same answer).
NAME_CANDIDATES = 2000


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


def _persons(user, key, limit):
    name_filter = person_name_filter(key)
    # order_by(): any NAME_CANDIDATES rows will do; sorting them all would not.
    ids = list(PersonName.objects.filter(name_filter).order_by().values_list("person_id", flat=True)[:NAME_CANDIDATES])
    if len(ids) < NAME_CANDIDATES:
        candidates = filter_visible(Person.objects.filter(pk__in=set(ids)), user, per_row=True)
    else:
        # A semi-join (IN) rather than a join + DISTINCT: a person with three
        # matching names is found once, and PostgreSQL can stop at ``limit``.
        matching = PersonName.objects.filter(name_filter).values("person_id")
        candidates = Person.objects.visible_to(user).filter(pk__in=matching)
    return list(
        candidates.filter(identity_readable_q(user)).select_related("owner").order_by("display_name", "id")[:limit]
    )


def search(user, query: str, limit: int = 20) -> SearchResults:
    query = names.nfc(query).strip()
    results = SearchResults(query=query)
    key = names.search_key(query)
    if not key and not query:
        return results

    # One row per owner and canonical form at most: a handful, tested one by one.
    results.identifiers = list(
        filter_visible(Identifier.objects.filter(normalized__in=identifier_candidates(query)), user, per_row=True)
        .select_related("owner", "country").order_by("kind", "normalized", "id")[:limit]
    )
    if key and has_letter(key):
        # A person's name has letters; a phone or account number has none, and
        # skipping the person search keeps the identifier search short.
        results.persons = _persons(user, key, limit)
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
