"""One log line per request, with a request id carried by every log line written
while the request is served.

The line holds what an operator needs to follow a request and nothing a reader of
the logs may not see: the method, the path WITHOUT its query string (``?q=`` carries
the names officers search for), the status, the duration, the user's id and agency
id (never a name), the view's name and the request id. Client addresses are left out:
the public pages are used by victims and their relatives.

``X-Request-ID`` from the proxy is kept when it is well formed (8 to 128 letters,
digits, ``.``, ``_``, ``:``, ``-``), so a line can be followed from the proxy's log to
ours; anything else is replaced by a fresh id. The id is sent back in the answer's
``X-Request-ID`` header.

Hand-written because it is small and must know Liaison's users and what not to log;
the JSON itself is written by python-json-logger (``JsonFormatter`` below).
"""
from __future__ import annotations

import contextvars
import logging
import re
import time
import uuid

from django.utils.functional import empty
from pythonjsonlogger.json import JsonFormatter as _JsonFormatter

log = logging.getLogger("liaison.request")
REQUEST_ID_HEADER = "X-Request-ID"
_REQUEST_ID_RE = re.compile(r"[A-Za-z0-9][A-Za-z0-9._:-]{7,127}\Z")
_current_id: contextvars.ContextVar[str | None] = contextvars.ContextVar("liaison_request_id", default=None)
LOGGED_KEY = "liaison.request_logged"  # set in the WSGI environ once the line is written
METHODS = frozenset({"GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS", "TRACE", "CONNECT"})
MAX_PATH = 300


def request_id_from(value):
    """The incoming id when well formed, else a new one (32 hex digits)."""
    if value and _REQUEST_ID_RE.match(value):
        return value
    return uuid.uuid4().hex


def current_request_id():
    return _current_id.get()


def safe_method(method):
    """Unknown methods are logged and counted as OTHER: a client could otherwise make up
    a new label value per request."""
    return method if method in METHODS else "OTHER"


class RequestIdFilter(logging.Filter):
    """Adds ``request_id`` to every record (None outside a request)."""

    def filter(self, record):
        if not hasattr(record, "request_id"):
            record.request_id = _current_id.get()
        return True


class TextFormatter(logging.Formatter):
    def format(self, record):
        if getattr(record, "request_id", None) is None:
            record.request_id = "-"
        return super().format(record)


class JsonFormatter(_JsonFormatter):
    """python-json-logger's formatter, less the ``request`` object Django's loggers
    attach (``django.request``, ``django.server``): its repr carries the full path
    with the query string, that is, what was searched for."""

    def add_fields(self, log_data, record, message_dict):
        super().add_fields(log_data, record, message_dict)
        for key in ("request", "server_time"):
            log_data.pop(key, None)


def _user_fields(request):
    """The user's id and agency id, if the request already knows its user: never a
    database query just for the log (an unread lazy user stays unread)."""
    user = request.__dict__.get("user")
    if user is None:
        return None, None
    wrapped = getattr(user, "_wrapped", user)
    if wrapped is empty or not getattr(wrapped, "is_authenticated", False):
        return None, None
    return wrapped.pk, getattr(wrapped, "agency_id", None)


def write_line(*, request_id, method, path, status, seconds, view=None, user_id=None, agency_id=None):
    method = safe_method(method)
    path = path[:MAX_PATH]
    duration_ms = round(seconds * 1000, 1)
    log.info(
        "%s %s %s %.1fms", method, path, status, duration_ms,
        extra={"request_id": request_id, "method": method, "path": path, "status": status,
               "duration_ms": duration_ms, "view": view, "user_id": user_id, "agency_id": agency_id},
    )


class RequestLogMiddleware:
    """Gives each request its id, and writes its line once the answer is ready."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        request_id = request_id_from(request.META.get("HTTP_X_REQUEST_ID"))
        request.request_id = request_id
        token = _current_id.set(request_id)
        started = time.perf_counter()
        try:
            response = self.get_response(request)
            response[REQUEST_ID_HEADER] = request_id
            if log.isEnabledFor(logging.INFO):
                user_id, agency_id = _user_fields(request)
                match = getattr(request, "resolver_match", None)
                write_line(request_id=request_id, method=request.method, path=request.path,
                           status=response.status_code, seconds=time.perf_counter() - started,
                           view=match.view_name if match else None, user_id=user_id, agency_id=agency_id)
            request.META[LOGGED_KEY] = True
            return response
        finally:
            _current_id.reset(token)


def with_request_log(application, view_names=None):
    """WSGI wrapper for the answers given outside Django's middleware (the public
    check's fast path, liaison/public/fastpath.py): the same line, the same request id
    header, the same latency metric. Requests Django served are left alone."""
    from liaison.ops import metrics

    view_names = view_names or {}

    def logged(environ, start_response):
        request_id = request_id_from(environ.get("HTTP_X_REQUEST_ID"))
        token = _current_id.set(request_id)
        started = time.perf_counter()
        status = {}

        def start(status_line, headers, exc_info=None):
            status["code"] = int(status_line.split(" ", 1)[0])
            if not environ.get(LOGGED_KEY) and not any(k.lower() == "x-request-id" for k, _v in headers):
                headers = [*headers, (REQUEST_ID_HEADER, request_id)]
            return start_response(status_line, headers, exc_info) if exc_info else start_response(status_line, headers)

        try:
            result = application(environ, start)
        finally:
            _current_id.reset(token)
        if not environ.get(LOGGED_KEY):
            seconds = time.perf_counter() - started
            path = environ.get("PATH_INFO", "")
            view = view_names.get(path)
            method = environ.get("REQUEST_METHOD", "")
            write_line(request_id=request_id, method=method, path=path, status=status.get("code"),
                       seconds=seconds, view=view)
            metrics.observe_outside_django(view or "<unnamed view>", method, status.get("code"), seconds)
        return result

    logged.django = getattr(application, "django", application)
    return logged
