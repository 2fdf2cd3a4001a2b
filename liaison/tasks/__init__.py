"""Background work on a task queue (issue 18): the Celery application, a ``TaskRun``
row per long job (visible to the officer who asked and to their agency's
administrators), and the tasks themselves (tasks.py). See docs/operations.md."""
