"""Filtering, ordering, pagination, history, search, schema and limits."""
import pytest
import yaml
from django.core.management import call_command
from django.utils import timezone

from liaison.registry.models import Nationality, Person, PersonStatus
from tests.factories import make_person

pytestmark = pytest.mark.django_db


def names_of(response):
    return [p["display_name"] for p in response.json()["results"]]


def test_person_filters(world, client_for):
    a = make_person(world["cn"], "Alpha", sex="male", is_synthetic=True)
    b = make_person(world["cn"], "Bravo", sex="female")
    make_person(world["mm"], "Charlie", distribution="members", sex="male")
    Nationality.objects.create(person=a, country_id="KH")
    PersonStatus.objects.create(person=b, status="arrested", date="2023")
    api = client_for(world["cn_editor"])
    assert names_of(api.get("/api/persons/", {"sex": "male"})) == ["Alpha", "Charlie"]
    assert names_of(api.get("/api/persons/", {"nationality": "kh"})) == ["Alpha"]
    assert names_of(api.get("/api/persons/", {"status": "arrested"})) == ["Bravo"]
    assert names_of(api.get("/api/persons/", {"owner": "moha"})) == ["Charlie"]
    assert names_of(api.get("/api/persons/", {"is_synthetic": "true"})) == ["Alpha"]
    assert names_of(api.get("/api/persons/", {"name": "RAV"})) == ["Bravo"]


def test_ordering_and_pagination(world, client_for):
    for name in ["Delta", "Alpha", "Charlie", "Bravo"]:
        make_person(world["cn"], name)
    api = client_for(world["cn_editor"])
    assert names_of(api.get("/api/persons/")) == ["Alpha", "Bravo", "Charlie", "Delta"]
    assert names_of(api.get("/api/persons/", {"ordering": "-name"})) == ["Delta", "Charlie", "Bravo", "Alpha"]
    page = api.get("/api/persons/", {"page_size": 3, "page": 2}).json()
    assert page["count"] == 4 and [p["display_name"] for p in page["results"]] == ["Delta"]
    assert page["previous"] and page["next"] is None
    assert api.get("/api/persons/", {"page": 9}).status_code == 404


def test_page_size_is_capped_at_200(world, client_for):
    Person.objects.bulk_create([Person(owner=world["cn"], display_name=f"P{i:03}") for i in range(205)])
    page = client_for(world["cn_editor"]).get("/api/persons/", {"page_size": 1000}).json()
    assert len(page["results"]) == 200 and page["count"] == 205
    assert len(client_for(world["cn_editor"]).get("/api/persons/").json()["results"]) == 50


def test_site_filters(world, client_for):
    from liaison.registry.models import Site

    Site.objects.create(owner=world["cn"], name="KK Park", country_id="MM", status="raided")
    Site.objects.create(owner=world["cn"], name="Jinbei", country_id="KH", status="active")
    api = client_for(world["cn_editor"])
    assert [s["name"] for s in api.get("/api/sites/", {"country": "MM"}).json()["results"]] == ["KK Park"]
    assert [s["name"] for s in api.get("/api/sites/", {"status": "active"}).json()["results"]] == ["Jinbei"]


def test_marking_is_shown_on_every_record(world, client_for):
    person = make_person(world["cn"], "Marked", tlp="RED", handling="H2", accuracy="2")
    data = client_for(world["cn_editor"]).get(f"/api/persons/{person.pk}/").json()
    assert {k: data[k] for k in ("owner", "distribution", "tlp", "handling", "accuracy", "is_synthetic", "retracted")} \
        == {"owner": "MPS", "distribution": "owner", "tlp": "RED", "handling": "H2", "accuracy": "2",
            "is_synthetic": False, "retracted": False}
    Person.objects.filter(pk=person.pk).update(retracted_at=timezone.now(), retraction_reason="Wrong person")
    data = client_for(world["cn_editor"]).get(f"/api/persons/{person.pk}/").json()
    assert data["retracted"] is True and data["retraction_reason"] == "Wrong person"


def test_history_after_update(world, client_for):
    api = client_for(world["cn_editor"])
    created = api.post("/api/persons/", {"names": [{"full_name": "Xu Laofa"}]}, format="json").json()
    api.patch(f"/api/persons/{created['id']}/", {"sex": "male", "birth_date": "1950"}, format="json")
    history = api.get(f"/api/persons/{created['id']}/history/").json()
    assert [h["type"] for h in history][0] == "changed" and history[-1]["type"] == "created"
    changes = {c["field"]: (c["old"], c["new"]) for c in history[0]["changes"]}
    assert changes["sex"] == ("", "male") and changes["birth_date"] == ("", "1950")
    assert history[0]["user"] == "li.wei" and history[0]["agency"] == "MPS"


def test_history_hides_other_agencies_officers_and_invisible_records(world, client_for):
    api = client_for(world["cn_editor"])
    created = api.post("/api/persons/", {"names": [{"full_name": "Shared"}], "distribution": "members"},
                       format="json").json()
    other = client_for(world["mm_editor"])
    entry = other.get(f"/api/persons/{created['id']}/history/").json()[0]
    assert entry["agency"] == "MPS" and entry["user"] is None
    private = make_person(world["cn"], "Private")
    assert other.get(f"/api/persons/{private.pk}/history/").status_code == 404


def test_search_endpoint(world, client_for):
    make_person(world["cn"], "白所成", distribution="members")
    make_person(world["cn"], "白家 Hidden")
    api = client_for(world["mm_editor"])
    data = api.get("/api/search/", {"q": "白"}).json()
    assert [p["label"] for p in data["persons"]] == ["白所成"] and data["total"] == 1
    assert api.get("/api/search/").status_code == 400


def test_schema_is_valid_openapi_3(world, client_for, settings):
    response = client_for(world["cn_viewer"]).get("/api/schema/")
    assert response.status_code == 200
    schema = yaml.safe_load(response.content)
    assert schema["openapi"].startswith("3.")
    assert "/api/persons/{id}/history/" in schema["paths"] and "/api/search/" in schema["paths"]
    call_command("spectacular", "--validate", "--fail-on-warn", "--urlconf", settings.ROOT_URLCONF,
                 "--file", "/dev/null")


def test_docs_load_without_internet(world, client_for):
    page = client_for(world["cn_viewer"]).get("/api/docs/").content.decode()
    assert "swagger-ui" in page
    assert "cdn" not in page.lower() and "unpkg" not in page.lower()


def test_oversized_body_is_413(world, client_for, settings):
    settings.MAX_REQUEST_BODY_BYTES = 1000
    response = client_for(world["cn_editor"]).post(
        "/api/persons/", {"names": [{"full_name": "x" * 2000}]}, format="json")
    assert response.status_code == 413
    assert "limit is 1,000 bytes" in response.json()["detail"]
    assert not Person.objects.exists()
