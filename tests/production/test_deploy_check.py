"""`liaison check --deploy` prints no warning with the production settings
(DJANGO_ENV=production), and does warn without them."""
import io
import runpy
import secrets
from pathlib import Path

import pytest
from django.conf import settings as live
from django.core.management import call_command
from django.core.management.base import SystemCheckError
from django.test import override_settings

import liaison

pytestmark = pytest.mark.django_db
KEEP = {"DATABASES", "INSTALLED_APPS", "LOGGING"}  # the test database; the same apps; no logging reset


def production_settings(monkeypatch, **env):
    """liaison/settings.py evaluated afresh in the environment of a deployment."""
    for name in ("DEBUG", "DJANGO_ENV", "SECURE_SSL_REDIRECT", "SECURE_HSTS_SECONDS", "SECURE_COOKIES",
                 "METRICS_TOKEN", "DJANGO_ALLOW_ASYNC_UNSAFE"):  # the last: set by tests/conftest.py
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("SECRET_KEY", secrets.token_urlsafe(50))
    monkeypatch.setenv("ALLOWED_HOSTS", "liaison.example.org")
    for name, value in env.items():
        monkeypatch.setenv(name, value)
    values = runpy.run_path(str(Path(liaison.__file__).with_name("settings.py")))
    return {k: v for k, v in values.items() if k.isupper() and k not in KEEP
            and (not hasattr(live, k) or getattr(live, k) != v)}


def deploy_check():
    out, err = io.StringIO(), io.StringIO()
    call_command("check", deploy=True, fail_level="WARNING", stdout=out, stderr=err)
    return out.getvalue() + err.getvalue()


def test_production_settings_pass_the_deploy_check_without_warnings(monkeypatch):
    values = production_settings(monkeypatch, DJANGO_ENV="production", METRICS_TOKEN=secrets.token_urlsafe(32),
                                 CELERY_BROKER_URL="redis://127.0.0.1:6379/1")
    assert values["SECURE_SSL_REDIRECT"] is True and values["SECURE_HSTS_SECONDS"] >= 31536000
    assert values["LOG_FORMAT"] == "json"
    with override_settings(**values):
        output = deploy_check()
    assert "no issues" in output, output


def test_without_the_production_switch_the_check_warns(monkeypatch):
    values = production_settings(monkeypatch)
    with override_settings(**values), pytest.raises(SystemCheckError) as raised:
        deploy_check()
    for warning in ("security.W004", "security.W008", "liaison.ops.W002"):
        assert warning in str(raised.value)


def test_debug_is_refused_in_production(monkeypatch):
    from django.core.exceptions import ImproperlyConfigured

    with pytest.raises(ImproperlyConfigured):
        production_settings(monkeypatch, DJANGO_ENV="production", DEBUG="1")


def test_state_kept_in_one_process_is_warned_of_when_several_run(monkeypatch):
    """Sessions or the public pages' limits in one process's memory (or on one machine's disk)
    break behind a load balancer: a second process does not see them (liaison.ops.W003)."""
    from liaison.ops import checks

    monkeypatch.setenv("WEB_CONCURRENCY", "4")
    values = production_settings(monkeypatch, DJANGO_ENV="production", METRICS_TOKEN=secrets.token_urlsafe(32),
                                 CELERY_BROKER_URL="redis://127.0.0.1:6379/1")
    local = {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}
    with override_settings(**values):
        assert checks.stateless_processes(None) == [], "database sessions, database/Redis limits"
        with override_settings(SESSION_ENGINE="django.contrib.sessions.backends.file"):
            assert [w.id for w in checks.stateless_processes(None)] == ["liaison.ops.W003"]
        with override_settings(SESSION_ENGINE="django.contrib.sessions.backends.cached_db"):
            assert [w.id for w in checks.stateless_processes(None)] == ["liaison.ops.W003"]
        with override_settings(CACHES={**values.get("CACHES", live.CACHES), "public": local}):
            (warning,) = checks.stateless_processes(None)
            assert "cache 'public'" in warning.msg
        monkeypatch.setenv("WEB_CONCURRENCY", "1")
        with override_settings(CELERY_BROKER_URL="", SESSION_ENGINE="django.contrib.sessions.backends.file"):
            assert checks.stateless_processes(None) == [], "one process: nothing to share"


def test_production_without_a_task_queue_broker_is_warned_of(monkeypatch):
    values = production_settings(monkeypatch, DJANGO_ENV="production", METRICS_TOKEN=secrets.token_urlsafe(32))
    with override_settings(**values), pytest.raises(SystemCheckError) as raised:
        deploy_check()
    assert "liaison.ops.W004" in str(raised.value)
