"""The findings of the security review of the request desk, each as the user
(or the attacker) would meet it: drafts that leak when withdrawn, records of
the other agency shown through a request, webhooks aimed at internal
addresses, the signing secret in a cookie, a crash on odd digits, counts of
invisible persons, files left behind by a failed comment."""

import re

import pytest
from django.contrib.contenttypes.models import ContentType
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django.urls import reverse
from rest_framework.test import APIClient

from liaison.operations.models import Event, Operation
from liaison.registry.models import Person
from liaison.requests import egress, webhooks
from liaison.requests import services as s
from liaison.requests.models import Notification, Request, WebhookDelivery, WebhookEndpoint
from liaison.sharing.models import Role, Share
from tests.factories import login, make_user
from tests.requests.conftest import CONSULAR_FIELDS, REPATRIATION_FIELDS
from tests.requests.test_webhooks import Receiver

pytestmark = pytest.mark.django_db


def url(name, *args):
    return reverse(f"requests:{name}", args=args)


def draft(desk, **kwargs):
    kwargs.setdefault("persons", desk.persons)
    return s.create_request(
        desk.vn_lo,
        kind=kwargs.pop("kind", "repatriation"),
        to_agency=desk.kh,
        title=kwargs.pop("title", "Three nationals detained"),
        fields=kwargs.pop("fields", REPATRIATION_FIELDS),
        **kwargs,
    )


def sent(desk, **kwargs):
    req = draft(desk, **kwargs)
    return s.transition(desk.vn_lo, req, "send", version=req.version)


def unshare_from(record, agency):
    Share.objects.filter(
        content_type=ContentType.objects.get_for_model(type(record)), object_id=record.pk, agency=agency
    ).delete()


# H1 — a draft withdrawn before sending -------------------------------------


def test_a_withdrawn_draft_is_never_shown_nor_told_to_the_requested_agency(desk, client, settings):
    settings.REQUESTS_WEBHOOKS_ON_COMMIT = False
    WebhookEndpoint.objects.create(agency=desk.kh, url="https://cases.example.org/kh", secret="k")
    WebhookEndpoint.objects.create(agency=desk.vn, url="https://cases.example.org/vn", secret="v")
    req = draft(desk, title="Informant in compound B")
    s.transition(desk.vn_lo, req, "withdraw", version=req.version)
    s.add_comment(desk.vn_lo, Request.objects.get(pk=req.pk), "note to self")

    assert Request.objects.get(pk=req.pk).status == "withdrawn"
    assert not Request.objects.visible_to(desk.kh_lo).filter(pk=req.pk).exists()
    assert Request.objects.visible_to(desk.vn_lo).filter(pk=req.pk).exists()
    assert login(client, desk.kh_lo).get(url("detail", req.pk)).status_code == 404
    assert "Informant" not in client.get(url("desk")).content.decode()
    assert login(APIClient(), desk.kh_lo).get(f"/api/requests/{req.pk}/").status_code == 404
    assert not Notification.objects.filter(agency=desk.kh).exists()
    assert not WebhookDelivery.objects.exists()


def test_a_request_withdrawn_after_sending_is_still_told(desk, settings):
    settings.REQUESTS_WEBHOOKS_ON_COMMIT = False
    WebhookEndpoint.objects.create(agency=desk.kh, url="https://cases.example.org/kh", secret="k")
    req = sent(desk)
    s.transition(desk.vn_lo, req, "withdraw", version=req.version, reason="Released")
    assert Request.objects.visible_to(desk.kh_lo).filter(pk=req.pk).exists()
    assert Notification.objects.filter(agency=desk.kh, title__contains="withdrawn").exists()
    assert WebhookDelivery.objects.filter(event="request.withdraw").exists()


# H2 — the requester's operation and the recorded event ---------------------


def test_the_requesters_operation_is_shown_only_to_those_who_see_it(desk, client):
    op = Operation.objects.create(owner=desk.vn, distribution="owner", name="Operation Lotus Blossom")
    req = sent(desk, operation=op)
    assert "Lotus Blossom" in login(client, desk.vn_lo).get(url("detail", req.pk)).content.decode()
    page = login(client, desk.kh_lo).get(url("detail", req.pk)).content.decode()
    assert "Lotus Blossom" not in page
    assert login(APIClient(), desk.vn_lo).get(f"/api/requests/{req.pk}/").json()["operation"] == op.pk
    kh_api = login(APIClient(), desk.kh_lo)
    assert kh_api.get(f"/api/requests/{req.pk}/").json()["operation"] is None
    assert [r["operation"] for r in kh_api.get("/api/requests/").json()["results"]] == [None]


def test_the_recorded_event_is_shown_only_while_it_is_visible(desk, client):
    req = sent(desk)
    req = s.transition(desk.kh_lo, req, "acknowledge", version=req.version)
    req = s.transition(desk.kh_lo, req, "fulfil", version=req.version, fulfilment={"place": "Bavet checkpoint"})
    event = Event.objects.get()
    login(client, desk.vn_lo)
    assert event.title in client.get(url("detail", req.pk)).content.decode()
    unshare_from(event, desk.vn)  # Cambodia withdraws the share of its event
    page = client.get(url("detail", req.pk)).content.decode()
    assert event.title not in page and "Bavet checkpoint" not in page and 'id="event"' not in page
    assert login(APIClient(), desk.vn_lo).get(f"/api/requests/{req.pk}/").json()["event"] is None
    assert login(APIClient(), desk.kh_lo).get(f"/api/requests/{req.pk}/").json()["event"] == event.pk


def test_api_list_checks_operations_in_a_fixed_number_of_queries(desk, django_assert_max_num_queries):
    op = Operation.objects.create(owner=desk.vn, distribution="owner", name="Op")
    sent(desk, operation=op)
    api = login(APIClient(), desk.kh_lo)
    with django_assert_max_num_queries(40) as few:
        api.get("/api/requests/")
    for i in range(6):
        sent(desk, operation=op, title=f"R{i}")
    with django_assert_max_num_queries(len(few.captured_queries)):
        assert api.get("/api/requests/").status_code == 200


# M2 — webhook addresses -----------------------------------------------------


@pytest.mark.parametrize(
    "address,ip",
    [
        ("127.0.0.1", False),
        ("::1", False),
        ("10.1.2.3", False),
        ("172.16.0.9", False),
        ("192.168.1.1", False),
        ("169.254.169.254", False),  # the cloud metadata service
        ("100.64.0.1", False),
        ("0.0.0.0", False),
        ("224.0.0.1", False),
        ("240.0.0.1", False),
        ("::ffff:127.0.0.1", False),
        ("fe80::1", False),
        ("fd00::1", False),
        ("93.184.215.14", True),
        ("2606:4700::1111", True),
    ],
)
def test_only_public_addresses_are_allowed(address, ip):
    assert egress.is_public(address) is ip


def test_loopback_only_when_allowed():
    assert egress.is_public("127.0.0.1", allow_loopback=True)
    assert not egress.is_public("10.0.0.1", allow_loopback=True)


@pytest.mark.parametrize(
    "address",
    [
        "http://127.0.0.1:5432/",
        "https://127.0.0.1:5432/",
        "https://localhost/hook",
        "https://169.254.169.254/latest/meta-data/",
        "https://10.0.0.5/hook",
        "https://[::1]/hook",
        "https://internal.example.org/hook",  # resolves to a private address
        "http://cases.example.org/hook",  # plain http
        "https://user:pw@cases.example.org/hook",
        "https://nowhere.invalid/hook",
    ],
)
def test_an_administrator_cannot_aim_webhooks_at_internal_addresses(desk, client, monkeypatch, address):
    names = {"localhost": ["127.0.0.1"], "internal.example.org": ["10.9.8.7"], "cases.example.org": ["93.184.215.14"]}

    def resolve(host, port):
        if host in names:
            return names[host]
        if host.replace(".", "").isdigit() or ":" in host:
            return [host]
        raise OSError("not found")

    monkeypatch.setattr(egress, "resolve", resolve)
    admin = make_user(desk.vn, roles=(Role.AGENCY_ADMIN,))
    response = login(client, admin).post(url("webhooks"), {"url": address})
    assert response.status_code == 400
    assert WebhookEndpoint.objects.count() == 0
    with pytest.raises(s.BadInput):
        s.add_endpoint(admin, address)
    # The same public host over https is accepted.
    assert login(client, admin).post(url("webhooks"), {"url": "https://cases.example.org/hook"}).status_code == 200


def test_a_loopback_endpoint_is_accepted_only_when_the_setting_allows_it(desk, client, settings):
    admin = make_user(desk.vn, roles=(Role.AGENCY_ADMIN,))
    login(client, admin)
    settings.REQUESTS_WEBHOOKS_ALLOW_LOOPBACK = False
    assert client.post(url("webhooks"), {"url": "http://127.0.0.1:8765/hook"}).status_code == 400
    settings.REQUESTS_WEBHOOKS_ALLOW_LOOPBACK = True
    assert client.post(url("webhooks"), {"url": "http://127.0.0.1:8765/hook"}).status_code == 200
    assert WebhookEndpoint.objects.get().url == "http://127.0.0.1:8765/hook"


def test_a_host_that_later_resolves_inside_is_refused_at_send_time(desk, settings, monkeypatch):
    """DNS rebinding: the endpoint was public when saved, now its name points
    at the server itself; nothing is sent there."""
    settings.REQUESTS_WEBHOOKS_ON_COMMIT = False
    settings.REQUESTS_WEBHOOKS_ALLOW_LOOPBACK = False
    with Receiver() as rx:
        port = rx.server.server_address[1]
        monkeypatch.setattr(egress, "resolve", lambda host, p: ["127.0.0.1"])
        WebhookEndpoint.objects.create(agency=desk.kh, url=f"https://cases.example.org:{port}/hook", secret="k")
        sent(desk)
        assert webhooks.deliver_due() == (0, 1)
    assert rx.received == []
    assert WebhookDelivery.objects.get().tries.get().error == egress.NOT_ALLOWED


def test_delivery_connects_to_the_address_that_was_checked(desk, settings, monkeypatch):
    settings.REQUESTS_WEBHOOKS_ON_COMMIT = False
    settings.REQUESTS_WEBHOOKS_ALLOW_LOOPBACK = True
    checked = []

    def resolve(host, port):
        checked.append(host)
        return ["127.0.0.1"]

    monkeypatch.setattr(egress, "resolve", resolve)
    with Receiver() as rx:
        port = rx.server.server_address[1]
        WebhookEndpoint.objects.create(agency=desk.kh, url=f"http://case-system.test:{port}/hook?x=1", secret="k")
        sent(desk)
        assert webhooks.deliver_due() == (1, 0)
    ((path, headers, _body),) = rx.received
    assert path == "/hook?x=1" and headers["Host"] == f"case-system.test:{port}" and checked == ["case-system.test"]


def test_the_log_shows_coarse_error_categories_only(desk, client, settings):
    settings.REQUESTS_WEBHOOKS_ON_COMMIT = False
    settings.REQUESTS_WEBHOOKS_ALLOW_LOOPBACK = True
    with Receiver() as rx:
        gone = rx.url
    WebhookEndpoint.objects.create(agency=desk.vn, url=gone, secret="x")  # nobody listens there any more
    sent(desk)
    webhooks.deliver_due()
    assert WebhookDelivery.objects.get().last_error == egress.REFUSED
    page = login(client, desk.vn_lo).get(url("webhooks")).content.decode()
    assert "connection refused" in page
    assert "Errno" not in page and "111" not in page


def test_deliveries_wait_for_the_deliver_command_by_default(desk, settings, django_capture_on_commit_callbacks):
    from django.conf import settings as live

    assert live.REQUESTS_WEBHOOKS_ON_COMMIT is False  # production default (DEBUG off)
    settings.REQUESTS_WEBHOOKS_ALLOW_LOOPBACK = True
    with Receiver() as rx:
        WebhookEndpoint.objects.create(agency=desk.kh, url=rx.url, secret="k")
        with django_capture_on_commit_callbacks(execute=True):
            sent(desk)
        assert rx.received == [] and WebhookDelivery.objects.get().state == "pending"
        call_command("webhooks", "deliver")
    assert len(rx.received) == 1 and WebhookDelivery.objects.get().state == "delivered"


# M3 — the signing secret ------------------------------------------------------


def test_the_new_secret_is_in_the_answer_only_never_in_a_cookie(desk, client, monkeypatch):
    monkeypatch.setattr(egress, "resolve", lambda host, port: ["93.184.215.14"])
    admin = make_user(desk.vn, roles=(Role.AGENCY_ADMIN,))
    response = login(client, admin).post(url("webhooks"), {"url": "https://cases.example.org/hook"})
    secret = WebhookEndpoint.objects.get().secret
    assert response.status_code == 200 and secret in response.content.decode()
    assert "no-store" in response["Cache-Control"]
    assert all(secret not in morsel.value for morsel in response.cookies.values())
    assert all(secret not in morsel.value for morsel in client.cookies.values())
    assert secret not in str(dict(client.session))
    assert secret not in client.get(url("webhooks")).content.decode()


# L1a — odd digits in the inbox form ------------------------------------------


def test_marking_read_with_odd_digits_is_refused_quietly(desk, client):
    sent(desk)
    login(client, desk.kh_lo)
    for value in ("²", "٣", "99999999999999999999999"):
        response = client.post(url("inbox"), {"read": value})
        assert response.status_code == 302
    assert Notification.for_user(desk.kh_lo).exclude(read_by=desk.kh_lo).count() == 1  # still unread
    note = Notification.for_user(desk.kh_lo).get()
    client.post(url("inbox"), {"read": str(note.pk)})
    assert note.read_by.filter(pk=desk.kh_lo.pk).exists()


# L3 — counts of persons the user cannot see -----------------------------------


def test_persons_the_user_cannot_see_are_counted_nowhere(desk, client):
    req = sent(desk)
    hidden = desk.persons[0]
    unshare_from(hidden, desk.kh)  # Viet Nam withdraws one share after sending
    assert not Person.objects.visible_to(desk.kh_lo).filter(pk=hidden.pk).exists()
    login(client, desk.kh_lo)
    page = client.get(url("detail", req.pk)).content.decode()
    assert "not visible" not in page and hidden.display_name not in page
    desk_page = client.get(url("desk")).content.decode()
    # The cell may carry its heading for phones (data-label): match any attributes.
    assert re.search(r"<td[^>]*>2</td>", desk_page) and not re.search(r"<td[^>]*>3</td>", desk_page)
    stats = client.get(url("stats")).content.decode()
    assert "<td>2</td>" in stats and "<td>3</td>" not in stats
    login(client, desk.vn_lo)
    assert "<td>3</td>" in client.get(url("stats")).content.decode()


# L7 — files of a comment that failed -------------------------------------------


def test_a_comment_that_fails_after_its_files_were_written_leaves_no_file(desk, media_root, monkeypatch):
    req = sent(desk, kind="consular_access", fields=CONSULAR_FIELDS)

    def broken_step(*args, **kwargs):
        raise RuntimeError("database went away")

    monkeypatch.setattr(s, "_step", broken_step)
    with pytest.raises(RuntimeError):
        s.add_comment(desk.vn_lo, req, "see file", [SimpleUploadedFile("passport.txt", b"P<VNM")])
    written = [p for p in media_root.rglob("*") if p.is_file()] if media_root.exists() else []
    assert written == []
