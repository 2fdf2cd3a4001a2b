"""Accepting, editing and rejecting proposed facts, and what that does to the registry."""
import pytest

from liaison.audit.models import AuditEntry
from liaison.intake import review
from liaison.intake.models import ProposedFact
from liaison.operations.models import Event, Figure, Operation
from liaison.registry.models import Citation, Person, Source
from tests.factories import make_person
from tests.intake.conftest import propose, store_text

OUTLETS = [
    ("bulletin-a.txt", "Police raided a scam compound in Myawaddy on 2025-03-04 and arrested 214 suspects."),
    ("bulletin-b.txt", "Thai and Myanmar officers said 214 suspects were arrested in a raid in Myawaddy."),
    ("bulletin-c.txt", "On 4 March 2025 a raid on a compound near Myawaddy led to the arrest of 214 people suspected."),
]


def raid(document, **extra):
    sentence = document.text.split("\n")[0]
    fields = {"type": "raid", "date": "2025-03-04", "countries": ["MM"], "places": ["Myawaddy"],
              "counts": {"suspects": 214}, "evidence": sentence}
    fields.update(extra)
    return propose(document, **fields)


def test_accepting_an_event_creates_it_with_figures_and_a_citation_of_the_evidence(desk):
    document = store_text(desk.cn, desk.analyst, OUTLETS[0][1], "bulletin-a.txt")
    proposal = raid(document, qualifiers={"suspects": "more_than"}, operation="Operation Sunrise",
                    persons=[{"name": "Saw Chit Thu", "role": "leader"}])
    event, created = review.accept(proposal, desk.analyst)
    assert created and event.kind == "raid" and event.date == "2025-03-04" and event.place == "Myawaddy"
    assert event.owner_id == desk.cn.pk and event.created_by_id == desk.analyst.pk
    assert [(f.category, f.value, f.qualifier) for f in event.figures.all()] == [("suspects", 214, "more_than")]
    assert [c.code for c in event.countries.all()] == ["MM"]
    assert event.operation.name == "Operation Sunrise"
    leader = event.participants.get()
    assert leader.role == "leader" and leader.person.display_name == "Saw Chit Thu"
    citation = Citation.objects.get(object_id=event.pk, content_type__model="event")
    assert citation.evidence == OUTLETS[0][1] and citation.location == f"chars 0–{len(OUTLETS[0][1])}"
    source = citation.source
    assert source.text == document.text and source.owner_id == desk.cn.pk and source.reference == "bulletin-a.txt"
    # The operation and the person cite the same report.
    assert Citation.objects.filter(source=source).count() == 3
    proposal.refresh_from_db()
    assert proposal.status == "accepted" and proposal.record == event and proposal.reviewer == desk.analyst
    entry = AuditEntry.objects.get(action=AuditEntry.Action.REVIEW)
    assert entry.detail["decision"] == "accepted" and entry.detail["registry_record"] == f"operations.event:{event.pk}"
    assert document.stages.get(stage="review").state == "pending"  # propose never ran: nothing to finish


def test_three_outlets_make_one_event_with_three_sources(desk):
    events = set()
    for filename, text in OUTLETS:
        document = store_text(desk.cn, desk.analyst, text, filename)
        date = "2025-03-04" if "2025" in text else ""
        event, _created = review.accept(raid(document, date=date), desk.analyst)
        events.add(event.pk)
    assert len(events) == 1 and Event.objects.count() == 1
    event = Event.objects.get()
    sources = set(Citation.objects.filter(object_id=event.pk, content_type__model="event").values_list("source", flat=True))
    assert len(sources) == 3
    assert event.figures.count() == 1


def test_a_different_figure_or_date_is_a_different_event(desk):
    first = store_text(desk.cn, desk.analyst, OUTLETS[0][1])
    review.accept(raid(first), desk.analyst)
    second = store_text(desk.cn, desk.analyst, "Police raided another compound in Myawaddy and arrested 57 suspects.")
    review.accept(raid(second, counts={"suspects": 57}), desk.analyst)
    third = store_text(desk.cn, desk.analyst, "A raid in Myawaddy on 9 June 2025 led to 214 arrests.")
    review.accept(raid(third, date="2025-06-09"), desk.analyst)
    assert Event.objects.count() == 3


def test_an_invisible_event_is_never_matched(desk):
    theirs = store_text(desk.mm, desk.other, OUTLETS[0][1])
    review.accept(raid(theirs), desk.other)  # owner-only event of MM
    mine = store_text(desk.cn, desk.analyst, OUTLETS[1][1])
    event, created = review.accept(raid(mine), desk.analyst)
    assert created and event.owner_id == desk.cn.pk and Event.objects.count() == 2


def their_event(desk):
    theirs = store_text(desk.mm, desk.other, OUTLETS[0][1])
    event, _ = review.accept(raid(theirs), desk.other)
    Event.objects.filter(pk=event.pk).update(distribution="members")
    return event


def test_accepting_a_fact_another_agency_records_saves_nothing_and_says_so(desk):
    event = their_event(desk)
    mine = store_text(desk.cn, desk.analyst, OUTLETS[1][1])
    proposal = raid(mine, counts={"suspects": 214, "victims": 12})
    with pytest.raises(review.OwnedElsewhere, match="is a record of MM-TEST: only they can add your report") as info:
        review.accept(proposal, desk.analyst)
    assert info.value.record == event
    # Their event is untouched, nothing of ours was written, and the fact still waits.
    assert Citation.objects.filter(object_id=event.pk, content_type__model="event").count() == 1
    assert not Figure.objects.filter(event=event, category="victims").exists()
    assert not Source.objects.filter(owner=desk.cn).exists()
    proposal.refresh_from_db()
    assert proposal.status == "proposed"
    assert not AuditEntry.objects.filter(action=AuditEntry.Action.REVIEW, actor=desk.analyst).exists()


def test_it_can_be_recorded_on_an_own_record_instead(desk):
    event = their_event(desk)
    proposal = raid(store_text(desk.cn, desk.analyst, OUTLETS[1][1]))
    own, created = review.accept(proposal, desk.analyst, target="new")
    assert created and own.owner_id == desk.cn.pk and own.pk != event.pk
    assert Citation.objects.get(object_id=own.pk, content_type__model="event").evidence == OUTLETS[1][1]
    # A second report of the same raid now finds the analyst's own event first.
    again = raid(store_text(desk.cn, desk.analyst, OUTLETS[2][1]), date="2025-03-04")
    with pytest.raises(review.OwnedElsewhere):
        review.accept(again, desk.analyst, target=str(event.pk))
    assert review.accept(again, desk.analyst, target=str(own.pk)) == (own, False)


def test_asking_the_owner_prepares_a_draft_request_to_them(desk):
    from liaison.requests.models import Request

    event = their_event(desk)
    proposal = raid(store_text(desk.cn, desk.analyst, OUTLETS[1][1]))
    record, request = review.ask_owner(proposal, desk.analyst, event.pk)
    assert record == event
    assert (request.kind, request.status, request.from_agency, request.to_agency) == (
        "record_update", "draft", desk.cn, desk.mm)
    assert event.title in request.title and OUTLETS[1][1] in request.fields["addition"]
    assert f"#{event.pk}" in request.fields["record"]
    # A draft is ours alone until sent; the fact leaves the queue saying who was asked.
    assert not Request.objects.visible_to(desk.other).exists()
    proposal.refresh_from_db()
    assert proposal.is_decided and proposal.record == event and request.reference in proposal.reason
    assert Citation.objects.filter(object_id=event.pk, content_type__model="event").count() == 1


def test_asking_about_an_own_or_hidden_record_is_refused(desk):
    mine = store_text(desk.cn, desk.analyst, OUTLETS[0][1])
    own, _ = review.accept(raid(mine), desk.analyst)
    hidden, _ = review.accept(raid(store_text(desk.mm, desk.other, OUTLETS[1][1])), desk.other)  # owner only
    proposal = raid(store_text(desk.cn, desk.analyst, OUTLETS[2][1]))
    for record_id, message in ((own.pk, "your agency's own"), (hidden.pk, "not visible"), ("²", "not visible")):
        with pytest.raises(review.ReviewError, match=message):
            review.ask_owner(proposal, desk.analyst, record_id)
    proposal.refresh_from_db()
    assert proposal.status == "proposed"


def test_a_person_another_agency_records_is_not_claimed_either(desk):
    theirs = make_person(desk.mm, "Saw Chit Thu", distribution="members")
    document = store_text(desk.cn, desk.analyst, "Saw Chit Thu was named in the report.")
    proposal = propose(document, kind="person", name="Saw Chit Thu", role="leader", evidence="Saw Chit Thu")
    with pytest.raises(review.OwnedElsewhere) as info:
        review.accept(proposal, desk.analyst)
    assert info.value.record == theirs
    own, created = review.accept(proposal, desk.analyst, target="new")
    assert created and own.owner_id == desk.cn.pk and own.display_name == "Saw Chit Thu"


def test_editing_before_accepting_changes_the_record_and_is_audited(desk):
    document = store_text(desk.cn, desk.analyst, OUTLETS[0][1])
    proposal = raid(document)
    edited = dict(proposal.data, type="arrest", title="Myawaddy arrests", counts={"suspects": 215})
    event, created = review.accept(proposal, desk.analyst, data=edited)
    assert created and event.kind == "arrest" and event.title == "Myawaddy arrests"
    assert event.figures.get().value == 215
    proposal.refresh_from_db()
    assert proposal.status == "edited" and proposal.original["counts"] == {"suspects": 214}
    changes = AuditEntry.objects.get(action=AuditEntry.Action.REVIEW).detail["changes"]
    assert changes["counts"] == {"proposed": {"suspects": 214}, "accepted": {"suspects": 215}}


def test_bad_edits_are_refused_and_nothing_is_written(desk):
    document = store_text(desk.cn, desk.analyst, OUTLETS[0][1])
    proposal = raid(document)
    with pytest.raises(review.ReviewError, match="not a date"):
        review.accept(proposal, desk.analyst, data=dict(proposal.data, date="4 March"))
    with pytest.raises(review.ReviewError, match="Unknown country code: XX"):
        review.accept(proposal, desk.analyst, data=dict(proposal.data, countries=["XX"]))
    assert not Event.objects.exists() and not Source.objects.exists()
    proposal.refresh_from_db()
    assert proposal.status == "proposed"


def test_rejecting_keeps_the_reason_and_writes_nothing_to_the_registry(desk):
    document = store_text(desk.cn, desk.analyst, OUTLETS[0][1])
    proposal = raid(document)
    review.reject(proposal, desk.analyst, reason="The figure is the compound's capacity, not arrests.")
    proposal.refresh_from_db()
    assert proposal.status == "rejected" and proposal.reason.startswith("The figure is")
    assert not Event.objects.exists() and not Source.objects.exists()
    with pytest.raises(review.ReviewError, match="already rejected by cn_analyst"):
        review.accept(proposal, desk.analyst)


def test_deciding_twice_is_refused(desk):
    document = store_text(desk.cn, desk.analyst, OUTLETS[0][1])
    proposal = raid(document)
    review.accept(proposal, desk.analyst)
    with pytest.raises(review.ReviewError, match="already accepted"):
        review.accept(proposal, desk.analyst)
    assert Event.objects.count() == 1 and Citation.objects.filter(content_type__model="event").count() == 1


def test_readers_and_other_agencies_cannot_decide(desk):
    document = store_text(desk.cn, desk.analyst, OUTLETS[0][1])
    proposal = raid(document)
    with pytest.raises(review.ReviewError, match="can only read"):
        review.accept(proposal, desk.reader)
    with pytest.raises(review.ReviewError, match="another agency"):
        review.reject(proposal, desk.other)
    assert ProposedFact.objects.get().status == "proposed"


def test_person_proposal_matches_a_visible_person_by_name_key(desk):
    known = make_person(desk.cn, "NGUYỄN Văn An")
    document = store_text(desk.cn, desk.analyst, "Nguyen Van An was detained in Sihanoukville.")
    proposal = propose(document, kind="person", name="Nguyen Van An", role="suspect",
                       evidence="Nguyen Van An was detained in Sihanoukville.")
    person, created = review.accept(proposal, desk.analyst)
    assert person.pk == known.pk and not created and Person.objects.count() == 1
    assert Citation.objects.filter(object_id=known.pk, content_type__model="person").count() == 1


def test_protected_person_of_another_agency_is_not_matched_by_name(desk):
    make_person(desk.mm, "Ma Hnin", distribution="members", protection="victim")
    document = store_text(desk.cn, desk.analyst, "Ma Hnin was rescued.")
    proposal = propose(document, kind="person", name="Ma Hnin", role="victim", evidence="Ma Hnin was rescued.")
    person, created = review.accept(proposal, desk.analyst)
    assert created and person.owner_id == desk.cn.pk


def test_operation_proposal_matches_an_operation_named_inside_the_longer_name(desk):
    jingyao = Operation.objects.create(owner=desk.cn, name="Jingyao")
    document = store_text(desk.cn, desk.analyst, "Operasi Gabungan Jingyao melibatkan enam negara.")
    proposal = propose(document, kind="operation", name="Operasi Gabungan Jingyao",
                       evidence="Operasi Gabungan Jingyao melibatkan enam negara.")
    operation, created = review.accept(proposal, desk.analyst)
    assert operation.pk == jingyao.pk and not created and Operation.objects.count() == 1


def test_a_report_identical_to_a_registry_source_reuses_that_source(desk):
    text = OUTLETS[0][1]
    existing = Source.objects.create(owner=desk.mm, distribution="members", tlp="GREEN", title="MM bulletin", text=text)
    document = store_text(desk.cn, desk.analyst, text)
    event, _ = review.accept(raid(document), desk.analyst)
    assert Source.objects.count() == 1
    assert Citation.objects.get(object_id=event.pk, content_type__model="event").source_id == existing.pk


def test_accepting_every_proposal_completes_the_review_stage(desk):
    from liaison.intake import services
    from tests.intake.conftest import extractor_for

    document = store_text(desk.cn, desk.analyst, OUTLETS[0][1])
    event = {"type": "raid", "countries": ["MM"], "places": ["Myawaddy"], "counts": {"suspects": 214},
             "evidence": OUTLETS[0][1]}
    services.process(document, start="propose", extractor=extractor_for([event]))
    (proposal,) = document.proposals.all()
    review.accept(proposal, desk.analyst)
    status = document.stages.get(stage="review")
    assert status.state == "ok" and status.message == "1 accepted, 0 rejected."


def test_site_proposal_creates_a_site_then_recognises_it(desk):
    from liaison.registry.models import Site

    first = store_text(desk.cn, desk.analyst, "The KK Park compound near Myawaddy was raided.")
    site, created = review.accept(propose(first, kind="site", name="KK Park", country="mm", locality="Myawaddy",
                                          evidence="The KK Park compound near Myawaddy was raided."), desk.analyst)
    assert created and site.country_id == "MM" and site.owner_id == desk.cn.pk
    second = store_text(desk.cn, desk.analyst, "Workers fled KK Park.")
    again, created = review.accept(propose(second, kind="site", name="KK Park", evidence="Workers fled KK Park."),
                                   desk.analyst)
    assert again.pk == site.pk and not created and Site.objects.count() == 1
    assert Citation.objects.filter(object_id=site.pk, content_type__model="site").count() == 2
    third = store_text(desk.cn, desk.analyst, "A compound called Nowhere was closed.")
    with pytest.raises(review.ReviewError, match="needs its country"):
        review.accept(propose(third, kind="site", name="Nowhere", evidence="A compound called Nowhere was closed."),
                      desk.analyst)


def test_names_of_hidden_participants_and_operations_do_not_change_the_match(desk):
    """An analyst editing a proposal's persons or operation cannot probe for records hidden from them."""
    theirs = store_text(desk.mm, desk.other, OUTLETS[0][1])
    event, _ = review.accept(raid(theirs, operation="Operation Nightjar",
                                  persons=[{"name": "Zaw Hidden Boss", "role": "leader"}]), desk.other)
    Event.objects.filter(pk=event.pk).update(distribution="members")  # the event is shared; its operation and person are not
    assert not Person.objects.visible_to(desk.analyst).filter(names__full_name="Zaw Hidden Boss").exists()
    assert not Operation.objects.visible_to(desk.analyst).filter(name="Operation Nightjar").exists()
    data = raid(store_text(desk.cn, desk.analyst, OUTLETS[1][1])).data
    probe = dict(data, operation="Operation Nightjar", persons=[{"name": "Zaw Hidden Boss", "role": "leader"}])

    def scores(user, fields):
        return [(round(score, 6), e.pk) for score, e in review.matching_events(user, fields)]

    assert scores(desk.analyst, data) and scores(desk.analyst, probe) == scores(desk.analyst, data)
    # MM sees its own operation and person: for MM the same names do count.
    assert scores(desk.other, probe)[0][0] > scores(desk.other, data)[0][0]


def test_an_event_id_of_superscript_digits_is_refused_in_words(desk):
    mine = store_text(desk.cn, desk.analyst, OUTLETS[1][1])
    with pytest.raises(review.ReviewError, match="does not exist or is not visible"):
        review.accept(raid(mine), desk.analyst, target="²")
    assert not Event.objects.exists()
