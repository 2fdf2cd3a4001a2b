"""Prometheus metrics: request latency per view (django-prometheus), tasks, queue depth.

Labels are names from the code (a view's URL name, a task's name, a queue's name), an
HTTP method from a fixed list and a status code: never a path, a record id or a
name, which would both leak into the monitoring system and let a client create
new series at will. django-prometheus labels some metrics with the raw method of the
request; ``PrometheusAfterMiddleware`` folds unknown methods into ``OTHER``.

Under ``liaison serve`` every gunicorn worker writes its figures to
``PROMETHEUS_MULTIPROC_DIR`` and ``/metrics`` adds them up (prometheus_client's
multiprocess mode); without it (runserver, tests) the process's own figures are shown.
"""
from __future__ import annotations

import logging
import os

from django.conf import settings
from django_prometheus.middleware import Metrics
from django_prometheus.middleware import PrometheusAfterMiddleware as _After
from django_prometheus.middleware import PrometheusBeforeMiddleware  # noqa: F401  (in settings.MIDDLEWARE)
from prometheus_client import CONTENT_TYPE_LATEST, REGISTRY, CollectorRegistry, Counter, Histogram, generate_latest
from prometheus_client.core import GaugeMetricFamily

from liaison.ops.requestlog import safe_method

logger = logging.getLogger(__name__)

# Tasks run by the task queue (its workers call ``observe_task``). Buckets up to 30 min:
# imports, matching runs and reports are long.
TASK_BUCKETS = (0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 120, 300, 600, 1800, float("inf"))
task_duration = Histogram("liaison_task_duration_seconds", "Duration of background tasks, by task name.",
                          ["task"], buckets=TASK_BUCKETS)
task_failures = Counter("liaison_task_failures_total", "Background tasks that failed, by task name.", ["task"])


def observe_task(task, seconds, failed=False):
    """Record one finished task (``task`` is the task's name in the code, never its arguments)."""
    task_duration.labels(task=task).observe(seconds)
    if failed:
        task_failures.labels(task=task).inc()


class PrometheusAfterMiddleware(_After):
    """django-prometheus's, with the method label taken from a fixed list."""

    def label_metric(self, metric, request, response=None, **labels):
        if "method" in labels:
            labels["method"] = safe_method(labels["method"])
        return super().label_metric(metric, request, response, **labels)


def observe_outside_django(view, method, status, seconds):
    """The same latency and status metrics for an answer given outside Django's
    middleware (the public check's fast path: liaison/ops/requestlog.with_request_log)."""
    metrics = Metrics.get_instance()
    method = safe_method(method)
    metrics.requests_latency_by_view_method.labels(view=view, method=method).observe(seconds)
    metrics.responses_by_status_view_method.labels(status=str(status), view=view, method=method).inc()


def broker_url():
    """The task queue's broker, if one is configured (settings or environment), else ''."""
    return (getattr(settings, "CELERY_BROKER_URL", "") or getattr(settings, "BROKER_URL", "")
            or os.environ.get("CELERY_BROKER_URL", "") or os.environ.get("BROKER_URL", ""))


class QueueDepthCollector:
    """``liaison_queue_depth{queue}``: messages waiting in each queue of a Redis broker,
    read at scrape time (``METRICS_QUEUES``, default ``celery``). Other brokers report
    nothing here: their own exporters do it better."""

    def __init__(self, url, queues):
        self.url, self.queues = url, queues

    def collect(self):
        family = GaugeMetricFamily("liaison_queue_depth", "Messages waiting in the task queue.", labels=["queue"])
        if self.url.startswith(("redis://", "rediss://", "unix://")):
            try:
                import redis

                client = redis.Redis.from_url(self.url, socket_timeout=2, socket_connect_timeout=2)
                for queue in self.queues:
                    family.add_metric([queue], client.llen(queue))
                client.close()
            except Exception:  # the scrape still answers; readyz tells that the broker is down
                logger.warning("queue depth: the broker did not answer", exc_info=True)
        yield family


def exposition():
    """``(body, content type)`` of the metrics page."""
    multiproc_dir = os.environ.get("PROMETHEUS_MULTIPROC_DIR")
    if multiproc_dir:
        from prometheus_client import multiprocess

        registry = CollectorRegistry()
        multiprocess.MultiProcessCollector(registry, path=multiproc_dir)
    else:
        registry = CollectorRegistry()
        registry.register(_Delegate(REGISTRY))
    url = broker_url()
    if url:
        registry.register(QueueDepthCollector(url, getattr(settings, "METRICS_QUEUES", ["celery"])))
    return generate_latest(registry), CONTENT_TYPE_LATEST


class _Delegate:
    """The process's default registry inside a scrape-time registry."""

    def __init__(self, registry):
        self.registry = registry

    def collect(self):
        return self.registry.collect()
