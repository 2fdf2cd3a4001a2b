"""What a searchable picker may offer: the options of one kind of choice, as the
user may see them.

Each ``Source`` answers three questions, always starting from
``Model.objects.visible_to(user)``:

- ``search(user, query, limit)``: the options matching what the officer typed
  (the JSON endpoint ``web:pick`` answers with it);
- ``first(user, limit)``: the options listed in the page itself, for browsers
  without JavaScript;
- ``chosen(user, values)``: the options for values already chosen (a form shown
  again), and the check that a submitted value is one the user could have
  picked: a value the user may not see is refused exactly like one that does
  not exist.

A person whose identity is withheld from the user is offered only as
"Protected identity #id", is never matched by a name, and sorts by
``sort_name`` (empty for every protected identity), so neither the results
nor their order say anything about the withheld name.
"""
import re
from dataclasses import dataclass

from django.contrib.contenttypes.models import ContentType
from django.db.models import Q
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from liaison import names
from liaison.registry.models import Identifier, Organisation, Person, PersonName, Site
from liaison.registry.search import identifier_candidates, identity_readable_q, person_name_filter, user_region
from liaison.sharing.visibility import protected_visible_q

# At most this many options per answer of the endpoint.
LIMIT = 20
# Options listed in the page for browsers without JavaScript (per kind of record).
FIRST = 300

_RECORD_NUMBER = re.compile(r"^#?\s*(\d{1,18})$")


class Label(str):
    """An option's text, carrying the line shown under it (status, nationality,
    owner agency...). A ``str``, so Django's choice machinery handles it as any label."""

    detail = ""

    def __new__(cls, text, detail=""):
        label = super().__new__(cls, text)
        label.detail = detail
        return label


@dataclass(frozen=True)
class Option:
    value: str
    text: str
    detail: str = ""
    group: str = ""

    def as_json(self):
        data = {"value": self.value, "text": self.text, "detail": self.detail}
        if self.group:
            data["optgroup"] = self.group
        return data

    @property
    def label(self):
        return Label(self.text, self.detail)


def record_number(query):
    """The record number typed as "123" or "#123", else None."""
    match = _RECORD_NUMBER.match(query or "")
    return int(match.group(1)) if match else None


def _join(*parts):
    return " · ".join(str(p) for p in parts if p)


# Persons ---------------------------------------------------------------------

def _person_queryset(user):
    return (
        Person.objects.visible_to(user)
        .select_related("owner")
        .prefetch_related("nationalities__country", "statuses")
        .order_by("sort_name", "id")
    )


def person_options(user, persons):
    """Options for ``persons`` (already narrowed to visible ones), each with its
    current status, nationalities and owner agency; names withheld as needed."""
    persons = list(persons)
    readable = set(
        Person.objects.filter(pk__in=[p.pk for p in persons if p.protection])
        .filter(protected_visible_q(Person, user)).values_list("pk", flat=True)
    ) if any(p.protection for p in persons) else set()
    options = []
    for person in persons:
        number = f"#{person.pk}"
        if person.protection and person.pk not in readable:
            text, number = _("Protected identity #%(id)s") % {"id": person.pk}, ""
        else:
            text = person.display_name or _("Person #%(id)s") % {"id": person.pk}
        status = person.current_status
        nationalities = ", ".join(str(n.country) for n in person.nationalities.all())
        options.append(Option(str(person.pk), text, _join(
            status.get_status_display() if status else "", nationalities, person.owner.short_name, number,
        )))
    return options


class PersonSource:
    kind = "persons"

    def search(self, user, query, limit=LIMIT):
        query = names.nfc(query)
        key = names.search_key(query)
        persons = _person_queryset(user)
        if key:
            # By a name only where the user may read it: finding a withheld
            # person by her name would confirm the name (registry/search.py).
            matching = Q(pk__in=PersonName.objects.filter(person_name_filter(key)).values("person_id"))
            matching &= identity_readable_q(user)
            number = record_number(query)
            if number is not None:
                matching |= Q(pk=number)
            persons = persons.filter(matching)
        return person_options(user, persons[:limit])

    def first(self, user, limit=FIRST):
        return person_options(user, _person_queryset(user)[:limit])

    def chosen(self, user, values):
        ids = _ids(values)
        return person_options(user, _person_queryset(user).filter(pk__in=ids)) if ids else []


def _ids(values):
    ids = []
    for value in values:
        try:
            ids.append(int(value))
        except (TypeError, ValueError):
            continue
    return ids


# Records a relationship can point to -------------------------------------------

TARGET_MODELS = (Person, Organisation, Site, Identifier)
TARGET_GROUPS = {
    Person: gettext_lazy("Persons"),
    Organisation: gettext_lazy("Organisations"),
    Site: gettext_lazy("Sites"),
    Identifier: gettext_lazy("Identifiers"),
}


def _target_queryset(model, user):
    qs = model.objects.visible_to(user).select_related("owner")
    if model is Person:
        return _person_queryset(user)
    if model is Organisation:
        return qs.select_related("country").order_by("name", "id")
    if model is Site:
        return qs.select_related("country").order_by("name", "id")
    return qs.select_related("country").order_by("kind", "normalized", "id")


def _target_options(model, user, records):
    ct = ContentType.objects.get_for_model(model)
    group = str(TARGET_GROUPS[model])
    if model is Person:
        return [
            Option(f"{ct.pk}:{o.value}", o.text, o.detail, group) for o in person_options(user, records)
        ]
    options = []
    for r in records:
        if model is Organisation:
            detail = _join(r.get_kind_display(), r.country, r.owner.short_name, f"#{r.pk}")
        elif model is Site:
            detail = _join(r.get_kind_display(), r.get_status_display(), r.country, r.owner.short_name, f"#{r.pk}")
        else:
            detail = _join(r.label, r.owner.short_name, f"#{r.pk}")
        options.append(Option(f"{ct.pk}:{r.pk}", str(r), detail, group))
    return options


def _target_matching(model, user, query, key):
    """Organisations, sites or identifiers matching ``query`` (persons: ``PersonSource``)."""
    qs = _target_queryset(model, user)
    number = record_number(query)
    by_number = Q(pk=number) if number is not None else Q(pk__in=[])
    if model in (Organisation, Site):
        return qs.filter(Q(search_key__contains=key) | by_number) if key else qs
    if not query:
        return qs
    return qs.filter(
        Q(normalized__in=identifier_candidates(query, user_region(user))) | Q(normalized__icontains=query) | Q(value__icontains=query)
        | by_number
    )


class TargetSource:
    """Persons, organisations, sites and identifiers, as "content type:id"."""

    kind = "link-targets"

    def search(self, user, query, limit=LIMIT):
        query = names.nfc(query)
        key = names.search_key(query)
        per_kind = max(1, limit // len(TARGET_MODELS))
        options = []
        for model in TARGET_MODELS:
            if model is Person:
                found = PersonSource().search(user, query, per_kind)
                ct = ContentType.objects.get_for_model(Person)
                group = str(TARGET_GROUPS[Person])
                options += [Option(f"{ct.pk}:{o.value}", o.text, o.detail, group) for o in found]
            else:
                options += _target_options(model, user, _target_matching(model, user, query, key)[:per_kind])
        return options

    def first(self, user, limit=FIRST):
        options = []
        for model in TARGET_MODELS:
            options += _target_options(model, user, _target_queryset(model, user)[:limit])
        return options

    def chosen(self, user, values):
        by_model = {}
        for value in values:
            model, pk = self.parse(value)
            if model is not None:
                by_model.setdefault(model, []).append(pk)
        options = []
        for model, ids in by_model.items():
            options += _target_options(model, user, _target_queryset(model, user).filter(pk__in=ids))
        return options

    @staticmethod
    def parse(value):
        """(model, id) of a "content type:id" value naming a possible target, else (None, None)."""
        try:
            ct_id, pk = (int(part) for part in str(value).split(":"))
            model = ContentType.objects.get_for_id(ct_id).model_class()
        except (ValueError, TypeError, ContentType.DoesNotExist):
            return None, None
        return (model, pk) if model in TARGET_MODELS else (None, None)


SOURCES = {source.kind: source for source in (PersonSource(), TargetSource())}
