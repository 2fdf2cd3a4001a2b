"""Sources, citations, agencies, conflicts and CSRF."""
import pytest
from django.contrib.contenttypes.models import ContentType
from rest_framework.test import APIClient

from liaison.registry.models import Citation, Identifier, Person, Source
from tests.factories import make_agency, make_person

pytestmark = pytest.mark.django_db


def test_citation_needs_a_visible_source_and_an_owned_record(world, client_for):
    mine = make_person(world["cn"], "Mine")
    theirs = make_person(world["mm"], "Theirs", distribution="members")
    source = Source.objects.create(owner=world["cn"], title="Xinhua 2023-11-16", reliability="B", text="…")
    hidden_source = Source.objects.create(owner=world["mm"], title="MOHA internal")
    api = client_for(world["cn_editor"])

    def cite(src, person):
        return api.post("/api/citations/", {"source": src.pk, "record": {"type": "person", "id": person.pk},
                                            "evidence": "handed over to Chinese police"}, format="json")

    created = cite(source, mine)
    assert created.status_code == 201, created.json()
    assert created.json()["record"]["label"] == "Mine"
    assert cite(hidden_source, mine).json() == {"source": ["No such record."]}
    refused = cite(source, theirs)
    assert refused.status_code == 403 and "MOHA" in refused.json()["detail"]
    detail = api.get(f"/api/persons/{mine.pk}/").json()
    assert detail["citations"][0]["source"]["reliability"] == "B"
    assert detail["citations"][0]["evidence"] == "handed over to Chinese police"


def test_citations_of_invisible_sources_are_not_shown(world, client_for):
    person = make_person(world["cn"], "Shared", distribution="members")
    private_source = Source.objects.create(owner=world["cn"], title="Informant report")
    Citation.objects.create(source=private_source, content_type=ContentType.objects.get_for_model(Person),
                            object_id=person.pk, evidence="secret")
    api = client_for(world["mm_editor"])
    assert api.get(f"/api/persons/{person.pk}/").json()["citations"] == []
    assert api.get("/api/citations/").json()["count"] == 0
    assert client_for(world["cn_editor"]).get("/api/citations/").json()["count"] == 1


def test_deleting_a_cited_source_is_a_clear_conflict(world, client_for):
    person = make_person(world["cn"], "P")
    source = Source.objects.create(owner=world["cn"], title="Report")
    Citation.objects.create(source=source, content_type=ContentType.objects.get_for_model(Person), object_id=person.pk)
    response = client_for(world["cn_editor"]).delete(f"/api/sources/{source.pk}/")
    assert response.status_code == 409 and "Retract it instead" in response.json()["detail"]
    assert Source.objects.filter(pk=source.pk).exists()


def test_agency_hierarchy(world, client_for):
    yunnan = make_agency("YNPSD", "CN", parent=world["cn"], name="Yunnan Public Security Department")
    make_agency("DHPSB", "CN", parent=yunnan)
    data = client_for(world["mm_editor"]).get(f"/api/agencies/{yunnan.pk}/").json()
    assert data["parent"]["short_name"] == "MPS"
    assert [c["short_name"] for c in data["children"]] == ["DHPSB"]


def test_changing_an_identifier_into_one_the_agency_has_is_a_400(world, client_for):
    api = client_for(world["cn_editor"])
    first = api.post("/api/identifiers/", {"kind": "telegram", "value": "@boss_one"}, format="json").json()
    second = api.post("/api/identifiers/", {"kind": "telegram", "value": "@boss_two"}, format="json").json()
    response = api.patch(f"/api/identifiers/{second['id']}/", {"value": "t.me/Boss_One"}, format="json")
    assert response.status_code == 400
    assert response.json() == {"value": [f"Your agency already has this identifier as record #{first['id']}."]}
    assert Identifier.objects.get(pk=second["id"]).normalized == "boss_two"


def test_session_writes_need_the_csrf_token(world):
    api = APIClient(enforce_csrf_checks=True)
    from tests.factories import login

    login(api, world["cn_editor"])
    response = api.post("/api/persons/", {"names": [{"full_name": "A"}]}, format="json")
    assert response.status_code == 403 and "CSRF" in response.json()["detail"]
    assert not Person.objects.exists()
