"""WSGI entry point for gunicorn: ``gunicorn liaison.wsgi``.

``POST /api/public/check`` is served off the officers' middleware stack
(liaison/public/fastpath.py); every other path by Django as configured."""
import os

from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "liaison.settings")
application = get_wsgi_application()

from liaison.ops.requestlog import with_request_log  # noqa: E402
from liaison.public.fastpath import PATH as PUBLIC_CHECK_PATH, with_public_check  # noqa: E402  (Django is set up by now)

# The fast path answers outside Django's middleware: its requests get their log line,
# request id and latency metric here (liaison/ops/requestlog.py).
application = with_request_log(with_public_check(application), view_names={PUBLIC_CHECK_PATH: "public-api-check"})
