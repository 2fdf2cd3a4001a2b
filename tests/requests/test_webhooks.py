"""Signed webhook deliveries against a real HTTP server on 127.0.0.1: the
receiver checks the signature, a 500 is retried with back-off, nothing is
delivered twice, redirects are not followed."""

import datetime as dt
import json
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
from django.core.management import call_command
from django.utils import timezone

from liaison.requests import services as s
from liaison.requests import webhooks
from liaison.requests.models import WebhookDelivery, WebhookEndpoint
from tests.requests.conftest import REPATRIATION_FIELDS

pytestmark = pytest.mark.django_db


class Receiver:
    """A local case system: answers each POST with the next planned code."""

    def __init__(self, codes=(200,), redirect_to=None):
        self.codes, self.received, self.redirect_to = list(codes), [], redirect_to
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self):
                body = self.rfile.read(int(self.headers["Content-Length"]))
                receiver.received.append((self.path, dict(self.headers), body))
                code = receiver.codes.pop(0) if len(receiver.codes) > 1 else receiver.codes[0]
                self.send_response(code)
                if code in (301, 302, 307, 308):
                    self.send_header("Location", receiver.redirect_to)
                self.end_headers()

            def log_message(self, *args):
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}/hook"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    def __enter__(self):
        self.thread.start()
        return self

    def __exit__(self, *exc):
        self.server.shutdown()
        self.server.server_close()


@pytest.fixture(autouse=True)
def no_delivery_on_commit(settings):
    # The tests below run each pass themselves, to watch every try, against a
    # receiver on 127.0.0.1, as the demo does.
    settings.REQUESTS_WEBHOOKS_ON_COMMIT = False
    settings.REQUESTS_WEBHOOKS_ALLOW_LOOPBACK = True


def send(desk):
    req = s.create_request(
        desk.vn_lo, kind="repatriation", to_agency=desk.kh, title="T", persons=desk.persons, fields=REPATRIATION_FIELDS
    )
    return s.transition(desk.vn_lo, req, "send", version=req.version)


def test_delivery_is_signed_and_verifiable_by_the_receiver(desk):
    with Receiver() as rx:
        WebhookEndpoint.objects.create(agency=desk.kh, url=rx.url, secret="kh-secret")
        req = send(desk)
        assert webhooks.deliver_due() == (1, 0)
    ((path, headers, body),) = rx.received
    assert path == "/hook"
    assert webhooks.verify("kh-secret", body, headers["X-Liaison-Signature"])
    assert not webhooks.verify("another-secret", body, headers["X-Liaison-Signature"])
    payload = json.loads(body)
    assert payload["event"] == "request.send" and payload["request"]["reference"] == req.reference
    assert payload["request"]["to_agency"] == "KH-T" and payload["agency"] == "KH-T"
    assert "Nguyễn" not in body.decode()  # no names of persons travel in a webhook
    d = WebhookDelivery.objects.get()
    assert (d.state, d.attempts, d.response_code) == ("delivered", 1, 200)


def test_a_500_is_retried_after_the_back_off(desk):
    with Receiver(codes=[500, 200]) as rx:
        WebhookEndpoint.objects.create(agency=desk.vn, url=rx.url, secret="vn-secret")
        send(desk)
        assert webhooks.deliver_due() == (0, 1)
        d = WebhookDelivery.objects.get()
        assert (d.state, d.attempts, d.response_code) == ("pending", 1, 500)
        assert d.next_attempt_at > timezone.now() + dt.timedelta(seconds=50)
        assert webhooks.deliver_due() == (0, 0)  # not due yet: nothing is sent
        assert webhooks.deliver_due(now=d.next_attempt_at + dt.timedelta(seconds=1)) == (1, 0)
    assert len(rx.received) == 2
    assert rx.received[0][2] == rx.received[1][2]  # the very same signed body
    d.refresh_from_db()
    assert (d.state, d.attempts) == ("delivered", 2)
    assert [t.response_code for t in d.tries.all()] == [500, 200]


def test_gives_up_after_the_last_attempt(desk):
    with Receiver(codes=[503]) as rx:
        WebhookEndpoint.objects.create(agency=desk.vn, url=rx.url, secret="x")
        send(desk)
        later = timezone.now()
        for _ in range(webhooks.MAX_ATTEMPTS):
            later += dt.timedelta(days=1)
            webhooks.deliver_due(now=later)
    d = WebhookDelivery.objects.get()
    assert (d.state, d.attempts) == ("failed", webhooks.MAX_ATTEMPTS)
    assert webhooks.deliver_due(now=later + dt.timedelta(days=1)) == (0, 0)


def test_redirects_are_not_followed(desk):
    with Receiver(codes=[200]) as elsewhere, Receiver(codes=[302], redirect_to=None) as rx:
        rx.redirect_to = elsewhere.url
        WebhookEndpoint.objects.create(agency=desk.vn, url=rx.url, secret="x")
        send(desk)
        webhooks.deliver_due()
    assert elsewhere.received == []
    assert WebhookDelivery.objects.get().response_code == 302


def test_an_unreachable_endpoint_is_logged_and_retried(desk):
    with Receiver() as rx:
        url = rx.url
    WebhookEndpoint.objects.create(agency=desk.vn, url=url, secret="x")  # the server is gone
    send(desk)
    call_command("webhooks", "deliver")
    d = WebhookDelivery.objects.get()
    assert d.state == "pending" and d.attempts == 1 and d.response_code is None and d.last_error


def test_a_pass_is_idempotent_and_endpoints_of_other_agencies_get_nothing(desk):
    with Receiver() as rx, Receiver() as other:
        WebhookEndpoint.objects.create(agency=desk.vn, url=rx.url, secret="x")
        WebhookEndpoint.objects.create(agency=desk.cn, url=other.url, secret="y")
        WebhookEndpoint.objects.create(agency=desk.kh, url=rx.url, secret="z", is_active=False)
        send(desk)
        webhooks.deliver_due()
        webhooks.deliver_due()
        call_command("webhooks", "deliver")
    assert len(rx.received) == 1 and other.received == []


def test_delivery_on_commit(desk, settings, django_capture_on_commit_callbacks):
    settings.REQUESTS_WEBHOOKS_ON_COMMIT = True
    with Receiver() as rx:
        WebhookEndpoint.objects.create(agency=desk.kh, url=rx.url, secret="k")
        with django_capture_on_commit_callbacks(execute=True):
            send(desk)
    assert len(rx.received) == 1
    assert WebhookDelivery.objects.get().state == "delivered"


def test_a_claim_left_by_a_dead_pass_is_taken_up_again(desk):
    with Receiver() as rx:
        WebhookEndpoint.objects.create(agency=desk.vn, url=rx.url, secret="x")
        send(desk)
        WebhookDelivery.objects.update(state="sending", next_attempt_at=timezone.now())
        assert webhooks.deliver_due() == (0, 0)  # another pass may still be sending it
        later = timezone.now() + webhooks.STALE_CLAIM + dt.timedelta(minutes=1)
        assert webhooks.deliver_due(now=later) == (1, 0)
    assert len(rx.received) == 1


def test_the_demo_receiver_accepts_only_signed_deliveries(desk):
    from liaison.requests.management.commands.webhooks import make_receiver

    lines = []
    server = make_receiver(["good-secret"], 0, lines.append)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        good = WebhookEndpoint.objects.create(
            agency=desk.vn, url=f"http://127.0.0.1:{server.server_address[1]}/", secret="good-secret"
        )
        send(desk)
        good.secret = "forged"
        good.save()
        send(desk)
        webhooks.deliver_due()
    finally:
        server.shutdown()
        server.server_close()
    assert sorted(WebhookDelivery.objects.values_list("response_code", flat=True)) == [200, 401]
    assert sorted(line.split(":")[0] for line in lines) == ["BAD SIGNATURE", "signature valid"]
