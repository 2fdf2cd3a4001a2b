"""Notices: acting on a request reads its notices, for the officer who acted
only; the inbox's unread count in the top bar is labelled for screen readers."""

import re

import pytest
from django.urls import reverse

from liaison.requests import services as s
from liaison.requests.models import Notification, Request
from liaison.requests.notifications import unread_count
from tests.factories import login
from tests.requests.conftest import REPATRIATION_FIELDS

pytestmark = pytest.mark.django_db


def sent(desk, title="Repatriation"):
    req = s.create_request(
        desk.vn_lo, kind="repatriation", to_agency=desk.kh, title=title, persons=desk.persons,
        fields=REPATRIATION_FIELDS,
    )
    return s.transition(desk.vn_lo, req, "send", version=req.version)


def fresh(req):
    return Request.objects.get(pk=req.pk)


@pytest.mark.parametrize("act", ["acknowledge", "refuse", "comment"])
def test_acting_on_a_request_reads_its_notices_for_the_officer_who_acted(desk, act):
    req, other = sent(desk), sent(desk, "Another one")
    assert unread_count(desk.kh_lo) == 2 and unread_count(desk.kh_analyst) == 2
    if act == "comment":
        s.add_comment(desk.kh_lo, fresh(req), "We are checking.")
    else:
        s.transition(desk.kh_lo, fresh(req), act, version=fresh(req).version, reason="Not ours")
    # This request's notice is read for the officer who acted; the other's is not,
    # and a colleague who did nothing still has both.
    unread = Notification.for_user(desk.kh_lo).exclude(read_by=desk.kh_lo)
    assert [n.url for n in unread] == [reverse("requests:detail", args=[other.pk])]
    assert unread_count(desk.kh_analyst) == 2


def test_the_requester_reads_the_answer_by_acting_on_it(desk):
    req = sent(desk)
    s.transition(desk.kh_lo, fresh(req), "acknowledge", version=fresh(req).version)
    assert unread_count(desk.vn_lo) == 1
    s.add_comment(desk.vn_lo, fresh(req), "Thank you.")
    assert unread_count(desk.vn_lo) == 0


def test_the_inbox_badge_says_how_many_in_words(desk, client):
    sent(desk)
    sent(desk, "Another one")
    login(client, desk.kh_lo)
    page = client.get(reverse("requests:desk")).content.decode()
    link = re.search(r'<a href="/requests/inbox/" class="inbox-link">(.*?)</a>', page, re.DOTALL).group(1)
    assert re.search(r'<span class="unread-count" aria-hidden="true">2</span>', link)
    assert '<span class="visually-hidden">(2 unread notices)</span>' in link
    login(client, desk.cn_lo)
    page = client.get(reverse("requests:desk")).content.decode()
    assert "unread-count" not in page and "unread notice" not in page
