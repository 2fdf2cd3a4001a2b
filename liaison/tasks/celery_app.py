"""The Celery application, configured from Django's settings (``CELERY_*``).

Without ``CELERY_BROKER_URL`` the settings turn on ``task_always_eager``: a task runs
at once in the process that asks for it, so the demo and the tests need no broker.
A worker: ``liaison worker`` (``celery -A liaison.tasks.celery_app worker --beat``).
"""
import os

from celery import Celery

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "liaison.settings")

app = Celery("liaison")
app.config_from_object("django.conf:settings", namespace="CELERY")
# Tasks are registered by liaison.tasks.apps (Django's app registry), which the
# worker loads through Celery's Django fix-up (django.setup()).
app.autodiscover_tasks(["liaison.tasks"], related_name="tasks")

if app.conf.task_always_eager and not app.conf.broker_url:
    # Eager mode publishes nothing, but Celery still builds a producer: an in-memory
    # transport, so that it never reaches for a default broker on localhost.
    app.conf.broker_url = "memory://localhost/"


def reconfigure(**values):
    """Change the application's configuration at run time (the real-worker test, the
    import benchmark): ``values`` as Celery names them; returns the old ones, to pass
    back afterwards. The producer pools built for the old broker are dropped, not closed
    (kombu keeps pools per connection, and a closed one would be handed out again)."""
    old = {key: app.conf[key] for key in values}
    app.conf.update(values)
    app._pool = None
    app.amqp._producer_pool = None
    return old
