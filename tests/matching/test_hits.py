"""Watchlist hits across agencies: both agencies learn of the hit, neither learns the other's record."""
import json

import pytest
from rest_framework.test import APIClient

from liaison.audit.models import AuditEntry
from liaison.matching import services
from liaison.matching.models import CandidatePair, HitNotice, WatchlistEntry
from liaison.registry.models import Person, PersonStatus
from liaison.requests.models import Notification, Request
from tests.factories import login, make_person

from .conftest import SECRETS

pytestmark = pytest.mark.django_db


def assert_no_leak(text, world):
    for marker in SECRETS:
        assert marker not in text
    assert f"/persons/{world.kh_wanted.pk}/" not in text


@pytest.fixture
def hit(world, django_capture_on_commit_callbacks):
    """CN enters 陈志华 (born 1979) through the API; KH holds a fugitive Chen Zhihua, born 1979, on its watchlist."""
    services.run_batch()
    services.add_to_watchlist(world.kh_analyst, world.kh_wanted, "Warrant KH-2024-118")
    api = login(APIClient(), world.cn_analyst)
    with django_capture_on_commit_callbacks(execute=True):
        response = api.post("/api/persons/", {"names": [{"full_name": "陈志华"}], "birth_date": "1979", "sex": "male"},
                            format="json")
    assert response.status_code == 201
    world.cn_chen = Person.objects.get(pk=response.json()["id"])
    return HitNotice.objects.get()


def test_a_new_record_matching_another_agencys_fugitive_notifies_both_agencies(hit, world):
    assert (hit.watched, hit.watched_agency, hit.matched, hit.matched_agency) == (world.kh_wanted, world.kh, world.cn_chen, world.cn)
    assert hit.score >= services.hit_threshold() and hit.band == "strong"
    cn_inbox = [n.title for n in Notification.for_user(world.cn_analyst)]
    kh_inbox = [n.title for n in Notification.for_user(world.kh_analyst)]
    assert cn_inbox == ["Watchlist hit: your record matched a watchlisted record held by KHNP-T: strong match"]
    assert kh_inbox == ["Watchlist hit: your watchlisted record matched a record held by MPS-T: strong match"]
    assert not Notification.for_user(world.mm_analyst).exists()


def test_the_notice_reveals_nothing_of_the_other_record(hit, world, client):
    login(client, world.cn_analyst)
    listing = client.get("/matching/hits/").content.decode()
    assert "Your record matched a watchlisted record held by KHNP-T: strong match" in listing
    assert f"{hit.score:.2f}" not in listing
    assert "陈志华" in listing  # CN's own record
    assert_no_leak(listing, world)
    page = client.get(f"/matching/hits/{hit.pk}/").content.decode()
    assert "KHNP-T" in page and f"/persons/{world.cn_chen.pk}/" in page
    assert_no_leak(page, world)
    assert_no_leak(client.get("/requests/inbox/").content.decode(), world)
    assert client.get(f"/persons/{world.kh_wanted.pk}/").status_code == 404
    # The pair exists for the matcher but is never in CN's queue.
    assert CandidatePair.objects.filter(person_a__in=[world.kh_wanted, world.cn_chen], person_b__in=[world.kh_wanted, world.cn_chen]).exists()
    assert_no_leak(client.get("/matching/").content.decode(), world)
    assert "Chen Zhihua" not in client.get("/matching/").content.decode()

    api = login(APIClient(), world.cn_analyst)
    data = api.get("/api/matching/hits/").json()["results"]
    assert [(row["own_person"], row["other_agency"], row["role"]) for row in data] == [(world.cn_chen.pk, "KHNP-T", "matched")]
    assert_no_leak(json.dumps(data), world)
    assert world.kh_wanted.pk not in [row["id"] for row in api.get("/api/matching/candidates/").json()["results"]]
    assert api.get(f"/api/persons/{world.kh_wanted.pk}/").status_code == 404

    cn_audit = AuditEntry.objects.filter(owner_agency=world.cn)
    assert cn_audit.filter(action="watchlist_hit").count() == 1
    for entry in cn_audit:
        assert_no_leak(json.dumps(entry.detail), world)
        assert entry.record_id != world.kh_wanted.pk or entry.record_type != "registry.person"


def test_the_watchlisting_agency_sees_its_own_record_and_the_matching_agency_only(hit, world, client):
    login(client, world.kh_analyst)
    page = client.get(f"/matching/hits/{hit.pk}/").content.decode()
    assert "matched a record held by MPS-T" in page and f"/persons/{world.kh_wanted.pk}/" in page
    assert "陈志华" not in page and f"/persons/{world.cn_chen.pk}/" not in page
    login(client, world.mm_analyst)
    assert client.get(f"/matching/hits/{hit.pk}/").status_code == 404


def test_hits_are_idempotent_one_notice_per_pair(hit, world):
    services.run_batch()
    services.match_persons([world.cn_chen.pk, world.kh_wanted.pk])
    assert HitNotice.objects.count() == 1
    assert Notification.objects.filter(kind="watchlist_hit").count() == 2
    assert AuditEntry.objects.filter(action="watchlist_hit").count() == 2


def test_liaison_officer_requests_details_as_a_draft_request(hit, world, client):
    login(client, world.cn_analyst)
    client.post(f"/matching/hits/{hit.pk}/request/")
    assert not Request.objects.exists()  # analysts cannot; the page says who can
    login(client, world.cn_liaison)
    response = client.post(f"/matching/hits/{hit.pk}/request/")
    assert response.status_code == 302
    request = Request.objects.get()
    assert (request.kind, request.from_agency, request.to_agency, request.status) == ("hit_details", world.cn, world.kh, "draft")
    assert list(request.persons.all()) == [world.cn_chen]  # CN's own record, never KH's
    assert_no_leak(request.title + request.body + json.dumps(request.fields), world)
    client.post(f"/matching/hits/{hit.pk}/request/")
    assert Request.objects.count() == 1
    assert f"/requests/{request.pk}/" in client.get(f"/matching/hits/{hit.pk}/").content.decode()


def test_no_hit_between_records_of_one_agency(world):
    services.run_batch()
    make_person(world.kh, "陈志华", birth_date="1979")
    services.run_batch()
    assert not HitNotice.objects.exists()


def test_a_person_taken_off_the_watchlist_raises_no_more_hits(world, client):
    entry = services.add_to_watchlist(world.kh_analyst, world.kh_wanted, "Warrant KH-2024-118")
    login(client, world.kh_analyst)
    assert client.post(f"/matching/watchlist/{entry.pk}/remove/").status_code == 302
    services.run_batch()
    make_person(world.cn, "陈志华", birth_date="1979")
    services.run_batch()
    assert not HitNotice.objects.exists()


def test_a_status_lists_nobody(world, django_capture_on_commit_callbacks):
    """Wanted and fugitive persons are listed by their owner's decision only (a hit tells another agency of them)."""
    with django_capture_on_commit_callbacks(execute=True):
        PersonStatus.objects.create(person=world.kh_wanted, status="wanted", date="2024-06")
    services.run_batch()
    make_person(world.cn, "陈志华", birth_date="1979")
    services.run_batch()
    assert not WatchlistEntry.objects.exists() and not HitNotice.objects.exists()


def test_manual_listing_by_the_holding_agency_only(world, client):
    login(client, world.mm_analyst)
    client.post(f"/matching/watchlist/add/{world.mm_ming.pk}/", {"reason": "Arrest warrant 2024/17"})
    entry = WatchlistEntry.objects.get(person=world.mm_ming)
    assert not entry.automatic and entry.listed_by == world.mm_analyst and entry.agency == world.mm
    assert "Arrest warrant 2024/17" in client.get("/matching/watchlist/").content.decode()
    login(client, world.cn_analyst)  # CN sees MM's record, but it is not CN's to list
    assert client.post(f"/matching/watchlist/add/{world.cn_ming.pk}/", {"reason": ""}).status_code == 302
    assert not WatchlistEntry.objects.filter(person=world.cn_ming).exists()  # a reason is needed
    with pytest.raises(services.MatchingError):
        services.add_to_watchlist(world.cn_analyst, world.mm_ming, "mine now")
    assert client.post(f"/matching/watchlist/add/{world.mm_hidden.pk}/", {"reason": "x"}).status_code == 404
    assert "Chen Zhihua" not in client.get("/matching/watchlist/").content.decode()  # KH's listing of a hidden record


def test_a_new_fugitive_record_raises_hits_with_the_agencies_holding_matching_records(world, client,
                                                                                      django_capture_on_commit_callbacks):
    services.run_batch()
    api = login(APIClient(), world.kh_analyst)
    with django_capture_on_commit_callbacks(execute=True):
        response = api.post("/api/persons/", {
            "names": [{"full_name": "Xuechang Ming"}, {"full_name": "ZZSECRET Alias", "kind": "alias"}],
            "birth_date": "1955", "statuses": [{"status": "fugitive", "date": "2024-05"}],
        }, format="json")
    assert response.status_code == 201, response.json()
    fugitive = Person.objects.get(pk=response.json()["id"])
    assert not HitNotice.objects.exists()  # not listed yet: KH decides
    login(client, world.kh_analyst)
    with django_capture_on_commit_callbacks(execute=True):
        client.post(f"/matching/watchlist/add/{fugitive.pk}/", {"reason": "Fled custody 2024-05"})
    assert WatchlistEntry.objects.filter(person=fugitive, automatic=False, removed_at__isnull=True).exists()
    hits = HitNotice.objects.filter(watched=fugitive)
    assert {h.matched_agency for h in hits} == {world.cn, world.mm}
    mm_view = login(APIClient(), world.mm_analyst).get("/api/matching/hits/").json()["results"]
    assert {row["other_agency"] for row in mm_view} == {"KHNP-T"} and all(row["role"] == "matched" for row in mm_view)
    assert "ZZSECRET" not in json.dumps(mm_view) and str(fugitive.pk) not in [str(r["own_person"]) for r in mm_view]


def test_hit_and_watchlist_pages_have_a_fixed_number_of_queries(world, client, django_assert_max_num_queries):
    for i in range(8):
        watched = make_person(world.kh, f"Fugitive {i}")
        services.put_on_watchlist(watched, f"Warrant {i}")
        mine = make_person(world.cn, f"Match {i}", distribution="members")
        HitNotice.objects.create(watched=watched, watched_agency=world.kh, matched=mine, matched_agency=world.cn, score=0.9)
    services.put_on_watchlist(world.kh_wanted, "Warrant KH-2024-118")
    login(client, world.cn_analyst)
    with django_assert_max_num_queries(8):
        html = client.get("/matching/hits/").content.decode()
    assert html.count("Your record matched a watchlisted record held by KHNP-T: possible match") == 8
    assert "Fugitive" not in html
    with django_assert_max_num_queries(8):
        assert client.get(f"/matching/hits/{HitNotice.objects.first().pk}/").status_code == 200
    login(client, world.kh_analyst)
    with django_assert_max_num_queries(8):
        html = client.get("/matching/watchlist/").content.decode()
    assert html.count('dir="auto">Fugitive ') == 8 and html.count("Warrant ") == 9  # and KH's Chen Zhihua


def test_person_page_shows_the_watchlist_status(world, client):
    services.add_to_watchlist(world.kh_analyst, world.kh_wanted, "Warrant KH-2024-118")
    login(client, world.kh_analyst)
    page = client.get(f"/persons/{world.kh_wanted.pk}/").content.decode()
    assert "On the watchlist" in page and "Warrant KH-2024-118" in page
    assert "Put on the watchlist" not in page
    login(client, world.mm_analyst)
    page = client.get(f"/persons/{world.mm_ming.pk}/").content.decode()
    assert "Not on the watchlist." in page and "Put on the watchlist" in page


def test_the_watchlist_form_on_the_person_page_carries_its_csrf_token(world):
    import re

    from django.test import Client

    client = login(Client(enforce_csrf_checks=True), world.mm_analyst)
    page = client.get(f"/persons/{world.mm_ming.pk}/").content.decode()
    form = page[page.index(f'action="/matching/watchlist/add/{world.mm_ming.pk}/"'):]
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', form).group(1)
    assert client.post(f"/matching/watchlist/add/{world.mm_ming.pk}/", {"reason": "Warrant 17"}).status_code == 403
    assert client.post(f"/matching/watchlist/add/{world.mm_ming.pk}/",
                       {"reason": "Warrant 17", "csrfmiddlewaretoken": token}).status_code == 302
    assert WatchlistEntry.objects.filter(person=world.mm_ming, reason="Warrant 17").exists()
