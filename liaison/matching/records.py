"""Registry persons as the linkage scorer's ``PersonRecord``s.

A fixed number of queries whatever the number of persons (names,
nationalities, documents, and identifiers through their relationships), so
the batch run and the incremental matcher never do one query per person. The
ids go as one array parameter on PostgreSQL (``__anyof``): ``liaison match
run`` loads tens of thousands of candidates at a time, and binding each id of
an ``IN`` list was a third of its time.
"""
from __future__ import annotations

from collections import defaultdict

from django.contrib.contenttypes.models import ContentType

from liaison.matching.keys import blocking_keys, document_key


def _evidence_visible(person, link, identifier):
    """Whether everyone who may see ``person`` may also see this identifier and its link.

    Only then does the identifier count for matching: a pair's explanation
    ("identifier +8") is shown to whoever sees both persons, and must not tell
    them that two records share a phone number they are not allowed to see.
    Each is (owner id, distribution).
    """
    owner, distribution = person
    if link[0] != owner or identifier[0] != owner:
        return False  # another agency's identifier, or its link: not the owner's own evidence
    if distribution == "owner":
        return True  # only the owner sees the person, and it sees all its own records
    wide_enough = ("public",) if distribution in ("public", "shared") else ("members", "public")
    return link[1] in wide_enough and identifier[1] in wide_enough


def _identifiers_of(persons):
    """{person id: [canonical identifier]} for ``persons`` ({id: (owner id, distribution)})."""
    from liaison.registry.models import Identifier, Person, Relationship

    person_ids = list(persons)
    person_ct = ContentType.objects.get_for_model(Person)
    identifier_ct = ContentType.objects.get_for_model(Identifier)
    # One query per direction, not one with OR: with OR, PostgreSQL tested every link row found
    # against the whole id list again (a second per 20,000 ids); unordered (the result is sorted).
    live = Relationship.objects.filter(retracted_at__isnull=True).order_by()
    pairs = [((s, o), (owner, dist)) for s, o, owner, dist in live.filter(
        subject_type=person_ct, subject_id__anyof=person_ids, object_type=identifier_ct,
    ).values_list("subject_id", "object_id", "owner_id", "distribution")]
    pairs += [((o, s), (owner, dist)) for s, o, owner, dist in live.filter(
        object_type=person_ct, object_id__anyof=person_ids, subject_type=identifier_ct,
    ).values_list("subject_id", "object_id", "owner_id", "distribution")]
    found = {
        pk: (normalized, (owner, dist))
        for pk, normalized, owner, dist in Identifier.objects.filter(
            pk__anyof=list({i for (_p, i), _l in pairs}), retracted_at__isnull=True).values_list("pk", "normalized", "owner_id", "distribution")
    }
    out = defaultdict(list)
    for (person_id, identifier_id), link in pairs:
        if identifier_id in found and _evidence_visible(persons[person_id], link, found[identifier_id][1]):
            out[person_id].append(found[identifier_id][0])
    return out


def _names(rows):
    """The names that identify: nicknames ("Big Brother", 阿强) are shared by too
    many people to count as a name match, so they are left out unless a
    person is known by nicknames only. ``rows`` are (full name, kind)."""
    formal = [name for name, kind in rows if kind != "nickname"]
    return formal or [name for name, _kind in rows]


def load(person_ids):
    """{person id: PersonRecord} for the live (not retracted) persons among ``person_ids``.

    Plain value queries rather than model instances and prefetching: the batch
    run loads every person of the registry through here, and building model
    objects was most of its time."""
    from liaison.linkage import PersonRecord
    from liaison.registry.models import IdentityDocument, Nationality, Person, PersonName

    ids = list(person_ids)
    if not ids:
        return {}
    persons = list(Person.objects.filter(pk__anyof=ids, retracted_at__isnull=True).values_list(
        "pk", "sex", "birth_date", "owner_id", "distribution"))
    live = [pk for pk, *_rest in persons]
    names, countries, documents = defaultdict(list), defaultdict(set), defaultdict(list)
    for pid, full_name, kind in PersonName.objects.filter(person_id__anyof=live).order_by("id").values_list(
            "person_id", "full_name", "kind"):
        names[pid].append((full_name, kind))
    for pid, country in Nationality.objects.filter(person_id__anyof=live).values_list("person_id", "country_id"):
        countries[pid].add(country)
    for pid, number in IdentityDocument.objects.filter(person_id__anyof=live).order_by("id").values_list("person_id", "number"):
        key = document_key(number)
        if key:
            documents[pid].append(key)
    identifiers = _identifiers_of({pk: (owner, distribution) for pk, _s, _b, owner, distribution in persons})
    return {
        pk: PersonRecord(
            id=str(pk), names=_names(names.get(pk, [])), dob=birth_date or None, countries=sorted(countries.get(pk, ())),
            documents=documents.get(pk, []), identifiers=sorted(set(identifiers.get(pk, []))), sex=sex or None,
        )
        for pk, sex, birth_date, _owner, _distribution in persons
    }


def keys_of(record):
    return blocking_keys(record.names, record.documents, record.identifiers)
