"""Signed webhooks: national case systems follow their agency's requests.

Each request step queues one delivery per active endpoint of the two agencies
concerned. A delivery is a JSON body signed with HMAC-SHA256 under the
endpoint's secret (header ``X-Liaison-Signature: sha256=<hex>``), posted to the
configured address only (redirects are not followed; internal addresses are
refused, see ``egress``), retried with exponential
back-off until it succeeds or ``MAX_ATTEMPTS`` tries failed. Every try is
logged with the answer received.

``deliver_due()`` is one idempotent pass (the task ``liaison.tasks.deliver_webhooks``,
run every minute by the worker's beat, or ``liaison webhooks deliver`` from cron); a
delivery is first claimed by a conditional UPDATE, so two passes running at
once never send it twice.
"""

import datetime as dt
import hashlib
import hmac
import http.client
import json
import logging
import socket
import ssl
from urllib.parse import urlsplit

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from liaison.requests import egress
from liaison.requests.models import WebhookAttempt, WebhookDelivery, WebhookEndpoint

log = logging.getLogger(__name__)

MAX_ATTEMPTS = 8
BASE_DELAY = dt.timedelta(minutes=1)
MAX_DELAY = dt.timedelta(hours=6)
TIMEOUT_SECONDS = 5
STALE_CLAIM = dt.timedelta(minutes=10)
SIGNATURE_HEADER = "X-Liaison-Signature"
D = WebhookDelivery.State


def sign(secret, body):
    """The signature header value of ``body`` (bytes) under ``secret``."""
    return "sha256=" + hmac.new(secret.encode("utf-8"), body, hashlib.sha256).hexdigest()


def verify(secret, body, header):
    """Whether ``header`` is the signature of ``body``: what a receiver checks."""
    return hmac.compare_digest(sign(secret, body), header or "")


def backoff(attempts):
    """Wait after ``attempts`` failed tries: 1, 2, 4, 8... minutes, at most 6 hours."""
    return min(BASE_DELAY * (2 ** max(attempts - 1, 0)), MAX_DELAY)


def payload_for(request, event):
    """What a case system needs to follow a request; no names of persons or
    free text, which it reads (if allowed) through the API."""
    return {
        "event": event,
        "request": {
            "id": request.pk,
            "reference": request.reference,
            "kind": request.kind,
            "status": request.status,
            "from_agency": request.from_agency.short_name,
            "to_agency": request.to_agency.short_name,
            "due_at": request.due_at.isoformat() if request.due_at else None,
            "version": request.version,
            "persons": request.person_links.count(),
        },
        "at": timezone.now().isoformat(),
    }


def enqueue(request, event):
    """Queue a signed delivery of ``event`` to every active endpoint of both
    agencies; delivered by the next ``deliver_due`` pass (or once the transaction
    commits, when REQUESTS_WEBHOOKS_ON_COMMIT is on)."""
    endpoints = WebhookEndpoint.objects.filter(
        agency_id__in=[request.from_agency_id, request.to_agency_id], is_active=True
    )
    created = []
    for endpoint in endpoints:
        body = {**payload_for(request, event), "agency": endpoint.agency.short_name}
        text = json.dumps(body, ensure_ascii=False, sort_keys=True)
        created.append(
            WebhookDelivery.objects.create(
                endpoint=endpoint,
                request=request,
                event=event,
                payload=text,
                signature=sign(endpoint.secret, text.encode("utf-8")),
            )
        )
    # With a task queue (CELERY_BROKER_URL) the deliveries are handed to a worker once
    # the step commits: the officer's page never waits for a case system. Without one,
    # only when asked (REQUESTS_WEBHOOKS_ON_COMMIT, the demo: the task then runs in
    # this process after the commit); otherwise the worker's beat or `liaison webhooks
    # deliver` (cron) delivers them.
    if created and (getattr(settings, "REQUESTS_WEBHOOKS_ON_COMMIT", False) or _queued()):
        ids = [d.pk for d in created]
        transaction.on_commit(lambda: _hand_over(ids))
    return created


def _queued():
    """Whether a task queue with real workers is configured (not eager mode)."""
    from liaison.tasks.services import eager

    return not eager()


def _hand_over(ids):
    """The deliveries of ``ids`` to the task queue (eager mode: delivered here and now).
    A broker that does not answer loses nothing: the deliveries wait in the database
    for the next pass of the beat or of `liaison webhooks deliver`."""
    from liaison.tasks.tasks import deliver_webhooks

    try:
        deliver_webhooks.delay(ids)
    except Exception:  # noqa: BLE001 - the step is committed; the next pass delivers
        log.warning("webhooks: could not queue deliveries %s; the next pass delivers them", ids, exc_info=True)


def allow_loopback():
    """Whether deliveries may go to 127.0.0.1 / ::1 (the demo's and the tests'
    receiver); off unless the operator turns it on (on with DEBUG)."""
    return bool(getattr(settings, "REQUESTS_WEBHOOKS_ALLOW_LOOPBACK", False))


def check_address(url):
    """``egress.check_url`` under this installation's settings."""
    return egress.check_url(url, allow_loopback=allow_loopback())


def _post(url, body, headers):
    """(status code, error category) of one POST.

    http.client rather than urllib: it follows no redirect (a redirect is an
    answer, not a new address), and its connection can be pinned to the IP
    address that was checked, so DNS cannot swap in an internal one between
    the check and the connection. TLS still verifies the certificate against
    the host name."""
    try:
        scheme, host, port, ip = check_address(url)
    except egress.AddressRefused as exc:
        return None, exc.category
    parts = urlsplit(url)
    path = (parts.path or "/") + (f"?{parts.query}" if parts.query else "")
    if scheme == "https":
        conn = http.client.HTTPSConnection(host, port, timeout=TIMEOUT_SECONDS, context=ssl.create_default_context())
    else:
        conn = http.client.HTTPConnection(host, port, timeout=TIMEOUT_SECONDS)
    # http.client opens its socket through this attribute (set in __init__);
    # replacing it pins the connection to the checked IP while the Host header
    # and the TLS name stay the configured host. Guarded by
    # tests/requests/test_security_review.py::test_delivery_connects_to_the_address_that_was_checked.
    conn._create_connection = lambda address, timeout, source=None: socket.create_connection(
        (ip, address[1]), timeout, source
    )
    try:
        conn.request("POST", path, body=body, headers=headers)
        response = conn.getresponse()
        return response.status, "" if 200 <= response.status < 300 else f"HTTP {response.status}"
    except (OSError, http.client.HTTPException, ValueError) as exc:
        return None, egress.category_of(exc)
    finally:
        conn.close()


def _attempt(delivery):
    body = delivery.payload.encode("utf-8")
    code, error = _post(
        delivery.endpoint.url,
        body,
        {
            "Content-Type": "application/json; charset=utf-8",
            SIGNATURE_HEADER: delivery.signature,
            "X-Liaison-Event": delivery.event,
            "X-Liaison-Delivery": str(delivery.pk),
            "User-Agent": "Liaison-Webhooks/1",
        },
    )
    now = timezone.now()
    delivery.attempts += 1
    delivery.response_code = code
    WebhookAttempt.objects.create(delivery=delivery, at=now, response_code=code, error=error)
    if code is not None and 200 <= code < 300:
        delivery.state, delivery.delivered_at, delivery.last_error = D.DELIVERED, now, ""
    else:
        delivery.last_error = error or f"HTTP {code}"
        if delivery.attempts >= MAX_ATTEMPTS:
            delivery.state = D.FAILED
        else:
            delivery.state = D.PENDING
            delivery.next_attempt_at = now + backoff(delivery.attempts)
    delivery.save(update_fields=["attempts", "response_code", "state", "delivered_at", "last_error", "next_attempt_at"])
    return delivery


def deliver_due(now=None, ids=None):
    """Try every delivery that is due (or those of ``ids`` that are); returns
    (delivered, failed_now) counts. Safe to run again at any time."""
    now = now or timezone.now()
    # A pass that died mid-try (process killed) leaves its claim behind; after
    # STALE_CLAIM the delivery is offered again (at worst delivered twice,
    # never lost; receivers de-duplicate by X-Liaison-Delivery).
    WebhookDelivery.objects.filter(state=D.SENDING, next_attempt_at__lt=now - STALE_CLAIM).update(state=D.PENDING)
    due = WebhookDelivery.objects.filter(state=D.PENDING, next_attempt_at__lte=now)
    if ids is not None:
        due = due.filter(pk__in=ids)
    delivered = failed = 0
    for pk in list(due.order_by("next_attempt_at", "id").values_list("pk", flat=True)):
        # Claim it: only one pass moves it from pending to sending.
        if not WebhookDelivery.objects.filter(pk=pk, state=D.PENDING).update(state=D.SENDING, next_attempt_at=now):
            continue
        delivery = WebhookDelivery.objects.select_related("endpoint").get(pk=pk)
        try:
            delivery = _attempt(delivery)
        except Exception:  # noqa: BLE001 - never leave a claimed delivery stuck in "sending"
            log.exception("Webhook delivery %s", pk)
            WebhookDelivery.objects.filter(pk=pk, state=D.SENDING).update(state=D.PENDING)
            continue
        if delivery.state == D.DELIVERED:
            delivered += 1
        else:
            failed += 1
    return delivered, failed
