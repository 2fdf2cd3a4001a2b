"""What the matching pages show of persons: loaded in a fixed number of queries.

Everything here starts from what the user may see: persons through
``judgeable_persons`` (visible, identity readable), sources and identifiers
through their own ``visible_to``.
"""
import re
from collections import defaultdict

from django.contrib.contenttypes.models import ContentType
from django.db.models import Prefetch
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from liaison.linkage.scoring import COMMON_NAME
from liaison.matching import statuses
from liaison.registry.models import Citation, Identifier, IdentityDocument, Nationality, Person, Relationship, Source
from liaison.sharing.visibility import citations_for

FIELD_SCALE = 10.0  # weights (log2 Bayes factors) beyond ±10 are drawn as a full bar
# The linkage comparisons' names (liaison.linkage.comparisons, plain Python) as the
# reader calls them.
FIELD_LABELS = {
    "name": _("Names (any script)"),
    "dob": _("Date of birth"),
    "country": _("Nationality or country"),
    "identifier": _("Phones, accounts, handles"),
    "sex": _("Sex"),
    "document": _("Identity documents"),
}


def persons_with_details(queryset):
    return queryset.select_related("owner").prefetch_related(
        "names",
        Prefetch("nationalities", queryset=Nationality.objects.select_related("country")),
        Prefetch("documents", queryset=IdentityDocument.objects.select_related("country")),
        "statuses",
    )


def current_status(person):
    """The person's current status from its prefetched statuses (``persons_with_details``)."""
    return statuses.current(person.statuses.all())


def attach_sources_and_identifiers(persons, user):
    """Set ``.sources`` (visible citations) and ``.identifier_list`` (visible identifiers) on each person."""
    ids = [p.pk for p in persons]
    person_ct = ContentType.objects.get_for_model(Person)
    identifier_ct = ContentType.objects.get_for_model(Identifier)
    cites = defaultdict(list)
    for c in citations_for(user, Citation.objects.filter(content_type=person_ct, object_id__in=ids,
                                                         source__in=Source.objects.visible_to(user).values("pk"))
                           .select_related("source").order_by("id")):
        cites[c.object_id].append(c)
    links = list(Relationship.objects.visible_to(user).filter(
        subject_type=person_ct, subject_id__in=ids, object_type=identifier_ct).values_list("subject_id", "object_id"))
    found = {i.pk: i for i in Identifier.objects.visible_to(user).filter(pk__in={o for _s, o in links})}
    idents = defaultdict(list)
    for person_id, identifier_id in links:
        if identifier_id in found and found[identifier_id] not in idents[person_id]:
            idents[person_id].append(found[identifier_id])
    for p in persons:
        p.sources = cites.get(p.pk, [])
        p.identifier_list = idents.get(p.pk, [])
    return persons


def field_rows(fields):
    """(field, weight, bar value 0..10, for or against) for the explanation table, strongest first."""
    rows = []
    for name, weight in sorted((fields or {}).items(), key=lambda kv: -abs(kv[1])):
        rows.append({"field": name, "label": FIELD_LABELS.get(name, name), "weight": weight,
                     "bar": min(abs(weight), FIELD_SCALE), "against": weight < 0})
    return rows


_WHY = re.compile(r"^(?P<field>\w+): (?P<how>.*?)(?:, a common name here: (?P<n>\d+) other records)?"
                  r" \((?P<weight>[+-]?\d+(?:\.\d+)?)\)$")


def why_for_reader(why):
    """The stored explanation ("name: similar spelling (+3.1)"), which the plain
    linkage code writes in English, in the reader's language: field and level
    labels were marked in liaison.linkage and are looked up here."""
    out = []
    for item in why or []:
        found = _WHY.match(str(item))
        if not found:
            out.append(str(item))
            continue
        how = gettext(found["how"])
        if found["n"]:
            how = _("%(how)s, %(common)s") % {"how": how, "common": gettext(COMMON_NAME) % {"n": found["n"]}}
        out.append(_("%(field)s: %(how)s (%(weight)s)") % {
            "field": FIELD_LABELS.get(found["field"], found["field"]), "how": how, "weight": found["weight"]})
    return out


def pairs_for_display(pairs, user):
    """The pairs with both persons loaded (names, nationalities, documents) in fixed queries."""
    pairs = list(pairs)
    ids = {p.person_a_id for p in pairs} | {p.person_b_id for p in pairs}
    people = {p.pk: p for p in persons_with_details(Person.objects.filter(pk__in=ids))}
    for pair in pairs:
        pair.left, pair.right = people[pair.person_a_id], people[pair.person_b_id]
        pair.person_a, pair.person_b = pair.left, pair.right  # no query when the page asks who holds them
        pair.rows = field_rows(pair.fields)
        pair.why_shown = why_for_reader(pair.why)
        # The analyst must see, before merging, that the two records disagree on what became of the person.
        a, b = current_status(pair.left), current_status(pair.right)
        pair.conflict = (a, b) if a is not None and b is not None and statuses.conflict(a.status, b.status) else None
    return pairs
