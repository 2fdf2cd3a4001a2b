"""Fixes of the security review of matching: splits of clusters the user cannot judge, the agency
rule for decisions, odd ids, matcher failures on listing, pair links and per-side hit requests."""
import logging

import pytest
from rest_framework.test import APIClient

from liaison.matching import services
from liaison.matching.models import CandidatePair, EntityMember, HitNotice, WatchlistEntry
from liaison.requests.models import Request
from liaison.sharing.models import Role
from tests.factories import login, make_person, make_user

from .conftest import PASSWORD, make_pair

pytestmark = pytest.mark.django_db


@pytest.fixture
def kh_ming(world):
    """KH-NP's record of the same man, readable by every member agency."""
    return make_person(world.kh, "Ming Xue Chang", distribution="members", sex="male", birth_date="1955")


# M1 — splitting a member of a cluster the user cannot judge -----------------------------------

def test_split_of_a_cluster_the_user_cannot_see_is_404_for_viewers_and_analysts(client, world):
    hidden2 = make_person(world.mm, "Ming Xuechang (MM file 2)")
    entity = services.merge(world.mm_analyst, make_pair(world.mm_hidden, hidden2))
    member = EntityMember.objects.get(entity=entity, person=world.mm_hidden)
    for user in (world.cn_viewer, world.cn_analyst):
        login(client, user)
        response = client.post(f"/matching/members/{member.pk}/split/")
        assert response.status_code == 404
        assert f"/matching/clusters/{entity.pk}/" not in response.get("Location", "")
        with pytest.raises(services.NotFound):  # not "only analysts…": that would confirm the member exists
            services.split(user, member)
    # A membership already closed says "already taken out" only to whoever may see the cluster.
    services.split(world.mm_analyst, member)
    login(client, world.cn_analyst)
    assert client.post(f"/matching/members/{member.pk}/split/").status_code == 404
    assert client.post("/matching/members/999999/split/").status_code == 404


def test_a_viewer_splitting_a_visible_cluster_is_told_why_and_nothing_changes(client, world):
    entity = services.merge(world.cn_analyst, make_pair(world.cn_ming, world.mm_ming))
    member = EntityMember.objects.get(entity=entity, person=world.mm_ming)
    login(client, world.cn_viewer)
    response = client.post(f"/matching/members/{member.pk}/split/", follow=True)
    assert response.status_code == 200 and "Only analysts" in response.content.decode()
    assert EntityMember.objects.filter(entity=entity, removed_at__isnull=True).count() == 2


# M4 — decisions need a record of the user's agency ---------------------------------------------

def test_a_pair_of_two_other_agencies_is_not_in_the_queue_and_cannot_be_decided(client, world, kh_ming):
    theirs = make_pair(world.mm_ming, kh_ming, probability=0.99)  # MM's and KH's, both visible to CN
    ours = make_pair(world.cn_ming, world.mm_ming, probability=0.9)
    assert list(services.visible_pairs(world.cn_analyst).order_by("pk")) == sorted([theirs, ours], key=lambda p: p.pk)
    login(client, world.cn_analyst)
    html = client.get("/matching/").content.decode()
    assert "1 pair to decide" in html and f"pair-{ours.pk}" in html and f"pair-{theirs.pk}" not in html
    page = client.get(f"/matching/pairs/{theirs.pk}/").content.decode()  # readable, not decidable
    assert "Ming Xue Chang" in page and f"/matching/pairs/{theirs.pk}/merge/" not in page
    client.post(f"/matching/pairs/{theirs.pk}/merge/")
    client.post(f"/matching/pairs/{theirs.pk}/reject/")
    theirs.refresh_from_db()
    assert theirs.status == CandidatePair.Status.OPEN and not EntityMember.objects.exists()
    api = login(APIClient(), world.cn_analyst)
    assert [row["id"] for row in api.get("/api/matching/candidates/").json()["results"]] == [ours.pk]
    response = api.post(f"/api/matching/candidates/{theirs.pk}/merge/", {}, format="json")
    assert response.status_code == 403 and "holding one of the two records" in response.json()["detail"]
    # The agencies holding the records decide it.
    login(client, world.mm_analyst)
    assert f"pair-{theirs.pk}" in client.get("/matching/").content.decode()
    assert client.post(f"/matching/pairs/{theirs.pk}/merge/").status_code == 302
    theirs.refresh_from_db()
    assert theirs.status == CandidatePair.Status.MERGED


def test_another_agencys_merge_cannot_be_split_by_a_third_agency(client, world, kh_ming):
    entity = services.merge(world.mm_analyst, make_pair(world.mm_ming, kh_ming))
    member = EntityMember.objects.get(entity=entity, person=kh_ming)
    login(client, world.cn_analyst)
    page = client.get(f"/matching/clusters/{entity.pk}/").content.decode()
    assert "Ming Xue Chang" in page and "/split/" not in page
    response = client.post(f"/matching/members/{member.pk}/split/", follow=True)
    assert "Only the agency holding this record" in response.content.decode()
    assert EntityMember.objects.filter(entity=entity, removed_at__isnull=True).count() == 2
    with pytest.raises(services.NotAllowed):
        services.split(world.cn_analyst, member)
    # MM merged it (and holds the other record of the pair): it may undo its merge.
    services.split(world.mm_analyst, member)
    assert not EntityMember.objects.filter(entity=entity, removed_at__isnull=True).exists()


# L1b — ids that are digits to str.isdigit() but not to int() ---------------------------------------

def test_a_cluster_id_of_superscript_digits_is_not_found(world):
    api = login(APIClient(), world.cn_analyst)
    assert api.get("/api/matching/clusters/%C2%B2/").status_code == 404
    assert api.post("/api/matching/clusters/%C2%B2/split/", {"person": world.cn_ming.pk}, format="json").status_code == 404
    with pytest.raises(services.NotFound):
        services.get_member(world.cn_analyst, "²")


# L2 — a matcher failure after a manual listing ---------------------------------------------------

def test_a_matcher_failure_after_a_manual_listing_keeps_the_listing(client, world, monkeypatch, caplog,
                                                                    django_capture_on_commit_callbacks):
    def broken(*args, **kwargs):
        raise RuntimeError("matcher down")

    monkeypatch.setattr(services, "match_persons", broken)
    login(client, world.mm_analyst)
    with caplog.at_level(logging.ERROR, logger="liaison.matching.services"), \
            django_capture_on_commit_callbacks(execute=True) as callbacks:
        response = client.post(f"/matching/watchlist/add/{world.mm_ming.pk}/", {"reason": "Warrant 2024/17"})
    assert response.status_code == 302 and callbacks
    assert WatchlistEntry.objects.filter(person=world.mm_ming, removed_at__isnull=True, reason="Warrant 2024/17").exists()
    assert "on arrival failed" in caplog.text


# L5 — the pair that merged a member is linked only when the user may see it --------------------

def test_cluster_page_links_no_pair_with_a_person_the_user_cannot_see(client, world):
    theirs = make_pair(world.mm_hidden, world.mm_ming)
    services.merge(world.mm_analyst, theirs)
    ours = make_pair(world.cn_ming, world.mm_ming)
    entity = services.merge(world.cn_analyst, ours)
    assert EntityMember.objects.get(person=world.mm_ming, removed_at__isnull=True).pair == theirs
    login(client, world.cn_analyst)
    html = client.get(f"/matching/clusters/{entity.pk}/").content.decode()
    assert "Xuechang Ming" in html
    assert f"/matching/pairs/{theirs.pk}/" not in html and f"match #{theirs.pk}," not in html
    assert f"/matching/pairs/{ours.pk}/" in html


# L6 — one request for details per side of a hit -----------------------------------------------

@pytest.fixture
def notice(world):
    cn_chen = make_person(world.cn, "Chen Zhihua", sex="male", birth_date="1979")
    world.cn_chen = cn_chen
    return HitNotice.objects.create(watched=world.kh_wanted, watched_agency=world.kh, matched=cn_chen,
                                    matched_agency=world.cn, score=0.97)


def test_each_side_of_a_hit_asks_for_details_on_its_own(client, world, notice):
    kh_liaison = make_user(world.kh, roles=(Role.LIAISON_OFFICER,), username="t_kh_liaison", password=PASSWORD)
    login(client, world.cn_liaison)
    client.post(f"/matching/hits/{notice.pk}/request/")
    cn_request = Request.objects.get()
    assert cn_request.from_agency == world.cn
    login(client, kh_liaison)
    page = client.get(f"/matching/hits/{notice.pk}/").content.decode()
    assert f"/requests/{cn_request.pk}/" not in page and "Details requested" not in page  # CN's draft is CN's
    assert "Request details" in page
    response = client.post(f"/matching/hits/{notice.pk}/request/", follow=True)
    kh_request = Request.objects.exclude(pk=cn_request.pk).get()
    assert (kh_request.from_agency, kh_request.to_agency, list(kh_request.persons.all())) == (world.kh, world.cn, [world.kh_wanted])
    assert "draft request for details was prepared for MPS-T" in response.content.decode()
    page = client.get(f"/matching/hits/{notice.pk}/").content.decode()
    assert f"/requests/{kh_request.pk}/" in page and f"/requests/{cn_request.pk}/" not in page
    login(client, world.cn_liaison)
    page = client.get(f"/matching/hits/{notice.pk}/").content.decode()
    assert f"/requests/{cn_request.pk}/" in page and f"/requests/{kh_request.pk}/" not in page
    client.post(f"/matching/hits/{notice.pk}/request/")
    assert Request.objects.count() == 2  # still idempotent per side
    api = login(APIClient(), world.cn_analyst)
    assert api.get(f"/api/matching/hits/{notice.pk}/").json()["details_requested"] is True


def test_a_side_that_has_not_asked_is_not_told_details_were_requested(world, notice):
    services.request_details(world.cn_liaison, notice)
    notice.refresh_from_db()
    kh_analyst_api = login(APIClient(), world.kh_analyst)
    assert kh_analyst_api.get(f"/api/matching/hits/{notice.pk}/").json()["details_requested"] is False
    assert notice.request_of(world.kh.pk) == (None, None)
