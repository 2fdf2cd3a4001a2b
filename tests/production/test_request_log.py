"""One log line per request: request id, method, path without the query string,
status, duration, user and agency ids; JSON when LOG_FORMAT=json."""
import io
import json
import logging

import pytest
from django.test import RequestFactory

from liaison.ops.requestlog import JsonFormatter, RequestIdFilter, request_id_from, with_request_log
from liaison.wsgi import application  # sets Django up again, logging included: before caplog's handlers
from tests.factories import login, make_agency, make_user

pytestmark = pytest.mark.django_db


@pytest.fixture
def lines(caplog):
    caplog.set_level(logging.INFO, logger="liaison.request")
    return lambda: [r for r in caplog.records if r.name == "liaison.request"]


def test_a_search_is_logged_without_what_was_searched(client, lines):
    agency = make_agency("VN-MPS", "VN")
    officer = make_user(agency)
    login(client, officer)
    response = client.get("/search/?q=Nguyen+Thi+Secret", HTTP_X_REQUEST_ID="proxy-abc-123456")
    [line] = lines()
    assert line.path == "/search/" and line.method == "GET" and line.status == response.status_code
    assert line.user_id == officer.pk and line.agency_id == agency.pk and line.view == "web:search"
    assert line.request_id == "proxy-abc-123456" == response["X-Request-ID"]
    assert line.duration_ms >= 0
    assert "Secret" not in line.getMessage()


def test_request_ids_are_generated_when_missing_or_malformed(client, lines):
    fresh = client.get("/login/")["X-Request-ID"]
    assert len(fresh) == 32
    for bad in ("short", "x" * 200, "evil\nINFO forged line", "<script>alert(1)</script>xx"):
        echoed = client.get("/login/", HTTP_X_REQUEST_ID=bad)["X-Request-ID"]
        assert echoed != bad and len(echoed) == 32
    assert request_id_from("0b8e2c5c-5e5d-4c4c-9c1e-2f0a6b7d8e9f") == "0b8e2c5c-5e5d-4c4c-9c1e-2f0a6b7d8e9f"


def test_anonymous_requests_log_no_user_and_cost_no_query(client, lines, django_assert_num_queries):
    with django_assert_num_queries(0):
        client.get("/public/")
    [line] = lines()
    assert line.user_id is None and line.agency_id is None


def test_json_lines_carry_the_request_id_and_never_the_query_string():
    stream = io.StringIO()
    handler = logging.StreamHandler(stream)
    handler.addFilter(RequestIdFilter())
    handler.setFormatter(JsonFormatter("%(asctime)s %(levelname)s %(name)s %(message)s %(request_id)s",
                                       rename_fields={"asctime": "time", "levelname": "level", "name": "logger"}))
    logger = logging.getLogger("tests.production.json")
    logger.addHandler(handler)
    logger.propagate = False
    try:
        request = RequestFactory().get("/api/search/?q=Ming+Guoping")
        # as django.request logs a 404 or 500: the request object rides along
        logger.warning("Not Found: %s", request.path, extra={"status_code": 404, "request": request})
    finally:
        logger.removeHandler(handler)
    record = json.loads(stream.getvalue())
    assert record["message"] == "Not Found: /api/search/" and record["level"] == "WARNING"
    assert "request_id" in record and "time" in record
    assert "Ming" not in stream.getvalue()


def test_answers_given_outside_django_get_the_same_line(lines, settings):
    """The public check's fast path (liaison/wsgi.py) answers before Django's middleware."""

    def lean(environ, start_response):
        start_response("200 OK", [("Content-Type", "application/json")])
        return [b"{}"]

    app = with_request_log(lean, view_names={"/api/public/check": "public-api-check"})
    environ = RequestFactory().post("/api/public/check?lang=th", b"{}", content_type="application/json").environ
    seen = {}
    body = app(environ, lambda status, headers, exc_info=None: seen.update(status=status, headers=dict(headers)))
    assert b"".join(body) == b"{}"
    [line] = lines()
    assert line.path == "/api/public/check" and line.view == "public-api-check" and line.status == 200
    assert seen["headers"]["X-Request-ID"] == line.request_id


def test_requests_django_served_are_not_logged_twice(caplog):
    from django.core import signals
    from django.db import close_old_connections

    caplog.set_level(logging.INFO, logger="liaison.request")
    environ = RequestFactory().get("/login/").environ
    signals.request_started.disconnect(close_old_connections)
    signals.request_finished.disconnect(close_old_connections)
    try:
        result = application(environ, lambda status, headers, exc_info=None: None)
        b"".join(result)
        result.close()
    finally:
        signals.request_started.connect(close_old_connections)
        signals.request_finished.connect(close_old_connections)
    assert [r.path for r in caplog.records if r.name == "liaison.request"] == ["/login/"]
