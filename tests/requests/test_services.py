"""The request services: life cycle through the ORM, sharing on send, the
registry updated on fulfilment, optimistic locking, reminders and notices."""

import datetime as dt

import pytest
from django.core import mail
from django.utils import timezone

from liaison.audit.models import AuditEntry
from liaison.audit.log import verify
from liaison.operations.models import Event
from liaison.registry.models import Person
from liaison.requests import services as s
from liaison.requests.models import Notification, Request, Step
from liaison.requests.notifications import notify, unread_count
from liaison.sharing.visibility import can_see_protected
from tests.factories import make_person
from tests.requests.conftest import CONSULAR_FIELDS, REPATRIATION_FIELDS

pytestmark = pytest.mark.django_db


def draft(desk, kind="repatriation", fields=REPATRIATION_FIELDS, persons=None, **kw):
    return s.create_request(
        desk.vn_lo,
        kind=kind,
        to_agency=desk.kh,
        title="Eight nationals detained",
        persons=desk.persons if persons is None else persons,
        fields=fields,
        **kw,
    )


def step(user, req, action, **kw):
    req = Request.objects.get(pk=req.pk)
    return s.transition(user, req, action, version=req.version, **kw)


def sent(desk, **kw):
    req = draft(desk, **kw)
    return step(desk.vn_lo, req, "send")


def test_a_draft_is_the_requesters_alone(desk):
    req = draft(desk)
    assert req.status == "draft" and req.from_agency == desk.vn
    assert list(Request.objects.visible_to(desk.vn_analyst)) == [req]
    for outsider in (desk.kh_lo, desk.cn_lo, desk.admin):
        assert Request.objects.visible_to(outsider).count() == 0


def test_once_sent_both_parties_see_it_and_nobody_else(desk):
    req = sent(desk)
    assert Request.objects.visible_to(desk.kh_lo).get() == req
    assert Request.objects.visible_to(desk.kh_analyst).count() == 1
    assert Request.objects.visible_to(desk.cn_lo).count() == 0
    assert Request.objects.visible_to(desk.admin).count() == 0


def test_sending_shares_the_persons_with_the_requested_agency_only(desk):
    req = draft(desk, include_protected=False)
    assert Person.objects.visible_to(desk.kh_lo).filter(pk__in=[p.pk for p in desk.persons]).count() == 0
    step(desk.vn_lo, req, "send")
    assert Person.objects.visible_to(desk.kh_lo).filter(pk__in=[p.pk for p in desk.persons]).count() == 3
    assert Person.objects.visible_to(desk.cn_lo).filter(pk__in=[p.pk for p in desk.persons]).count() == 0
    assert AuditEntry.objects.filter(action="share").count() == 3


def test_protected_identities_go_only_when_the_sender_chose_so(desk):
    victim = make_person(desk.vn, "Protected Victim", protection="victim")
    step(desk.vn_lo, draft(desk, persons=[victim]), "send")
    assert not can_see_protected(victim, desk.kh_lo)
    other = make_person(desk.vn, "Second Victim", protection="victim")
    step(desk.vn_lo, draft(desk, persons=[other], include_protected=True), "send")
    assert can_see_protected(other, desk.kh_lo)


def test_full_life_cycle_writes_history_audit_and_notices(desk, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        req = sent(desk)
        step(desk.kh_lo, req, "acknowledge")
        step(desk.kh_lo, req, "start")
        step(desk.kh_lo, req, "fulfil", fulfilment={"date": "2024-02-01", "place": "Bavet"})
    req.refresh_from_db()
    assert req.status == "fulfilled" and req.closed_at and req.acknowledged_at and req.version == 5
    assert req.due_at == req.sent_at + dt.timedelta(days=14)
    assert list(Step.objects.filter(request=req).values_list("action", flat=True)) == [
        "create",
        "send",
        "acknowledge",
        "start",
        "fulfil",
    ]
    steps = AuditEntry.objects.filter(action="request", record_id=req.pk)
    assert [e.detail["step"] for e in steps] == ["create", "send", "acknowledge", "start", "fulfil"]
    assert verify() is None
    # Each side hears of the other's steps: KH of the sending, VN of the three
    # answers and of the new statuses proposed for its records.
    assert Notification.objects.filter(agency=desk.kh).count() == 1
    assert Notification.objects.filter(agency=desk.vn, kind="request").count() == 3
    assert Notification.objects.filter(agency=desk.vn, kind="status_proposal").count() == 1
    assert unread_count(desk.vn_lo) == 4 and unread_count(desk.cn_lo) == 0
    assert [m.to for m in mail.outbox] == [["kh@example.org"]] + [["vn@example.org"]] * 4
    assert "acknowledged by KH-T" in mail.outbox[1].subject
    assert "KH-T proposes a new status for 3 of your records" in mail.outbox[4].subject


def accept_proposals(user, req):
    from liaison.requests.models import StatusProposal

    mine = StatusProposal.objects.visible_to(user).filter(request=req, owner_id=user.agency_id)
    return s.decide_proposals(user, list(mine.values_list("pk", flat=True)), accept=True)


def test_repatriation_records_the_event_and_proposes_each_persons_status_to_its_owner(desk):
    req = sent(desk)
    step(desk.kh_lo, req, "acknowledge")
    step(desk.kh_lo, req, "fulfil", fulfilment={"date": "2024-02-01"})
    req.refresh_from_db()
    event = req.event
    assert event.kind == Event.Kind.REPATRIATION and event.owner == desk.kh
    assert (event.from_country_id, event.to_country_id, event.date) == ("KH", "VN", "2024-02-01")
    assert event.place == "Bavet – Moc Bai"
    assert [(f.category, f.value) for f in event.figures.all()] == [("victims", 3)]
    assert sorted(p.person_id for p in event.participants.all()) == sorted(p.pk for p in desk.persons)
    # The persons are Viet Nam's records: their status changes when Viet Nam accepts.
    assert {Person.objects.get(pk=p.pk).current_status.status for p in desk.persons} == {"detained"}
    assert len(accept_proposals(desk.vn_lo, req)) == 3
    for person in desk.persons:
        current = Person.objects.get(pk=person.pk).current_status
        assert (current.status, current.country_id, current.event_id) == ("repatriated", "VN", event.pk)
    # The requester sees the event (shared with it); a third agency does not.
    assert Event.objects.visible_to(desk.vn_lo).filter(pk=event.pk).exists()
    assert not Event.objects.visible_to(desk.cn_lo).filter(pk=event.pk).exists()


def test_a_partial_fulfilment_counts_only_the_persons_chosen(desk):
    req = sent(desk)
    step(desk.kh_lo, req, "acknowledge")
    step(
        desk.kh_lo,
        req,
        "partly_fulfil",
        reason="One person is still under investigation",
        fulfilment={"persons": [p.pk for p in desk.persons[:2]]},
    )
    req.refresh_from_db()
    assert req.status == "partly_fulfilled" and req.status_reason == "One person is still under investigation"
    assert req.event.figures.get().value == 2
    assert Person.objects.get(pk=desk.persons[2].pk).current_status.status == "detained"


def test_handover_puts_suspects_in_the_requesters_custody(desk):
    req = s.create_request(
        desk.kh_lo,
        kind="handover",
        to_agency=desk.vn,
        title="Hand over",
        persons=[],
        fields={"handover_date": "2024-11-18", "place": "Moc Bai"},
    )
    suspect = make_person(desk.kh, "Suspect One")
    req = s.update_request(desk.kh_lo, req, version=req.version, persons=[suspect])
    step(desk.kh_lo, req, "send")
    step(desk.vn_lo, req, "acknowledge")
    step(desk.vn_lo, req, "fulfil")
    req.refresh_from_db()
    assert req.event.kind == "handover" and req.event.figures.get().category == "suspects"
    assert Person.objects.get(pk=suspect.pk).current_status is None  # Cambodia's record, Cambodia decides
    accept_proposals(desk.kh_lo, req)
    status = Person.objects.get(pk=suspect.pk).current_status
    assert (status.status, status.country_id) == ("in_custody", "KH")


def test_other_types_record_no_event(desk):
    req = sent(desk, kind="consular_access", fields=CONSULAR_FIELDS)
    step(desk.kh_lo, req, "acknowledge")
    step(desk.kh_lo, req, "fulfil")
    req.refresh_from_db()
    assert req.status == "fulfilled" and req.event is None
    assert Person.objects.get(pk=desk.persons[0].pk).current_status.status == "detained"


@pytest.mark.parametrize(
    "user,action,prep,error",
    [
        ("kh_lo", "send", [], s.Forbidden),  # the requested side cannot send a draft it cannot see
        ("vn_lo", "acknowledge", ["send"], s.Forbidden),  # the requester cannot acknowledge its own request
        ("kh_analyst", "acknowledge", ["send"], s.Forbidden),  # an analyst cannot take steps
        ("kh_lo", "fulfil", ["send"], s.Conflict),  # not acknowledged yet
        ("kh_lo", "start", ["send"], s.Conflict),
        ("vn_lo", "send", ["send"], s.Conflict),  # sent twice
        ("kh_lo", "refuse", ["send"], s.BadInput),  # no reason
        ("kh_lo", "explode", ["send"], s.Conflict),
    ],
)
def test_refused_steps(desk, user, action, prep, error):
    req = draft(desk)
    for a in prep:
        step(desk.vn_lo, req, a)
    before = Request.objects.get(pk=req.pk)
    with pytest.raises(error) as info:
        step(getattr(desk, user), req, action)
    assert str(info.value)
    after = Request.objects.get(pk=req.pk)
    assert (after.status, after.version) == (before.status, before.version)


def test_withdrawn_and_refused_requests_are_final(desk):
    req = sent(desk)
    step(desk.vn_lo, req, "withdraw", reason="The nationals were released")
    for user, action in ((desk.kh_lo, "acknowledge"), (desk.vn_lo, "send"), (desk.kh_lo, "refuse")):
        with pytest.raises(s.Conflict, match="withdrawn"):
            step(user, req, action, reason="x")


def test_a_stale_version_is_a_conflict_and_nothing_is_lost(desk):
    req = draft(desk)
    first, second = Request.objects.get(pk=req.pk), Request.objects.get(pk=req.pk)
    s.update_request(desk.vn_lo, first, version=first.version, title="Changed by the first officer")
    with pytest.raises(s.Conflict, match="Someone else changed this request"):
        s.update_request(desk.vn_analyst, second, version=second.version, title="Changed by the second")
    assert Request.objects.get(pk=req.pk).title == "Changed by the first officer"
    with pytest.raises(s.Conflict):
        s.transition(desk.vn_lo, second, "send", version=second.version)
    assert Request.objects.get(pk=req.pk).status == "draft"


def test_sending_checks_the_type_fields_and_persons(desk):
    req = draft(desk, fields={"border_crossing": "Bavet"}, persons=[])
    with pytest.raises(s.BadInput) as info:
        step(desk.vn_lo, req, "send")
    assert "planned_date" in info.value.errors and "persons" in info.value.errors
    assert "Planned date of repatriation is needed" in info.value.errors["planned_date"]
    assert Request.objects.get(pk=req.pk).status == "draft"


def test_sending_a_record_that_may_not_be_shared_onward_stops_everything(desk):
    foreign = make_person(desk.cn, "Chinese Record", distribution="members", handling="H2")
    req = draft(desk, persons=[desk.persons[0], foreign])
    with pytest.raises(s.BadInput, match="cannot be shared"):
        step(desk.vn_lo, req, "send")
    assert Request.objects.get(pk=req.pk).status == "draft"
    assert not Person.objects.visible_to(desk.kh_lo).filter(pk=desk.persons[0].pk).exists()


@pytest.mark.parametrize(
    "kwargs,field",
    [
        ({"kind": "kidnap"}, "kind"),
        ({"to_agency": "own"}, "to_agency"),
        ({"title": "  "}, "title"),
        ({"persons": "invisible"}, "persons"),
        ({"fields": {"planned_date": "tomorrow"}}, "planned_date"),
        ({"tlp": "PURPLE"}, "tlp"),
    ],
)
def test_bad_input_on_create_names_the_field(desk, kwargs, field):
    args = {"kind": "repatriation", "to_agency": desk.kh, "title": "T", "persons": desk.persons, "fields": {}}
    args.update(kwargs)
    if args["to_agency"] == "own":
        args["to_agency"] = desk.vn
    if args["persons"] == "invisible":
        args["persons"] = [make_person(desk.cn, "Owner only")]
    with pytest.raises(s.BadInput) as info:
        s.create_request(desk.vn_lo, **args)
    assert field in info.value.errors
    assert Request.objects.count() == 0


def test_viewers_cannot_write(desk):
    with pytest.raises(s.Forbidden):
        s.create_request(desk.vn_viewer, kind="rescue", to_agency=desk.kh, title="T")


def test_reminders_once_a_day_per_overdue_request(desk):
    req = sent(desk)
    on_time = sent(desk)
    Request.objects.filter(pk=req.pk).update(due_at=timezone.now() - dt.timedelta(days=2))
    assert s.remind_overdue() == 1
    assert s.remind_overdue() == 0
    assert Notification.objects.filter(title__startswith="Overdue").count() == 2
    tomorrow = timezone.now() + dt.timedelta(days=1)
    assert s.remind_overdue(now=tomorrow) == 1
    step(desk.kh_lo, req, "refuse", reason="No such persons")
    assert s.remind_overdue(now=tomorrow + dt.timedelta(days=1)) == 0
    assert not Notification.objects.filter(title__contains=on_time.reference, title__startswith="Overdue").exists()


def test_notify_for_other_apps(desk, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        n = notify(
            agency=desk.kh,
            title="Watchlist hit",
            body="A person on your watchlist",
            url="/persons/1/",
            user=desk.kh_lo,
            kind="watchlist_hit",
        )
    assert Notification.for_user(desk.kh_lo).get() == n
    assert Notification.for_user(desk.kh_analyst).count() == 0
    assert [m.to for m in mail.outbox] == [["kh@example.org"]]


def test_comments_reach_the_other_side(desk):
    req = sent(desk)
    s.add_comment(desk.kh_analyst, Request.objects.get(pk=req.pk), "Two of them have no passport.")
    assert Notification.objects.filter(agency=desk.vn, title__contains="new comment").count() == 1
    with pytest.raises(s.Forbidden):
        s.add_comment(desk.vn_viewer, req, "hello")
    with pytest.raises(s.BadInput):
        s.add_comment(desk.kh_lo, req, "   ")


def test_remind_command(desk):
    from io import StringIO

    from django.core.management import call_command

    req = sent(desk)
    Request.objects.filter(pk=req.pk).update(due_at=timezone.now() - dt.timedelta(hours=1))
    out = StringIO()
    call_command("requests", "remind", stdout=out)
    call_command("requests", "remind", stdout=out)
    assert out.getvalue().splitlines() == ["1 overdue request(s) reminded", "0 overdue request(s) reminded"]
    assert Notification.objects.filter(agency=desk.kh, title__startswith="Overdue").count() == 1


def test_the_recorded_event_belongs_to_the_requests_operation(desk):
    from liaison.operations.models import Operation

    op = Operation.objects.create(owner=desk.vn, name="Safe return", distribution="members")
    req = draft(desk, operation=op)
    step(desk.vn_lo, req, "send")
    step(desk.kh_lo, req, "acknowledge")
    step(desk.kh_lo, req, "fulfil")
    req.refresh_from_db()
    assert req.event.operation == op
    # The operation's events now state the figure once, with nobody typing it again.
    assert [(f.category, f.value) for e in op.events.all() for f in e.figures.all()] == [("victims", 3)]
