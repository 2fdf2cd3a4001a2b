"""The capped paginator: what a list shows when it has more rows than it counts."""
import pytest

from liaison.registry.models import Person
from liaison.registry.paging import CappedPaginator
from tests.factories import make_agency, make_person

pytestmark = pytest.mark.django_db


class SmallCap(CappedPaginator):
    cap = 5


@pytest.fixture
def persons():
    cn = make_agency("MPS", "CN")
    return [make_person(cn, f"Person {i:02d}") for i in range(12)]


def test_under_the_cap_counts_exactly(persons):
    paginator = CappedPaginator(Person.objects.order_by("display_name", "id"), 5)
    assert (paginator.count, paginator.count_is_capped, paginator.num_pages) == (12, False, 3)


def test_over_the_cap_says_so_and_pages_still_reach_the_end(persons):
    paginator = SmallCap(Person.objects.order_by("display_name", "id"), 4)
    assert (paginator.count, paginator.count_is_capped) == (5, True)
    seen, number = [], 1
    while True:
        page = paginator.page(number)
        seen += [p.display_name for p in page]
        if not page.has_next():
            break
        number = page.next_page_number()
    assert seen == [f"Person {i:02d}" for i in range(12)]
    assert number == 3


def test_a_page_past_the_end_falls_back_like_django(persons):
    paginator = SmallCap(Person.objects.order_by("display_name", "id"), 4)
    assert [p.display_name for p in paginator.get_page(99)] == ["Person 04", "Person 05", "Person 06", "Person 07"]
    assert paginator.get_page("x").number == 1


@pytest.fixture
def small_cap(monkeypatch):
    monkeypatch.setattr(CappedPaginator, "cap", 5)


def test_web_list_says_more_than_the_cap(client, persons, small_cap):
    from django.urls import reverse

    from tests.factories import login, make_user

    login(client, make_user(persons[0].owner))
    page = client.get(reverse("web:list", args=["persons"])).content.decode()
    assert "More than 5 records" in page and "Person 00" in page


def test_api_list_marks_the_count_and_still_reaches_the_last_person(persons, small_cap):
    from rest_framework.test import APIClient

    from tests.factories import make_user

    api = APIClient()
    api.force_authenticate(make_user(persons[0].owner))
    body = api.get("/api/persons/", {"page_size": 4}).json()
    assert (body["count"], body["count_is_exact"]) == (5, False)
    names = [p["display_name"] for p in body["results"]]
    while body["next"]:
        body = api.get(body["next"]).json()
        names += [p["display_name"] for p in body["results"]]
    assert names == [f"Person {i:02d}" for i in range(12)]
    assert api.get("/api/persons/", {"name": "Person 01"}).json()["count_is_exact"] is True
