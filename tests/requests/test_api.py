"""The requests API: same rules as the pages, as JSON (404 for other agencies,
409 for illegal steps and stale versions, 400 naming the field)."""

import pytest
from rest_framework.test import APIClient

from liaison.requests.models import Request
from tests.factories import login
from tests.requests.conftest import REPATRIATION_FIELDS

pytestmark = pytest.mark.django_db
BASE = "/api/requests/"


def api(user):
    return login(APIClient(), user)


def create(desk, client=None, **extra):
    client = client or api(desk.vn_lo)
    body = {
        "kind": "repatriation",
        "to_agency": desk.kh.pk,
        "title": "Three nationals",
        "persons": [p.pk for p in desk.persons],
        "fields": REPATRIATION_FIELDS,
        **extra,
    }
    return client.post(BASE, body, format="json")


def step(client, pk, action, version, **extra):
    return client.post(f"{BASE}{pk}/transition/", {"action": action, "version": version, **extra}, format="json")


def test_create_send_acknowledge_fulfil(desk):
    vn, kh = api(desk.vn_lo), api(desk.kh_lo)
    created = create(desk, vn)
    assert created.status_code == 201, created.content
    data = created.json()
    assert data["status"] == "draft" and data["from_agency"] == "VN-T" and len(data["persons"]) == 3
    pk = data["id"]
    assert kh.get(f"{BASE}{pk}/").status_code == 404  # a draft is not theirs to see
    assert step(vn, pk, "send", 1).json()["status"] == "sent"
    assert kh.get(BASE).json()["count"] == 1
    assert sorted(kh.get(f"{BASE}{pk}/").json()["persons"]) == sorted(p.pk for p in desk.persons)
    assert step(kh, pk, "acknowledge", 2).json()["status"] == "acknowledged"
    done = step(kh, pk, "fulfil", 3, date="2024-02-01")
    assert done.status_code == 200 and done.json()["status"] == "fulfilled" and done.json()["event"]


def test_illegal_steps_and_stale_versions_are_409(desk):
    vn, kh = api(desk.vn_lo), api(desk.kh_lo)
    pk = create(desk, vn).json()["id"]
    step(vn, pk, "send", 1)
    illegal = step(kh, pk, "fulfil", 2)
    assert illegal.status_code == 409 and "sent" in illegal.json()["detail"]
    stale = step(kh, pk, "acknowledge", 1)
    assert stale.status_code == 409 and "Someone else changed" in stale.json()["detail"]
    wrong_side = step(vn, pk, "acknowledge", 2)
    assert wrong_side.status_code == 403
    assert Request.objects.get(pk=pk).status == "sent"


def test_other_agencies_get_404_and_see_no_count(desk):
    vn, cn = api(desk.vn_lo), api(desk.cn_lo)
    pk = create(desk, vn).json()["id"]
    step(vn, pk, "send", 1)
    assert cn.get(f"{BASE}{pk}/").status_code == 404
    assert step(cn, pk, "acknowledge", 2).status_code == 404
    assert cn.post(f"{BASE}{pk}/comments/", {"text": "hi"}, format="json").status_code == 404
    assert cn.get(BASE).json()["count"] == 0
    assert api(desk.admin).get(BASE).json()["count"] == 0


def test_bad_input_names_the_field(desk):
    response = create(desk, fields={"planned_date": "next week", "transport": "road"})
    assert response.status_code == 400
    assert "planned_date" in response.json()["errors"]
    response = create(desk, kind="teleport")
    assert response.status_code == 400 and "kind" in response.json()["errors"]
    assert Request.objects.count() == 0


def test_patch_a_draft_needs_the_current_version(desk):
    vn = api(desk.vn_lo)
    pk = create(desk, vn).json()["id"]
    ok = vn.patch(f"{BASE}{pk}/", {"title": "Renamed", "version": 1}, format="json")
    assert ok.status_code == 200 and ok.json()["version"] == 2
    stale = vn.patch(f"{BASE}{pk}/", {"title": "Lost", "version": 1}, format="json")
    assert stale.status_code == 409
    assert Request.objects.get(pk=pk).title == "Renamed"
    missing = vn.patch(f"{BASE}{pk}/", {"title": "No version"}, format="json")
    assert missing.status_code == 400


@pytest.mark.parametrize("action", ["send", "acknowledge", "start", "fulfil", "partly_fulfil", "refuse", "withdraw"])
def test_every_step_from_every_state_through_the_api(desk, action):
    """Each step, asked by the side that may take it, from each of the eight
    states: 200 where the life cycle allows it, else 409 and nothing changes."""
    from liaison.requests import lifecycle as L

    t = L.TRANSITIONS[action]
    pk = create(desk).json()["id"]
    step(api(desk.vn_lo), pk, "send", 1)  # shares the persons, as in real life
    client = api(desk.vn_lo if t.side == L.REQUESTER else desk.kh_lo)
    sent_at = Request.objects.get(pk=pk).sent_at
    for state in L.STATES:
        # A draft was never sent; every other state comes after sending.
        Request.objects.filter(pk=pk).update(status=state, event=None, sent_at=None if state == L.DRAFT else sent_at)
        version = Request.objects.get(pk=pk).version
        response = step(client, pk, action, version, reason="Reason given")
        after = Request.objects.get(pk=pk)
        if state == L.DRAFT and t.side == L.REQUESTED:
            assert response.status_code == 404  # a draft does not exist for the requested agency
            assert after.status == state
        elif state in t.sources:
            assert response.status_code == 200, (state, response.json())
            assert after.status == t.target and after.version == version + 1
        else:
            assert response.status_code == 409, (state, response.json())
            assert after.status == state and after.version == version
