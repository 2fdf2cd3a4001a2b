"""Creating and changing records through the forms."""
import pytest
from django.contrib.contenttypes.models import ContentType
from django.urls import reverse

from liaison.operations.models import Event
from liaison.registry.models import Citation, Identifier, Person, Relationship, Source
from tests.factories import login

pytestmark = pytest.mark.django_db


def formset_data(prefix, rows, initial=0):
    data = {f"{prefix}-TOTAL_FORMS": str(len(rows)), f"{prefix}-INITIAL_FORMS": str(initial),
            f"{prefix}-MIN_NUM_FORMS": "0", f"{prefix}-MAX_NUM_FORMS": "1000"}
    for i, row in enumerate(rows):
        data.update({f"{prefix}-{i}-{key}": value for key, value in row.items()})
    return data


MARKING = {"distribution": "members", "tlp": "AMBER", "handling": "H0", "accuracy": "4"}


def person_post(names, nationalities=(), **fields):
    data = {**MARKING, "sex": "", "birth_date": "", "birth_place": "", "protection": "", **fields}
    data.update(formset_data("names", names))
    data.update(formset_data("nationalities", list(nationalities)))
    return data


def test_create_person_with_names_and_nationality(as_cn, world):
    composed = "Nguye\u0302\u0303n Va\u0306n A"  # decomposed Vietnamese, as some keyboards send it
    response = as_cn.post(reverse("web:new", args=["persons"]), person_post(
        [{"full_name": composed, "kind": "primary", "language": "vi"}, {"full_name": "阮文阿", "kind": "alias"}],
        [{"country": "VN", "acquired": "birth", "status": "held"}],
        birth_date="1990-04",
    ))
    person = Person.objects.get(display_name="Nguyễn Văn A")
    assert response.status_code == 302 and response["Location"] == reverse("web:detail", args=["persons", person.pk])
    assert person.owner == world.cn and person.created_by == world.cn_user and person.birth_date == "1990-04"
    assert [n.script for n in person.names.order_by("id")] == ["Latn", "Hani"]
    assert person.nationalities.get().country_id == "VN"


def test_person_needs_a_name_and_bad_date_is_explained(as_cn, world):
    before = Person.objects.count()
    response = as_cn.post(reverse("web:new", args=["persons"]), person_post([], birth_date="31/12/1990"))
    page = response.content.decode()
    assert response.status_code == 200
    assert "Please submit at least 1 form" in page or "at least 1" in page
    assert "is not a date" in page
    assert Person.objects.count() == before


def test_invalid_child_row_saves_nothing(as_cn, world):
    before = Person.objects.count()
    response = as_cn.post(reverse("web:new", args=["persons"]), person_post(
        [{"full_name": "Half Saved", "kind": "primary"}],
        [{"country": "VN", "acquired": "birth", "status": "held", "acquired_on": "sometime"}],
    ))
    assert response.status_code == 200 and "is not a date" in response.content.decode()
    assert Person.objects.count() == before


def test_edit_person_by_owner_keeps_names_as_typed(as_cn, world):
    p = world.ming
    names = [{"id": str(n.pk), "person": str(p.pk), "full_name": n.full_name, "kind": n.kind, "language": n.language, "script": n.script}
             for n in p.names.order_by("id")]
    names.append({"full_name": "明學昌", "kind": "alias", "language": "zh-Hant"})
    data = person_post([], birth_date="1955-03", sex="male")
    data.update(formset_data("names", names, initial=len(names) - 1))
    response = as_cn.post(reverse("web:edit", args=["persons", p.pk]), data)
    assert response.status_code == 302
    assert "明學昌" in p.names.values_list("full_name", flat=True)
    p.refresh_from_db()
    assert p.birth_date == "1955-03"


def test_other_agency_cannot_edit_a_visible_record(as_mm, world):
    response = as_mm.get(reverse("web:edit", args=["persons", world.guoping.pk]))
    assert response.status_code == 403
    assert "Only that agency can change it" in response.content.decode()
    response = as_mm.post(reverse("web:cite", args=["persons", world.guoping.pk]), {"source": world.source.pk, "evidence": "x"})
    assert response.status_code == 403


def test_viewer_cannot_create_and_sees_no_create_links(client, world):
    login(client, world.cn_viewer)
    assert "New…" not in client.get(reverse("web:dashboard")).content.decode()
    assert client.get(reverse("web:new", args=["persons"])).status_code == 403
    assert client.post(reverse("web:new", args=["persons"]), person_post([{"full_name": "X", "kind": "primary"}])).status_code == 403
    page = client.get(reverse("web:detail", args=["persons", world.guoping.pk])).content.decode()
    assert reverse("web:edit", args=["persons", world.guoping.pk]) not in page


def test_identifier_form_shows_the_normaliser_message(as_cn, world):
    data = {**MARKING, "kind": "phone", "value": "12345", "country": "", "label": ""}
    page = as_cn.post(reverse("web:new", args=["identifiers"]), data).content.decode()
    assert "has no country code: write it with + and the country code, or choose the country." in page
    data["value"] = "0086-138-0013-8000"
    page = as_cn.post(reverse("web:new", args=["identifiers"]), data).content.decode()
    assert "Your agency already has this identifier (+8613800138000)" in page
    data["value"] = "+66 81 234 5678"
    assert as_cn.post(reverse("web:new", args=["identifiers"]), data).status_code == 302
    assert Identifier.objects.get(normalized="+66812345678").country_id == "TH"


def test_event_with_figures(as_cn, world):
    data = {**MARKING, "kind": "rescue", "title": "Rescue at Shwe Kokko", "date": "2024-02-03", "operation": world.operation.pk,
            "phase": world.phase2.pk, "countries": ["MM", "TH"]}
    data.update(formset_data("figures", [{"category": "victims", "value": "300", "qualifier": "about"},
                                         {"category": "suspects", "value": "12", "qualifier": ""}]))
    response = as_cn.post(reverse("web:new", args=["events"]), data)
    assert response.status_code == 302, response.content.decode()[:2000]
    event = Event.objects.get(title="Rescue at Shwe Kokko")
    assert sorted(event.figures.values_list("category", "value", "qualifier")) == [("suspects", 12, ""), ("victims", 300, "about")]
    page = as_cn.get(reverse("web:detail", args=["events", event.pk])).content.decode()
    assert "about 300 victims" in page


def test_event_form_offers_only_visible_operations(as_mm, world):
    from liaison.operations.models import Operation

    hidden = Operation.objects.create(owner=world.cn, name="Secret op")
    page = as_mm.get(reverse("web:new", args=["events"])).content.decode()
    assert "Jingyao" in page and "Secret op" not in page
    data = {**MARKING, "kind": "raid", "title": "T", "operation": hidden.pk}
    data.update(formset_data("figures", []))
    page = as_mm.post(reverse("web:new", args=["events"]), data).content.decode()
    assert "Select a valid choice" in page


def test_link_two_records(as_mm, world):
    ct = ContentType.objects.get_for_model(type(world.family))
    data = {**MARKING, "direction": "in", "kind": "operates", "target": f"{ct.pk}:{world.family.pk}", "detail": ""}
    response = as_mm.post(reverse("web:link", args=["sites", world.site.pk]), data)
    assert response.status_code == 302
    rel = Relationship.objects.get(kind="operates")
    assert rel.subject == world.family and rel.object == world.site and rel.owner == world.mm


def test_link_refuses_an_invisible_target(as_mm, world):
    ct = ContentType.objects.get_for_model(type(world.secret))
    data = {**MARKING, "direction": "out", "kind": "associate_of", "target": f"{ct.pk}:{world.secret.pk}"}
    response = as_mm.post(reverse("web:link", args=["sites", world.site.pk]), data)
    assert response.status_code == 200 and "Select a valid choice" in response.content.decode()


def test_add_citation_only_from_visible_sources(as_cn, client, world):
    hidden = Source.objects.create(owner=world.mm, title="Myanmar internal memo")
    url = reverse("web:cite", args=["organisations", world.family.pk])
    assert "Myanmar internal memo" not in as_cn.get(url).content.decode()
    assert as_cn.post(url, {"source": hidden.pk, "evidence": "x"}).status_code == 200
    response = as_cn.post(url, {"source": world.source.pk, "evidence": "Keluarga Ming", "location": "para 3"})
    assert response.status_code == 302
    assert Citation.objects.filter(object_id=world.family.pk, evidence="Keluarga Ming").exists()


def test_csrf_is_enforced(client, world):
    from django.test import Client

    strict = Client(enforce_csrf_checks=True)
    login(strict, world.cn_user)
    response = strict.post(reverse("web:new", args=["persons"]), person_post([{"full_name": "No Token", "kind": "primary"}]))
    assert response.status_code == 403
    assert not Person.objects.filter(display_name="No Token").exists()
