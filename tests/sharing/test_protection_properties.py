"""Property-based proof that protection follows the person (issue 10).

Random worlds of agencies, persons (some protected, with or without a grant of
their protected fields to some agencies), identifiers and links between them,
each with random owners, distributions and shares. For every reader:

- the identifiers and links they see are exactly those the base rule gives,
  less those tied to a protected person whose identity they may not read
  (unless their own agency owns the record);
- no list order, in the API under every ordering it offers, on the list page or
  in the CSV export, changes when the withheld persons are renamed: the order
  says nothing about a name the reader may not read.
"""
import pytest
from django.contrib.contenttypes.models import ContentType
from django.test import Client
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from rest_framework.test import APIClient

from liaison.registry.models import Identifier, Person, PersonName, Relationship
from liaison.sharing.models import Share
from tests.factories import login, make_agency, make_user

DISTRIBUTIONS = ["owner", "shared", "members"]

record = st.fixed_dictionaries({
    "owner": st.integers(0, 2),
    "distribution": st.sampled_from(DISTRIBUTIONS),
    "share": st.sets(st.integers(0, 2), max_size=2),
})
world_strategy = st.fixed_dictionaries({
    "persons": st.lists(
        st.fixed_dictionaries({
            "rec": record,
            "protected": st.booleans(),
            "grant": st.sets(st.integers(0, 2), max_size=2),  # agencies given the protected fields
            "name": st.text(alphabet="abkmz", min_size=1, max_size=4),
        }),
        min_size=1, max_size=6,
    ),
    "identifiers": st.lists(st.fixed_dictionaries({"rec": record}), max_size=4),
    # link: (person index, identifier index, record)
    "links": st.lists(st.tuples(st.integers(0, 5), st.integers(0, 3), record), max_size=6),
})


def base_visible(rec, viewer):
    owner = rec["owner"]
    return owner == viewer or rec["distribution"] == "members" or (
        rec["distribution"] == "shared" and viewer in rec["share"])


def readable(person, viewer):
    return not person["protected"] or person["rec"]["owner"] == viewer or viewer in person["grant"]


def _make(model_kwargs, rec, agencies, model, include_protected=()):
    obj = model.objects.create(owner=agencies[rec["owner"]], distribution=rec["distribution"], **model_kwargs)
    ct = ContentType.objects.get_for_model(model)
    for a in rec["share"] | set(include_protected):
        if a != rec["owner"]:
            Share.objects.update_or_create(content_type=ct, object_id=obj.pk, agency=agencies[a],
                                           defaults={"include_protected": a in include_protected})
    return obj


def build(world):
    agencies = [make_agency(country=None) for _ in range(3)]
    users = [make_user(a) for a in agencies]
    persons = []
    for i, p in enumerate(world["persons"]):
        person = _make({"protection": "victim" if p["protected"] else ""}, p["rec"], agencies, Person,
                       include_protected=p["grant"] if p["protected"] else ())
        PersonName.objects.create(person=person, full_name=f"{p['name']} {i}")
        persons.append(person)
    idents = [_make({"kind": "email", "value": f"id{i}@mail.example"}, d["rec"], agencies, Identifier)
              for i, d in enumerate(world["identifiers"])]
    links = []
    pct, ict = ContentType.objects.get_for_model(Person), ContentType.objects.get_for_model(Identifier)
    for pi, ii, rec in world["links"]:
        if pi < len(persons) and ii < len(idents):
            links.append((pi, ii, rec, _make({"kind": "holds_account", "subject_type": pct, "subject_id": persons[pi].pk,
                                              "object_type": ict, "object_id": idents[ii].pk}, rec, agencies, Relationship)))
    return agencies, users, persons, idents, links


@pytest.mark.django_db
@settings(max_examples=12, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])
@given(world=world_strategy)
def test_identifiers_and_links_follow_the_person(world):
    for model in (Relationship, Identifier, Person, Share):
        model.objects.all().delete()
    agencies, users, persons, idents, links = build(world)
    for viewer, user in enumerate(users):
        withheld = {i for i, p in enumerate(world["persons"]) if not readable(p, viewer)}
        expected_links = {rel.pk for pi, ii, rec, rel in links
                          if base_visible(rec, viewer) and (rec["owner"] == viewer or pi not in withheld)}
        tainted = {ii for pi, ii, rec, rel in links if pi in withheld}
        expected_idents = {obj.pk for i, obj in enumerate(idents)
                           if base_visible(world["identifiers"][i]["rec"], viewer)
                           and (world["identifiers"][i]["rec"]["owner"] == viewer or i not in tainted)}
        assert set(Relationship.objects.visible_to(user).values_list("pk", flat=True)) == expected_links
        assert set(Identifier.objects.visible_to(user).values_list("pk", flat=True)) == expected_idents
        api = login(APIClient(), user)
        assert {r["id"] for r in api.get("/api/identifiers/", {"page_size": 200}).json()["results"]} == expected_idents
        assert {r["id"] for r in api.get("/api/relationships/", {"page_size": 200}).json()["results"]} == expected_links


ORDERINGS = ["name", "-name", "id", "-id", "created_at", "-created_at", "updated_at", "-updated_at"]


def _orders(user):
    api, web = login(APIClient(), user), login(Client(), user)
    out = {}
    for ordering in ORDERINGS:
        out[ordering] = [r["id"] for r in api.get("/api/persons/", {"ordering": ordering, "page_size": 200}).json()["results"]]
    page = web.get("/persons/").content.decode()
    out["page"] = [pk for pk in sorted(Person.objects.values_list("pk", flat=True), key=lambda pk: page.find(f'href="/persons/{pk}/"'))
                   if f'href="/persons/{pk}/"' in page]
    export = b"".join(web.get("/export/persons.csv")).decode()
    out["export"] = [line.split(",")[0] for line in export.splitlines()]
    return out


@pytest.mark.django_db
@settings(max_examples=8, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])
@given(world=world_strategy, renames=st.lists(st.text(alphabet="abkmz", min_size=1, max_size=4), min_size=6, max_size=6))
def test_no_order_depends_on_a_withheld_name(world, renames):
    for model in (Relationship, Identifier, Person, Share):
        model.objects.all().delete()
    agencies, users, persons, idents, links = build(world)
    before = [_orders(u) for u in users]
    # Rename every protected person: for a reader who may not read those names,
    # nothing they are shown may move.
    for i, person in enumerate(persons):
        if person.protection:
            new = f"{renames[i]} {i}"
            PersonName.objects.filter(person=person).update(full_name=new)
            Person.objects.filter(pk=person.pk).update(display_name=new)
    for viewer, user in enumerate(users):
        if all(readable(p, viewer) for p in world["persons"] if p["protected"]):
            continue  # this reader may read every renamed name: its order may rightly change
        assert _orders(user) == before[viewer]
