"""Link analysis pages and JSON (liaison/analysis/graph_views.py): access, answers
for records one may not see, errors an officer can act on, query counts."""
import json
import re

import pytest
from django.test import Client
from django.urls import reverse

from liaison.analysis import graph_data as gd
from liaison.audit.models import AuditEntry
from liaison.registry.models import Identifier, Organisation
from tests.analysis import graph_world
from tests.analysis.graph_world import BOSS
from tests.factories import login, make_person
from tests.web.world import link

pytestmark = pytest.mark.django_db


@pytest.fixture
def w():
    return graph_world.build()


@pytest.fixture
def th(w):
    return login(Client(), w.th_user)


def key(record):
    return gd.key_of(gd.KIND_OF[type(record)], record.pk)


def get_json(client, name, **params):
    response = client.get(reverse(f"analysis:{name}"), params)
    return response.status_code, response.json()


def test_page_draws_from_a_record_with_no_inline_script_or_style(th, w):
    response = th.get(reverse("analysis:graph"), {"start": f"persons:{w.guoping.pk}"})
    html = response.content.decode()
    assert response.status_code == 200
    assert '<h1><bdi dir="auto">Ming Guoping</bdi></h1>' in html
    assert f'data-start="{key(w.guoping)}"' in html and "vendor/cytoscape/cytoscape.min.js" in html
    assert 'id="__________cytoscape_stylesheet"' in html  # keeps Cytoscape from adding an inline <style>
    assert "style=" not in html and not re.search(r"<script(?![^>]*\bsrc=)", html)
    assert f'href="{reverse("web:graph", args=["persons", w.guoping.pk])}"' in html  # without JavaScript


def test_page_without_a_start_offers_a_picker(th):
    html = th.get(reverse("analysis:graph")).content.decode()
    assert "Choose a record to start from" in html and 'data-picker="remote"' in html
    assert 'id="link-analysis"' not in html


def test_detail_pages_and_the_index_link_here(th, w):
    for slug, record in (("persons", w.guoping), ("organisations", w.family), ("identifiers", w.phone_cn),
                         ("sites", w.site)):
        html = th.get(reverse("web:detail", args=[slug, record.pk])).content.decode()
        assert f'href="{reverse("analysis:graph")}?start={slug}:{record.pk}">Link analysis</a>' in html
    assert f'href="{reverse("analysis:graph")}">Link analysis</a>' in th.get(reverse("analysis:index")).content.decode()


def test_a_record_one_may_not_see_is_answered_like_one_that_does_not_exist(th, w):
    page_hidden = th.get(reverse("analysis:graph"), {"start": key(w.boss)})
    page_missing = th.get(reverse("analysis:graph"), {"start": "person:987654"})
    assert page_hidden.status_code == page_missing.status_code == 404
    assert BOSS not in page_hidden.content.decode()
    answers = []
    for node in (key(w.boss), "person:987654", "person:99999999999999999999", "source:1", "nonsense"):
        answers.append(get_json(th, "graph-neighbourhood", node=node))
        answers.append(get_json(th, "graph-path", **{"from": key(w.guoping), "to": node}))
        answers.append(get_json(th, "graph-shared", node=node))
    assert {(status, json.dumps(body)) for status, body in answers} == {
        (404, json.dumps({"error": "No such record, or not one you may see."}))}


def test_json_answers_need_a_login(client, w):
    response = client.get(reverse("analysis:graph-neighbourhood"), {"node": key(w.guoping)})
    assert response.status_code == 302 and "/login/" in response["Location"]
    assert client.post(reverse("analysis:graph-export"), {"node": key(w.guoping)}).status_code == 302


def test_neighbourhood_path_and_shared_as_json(th, w):
    status, picture = get_json(th, "graph-neighbourhood", node=key(w.guoping), hops=2)
    assert status == 200 and key(w.phone_mm) in {n["id"] for n in picture["nodes"]}
    assert BOSS not in json.dumps(picture)
    status, path = get_json(th, "graph-path", **{"from": key(w.guoping), "to": key(w.phone_mm)})
    assert status == 200 and path["hops"] == 2
    status, shared = get_json(th, "graph-shared", node=key(w.phone_mm))
    assert shared["groups"][0]["across_agencies"] is True and BOSS not in json.dumps(shared)


def test_bad_parameters_say_what_is_wrong(th, w):
    status, body = get_json(th, "graph-neighbourhood", node=key(w.guoping), **{"from": "last year"})
    assert status == 400 and body["error"].startswith("“last year” is not a date")
    status, body = get_json(th, "graph-neighbourhood", node=key(w.guoping), limit="many")
    assert status == 400 and "whole number" in body["error"]
    status, body = get_json(th, "graph-neighbourhood", node=key(w.guoping), **{"to": "--11-18"})
    assert status == 400 and body["error"] == "A period needs dates with a year."
    status, body = get_json(th, "graph-shared")
    assert status == 400


def test_key_members_and_export_are_posted_with_the_csrf_token(w):
    client = login(Client(enforce_csrf_checks=True), w.th_user)
    page = client.get(reverse("analysis:graph"), {"start": key(w.guoping)}).content.decode()
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page).group(1)
    nodes = [key(w.guoping), key(w.family), key(w.phone_cn), key(w.boss)]
    assert client.post(reverse("analysis:graph-analyse"), {"node": nodes}).status_code == 403
    response = client.post(reverse("analysis:graph-analyse"), {"node": nodes}, HTTP_X_CSRFTOKEN=token)
    assert response.status_code == 200 and BOSS not in response.content.decode()
    assert response.json()["key_members"][0]["node"] == key(w.guoping)
    response = client.post(reverse("analysis:graph-export"), {"node": nodes, "format": "graphml",
                                                              "csrfmiddlewaretoken": token})
    assert response.status_code == 200 and response["Content-Type"].startswith("application/graphml+xml")
    assert response["Content-Disposition"] == 'attachment; filename="link-analysis-TLP-AMBER.graphml"'
    assert BOSS not in response.content.decode()
    assert AuditEntry.objects.filter(action=AuditEntry.Action.EXPORT, actor=w.th_user).count() == 1


@pytest.mark.parametrize("neighbours", [5, 40])
def test_query_count_does_not_grow_with_neighbours(th, w, neighbours, django_assert_max_num_queries):
    org = Organisation.objects.create(owner=w.cn, name="Busy company", distribution="members")
    for i in range(neighbours):
        person = make_person(w.cn, f"Member {i}", distribution="members", protection="victim" if i % 7 == 0 else "")
        link(w.cn, person, "member_of", org)
        phone = Identifier.objects.create(owner=w.cn, kind="email", value=f"m{i}@example.org", distribution="members")
        link(w.cn, person, "holds_account", phone)
    with django_assert_max_num_queries(40):
        status, picture = get_json(th, "graph-neighbourhood", node=key(org), hops=2)
    # Links of a protected person whose identity Thailand may not read are withheld (visibility.withheld_persons).
    protected = len(range(0, neighbours, 7))
    assert status == 200 and len(picture["nodes"]) == 1 + 2 * (neighbours - protected)


def test_page_of_a_protected_person_withholds_or_logs_as_her_page_does(th, w):
    html = th.get(reverse("analysis:graph"), {"start": key(w.victim)}).content.decode()
    assert '<h1><bdi dir="auto">Protected identity</bdi></h1>' in html and graph_world.VICTIM not in html
    assert not AuditEntry.objects.filter(action=AuditEntry.Action.READ_PROTECTED).exists()
    owner = login(Client(), w.mm_user)
    html = owner.get(reverse("analysis:graph"), {"start": key(w.victim)}).content.decode()
    assert graph_world.VICTIM in html
    assert AuditEntry.objects.filter(action=AuditEntry.Action.READ_PROTECTED, record_id=w.victim.pk).count() == 1
