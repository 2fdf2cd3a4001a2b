"""Persons through the API: multilingual names, nested writes, per-field errors."""
import unicodedata

import pytest

from liaison.registry.models import Person, PersonName
from tests.factories import make_person

pytestmark = pytest.mark.django_db

URL = "/api/persons/"


def test_create_person_with_names_in_several_scripts(world, client_for):
    api = client_for(world["cn_editor"])
    decomposed = unicodedata.normalize("NFD", "Nguyễn Văn Anh")
    body = {
        "names": [
            {"full_name": "白所成", "kind": "primary", "language": "zh"},
            {"full_name": "محمد الأحمد", "kind": "alias"},
            {"full_name": "สมชาย ใจดี", "kind": "alias"},
            {"full_name": decomposed, "kind": "transliteration"},
        ],
        "sex": "male",
        "birth_date": "1962",
        "nationalities": [{"country": "cn", "acquired": "birth"}],
        "statuses": [{"status": "arrested", "date": "2023-11", "country": "MM"}],
        "distribution": "members",
        "tlp": "GREEN",
    }
    response = api.post(URL, body, format="json")
    assert response.status_code == 201, response.json()
    data = response.json()
    assert data["display_name"] == "白所成"
    assert [n["full_name"] for n in data["names"]] == ["白所成", "محمد الأحمد", "สมชาย ใจดี", "Nguyễn Văn Anh"]
    assert [n["direction"] for n in data["names"]] == ["ltr", "rtl", "ltr", "ltr"]
    assert data["owner"] == "MPS" and data["tlp"] == "GREEN" and data["distribution"] == "members"
    assert data["nationalities"][0]["country"] == "CN"
    stored = PersonName.objects.get(person_id=data["id"], kind="transliteration").full_name
    assert stored == unicodedata.normalize("NFC", decomposed) and stored != decomposed
    person = Person.objects.get(pk=data["id"])
    assert person.owner == world["cn"] and person.created_by == world["cn_editor"]


def test_owner_and_author_cannot_be_forged(world, client_for):
    api = client_for(world["cn_editor"])
    response = api.post(URL, {"names": [{"full_name": "A"}], "owner": world["mm"].pk}, format="json")
    assert response.status_code == 201
    assert response.json()["owner"] == "MPS"


def test_each_bad_field_gets_its_own_message(world, client_for):
    api = client_for(world["cn_editor"])
    response = api.post(URL, {
        "names": [{"full_name": "  "}],
        "birth_date": "18/11/1962",
        "nationalities": [{"country": "XX"}],
        "tlp": "PURPLE",
    }, format="json")
    assert response.status_code == 400
    errors = response.json()
    assert "YYYY-MM-DD" in errors["birth_date"][0]
    assert "XX" in errors["nationalities"]["0"]["country"][0]
    assert errors["names"]["0"]["full_name"]
    assert "tlp" in errors
    assert not Person.objects.exists()


@pytest.mark.parametrize("value,ok", [("2023", True), ("2023-11", True), ("2023-11-18", True), ("--11-18", True),
                                      ("2023-02-30", False), ("2023-13", False), ("Nov 2023", False)])
def test_partial_dates(world, client_for, value, ok):
    api = client_for(world["cn_editor"])
    response = api.post(URL, {"names": [{"full_name": "A"}], "birth_date": value}, format="json")
    assert (response.status_code == 201) is ok, response.json()
    if not ok:
        assert list(response.json()) == ["birth_date"]


def test_a_person_needs_a_name(world, client_for):
    response = client_for(world["cn_editor"]).post(URL, {"sex": "male"}, format="json")
    assert response.status_code == 400
    assert response.json()["names"] == ["Give at least one name."]


def test_update_replaces_names_keeping_those_given_by_id(world, client_for):
    person = make_person(world["cn"], "Wei Huairen", "Old Alias")
    keep, drop = person.names.order_by("id")
    api = client_for(world["cn_editor"])
    response = api.patch(f"{URL}{person.pk}/", {
        "names": [{"id": keep.pk, "full_name": "魏怀仁", "kind": "primary"}, {"full_name": "Wei H.", "kind": "alias"}],
    }, format="json")
    assert response.status_code == 200, response.json()
    assert [n["full_name"] for n in response.json()["names"]] == ["魏怀仁", "Wei H."]
    assert response.json()["display_name"] == "魏怀仁"
    assert not PersonName.objects.filter(pk=drop.pk).exists()
    assert PersonName.objects.get(pk=keep.pk).full_name == "魏怀仁"


def test_nested_write_is_all_or_nothing(world, client_for):
    person = make_person(world["cn"], "Before")
    api = client_for(world["cn_editor"])
    # The second name refers to an id of another person: the whole update is refused.
    other = make_person(world["cn"], "Other").names.get()
    response = api.patch(f"{URL}{person.pk}/", {
        "sex": "female",
        "names": [{"full_name": "After"}, {"id": other.pk, "full_name": "Hijack"}],
    }, format="json")
    assert response.status_code == 400
    assert "not part of this record" in response.json()["names"][0]
    person.refresh_from_db()
    assert person.sex == "" and list(person.names.values_list("full_name", flat=True)) == ["Before"]
    assert PersonName.objects.get(pk=other.pk).full_name == "Other"


def test_duplicate_nationality_is_a_400(world, client_for):
    response = client_for(world["cn_editor"]).post(URL, {
        "names": [{"full_name": "A"}], "nationalities": [{"country": "KH"}, {"country": "kh"}],
    }, format="json")
    assert response.status_code == 400
    assert response.json()["nationalities"] == ["Each country can be listed only once."]


def test_other_agencies_owner_only_record_is_404_like_an_unknown_id(world, client_for):
    private = make_person(world["cn"], "Owner Only")
    api = client_for(world["mm_editor"])
    hidden = api.get(f"{URL}{private.pk}/")
    missing = api.get(f"{URL}999999/")
    assert hidden.status_code == missing.status_code == 404
    assert hidden.json() == missing.json() == {"detail": "No such record."}
    for method in ("patch", "put", "delete"):
        response = getattr(api, method)(f"{URL}{private.pk}/", {"sex": "male"}, format="json")
        assert response.status_code == 404
    assert "Owner Only" not in str(api.get(URL).json())


def test_non_owner_cannot_change_a_shared_record(world, client_for):
    shared = make_person(world["cn"], "Members See Me", distribution="members")
    api = client_for(world["mm_editor"])
    assert api.get(f"{URL}{shared.pk}/").status_code == 200
    response = api.patch(f"{URL}{shared.pk}/", {"sex": "male"}, format="json")
    assert response.status_code == 403
    assert response.json()["detail"] == "Only the owner agency (MPS) can change this record."
    assert api.delete(f"{URL}{shared.pk}/").status_code == 403
    assert Person.objects.filter(pk=shared.pk, sex="").exists()


def test_viewers_cannot_write(world, client_for):
    api = client_for(world["cn_viewer"])
    response = api.post(URL, {"names": [{"full_name": "A"}]}, format="json")
    assert response.status_code == 403
    assert "can only read" in response.json()["detail"]
    assert not Person.objects.exists()


def test_anonymous_requests_are_refused(world):
    from rest_framework.test import APIClient

    assert APIClient().get(URL).status_code in (401, 403)


def test_owner_can_delete(world, client_for):
    person = make_person(world["cn"], "Delete Me")
    assert client_for(world["cn_editor"]).delete(f"{URL}{person.pk}/").status_code == 204
    assert not Person.objects.filter(pk=person.pk).exists()
