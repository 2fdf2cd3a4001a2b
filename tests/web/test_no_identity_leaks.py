"""Regressions from the security review: a protected identity or an unshared
record must not leak through labels, sort order, history or the public page."""
import pytest
from django.contrib.contenttypes.models import ContentType
from django.test import Client

from liaison.operations.models import Event, Operation
from liaison.registry.models import Person, Relationship
from tests.factories import login, make_agency, make_person, make_user

pytestmark = pytest.mark.django_db


@pytest.fixture
def w():
    cn, mm = make_agency("CN", "CN"), make_agency("MM", "MM")
    return {"cn": cn, "mm": mm, "cn_user": make_user(cn, username="cn_handler"), "mm_user": make_user(mm)}


def test_sharing_page_and_relationship_labels_hide_protected_names(w):
    informant = make_person(w["cn"], "Informant Real Name", distribution="members", protection="informant")
    secret = make_person(w["cn"], "Owner Only Name")
    ct = ContentType.objects.get_for_model(Person)
    rel = Relationship.objects.create(owner=w["cn"], distribution="members", kind="associate_of",
                                      subject_type=ct, subject_id=informant.pk, object_type=ct, object_id=secret.pk)
    mm = login(Client(), w["mm_user"])
    for url in (f"/sharing/registry.person/{informant.pk}/", f"/sharing/registry.relationship/{rel.pk}/"):
        page = mm.get(url).content.decode()
        assert "Informant Real Name" not in page and "Owner Only Name" not in page, url
    # Nor the kind of protection: calling someone an informant is itself dangerous.
    assert "Informant" not in mm.get(f"/persons/{informant.pk}/").content.decode()


def test_person_list_is_not_sorted_by_withheld_names(w):
    make_person(w["cn"], "Aaron Visible", distribution="members")
    make_person(w["cn"], "Mmm Protected", distribution="members", protection="victim")
    make_person(w["cn"], "Zed Visible", distribution="members")
    page = login(Client(), w["mm_user"]).get("/persons/").content.decode()
    # The withheld name sorts as empty: first, not between A and Z.
    assert page.index("Protected identity") < page.index("Aaron Visible") < page.index("Zed Visible")


def test_history_names_other_agencies_officers_only_by_agency(w):
    person = make_person(w["cn"], "Shared Person", distribution="members")
    cn = login(Client(), w["cn_user"])
    from rest_framework.test import APIClient

    api = login(APIClient(), w["cn_user"])
    assert api.patch(f"/api/persons/{person.pk}/", {"birth_place": "Laukkaing"}, format="json").status_code == 200
    assert "cn_handler" in cn.get(f"/persons/{person.pk}/").content.decode()
    other = login(Client(), w["mm_user"]).get(f"/persons/{person.pk}/").content.decode()
    assert "cn_handler" not in other and "an officer of CN" in other


def test_public_page_does_not_name_unpublished_operations(w):
    op = Operation.objects.create(owner=w["cn"], name="Covert Nightjar")
    Event.objects.create(owner=w["cn"], kind="arrest", title="Public arrest", operation=op, distribution="public", tlp="CLEAR")
    page = Client().get("/published/").content.decode()
    assert "Public arrest" in page and "Covert Nightjar" not in page
