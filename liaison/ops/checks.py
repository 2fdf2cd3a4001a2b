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
