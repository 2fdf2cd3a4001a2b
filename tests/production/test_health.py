"""/healthz, /readyz and /metrics: open to probes, closed to everything else, telling
an attacker no more than up or down."""
import pytest
from django.core.cache import caches
from django.test import Client

from liaison.ops import health
from liaison.sharing.models import Role
from tests.factories import login, make_agency, make_user
from tests.redis_db import REDIS_DB, REDIS_URL

pytestmark = pytest.mark.django_db
TOKEN = "m" * 40


def test_healthz_answers_ok_without_a_session_and_with_any_host(client, django_assert_num_queries):
    with django_assert_num_queries(0):
        response = client.get("/healthz", HTTP_HOST="10.1.2.3:8000")  # a probe calls by address
    assert response.status_code == 200 and response.content == b"ok\n"
    assert "Set-Cookie" not in response and response["Cache-Control"] == "no-store"
    assert response["X-Content-Type-Options"] == "nosniff"  # the security headers still apply


def test_readyz_checks_database_and_caches_and_skips_an_unconfigured_broker(client, settings, monkeypatch):
    monkeypatch.delenv("CELERY_BROKER_URL", raising=False)
    monkeypatch.delenv("BROKER_URL", raising=False)
    response = client.get("/readyz")
    assert response.status_code == 200
    assert response.json() == {"status": "ok", "database": "ok", "cache": "ok", "broker": "skipped"}


def test_readyz_names_the_failing_part_and_nothing_else(client, settings, monkeypatch):
    def broken():
        raise RuntimeError("could not connect to server at db.internal:5432 as liaison password=hunter2")

    monkeypatch.setattr(health, "check_database", broken)
    settings.CELERY_BROKER_URL = "redis://user:s3cret@127.0.0.1:1/0"  # nothing listens on port 1
    response = client.get("/readyz")
    assert response.status_code == 503
    assert response.json() == {"status": "fail", "database": "fail", "cache": "ok", "broker": "fail"}
    body = response.content.decode()
    assert "hunter2" not in body and "db.internal" not in body and "s3cret" not in body


def test_readyz_fails_when_a_cache_loses_what_it_stored(client, monkeypatch):
    monkeypatch.setattr(caches["default"], "get", lambda *a, **k: None)
    response = client.get("/readyz")
    assert response.status_code == 503 and response.json()["cache"] == "fail"


def test_readyz_reaches_a_configured_redis_broker(client, settings):
    import redis

    try:
        redis.Redis(host="127.0.0.1", port=6379, socket_connect_timeout=1).ping()
    except redis.exceptions.ConnectionError:
        pytest.skip("no Redis on 127.0.0.1:6379")
    settings.CELERY_BROKER_URL = REDIS_URL
    assert client.get("/readyz").json()["broker"] == "ok"


def test_probes_pass_the_login_second_factor_and_screener_gates(client):
    agency = make_agency("TH-IMM", "TH")
    screener = make_user(agency, roles=(Role.SCREENER,))
    unverified = make_user(agency)
    for who in (None, screener):
        if who:
            login(client, who)
        assert client.get("/healthz").status_code == 200
        assert client.get("/readyz").status_code == 200
        assert client.get("/persons/").status_code in (302, 403)  # the gates still hold elsewhere
    half = Client()
    half.force_login(unverified)  # password only, no second factor
    assert half.get("/healthz").status_code == 200


def test_probes_are_exempt_from_the_https_redirect_in_production(client, settings):
    settings.SECURE_SSL_REDIRECT = True
    settings.SECURE_REDIRECT_EXEMPT = [r"^healthz/?$", r"^readyz/?$", r"^metrics/?$"]
    assert client.get("/healthz").status_code == 200
    assert client.get("/readyz").status_code == 200
    assert client.get("/login/").status_code == 301


def test_only_get_and_head(client):
    assert client.post("/healthz").status_code == 405
    assert client.head("/readyz").status_code == 200


# --- /metrics ---------------------------------------------------------------------


def scrape(client, token=TOKEN):
    return client.get("/metrics", HTTP_AUTHORIZATION=f"Bearer {token}")


def test_metrics_page_does_not_exist_without_a_token(client, settings):
    settings.METRICS_TOKEN = ""
    assert scrape(client, "").status_code == 404
    assert scrape(client, "anything").status_code == 404


def test_metrics_need_the_bearer_token(client, settings):
    settings.METRICS_TOKEN = TOKEN
    assert client.get("/metrics").status_code == 401
    assert scrape(client, "m" * 39).status_code == 401
    assert client.get("/metrics", HTTP_AUTHORIZATION=f"Token {TOKEN}").status_code == 401
    response = scrape(client)
    assert response.status_code == 200 and response["Content-Type"].startswith("text/plain")


def test_metrics_label_views_by_name_never_by_path_query_or_made_up_method(client, settings):
    settings.METRICS_TOKEN = TOKEN
    agency = make_agency("KH-NP", "KH")
    analyst = make_user(agency)
    login(client, analyst)
    client.get("/search/?q=Secretname+Victim")
    client.get("/api/persons/987654321/")
    client.generic("PROBEXYZ", "/persons/")
    body = scrape(client).content.decode()
    assert 'django_http_requests_latency_seconds_by_view_method_count{method="GET",view="web:search"}' in body
    assert 'view="api:person-detail"' in body
    for leak in ("Secretname", "987654321", "/persons/", "PROBEXYZ", "/search/"):
        assert leak not in body, leak
    assert 'method="OTHER"' in body


def test_task_metrics_are_exposed_for_the_task_queue(client, settings):
    from liaison.ops.metrics import observe_task

    settings.METRICS_TOKEN = TOKEN
    observe_task("matching.run", 2.5, failed=True)
    body = scrape(client).content.decode()
    assert 'liaison_task_failures_total{task="matching.run"}' in body
    assert 'liaison_task_duration_seconds_count{task="matching.run"}' in body


def test_queue_depth_is_read_from_a_redis_broker(client, settings):
    import redis

    try:
        server = redis.Redis(host="127.0.0.1", port=6379, db=REDIS_DB, socket_connect_timeout=1)
        server.delete("liaison-test-queue")
        server.rpush("liaison-test-queue", "a", "b", "c")
    except redis.exceptions.ConnectionError:
        pytest.skip("no Redis on 127.0.0.1:6379")
    settings.METRICS_TOKEN = TOKEN
    settings.CELERY_BROKER_URL = REDIS_URL
    settings.METRICS_QUEUES = ["liaison-test-queue"]
    try:
        body = scrape(client).content.decode()
    finally:
        server.delete("liaison-test-queue")
    assert 'liaison_queue_depth{queue="liaison-test-queue"} 3.0' in body


def test_a_short_metrics_token_is_a_deploy_warning(settings):
    from liaison.ops.checks import metrics_token

    settings.METRICS_TOKEN = "short"
    assert [w.id for w in metrics_token(None)] == ["liaison.ops.W001"]
    settings.METRICS_TOKEN = TOKEN
    assert metrics_token(None) == []
