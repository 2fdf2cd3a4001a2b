"""`liaison match run`: incremental by default (only persons whose keys are not current),
chunk by chunk, resumable; `--full` re-keys and deduplicates the whole registry (issue 18)."""
import io
from datetime import timedelta

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import connection, connections
from django.test import override_settings

from liaison.matching import runs, services
from liaison.matching.models import CandidatePair, HitNotice, KeyedPerson, MatchKey, ProbeCount
from liaison.registry.bulk import load_persons
from liaison.registry.models import Identifier, Person, PersonName
from liaison.sharing import services as sharing

pytestmark = pytest.mark.django_db

# A handover list loaded in bulk by KH-NP: one is CN-MPS's Ming Xuechang, one nobody else holds.
LOADED = [
    {"names": [{"full_name": "Ming Xuechang"}], "birth_date": "1955", "sex": "male", "nationalities": ["MM"]},
    {"names": [{"full_name": "Somchai Jaidee"}]},
]


def run(*args):
    out = io.StringIO()
    call_command("match", "run", *args, stdout=out)
    return out.getvalue()


def pair_of(a, b):
    a, b = sorted([getattr(a, "pk", a), getattr(b, "pk", b)])
    return CandidatePair.objects.filter(person_a_id=a, person_b_id=b).first()


def pairs():
    return set(CandidatePair.objects.values_list("person_a_id", "person_b_id"))


@pytest.fixture
def loaded(world):
    report = load_persons(LOADED, world.kh, reference="handover list")
    return [Person.objects.get(pk=pk) for pk in report.person_ids]


def live():
    return Person.objects.filter(retracted_at__isnull=True).count()


def test_a_bulk_load_is_keyed_and_matched_by_the_next_run_and_a_second_run_has_nothing_to_do(world, loaded):
    ming, somchai = loaded
    assert not MatchKey.objects.filter(person=ming).exists()  # the loader writes no keys
    out = run()
    assert f"Persons to key: {live()}." in out
    assert "persons keyed and matched (" in out and "persons/s)." in out
    assert f"Persons re-keyed: {live()}." in out
    pair = pair_of(ming, world.cn_ming)
    assert pair is not None and pair.status == "open" and pair.found_by == "incremental" and pair.probability > 0.9
    assert MatchKey.objects.filter(person=somchai).exists() and KeyedPerson.objects.count() == live()
    found = pairs()

    again = run()
    assert "Persons to key: 0." in again and "Persons re-keyed: 0." in again
    assert "0 candidate pairs found, 0 new in the queue." in again
    assert pairs() == found


def test_a_name_changed_through_the_orm_rekeys_that_person_only_and_finds_its_new_pair(world, loaded):
    ming, somchai = loaded
    run()
    before = dict(KeyedPerson.objects.values_list("person_id", "keyed_at"))
    assert pair_of(somchai, world.cn_ming) is None
    # Arrival matching is not run here (its commit never comes in a test): as if it had failed.
    PersonName.objects.create(person=somchai, full_name="明学昌", kind="alias")
    assert not KeyedPerson.objects.filter(person=somchai).exists()

    out = run()
    assert "Persons to key: 1." in out and "Persons re-keyed: 1." in out
    assert pair_of(somchai, world.cn_ming) is not None
    after = dict(KeyedPerson.objects.values_list("person_id", "keyed_at"))
    assert {pk for pk in after if after[pk] != before.get(pk)} == {somchai.pk}


def test_a_phone_linked_through_the_orm_rekeys_the_person(world, loaded):
    from tests.web.world import link

    ming, _somchai = loaded
    run()
    phone = Identifier.objects.create(owner=world.kh, kind="phone", value="+95 9 250 123 456", distribution="members")
    link(world.kh, ming, "uses_phone", phone, distribution="members")
    out = run()
    assert "Persons re-keyed: 1." in out
    assert MatchKey.objects.filter(person=ming, key="i:+959250123456").exists()


def test_arrival_matching_marks_the_person_keyed_and_a_failed_one_is_caught_up(world, monkeypatch,
                                                                              django_capture_on_commit_callbacks):
    from tests.factories import make_person

    run()
    with django_capture_on_commit_callbacks(execute=True):
        arrived = make_person(world.kh, "MING XUE CHANG", sex="male", birth_date="1955")
    assert KeyedPerson.objects.filter(person=arrived).exists() and pair_of(arrived, world.cn_ming) is not None
    assert "Persons to key: 0." in run()

    def broken(*args, **kwargs):
        raise RuntimeError("the matcher is down")

    monkeypatch.setattr(services, "score_loaded", broken)
    with django_capture_on_commit_callbacks(execute=True):
        failed = make_person(world.kh, "Xuechang Ming", sex="male", birth_date="1955")
    assert not KeyedPerson.objects.filter(person=failed).exists() and pair_of(failed, world.cn_ming) is None
    monkeypatch.undo()
    out = run()
    assert "Persons re-keyed: 1." in out and pair_of(failed, world.cn_ming) is not None


def test_a_retracted_person_loses_its_keys_and_is_keyed_again_once_restored(world, loaded):
    run()
    assert MatchKey.objects.filter(person=world.mm_hidden).exists()
    sharing.retract(world.mm_liaison, world.mm_hidden, "Entered twice")
    out = run()
    assert "Retracted persons taken out of the matching: 1." in out and "Persons re-keyed: 0." in out
    assert not MatchKey.objects.filter(person=world.mm_hidden).exists()
    assert not KeyedPerson.objects.filter(person=world.mm_hidden).exists()

    world.mm_hidden.refresh_from_db()
    sharing.restore(world.mm_liaison, world.mm_hidden)
    assert "Persons re-keyed: 1." in run()
    assert MatchKey.objects.filter(person=world.mm_hidden).exists()


def test_a_run_killed_after_its_first_chunk_keeps_that_chunk_and_the_next_run_finishes_without_duplicates(
        world, loaded, monkeypatch):
    order = list(Person.objects.order_by("pk").values_list("pk", flat=True))
    first = order[:2]  # CN-MPS's and MM-MPF's Ming Xuechang: a pair inside the first chunk
    assert set(first) == {world.cn_ming.pk, world.mm_ming.pk}
    real, calls = runs.key_and_match, []

    def dies_in_the_second_chunk(ids, **kwargs):
        calls.append(list(ids))
        if len(calls) == 2:
            raise RuntimeError("killed")
        return real(ids, **kwargs)

    monkeypatch.setattr(runs, "key_and_match", dies_in_the_second_chunk)
    with pytest.raises(RuntimeError, match="killed"):
        run("--chunk", "2")
    assert set(KeyedPerson.objects.values_list("person_id", flat=True)) == set(first)
    assert set(MatchKey.objects.values_list("person_id", flat=True)) == set(first)
    assert pairs() == {tuple(first)}

    monkeypatch.undo()
    out = run("--chunk", "2")
    assert f"Persons to key: {live() - 2}." in out and f"Persons re-keyed: {live() - 2}." in out
    resumed = pairs()
    assert KeyedPerson.objects.count() == live() and pair_of(loaded[0], world.cn_ming) is not None

    # The same pairs as a run that was never interrupted.
    CandidatePair.objects.all().delete()
    KeyedPerson.objects.all().delete()
    run()
    assert pairs() == resumed


def test_a_rejected_pair_is_never_proposed_again_by_an_incremental_run(world, loaded):
    run()
    pair = pair_of(world.cn_ming, world.mm_ming)
    services.reject(world.cn_analyst, pair, "Different fathers")
    count = CandidatePair.objects.count()
    PersonName.objects.create(person=world.mm_ming, full_name="MING XUE CHANG", kind="alias")
    out = run()
    assert "Persons re-keyed: 1." in out and ", 0 new in the queue." in out
    pair.refresh_from_db()
    assert pair.status == "rejected" and CandidatePair.objects.count() == count


def test_full_run_rekeys_everything_deduplicates_in_one_batch_and_leaves_nothing_to_key(world, loaded):
    out = run("--full")
    assert f"Persons to key: {live()}." in out and "persons keyed (" in out
    assert f"Deduplicating {live()} persons in one batch" in out and f"Persons re-keyed: {live()}." in out
    pair = pair_of(loaded[0], world.cn_ming)
    assert pair is not None and pair.found_by == "batch"
    assert KeyedPerson.objects.count() == live()
    assert "Persons to key: 0." in run()


def test_backend_and_chunk_are_checked(world):
    with pytest.raises(CommandError, match="add --full"):
        run("--backend", "duckdb")
    with pytest.raises(CommandError, match="at least 1"):
        run("--chunk", "0")


@pytest.mark.skipif(connection.vendor != "postgresql", reason="the advisory lock is PostgreSQL's")
def test_a_second_run_at_the_same_time_is_refused_on_postgresql(world):
    other = connections.create_connection("default")
    try:
        with other.cursor() as cursor:
            cursor.execute("SELECT pg_advisory_lock(%s)", [runs.LOCK_KEY])
        with pytest.raises(CommandError, match="Another match run is in progress"):
            run()
        with pytest.raises(CommandError, match="Another match run is in progress"):
            run("--full")
        assert not KeyedPerson.objects.exists()  # it stopped before doing anything
        with other.cursor() as cursor:
            cursor.execute("SELECT pg_advisory_unlock(%s)", [runs.LOCK_KEY])
        assert f"Persons re-keyed: {live()}." in run()
    finally:
        other.close()


@override_settings(MATCH_PROBE_LIMIT=2)
def test_a_hit_held_back_by_the_days_limit_is_made_by_a_run_the_next_day(world):
    from tests.factories import make_person

    run()
    services.add_to_watchlist(world.kh_analyst, world.kh_wanted, "Warrant KH-2024-118")
    probes = [make_person(world.cn, "Chen Zhihua", sex="male", birth_date="1979") for _ in range(3)]
    for person in probes:  # arrival matching of each, one after the other
        services.match_persons([person.pk])
    assert set(HitNotice.objects.values_list("matched", flat=True)) == {probes[0].pk, probes[1].pk}
    run()  # the same day: still held back
    assert HitNotice.objects.count() == 2
    ProbeCount.objects.update(day=ProbeCount.objects.first().day - timedelta(days=1))
    run()
    assert set(HitNotice.objects.values_list("matched", flat=True)) == {p.pk for p in probes}


def test_candidates_are_ranked_by_shared_keys_with_a_document_first_on_every_database(world):
    """PostgreSQL ranks in the database (only the best come back); the order is keys.rank_candidates'."""
    from liaison.matching import records
    from liaison.matching.keys import rank_candidates

    services.refresh_all_keys()
    recs = records.load(Person.objects.values_list("pk", flat=True))
    keys = {pid: records.keys_of(rec) for pid, rec in recs.items()}
    rows = list(MatchKey.objects.values_list("person_id", "key"))
    expected = {pid: rank_candidates(((other, k) for other, k in rows if k in own and other != pid), 2)
                for pid, own in keys.items()}
    assert services.blocked_candidates(keys, limit=2) == expected
    # Namesakes share name keys with MM-MPF's record; a record with its passport number comes first.
    from liaison.registry.models import IdentityDocument
    from tests.factories import make_person

    twin = make_person(world.kh, "Somchai Jaidee")
    IdentityDocument.objects.create(person=twin, number="MD123456", country_id="MM")
    services.match_persons([twin.pk])
    ming = records.load([world.mm_ming.pk])[world.mm_ming.pk]
    assert services.blocked_candidates({world.mm_ming.pk: records.keys_of(ming)}, limit=1) == {world.mm_ming.pk: [twin.pk]}
