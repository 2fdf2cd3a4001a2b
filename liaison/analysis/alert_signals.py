"""What the lower layers announce, collected for the alerts of saved searches.

Nothing below the analysis app imports it: it listens to signals those layers
send anyway. ``post_save`` of a record type a saved search can look at (created:
a new record), of a person's name (a person is found by its names, which are
saved after it), of a ``Share`` (visible to more readers), of an
``OperationAssignment`` (an officer starts seeing what was shared with the
operation), and of an ``AuditEntry`` recording a withdrawn retraction or a
widened distribution (``sharing.services`` writes one for each, and updates
the record with ``.update()``, which sends no ``post_save``).

Everything one transaction announces is evaluated once, after it commits, by the
task ``liaison.tasks.alerts_pending`` (``alerts.run_pending`` in a worker; in this
process in eager mode), the way ``matching.services.schedule`` batches arrivals.
An evaluation that fails is logged, never raised into the save that caused it:
``liaison alerts run`` (the worker's beat every ten minutes) catches up.
"""
import logging
import threading
from collections import defaultdict

from django.db import transaction
from django.db.models.signals import post_save

from liaison.analysis import saved_queries

log = logging.getLogger(__name__)
_local = threading.local()


class _Pending:
    def __init__(self, outer):
        self.outer = outer
        self.created = defaultdict(set)
        self.widened = defaultdict(set)
        self.assignments = set()
        self.done = False

    def run(self):
        if self.done:
            return
        self.done = True
        if not (self.created or self.widened or self.assignments):
            return
        from liaison.tasks import services as jobs
        from liaison.tasks.tasks import alerts_pending

        # Evaluated by a worker (liaison/tasks), not in the officer's request: how long a
        # save takes must not tell whose saved searches the record matches. In eager mode
        # (no broker) in a thread after the answer when TASKS_EAGER_IN_THREAD is on (the
        # demo), else here, after the commit (the tests).
        created = {label: sorted(ids) for label, ids in self.created.items() if ids}
        widened = {label: sorted(ids) for label, ids in self.widened.items() if ids}
        try:
            jobs.dispatch(alerts_pending, created, widened, sorted(self.assignments), background=True,
                          on_error=lambda exc: None)  # logged by dispatch; `liaison alerts run` catches up
        except Exception:  # noqa: BLE001 - the record is saved; `liaison alerts run` catches up
            log.exception("Saved-search alerts after a save could not be queued")


def _pending(conn):
    """The batch of the current transaction, its run registered to follow the commit.

    Registered again on every signal (whichever runs first evaluates the whole
    batch, the others find it done): a callback registered in a savepoint that
    was rolled back is dropped, and the batch must not be left without one."""
    outer = conn.atomic_blocks[0]
    batches = _local.__dict__.setdefault("batches", {})
    pending = batches.get(conn.alias)
    if pending is None or pending.done or pending.outer is not outer:
        pending = batches[conn.alias] = _Pending(outer)
    transaction.on_commit(pending.run)
    return pending


class _Deferred:
    """Outside a transaction ``on_commit`` runs at once: fill first, then run."""

    def __enter__(self):
        conn = transaction.get_connection()
        self.immediate = not conn.in_atomic_block
        self.pending = _Pending(None) if self.immediate else _pending(conn)
        return self.pending

    def __exit__(self, *exc):
        if self.immediate and exc[0] is None:
            self.pending.run()


def _record_saved(sender, instance, created=False, raw=False, **kwargs):
    if created and not raw:
        with _Deferred() as pending:
            pending.created[sender._meta.label_lower].add(instance.pk)


def _name_saved(sender, instance, raw=False, **kwargs):
    if not raw and instance.person_id:
        with _Deferred() as pending:
            pending.created["registry.person"].add(instance.person_id)


def _share_saved(sender, instance, created=False, raw=False, **kwargs):
    if created and not raw:
        label = instance.content_type.model_class()._meta.label_lower if instance.content_type_id else ""
        if saved_queries.kinds_of(label):
            with _Deferred() as pending:
                pending.widened[label].add(instance.object_id)


def _assignment_saved(sender, instance, created=False, raw=False, **kwargs):
    if created and not raw and instance.left_at is None:
        with _Deferred() as pending:
            pending.assignments.add(instance.pk)


def _audit_saved(sender, instance, created=False, raw=False, **kwargs):
    from liaison.audit.models import AuditEntry

    if not created or raw or not instance.record_id or not saved_queries.kinds_of(instance.record_type):
        return
    widened = instance.action in (AuditEntry.Action.RESTORE, AuditEntry.Action.DISTRIBUTION) or (
        instance.action == AuditEntry.Action.MARKING and "distribution" in ((instance.detail or {}).get("changes") or {}))
    if widened:
        with _Deferred() as pending:
            pending.widened[instance.record_type].add(instance.record_id)


def connect():
    from django.apps import apps

    from liaison.audit.models import AuditEntry
    from liaison.registry.models import PersonName
    from liaison.sharing.models import OperationAssignment, Share

    labels = set(saved_queries.SEARCH_MODELS) | set(saved_queries.LIST_MODELS.values())
    for label in sorted(labels):
        model = apps.get_model(label)
        post_save.connect(_record_saved, sender=model, dispatch_uid=f"analysis-alerts-{label}")
    post_save.connect(_name_saved, sender=PersonName, dispatch_uid="analysis-alerts-personname")
    post_save.connect(_share_saved, sender=Share, dispatch_uid="analysis-alerts-share")
    post_save.connect(_assignment_saved, sender=OperationAssignment, dispatch_uid="analysis-alerts-assignment")
    post_save.connect(_audit_saved, sender=AuditEntry, dispatch_uid="analysis-alerts-audit")
