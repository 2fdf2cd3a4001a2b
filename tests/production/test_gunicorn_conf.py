"""gunicorn's settings for `liaison serve`, from the environment (no database)."""
import importlib

import pytest

from liaison.ops import gunicorn_conf


@pytest.fixture
def conf(monkeypatch):
    def load(cores=2, **env):
        for name in ("WEB_CONCURRENCY", "WEB_WORKERS_MAX", "WEB_THREADS", "WEB_TIMEOUT", "LIAISON_BIND",
                     "LOG_FORMAT", "DJANGO_ENV"):
            monkeypatch.delenv(name, raising=False)
        for name, value in env.items():
            monkeypatch.setenv(name, value)
        monkeypatch.setattr("os.cpu_count", lambda: cores)
        return importlib.reload(gunicorn_conf)

    yield load
    monkeypatch.undo()
    importlib.reload(gunicorn_conf)


def test_workers_are_two_per_core_plus_one_capped(conf):
    assert conf(cores=2).workers == 5
    assert conf(cores=16).workers == 8
    assert conf(cores=16, WEB_WORKERS_MAX="20").workers == 20
    assert conf(cores=16, WEB_CONCURRENCY="3").workers == 3


def test_defaults_suit_a_proxy_on_the_same_machine(conf):
    c = conf()
    assert c.bind == ["127.0.0.1:8000"] and c.worker_class == "gthread" and c.threads == 2 and c.preload_app
    assert c.timeout == 120 and c.graceful_timeout == 30 and c.max_requests_jitter == c.max_requests // 10
    assert c.accesslog is None  # Liaison writes the request lines, without query strings
    assert c.max_requests == 20000
    assert conf(WEB_THREADS="1").worker_class == "sync"
    threaded = conf(WEB_THREADS="4", LIAISON_BIND="unix:/run/liaison.sock,0.0.0.0:8000")
    assert threaded.worker_class == "gthread" and threaded.bind == ["unix:/run/liaison.sock", "0.0.0.0:8000"]


def test_gunicorn_logs_json_in_production(conf):
    assert conf().logconfig_dict == {}
    assert conf(DJANGO_ENV="production").logconfig_dict["formatters"]["json"]
