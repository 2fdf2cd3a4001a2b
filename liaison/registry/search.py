"""Search across the registry by any name in any script or any identifier.

One function for the web UI, the API and the CLI. Results come only from
``visible_to(user)`` querysets, so search never reveals a record, a count or a
snippet the user may not see.
"""
from __future__ import annotations

from dataclasses import dataclass, field

from django.db.models import Q

from liaison import identifiers as idf
from liaison import names
from liaison.registry.models import Identifier, Organisation, Person, PersonName, Site


@dataclass
class SearchResults:
    query: str
    persons: list = field(default_factory=list)
    organisations: list = field(default_factory=list)
    sites: list = field(default_factory=list)
    identifiers: list = field(default_factory=list)

    @property
    def total(self):
        return len(self.persons) + len(self.organisations) + len(self.sites) + len(self.identifiers)


def identifier_candidates(query: str) -> set[str]:
    """Canonical forms the query could stand for, plus the query as typed."""
    forms = {value for _kind, value in idf.guess_kinds(query)}
    forms.add(query.strip())
    return forms


# pg_trgm finds no trigram in a pattern shorter than this, so its index
# cannot help; such queries (a two-character Chinese name, "Li") match names
# that start with them, through the btree prefix index.
MIN_CONTAINS_LENGTH = 3


def person_name_filter(key: str) -> Q:
    """The person-name condition for search key ``key``: contains, or starts with when short."""
    if len(key) >= MIN_CONTAINS_LENGTH:
        return Q(search_key__contains=key)
    return Q(search_key__startswith=key)


def search(user, query: str, limit: int = 20) -> SearchResults:
    query = names.nfc(query)
    results = SearchResults(query=query)
    key = names.search_key(query)
    if not key and not query:
        return results

    results.identifiers = list(
        Identifier.objects.visible_to(user)
        .filter(normalized__in=identifier_candidates(query))
        .select_related("owner", "country")[:limit]
    )
    if key:
        # A semi-join (IN) rather than a join + DISTINCT: a person with three
        # matching names is found once, and PostgreSQL can stop at ``limit``.
        matching = PersonName.objects.filter(person_name_filter(key)).values("person_id")
        results.persons = list(
            Person.objects.visible_to(user)
            .filter(pk__in=matching)
            .select_related("owner")
            .order_by("display_name", "id")[:limit]
        )
        results.organisations = list(
            Organisation.objects.visible_to(user).filter(search_key__contains=key).select_related("owner")[:limit]
        )
        results.sites = list(
            Site.objects.visible_to(user).filter(search_key__contains=key).select_related("owner", "country")[:limit]
        )
    return results
