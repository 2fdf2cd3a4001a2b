"""Settings for the test suite: production settings plus a throw-away key.

A fixed key is fine here: test databases are created and dropped per run.
"""
import os

os.environ.setdefault("SECRET_KEY", "insecure-key-for-tests-only")

from liaison.settings import *  # noqa: E402,F401,F403

PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]  # fast test logins

# Tests render templates without running collectstatic first.
STORAGES = {**STORAGES, "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"}}
WHITENOISE_USE_FINDERS = True
WHITENOISE_AUTOREFRESH = True

# The WSGI test transports (Django's client, schemathesis) use these host names.
ALLOWED_HOSTS = ["testserver", "localhost", "127.0.0.1"]

# The public side's counters are written at once in tests (the suite's transactions
# would hide a writer thread's rows); tests/public/test_speed_paths.py tests the batching.
PUBLIC_COUNTER_FLUSH_SECONDS = 0

# A read replica as a TEST MIRROR of the default database (same database, its own
# connection): tests/production/test_replica.py turns the replica reads on
# (DATABASE_REPLICA_READS) and checks which connection each query takes. Off for the
# rest of the suite, whose tests run inside a transaction the mirror cannot see.
DATABASES["replica"] = {**DATABASES["default"], "TEST": {**DATABASES["default"].get("TEST", {}), "MIRROR": "default"}}
DATABASE_REPLICA_READS = False
