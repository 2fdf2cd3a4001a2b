"""Query counts: lists and details must not grow with the number of rows."""
import pytest
from django.contrib.contenttypes.models import ContentType

from liaison.operations.models import Event, Operation
from liaison.registry.models import (
    Citation, IdentityDocument, Nationality, Person, PersonName, PersonStatus, Relationship, Site, Source,
)
from liaison.sharing.models import Share

pytestmark = pytest.mark.django_db

# Session, user, OTP device and the page count come on top of the real work;
# the budget leaves room for that but not for one query per row.
LIST_BUDGET = 20


def many_persons(owner, n=50, **kwargs):
    persons = Person.objects.bulk_create([Person(owner=owner, display_name=f"P{i:03}", **kwargs) for i in range(n)])
    source = Source.objects.create(owner=owner, title="Xinhua", reliability="B")
    ct = ContentType.objects.get_for_model(Person)
    for p in persons:
        PersonName.objects.bulk_create([PersonName(person=p, full_name=f"P{p.pk}", search_key="p"),
                                        PersonName(person=p, full_name=f"别名{p.pk}", kind="alias", search_key="b")])
        Nationality.objects.create(person=p, country_id="CN")
        IdentityDocument.objects.create(person=p, number=f"E{p.pk}")
        PersonStatus.objects.create(person=p, status="arrested")
        Citation.objects.create(source=source, content_type=ct, object_id=p.pk, evidence="…")
    return persons


def test_person_list_of_50(world, client_for, django_assert_max_num_queries):
    many_persons(world["cn"], distribution="members", protection="victim")
    api = client_for(world["mm_editor"])
    with django_assert_max_num_queries(LIST_BUDGET):
        response = api.get("/api/persons/")
    assert len(response.json()["results"]) == 50 and response.json()["results"][0]["protected"] is True


def test_person_list_of_50_as_owner(world, client_for, django_assert_max_num_queries):
    many_persons(world["cn"])
    api = client_for(world["cn_editor"])
    with django_assert_max_num_queries(LIST_BUDGET):
        response = api.get("/api/persons/")
    results = response.json()["results"]
    assert len(results) == 50 and len(results[0]["names"]) == 2 and results[0]["citations"][0]["source"]["reliability"] == "B"


def test_person_detail(world, client_for, django_assert_max_num_queries):
    person = many_persons(world["cn"], n=1)[0]
    api = client_for(world["cn_editor"])
    with django_assert_max_num_queries(LIST_BUDGET):
        assert api.get(f"/api/persons/{person.pk}/").status_code == 200


def test_relationship_list(world, client_for, django_assert_max_num_queries):
    persons = many_persons(world["cn"], n=25, distribution="members")
    site = Site.objects.create(owner=world["cn"], name="Hidden", country_id="MM")
    pct, sct = ContentType.objects.get_for_model(Person), ContentType.objects.get_for_model(Site)
    Relationship.objects.bulk_create([
        Relationship(owner=world["cn"], distribution="members", kind="works_at",
                     subject_type=pct, subject_id=p.pk, object_type=sct, object_id=site.pk) for p in persons
    ])
    api = client_for(world["mm_editor"])
    with django_assert_max_num_queries(LIST_BUDGET):
        results = api.get("/api/relationships/").json()["results"]
    assert len(results) == 25 and results[0]["object"]["visible"] is False


def test_event_list(world, client_for, django_assert_max_num_queries):
    persons = many_persons(world["cn"], n=10, distribution="shared")
    for p in persons:
        Share.objects.create(content_type=ContentType.objects.get_for_model(Person), object_id=p.pk, agency=world["mm"])
    op = Operation.objects.create(owner=world["cn"], name="Op", distribution="members")
    for i in range(30):
        event = Event.objects.create(owner=world["cn"], distribution="members", kind="arrest", title=f"E{i}", operation=op)
        event.countries.set(["MM", "CN"])
        event.figures.create(category="suspects", value=i + 1)
        for p in persons[:3]:
            event.participants.create(person=p, role="suspect")
    api = client_for(world["mm_editor"])
    with django_assert_max_num_queries(LIST_BUDGET):
        results = api.get("/api/events/").json()["results"]
    assert len(results) == 30 and len(results[0]["participants"]) == 3


def test_operation_and_source_lists(world, client_for, django_assert_max_num_queries):
    for i in range(20):
        op = Operation.objects.create(owner=world["cn"], name=f"Op{i}")
        op.phases.create(number=1)
        op.countries.set(["MM"])
        Source.objects.create(owner=world["cn"], title=f"S{i}")
    api = client_for(world["cn_editor"])
    for url in ("/api/operations/", "/api/sources/", "/api/agencies/", "/api/citations/"):
        with django_assert_max_num_queries(LIST_BUDGET):
            assert api.get(url).status_code == 200
