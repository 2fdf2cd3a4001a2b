"""The OpenAPI schema is generated once per process and language, not per request
(each generation takes seconds: these tests make three)."""
import json

import pytest
from drf_spectacular.generators import SchemaGenerator
from drf_spectacular.views import SpectacularAPIView
from rest_framework.test import APIClient, APIRequestFactory

from liaison.api import schema_cache
from tests.factories import login, make_agency, make_user

pytestmark = pytest.mark.django_db
JSON = "application/vnd.oai.openapi+json"


@pytest.fixture(scope="module", autouse=True)
def empty_cache():
    schema_cache.clear()
    yield
    schema_cache.clear()


@pytest.fixture
def generations(monkeypatch):
    calls = []
    real = SchemaGenerator.get_schema

    def counted(self, *args, **kwargs):
        calls.append(1)
        return real(self, *args, **kwargs)

    monkeypatch.setattr(SchemaGenerator, "get_schema", counted)
    return calls


@pytest.fixture
def api():
    return login(APIClient(), make_user(make_agency("CN-MPS", "CN")))


def test_warmed_once_then_served_to_anyone_in_every_format(api, generations):
    """Warmed as gunicorn's master does; then no request generates it again, and what
    an analyst gets equals drf-spectacular's own schema for an anonymous client: the
    schema depends on no user, so one copy may serve everyone."""
    schema_cache.warm(["en"], close_connections=False)  # the test's transaction stays open
    assert len(generations) == 1
    first = api.get("/api/schema/", HTTP_ACCEPT=JSON)
    again = APIClient().get("/api/schema/", HTTP_ACCEPT=JSON)
    yaml = api.get("/api/schema/")
    assert first.status_code == again.status_code == yaml.status_code == 200
    assert first.content == again.content and first["Content-Type"] == again["Content-Type"]
    assert yaml.content.startswith(b"openapi:") and b"/api/persons/{id}/" in first.content
    assert b'"/api/schema/"' not in first.content  # the schema view stays out of the schema
    assert len(generations) == 1

    fresh = SpectacularAPIView.as_view()(APIRequestFactory().get("/api/schema/", HTTP_ACCEPT=JSON))
    fresh.render()
    assert json.loads(fresh.content) == first.json()


def test_one_schema_per_language_and_made_up_values_add_none(api, generations):
    english = api.get("/api/schema/?lang=en", HTTP_ACCEPT=JSON).json()  # cached by the test above, if run
    made = len(generations)
    thai = api.get("/api/schema/?lang=th", HTTP_ACCEPT=JSON).json()
    assert len(generations) == made + 1
    for made_up in ("xx", "en-zz", "th;drop", "a" * 100):
        api.get(f"/api/schema/?lang={made_up}&version={made_up}", HTTP_ACCEPT=JSON)
        api.get("/api/schema/", HTTP_ACCEPT=f"{JSON}; indent={len(made_up)}")
    assert len(generations) == made + 1
    assert english["paths"].keys() == thai["paths"].keys()


def test_access_rules_are_unchanged(generations):
    screener = make_user(make_agency("TH-IMM", "TH"), roles=("screener",))
    assert login(APIClient(), screener).get("/api/schema/").status_code == 403
    assert not generations
