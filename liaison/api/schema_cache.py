"""The OpenAPI schema, generated once per process and language, not on every request.

drf-spectacular's ``SpectacularAPIView`` walks every view and serializer on each
request: 1.5 to 12 seconds before ``/api/docs/`` was usable. The schema depends only
on the code (it is served public: ``SERVE_PUBLIC``, whoever asks), on the language its
descriptions are written in and on the API version, and the code does not change
while a process runs. So ``CachedSchemaView`` keeps, per process, the generated schema
per (language, version) and its rendering per output format; ``warm()`` fills the
default language before gunicorn forks its workers (liaison/ops/gunicorn_conf.py), so
each worker starts with it. Only configured languages and versions are keys: a client
cannot grow the cache with made-up ``?lang=`` or ``?version=`` values.

Kept in memory rather than in Django's cache: a shared cache outlives a deployment
and would serve the previous code's schema.
"""
from __future__ import annotations

import threading

from django.conf import settings
from django.core.signals import setting_changed
from django.http import HttpResponse
from django.utils import translation
from drf_spectacular.settings import patched_settings
from drf_spectacular.utils import extend_schema
from drf_spectacular.views import SCHEMA_KWARGS, SpectacularAPIView
from rest_framework.settings import api_settings

_schemas: dict = {}
_rendered: dict = {}
_lock = threading.Lock()


def clear(**kwargs):
    with _lock:
        _schemas.clear()
        _rendered.clear()


setting_changed.connect(clear)  # tests that change settings get a schema of their own


class CachedSchemaView(SpectacularAPIView):
    @extend_schema(**SCHEMA_KWARGS)  # as drf-spectacular's: not in the schema itself (SERVE_INCLUDE_SCHEMA)
    def get(self, request, *args, **kwargs):
        lang = request.GET.get("lang")
        languages = dict(settings.LANGUAGES)
        with patched_settings(self.custom_settings):
            if settings.USE_I18N and lang in languages:
                with translation.override(lang):
                    return self._cached_response(request)
            return self._cached_response(request)

    def _get_version_parameter(self, request):
        version = request.GET.get("version")
        return version if version in (api_settings.ALLOWED_VERSIONS or ()) else None

    def _cached_response(self, request):
        version = self.api_version or request.version or self._get_version_parameter(request)
        key = (translation.get_language(), version)
        renderer = request.accepted_renderer
        # A media type with parameters (``; indent=4``) changes the output: rendered anew.
        rendered_key = (*key, renderer.media_type) if request.accepted_media_type == renderer.media_type else None
        content = _rendered.get(rendered_key) if rendered_key else None
        filename = self._get_filename(request, version)
        headers = {"Content-Disposition": f'inline; filename="{filename}"'}
        if content is not None:
            response = HttpResponse(content, content_type=f"{renderer.media_type}; charset={renderer.charset}"
                                    if renderer.charset else renderer.media_type)
            for name, value in headers.items():
                response[name] = value
            return response
        schema = _schemas.get(key)
        if schema is None:
            with _lock:
                schema = _schemas.get(key)
                if schema is None:
                    generator = self.generator_class(urlconf=self.urlconf, api_version=version, patterns=self.patterns)
                    schema = _schemas[key] = generator.get_schema(request=request, public=self.serve_public)
        if rendered_key:
            content = renderer.render(schema, renderer_context={"request": request, "view": self})
            _rendered[rendered_key] = content
            response = HttpResponse(content, content_type=f"{renderer.media_type}; charset={renderer.charset}"
                                    if renderer.charset else renderer.media_type)
            for name, value in headers.items():
                response[name] = value
            return response
        from rest_framework.response import Response

        return Response(data=schema, headers=headers)


def warm(languages=None, close_connections=True):
    """Generate and render the schema (YAML and JSON) in each of ``languages`` (default:
    LANGUAGE_CODE), as an anonymous client would ask for it. Returns the seconds taken."""
    import time

    from django.db import connections
    from django.test import RequestFactory

    started = time.perf_counter()
    host = next((h for h in settings.ALLOWED_HOSTS if h and "*" not in h and not h.startswith(".")), "localhost")
    view = CachedSchemaView.as_view()
    factory = RequestFactory(HTTP_HOST=host)
    try:
        for lang in languages or [settings.LANGUAGE_CODE]:
            for accept in ("application/vnd.oai.openapi", "application/vnd.oai.openapi+json", "application/json"):
                request = factory.get("/api/schema/", {"lang": lang}, HTTP_ACCEPT=accept)
                from django.contrib.auth.models import AnonymousUser

                request.user = AnonymousUser()
                with translation.override(lang):
                    view(request)
    finally:
        if close_connections:
            connections.close_all()  # nothing opened here may be shared with forked workers
    return time.perf_counter() - started
