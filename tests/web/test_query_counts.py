"""Every list and detail page costs a fixed number of queries, however many rows
it shows: these tests fail when an N+1 creeps in."""
import pytest
from django.urls import reverse

from liaison.operations.models import Event, Figure, Participant
from liaison.registry.models import (
    Citation, Identifier, IdentityDocument, Nationality, Organisation, PersonName, PersonStatus, Site, Source,
)
from tests.factories import make_person
from tests.web.world import link
from tests.budgets import INBOX_BADGE

pytestmark = pytest.mark.django_db
N = 30
COUNTRIES = ["MM", "TH", "KH", "LA", "VN", "CN"]


@pytest.fixture
def many(world):
    cn = world.cn
    for i in range(N):
        p = make_person(cn, f"Person {i}", distribution="members", protection="victim" if i % 5 == 0 else "")
        Nationality.objects.create(person=p, country_id=COUNTRIES[i % 6])
        PersonStatus.objects.create(person=p, status="arrested", date="2023")
        org = Organisation.objects.create(owner=cn, name=f"Org {i}", country_id="MM", distribution="members")
        site = Site.objects.create(owner=cn, name=f"Site {i}", country_id="KH", operator=world.family, distribution="members")
        ident = Identifier.objects.create(owner=cn, kind="email", value=f"p{i}@example.org", distribution="members")
        event = Event.objects.create(owner=cn, kind="raid", title=f"Raid {i}", date="2023-12", operation=world.operation,
                                     phase=world.phase1, site=world.site, distribution="members")
        event.countries.set(COUNTRIES[:3])
        Figure.objects.create(event=event, category="suspects", value=i + 1, qualifier="about" if i % 2 else "")
        Source.objects.create(owner=cn, title=f"Report {i}", distribution="members")
        # Thirty of each child row on the detail pages' records.
        PersonName.objects.create(person=world.guoping, full_name=f"Alias {i}", kind="alias")
        PersonStatus.objects.create(person=world.guoping, status="detained", date=f"20{10 + i % 10}")
        IdentityDocument.objects.create(person=world.guoping, number=f"X{i}", country_id="MM")
        link(cn, world.guoping, "associate_of", p)
        link(cn, world.guoping, "associate_of", org)
        link(cn, ident, "related_to", world.guoping)
        link(cn, p, "member_of", world.family)
        Citation.objects.create(source=world.source, record=world.guoping, evidence=f"quote {i}")
        Citation.objects.create(source=world.source, record=p, evidence=f"quote {i}")
        Participant.objects.create(event=world.handover, person=p, role="suspect")
        Participant.objects.create(event=event, person=world.guoping, role="suspect")
    return world


LISTS = ["persons", "organisations", "sites", "identifiers", "operations", "events", "sources"]


@pytest.mark.parametrize("slug", LISTS)
def test_list_queries(as_mm, many, slug, django_assert_max_num_queries):
    # Session, user, second factor and the page count come on top of the rows' own queries.
    with django_assert_max_num_queries(12 + INBOX_BADGE):
        response = as_mm.get(reverse("web:list", args=[slug]))
    assert response.status_code == 200
    assert response.content.decode().count("<tr>") >= (1 if slug == "operations" else N)


def test_dashboard_queries(as_mm, many, django_assert_max_num_queries):
    with django_assert_max_num_queries(14 + INBOX_BADGE):
        assert as_mm.get(reverse("web:dashboard")).status_code == 200


def test_search_queries(as_mm, many, django_assert_max_num_queries):
    # Seven result lists (persons, organisations, sites, identifiers, operations,
    # events, sources) + the candidate names + matching names + session/user/device/agency;
    # the rest are first-use content-type lookups, cached in a running server.
    with django_assert_max_num_queries(17 + INBOX_BADGE):
        assert "Person 1" in as_mm.get(reverse("web:search"), {"q": "Person"}).content.decode()


@pytest.mark.parametrize("attr", ["guoping", "family", "site", "phone", "operation", "handover", "source"])
def test_detail_queries(as_cn, many, attr, django_assert_max_num_queries):
    record = getattr(many, attr)
    slug = {"guoping": "persons", "family": "organisations", "site": "sites", "phone": "identifiers",
            "operation": "operations", "handover": "events", "source": "sources"}[attr]
    # The person page is the richest: names, nationalities, documents, statuses,
    # three kinds of linked records, citations, events and four histories.
    with django_assert_max_num_queries((28 if slug == "persons" else 20) + INBOX_BADGE):
        response = as_cn.get(reverse("web:detail", args=[slug, record.pk]))
    assert response.status_code == 200
