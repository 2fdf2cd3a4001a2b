"""``POST /api/public/check`` off the officers' middleware stack.

Every request to the site goes through sessions, the officer's language and
formats, second-factor checks, the audit history and login throttling, then
DRF's request, negotiation and serializer machinery: work a public check never
needs, and most of its time (bench/README.md, "Public side through HTTP").
``with_public_check`` puts a small dispatcher in front of the WSGI application
(liaison/wsgi.py). A well-formed check (POST, JSON, an allowed host, a body
within the size limit) is answered here by ``api.answer_check``, the function
the DRF view calls, rendered by DRF's JSON renderer, with the security headers
that the same middleware classes put on the view's answers. Anything else on
that path (another method, a bad host, a body too large, JSON that does not
parse) and every other path goes to Django, which answers as it always did.
Django's test client does not use this module: it serves the DRF view through
the full stack, which stays the OpenAPI schema's source.

Hand-written because it is a thin WSGI shim around the shared function: no
library routes one URL of a Django site around Django.
"""
from __future__ import annotations

import io
import logging

from django.conf import settings
from django.core import signals
from django.core.exceptions import DisallowedHost
from django.core.handlers.wsgi import WSGIRequest
from django.http import HttpResponse
from django.utils import translation
from django.utils.translation import gettext as _
from rest_framework.renderers import JSONRenderer
from rest_framework.utils import json

PATH = "/api/public/check"
# The security middleware of settings.MIDDLEWARE, in the same order: the headers of
# the lean answers come from running these classes once per scheme (http/https).
SECURITY_MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "liaison.sharing.middleware.ContentSecurityPolicyMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
]
log = logging.getLogger("django.request")
_STATUS = {200: "200 OK", 400: "400 Bad Request", 429: "429 Too Many Requests", 500: "500 Internal Server Error"}


def with_public_check(application):
    """``application`` with well-formed public checks answered by ``serve``, and what a
    check needs loaded (``warm``)."""
    warm()

    def dispatch(environ, start_response):
        if environ.get("PATH_INFO") == PATH and environ.get("REQUEST_METHOD") == "POST":
            return serve(environ, start_response, application)
        return application(environ, start_response)

    dispatch.django = application
    return dispatch


def warm():
    """Load now what the first checks would load while their readers wait: the
    classifier (scikit-learn, numpy), the warning signs, lingua's language models and the
    phone numbering plans (4 to 12 s of CPU together on the shared two-core machine), and
    the translation catalogues of the ten public languages (Django reads every app's
    catalogue of a language the first time it is used: a check in a new language waited
    for it). Run where the WSGI application is built: in gunicorn's master when it
    preloads the application (``liaison serve``), so that every worker forked from it,
    and every one that replaces a worker after its ``max_requests``, starts with them;
    without preloading, in each worker before it accepts a request. Neither opens a
    database or Redis connection (a forked worker must not share one). A failure here is
    logged and left to the first check, which loads lazily as before."""
    from liaison import scamcheck

    from .lang import PUBLIC_LANGUAGES

    try:
        scamcheck.check("Warm up: call +855 12 345 678 or Telegram @warm_up_jobs, USD 1,500 a month, "
                        "visa and ticket paid, passport kept by the company.", "en")
        for code, _name in PUBLIC_LANGUAGES:
            with translation.override(code):
                _("Too many tries from your connection. Wait a few minutes and try again.")
    except Exception:
        log.exception("public check: could not load the scam checker at start")


def serve(environ, start_response, django):
    request = WSGIRequest(environ)
    body = _lean_body(request)
    if body is None:  # not ours: Django answers (405, 400, 413, a redirect to https...)
        return django(environ, start_response)
    try:
        data = json.loads(body.decode(request.encoding or settings.DEFAULT_CHARSET),
                          parse_constant=json.strict_constant)
    except (ValueError, RecursionError):  # Django and DRF answer 400 in their words, as before
        environ["wsgi.input"], environ["CONTENT_LENGTH"] = io.BytesIO(body), str(len(body))
        return django(environ, start_response)

    from . import abuse, api

    signals.request_started.send(sender=__name__, environ=environ)  # connection upkeep, as Django does
    language = api.language_of(data)
    try:
        status, payload, language = api.answer_check(data, abuse.client_address(request))
        content = JSONRenderer().render(payload)  # plain strings by now: translated in answer_check
    except Exception:  # logged as Django logs it; the reader gets a JSON error in their language
        log.exception("Internal Server Error: %s", PATH, extra={"status_code": 500, "request": request})
        status = 500
        with translation.override(language):
            content = JSONRenderer().render({"detail": _("Something went wrong on our side. Try again in a few "
                                                         "minutes.")})
    headers = [("Content-Type", "application/json"), ("Content-Length", str(len(content))),
               ("Content-Language", language), ("Vary", "Accept"), ("Allow", "POST, OPTIONS"),
               *_security_headers(request.is_secure())]
    start_response(_STATUS[status], headers)
    return _Finished([content])


def _lean_body(request):
    """The body when this request is one to answer here, else None (read nothing then)."""
    try:
        request.get_host()
    except DisallowedHost:
        return None
    if request.content_type != "application/json":
        return None
    if settings.SECURE_SSL_REDIRECT and not request.is_secure():
        return None
    try:
        length = int(request.META.get("CONTENT_LENGTH") or 0)
    except ValueError:
        return None
    if not 0 < length <= min(settings.MAX_REQUEST_BODY_BYTES, settings.DATA_UPLOAD_MAX_MEMORY_SIZE or length):
        return None
    return request.body


_HEADERS = {}


def _security_headers(secure):
    """The headers the security middleware puts on a JSON answer of this view, by scheme."""
    if secure not in _HEADERS:
        from django.utils.module_loading import import_string

        def view(_request):
            return HttpResponse(content_type="application/json")

        handler = view
        for path in reversed(SECURITY_MIDDLEWARE):
            handler = import_string(path)(handler)
        request = WSGIRequest({"REQUEST_METHOD": "POST", "PATH_INFO": PATH, "SERVER_NAME": "localhost",
                               "SERVER_PORT": "443" if secure else "80", "wsgi.input": io.BytesIO(),
                               "wsgi.url_scheme": "https" if secure else "http"})
        response = handler(request)
        _HEADERS[secure] = [(k, v) for k, v in response.items() if k not in ("Content-Type", "Content-Length")]
    return _HEADERS[secure]


class _Finished:
    """The response body; closing it ends the request as Django's handler does
    (``request_finished``: database connections past their age closed, and so on)."""

    def __init__(self, body):
        self.body = body

    def __iter__(self):
        return iter(self.body)

    def close(self):
        signals.request_finished.send(sender=__name__)
