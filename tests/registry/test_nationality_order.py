"""Persons of one nationality in name order (issue 18): the order the lists show
comes from the name copied onto the nationality (migration registry 0010), so
it must follow every change of the name and of the protection, and a protected
identity must sort as blank there as everywhere (issue 10)."""
import re

import pytest
from django.urls import reverse
from rest_framework.test import APIClient

from liaison.registry.bulk import load_persons
from liaison.registry.models import Nationality, Person, PersonName
from tests.factories import login, make_agency, make_person, make_user

pytestmark = pytest.mark.django_db


def with_nationality(person, code):
    Nationality.objects.create(person=person, country_id=code)
    return person


@pytest.fixture
def registry():
    th = make_agency("RTP", "TH")
    names = ["Somchai", "Anong", "Malee", "Chai", "Kittisak", "Boonmee", "Nok"]
    thai = [with_nationality(make_person(th, name, distribution="members"), "TH") for name in names]
    # Another nationality, with names that would sort among the Thai ones.
    lao = [with_nationality(make_person(th, name, distribution="members"), "LA") for name in ("Bounmy", "Kham")]
    return th, thai, lao


def web_list_ids(client, **params):
    body = client.get(reverse("web:list", args=["persons"]), params).content.decode()
    before, after = reverse("web:detail", args=["persons", 999999]).split("999999")
    return [int(pk) for pk in re.findall(re.escape(before) + r"(\d+)" + re.escape(after), body)]


def test_web_list_of_one_nationality_is_in_name_order_and_holds_only_it(client, registry):
    th, thai, lao = registry
    login(client, make_user(th))
    shown = web_list_ids(client, nationality="TH")
    assert shown == [p.pk for p in sorted(thai, key=lambda p: p.display_name)]


def test_a_renamed_person_moves_in_the_nationality_list(client, registry):
    th, thai, _lao = registry
    somchai = next(p for p in thai if p.display_name == "Somchai")
    name = somchai.names.get()
    name.full_name = "Aaron"
    name.save()
    login(client, make_user(th))
    assert web_list_ids(client, nationality="TH")[0] == somchai.pk
    assert Nationality.objects.get(person=somchai).sort_name == "Aaron"


def test_api_list_of_one_nationality_in_name_order_both_ways(registry):
    th, thai, _lao = registry
    api = APIClient()
    api.force_authenticate(make_user(th))
    expected = [p.pk for p in sorted(thai, key=lambda p: p.display_name)]
    body = api.get("/api/persons/", {"nationality": "th"}).json()
    assert [p["id"] for p in body["results"]] == expected
    body = api.get("/api/persons/", {"nationality": "TH", "ordering": "-name"}).json()
    assert [p["id"] for p in body["results"]] == expected[::-1]


def test_protected_identity_sorts_blank_in_the_nationality_list(client, registry):
    """The attack of issue 10 on the new order: an analyst of another agency lists
    Thai nationals and watches where the victim's row falls between names he
    knows, to read her name letter by letter. Her row must sort as blank, also
    when the protection is set after the nationality was entered."""
    th, thai, _lao = registry
    victim = next(p for p in thai if p.display_name == "Nok")
    victim.protection = Person.Protection.VICTIM
    victim.save()
    other = make_agency("CNP", "KH")
    login(client, make_user(other))
    shown = web_list_ids(client, nationality="TH")
    assert shown[0] == victim.pk and len(shown) == len(thai)
    assert Nationality.objects.get(person=victim).sort_name == ""
    api = APIClient()
    api.force_authenticate(make_user(other))
    assert api.get("/api/persons/", {"nationality": "TH"}).json()["results"][0]["id"] == victim.pk

    # Protection lifted: she takes her place by name again.
    Person.objects.filter(pk=victim.pk).update(protection="")
    assert web_list_ids(client, nationality="TH") == [p.pk for p in sorted(thai, key=lambda p: p.display_name)]


def test_nationality_added_later_or_moved_takes_the_persons_name(registry):
    th, _thai, lao = registry
    person = make_person(th, "Zed")
    nationality = Nationality.objects.create(person=person, country_id="VN")
    assert Nationality.objects.get(pk=nationality.pk).sort_name == "Zed"
    # An edit of the nationality (a form saves every column) cannot blank it.
    nationality.status = Nationality.Status.REVOKED
    nationality.save()
    assert Nationality.objects.get(pk=nationality.pk).sort_name == "Zed"
    PersonName.objects.create(person=person, full_name="Alpha", kind="alias")
    assert Nationality.objects.get(pk=nationality.pk).sort_name == "Zed"  # an alias is not the primary name


def test_bulk_loaded_persons_are_in_the_nationality_order(client):
    th = make_agency("RTP", "TH")
    rows = [{"names": [{"full_name": name}], "nationalities": ["MM"]} for name in ("Zaw", "Aung", "Kyaw")]
    rows.append({"names": [{"full_name": "Hidden"}], "nationalities": ["MM"], "protection": "victim"})
    report = load_persons(rows, th, distribution="members")
    sort_names = dict(Nationality.objects.filter(person_id__in=report.person_ids).values_list("person_id", "sort_name"))
    assert [sort_names[pk] for pk in report.person_ids] == ["Zaw", "Aung", "Kyaw", ""]
    login(client, make_user(th))
    zaw, aung, kyaw, hidden = report.person_ids
    assert web_list_ids(client, nationality="MM") == [hidden, aung, kyaw, zaw]
    # The loader's COPY writes the name itself; later writes in the same
    # transaction (an import job goes on) are filled by the database again.
    later = make_person(th, "Later")
    assert Nationality.objects.get(pk=Nationality.objects.create(person=later, country_id="MM").pk).sort_name == "Later"


def test_the_nationality_list_shows_another_agencys_person_only_when_shared(client):
    """The lists test shares row by row now (issue 18): same answer as before."""
    from liaison.sharing import services

    cn, th = make_agency("MPS", "CN"), make_agency("RTP", "TH")
    kept = with_nationality(make_person(cn, "Kept at home"), "CN")
    shared = with_nationality(make_person(cn, "Shared with Thailand"), "CN")
    elsewhere = with_nationality(make_person(cn, "Shared with Cambodia"), "CN")
    services.share(make_user(cn, roles=("liaison_officer",)), shared, agencies=[th])
    services.share(make_user(cn, roles=("liaison_officer",)), elsewhere, agencies=[make_agency("CNP", "KH")])
    reader = make_user(th)
    login(client, reader)
    assert web_list_ids(client, nationality="CN") == [shared.pk]
    api = APIClient()
    api.force_authenticate(reader)
    body = api.get("/api/persons/", {"nationality": "CN"}).json()
    assert [p["id"] for p in body["results"]] == [shared.pk] and body["count"] == 1
    assert kept.pk not in web_list_ids(client)
