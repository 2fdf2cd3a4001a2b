"""Deploy checks of the operations settings (``liaison check --deploy``)."""
from django.conf import settings
from django.core.checks import Tags, Warning, register

MIN_METRICS_TOKEN = 32


@register(Tags.security, deploy=True)
def metrics_token(app_configs, **kwargs):
    token = getattr(settings, "METRICS_TOKEN", "")
    if token and len(token) < MIN_METRICS_TOKEN:
        return [Warning(
            f"METRICS_TOKEN is shorter than {MIN_METRICS_TOKEN} characters: /metrics can be guessed into.",
            hint="python3 -c 'import secrets; print(secrets.token_urlsafe(32))'", id="liaison.ops.W001")]
    return []


@register(Tags.security, deploy=True)
def production_switch(app_configs, **kwargs):
    if not getattr(settings, "PRODUCTION", False):
        return [Warning(
            "DJANGO_ENV is not 'production': HTTPS redirect, HSTS and JSON logs are off.",
            hint="Set DJANGO_ENV=production (docs/operations.md).", id="liaison.ops.W002")]
    return []


# Caches whose loss or split between processes is harmless: "default" holds only rendered
# charts, per process by design (analysis/charts.py). Any other cache holds shared state.
PROCESS_LOCAL_CACHES = {"default"}
LOCAL_BACKENDS = ("django.core.cache.backends.locmem.LocMemCache",
                  "django.core.cache.backends.filebased.FileBasedCache",
                  "django.core.cache.backends.dummy.DummyCache")


def _web_processes():
    import os

    from liaison.ops import gunicorn_conf

    try:
        return int(os.environ.get("WEB_CONCURRENCY") or gunicorn_conf.workers)
    except ValueError:
        return gunicorn_conf.workers


@register(Tags.caches, deploy=True)
def stateless_processes(app_configs, **kwargs):
    """Web and worker processes must keep nothing that another process needs (issue 18): with
    several gunicorn workers, or several machines behind a load balancer, a session or a rate
    limit kept in one process's memory (or on one machine's disk) is missing in the next."""
    if _web_processes() <= 1 and not getattr(settings, "CELERY_BROKER_URL", ""):
        return []
    problems = []
    engine = settings.SESSION_ENGINE
    session_cache = settings.CACHES.get(getattr(settings, "SESSION_CACHE_ALIAS", "default"), {})
    # cached_db too: a logout in one process would leave the session alive in another's memory.
    if engine == "django.contrib.sessions.backends.file" or (
            engine in ("django.contrib.sessions.backends.cache", "django.contrib.sessions.backends.cached_db")
            and session_cache.get("BACKEND") in LOCAL_BACKENDS):
        problems.append(f"SESSION_ENGINE {engine}")
    for alias, cache in settings.CACHES.items():
        if alias not in PROCESS_LOCAL_CACHES and cache.get("BACKEND") in LOCAL_BACKENDS:
            problems.append(f"cache '{alias}' ({cache['BACKEND'].rsplit('.', 1)[-1]})")
    if problems:
        return [Warning(
            "State is kept inside one process while several run: " + ", ".join(problems) + ". Officers would "
            "be logged out or limits would not hold when the next request reaches another process.",
            hint="Keep sessions in the database (the default SESSION_ENGINE) and the public pages' limits in "
                 "Redis (REDIS_URL) or the database table (docs/operations.md \"Several processes and machines\").",
            id="liaison.ops.W003")]
    return []


@register(Tags.compatibility, deploy=True)
def task_broker(app_configs, **kwargs):
    if getattr(settings, "PRODUCTION", False) and not getattr(settings, "CELERY_BROKER_URL", ""):
        return [Warning(
            "No task queue broker (CELERY_BROKER_URL): imports, intake and alerts run inside the officers' "
            "requests, and a job whose process stops is not run again unless `liaison tasks_housekeeping` "
            "runs from cron.",
            hint="Set CELERY_BROKER_URL=redis://127.0.0.1:6379/1 and run `liaison worker` (docs/operations.md).",
            id="liaison.ops.W004")]
    return []
