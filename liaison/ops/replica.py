"""Reads of search, lists and analysis pages from a PostgreSQL read replica (issue 18).

``DATABASE_REPLICA_URL`` adds a ``replica`` database (a streaming standby of the
primary, docs/operations.md "Read replica"). Which queries go there is decided per
request, not per model, by a router and a middleware together:

- ``ReplicaReadMiddleware.process_view`` marks the request as a *replica read* only
  when it is a GET or HEAD of one of ``REPLICA_VIEWS`` (search, record lists, the
  analysis pages) and the browser holds no "pinned to the primary" cookie. It runs
  after the session, the login and the second factor were read (from the primary), so
  only the view's own reads move.
- ``ReplicaRouter.db_for_read`` sends a replica read's queries to ``replica``, except
  inside a transaction on the primary (a read that a write follows or depends on:
  audit entries, access logs, ``select_for_update``) and for the models of
  ``PRIMARY_ONLY_APPS``. Every write goes to the primary (``db_for_write``).

Why a router and not ``.using("replica")`` at each read site: the visibility layer
(``visible_to``/``filter_visible``) builds its subqueries from several models, and a
page reads through many helpers (filters, paginators, templates' related lookups). A
router sends *all* of one page's reads to the same database, so visibility is computed
on the same snapshot as the records it filters, by the same code, on either database.
An explicit ``.using()`` would have to be threaded through every helper, and one
forgotten call would mix two snapshots.

Read-your-writes: every unsafe request (POST, PUT, PATCH, DELETE) answers with the
cookie ``liaison_primary`` holding an expiry ``REPLICA_PIN_SECONDS`` (10) ahead; while
it holds, that browser's pages read the primary, so an officer who saved or shared
something sees it on the next list or search even if the replica is behind. The
cookie can only send its holder's reads to the primary (the safe side), so it is not
signed. Other officers may see a change up to the replica's lag later; the deployment
notes show how ``synchronous_commit = remote_apply`` removes that window (a retraction
then reaches the replica before the retracting request answers).

A replica that does not answer, or is more than ``REPLICA_MAX_LAG_SECONDS`` behind,
is not used: the page reads the primary and the log says why (checked at most once a
second per process).
"""
from __future__ import annotations

import contextvars
import logging
import time

from django.conf import settings
from django.db import DatabaseError, connections

log = logging.getLogger(__name__)

REPLICA = "replica"
PRIMARY = "default"
PIN_COOKIE = "liaison_primary"
SAFE_METHODS = ("GET", "HEAD")
# Models read from the primary whatever the page: sessions and login state (a session
# written at login must be found on the next page), the task queue's rows (a job's
# progress page polls them) and one-time form tokens.
PRIMARY_ONLY_APPS = frozenset({"sessions", "axes", "otp_totp", "otp_static", "django_otp", "tasks"})
# Views whose GET reads may go to the replica: URL names, or "namespace:*".
DEFAULT_REPLICA_VIEWS = ("web:search", "web:list", "analysis:*")

_read_alias: contextvars.ContextVar[str | None] = contextvars.ContextVar("liaison_read_alias", default=None)


def configured():
    return REPLICA in settings.DATABASES and getattr(settings, "DATABASE_REPLICA_READS", True)


def current_read_alias():
    """The database this request's reads go to now (``default`` outside a replica read)."""
    return _read_alias.get() or PRIMARY


def read_connection(model):
    """The connection a raw SQL read of ``model`` takes: the one the ORM would (a page's raw
    statements read the same snapshot as its querysets)."""
    from django.db import router

    return connections[router.db_for_read(model)]


class ReplicaRouter:
    """Reads of a replica read (see the module docstring) to ``replica``; everything else to the primary."""

    def db_for_read(self, model, **hints):
        alias = _read_alias.get()
        if alias != REPLICA or model._meta.app_label in PRIMARY_ONLY_APPS:
            return PRIMARY
        if connections[PRIMARY].in_atomic_block:
            # A transaction on the primary is open: what it reads may decide what it writes.
            return PRIMARY
        return REPLICA

    def db_for_write(self, model, **hints):
        return PRIMARY

    def allow_relation(self, obj1, obj2, **hints):
        # The replica is a copy of the primary: a record read on one may point to one read on the other.
        if {obj1._state.db, obj2._state.db} <= {PRIMARY, REPLICA, None}:
            return True
        return None

    def allow_migrate(self, db, app_label, model_name=None, **hints):
        return False if db == REPLICA else None


def _view_matches(request):
    match = getattr(request, "resolver_match", None)
    if match is None:
        return False
    views = getattr(settings, "REPLICA_VIEWS", DEFAULT_REPLICA_VIEWS)
    return match.view_name in views or any(
        view.endswith(":*") and view[:-2] in match.namespaces for view in views)


def _pinned(request):
    try:
        return float(request.COOKIES.get(PIN_COOKIE, "0")) > time.time()
    except ValueError:
        return False


class _Health:
    """Whether the replica may serve reads now: it answers and is not too far behind.
    Asked at most once a second per process (one small query), not on every page."""

    checked_at = 0.0
    usable = False

    @classmethod
    def ok(cls):
        now = time.monotonic()
        if now - cls.checked_at < 1.0:
            return cls.usable
        cls.checked_at, cls.usable = now, cls._probe()
        return cls.usable

    @staticmethod
    def _probe():
        limit = float(getattr(settings, "REPLICA_MAX_LAG_SECONDS", 30))
        connection = connections[REPLICA]
        try:
            lag = replica_lag(connection)
        except DatabaseError:
            log.warning("read replica unavailable: reading the primary", exc_info=True)
            connection.close()
            return False
        if lag > limit:
            log.warning("read replica %.1f s behind (limit %s): reading the primary", lag, limit)
            return False
        return True


def replica_lag(connection):
    """Seconds the standby behind ``connection`` is behind its primary: 0 when it has replayed
    all it received (an idle primary sends nothing, so the last replay's age alone would
    say "behind"), infinite when it receives nothing (no WAL receiver: cut off from the
    primary, it cannot know how far behind it is), and 0 for a database that is not a
    standby (tests' mirror, SQLite)."""
    if connection.vendor != "postgresql":
        connection.ensure_connection()
        return 0.0
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT CASE WHEN NOT pg_is_in_recovery() THEN 0 "
            "WHEN NOT EXISTS (SELECT 1 FROM pg_stat_wal_receiver) THEN 'Infinity'::float8 "
            "WHEN pg_last_wal_receive_lsn() = pg_last_wal_replay_lsn() THEN 0 "
            "ELSE COALESCE(EXTRACT(EPOCH FROM now() - pg_last_xact_replay_timestamp()), 0) END")
        return float(cursor.fetchone()[0])


class ReplicaReadMiddleware:
    """Marks replica reads (``process_view``) and pins a browser to the primary after its writes."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if not configured():
            return self.get_response(request)
        try:
            response = self.get_response(request)
        finally:
            _read_alias.set(None)
        if request.method not in SAFE_METHODS and settings.SESSION_COOKIE_NAME in request.COOKIES:
            # Logged-in browsers only: the public pages' anonymous forms have no pages to pin.
            seconds = int(getattr(settings, "REPLICA_PIN_SECONDS", 10))
            response.set_cookie(PIN_COOKIE, str(int(time.time()) + seconds), max_age=seconds, httponly=True,
                                samesite="Lax", secure=settings.SESSION_COOKIE_SECURE)
        return response

    def process_view(self, request, view_func, view_args, view_kwargs):
        if (configured() and request.method in SAFE_METHODS and not _pinned(request)
                and _view_matches(request) and _Health.ok()):
            _read_alias.set(REPLICA)
        return None
