"""What other agencies must not learn: protected identities and invisible records."""
import pytest
from django.contrib.contenttypes.models import ContentType

from liaison.registry.models import IdentityDocument, Organisation, Person, Relationship
from liaison.sharing.models import Share
from tests.factories import make_person

pytestmark = pytest.mark.django_db


def share(record, agency, include_protected=False):
    Share.objects.create(content_type=ContentType.objects.get_for_model(record), object_id=record.pk,
                         agency=agency, include_protected=include_protected)


@pytest.fixture
def victim(world):
    person = make_person(world["cn"], "Tran Thi Mai", distribution="shared", protection="victim",
                         birth_date="1999-04", sex="female", notes="Mai's family lives in Nghệ An")
    IdentityDocument.objects.create(person=person, kind="passport", number="C1234567")
    share(person, world["mm"])
    return person


def test_protected_person_is_withheld_from_a_shared_agency(world, client_for, victim):
    data = client_for(world["mm_editor"]).get(f"/api/persons/{victim.pk}/").json()
    assert data["protected"] is True
    assert data["names"] == [] and data["documents"] == [] and data["birth_date"] == ""
    assert data["display_name"] is None and data["protection"] is None
    assert set(data["protected_fields"]) == {"names", "documents", "birth_date", "display_name", "notes"}
    assert "Tran" not in str(data) and "C1234567" not in str(data) and "Mai" not in str(data)
    assert data["sex"] == "female"  # not part of the withheld identity


def test_owner_and_explicitly_granted_agency_see_the_identity(world, client_for, victim):
    owner_view = client_for(world["cn_editor"]).get(f"/api/persons/{victim.pk}/").json()
    assert owner_view["protected"] is False and owner_view["names"][0]["full_name"] == "Tran Thi Mai"
    share(victim, world["unodc"], include_protected=True)
    granted = client_for(world["observer"]).get(f"/api/persons/{victim.pk}/").json()
    assert granted["names"][0]["full_name"] == "Tran Thi Mai"


def test_withheld_names_are_neither_listed_nor_searchable_nor_filterable(world, client_for, victim):
    api = client_for(world["mm_editor"])
    listing = api.get("/api/persons/").json()
    assert listing["count"] == 1 and listing["results"][0]["names"] == []
    assert api.get("/api/persons/", {"name": "Tran Thi"}).json()["count"] == 0
    assert api.get("/api/search/", {"q": "Tran Thi Mai"}).json()["persons"] == []
    assert client_for(world["cn_editor"]).get("/api/persons/", {"name": "tran thi"}).json()["count"] == 1


def test_withheld_fields_stay_withheld_in_history(world, client_for, victim):
    client_for(world["cn_editor"]).patch(f"/api/persons/{victim.pk}/", {"birth_place": "Nghệ An"}, format="json")
    history = client_for(world["mm_editor"]).get(f"/api/persons/{victim.pk}/history/").json()
    change = history[0]["changes"][0]
    assert change == {"field": "birth_place", "old": None, "new": None, "withheld": True}
    assert "Nghệ" not in str(history)


def test_relationship_to_an_invisible_record_says_so(world, client_for):
    boss = make_person(world["cn"], "Bai Suocheng", distribution="members")
    secret_org = Organisation.objects.create(owner=world["cn"], name="Secret Front Co", distribution="owner")
    link = Relationship.objects.create(
        owner=world["cn"], distribution="members", kind="leads",
        subject_type=ContentType.objects.get_for_model(Person), subject_id=boss.pk,
        object_type=ContentType.objects.get_for_model(Organisation), object_id=secret_org.pk,
    )
    data = client_for(world["mm_editor"]).get(f"/api/relationships/{link.pk}/").json()
    assert data["subject"] == {"visible": True, "type": "person", "id": boss.pk, "label": "Bai Suocheng"}
    assert data["object"] == {"visible": False, "label": "a record you cannot see"}
    assert "Secret" not in str(data) and str(secret_org.pk) not in str(data["object"])
    owner_view = client_for(world["cn_editor"]).get(f"/api/relationships/{link.pk}/").json()
    assert owner_view["object"]["label"] == "Secret Front Co"


def test_relationship_label_of_a_protected_person_hides_the_name(world, client_for, victim):
    site_owner = make_person(world["cn"], "Boss", distribution="members")
    link = Relationship.objects.create(
        owner=world["cn"], distribution="members", kind="victim_of",
        subject_type=ContentType.objects.get_for_model(Person), subject_id=victim.pk,
        object_type=ContentType.objects.get_for_model(Person), object_id=site_owner.pk,
    )
    # The link itself is withheld: protection follows the person (issue 10).
    assert client_for(world["mm_editor"]).get(f"/api/relationships/{link.pk}/").status_code == 404
    owner = client_for(world["cn_editor"]).get(f"/api/relationships/{link.pk}/").json()
    assert owner["subject"]["id"] == victim.pk


def test_linking_to_an_invisible_record_is_refused_like_a_missing_one(world, client_for):
    mine = make_person(world["mm"], "Mine")
    theirs = make_person(world["cn"], "Theirs")  # owner-only: invisible to MOHA
    api = client_for(world["mm_editor"])

    def link(target_id):
        return api.post("/api/relationships/", {
            "kind": "associate_of", "subject": {"type": "person", "id": mine.pk},
            "object": {"type": "person", "id": target_id},
        }, format="json")

    hidden, missing = link(theirs.pk), link(999999)
    assert hidden.status_code == missing.status_code == 400
    assert hidden.json() == missing.json() == {"object": ["No such record."]}
    created = link(mine.pk)
    assert created.status_code == 400 and "itself" in str(created.json())


def test_relationship_type_is_checked(world, client_for):
    mine = make_person(world["mm"], "Mine")
    response = client_for(world["mm_editor"]).post("/api/relationships/", {
        "kind": "owns", "subject": {"type": "person", "id": mine.pk}, "object": {"type": "planet", "id": 1},
    }, format="json")
    assert response.status_code == 400 and "planet" in response.json()["object"][0]
