"""The matching API: candidate pairs and decisions, clusters and splits."""
import pytest
from rest_framework.test import APIClient

from liaison.matching.models import CandidatePair, EntityMember
from tests.factories import login

from .conftest import make_pair

pytestmark = pytest.mark.django_db


def api_for(user):
    return login(APIClient(), user)


def test_candidates_lists_only_pairs_of_visible_persons_with_field_weights(world):
    shown = make_pair(world.cn_ming, world.mm_ming, probability=0.97)
    hidden = make_pair(world.cn_ming, world.mm_hidden, probability=0.99)
    data = api_for(world.cn_analyst).get("/api/matching/candidates/").json()
    assert [row["id"] for row in data["results"]] == [shown.pk]
    row = data["results"][0]
    assert row["probability"] == 0.97 and row["fields"] == {"name": 7.5, "dob": 1.2, "country": -0.4}
    assert row["why"][0].startswith("name:")
    assert {row["person_a"]["owner"], row["person_b"]["owner"]} == {"MPS-T", "MPF-T"}
    api = api_for(world.cn_analyst)
    assert api.get(f"/api/matching/candidates/{hidden.pk}/").status_code == 404
    assert api.post(f"/api/matching/candidates/{hidden.pk}/merge/", {}, format="json").status_code == 404
    assert api.get("/api/matching/candidates/?status=bogus").status_code == 400


def test_merge_reject_and_split_through_the_api(world):
    api = api_for(world.cn_analyst)
    pair = make_pair(world.cn_ming, world.mm_ming)
    response = api.post(f"/api/matching/candidates/{pair.pk}/merge/", {"note": "same passport"}, format="json")
    assert response.status_code == 200 and response.json()["status"] == "merged"
    again = api.post(f"/api/matching/candidates/{pair.pk}/reject/", {}, format="json")
    assert again.status_code == 400 and "already decided" in again.json()["detail"]
    entity = EntityMember.objects.get(person=world.cn_ming, removed_at__isnull=True).entity
    cluster = api.get(f"/api/matching/clusters/{entity.pk}/").json()
    assert {m["id"] for m in cluster["members"]} == {world.cn_ming.pk, world.mm_ming.pk}
    assert api_for(world.kh_analyst).get(f"/api/matching/clusters/{entity.pk}/").status_code == 404
    bad = api.post(f"/api/matching/clusters/{entity.pk}/split/", {"person": world.kh_wanted.pk}, format="json")
    assert bad.status_code == 400
    split = api.post(f"/api/matching/clusters/{entity.pk}/split/", {"person": world.mm_ming.pk}, format="json")
    assert split.status_code == 200 and split.json()["members"] == []
    pair.refresh_from_db()
    assert pair.status == "open"
    rejected = api.post(f"/api/matching/candidates/{pair.pk}/reject/", {"note": "different fathers"}, format="json")
    assert rejected.json()["status"] == "rejected" and CandidatePair.objects.get().note == "different fathers"


def test_viewers_read_but_cannot_decide(world):
    pair = make_pair(world.cn_ming, world.mm_ming)
    api = api_for(world.cn_viewer)
    assert api.get("/api/matching/candidates/").json()["count"] == 1
    response = api.post(f"/api/matching/candidates/{pair.pk}/merge/", {}, format="json")
    assert response.status_code == 403 and "analysts" in response.json()["detail"]
    pair.refresh_from_db()
    assert pair.status == "open"
    assert APIClient().get("/api/matching/candidates/").status_code in (401, 403)
