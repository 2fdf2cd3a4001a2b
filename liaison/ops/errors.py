"""The page an officer reads when a request fails on the server (``handler500``).

Django's own answer is "Server Error (500)" in English, whatever went wrong. A database
being restarted, a broker or cache that does not answer, or a full disk are passing
conditions of a deployment, not bugs: they get ``503 Service Unavailable`` with
``Retry-After`` (so proxies and scripts retry) and a sentence saying what happened and
what to do, in the officer's language. Anything else stays a 500, with the request id
to give the administrator (the trace is in the log under that id, never on the page).

The page is rendered without the site's base template and without context processors:
those read the session, the user and the database, which may be what failed.
"""
from __future__ import annotations

import errno
import logging
import sys

from django.db import InterfaceError, OperationalError
from django.http import HttpResponse
from django.template import loader
from django.utils.translation import gettext as _

from liaison.ops.requestlog import current_request_id

logger = logging.getLogger(__name__)
RETRY_AFTER_SECONDS = 30


def _broker_errors():
    """Connection errors of Redis and of the task queue's transport, when installed."""
    kinds = [ConnectionError, TimeoutError]
    try:
        import redis.exceptions

        kinds += [redis.exceptions.ConnectionError, redis.exceptions.TimeoutError]
    except ImportError:
        pass
    try:
        import kombu.exceptions

        kinds.append(kombu.exceptions.OperationalError)
    except ImportError:
        pass
    return tuple(kinds)


def classify(exc):
    """``"database"``, ``"service"``, ``"disk"`` or ``None`` (a bug) for the exception ``exc``."""
    seen = set()
    while exc is not None and id(exc) not in seen:  # Django wraps the driver's error: look along the chain
        seen.add(id(exc))
        if isinstance(exc, (OperationalError, InterfaceError)):
            return "database"
        if isinstance(exc, OSError) and exc.errno in (errno.ENOSPC, errno.EDQUOT):
            return "disk"
        if isinstance(exc, _broker_errors()):
            return "service"
        exc = exc.__cause__ or exc.__context__
    return None


def server_error(request, *args, **kwargs):
    kind = classify(sys.exc_info()[1])
    reference = getattr(request, "request_id", None) or current_request_id() or ""
    if kind == "database":
        title = _("Liaison is unavailable for a moment")
        text = _("Liaison cannot reach its database at the moment; it may be restarting. Wait a minute, then try "
                 "again. If you were saving something, open the record first to see whether it was saved.")
    elif kind == "service":
        title = _("Liaison is unavailable for a moment")
        text = _("A service Liaison needs did not answer; it may be restarting. Wait a minute, then try again. If "
                 "you were saving something, open the record first to see whether it was saved.")
    elif kind == "disk":
        title = _("The server's disk is full")
        text = _("Liaison could not store what you sent because the server's disk is full. Tell your "
                 "administrator. Before trying again, check whether your change was saved.")
    else:
        title = _("Something went wrong")
        text = _("The server could not complete your request. Try again; if it happens again, tell your "
                 "administrator and give them the reference below.")
    body = loader.get_template("ops/error.html").render({"title": title, "text": text, "reference": reference})
    response = HttpResponse(body, status=503 if kind else 500, content_type="text/html; charset=utf-8")
    if kind in ("database", "service"):
        response["Retry-After"] = str(RETRY_AFTER_SECONDS)
    response["Cache-Control"] = "no-store"
    return response
