"""Operations, phases, cases and events with their figures and participants."""
import pytest

from liaison.operations.models import Event, Operation, Phase
from liaison.registry.models import Site
from tests.factories import make_person

pytestmark = pytest.mark.django_db


@pytest.fixture
def operation(world):
    op = Operation.objects.create(owner=world["cn"], name="Jingyao", distribution="members", start="2023-09")
    Phase.objects.create(operation=op, number=1, name="Phase one", start="2023-09")
    return op


def test_operation_shows_its_phases_and_phases_are_written_by_its_owner(world, client_for, operation):
    data = client_for(world["mm_editor"]).get(f"/api/operations/{operation.pk}/").json()
    assert [p["name"] for p in data["phases"]] == ["Phase one"]
    refused = client_for(world["mm_editor"]).post(
        "/api/phases/", {"operation": operation.pk, "number": 2}, format="json")
    assert refused.status_code == 403 and "MPS" in refused.json()["detail"]
    created = client_for(world["cn_editor"]).post(
        "/api/phases/", {"operation": operation.pk, "number": 2, "name": "Phase two", "start": "2024-01"},
        format="json")
    assert created.status_code == 201, created.json()
    assert operation.phases.count() == 2


def test_event_with_figures_and_participants_in_one_request(world, client_for, operation):
    suspect = make_person(world["cn"], "Ming Xuechang")
    site = Site.objects.create(owner=world["cn"], name="Crouching Tiger Villa", country_id="MM")
    api = client_for(world["cn_editor"])
    response = api.post("/api/events/", {
        "kind": "handover", "title": "Handover of the Ming family", "date": "2023-11-15",
        "phase": operation.phases.get().pk, "site": site.pk, "countries": ["MM", "CN"],
        "from_country": "MM", "to_country": "CN",
        "figures": [{"category": "suspects", "value": 31317, "qualifier": "more_than"}],
        "participants": [{"person": suspect.pk, "role": "leader"}],
    }, format="json")
    assert response.status_code == 201, response.json()
    data = response.json()
    assert data["operation"] == operation.pk  # implied by the phase
    assert data["figures"][0]["value"] == 31317
    assert data["participants"][0]["person"]["label"] == "Ming Xuechang"
    event = Event.objects.get(pk=data["id"])
    assert sorted(event.countries.values_list("code", flat=True)) == ["CN", "MM"]


def test_event_refuses_records_the_user_cannot_see(world, client_for, operation):
    theirs = make_person(world["cn"], "Invisible To Moha")
    hidden_site = Site.objects.create(owner=world["cn"], name="Hidden", country_id="MM")
    response = client_for(world["mm_editor"]).post("/api/events/", {
        "kind": "raid", "title": "Raid", "date": "2024", "site": hidden_site.pk,
        "participants": [{"person": theirs.pk, "role": "suspect"}],
    }, format="json")
    assert response.status_code == 400
    assert response.json() == {"site": ["No such record."],
                               "participants": {"0": {"person": ["No such record."]}}}


def test_phase_must_belong_to_the_operation(world, client_for, operation):
    other = Operation.objects.create(owner=world["cn"], name="Other")
    response = client_for(world["cn_editor"]).post("/api/events/", {
        "kind": "raid", "title": "Raid", "operation": other.pk, "phase": operation.phases.get().pk,
    }, format="json")
    assert response.status_code == 400
    assert response.json() == {"phase": ["This phase belongs to another operation."]}


def test_participant_who_becomes_invisible_is_shown_as_such(world, client_for):
    shared = make_person(world["cn"], "Shared Suspect", distribution="members")
    event = Event.objects.create(owner=world["cn"], distribution="members", kind="arrest", title="Arrest")
    event.participants.create(person=shared, role="suspect")
    api = client_for(world["mm_editor"])
    assert api.get(f"/api/events/{event.pk}/").json()["participants"][0]["person"]["label"] == "Shared Suspect"
    shared.distribution = "owner"
    shared.save()
    person = api.get(f"/api/events/{event.pk}/").json()["participants"][0]["person"]
    assert person == {"visible": False, "label": "a record you cannot see"}


def test_event_filters(world, client_for, operation):
    phase = operation.phases.get()
    for kind, date in [("raid", "2023-10-05"), ("arrest", "2023-11"), ("handover", "2024-01-30"), ("raid", "--03-01")]:
        Event.objects.create(owner=world["cn"], kind=kind, title=f"{kind} {date}", date=date,
                             operation=operation if kind != "handover" else None, phase=phase if kind == "raid" else None)
    api = client_for(world["cn_editor"])

    def titles(**params):
        return sorted(e["title"] for e in api.get("/api/events/", params).json()["results"])

    assert titles(kind="raid") == ["raid --03-01", "raid 2023-10-05"]
    assert titles(date_from="2023-11", date_to="2023-11") == ["arrest 2023-11"]
    assert titles(date_from="2023-10", date_to="2023") == ["arrest 2023-11", "raid 2023-10-05"]
    assert titles(operation=operation.pk) == ["arrest 2023-11", "raid --03-01", "raid 2023-10-05"]
    assert titles(phase=phase.pk, date_from="2023") == ["raid 2023-10-05"]


def test_bad_date_filter_is_a_400(world, client_for):
    response = client_for(world["cn_editor"]).get("/api/events/", {"date_from": "last week"})
    assert response.status_code == 400
    assert "YYYY-MM" in response.json()["date_from"][0]
