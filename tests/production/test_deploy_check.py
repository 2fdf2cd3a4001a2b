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
    values = production_settings(monkeypatch, DJANGO_ENV="production", METRICS_TOKEN=secrets.token_urlsafe(32))
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
