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


# --- the edit form: marking changes go through the marking action ---------------------


def edit_post(client, person, **marking):
    from django.urls import reverse

    url = reverse("web:edit", args=["persons", person.pk])
    form = client.get(url).context["form"]
    data = {name: form[name].value() or "" for name in form.fields}
    data.update(marking)
    names = list(person.names.order_by("id"))
    data.update({"names-TOTAL_FORMS": str(len(names)), "names-INITIAL_FORMS": str(len(names)),
                 "names-MIN_NUM_FORMS": "0", "names-MAX_NUM_FORMS": "1000",
                 "nationalities-TOTAL_FORMS": "0", "nationalities-INITIAL_FORMS": "0",
                 "nationalities-MIN_NUM_FORMS": "0", "nationalities-MAX_NUM_FORMS": "1000"})
    for i, n in enumerate(names):
        data.update({f"names-{i}-id": str(n.pk), f"names-{i}-person": str(person.pk), f"names-{i}-full_name": n.full_name,
                     f"names-{i}-kind": n.kind, f"names-{i}-language": n.language, f"names-{i}-script": n.script})
    return client.post(url, data)


def test_an_analyst_sees_the_marking_read_only_and_cannot_change_it():
    from liaison.audit.models import AuditEntry
    from liaison.registry.models import Person

    cn, mm = make_agency("CN", "CN"), make_agency("MM", "MM")
    person = make_person(cn, "Kept Close", tlp="AMBER")
    client = login(Client(), make_user(cn))  # an analyst
    form = client.get(f"/persons/{person.pk}/edit/").context["form"]
    assert all(form.fields[name].disabled for name in ("distribution", "tlp", "handling", "handling_note"))
    assert "liaison officer" in client.get(f"/persons/{person.pk}/edit/").content.decode()

    response = edit_post(client, person, distribution="members", tlp="GREEN", birth_place="Laukkaing")
    assert response.status_code == 302
    person.refresh_from_db()
    assert (person.distribution, person.tlp, person.birth_place) == ("owner", "AMBER", "Laukkaing")
    assert not Person.objects.visible_to(make_user(mm)).filter(pk=person.pk).exists()
    assert not AuditEntry.objects.filter(action="marking").exists()


def test_a_liaison_officer_changes_the_marking_in_the_form_and_it_is_audited():
    from liaison.audit.models import AuditEntry

    cn = make_agency("CN", "CN")
    person = make_person(cn, "Shared Later", tlp="AMBER")
    client = login(Client(), make_user(cn, roles=("liaison_officer", "analyst")))
    assert not client.get(f"/persons/{person.pk}/edit/").context["form"].fields["distribution"].disabled
    response = edit_post(client, person, distribution="members", tlp="GREEN")
    assert response.status_code == 302
    person.refresh_from_db()
    assert (person.distribution, person.tlp) == ("members", "GREEN")
    entry = AuditEntry.objects.get(action="marking", record_id=person.pk)
    assert entry.detail["changes"] == {"distribution": ["owner", "members"], "tlp": ["AMBER", "GREEN"]}
    # The TLP rules of the marking action hold here too, with the reason on the page.
    response = edit_post(client, person, distribution="public", tlp="RED")
    assert response.status_code == 200 and "TLP:CLEAR" in response.content.decode()
    person.refresh_from_db()
    assert person.distribution == "members"
