"""Search by name in any script and by identifier, through the visibility layer."""
import pytest

from liaison.registry.models import Identifier
from liaison.registry.search import search
from tests.factories import make_agency, make_person, make_user

pytestmark = pytest.mark.django_db


@pytest.fixture
def world():
    cn, mm = make_agency("MPS", "CN"), make_agency("MOHA", "MM")
    people = {
        "viet": make_person(cn, "Nguyễn Văn An", "阮文安", "Nguyen Van An", distribution="members"),
        "thai": make_person(cn, "สมชาย ใจดี", distribution="members"),
        "han": make_person(cn, "王明国", distribution="members"),
        "han4": make_person(cn, "欧阳明国", distribution="members"),
        "secret": make_person(cn, "王明华"),  # owner only
    }
    Identifier.objects.create(owner=cn, kind="phone", value="+95 9 4212 34567", distribution="members")
    Identifier.objects.create(owner=cn, kind="telegram", value="@hidden_boss", distribution="owner")
    return {"cn": cn, "u_cn": make_user(cn), "u_mm": make_user(mm), **people}


def names(results):
    return [p.display_name for p in results.persons]


@pytest.mark.parametrize("query,expected", [
    ("nguyen van an", "Nguyễn Văn An"),   # no diacritics, lower case
    ("NGUYỄN", "Nguyễn Văn An"),
    ("阮文安", "Nguyễn Văn An"),           # an alias in another script finds the person
    ("ใจดี", "สมชาย ใจดี"),                 # Thai surname inside the name
    ("阳明国", "欧阳明国"),                 # not at the start: "contains", three characters or more
])
def test_name_in_any_script_finds_the_person(world, query, expected):
    assert names(search(world["u_mm"], query)) == [expected]


def test_two_character_query_matches_names_that_start_with_it(world):
    # Shorter than a trigram: prefix search, which the index can answer.
    assert names(search(world["u_cn"], "王明")) == ["王明华", "王明国"]
    assert names(search(world["u_cn"], "明国")) == []  # 欧阳明国 does not start with it


def test_person_with_several_matching_names_is_listed_once(world):
    assert names(search(world["u_mm"], "nguyen van")) == ["Nguyễn Văn An"]


def test_search_never_shows_what_the_user_may_not_see(world):
    assert "王明华" not in names(search(world["u_mm"], "王明"))
    assert search(world["u_mm"], "@hidden_boss").total == 0
    assert [i.normalized for i in search(world["u_cn"], "hidden_boss").identifiers] == ["hidden_boss"]


def test_identifier_found_however_it_is_typed(world):
    results = search(world["u_mm"], "0095 9 4212 34567")
    assert [i.normalized for i in results.identifiers] == ["+959421234567"]
    assert results.total == 1


def test_empty_query_finds_nothing(world):
    assert search(world["u_cn"], "   ").total == 0
