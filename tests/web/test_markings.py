"""Markings travel with the record: TLP, handling code and grading on list rows and pages."""
import pytest
from django.test import Client

from liaison.registry.models import Source
from tests.factories import login, make_agency, make_person, make_user

pytestmark = pytest.mark.django_db


def test_list_row_and_page_show_tlp_handling_and_grading():
    cn = make_agency("CN", "CN")
    person = make_person(cn, "Marked Person", tlp="RED", handling="H2", accuracy="2")
    Source.objects.create(owner=cn, title="Graded report", reliability="B", accuracy="3", tlp="GREEN")
    client = login(Client(), make_user(cn))
    for url in ("/persons/", f"/persons/{person.pk}/"):
        page = client.get(url).content.decode()
        assert "TLP:RED" in page and ">H2<" in page and ">2<" in page, url
    sources = client.get("/sources/").content.decode()
    assert "TLP:GREEN" in sources and ">B3<" in sources
