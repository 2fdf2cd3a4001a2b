"""The one rule of who sees a request, checked by Hypothesis over random
sets of requests: through the queryset, the desk's count, the API's count and
each detail page, every user sees exactly the requests their agency sent or
drafted and those sent to it, and nothing else: a draft withdrawn before it
was sent stays the requester's alone."""

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from django.utils import timezone
from rest_framework.test import APIClient

from liaison.requests.models import Request
from tests.factories import login

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
