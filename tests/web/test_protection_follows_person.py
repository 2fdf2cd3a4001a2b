"""Issue 10, leaks 1 and 2 as reproduced on the demo: a protected victim was named
by her own identifiers and links (shared by the owner as ordinary records), and
her withheld name was recovered from the order of lists.

The world: MM owns a protected victim, shared with TH without the protected
fields; MM also shares with TH (as ordinary records) her e-mail address, her
handle and the links between them. TH must learn nothing of her identifiers or
links anywhere; the owner and an agency granted the protected fields still do.
"""
import pytest
from django.contrib.contenttypes.models import ContentType
from django.test import Client
from rest_framework.test import APIClient

from liaison.registry.models import Identifier, Person, Relationship
from liaison.sharing import services
from liaison.sharing.models import Role
from tests.factories import login, make_agency, make_person, make_user

pytestmark = pytest.mark.django_db

MARK = "karimxq_khaled107"
EMAIL = f"{MARK}@mail.example"
HANDLE = f"{MARK}_6361"


def _link(owner, subject, kind, obj):
    return Relationship.objects.create(
        owner=owner, kind=kind, distribution="shared",
        subject_type=ContentType.objects.get_for_model(subject), subject_id=subject.pk,
        object_type=ContentType.objects.get_for_model(obj), object_id=obj.pk,
    )


@pytest.fixture
def w():
    mm, th, un = make_agency("MM-P", "MM"), make_agency("TH-P", "TH"), make_agency("UN-O", "TH")
    mm_liaison = make_user(mm, roles=(Role.ANALYST, Role.LIAISON_OFFICER))
    victim = make_person(mm, "كريم خالد", distribution="shared", protection="victim")
    email = Identifier.objects.create(owner=mm, kind="email", value=EMAIL, distribution="shared")
    handle = Identifier.objects.create(owner=mm, kind="telegram", value=HANDLE, distribution="shared")
    links = [_link(mm, victim, "holds_account", email), _link(mm, victim, "uses_handle", handle)]
    for record in [victim, email, handle, *links]:
        services.share(mm_liaison, record, agencies=[th])
        services.share(mm_liaison, record, agencies=[un], include_protected=True)
    return dict(mm=mm, th=th, victim=victim, email=email, handle=handle, links=links,
                mm_user=make_user(mm), th_user=make_user(th), un_user=make_user(un))


def _pages(client, w):
    v, rel = w["victim"], w["links"][0]
    urls = [
        f"/persons/{v.pk}/", f"/graph/persons/{v.pk}/", f"/graph/persons/{v.pk}/?depth=2",
        "/identifiers/?value=karimxq", "/identifiers/", "/search/?q=karimxq_k", "/search/?q=karimxq",
        "/export/identifiers.csv", "/export/relationships.csv", "/export/persons.csv",
    ]
    out = {}
    for url in urls:
        response = client.get(url)
        out[url] = (response.status_code, b"".join(response) if response.streaming else response.content)
    for url in [f"/identifiers/{w['email'].pk}/", f"/relationships/{rel.pk}/"]:
        out[url] = (client.get(url).status_code, client.get(url).content)
    return out


def test_identifiers_and_links_of_a_protected_person_are_withheld_on_every_page(w):
    th = login(Client(), w["th_user"])
    assert "Protected identity" in th.get(f"/persons/{w['victim'].pk}/").content.decode()
    for url, (status, body) in _pages(th, w).items():
        assert status in (200, 404), url
        assert MARK.encode() not in body, url
    assert th.get(f"/identifiers/{w['email'].pk}/").status_code == 404
    assert th.get(f"/relationships/{w['links'][0].pk}/").status_code == 404


def test_owner_and_granted_agency_still_see_them(w):
    for user in (w["mm_user"], w["un_user"]):
        client = login(Client(), user)
        assert EMAIL in client.get(f"/persons/{w['victim'].pk}/").content.decode()
        assert client.get(f"/identifiers/{w['email'].pk}/").status_code == 200


def test_api_withholds_them_too(w):
    api = login(APIClient(), w["th_user"])
    v = w["victim"]
    for url in [
        f"/api/relationships/?subject_type=person&subject_id={v.pk}",
        f"/api/relationships/?object_type=person&object_id={v.pk}",
        "/api/relationships/", "/api/identifiers/", "/api/identifiers/?normalized=karimxq",
        f"/api/identifiers/{w['email'].pk}/", f"/api/relationships/{w['links'][1].pk}/",
    ]:
        response = api.get(url)
        assert response.status_code in (200, 404), url
        assert MARK not in response.content.decode(), url
    granted = login(APIClient(), w["un_user"])
    assert MARK in granted.get("/api/identifiers/").content.decode()


def test_public_sees_no_identifier_of_a_protected_person(w):
    Identifier.objects.filter(pk=w["email"].pk).update(distribution="public", tlp="CLEAR")
    Relationship.objects.filter(pk=w["links"][0].pk).update(distribution="public", tlp="CLEAR")
    Person.objects.filter(pk=w["victim"].pk).update(distribution="public", tlp="CLEAR")
    assert not Identifier.objects.visible_to(None).filter(pk=w["email"].pk).exists()
    assert MARK not in Client().get("/published/").content.decode()


def test_own_identifier_linked_to_someone_elses_victim_stays_visible_to_its_owner(w):
    """TH wrote its own phone record; that MM's victim used it is MM's link, withheld from TH."""
    phone = Identifier.objects.create(owner=w["th"], kind="phone", value="+66812055960", distribution="owner")
    link = _link(w["mm"], w["victim"], "uses_phone", phone)
    services.share(make_user(w["mm"], roles=(Role.LIAISON_OFFICER,)), link, agencies=[w["th"]])
    th = login(Client(), w["th_user"])
    assert th.get(f"/identifiers/{phone.pk}/").status_code == 200
    assert th.get(f"/relationships/{link.pk}/").status_code == 404


# --- leak 2: order -----------------------------------------------------------

def _ordered_names(w, names):
    """TH's probe: persons of its own, named around the withheld name, in a list with the victim."""
    return [make_person(w["th"], n, distribution="owner") for n in names]


@pytest.mark.parametrize("url", [
    "/persons/", "/export/persons.csv", "/api/persons/?ordering=name", "/api/persons/",
    "/api/persons/?ordering=-name", "/requests/new/consular_access/",
])
def test_withheld_name_does_not_move_with_probe_names(w, url):
    """Renaming probes around 'كريم خالد' must not move the withheld row among them."""
    th = login(APIClient() if url.startswith("/api/") else Client(), w["th_user"])
    probes = _ordered_names(w, ["كريم خ", "كريم خالدz"])  # one sorts just before, one just after the name
    marker = "Protected identity"

    def order():
        body = th.get(url)
        assert body.status_code == 200, url
        text = (b"".join(body) if body.streaming else body.content).decode()
        if url.startswith("/api/"):
            ids = [row["id"] for row in body.json()["results"]]
            return ids.index(w["victim"].pk) < ids.index(probes[0].pk), ids.index(w["victim"].pk) < ids.index(probes[1].pk)
        pos = text.find(marker) if marker in text else text.find(str(w["victim"].pk))
        return pos < text.find("كريم خ"), pos < text.find("كريم خالدz")

    before = order()
    # Rename the probes the other way round: a leak moves the withheld row between them.
    for probe, name in zip(probes, ["كريم خالدz", "كريم خ"]):
        probe.names.update(full_name=name)
        Person.objects.filter(pk=probe.pk).update(display_name=name)
    assert order()[0] == order()[1], "the withheld row sits between two probe names"
    assert before[0] == before[1]
