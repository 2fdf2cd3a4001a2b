"""The seed reports end to end: taken in for CN-MPS by the demo, reviewed into the demo's own facts.

The demo's story holds 13 events, each citing its seed report. Reviewing the
proposals the extractor makes from the same reports must find those events
(one accepted proposal each) instead of creating twins.
"""
from io import StringIO
from pathlib import Path

import pytest
from django.core.management import call_command

from liaison.demo import agencies as demo_agencies
from liaison.demo import demo_intake, story
from liaison.intake import review
from liaison.intake.models import Document, ProposedFact
from liaison.operations.models import Event, Operation
from liaison.registry.models import Person, Source
from liaison.sharing.models import User

pytestmark = pytest.mark.django_db
SEEDS = Path(__file__).resolve().parents[2] / "liaison" / "demo" / "seeds"


@pytest.fixture
def demo():
    """The demo's agencies, users and story, then its intake (what ``liaison demo load`` runs, without the
    other apps' synthetic data)."""
    agencies = demo_agencies.ensure_agencies()
    users = demo_agencies.ensure_users(agencies)
    story.load_story(agencies)
    demo_intake.load(agencies, users)
    return User.objects.get(username="cn.analyst")


def test_the_demo_takes_the_seeds_in_for_the_analysts_review(demo):
    documents = Document.objects.visible_to(demo)
    assert documents.count() == 5
    for document in documents:
        states = {s.stage: s.state for s in document.stages.all()}
        assert states == {"stored": "ok", "text": "ok", "language": "ok", "propose": "ok", "review": "pending"}
        for proposal in document.proposals.all():
            assert document.text[proposal.evidence_start:proposal.evidence_end] == proposal.evidence
    assert set(documents.values_list("language", flat=True)) == {"id", "fr", "en", "ar"}
    assert ProposedFact.objects.visible_to(demo).filter(kind="event").count() >= 13


def test_reviewing_the_seeds_finds_every_demo_event_instead_of_duplicating_it(demo):
    story_events = set(Event.objects.values_list("pk", flat=True))
    assert len(story_events) == 13
    sources = Source.objects.count()
    found = {}
    for proposal in ProposedFact.objects.visible_to(demo).filter(kind="event").select_related("document"):
        matches = review.matching_events(demo, proposal.data, text=proposal.document.text, evidence=proposal.evidence)
        if matches:
            event, created = review.accept(proposal, demo)
            assert not created and event.pk == matches[0][1].pk
            found.setdefault(event.pk, []).append(proposal.evidence)
        else:
            review.reject(proposal, demo, reason="Not a fact of the demo story")
    assert set(found) == story_events
    assert all(len(evidence) == 1 for evidence in found.values()), found
    assert Event.objects.count() == 13 and Source.objects.count() == sources  # the seed sources were reused
    muse = Event.objects.get(title="Muse authorities hand 571 suspects to China")
    assert "571" in found[muse.pk][0] and "Le 18 novembre" in found[muse.pk][0]


def test_persons_and_operations_of_the_seeds_are_recognised(demo):
    proposals = ProposedFact.objects.visible_to(demo)
    person = proposals.get(kind="person", data__name="Ming Guoping")
    record, created = review.accept(person, demo)
    assert not created and record == Person.objects.get(display_name="Ming Guoping")
    operation = proposals.filter(kind="operation", document__original_filename__startswith="000").first()
    # Jingyao is the joint office's record: recognised, but only its owner can cite the report on it.
    with pytest.raises(review.OwnedElsewhere) as info:
        review.accept(operation, demo)
    assert info.value.record == Operation.objects.get(name="Jingyao") and info.value.record.owner != demo.agency


def test_ingesting_the_seeds_again_says_they_are_already_known(demo):
    out = StringIO()
    paths = [str(p) for p in sorted(SEEDS.iterdir())]
    call_command("ingest", *paths, "--agency", "CN-MPS", stdout=out)
    text = out.getvalue()
    assert text.count("already known: This document was already taken in on") == 5
    assert "README.md: skipped" in text
    assert text.strip().endswith("0 stored, 5 already known, 0 failed, 1 skipped.")
    assert Document.objects.count() == 5
