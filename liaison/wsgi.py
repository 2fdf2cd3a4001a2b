"""WSGI entry point for gunicorn: ``gunicorn liaison.wsgi``.

``POST /api/public/check`` is served off the officers' middleware stack
(liaison/public/fastpath.py); every other path by Django as configured."""
import os

from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "liaison.settings")
application = get_wsgi_application()

from liaison.public.fastpath import with_public_check  # noqa: E402  (Django is set up by now)

application = with_public_check(application)
