"""Running Liaison in production: serving (gunicorn), health and readiness
probes, request logs, Prometheus metrics, backup and restore (docs/operations.md)."""
