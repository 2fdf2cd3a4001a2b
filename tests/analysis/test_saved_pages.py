"""The pages of saved searches: save from the search and list pages, list,
rename, switch alerts, delete, and the records a saved search reported."""
import pytest
from django.test import Client

from liaison.analysis.models import SavedSearch, SavedSearchMatch
from liaison.operations.models import Operation
from liaison.sharing import services
from liaison.sharing.models import Role
from tests.factories import login, make_agency, make_person, make_user

pytestmark = pytest.mark.django_db


@pytest.fixture
def w():
    cn, th = make_agency("CN-Y", "CN"), make_agency("TH-Y", "TH")
    return type("World", (), dict(
        cn=cn, th=th, cn_analyst=make_user(cn), cn_officer=make_user(cn, roles=(Role.LIAISON_OFFICER,)),
        th_analyst=make_user(th)))


def client(user):
    return login(Client(), user)


def test_save_from_the_search_page(w):
    c = client(w.cn_analyst)
    page = c.get("/search/?q=Ming").content.decode()
    assert "Save this search" in page and 'name="kind" value="search"' in page
    assert "Save this search" not in c.get("/search/").content.decode()
    response = c.post("/analysis/saved/new/", {"kind": "search", "query": " Ming ", "name": "Ming family", "alerts": "1"},
                      follow=True)
    assert response.redirect_chain[-1][0] == "/search/?q=Ming"
    assert "Saved as “Ming family”" in response.content.decode()
    saved = SavedSearch.objects.get()
    assert (saved.owner, saved.kind, saved.query, saved.name, saved.alerts) == (w.cn_analyst, "search", "Ming",
                                                                               "Ming family", True)
    # The same search again: still one saved search, renamed.
    c.post("/analysis/saved/new/", {"kind": "search", "query": "Ming", "name": "Again"})
    assert list(SavedSearch.objects.values_list("name", flat=True)) == ["Again"]


def test_save_list_filters(w):
    c = client(w.cn_analyst)
    page = c.get("/persons/?name=Ming&page=1").content.decode()
    assert 'name="kind" value="persons"' in page
    c.post("/analysis/saved/new/", {"kind": "persons", "query": "page=2&name=Ming&status=wanted&bogus=1", "name": ""})
    saved = SavedSearch.objects.get()
    assert saved.query == "name=Ming&status=wanted"
    assert "Ming" in saved.name and saved.alerts is False  # no box ticked: no alerts
    listing = c.get("/analysis/saved/").content.decode()
    from liaison.registry.models import PersonStatus

    assert "Name contains" in listing and str(PersonStatus.Status("wanted").label) in listing
    assert 'href="/persons/?name=Ming&amp;status=wanted"' in listing


def test_a_filter_naming_an_operation_one_may_not_see_is_refused(w):
    """Attack: TH saves the events list filtered by CN's owner-only operation (its
    id guessed). The list refuses the choice; so does saving it. Stored anyway,
    it matches nothing and its description does not name the operation."""
    secret = Operation.objects.create(owner=w.cn, name="Secretop")
    c = client(w.th_analyst)
    c.post("/analysis/saved/new/", {"kind": "events", "query": f"operation={secret.pk}", "alerts": "1"})
    assert not SavedSearch.objects.exists()
    saved = SavedSearch.objects.create(owner=w.th_analyst, name="guess", kind="events", query=f"operation={secret.pk}")
    page = c.get("/analysis/saved/").content.decode()
    assert "Secretop" not in page and "no longer apply" in page
    from liaison.analysis.alerts import matching_ids
    from liaison.operations.models import Event

    Event.objects.create(owner=w.th, kind="raid", title="Own raid", operation=secret)
    assert matching_ids(saved, Event) == []


def test_another_users_saved_search_does_not_exist(w):
    theirs = SavedSearch.objects.create(owner=w.cn_analyst, name="Theirs", kind="search", query="Ming")
    c = client(w.th_analyst)
    assert "Theirs" not in c.get("/analysis/saved/").content.decode()
    assert c.get(f"/analysis/saved/{theirs.pk}/").status_code == 404
    for action in ("rename", "alerts", "delete"):
        assert c.post(f"/analysis/saved/{theirs.pk}/{action}/", {"name": "x", "alerts": "0"}).status_code == 404
    theirs.refresh_from_db()
    assert (theirs.name, theirs.alerts) == ("Theirs", True)


def test_rename_switch_and_delete(w):
    saved = SavedSearch.objects.create(owner=w.cn_analyst, name="Old", kind="search", query="Ming")
    c = client(w.cn_analyst)
    assert c.get(f"/analysis/saved/{saved.pk}/rename/").status_code == 405
    c.post(f"/analysis/saved/{saved.pk}/rename/", {"name": "<b>New</b>"})
    page = c.get("/analysis/saved/").content.decode()
    assert "&lt;b&gt;New&lt;/b&gt;" in page and "<b>New</b>" not in page
    c.post(f"/analysis/saved/{saved.pk}/alerts/", {"alerts": "0"})
    saved.refresh_from_db()
    assert saved.alerts is False
    c.post(f"/analysis/saved/{saved.pk}/alerts/", {"alerts": "1"})
    saved.refresh_from_db()
    assert saved.alerts is True and saved.last_run is None
    c.post(f"/analysis/saved/{saved.pk}/delete/")
    assert not SavedSearch.objects.exists()


def test_reported_records_shown_only_while_visible(w, django_capture_on_commit_callbacks):
    saved = SavedSearch.objects.create(owner=w.th_analyst, name="Ming", kind="search", query="Ming")
    with django_capture_on_commit_callbacks(execute=True):
        person = make_person(w.cn, "Ming Shownonce", distribution="members")
    c = client(w.th_analyst)
    page = c.get(f"/analysis/saved/{saved.pk}/").content.decode()
    assert "Ming Shownonce" in page and f"/persons/{person.pk}/" in page
    services.retract(w.cn_officer, person, "wrong")
    page = c.get(f"/analysis/saved/{saved.pk}/").content.decode()
    assert "Ming Shownonce" not in page and f"/persons/{person.pk}/" not in page
    assert SavedSearchMatch.objects.count() == 1


def test_index_links_and_no_agency(w):
    c = client(w.cn_analyst)
    assert "/analysis/saved/" in c.get("/analysis/").content.decode()
    from liaison.sharing.models import User

    admin = User.objects.create_user(username="platform", password="x" * 20, is_staff=True)
    assert client(admin).get("/analysis/saved/").status_code == 404


def test_the_number_of_saved_searches_is_bounded(w, monkeypatch):
    from liaison.analysis import saved_views

    monkeypatch.setattr(saved_views, "MAX_PER_USER", 2)
    c = client(w.cn_analyst)
    for query in ("Ming", "Chen", "Zhao"):
        c.post("/analysis/saved/new/", {"kind": "search", "query": query})
    assert sorted(SavedSearch.objects.values_list("query", flat=True)) == ["Chen", "Ming"]
    # Saving one already kept (renaming it) is always allowed.
    c.post("/analysis/saved/new/", {"kind": "search", "query": "Ming", "name": "Renamed"})
    assert SavedSearch.objects.filter(name="Renamed").exists()
