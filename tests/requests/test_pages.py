"""The request pages: desk, detail, forms, steps, thread and attachments,
inbox, statistics, webhook log — who sees what, and query-count guards."""

import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from liaison.registry.models import Person
from liaison.requests import services as s
from liaison.requests.models import Attachment, Request, WebhookDelivery, WebhookEndpoint
from tests.factories import login
from tests.requests.conftest import CONSULAR_FIELDS, REPATRIATION_FIELDS

pytestmark = pytest.mark.django_db


def make(desk, send=True, kind="repatriation", fields=REPATRIATION_FIELDS, title="Eight nationals detained"):
    req = s.create_request(desk.vn_lo, kind=kind, to_agency=desk.kh, title=title, persons=desk.persons, fields=fields)
    if send:
        req = s.transition(desk.vn_lo, req, "send", version=req.version)
    return req


def url(name, *args):
    return reverse(f"requests:{name}", args=args)


def test_desk_lists_incoming_and_outgoing_with_filters(desk, client):
    out = make(desk, title="Outgoing one")
    incoming = s.create_request(
        desk.kh_lo,
        kind="record_check",
        to_agency=desk.vn,
        title="Incoming one",
        persons=[],
        fields={"purpose": "check"},
    )
    login(client, desk.vn_lo)
    page = client.get(url("desk")).content.decode()
    assert "Outgoing one" in page and "Incoming one" not in page  # KH's draft is KH's alone
    s.update_request(desk.kh_lo, incoming, version=incoming.version, persons=[Person.objects.create(owner=desk.kh)])
    s.transition(desk.kh_lo, incoming, "send", version=incoming.version)
    assert "Incoming one" in client.get(url("desk") + "?box=incoming").content.decode()
    assert "Outgoing one" not in client.get(url("desk") + "?box=incoming").content.decode()
    assert "Outgoing one" in client.get(url("desk") + "?box=outgoing&kind=repatriation&status=open").content.decode()
    assert "Outgoing one" not in client.get(url("desk") + "?kind=rescue").content.decode()
    assert "Outgoing one" in client.get(url("desk") + "?country=KH").content.decode()
    assert "Outgoing one" not in client.get(url("desk") + "?country=CN").content.decode()
    assert "Outgoing one" not in client.get(url("desk") + "?due=overdue").content.decode()
    Request.objects.filter(pk=out.pk).update(due_at=out.sent_at.replace(year=2000))
    page = client.get(url("desk") + "?due=overdue").content.decode()
    assert "Outgoing one" in page and "overdue" in page


def test_other_agencies_and_admins_get_404_everywhere(desk, client):
    req = make(desk)
    s.add_comment(desk.vn_lo, req, "note", [SimpleUploadedFile("a.txt", b"hello")])
    att = Attachment.objects.get()
    for user in (desk.cn_lo, desk.admin):
        login(client, user)
        for target in (url("detail", req.pk), url("edit", req.pk), url("attachment", att.pk)):
            assert client.get(target).status_code == 404, target
        assert client.post(url("step", req.pk, "acknowledge"), {"version": req.version}).status_code == 404
        assert client.post(url("comment", req.pk), {"text": "hi"}).status_code == 404
        if user.agency_id:
            assert "Eight nationals" not in client.get(url("desk")).content.decode()
    assert Request.objects.get(pk=req.pk).status == "sent"


def test_a_draft_is_404_for_the_requested_agency(desk, client):
    req = make(desk, send=False)
    login(client, desk.kh_lo)
    assert client.get(url("detail", req.pk)).status_code == 404
    assert client.post(url("step", req.pk, "acknowledge"), {"version": 1}).status_code == 404


def test_create_a_request_through_the_form(desk, client):
    login(client, desk.vn_lo)
    assert client.get(url("new", "repatriation")).status_code == 200
    data = {
        "title": "Repatriate three",
        "to_agency": desk.kh.pk,
        "body": "",
        "tlp": "AMBER",
        "persons": [p.pk for p in desk.persons],
        "f_planned_date": "2099-03-01",
        "f_border_crossing": "Bavet",
        "f_transport": "road",
    }
    response = client.post(url("new", "repatriation"), data)
    req = Request.objects.get()
    assert response.status_code == 302 and response["Location"] == url("detail", req.pk)
    assert req.fields["border_crossing"] == "Bavet" and req.person_links.count() == 3


@pytest.mark.parametrize(
    "kind,data,message",
    [
        ("repatriation", {"f_planned_date": "01/03/2099", "f_transport": "road"}, "year-month-day"),
        ("repatriation", {"f_transport": "camel"}, "Select a valid choice"),
        ("nationality_revocation", {"f_nationality": "Cambodia"}, "two-letter country code"),
        ("consular_access", {"f_detained_on": "yesterday"}, "year-month-day"),
        ("handover", {"f_handover_date": "2024-13-45"}, "year-month-day"),
    ],
)
def test_bad_input_per_type_is_shown_on_the_form(desk, client, kind, data, message):
    login(client, desk.vn_lo)
    response = client.post(url("new", kind), {"title": "T", "to_agency": desk.kh.pk, "tlp": "AMBER", **data})
    assert response.status_code == 400
    assert message in response.content.decode()
    assert Request.objects.count() == 0


def test_viewers_cannot_open_the_form(desk, client):
    login(client, desk.vn_viewer)
    assert client.get(url("new", "repatriation")).status_code == 403
    assert client.get(url("new", "no-such-kind")).status_code == 404


def test_steps_through_the_pages_and_409_on_illegal_or_stale(desk, client):
    req = make(desk)
    login(client, desk.kh_lo)
    page = client.get(url("detail", req.pk)).content.decode()
    assert 'action="/requests/%d/step/acknowledge/"' % req.pk in page
    assert "step/fulfil/" not in page  # not yet acknowledged: no button
    assert client.post(url("step", req.pk, "acknowledge"), {"version": req.version}).status_code == 302
    stale = client.post(url("step", req.pk, "start"), {"version": req.version})
    assert stale.status_code == 409 and "Someone else changed this request" in stale.content.decode()
    illegal = client.post(url("step", req.pk, "acknowledge"), {"version": req.version + 1})
    assert illegal.status_code == 409 and "acknowledged" in illegal.content.decode()
    no_reason = client.post(url("step", req.pk, "refuse"), {"version": req.version + 1, "reason": ""})
    assert no_reason.status_code == 400 and "Say why" in no_reason.content.decode()
    wrong_side = login(client, desk.vn_lo).post(url("step", req.pk, "fulfil"), {"version": req.version + 1})
    assert wrong_side.status_code == 403
    login(client, desk.kh_analyst)
    assert client.post(url("step", req.pk, "fulfil"), {"version": req.version + 1}).status_code == 403
    login(client, desk.kh_lo)
    done = client.post(
        url("step", req.pk, "fulfil"),
        {"version": req.version + 1, "date": "2024-02-01", "persons": [p.pk for p in desk.persons]},
    )
    assert done.status_code == 302
    page = client.get(url("detail", req.pk)).content.decode()
    assert "3 persons repatriated" in page
    # Viet Nam's records: proposed to Viet Nam, not written by Cambodia.
    persons, sent = page.split('id="persons"')[1].split("</section>")[0], page.split('id="proposals-sent"')[1]
    assert "Repatriated" not in persons and sent.count("Repatriated (Vietnam)") == 3


def test_edit_a_draft_with_a_stale_form(desk, client):
    req = make(desk, send=False)
    login(client, desk.vn_lo)
    form = {
        "title": "New title",
        "to_agency": desk.kh.pk,
        "tlp": "AMBER",
        "version": req.version,
        "persons": [desk.persons[0].pk],
        "f_border_crossing": "Bavet",
    }
    assert client.post(url("edit", req.pk), form).status_code == 302
    again = client.post(url("edit", req.pk), {**form, "title": "Lost?"})
    assert again.status_code == 409 and "Someone else changed" in again.content.decode()
    assert Request.objects.get(pk=req.pk).title == "New title"
    s.transition(desk.vn_lo, Request.objects.get(pk=req.pk), "withdraw", version=req.version + 1)
    assert client.get(url("edit", req.pk)).status_code == 403


def _png():
    return b"\x89PNG\r\n\x1a\n" + b"\x00\x00\x00\rIHDR" + b"\x00" * 40


def test_attachments_are_checked_and_served_only_as_downloads(desk, client):
    req = make(desk)
    login(client, desk.kh_lo)
    ok = client.post(
        url("comment", req.pk),
        {"text": "Photo of the passport", "file": SimpleUploadedFile("passport.png", _png(), "image/png")},
    )
    assert ok.status_code == 302
    att = Attachment.objects.get()
    assert att.content_type == "image/png" and not att.file.name.endswith(".png")
    response = login(client, desk.vn_lo).get(url("attachment", att.pk))
    assert response.status_code == 200
    assert response["Content-Disposition"].startswith("attachment")
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Content-Type"] == "image/png"
    assert b"".join(response.streaming_content) == _png()

    fake = client.post(
        url("comment", req.pk),
        {
            "text": "x",
            "file": SimpleUploadedFile("report.pdf", b"<html><script>alert(1)</script></html>", "application/pdf"),
        },
    )
    assert fake.status_code == 400 and "does not contain what its name says" in fake.content.decode()
    html = client.post(url("comment", req.pk), {"file": SimpleUploadedFile("page.html", b"<html>", "text/html")})
    assert html.status_code == 400 and "cannot be attached" in html.content.decode()
    assert Attachment.objects.count() == 1 and req.comments.count() == 1  # nothing half-written


def test_attachment_size_limit(desk, client, monkeypatch):
    from liaison.requests import filecheck

    monkeypatch.setattr(filecheck, "MAX_BYTES", 1000)
    req = make(desk)
    login(client, desk.vn_lo)
    big = client.post(url("comment", req.pk), {"file": SimpleUploadedFile("scan.pdf", b"%PDF-1.4" + b"0" * 2000)})
    assert big.status_code == 400 and "too large" in big.content.decode()
    assert Attachment.objects.count() == 0


def test_inbox_shows_the_agencys_notices_and_marks_them_read(desk, client):
    req = make(desk)
    login(client, desk.kh_lo)
    page = client.get(url("inbox")).content.decode()
    assert req.reference in page and "1 unread notice" in page
    client.post(url("inbox"))
    assert "0 unread notices" in client.get(url("inbox")).content.decode()
    login(client, desk.cn_lo)
    assert req.reference not in client.get(url("inbox")).content.decode()


def test_statistics_page(desk, client):
    req = make(desk)
    login(client, desk.vn_lo)
    page = client.get(url("stats")).content.decode()
    assert "Persons awaiting repatriation" in page and "<td>3</td>" in page
    s.transition(desk.kh_lo, Request.objects.get(pk=req.pk), "acknowledge", version=req.version)
    s.transition(desk.kh_lo, Request.objects.get(pk=req.pk), "fulfil", version=req.version + 1)
    page = client.get(url("stats")).content.decode()
    assert "Victim repatriation" in page and "Nobody is waiting" in page
    login(client, desk.cn_lo)
    assert "Victim repatriation" not in client.get(url("stats")).content.decode()


def test_webhook_log_is_for_the_agencys_liaison_officers(desk, client, settings):
    settings.REQUESTS_WEBHOOKS_ON_COMMIT = False
    WebhookEndpoint.objects.create(agency=desk.vn, url="http://127.0.0.1:9/x", secret="s")
    make(desk)
    delivery = WebhookDelivery.objects.get()
    login(client, desk.vn_lo)
    page = client.get(url("webhooks")).content.decode()
    assert delivery.signature in page and "request.send" in page
    for user in (desk.vn_analyst, desk.admin):
        assert login(client, user).get(url("webhooks")).status_code == 404
    assert delivery.signature not in login(client, desk.kh_lo).get(url("webhooks")).content.decode()


def test_desk_query_count_does_not_grow_with_requests(desk, client, django_assert_max_num_queries):
    for i in range(3):
        make(desk, title=f"R{i}")
    login(client, desk.vn_lo)
    client.get(url("desk"))
    with django_assert_max_num_queries(12) as few:
        client.get(url("desk"))
    for i in range(12):
        make(desk, title=f"More{i}")
    with django_assert_max_num_queries(len(few.captured_queries)):
        assert client.get(url("desk")).status_code == 200


def test_detail_query_count_does_not_grow_with_the_thread(desk, client, django_assert_max_num_queries):
    req = make(desk, kind="consular_access", fields=CONSULAR_FIELDS)
    s.add_comment(desk.vn_lo, req, "first", [SimpleUploadedFile("a.txt", b"a")])
    login(client, desk.kh_lo)
    client.get(url("detail", req.pk))
    with django_assert_max_num_queries(30) as few:
        client.get(url("detail", req.pk))
    for i in range(8):
        s.add_comment(desk.kh_lo, Request.objects.get(pk=req.pk), f"more {i}", [SimpleUploadedFile("b.txt", b"b")])
    with django_assert_max_num_queries(len(few.captured_queries)):
        assert client.get(url("detail", req.pk)).status_code == 200


def test_agency_admins_add_an_endpoint_and_see_its_secret_once(desk, client, monkeypatch):
    from liaison.requests import egress
    from liaison.sharing.models import Role
    from tests.factories import make_user

    monkeypatch.setattr(egress, "resolve", lambda host, port: ["93.184.215.14"])  # no DNS in the test machine

    admin = make_user(desk.vn, roles=(Role.AGENCY_ADMIN,))
    login(client, admin)
    response = client.post(
        url("webhooks"), {"url": "https://cases.example.org/hook", "description": "Case system"}, follow=True
    )
    endpoint = WebhookEndpoint.objects.get()
    assert endpoint.agency == desk.vn and len(endpoint.secret) >= 40
    assert endpoint.secret in response.content.decode()
    assert endpoint.secret not in client.get(url("webhooks")).content.decode()
    bad = client.post(url("webhooks"), {"url": "ftp://cases.example.org/"})
    assert bad.status_code == 400 and WebhookEndpoint.objects.count() == 1
    assert login(client, desk.vn_lo).post(url("webhooks"), {"url": "https://x.example.org/"}).status_code == 403
    assert WebhookEndpoint.objects.count() == 1


def test_inbox_query_count_does_not_grow_with_notices(desk, client, django_assert_max_num_queries):
    make(desk)
    login(client, desk.kh_lo)
    client.get(url("inbox"))
    with django_assert_max_num_queries(10) as few:
        client.get(url("inbox"))
    for i in range(10):
        make(desk, title=f"N{i}")
    with django_assert_max_num_queries(len(few.captured_queries)):
        assert client.get(url("inbox")).status_code == 200


def test_sending_an_unfinished_draft_lists_what_is_missing(desk, client):
    req = s.create_request(
        desk.vn_lo, kind="repatriation", to_agency=desk.kh, title="Unfinished", fields={"border_crossing": "Bavet"}
    )
    login(client, desk.vn_lo)
    response = client.post(url("step", req.pk, "send"), {"version": req.version})
    page = response.content.decode()
    assert response.status_code == 400
    assert "Planned date of repatriation is needed" in page and "Transport is needed" in page
    assert "Add at least 1 person" in page
    assert Request.objects.get(pk=req.pk).status == "draft"


def test_fulfilling_a_repatriation_with_nobody_ticked_is_refused(desk, client):
    req = make(desk)
    s.transition(desk.kh_lo, req, "acknowledge", version=req.version)
    login(client, desk.kh_lo)
    response = client.post(url("step", req.pk, "fulfil"), {"version": req.version, "date": "2024-02-01"})
    assert response.status_code == 400 and "Choose at least one person" in response.content.decode()
    assert Request.objects.get(pk=req.pk).status == "acknowledged" and req.event is None


def test_unread_notices_tag(desk, rf):
    from django.template import Context, Template

    make(desk)
    template = Template("{% load requests_tags %}{% unread_notices %}")
    request = rf.get("/")
    request.user = desk.kh_lo
    assert template.render(Context({"request": request})) == "1"
    request.user = desk.cn_lo
    assert template.render(Context({"request": request})) == "0"
