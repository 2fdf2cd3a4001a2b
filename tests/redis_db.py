"""The Redis database the tests may use and empty: one per pass of ``make test``.

``make test`` runs the SQLite and the PostgreSQL passes at the same time, and some tests
empty their Redis database (``caches[...].clear()`` is FLUSHDB): each pass has its own,
so that one pass's clean-up never deletes what the other's test is counting.
"""
import os

REDIS_DB = 14 if os.environ.get("DATABASE_URL", "").startswith("postgres") else 15
REDIS_URL = f"redis://127.0.0.1:6379/{REDIS_DB}"
