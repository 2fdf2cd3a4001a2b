"""Arrival matching as a job (issue 18): with a broker, a saved person is matched by
``liaison.tasks.match_arrivals`` in the worker, not in the officer's request; running it
twice (a message delivered twice) records each candidate pair once."""
from unittest import mock

import pytest

from liaison.matching.models import CandidatePair
from liaison.tasks import tasks as jobs
from tests.factories import make_person
from tests.matching.conftest import build as build_world


@pytest.fixture
def world(db):
    return build_world()


def test_with_a_broker_a_new_person_is_matched_by_the_worker(world, monkeypatch, django_capture_on_commit_callbacks):
    monkeypatch.setattr("liaison.tasks.services.eager", lambda: False)
    before = CandidatePair.objects.count()
    with mock.patch.object(jobs.match_arrivals, "apply_async") as queued:
        with django_capture_on_commit_callbacks(execute=True):
            twin = make_person(world.cn, "Xuechang Ming", distribution="members", sex="male", birth_date="1955")
    # One message for what the test's transaction saved (the world's persons and the twin).
    queued.assert_called_once()
    ids = queued.call_args.kwargs["args"][0]
    assert twin.pk in ids
    assert CandidatePair.objects.count() == before  # nothing matched in the request

    jobs.match_arrivals.apply(args=[ids])  # the worker, given the message
    pairs = set(CandidatePair.objects.values_list("person_a_id", "person_b_id"))
    assert any(twin.pk in pair for pair in pairs)
    jobs.match_arrivals.apply(args=[ids])
    assert set(CandidatePair.objects.values_list("person_a_id", "person_b_id")) == pairs
