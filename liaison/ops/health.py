"""``/healthz``, ``/readyz`` and ``/metrics``, answered before sessions, login, the
second factor and the screening gate (``HealthMiddleware``, early in MIDDLEWARE).

- ``/healthz``: liveness. The process answers: ``200 ok``. No database, no cache.
- ``/readyz``: readiness. ``SELECT 1`` on the database, a set and get on every cache,
  a connection to the task queue's broker when one is configured. 200 when all
  answer, else 503; the body names each part and says ``ok``, ``fail`` or
  ``skipped``, nothing else: no error text, host name, version or count. Why a part
  failed goes to the log, under the request id.
- ``/metrics``: Prometheus (liaison/ops/metrics.py), only with ``Authorization: Bearer
  <METRICS_TOKEN>``; without a configured token the page does not exist (404).
  A bearer token rather than "localhost only": behind a reverse proxy on the same
  machine every visitor comes from 127.0.0.1.

These paths answer whatever the Host header (probes use the pod's or machine's
address) and are exempt from the redirect to HTTPS (``SECURE_REDIRECT_EXEMPT``), so
that probes and the scraper can call gunicorn directly; the security headers are
still set (the middleware sits after SecurityMiddleware and the CSP).
"""
from __future__ import annotations

import hmac
import logging
import secrets
import socket
from urllib.parse import urlsplit

from django.conf import settings
from django.core.cache import caches
from django.db import connections
from django.http import HttpResponse, JsonResponse

from liaison.ops import metrics
from liaison.ops.requestlog import LOGGED_KEY

logger = logging.getLogger(__name__)
HEALTH_PATHS = ("/healthz", "/readyz", "/metrics")
PROBE_TIMEOUT = 2  # seconds, per part


def _no_store(response):
    response["Cache-Control"] = "no-store"
    return response


def healthz():
    return _no_store(HttpResponse("ok\n", content_type="text/plain; charset=utf-8"))


def check_database():
    connection = connections["default"]
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1")
        cursor.fetchone()


def check_caches():
    value = secrets.token_hex(8)
    for alias in settings.CACHES:
        cache = caches[alias]
        cache.set("liaison:readyz", value, 30)
        if cache.get("liaison:readyz") != value:
            raise RuntimeError(f"cache {alias!r} did not return what was stored")


def check_broker(url):
    """Connect to the broker: through kombu (Celery's transport) when it is installed,
    else Redis's PING, else a TCP connection to its host and port."""
    try:
        import kombu
    except ImportError:
        kombu = None
    if kombu is not None:
        with kombu.Connection(url, connect_timeout=PROBE_TIMEOUT) as conn:
            conn.ensure_connection(max_retries=1, timeout=PROBE_TIMEOUT)
        return
    if url.startswith(("redis://", "rediss://", "unix://")):
        import redis

        client = redis.Redis.from_url(url, socket_timeout=PROBE_TIMEOUT, socket_connect_timeout=PROBE_TIMEOUT)
        try:
            client.ping()
        finally:
            client.close()
        return
    parts = urlsplit(url)
    port = parts.port or {"amqp": 5672, "amqps": 5671}.get(parts.scheme, 0)
    socket.create_connection((parts.hostname, port), timeout=PROBE_TIMEOUT).close()


def readiness():
    """``({part: "ok" | "fail" | "skipped"}, ready)``."""
    parts = {}
    url = metrics.broker_url()
    for name, check in (("database", check_database), ("cache", check_caches),
                        ("broker", (lambda: check_broker(url)) if url else None)):
        if check is None:
            parts[name] = "skipped"
            continue
        try:
            check()
            parts[name] = "ok"
        except Exception:
            logger.warning("readyz: the %s did not answer", name, exc_info=True)
            parts[name] = "fail"
    return parts, all(state != "fail" for state in parts.values())


def readyz():
    parts, ready = readiness()
    return _no_store(JsonResponse({"status": "ok" if ready else "fail", **parts}, status=200 if ready else 503))


def metrics_page(request):
    token = getattr(settings, "METRICS_TOKEN", "")
    if not token:
        return _no_store(HttpResponse("Not found\n", status=404, content_type="text/plain; charset=utf-8"))
    given = request.META.get("HTTP_AUTHORIZATION", "")
    scheme, _sep, credential = given.partition(" ")
    if scheme.lower() != "bearer" or not hmac.compare_digest(credential.strip().encode(), token.encode()):
        response = HttpResponse("Unauthorized\n", status=401, content_type="text/plain; charset=utf-8")
        response["WWW-Authenticate"] = 'Bearer realm="metrics"'
        return _no_store(response)
    body, content_type = metrics.exposition()
    return _no_store(HttpResponse(body, content_type=content_type))


class HealthMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        path = request.path_info
        if path in HEALTH_PATHS or (path.endswith("/") and path[:-1] in HEALTH_PATHS):
            # Probes every few seconds are not requests worth a log line or a latency figure.
            request.META[LOGGED_KEY] = True
            if request.method not in ("GET", "HEAD"):
                response = HttpResponse(status=405)
                response["Allow"] = "GET, HEAD"
                return response
            path = path.rstrip("/")
            if path == "/healthz":
                return healthz()
            if path == "/readyz":
                return readyz()
            return metrics_page(request)
        return self.get_response(request)
