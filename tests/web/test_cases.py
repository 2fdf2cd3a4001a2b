"""Cases in the web UI: list, page, form."""
import pytest
from django.urls import reverse

from liaison.operations.models import Case, Event, Operation, Phase
from liaison.registry.models import Citation
from tests.factories import login
from tests.web.test_forms import MARKING
from tests.budgets import INBOX_BADGE

pytestmark = pytest.mark.django_db


def case_post(**fields):
    return {**MARKING, "reference": "MPS-2024-0117", "title": "Pig-butchering ring, Shwe Kokko", "crime_type": "telecom_fraud",
            "status": "open", "operation": "", "phase": "", "opened": "2024-02", **fields}


@pytest.fixture
def other_operation(world):
    op = Operation.objects.create(owner=world.mm, name="Steel Net", distribution="members", is_synthetic=True)
    return op, Phase.objects.create(operation=op, number=1, name="Border sweep")


def test_create_case_and_see_it_from_its_operation(as_cn, world):
    response = as_cn.post(reverse("web:new", args=["cases"]), case_post(operation=world.operation.pk, phase=world.phase2.pk))
    case = Case.objects.get(reference="MPS-2024-0117")
    assert response.status_code == 302 and response["Location"] == reverse("web:detail", args=["cases", case.pk])
    assert case.owner == world.cn and case.created_by == world.cn_user and case.phase == world.phase2
    page = as_cn.get(response["Location"]).content.decode()
    assert "Pig-butchering ring, Shwe Kokko" in page and "Telecom and internet fraud" in page and "February 2024" in page
    assert f'{reverse("web:detail", args=["operations", world.operation.pk])}#phase-2' in page
    operation_page = as_cn.get(reverse("web:detail", args=["operations", world.operation.pk])).content.decode()
    assert f'href="{response["Location"]}"' in operation_page and 'id="phase-2"' in operation_page


def test_phase_of_another_operation_is_refused(as_cn, world, other_operation):
    _op, foreign_phase = other_operation
    response = as_cn.post(reverse("web:new", args=["cases"]), case_post(operation=world.operation.pk, phase=foreign_phase.pk))
    page = response.content.decode()
    assert response.status_code == 200
    assert "This phase belongs to the operation “Steel Net”, not to “Jingyao”." in page
    assert not Case.objects.filter(reference="MPS-2024-0117").exists()


def test_phase_alone_sets_its_operation(as_cn, world):
    as_cn.post(reverse("web:new", args=["cases"]), case_post(phase=world.phase1.pk))
    assert Case.objects.get(reference="MPS-2024-0117").operation == world.operation


def test_form_offers_only_visible_operations_and_their_phases(as_mm, world):
    hidden = Operation.objects.create(owner=world.cn, name="Secret op")
    hidden_phase = Phase.objects.create(operation=hidden, number=1)
    page = as_mm.get(reverse("web:new", args=["cases"])).content.decode()
    assert "Jingyao – phase 2" in page and "Secret op" not in page
    page = as_mm.post(reverse("web:new", args=["cases"]), case_post(phase=hidden_phase.pk)).content.decode()
    assert "Select a valid choice" in page and not Case.objects.exists()


def test_case_access(client, as_mm, world):
    shared = Case.objects.create(owner=world.cn, reference="CN-1", title="Shared case", distribution="members")
    secret = Case.objects.create(owner=world.cn, reference="CN-2", title="Owner only case")
    assert as_mm.get(reverse("web:detail", args=["cases", shared.pk])).status_code == 200
    for url in (reverse("web:detail", args=["cases", secret.pk]), reverse("web:edit", args=["cases", secret.pk])):
        response = as_mm.get(url)
        assert response.status_code == 404 and "Owner only case" not in response.content.decode()
    response = as_mm.get(reverse("web:edit", args=["cases", shared.pk]))
    assert response.status_code == 403 and "Only that agency can change it" in response.content.decode()
    response = as_mm.post(reverse("web:edit", args=["cases", shared.pk]), case_post(title="Changed by MM"))
    assert response.status_code == 403 and Case.objects.get(pk=shared.pk).title == "Shared case"
    login(client, world.cn_viewer)
    assert client.get(reverse("web:new", args=["cases"])).status_code == 403
    assert client.post(reverse("web:new", args=["cases"]), case_post()).status_code == 403
    assert not Case.objects.filter(reference="MPS-2024-0117").exists()


def test_owner_edits_a_case(as_cn, world):
    case = Case.objects.create(owner=world.cn, reference="CN-1", title="Old title", distribution="members")
    response = as_cn.post(reverse("web:edit", args=["cases", case.pk]), case_post(reference="CN-1", title="New title", status="prosecution"))
    assert response.status_code == 302
    case.refresh_from_db()
    assert (case.title, case.status) == ("New title", "prosecution")
    page = as_cn.get(reverse("web:detail", args=["cases", case.pk])).content.decode()
    assert "Prosecution" in page and "changed" in page  # the history records the change


def test_case_page_shows_only_visible_events_and_sources(as_mm, world):
    case = Case.objects.create(owner=world.cn, reference="CN-7", title="Kokang case", distribution="members",
                               operation=world.operation, phase=world.phase1)
    world.event.case = case
    world.event.save()
    Event.objects.create(owner=world.cn, kind="raid", title="Unshared raid", case=case)
    Citation.objects.create(source=world.source, record=case, evidence="Keluarga Ming dari Kokang")
    page = as_mm.get(reverse("web:detail", args=["cases", case.pk])).content.decode()
    assert "Phase 1 arrests" in page and "Unshared raid" not in page
    assert "Keluarga Ming dari Kokang" in page and "Jingyao" in page
    assert "Marking" in page and "Ministry of Public Security" in page


def test_case_list_filters(as_mm, world, other_operation):
    op, phase = other_operation
    Case.objects.create(owner=world.cn, reference="JY-001", title="Fraud A", crime_type="telecom_fraud", status="open",
                        operation=world.operation, distribution="members")
    Case.objects.create(owner=world.cn, reference="JY-002", title="Trafficking B", crime_type="human_trafficking",
                        status="closed", operation=world.operation, distribution="members")
    Case.objects.create(owner=world.mm, reference="SN-001", title="Trafficking C", crime_type="human_trafficking",
                        status="open", operation=op, phase=phase)
    Case.objects.create(owner=world.cn, reference="JY-999", title="Not shared", status="open")
    url = reverse("web:list", args=["cases"])

    def refs(**params):
        page = as_mm.get(url, params).content.decode()
        return {ref for ref in ("JY-001", "JY-002", "SN-001", "JY-999") if ref in page}

    assert refs() == {"JY-001", "JY-002", "SN-001"}
    assert refs(status="open") == {"JY-001", "SN-001"}
    assert refs(crime_type="human_trafficking") == {"JY-002", "SN-001"}
    assert refs(operation=op.pk) == {"SN-001"}
    assert refs(reference="jy-") == {"JY-001", "JY-002"}
    assert refs(status="open", crime_type="human_trafficking") == {"SN-001"}
    page = as_mm.get(url).content.decode()
    assert "Download CSV" in page and reverse("export", args=["cases"]) in page and "Add new" in page
    assert 'class="badge tlp' in page
    assert reverse("web:detail", args=["cases", Case.objects.get(reference="SN-001").pk]) in page


def test_csv_export_of_cases(as_mm, world):
    Case.objects.create(owner=world.cn, reference="JY-001", title="Shared", distribution="members")
    Case.objects.create(owner=world.cn, reference="JY-999", title="Not shared")
    response = as_mm.get(reverse("export", args=["cases"]))
    text = response.content.decode()
    assert response.status_code == 200 and "JY-001" in text and "JY-999" not in text


N = 30


def test_case_list_queries(as_mm, world, django_assert_max_num_queries):
    for i in range(N):
        Case.objects.create(owner=world.cn, reference=f"JY-{i:03}", title=f"Case {i}", operation=world.operation,
                            phase=world.phase1 if i % 2 else None, distribution="members")
    with django_assert_max_num_queries(12 + INBOX_BADGE):
        response = as_mm.get(reverse("web:list", args=["cases"]))
    page = response.content.decode()
    assert response.status_code == 200 and page.count("<tr>") == N and "JY-029" in page


def test_case_detail_queries(as_cn, world, django_assert_max_num_queries):
    case = Case.objects.create(owner=world.cn, reference="CN-7", title="Kokang case", distribution="members",
                               operation=world.operation, phase=world.phase1)
    for i in range(N):
        Event.objects.create(owner=world.cn, kind="raid", title=f"Raid {i}", date="2023-12", case=case, distribution="members")
        Citation.objects.create(source=world.source, record=case, evidence=f"quote {i}")
    # Session, user and second factor, the case, its operation, events, links, citations, history.
    with django_assert_max_num_queries(16 + INBOX_BADGE):
        response = as_cn.get(reverse("web:detail", args=["cases", case.pk]))
    page = response.content.decode()
    assert response.status_code == 200 and "Raid 29" in page and "quote 29" in page
