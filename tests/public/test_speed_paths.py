"""Issue 11, speed: the ways the public check was made fast keep every promise.

* Under gunicorn, ``POST /api/public/check`` is answered off the officers' middleware
  stack (liaison/public/fastpath.py). Through the served WSGI application it gives
  what the DRF view gives through Django's full stack (the test client): the same
  status, JSON and security headers, errors in the reader's language, the same
  limits, nothing unpublished, and it reads no officer session.
* Listed and unlisted identifiers run the same queries and take the same time on
  that path too (the proof of tests/public/test_timing.py).
* The day's counters are added up in memory and written by each process at most
  once per ``PUBLIC_COUNTER_FLUSH_SECONDS``; they still reach the statistics page.
"""
import json
import time
from collections import Counter

import pytest
from django.core import signals
from django.db import close_old_connections, connection
from django.test import RequestFactory
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from liaison.public import counters, services
from liaison.public.models import CheckedIdentifier, DailyCount
from liaison.sharing.models import Role
from tests.factories import login, make_user

from .conftest import HELD_PHONE, PUBLISHED_PHONE
from .test_timing import _shape, same_time

pytestmark = pytest.mark.django_db

SECURITY_HEADERS = ("Content-Security-Policy", "Permissions-Policy", "X-Content-Type-Options", "Referrer-Policy",
                    "Cross-Origin-Opener-Policy", "X-Frame-Options")


class Answer:
    def __init__(self, status, headers, body):
        self.status_code, self.headers, self.content = int(status.split()[0]), dict(headers), body

    def json(self):
        return json.loads(self.content)


def served(body, *, content_type="application/json", method="POST", path="/api/public/check", **extra):
    """The request through ``liaison.wsgi.application``, the application gunicorn serves.
    As Django's test client does, the connection upkeep of request_started/finished is
    held off: it would close the test's transaction."""
    from liaison.wsgi import application

    factory = RequestFactory()
    if method == "POST":
        request = factory.post(path, body, content_type=content_type, **extra)
    else:
        request = factory.generic(method, path, **extra)
    out = {}

    def start_response(status, headers, exc_info=None):
        out.update(status=status, headers=headers)

    signals.request_started.disconnect(close_old_connections)
    signals.request_finished.disconnect(close_old_connections)
    try:
        result = application(request.environ, start_response)
        content = b"".join(result)
        if hasattr(result, "close"):
            result.close()
    finally:
        signals.request_started.connect(close_old_connections)
        signals.request_finished.connect(close_old_connections)
    return Answer(out["status"], out["headers"], content)


def full_stack(client, body, **extra):
    return client.post("/api/public/check", body, content_type="application/json", **extra)


def _same(lean, full):
    assert lean.status_code == full.status_code
    assert lean.json() == full.json()
    for header in SECURITY_HEADERS:
        assert lean.headers.get(header) == full.headers.get(header), header
    assert lean.headers["Content-Type"] == full.headers["Content-Type"] == "application/json"


@pytest.mark.parametrize("payload", [
    {"text": PUBLISHED_PHONE, "language": "vi"},
    {"text": HELD_PHONE},
    {"text": "+85512777009", "language": "th"},
    {"text": "Việc nhẹ lương cao ở Campuchia, bao vé máy bay, liên hệ Telegram @hr_kh_jobs", "language": "vi"},
    {"nothing": 1, "language": "th"},
    {"text": "x" * 6000, "language": "km"},
    ["not", "an", "object"],
], ids=["listed-vi", "held", "unknown-th", "text-vi", "no-text-th", "too-long-km", "list"])
def test_served_check_answers_as_the_drf_view(client, world, payload):
    body = json.dumps(payload)
    lean, full = served(body), full_stack(client, body)
    _same(lean, full)
    assert "ZZSECRET" not in lean.content.decode()


def test_errors_are_in_the_readers_language_and_say_so(client, world):
    lean = served(json.dumps({"language": "th"}))
    assert lean.status_code == 400
    assert lean.headers["Content-Language"] == "th"
    assert full_stack(client, json.dumps({"language": "th"})).headers["Content-Language"] == "th"
    listed = served(json.dumps({"text": PUBLISHED_PHONE, "language": "vi"}))
    assert listed.headers["Content-Language"] == "vi"


def test_what_the_lean_path_hands_to_django_is_answered_as_before(client, world, settings):
    broken = served('{"text": ')  # JSON that does not parse
    assert broken.status_code == 400 == full_stack(client, '{"text": ').status_code
    assert broken.json() == full_stack(client, '{"text": ').json()
    assert served(None, method="GET").status_code == 405
    assert served("text=hello", content_type="application/x-www-form-urlencoded").status_code == 200
    settings.MAX_REQUEST_BODY_BYTES = 100
    too_big = served(json.dumps({"text": "y" * 200}))
    assert too_big.status_code == 413 and "too large" in too_big.json()["detail"]
    settings.ALLOWED_HOSTS = ["example.org"]
    assert served(json.dumps({"text": PUBLISHED_PHONE})).status_code == 400


@pytest.mark.parametrize("body", [
    b'{"text": null}', b'{"text": 12345678}', b'{"text": true}', b'{"text": {"a": 1}}', b'"just text"', b"null",
    b"\xff\xfe{", b"[" * 100_000, b'{"text": NaN}', b'{"text": "\\ud800"}', b'{"text": "ok", "language": 5}',
    b'{"text": "\\u0000"}', b"{}",
])
def test_odd_bodies_get_the_same_answer_and_never_a_server_error(client, world, body):
    lean, full = served(body), full_stack(client, body)
    assert lean.status_code == full.status_code and lean.status_code in (200, 400)
    assert lean.json() == full.json()


def test_served_check_is_rate_limited_per_address_and_per_identifier(world, settings):
    settings.PUBLIC_RATE_LIMITS = {**settings.PUBLIC_RATE_LIMITS, "check": (2, 60), "identifier": (3, 3600)}
    body = json.dumps({"text": PUBLISHED_PHONE, "language": "vi"})
    assert [served(body).status_code for _ in range(3)] == [200, 200, 429]
    assert served(body, REMOTE_ADDR="10.0.0.7").status_code == 200  # another address: its own count
    limited = served(body, REMOTE_ADDR="10.0.0.8")  # but the number was checked three times already
    assert limited.status_code == 429 and limited.headers["Content-Language"] == "vi"
    assert limited.json() == full_stack_limited(body)


def full_stack_limited(body):
    from django.test import Client

    return Client(REMOTE_ADDR="10.0.0.8").post("/api/public/check", body, content_type="application/json").json()


def test_served_check_reads_no_officer_session(client, world):
    """An officer's browser sends its session cookie to the public check too: the full
    stack loads the session and the officer for it; the served check does not."""
    officer = make_user(world.kh, roles=[Role.ANALYST])
    login(client, officer)
    cookie = f"sessionid={client.cookies['sessionid'].value}"
    body = json.dumps({"text": PUBLISHED_PHONE})
    served(body, HTTP_COOKIE=cookie)  # the day's counters exist now
    with CaptureQueriesContext(connection) as lean:
        assert served(body, HTTP_COOKIE=cookie).status_code == 200
    sql = " ".join(q["sql"] for q in lean.captured_queries)
    assert "django_session" not in sql and "sharing_user" not in sql
    with CaptureQueriesContext(connection) as full:
        assert full_stack(client, body).status_code == 200
    assert "django_session" in " ".join(q["sql"] for q in full.captured_queries)  # the proof can see it


def _lean_sender(_client, value):
    answer = served(json.dumps({"text": value}))
    assert answer.status_code == 200
    return answer


def test_served_listed_and_unlisted_run_the_same_queries(world, settings):
    settings.PUBLIC_RATE_LIMITS = {**settings.PUBLIC_RATE_LIMITS, "check": (100_000, 60),
                                   "identifier": (100_000, 3600)}
    assert _lean_sender(None, PUBLISHED_PHONE).content != _lean_sender(None, HELD_PHONE).content
    with CaptureQueriesContext(connection) as listed:
        _lean_sender(None, PUBLISHED_PHONE)
    with CaptureQueriesContext(connection) as unlisted:
        _lean_sender(None, HELD_PHONE)
    assert _shape(listed.captured_queries) == _shape(unlisted.captured_queries)
    assert len(listed.captured_queries) == len(unlisted.captured_queries) > 0


def test_served_listed_and_unlisted_answer_in_the_same_time(world, settings):
    settings.PUBLIC_RATE_LIMITS = {**settings.PUBLIC_RATE_LIMITS, "check": (100_000, 60),
                                   "identifier": (100_000, 3600)}
    for _ in range(3):
        _lean_sender(None, PUBLISHED_PHONE), _lean_sender(None, HELD_PHONE)
    ok, figures = same_time(None, _lean_sender, PUBLISHED_PHONE, HELD_PHONE)
    assert ok, figures


def test_confirmed_reports_of_a_whatsapp_number_count_for_the_published_phone(client, world):
    """One query reads the listing and its count of confirmed reports; a report that
    names the number as WhatsApp counts for the phone KH-NP published."""
    from liaison.public import services
    from liaison.public.models import PublicReport, ReportedIdentifier, ReportLink

    report = PublicReport.objects.create(kind="scam", reference="R-TEST-0001", code_hash="0" * 64,
                                         status=PublicReport.Status.CONFIRMED, agency=world.kh)
    ReportLink.objects.create(report=report, identifier=ReportedIdentifier.objects.create(
        kind="whatsapp", normalized=PUBLISHED_PHONE))
    with CaptureQueriesContext(connection) as queries:
        answer = services.listings([("phone", PUBLISHED_PHONE), ("whatsapp", PUBLISHED_PHONE), ("phone", HELD_PHONE)])
    assert len(queries.captured_queries) == 1
    assert answer[("phone", PUBLISHED_PHONE)]["confirmed_reports"] == 1
    assert answer[("whatsapp", PUBLISHED_PHONE)]["agencies"][0]["short_name"] == "KH-NP"
    assert answer[("phone", HELD_PHONE)] == {"agencies": [], "confirmed_reports": 0}
    ReportLink.objects.create(report=report, identifier=ReportedIdentifier.objects.create(
        kind="phone", normalized=HELD_PHONE))  # confirmed, but not published: no count shown
    assert services.listings([("phone", HELD_PHONE)])[("phone", HELD_PHONE)]["confirmed_reports"] == 0


# The day's counters ---------------------------------------------------------------

@pytest.fixture
def batched(settings):
    settings.PUBLIC_RATE_LIMITS = {**settings.PUBLIC_RATE_LIMITS, "check": (100_000, 60),
                                   "identifier": (100_000, 3600)}
    yield settings
    counters.stop()


def test_counts_wait_in_memory_and_the_statistics_page_shows_them(client, world, batched):
    batched.PUBLIC_COUNTER_FLUSH_SECONDS = 3600  # nothing written during the test but by the page
    for _ in range(3):
        assert served(json.dumps({"text": PUBLISHED_PHONE, "language": "vi"})).status_code == 200
    assert not DailyCount.objects.filter(metric="api_check_identifier").exists()  # no write per check
    login(client, make_user(world.kh, roles=[Role.ANALYST]))
    page = client.get("/public/officers/statistics/").content.decode()
    assert DailyCount.objects.get(metric="api_check_identifier", language="vi").count == 3
    assert CheckedIdentifier.objects.get(normalized=PUBLISHED_PHONE).count == 3
    assert "api_check_identifier" in page and f"{PUBLISHED_PHONE}</bdi> — 3" in page


def test_each_process_writes_its_counts_within_the_interval(client, world, batched, monkeypatch):
    """The writer thread, with the database write itself stood in for: the thread has a
    connection of its own, which the test's transaction would keep from the rows."""
    written = []
    monkeypatch.setattr(counters, "_write", lambda daily, checked: written.append((daily, checked)))
    batched.PUBLIC_COUNTER_FLUSH_SECONDS = 0.05
    for _ in range(2):
        assert served(json.dumps({"text": HELD_PHONE})).status_code == 200
    assert client.post("/public/check/", {"text": HELD_PHONE}).status_code == 200
    daily, checked = Counter(), Counter()
    deadline = time.monotonic() + 10
    while time.monotonic() < deadline and sum(checked.values()) < 3:
        time.sleep(0.05)
        while written:
            d, c = written.pop()
            daily.update(d), checked.update(c)
    today = timezone.localdate()
    assert daily == {(today, "api_check_identifier", "en"): 2, (today, "check_identifier", "en"): 1}
    assert checked == {(today, "phone", HELD_PHONE): 3}
    assert not DailyCount.objects.exists()  # only the stand-in wrote


# Limits in Redis (REDIS_URL) -----------------------------------------------------------

from tests.redis_db import REDIS_URL  # noqa: E402 (one Redis database per pass of make test)


@pytest.fixture
def in_redis(settings):
    redis = pytest.importorskip("redis")
    try:
        redis.Redis.from_url(REDIS_URL, socket_connect_timeout=1).ping()
    except redis.RedisError:
        pytest.skip("no Redis on 127.0.0.1:6379")
    from django.core.cache import caches

    settings.CACHES = {**settings.CACHES, "public": {"BACKEND": "django.core.cache.backends.redis.RedisCache",
                                                     "LOCATION": REDIS_URL}}
    caches["public"].clear()
    yield redis.Redis.from_url(REDIS_URL)
    caches["public"].clear()


def test_limits_in_redis_count_per_address_and_per_identifier_and_expire(world, settings, in_redis):
    settings.PUBLIC_RATE_LIMITS = {**settings.PUBLIC_RATE_LIMITS, "check": (2, 60), "identifier": (3, 3600)}
    text = json.dumps({"text": f"Call {PUBLISHED_PHONE} or Telegram @hr_kh_jobs for the job", "language": "en"})
    assert [served(text).status_code for _ in range(3)] == [200, 200, 429]  # two identifiers, one round trip
    assert served(text, REMOTE_ADDR="10.0.0.7").status_code == 200  # the third check of each identifier
    assert served(text, REMOTE_ADDR="10.0.0.8").status_code == 429  # a fourth: over, whoever asks
    keys = in_redis.keys("*rl:*")
    assert keys and all(0 < in_redis.ttl(key) <= 3605 for key in keys)


# One round trip for a lone identifier (abuse.hit_gated) -------------------------------------

@pytest.mark.parametrize("where", ["database", "redis"])
def test_an_address_over_its_limit_uses_up_nobody_elses_checks_of_a_number(world, settings, where, request):
    """Address and identifier are counted together for a lone identifier; the identifier
    only while the address is within its limit, or one address hammering a number could
    make it uncheckable for everyone (a scammer hiding their own number)."""
    if where == "redis":
        request.getfixturevalue("in_redis")
    settings.PUBLIC_RATE_LIMITS = {**settings.PUBLIC_RATE_LIMITS, "check": (2, 60), "identifier": (3, 3600)}
    body = json.dumps({"text": PUBLISHED_PHONE})
    assert [served(body).status_code for _ in range(6)] == [200, 200, 429, 429, 429, 429]
    assert served(body, REMOTE_ADDR="10.0.0.7").status_code == 200  # the number's third check
    assert served(body, REMOTE_ADDR="10.0.0.8").status_code == 429  # its fourth: over, whoever asks
    assert served(json.dumps({"text": HELD_PHONE}), REMOTE_ADDR="10.0.0.8").status_code == 200


def test_a_lone_identifier_costs_one_round_trip_to_redis_and_a_text_two(world, settings, in_redis, monkeypatch):
    import redis

    sent, real = [], redis.Redis.execute_command

    def counted(self, *args, **options):
        sent.append(args[0])
        return real(self, *args, **options)

    monkeypatch.setattr(redis.Redis, "execute_command", counted)
    assert served(json.dumps({"text": PUBLISHED_PHONE})).status_code == 200
    assert sent == ["EVALSHA"]
    sent.clear()
    text = f"Call {PUBLISHED_PHONE} or Telegram @hr_kh_jobs for the job"
    assert served(json.dumps({"text": text})).status_code == 200
    assert len(sent) == 2  # the address, then the text's two identifiers in one script
    in_redis.script_flush()  # a Redis that lost the script: loaded again, the check still answers
    assert served(json.dumps({"text": HELD_PHONE})).status_code == 200


@pytest.mark.parametrize("data", [
    {"text": "ok \ud83d tail"}, {"text": "a" * 4000 + "\udfff"}, {"text": "  fine  ", "language": "th"},
    {"text": "x", "language": "\ud800"}, {"text": "nul \x00"}, {"text": "x" * 5001}, {"language": "vi"},
    {"text": "😀 ok"},
])
def test_the_checks_validation_is_the_serializers(data):
    from liaison.public.api import CheckIn, _validated

    serializer = CheckIn(data=data)
    if serializer.is_valid():
        assert _validated(data) == dict(serializer.validated_data)
    else:
        assert _validated(data) is None


# The report forms' country lists (forms.CountrySelect) -----------------------------------------

@pytest.mark.parametrize("language", ["th", "my", "zh-hans", "en"])
def test_country_lists_are_written_as_djangos_select_writes_them(language):
    from django import forms
    from django.utils import translation

    from liaison.public.forms import CountrySelect, MissingReportForm, ScamReportForm

    with translation.override(language):
        blank = ScamReportForm(language=language)
        chosen = MissingReportForm(data={"country": "TH", "nationality": "KH"}, language=language)
        wrong = MissingReportForm(data={"country": "ZZ", "nationality": "<b>"}, language=language)
        for form in (chosen, wrong):
            form.is_valid()
        assert wrong.errors["country"] and wrong.errors["nationality"]
        for form, name in ((blank, "country"), (chosen, "country"), (chosen, "nationality"), (wrong, "nationality")):
            bound = form[name]
            assert isinstance(bound.field.widget, CountrySelect)
            ours = str(bound)
            assert ours == bound.as_widget(widget=forms.Select(choices=bound.field.choices))
            assert ours.count("<option") == len(bound.field.choices) > 200
    assert ' selected>' in str(chosen["nationality"]) and 'aria-invalid="true"' in str(wrong["nationality"])


# Storing a report (services._link_identifiers) ---------------------------------------------------

def test_a_report_links_each_value_once_as_first_written_in_statements_however_many(world):
    from liaison.public.models import ReportedIdentifier, ReportLink

    def report(*identifiers):
        return services.submit_report(kind="scam", language="th", country="TH", what_happened="paid a fee",
                                      identifiers=identifiers)[0]

    report(("phone", PUBLISHED_PHONE, "+855 12 345 678"))  # an earlier report named the number
    with CaptureQueriesContext(connection) as one:
        report(("phone", HELD_PHONE, "+855 12 777 001"))
    with CaptureQueriesContext(connection) as four:
        second = report(("phone", PUBLISHED_PHONE, "012 345 678"), ("telegram", "hr_kh_jobs", "@hr_kh_jobs"),
                        ("phone", PUBLISHED_PHONE, "+85512345678"), ("whatsapp", PUBLISHED_PHONE, "wa.me/85512345678"))
    assert len(four.captured_queries) == len(one.captured_queries)
    links = ReportLink.objects.filter(report=second).select_related("identifier")
    assert sorted((link.identifier.kind, link.identifier.normalized, link.as_written) for link in links) == [
        ("phone", PUBLISHED_PHONE, "012 345 678"), ("telegram", "hr_kh_jobs", "@hr_kh_jobs"),
        ("whatsapp", PUBLISHED_PHONE, "wa.me/85512345678")]
    assert ReportedIdentifier.objects.get(kind="phone", normalized=PUBLISHED_PHONE).reports.count() == 2


def test_the_served_application_is_built_with_the_scam_checker_loaded(monkeypatch):
    """Built in gunicorn's master (preloaded) or in a worker before its first request: no
    reader waits for the classifier, the signs or lingua's models to load."""
    from liaison.public import fastpath
    from liaison.scamcheck import model, signs
    from liaison.text import langid

    detectors = []
    real = langid._get_detector
    monkeypatch.setattr(langid, "_get_detector", lambda: detectors.append(1) or real())
    monkeypatch.setattr(model, "_shipped", None)
    signs.signs.cache_clear()
    fastpath.with_public_check(lambda environ, start_response: [])
    assert model._shipped is not None and signs.signs.cache_info().currsize == 1 and detectors
