"""Matching of persons as they arrive (API, import, forms) and the batch run."""
import io

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from rest_framework.test import APIClient

from liaison.matching import services
from liaison.matching.models import CandidatePair, MatchKey
from liaison.registry import importer
from liaison.registry.models import Person
from tests.factories import login

pytestmark = pytest.mark.django_db


def pair_of(a, b):
    a, b = sorted([a.pk if hasattr(a, "pk") else a, b.pk if hasattr(b, "pk") else b])
    return CandidatePair.objects.filter(person_a_id=a, person_b_id=b).first()


def test_batch_run_proposes_the_ming_records_across_scripts_with_explanation(world):
    found, new = services.run_batch()
    assert new == found >= 2
    pair = pair_of(world.cn_ming, world.mm_ming)
    assert pair is not None and pair.status == "open" and pair.probability > 0.9
    assert pair.fields["name"] > 0 and pair.why and "name" in pair.why[0]
    assert pair_of(world.cn_ming, world.mm_hidden) is not None  # found even though CN cannot see it…
    assert pair_of(world.cn_ming, world.mm_hidden) not in services.visible_pairs(world.cn_analyst)  # …never shown


def test_match_run_is_idempotent_and_never_reproposes_a_rejected_pair(world):
    out = io.StringIO()
    call_command("match", "run", stdout=out)
    assert "new in the queue" in out.getvalue()
    count = CandidatePair.objects.count()
    keys = MatchKey.objects.count()
    assert count >= 2 and keys > 0
    pair = pair_of(world.cn_ming, world.mm_ming)
    services.reject(world.cn_analyst, pair)
    out = io.StringIO()
    call_command("match", "run", "--threshold", "0.5", stdout=out)
    assert ", 0 new in the queue" in out.getvalue()
    assert CandidatePair.objects.count() == count and MatchKey.objects.count() == keys
    pair.refresh_from_db()
    assert pair.status == "rejected"


def test_match_run_refuses_a_threshold_that_is_not_a_probability(world):
    with pytest.raises(CommandError, match="between 0 and 1"):
        call_command("match", "run", "--threshold", "5")


def test_person_created_through_the_api_is_matched_on_arrival(world, django_capture_on_commit_callbacks):
    services.run_batch()
    api = login(APIClient(), world.cn_analyst)
    with django_capture_on_commit_callbacks(execute=True):
        response = api.post("/api/persons/", {
            "names": [{"full_name": "MING XUE CHANG", "kind": "primary"}], "birth_date": "1955-03-10",
            "documents": [{"number": "MD 123456", "country": "MM"}], "distribution": "members", "tlp": "GREEN",
        }, format="json")
    assert response.status_code == 201, response.json()
    new = Person.objects.get(pk=response.json()["id"])
    pair = pair_of(new, world.mm_ming)
    assert pair is not None and pair.found_by == "incremental"
    assert pair.fields.get("document", 0) > 0  # the same passport, written differently
    assert MatchKey.objects.filter(person=new, key="d:MD123456").exists()
    # The new pair is in CN's queue, through the API too.
    listed = api.get("/api/matching/candidates/").json()["results"]
    assert pair.pk in [row["id"] for row in listed]
    row = next(r for r in listed if r["id"] == pair.pk)
    assert row["fields"]["name"] > 0 and {row["person_a"]["id"], row["person_b"]["id"]} == {new.pk, world.mm_ming.pk}


def test_changing_a_name_rematches_the_person(world, django_capture_on_commit_callbacks):
    from liaison.registry.models import PersonName

    services.run_batch()
    other = Person.objects.create(owner=world.kh, distribution="members")
    with django_capture_on_commit_callbacks(execute=True):
        PersonName.objects.create(person=other, full_name="Somchai Jaidee")
    assert not CandidatePair.objects.filter(person_a=other).exists() and not CandidatePair.objects.filter(person_b=other).exists()
    with django_capture_on_commit_callbacks(execute=True):
        PersonName.objects.create(person=other, full_name="明学昌", kind="alias")
    assert pair_of(other, world.cn_ming) is not None


def test_imported_list_is_matched_after_the_import(world, django_capture_on_commit_callbacks):
    services.run_batch()
    data = "name,birth_date,nationality,passport\nMing Xuechang,1955,MM,MD123456\nSomchai Jaidee,1980,TH,\n".encode()
    report = importer.validate(data, "handover.csv")
    assert report.ok, report.errors
    with django_capture_on_commit_callbacks(execute=True):
        importer.import_persons(report, world.kh, user=world.kh_analyst)
    imported = Person.objects.get(owner=world.kh, display_name="Ming Xuechang")
    assert pair_of(imported, world.mm_ming) is not None
    assert pair_of(imported, world.cn_ming) is not None
    somchai = Person.objects.get(display_name="Somchai Jaidee")
    assert not CandidatePair.objects.filter(person_a=somchai).exists() and not CandidatePair.objects.filter(person_b=somchai).exists()


def test_a_retracted_person_leaves_the_matching(world):
    services.run_batch()
    assert MatchKey.objects.filter(person=world.mm_hidden).exists()
    Person.objects.filter(pk=world.mm_hidden.pk).update(retracted_at="2024-01-01T00:00:00Z")
    services.match_persons([world.mm_hidden.pk])
    assert not MatchKey.objects.filter(person=world.mm_hidden).exists()


def test_person_entered_in_the_web_form_is_matched_on_arrival(world, client, django_capture_on_commit_callbacks):
    from tests.web.test_forms import person_post

    services.run_batch()
    login(client, world.kh_analyst)
    data = person_post(
        [{"full_name": "Xuechang Ming", "kind": "primary", "language": "en"}, {"full_name": "明學昌", "kind": "alias"}],
        [{"country": "MM", "acquired": "birth", "status": "held"}], birth_date="1955", sex="male",
    )
    # CN-MPS's members-wide record is the same man: the form says so first.
    warned = client.post("/persons/new/", data)
    assert warned.status_code == 200 and "Possible duplicate" in warned.content.decode()
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post("/persons/new/", {**data, "save_anyway": "1"})
    assert response.status_code == 302
    new = Person.objects.get(owner=world.kh, display_name="Xuechang Ming")
    assert pair_of(new, world.cn_ming) is not None and pair_of(new, world.mm_ming) is not None
    # KH can see CN's members-wide record: the pair is in KH's queue; MM's shared-with-CN record is not.
    assert "Xuechang Ming" in client.get("/matching/").content.decode()
    assert pair_of(new, world.mm_ming) not in services.visible_pairs(world.kh_analyst)


def test_match_run_on_splink_duckdb_finds_the_same_pairs_as_in_python(world):
    call_command("match", "run", "--full", "--backend", "duckdb", stdout=io.StringIO())
    on_duckdb = set(CandidatePair.objects.values_list("person_a_id", "person_b_id"))
    CandidatePair.objects.all().delete()
    call_command("match", "run", "--full", "--backend", "python", stdout=io.StringIO())
    assert on_duckdb == set(CandidatePair.objects.values_list("person_a_id", "person_b_id"))
    assert pair_of(world.cn_ming, world.mm_ming) is not None


def test_a_phone_the_viewer_may_not_see_does_not_count_in_the_explanation(world):
    from liaison.matching import records
    from liaison.registry.models import Identifier
    from tests.web.world import link

    hidden = Identifier.objects.create(owner=world.cn, kind="phone", value="+95 9 250 123 456")
    link(world.cn, world.cn_ming, "uses_phone", hidden, distribution="owner")
    shared = Identifier.objects.create(owner=world.mm, kind="phone", value="+95 9 250 123 456", distribution="shared")
    link(world.mm, world.mm_ming, "uses_phone", shared, distribution="shared")
    loaded = records.load([world.cn_ming.pk, world.mm_ming.pk, world.mm_hidden.pk])
    assert loaded[world.cn_ming.pk].identifiers == [] and loaded[world.mm_ming.pk].identifiers == []
    # MM's own owner-only record: only MM sees it, and MM sees its own phone.
    link(world.mm, world.mm_hidden, "uses_phone", shared, distribution="owner")
    assert records.load([world.mm_hidden.pk])[world.mm_hidden.pk].identifiers == ["+959250123456"]


def test_one_matching_run_per_transaction_whatever_the_number_of_saves(world, monkeypatch, django_capture_on_commit_callbacks):
    from django.db import transaction

    from liaison.registry.models import PersonName, PersonStatus

    runs = []
    monkeypatch.setattr(services, "match_persons", lambda ids, **kw: runs.append(set(ids)) or [])
    with django_capture_on_commit_callbacks(execute=True):
        with transaction.atomic():
            person = Person.objects.create(owner=world.kh, distribution="members")
            for name in ("Ming Xuechang", "明学昌", "MING XUE CHANG"):
                PersonName.objects.create(person=person, full_name=name)
            PersonStatus.objects.create(person=person, status="wanted")
    # One run (the test's own transaction also holds the world's persons, saved earlier in it).
    assert len(runs) == 1 and person.pk in runs[0]
