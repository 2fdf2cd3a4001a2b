import pytest

from liaison.registry.models import Identifier

pytestmark = pytest.mark.django_db
URL = "/api/identifiers/"


def test_same_identifier_twice_returns_the_existing_record(world, client_for):
    api = client_for(world["cn_editor"])
    first = api.post(URL, {"kind": "phone", "value": "+95 9 212 3456"}, format="json")
    assert first.status_code == 201, first.json()
    assert first.json()["normalized"] == "+9592123456" and first.json()["country"] == "MM"
    again = api.post(URL, {"kind": "phone", "value": "0095-9-2123456"}, format="json")
    assert again.status_code == 200
    assert again.json()["id"] == first.json()["id"]
    assert Identifier.objects.count() == 1


def test_another_agency_gets_its_own_record_without_learning_of_the_first(world, client_for):
    client_for(world["cn_editor"]).post(URL, {"kind": "phone", "value": "+95 9 212 3456"}, format="json")
    other = client_for(world["mm_editor"]).post(URL, {"kind": "phone", "value": "+9592123456"}, format="json")
    assert other.status_code == 201 and other.json()["owner"] == "MOHA"
    assert Identifier.objects.count() == 2


def test_phone_without_country_code_gets_the_normalisers_message(world, client_for):
    response = client_for(world["cn_editor"]).post(URL, {"kind": "phone", "value": "09 123 456 789"}, format="json")
    assert response.status_code == 400
    assert response.json() == {"value": [
        "“09 123 456 789” has no country code: write it with + and the country code, or choose the country."]}


def test_local_phone_with_country_is_stored_e164(world, client_for):
    response = client_for(world["cn_editor"]).post(
        URL, {"kind": "phone", "value": "081 234 5678", "country": "TH"}, format="json")
    assert response.status_code == 201, response.json()
    assert response.json()["normalized"] == "+66812345678"


def test_filter_by_identifier_in_any_writing(world, client_for):
    api = client_for(world["cn_editor"])
    api.post(URL, {"kind": "phone", "value": "+95 9 212 3456"}, format="json")
    api.post(URL, {"kind": "telegram", "value": "@scam_boss"}, format="json")
    assert api.get(URL, {"normalized": "0095 9 212 3456"}).json()["count"] == 1
    assert [r["normalized"] for r in api.get(URL, {"kind": "telegram"}).json()["results"]] == ["scam_boss"]
