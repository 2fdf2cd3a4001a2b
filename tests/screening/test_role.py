"""The border screening role screens and does nothing else: every other page and API refuses it."""
import pytest
from django.urls import URLPattern, URLResolver, get_resolver, reverse
from django.urls.resolvers import RoutePattern
from rest_framework.test import APIClient

from liaison.sharing.middleware import PUBLIC_URL_NAMES
from liaison.sharing.tokens import ApiToken
from tests.factories import login

pytestmark = pytest.mark.django_db

ALLOWED_PREFIXES = ("screening:",)
ALLOWED = {"api:screen", "sharing:security", "sharing:preferences", "sharing:recovery_codes", "sharing:tokens",
           "sharing:token_revoke"}
GUESSES = {"slug": "persons", "kind": "persons", "pk": "1", "person_pk": "1"}


def _walk(patterns, namespace=""):
    for p in patterns:
        if isinstance(p, URLResolver):
            yield from _walk(p.url_patterns, f"{namespace}{p.namespace}:" if p.namespace else namespace)
        elif isinstance(p, URLPattern) and p.name:
            if isinstance(p.pattern, RoutePattern):
                names = list(p.pattern.converters)
            else:
                names = list(p.pattern.regex.groupindex)
            yield f"{namespace}{p.name}", names


def every_url():
    seen = {}
    for name, args in _walk(get_resolver().url_patterns):
        try:
            url = reverse(name, kwargs={a: GUESSES.get(a, "1") for a in args})
        except Exception:  # noqa: BLE001 - a pattern our guesses do not fit (format suffixes…)
            continue
        seen.setdefault(name, url)
    return seen


def test_a_screener_reaches_screening_and_account_pages_only(world, client):
    login(client, world.screener)
    urls = every_url()
    assert len(urls) > 80  # the walk did reach the registry, API, matching, requests… pages
    refused = []
    for name, url in sorted(urls.items()):
        if name in PUBLIC_URL_NAMES or name in ALLOWED or name.startswith(ALLOWED_PREFIXES) or name == "logout":
            continue
        response = client.get(url)
        if name == "web:dashboard":
            assert response.status_code == 302 and response.url == reverse("screening:checkpoint")
            continue
        if response.status_code != 403:
            refused.append((name, url, response.status_code))
    assert refused == []
    for name in ("screening:checkpoint", "screening:manifest", "sharing:preferences", "sharing:security"):
        assert client.get(reverse(name)).status_code == 200, name


def test_the_screeners_menu_offers_only_screening(world, client):
    login(client, world.screener)
    page = client.get("/screening/").content.decode()
    assert 'action="/search/"' not in page and "/persons/" not in page and "/matching/" not in page
    assert "/screening/manifest/" in page


def test_a_screeners_api_token_reaches_only_the_screening_api(world):
    _token, key = ApiToken.issue(world.screener, "border post", scope=ApiToken.Scope.READ_WRITE)
    api = APIClient()
    api.credentials(HTTP_AUTHORIZATION=f"Token {key}")
    for url in ("/api/persons/", f"/api/persons/{world.kh_fugitive.pk}/", "/api/search/?q=Sok", "/api/matching/hits/",
                "/api/schema/"):
        assert api.get(url).status_code == 403, url
    assert api.post("/api/persons/", {"names": [{"full_name": "X"}]}, format="json").status_code == 403
    assert api.post("/api/screen", {"name": "ZAW MIN TUN", "birth_date": "1988-07-21"}, format="json").json()["hits"] == 1


def test_viewers_may_not_screen_analysts_may(world, client):
    login(client, world.th_viewer)
    assert client.get("/screening/").status_code == 403
    assert login(APIClient(), world.th_viewer).post("/api/screen", {"name": "Sok Dara"}, format="json").status_code == 403
    login(client, world.th_analyst)
    assert client.get("/screening/").status_code == 200
    assert client.get("/persons/").status_code == 200  # an analyst who screens keeps the registry


def test_the_screening_api_is_in_the_schema_and_answers_400_clearly(world):
    api = login(APIClient(), world.th_analyst)
    schema = api.get("/api/schema/", HTTP_ACCEPT="application/vnd.oai.openapi+json").content.decode()
    assert "/api/screen" in schema and "screen_travellers" in schema
    response = api.post("/api/screen", {"travellers": [{"name": "Sok Dara"}, {"name": "", "birth_date": "soon"}]},
                        format="json")
    assert response.status_code == 400
    assert response.json()["errors"] == [{"line": 2, "problems": [
        "the name is empty",
        "date of birth “soon” is not a date: use YYYY-MM-DD, DD/MM/YYYY, YYYY-MM or YYYY, or leave it empty"]}]
    assert api.post("/api/screen", {"travellers": []}, format="json").status_code == 400
    assert api.post("/api/screen", [1, 2], format="json").status_code == 400
