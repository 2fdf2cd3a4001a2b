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


def test_shared_identifier_is_found_by_the_agency_it_was_shared_with(world):
    from liaison.sharing.models import Share

    wallet = Identifier.objects.create(owner=world["cn"], kind="telegram", value="@shared_boss", distribution="shared")
    assert search(world["u_mm"], "@shared_boss").identifiers == []
    Share.objects.create(record=wallet, agency=world["u_mm"].agency)
    assert [i.normalized for i in search(world["u_mm"], "@shared_boss").identifiers] == ["shared_boss"]


class TestProtectedIdentity:
    """A victim's name typed into search must not confirm that the victim is on record."""

    @pytest.fixture
    def victim(self, world):
        return make_person(world["cn"], "Trần Thị Mai", distribution="members", protection="victim")

    def test_not_found_by_name_by_an_agency_without_the_grant(self, world, victim):
        assert search(world["u_mm"], "tran thi mai").persons == []
        assert search(world["u_mm"], "tran thi mai").total == 0

    def test_found_by_the_owner(self, world, victim):
        assert names(search(world["u_cn"], "tran thi mai")) == ["Trần Thị Mai"]

    def test_found_by_an_agency_granted_the_identity(self, world, victim):
        from liaison.sharing.models import Share

        Share.objects.create(record=victim, agency=world["u_mm"].agency, include_protected=True)
        assert names(search(world["u_mm"], "tran thi mai")) == ["Trần Thị Mai"]

    def test_hidden_on_the_broad_path_too(self, world, victim, monkeypatch):
        # A query matching more names than NAME_CANDIDATES takes the single-query path.
        from liaison.registry import search as search_module

        make_person(world["cn"], "Trần Văn Nam", distribution="members")
        monkeypatch.setattr(search_module, "NAME_CANDIDATES", 1)
        assert names(search(world["u_mm"], "tran")) == ["Trần Văn Nam"]
        assert names(search(world["u_cn"], "tran")) == ["Trần Thị Mai", "Trần Văn Nam"]


def test_broad_query_gives_the_same_persons_as_a_narrow_one(world, monkeypatch):
    from liaison.registry import search as search_module

    narrow = names(search(world["u_cn"], "明"))
    monkeypatch.setattr(search_module, "NAME_CANDIDATES", 1)
    assert names(search(world["u_cn"], "明")) == narrow == []  # one character: prefix, and no name starts with 明
    assert names(search(world["u_cn"], "王明")) == ["王明华", "王明国"]


def test_operations_events_and_sources_are_found_by_name_title_place_publisher(world):
    from liaison.operations.models import Event, Operation
    from liaison.registry.models import Source

    cn = world["cn"]
    op = Operation.objects.create(owner=cn, name="Operation Mekong Dawn", native_name="湄公黎明行动", distribution="members")
    Operation.objects.create(owner=cn, name="Operation Mekong Secret", distribution="owner")
    Event.objects.create(owner=cn, kind=Event.Kind.values[0], title="Raid at KK Park", place="Myawaddy",
                         date="2023-10", operation=op, distribution="members")
    Source.objects.create(owner=cn, title="Xinhua report", publisher="Xinhua", distribution="members")

    mm = world["u_mm"]
    assert [o.name for o in search(mm, "mekong").operations] == ["Operation Mekong Dawn"]  # the owner-only one stays hidden
    assert [o.name for o in search(mm, "湄公").operations] == ["Operation Mekong Dawn"]
    assert [e.title for e in search(mm, "myawaddy").events] == ["Raid at KK Park"]
    assert [e.title for e in search(mm, "KK Park").events] == ["Raid at KK Park"]
    assert [s.title for s in search(mm, "xinhua").sources] == ["Xinhua report"]
    assert search(mm, "xinhua").total == 1
    assert len(search(world["u_cn"], "mekong").operations) == 2


def test_a_number_finds_identifiers_and_titles_but_is_no_person_name(world):
    from liaison.operations.models import Event

    Event.objects.create(owner=world["cn"], kind=Event.Kind.values[0], title="Handover of +959421234567 holder",
                         date="2024", distribution="members")
    results = search(world["u_mm"], "+959421234567")
    assert [i.normalized for i in results.identifiers] == ["+959421234567"]
    assert [e.title for e in results.events] == ["Handover of +959421234567 holder"]
    assert results.persons == [] and results.total == 2


def test_search_page_shows_operations_events_and_sources(client, world):
    from django.urls import reverse

    from liaison.operations.models import Event, Operation
    from liaison.registry.models import Source
    from tests.factories import login

    cn = world["cn"]
    Operation.objects.create(owner=cn, name="Operation Mekong Dawn", native_name="湄公黎明行动", distribution="members")
    Event.objects.create(owner=cn, kind=Event.Kind.values[0], title="Mekong handover", place="Muse", date="2024-03",
                         distribution="members")
    Source.objects.create(owner=cn, title="Report", publisher="Mekong Post", distribution="members")
    page = login(client, world["u_mm"]).get(reverse("web:search"), {"q": "mekong"}).content.decode()
    for text in ("Operation Mekong Dawn", "湄公黎明行动", "Mekong handover", "Muse", "Mekong Post", "3 results"):
        assert text in page
