"""Creating and changing joint operations and their phases through the forms."""
import pytest
from django.urls import reverse

from liaison.operations.models import Operation, Phase
from tests.factories import login
from tests.web.test_forms import MARKING, formset_data

pytestmark = pytest.mark.django_db


def operation_post(phases, initial=0, **fields):
    data = {**MARKING, "name": "Operation Steel Net", "native_name": "", "description": "", "lead_agency": "",
            "start": "", "end": "", **fields}
    data.update(formset_data("phases", phases, initial=initial))
    return data


def test_create_operation_with_phases_and_crime_types(as_cn, world):
    data = operation_post(
        [{"number": "1", "name": "Border sweep", "start": "2024-03", "end": "2024-05", "description": "Muse and Lashio"},
         {"number": "2", "name": "ကော့ကန့် follow-up", "start": "2024-06"}],
        name="Steel Net", native_name="钢网", crime_types=["telecom_fraud", "human_trafficking"],
        start="2024-03", countries=["MM", "CN"], agencies=[world.cn.pk, world.mm.pk], lead_agency=world.cn.pk,
    )
    response = as_cn.post(reverse("web:new", args=["operations"]), data)
    op = Operation.objects.get(name="Steel Net")
    assert response.status_code == 302 and response["Location"] == reverse("web:detail", args=["operations", op.pk])
    assert op.owner == world.cn and op.crime_types == ["telecom_fraud", "human_trafficking"]
    assert [(p.number, p.name) for p in op.phases.all()] == [(1, "Border sweep"), (2, "ကော့ကန့် follow-up")]
    page = as_cn.get(response["Location"]).content.decode()
    for text in ("钢网", "Telecom and internet fraud, Human trafficking", "Phase 1", "Border sweep", "Muse and Lashio",
                 "Phase 2", "ကော့ကန့် follow-up", "Myanmar Police Force"):
        assert text in page, text
    # The owner can change it: the page offers the form, next to the team and sharing buttons.
    assert reverse("web:edit", args=["operations", op.pk]) in page
    assert reverse("operation-team", args=[op.pk]) in page
    assert reverse("record-sharing", args=["operations.operation", op.pk]) in page


def test_form_shows_crime_types_as_checkboxes_and_date_help(as_cn, world):
    page = as_cn.get(reverse("web:new", args=["operations"])).content.decode()
    assert 'type="checkbox" name="crime_types" value="human_trafficking"' in page
    assert "<legend>Crime types:</legend>" in page
    assert "As precise as the source" in page


def test_duplicate_phase_number_is_explained_and_nothing_saved(as_cn, world):
    before = (Operation.objects.count(), Phase.objects.count())
    response = as_cn.post(reverse("web:new", args=["operations"]), operation_post(
        [{"number": "1", "name": "First"}, {"number": "1", "name": "Also first"}], name="Twice One",
    ))
    page = response.content.decode()
    assert response.status_code == 200
    assert "Two phases have the same number. Give each phase of the operation its own number." in page
    assert (Operation.objects.count(), Phase.objects.count()) == before


def test_unknown_crime_type_is_refused(as_cn, world):
    response = as_cn.post(reverse("web:new", args=["operations"]), operation_post([], crime_types=["jaywalking"]))
    assert response.status_code == 200
    assert "Select a valid choice. jaywalking is not one of the available choices." in response.content.decode()
    assert not Operation.objects.filter(name="Operation Steel Net").exists()


def test_edit_operation_adds_a_phase_and_renames_another(as_cn, world):
    op = world.operation
    phases = [{"id": str(p.pk), "operation": str(op.pk), "number": str(p.number), "name": p.name, "start": p.start,
               "end": p.end, "description": ""} for p in op.phases.all()]
    phases[1]["name"] = "Crackdown"
    phases.append({"number": "3", "name": "Repatriation", "start": "2024-06"})
    data = operation_post(phases, initial=2, name="Jingyao", native_name="净尧", start="2023-09",
                          countries=list(op.countries.values_list("code", flat=True)))
    response = as_cn.post(reverse("web:edit", args=["operations", op.pk]), data)
    assert response.status_code == 302, response.content.decode()[:3000]
    assert list(op.phases.values_list("number", "name")) == [(1, ""), (2, "Crackdown"), (3, "Repatriation")]
    assert "净尧" == Operation.objects.get(pk=op.pk).native_name


def test_non_owner_gets_the_403_page_and_invisible_is_404(as_mm, world):
    response = as_mm.get(reverse("web:edit", args=["operations", world.operation.pk]))
    assert response.status_code == 403 and "Only that agency can change it" in response.content.decode()
    response = as_mm.post(reverse("web:edit", args=["operations", world.operation.pk]), operation_post([], name="Hijacked"))
    assert response.status_code == 403 and Operation.objects.get(pk=world.operation.pk).name == "Jingyao"
    page = as_mm.get(reverse("web:detail", args=["operations", world.operation.pk])).content.decode()
    assert reverse("web:edit", args=["operations", world.operation.pk]) not in page
    hidden = Operation.objects.create(owner=world.cn, name="Owner-only op")  # distribution defaults to owner only
    assert as_mm.get(reverse("web:edit", args=["operations", hidden.pk])).status_code == 404
    assert as_mm.get(reverse("web:detail", args=["operations", hidden.pk])).status_code == 404


def test_viewer_cannot_create_an_operation(client, world):
    login(client, world.cn_viewer)
    assert client.get(reverse("web:new", args=["operations"])).status_code == 403
    assert client.post(reverse("web:new", args=["operations"]), operation_post([], name="By viewer")).status_code == 403
    assert not Operation.objects.filter(name="By viewer").exists()


def test_new_menu_offers_operation_and_case(as_cn, world):
    page = as_cn.get(reverse("web:dashboard")).content.decode()
    assert reverse("web:new", args=["operations"]) in page and reverse("web:new", args=["cases"]) in page
    assert reverse("web:list", args=["cases"]) in page


def test_new_phase_reusing_an_existing_number_is_refused(as_cn, world):
    op = world.operation
    phases = [{"id": str(p.pk), "operation": str(op.pk), "number": str(p.number), "name": p.name, "start": p.start,
               "end": p.end, "description": ""} for p in op.phases.all()]
    phases.append({"number": "2", "name": "Second phase two"})
    data = operation_post(phases, initial=2, name="Jingyao", start="2023-09")
    response = as_cn.post(reverse("web:edit", args=["operations", op.pk]), data)
    assert response.status_code == 200
    assert "Two phases have the same number" in response.content.decode()
    assert op.phases.count() == 2


def test_imported_unknown_crime_type_is_named_not_dropped(as_cn, world):
    op = world.operation
    Operation.objects.filter(pk=op.pk).update(crime_types=["telecom_fraud", "cyber_slavery"])
    page = as_cn.get(reverse("web:edit", args=["operations", op.pk])).content.decode()
    assert 'value="cyber_slavery"' in page
    phases = [{"id": str(p.pk), "operation": str(op.pk), "number": str(p.number), "start": p.start, "end": p.end}
              for p in op.phases.all()]
    data = operation_post(phases, initial=2, name="Jingyao", start="2023-09", crime_types=["telecom_fraud", "cyber_slavery"])
    page = as_cn.post(reverse("web:edit", args=["operations", op.pk]), data).content.decode()
    assert "Unknown crime type: cyber_slavery" in page
    data["crime_types"] = ["telecom_fraud"]
    assert as_cn.post(reverse("web:edit", args=["operations", op.pk]), data).status_code == 302
    assert Operation.objects.get(pk=op.pk).crime_types == ["telecom_fraud"]
