"""The one rule of who sees a request, checked by Hypothesis over random
sets of requests: through the queryset, the desk's count, the API's count and
each detail page, every user sees exactly the requests their agency sent or
drafted and those sent to it, and nothing else: a draft withdrawn before it
was sent stays the requester's alone.

The second property runs random worlds through the services: persons of all
three agencies, requests naming persons of an agency that is neither sender
nor recipient, owners withdrawing a person before fulfilment, owners accepting
the proposed statuses. Fulfilment never writes on a record its agency does not
own (issue 10, item 7), and no page, notice or API answer names a person, or a
request, to a user who may not see it."""

import pytest
from django.db import transaction
from django.urls import reverse
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from django.utils import timezone
from rest_framework.test import APIClient

from liaison.registry.models import Person, PersonStatus
from liaison.requests import services as s
from liaison.requests.models import Request, StatusProposal
from liaison.sharing import services as sharing
from tests.factories import login, make_person
from tests.requests.conftest import REPATRIATION_FIELDS

pytestmark = pytest.mark.django_db

AGENCIES = ("vn", "kh", "cn")
worlds = st.lists(
    st.tuples(
        st.sampled_from(AGENCIES), st.sampled_from(AGENCIES), st.sampled_from(["draft", "sent", "refused", "withdrawn-draft", "withdrawn"])
    ).filter(lambda t: t[0] != t[1]),
    max_size=6,
)


def expected(desk, user, rows):
    me = user.agency_id
    return {
        pk
        for pk, (src, dst, status) in rows.items()
        if me is not None
        and (getattr(desk, src).pk == me or (getattr(desk, dst).pk == me and status not in ("draft", "withdrawn-draft")))
    }


def test_requests_are_seen_by_their_two_agencies_only(desk, client):
    users = [desk.vn_lo, desk.vn_viewer, desk.kh_analyst, desk.cn_lo, desk.admin]

    @given(spec=worlds)
    @settings(max_examples=12, deadline=None, suppress_health_check=list(HealthCheck), database=None)
    def check(spec):
        Request.objects.all().delete()
        rows = {}
        for src, dst, status in spec:
            r = Request.objects.create(
                kind="rescue",
                title=f"{src}->{dst} {status}",
                from_agency=getattr(desk, src),
                to_agency=getattr(desk, dst),
                status=status.removesuffix("-draft"),
                sent_at=None if status in ("draft", "withdrawn-draft") else timezone.now(),
            )
            rows[r.pk] = (src, dst, status)
        for user in users:
            want = expected(desk, user, rows)
            assert set(Request.objects.visible_to(user).values_list("pk", flat=True)) == want
            api = login(APIClient(), user)
            assert api.get("/api/requests/").json()["count"] == len(want)
            login(client, user)
            if user.agency_id:
                page = client.get("/requests/").content.decode()
                assert f"{len(want)} request" in page
            for pk in rows:
                status = client.get(f"/requests/{pk}/").status_code
                assert status == (200 if pk in want else 404), (user, rows[pk])

    check()


# --- fulfilment and third-party records --------------------------------------------------

person_specs = st.lists(
    st.tuples(st.sampled_from(AGENCIES), st.sampled_from(["owner", "members"]), st.sampled_from(["GREEN", "AMBER"])),
    min_size=1,
    max_size=5,
)
request_specs = st.lists(
    st.tuples(
        st.sampled_from(AGENCIES),
        st.sampled_from(AGENCIES),
        st.sets(st.integers(0, 4), max_size=4),  # persons of the world named, by index
        # and a person of the third agency, seen by all members: none, one that
        # may be shared onward (GREEN), one that may not (AMBER: the send fails)
        st.sampled_from(["", "GREEN", "GREEN", "AMBER"]),
        st.booleans(),  # an owner that is not the fulfilling agency withdraws its person before fulfilment
        st.booleans(),  # the owners accept what was proposed to them
    ).filter(lambda t: t[0] != t[1]),
    min_size=1,
    max_size=3,
)


class _Rollback(Exception):
    """Ends an example: everything it wrote is rolled back for the next one."""


def _names_shown(text, persons):
    return {p.pk for p in persons if p.notes in text}


def test_fulfilment_writes_only_on_own_records_and_tells_nobody_more(desk, client):
    lo = {"vn": desk.vn_lo, "kh": desk.kh_lo, "cn": desk.cn_lo}

    @given(people=person_specs, asks=request_specs)
    @settings(max_examples=15, deadline=None, suppress_health_check=list(HealthCheck), database=None)
    def check(people, asks):
        try:
            with transaction.atomic():
                run(people, asks)
                raise _Rollback
        except _Rollback:
            pass

    def run(people, asks):
        persons = []
        for i, (owner, distribution, tlp) in enumerate(people):
            # A name no other text contains, kept in ``notes`` to find it in pages.
            token = f"Qx{i}{owner}Zz"
            person = make_person(getattr(desk, owner), token, distribution=distribution, tlp=tlp)
            person.notes = token
            persons.append(person)
        third_party = {}  # request pk -> persons named whose owner is neither party to it
        for k, (src, dst, picked, third_tlp, withdraw, accept) in enumerate(asks):
            sender, fulfiller = lo[src], lo[dst]
            named = [persons[i % len(persons)] for i in sorted(picked)]
            if third_tlp:
                (other,) = set(AGENCIES) - {src, dst}
                token = f"Qx{len(persons)}{other}Zz"
                person = make_person(getattr(desk, other), token, distribution="members", tlp=third_tlp)
                person.notes = token
                persons.append(person)
                named.append(person)
            named = list(Person.objects.visible_to(sender).filter(pk__in=[p.pk for p in named]))
            if not named:
                continue
            req = s.create_request(
                sender, kind="repatriation", to_agency=getattr(desk, dst), title=f"Title{k}{src}{dst}Tt",
                persons=named, fields=REPATRIATION_FIELDS,
            )
            try:
                req = s.transition(sender, req, "send", version=req.version)
            except s.BadInput:  # an AMBER record of a third agency cannot be shared onward: stays a draft
                continue
            third_party[req.pk] = [p for p in named if p.owner_id not in (req.from_agency_id, req.to_agency_id)]
            req = s.transition(fulfiller, req, "acknowledge", version=req.version)
            if withdraw:
                others = [p for p in named if p.owner_id != req.to_agency_id]
                if others:
                    owner = next(u for u in lo.values() if u.agency_id == others[0].owner_id)
                    sharing.set_marking(owner, Person.objects.get(pk=others[0].pk), distribution="owner")
            seen = set(Person.objects.visible_to(fulfiller).filter(pk__in=[p.pk for p in named]).values_list("pk", flat=True))
            try:
                req = s.transition(fulfiller, req, "fulfil", version=req.version)
            except s.BadInput:  # nobody left that the fulfilling agency can see
                assert not seen
                continue
            own = {p.pk for p in named if p.pk in seen and p.owner_id == req.to_agency_id}
            assert req.outcome["applied"] == len(own) and req.outcome["persons"] == len(seen)
            proposed = StatusProposal.objects.filter(request=req)
            assert set(proposed.values_list("person_id", flat=True)) == seen - own
            if accept:
                for user in lo.values():
                    mine = StatusProposal.objects.visible_to(user).filter(request=req, owner_id=user.agency_id)
                    if mine.exists():
                        s.decide_proposals(user, list(mine.values_list("pk", flat=True)), accept=True)

        # Every status was written by its record's owner: by fulfilling a request
        # as the owner, or by accepting what another agency proposed.
        for status in PersonStatus.objects.filter(person__in=[p.pk for p in persons]).select_related("person", "event"):
            accepted = StatusProposal.objects.filter(person_status=status, state="accepted").first()
            if accepted is not None:
                assert accepted.owner_id == status.person.owner_id == accepted.decided_by.agency_id
            else:
                assert status.event is not None and status.event.owner_id == status.person.owner_id
        # In particular nothing was written on a record of a third agency by
        # fulfilling a request it is no party to (only what it accepted).
        for req in Request.objects.filter(pk__in=list(third_party), event__isnull=False):
            for person in third_party[req.pk]:
                accepted = StatusProposal.objects.filter(request=req, person=person, state="accepted")
                assert not PersonStatus.objects.filter(person=person, event_id=req.event_id).exclude(
                    pk__in=accepted.values("person_status")
                ).exists()
        for proposal in StatusProposal.objects.select_related("person", "request"):
            assert proposal.owner_id == proposal.person.owner_id != proposal.proposed_by_id
            assert proposal.proposed_by_id == proposal.request.to_agency_id

        # What each officer is shown names only persons and requests they may see.
        all_requests = list(Request.objects.all())
        for user in (*lo.values(), desk.vn_viewer, desk.kh_analyst):
            login(client, user)
            hidden = [p for p in persons if not Person.objects.visible_to(user).filter(pk=p.pk).exists()]
            theirs = [r for r in all_requests if not Request.objects.visible_to(user).filter(pk=r.pk).exists()]
            pages = [client.get(reverse("requests:proposals")), client.get(reverse("requests:inbox"))]
            pages += [client.get(reverse("requests:detail", args=[r.pk])) for r in all_requests if r not in theirs]
            for page in pages:
                assert page.status_code == 200
                text = page.content.decode()
                assert not _names_shown(text, hidden), (user, text)
                for r in theirs:
                    assert r.title not in text and r.reference not in text, (user, r)
            answer = login(APIClient(), user).get("/api/requests/").json()
            listed = {pk for row in answer["results"] for pk in row["persons"]}
            assert not listed & {p.pk for p in hidden}
            assert {row["id"] for row in answer["results"]}.isdisjoint({r.pk for r in theirs})
            for r in theirs:
                assert client.get(reverse("requests:detail", args=[r.pk])).status_code == 404

    check()
