"""Sending: a sharing action (``liaison.sharing.signals.sharing_changed``) or an edit of a record
already sent writes an ``OutboxEntry`` per peer concerned, in the action's transaction. ``push``
delivers each peer's entries in order, up to ``FEDERATION_BATCH`` in one signed envelope (an
``OutboxBatch``, definitions once): for each, the record's state for that peer as STIX 2.1 objects
(``liaison.interop.stix``'s writer, ``liaison.interop.onward``'s rule of what may leave, the
recipients being the peer's agencies that see the record), sent as a TAXII 2.1 envelope to the
peer's inbox collection, signed with this node's Ed25519 key over the exact bytes. A control
object ``x-liaison-delivery`` in the envelope (signed with the rest) says which delivery, which
sequence, which owner and recipients, and whether the record is shared (``upsert``) or no
longer (``withdraw``: unshared, retracted, marked TLP:RED, deleted)."""
import json
import logging
import uuid
from datetime import timedelta

from django.conf import settings
from django.contrib.contenttypes.models import ContentType
from django.db import connection, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from liaison.federation import keys, messages
from liaison.federation.models import ExchangeEntry, OutboxBatch, OutboxEntry, SentRecord
from liaison.federation.order import dependents, names_others
from liaison.federation.nodes import (
    BATCH, DELIVERY_TYPE, INBOX_COLLECTION, MAX_BACKOFF, MAX_ENVELOPE_BYTES, RETRY_STATUSES, TAXII_MEDIA_TYPE,
    _replicated, enabled, home_of, peers, remote_agencies, self_name, side_thread,
)

log = logging.getLogger("liaison.federation")



def _recipients_on(peer, record):
    """The agencies homed on ``peer`` that see ``record`` here (shares to them or their groups,
    all-members or public distribution), as the visibility rule says."""
    from liaison.interop.onward import RecipientAgency
    from liaison.sharing.visibility import filter_visible

    model = type(record)
    return [a for a in remote_agencies(peer)
            if filter_visible(model.objects.all(), RecipientAgency(a), among=[record.pk]).exists()]


def enqueue(record, *, check_all_peers=True, follow=True):
    """Write an outbox entry for each peer that holds ``record`` or whose agencies now see it.

    Called inside the transaction of the change. A pending entry never tried absorbs the change
    (it will send the state of the moment it is tried), so catching up sends each record once.
    ``check_all_peers=False`` (edits) looks only at peers the record was sent to; otherwise the records
    naming this one (``order.dependents``) are queued again behind it (``follow=False``: not them)."""
    if not enabled() or not isinstance(record, _replicated()):
        return []
    if home_of(record.owner_id) != self_name():
        return []  # only the owner's node replicates a record
    ct = ContentType.objects.get_for_model(type(record))
    concerned = set(SentRecord.objects.filter(content_type=ct, object_id=record.pk).values_list("peer_id", flat=True))
    if check_all_peers:
        for peer in peers():
            if peer.pk not in concerned and _recipients_on(peer, record):
                concerned.add(peer.pk)
    entries = []
    behind = names_others(record)
    for peer_id in sorted(concerned):
        SentRecord.objects.get_or_create(content_type=ct, object_id=record.pk, peer_id=peer_id)
        pending = OutboxEntry.objects.filter(peer_id=peer_id, content_type=ct, object_id=record.pk,
                                             delivered_at__isnull=True, batch__isnull=True,
                                             attempts=0).first()
        if pending is not None and behind:
            pending.delete()  # never tried: queued again at the back, behind the records it names
            pending = None
        entries.append(pending or OutboxEntry.objects.create(peer_id=peer_id, content_type=ct, object_id=record.pk))
    if check_all_peers and follow:
        # The records that name this one go after it: a link arrives after both its ends, and goes
        # when one of its ends does (its copy would name a record the peer no longer holds).
        for dependent in dependents(record):
            entries += enqueue(dependent, follow=False)
    return entries


def build_body(entry):
    """The TAXII envelope (bytes) bringing ``entry``'s record up to date on its peer, and its control
    object (an envelope of one delivery)."""
    body, controls = build_envelope([entry])
    return body, controls[0]


def build_envelope(entries):
    """One TAXII envelope (bytes) carrying a delivery for each of ``entries`` (one peer, in sequence
    order), and their control objects.

    The definitions (Liaison's identity, extension and TLP marking definitions) and the owner
    agencies' identities appear once; each control object lists in ``object_refs`` the ids of the
    objects of its delivery. The records are read, their recipients found and narrowed by the onward
    rule a group at a time (same owner, same recipients), not one record at a time."""
    from liaison.federation.audience import NodeAudience, identity_models
    from liaison.interop.onward import RecipientAgency
    from liaison.interop.stix import RECORD_EXTENSION, StixWriter, extension_definitions, load, timestamp
    from liaison.sharing.visibility import filter_visible

    peer = entries[0].peer
    agencies = remote_agencies(peer)
    records, sees = {}, {}  # (model, pk) -> record; (model, pk) -> [agencies of the peer that see it]
    by_model = {}
    for entry in entries:
        if not messages.is_message(entry):  # (a request step or notice carries itself: messages.control)
            by_model.setdefault(entry.content_type.model_class(), set()).add(entry.object_id)
    for model, pks in by_model.items():
        for record in model.objects.filter(pk__in=pks).select_related("owner"):
            records[model, record.pk] = record
        for agency in agencies:
            # among: the batch's shares only; the query-wide form reads every share of the type,
            # which grows with the registry (0.06 s a query at 100,000).
            visible = filter_visible(model.objects.all(), RecipientAgency(agency), among=pks)
            for pk in visible.order_by().values_list("pk", flat=True):
                sees.setdefault((model, pk), []).append(agency)
        _links_to_agencies_seeing_their_ends(model, pks, sees)
    # Group the shared, unretracted records by (model, owner, recipients): one audience, one narrowing
    # and one writer per group.
    identity_to = _identity_readers(records, sees)  # (model, pk) -> [recipients that may read the identity]
    groups = {}
    for (model, pk), record in records.items():
        recipients = sees.get((model, pk), [])
        if recipients and not record.is_retracted:
            key = (model, record.owner_id, tuple(a.pk for a in recipients),
                   tuple(a.pk for a in identity_to.get((model, pk), ())))
            groups.setdefault(key, []).append(record)
    out_objects, own = {}, {}  # id -> object; (model, pk) -> ids of its delivery's objects
    for (model, _owner, _recipients, _identity), group in groups.items():
        owner, recipients = group[0].owner, sees[model, group[0].pk]
        audience = NodeAudience(RecipientAgency(owner), recipients[0])
        # Every recipient reads the copy; a protected identity leaves if one of them may read it, and
        # the receiving node grants it to those only (``identity_to``).
        audience.readers.extend(RecipientAgency(a) for a in recipients[1:])
        if model in identity_models():
            audience.identity_readers = [RecipientAgency(a) for a in identity_to.get((model, group[0].pk), ())]
        allowed = set(audience.narrow(model.objects.all(), among=[r.pk for r in group]).order_by()
                      .values_list("pk", flat=True))
        writer = StixWriter(audience)
        record_ids = {_record_id(writer, model, records[model, pk]): pk for pk in allowed}
        owner_ids, parts = [], []
        for obj in writer.objects(model, load(model, sorted(allowed))):
            out_objects.setdefault(obj["id"], obj)
            ext = (obj.get("extensions") or {}).get(RECORD_EXTENSION) or {}
            if obj["id"] in record_ids:
                own[model, record_ids[obj["id"]]] = [*owner_ids, *parts, obj["id"]]
                parts = []
            elif ext.get("liaison_type") == "agency":
                owner_ids.append(obj["id"])  # the owner agency's identity, written before its records
            else:
                parts.append(obj["id"])  # written before its record (a site's location)
    now = timestamp(timezone.now())
    writer = StixWriter(None)
    controls = []
    for entry in entries:
        if messages.is_message(entry):
            controls.append(messages.control(entry, now))
            continue
        model = entry.content_type.model_class()
        record = records.get((model, entry.object_id))
        refs = own.get((model, entry.object_id)) or []
        recipients = sees.get((model, entry.object_id), []) if refs else []
        if refs:
            action = ExchangeEntry.Action.UPSERT
        elif record is not None and record.is_retracted:
            action = ExchangeEntry.Action.RETRACT
        else:
            action = ExchangeEntry.Action.WITHDRAW  # unshared, deleted, or kept home by the onward rule (TLP:RED)
        control = {
            "type": DELIVERY_TYPE, "spec_version": "2.1", "id": f"{DELIVERY_TYPE}--{entry.delivery_id}",
            "created": now, "modified": now, "sender": self_name(), "to": peer.name,
            "sequence": entry.pk, "action": action,
            "record": _record_id(writer, model, record) if record is not None else _sent_id(entry),
            "model": model._meta.label_lower,
            "owner": record.owner.short_name if record is not None else "",
            "recipients": [a.short_name for a in recipients], "object_refs": refs,
        }
        if refs and model in identity_models():
            control["identity_to"] = [a.short_name for a in identity_to.get((model, entry.object_id), ())]
        if action == ExchangeEntry.Action.RETRACT:
            control["reason"] = record.retraction_reason
        controls.append(control)
    objects = [*(extension_definitions() if out_objects else []), *out_objects.values(), *controls]
    body = json.dumps({"more": False, "objects": objects}, ensure_ascii=False, separators=(",", ":"),
                      sort_keys=True).encode()
    return body, controls


def _identity_readers(records, sees):
    """For each protected record: the recipients of the peer that may read its identity here."""
    from liaison.federation.audience import identity_models
    from liaison.interop.onward import RecipientAgency
    from liaison.sharing.visibility import protected_visible_q

    readers = {}
    for model in identity_models():
        protected = [pk for (m, pk), record in records.items() if m is model and record.protection and (m, pk) in sees]
        if not protected:
            continue
        for agency in {a.pk: a for pk in protected for a in sees[model, pk]}.values():
            readable = model.objects.filter(pk__in=protected).filter(protected_visible_q(model, RecipientAgency(agency)))
            for pk in readable.values_list("pk", flat=True):
                readers.setdefault((model, pk), []).append(agency)
    return {key: sorted(agencies, key=lambda a: a.pk) for key, agencies in readers.items()}


def _links_to_agencies_seeing_their_ends(model, pks, sees):
    """Narrow the recipients of each link of ``pks`` to the agencies that also see both its ends.

    On its own node an agency that sees a link and not one end sees "a record you cannot see"; a
    copy cannot name a record the peer does not hold, and the writer drops a link with an end one
    of the readers may not see. Without this, one such agency among the recipients would keep the
    link from the others; with it, the link goes to those that see it whole."""
    from django.contrib.contenttypes.models import ContentType

    from liaison.interop.onward import RecipientAgency
    from liaison.registry.models import Relationship
    from liaison.sharing.visibility import filter_visible

    if model is not Relationship:
        return
    links = list(Relationship.objects.filter(pk__in=pks).values_list(
        "pk", "subject_type_id", "subject_id", "object_type_id", "object_id"))
    ends = {}
    for _pk, subject_type, subject_id, object_type, object_id in links:
        ends.setdefault(subject_type, set()).add(subject_id)
        ends.setdefault(object_type, set()).add(object_id)
    agencies = {a.pk: a for (m, _pk), readers in sees.items() if m is model for a in readers}
    seen = {}  # agency pk -> {(content type, pk)} of the ends it sees
    for agency in agencies.values():
        for ct_id, ids in ends.items():
            end_model = ContentType.objects.get_for_id(ct_id).model_class()
            visible = filter_visible(end_model.objects.all(), RecipientAgency(agency), among=ids)
            seen.setdefault(agency.pk, set()).update((ct_id, pk) for pk in visible.values_list("pk", flat=True))
    for pk, subject_type, subject_id, object_type, object_id in links:
        if (model, pk) in sees:
            sees[model, pk] = [a for a in sees[model, pk]
                               if {(subject_type, subject_id), (object_type, object_id)} <= seen.get(a.pk, set())]
            if not sees[model, pk]:
                del sees[model, pk]


def _record_id(writer, model, record):
    """The STIX id of ``record`` (an identifier's or an organisation's depends on its kind)."""
    kinds = {record.pk: record.kind} if hasattr(record, "kind") else None
    return writer.ref_for(model, record.pk, kinds)


def _sent_id(entry):
    """The STIX id a deleted record was sent under to ``entry``'s peer (its kind is gone with it),
    read from the log of the last delivery of it; its key's id if it was never sent."""
    from liaison.interop.stix import StixWriter

    sent = OutboxEntry.objects.filter(peer_id=entry.peer_id, content_type_id=entry.content_type_id,
                                      object_id=entry.object_id, delivered_at__isnull=False)
    stix_id = (ExchangeEntry.objects.filter(direction=ExchangeEntry.Direction.OUT, peer_id=entry.peer_id,
                                            delivery_id__in=sent.values("delivery_id")).exclude(stix_id="")
               .order_by("-sequence").values_list("stix_id", flat=True).first())
    model = entry.content_type.model_class()
    return stix_id or StixWriter(None).stix_id(model, entry.object_id) or f"{model._meta.label_lower}:{entry.object_id}"


def _log(direction, peer, control, status, detail="", owner=None):
    from liaison.sharing.models import Agency

    owner = owner or Agency.objects.filter(short_name=control.get("owner") or "").first()
    entry = ExchangeEntry.objects.create(
        direction=direction, peer=peer, delivery_id=_uuid(control), sequence=int(control.get("sequence") or 0),
        action=control.get("action") if control.get("action") in ExchangeEntry.Action.values else ExchangeEntry.Action.UPSERT,
        stix_id=str(control.get("record", ""))[:200], owner=owner, status=status, detail=str(detail)[:500])
    names = [n for n in control.get("recipients") or [] if isinstance(n, str)]
    if names:
        entry.recipients.set(Agency.objects.filter(short_name__in=names))
    return entry


def _log_many(direction, peer, items):
    """``_log`` for many deliveries at once (``items``: (control, status, detail)): two bulk inserts."""
    from liaison.sharing.models import Agency

    if not items:
        return []
    names = {n for c, _s, _d in items for n in [c.get("owner") or "", *(c.get("recipients") or [])] if isinstance(n, str)}
    agencies = {a.short_name: a for a in Agency.objects.filter(short_name__in=names)}
    entries = ExchangeEntry.objects.bulk_create([ExchangeEntry(
        direction=direction, peer=peer, delivery_id=_uuid(c), sequence=int(c.get("sequence") or 0),
        action=c.get("action") if c.get("action") in ExchangeEntry.Action.values else ExchangeEntry.Action.UPSERT,
        stix_id=str(c.get("record", ""))[:200], owner=agencies.get(c.get("owner") or ""), status=status,
        detail=str(detail)[:500]) for c, status, detail in items])
    through = ExchangeEntry.recipients.through
    through.objects.bulk_create([through(exchangeentry_id=e.pk, agency_id=agencies[n].pk)
                                 for e, (c, _s, _d) in zip(entries, items)
                                 for n in dict.fromkeys(c.get("recipients") or []) if n in agencies])
    return entries


def _uuid(control):
    try:
        return uuid.UUID(str(control.get("id", "")).split("--", 1)[-1])
    except ValueError:
        return uuid.UUID(int=0)


def inbox_url(peer):
    return peer.base_url.rstrip("/") + f"/taxii2/federation/collections/{INBOX_COLLECTION}/objects/"


def batch_size():
    return int(getattr(settings, "FEDERATION_BATCH", BATCH))


def push(peer=None, *, session=None, ignore_backoff=False, limit=100_000):
    """Deliver the due outbox entries of each peer (or of ``peer``), in order, a batch (one signed
    envelope of up to ``FEDERATION_BATCH`` deliveries) per request. A peer that does not answer
    stops its queue (the order matters: a retraction must not overtake the share it ends) and is
    tried again after an exponential back-off. Returns ``{peer name: deliveries done}``."""
    import requests

    session = session or requests.Session()
    now = timezone.now()
    return {node.name: _push_to(node, session, now, ignore_backoff=ignore_backoff, limit=limit)
            for node in ([peer] if peer else peers())}


def _push_to(node, session, now, *, ignore_backoff, limit):
    """``push`` to one peer; returns the deliveries done.

    Pipelined (PostgreSQL, ``_pipelined``), three things overlap: the peer applies envelope N; a
    thread forms N+1 (``_form_ahead``); another records N-1's answer (``_record_behind``: the outbox
    rows and the exchange log, 0.1 s an envelope, which the next request no longer waits for). A
    batch is recorded in the background only when the peer's answer settles every delivery of it
    (``_Outcome.settles``), so that nothing sent later can overtake a delivery still to retry. If the
    process dies before a recording commits, that batch is sent again: the peer skips what it
    applied (delivery ids), so the retry is harmless."""
    pipelined = _pipelined()
    delivered, recorder, recorded_later = 0, None, set()
    try:
        while delivered < limit:
            batch = _next_batch(node, skip=recorded_later)
            if batch is None:
                break
            if batch.next_attempt_at and batch.next_attempt_at > now and not ignore_backoff:
                break
            ahead = _form_ahead(node, batch, recorded_later) if pipelined else None
            try:
                outcome = _post(batch, session)
            finally:
                if ahead is not None:
                    ahead.join()
            if pipelined and outcome.settles(batch):
                if recorder is not None:
                    recorder.join()  # one recording at a time: the exchange log stays in order
                recorder = _record_behind(batch, outcome)
                recorded_later.add(batch.pk)
                delivered += outcome.settled
                continue
            if recorder is not None:
                recorder.join()
                recorder = None
            done = _record(batch, outcome)
            if done is None:
                break
            delivered += done
    finally:
        if recorder is not None:
            recorder.join()
    return delivered


def _pipelined():
    """Whether ``push`` forms the next envelope while the peer applies the one sent, and records an
    answer while the next envelope is on its way. Forming (reading 500 records, the onward rule,
    STIX, signing), the peer's applying and recording the answer, one after the other, each waited
    for the others (bench/README.md). PostgreSQL only: on SQLite the writers would wait for each
    other's lock anyway. Never inside a transaction: the threads' own connections would not see
    its rows."""
    return (connection.vendor == "postgresql" and not connection.in_atomic_block
            and getattr(settings, "FEDERATION_PIPELINE", True))


def _form_ahead(node, sent, recorded_later):
    """Form the peer's next batch in a thread of its own while ``sent`` is on the wire. Order is
    kept: batches go out oldest first, and this one is formed only when ``sent`` is the only batch not
    yet delivered (``recorded_later``: batches the peer settled whose recording is still under way
    count as delivered)."""
    skip = {sent.pk, *recorded_later}

    def form():
        if not OutboxBatch.objects.filter(peer=node, delivered_at__isnull=True).exclude(pk__in=skip).exists():
            _form_batch(node)

    return side_thread(f"liaison-federation-form-{node.name}", form,
                       failed=f"federation: forming the next envelope for {node.name} ahead failed")


def _record_behind(batch, outcome):
    """Record a settled batch's answer (``_record``) in a thread of its own while ``push`` sends the
    next one; if it fails the batch stays undelivered here and the next push sends it again."""
    return side_thread(f"liaison-federation-record-{batch.peer_id}", lambda: _record(batch, outcome),
                       failed=f"federation: recording the answer to batch {batch.pk} failed")


def _next_batch(node, skip=()):
    """The peer's oldest batch not delivered (but those in ``skip``), or a new one formed of its next
    pending entries."""
    batch = (OutboxBatch.objects.filter(peer=node, delivered_at__isnull=True).exclude(pk__in=set(skip))
             .order_by("pk").first())
    return batch if batch is not None else _form_batch(node)


def _form_batch(node):
    """A new batch of the peer's next pending entries (None when there are none).

    Forming a batch freezes its envelope in the same transaction that assigns the entries to it:
    from then on a retry sends the same bytes, and a later change of one of its records gets a new
    entry (which goes in a later batch, with a higher sequence)."""
    with transaction.atomic():
        pending = list(OutboxEntry.objects.select_for_update().filter(
            peer=node, delivered_at__isnull=True, batch__isnull=True).select_related("peer", "content_type")
            .order_by("pk")[:batch_size()])
        if not pending:
            return None
        if pending[0].body:
            # Frozen alone before batches existed (or by an older version): sent as it was.
            pending, body = pending[:1], bytes(pending[0].body)
        else:
            pending = pending[:next((i for i, e in enumerate(pending) if e.body), len(pending))]
            body, _controls = build_envelope(pending)
            while len(body) > MAX_ENVELOPE_BYTES and len(pending) > 1:
                pending = pending[:len(pending) // 2]  # below the peer's request size limit
                body, _controls = build_envelope(pending)
        batch = OutboxBatch.objects.create(peer=node, body=body)
        OutboxEntry.objects.filter(pk__in=[e.pk for e in pending]).update(batch=batch)
    return batch


def _mark_delivered(entries, now):
    """Save ``entries``' outcome: one UPDATE for those applied, one per refusal reason. (Django's
    ``bulk_update`` writes a CASE of 500 branches per column, which took longer to build than the
    peer took to apply the envelope, and the next envelope waited for it.)"""
    by_outcome = {}
    for entry in entries:
        by_outcome.setdefault((entry.refused, entry.last_error), []).append(entry.pk)
    for (refused, error), pks in by_outcome.items():
        OutboxEntry.objects.filter(pk__in=pks).update(delivered_at=now, refused=refused, last_error=error)


def _send_batch(batch, session):
    """Send ``batch`` once; returns how many of its deliveries are done (applied, already applied or
    refused by the peer), or None when the queue must wait (peer down, or a delivery it asks to retry)."""
    return _record(batch, _post(batch, session))


class _Outcome:
    """What the peer answered to a batch: HTTP status (None: no answer), text, TAXII status."""

    def __init__(self, status, text, answer):
        self.status, self.text, self.answer = status, text, answer
        self.settled = 0

    def settles(self, batch):
        """Whether the answer says, for every delivery of ``batch``, applied or refused (none to try
        again): then nothing of it waits, and the next batch may go before this one is recorded."""
        if self.status is None or not 200 <= self.status < 300 or not isinstance(self.answer, dict):
            return False
        said = {str(d.get("id")) for key in ("successes", "failures")
                for d in self.answer.get(key) or [] if isinstance(d, dict)}
        rows = list(batch.entries.values_list("delivery_id", "delivered_at"))
        if self.answer.get("pendings") or not rows or not all(f"{DELIVERY_TYPE}--{pk}" in said for pk, _at in rows):
            return False
        self.settled = sum(1 for _pk, delivered_at in rows if delivered_at is None)  # as ``_record`` counts
        return True


def _post(batch, session):
    """Send ``batch``'s frozen envelope, signed, to its peer (the network only: no database write)."""
    import requests

    body = bytes(batch.body)
    batch.attempts += 1
    signature = keys.sign(settings.FEDERATION_PRIVATE_KEY, body)
    answer = {}
    try:
        # The peer applies the whole envelope before it answers: the time allowed grows with its size.
        timeout = getattr(settings, "FEDERATION_TIMEOUT", 10) + 0.2 * batch_size()
        response = session.post(inbox_url(batch.peer), data=body, timeout=timeout,
                                headers={"Content-Type": TAXII_MEDIA_TYPE, "Accept": TAXII_MEDIA_TYPE,
                                         "X-Liaison-Node": self_name(), "X-Liaison-Signature": signature})
        status, text = response.status_code, response.text[:300]
        if status < 300:
            answer = response.json()
    except requests.RequestException as exc:
        status, text = None, str(exc)[:300]
    except ValueError:
        status, text = None, _("The peer's answer is not a TAXII status.")
    return _Outcome(status, text, answer)


def _record(batch, outcome):
    """Record the peer's answer to ``batch`` (outbox rows, exchange log, back-off); returns how many
    of its deliveries are done, or None when the queue must wait."""
    status, text, answer = outcome.status, outcome.text, outcome.answer
    controls = [o for o in json.loads(bytes(batch.body))["objects"] if o.get("type") == DELIVERY_TYPE]
    entries = {e.delivery_id: e for e in batch.entries.select_related("peer")}
    now = timezone.now()
    with transaction.atomic():
        if status is not None and status < 300:
            # The TAXII status says, per delivery: applied (successes), refused (failures) or to be
            # tried again (pendings: e.g. 409, something the peer must fix first).
            answer = answer if isinstance(answer, dict) else {}
            applied = {str(d.get("id")) for d in answer.get("successes") or [] if isinstance(d, dict)}
            if answer.get("liaison_status") and len(controls) == 1:
                applied.add(controls[0]["id"])  # an envelope of one delivery, answered as before batches
            refused = {str(f.get("id")): f"{f.get('liaison_http_status', '')}: {f.get('message', '')}"[:500]
                       for f in answer.get("failures") or [] if isinstance(f, dict)}
            # Not said to be applied or refused (pendings, or missing from the answer): sent again later.
            pending = {c["id"] for c in controls if c["id"] not in applied and c["id"] not in refused}
            done, logs = 0, []
            for control in controls:
                entry = entries.get(_uuid(control))
                if entry is None or entry.delivered_at or control["id"] in pending:
                    continue
                entry.delivered_at, entry.last_error = now, refused.get(control["id"], "")
                entry.refused = control["id"] in refused
                logs.append((control, ExchangeEntry.Status.REFUSED if entry.refused else ExchangeEntry.Status.DELIVERED,
                             entry.last_error))
                done += 1
            _mark_delivered([e for e in entries.values() if e.delivered_at == now], now)
            _log_many(ExchangeEntry.Direction.OUT, batch.peer, logs)
            messages.tell_refused(batch.peer, [(c, d) for c, s, d in logs if s == ExchangeEntry.Status.REFUSED])
            if refused:
                log.warning("federation: %s refused %s deliveries of batch %s", batch.peer.name, len(refused), batch.pk)
            if not pending:
                batch.delivered_at, batch.last_error = now, ""
                batch.save(update_fields=["attempts", "delivered_at", "last_error"])  # not the frozen body again
                return done
            text = _("%(count)s deliveries to try again.") % {"count": len(pending)}
        elif status is not None and 400 <= status < 500 and status not in RETRY_STATUSES:
            # The whole envelope refused (bad key, not addressed to the peer...): retrying sends the same
            # bytes and gets the same answer; logged, and the queue goes on.
            error = f"{status}: {text}"[:500]
            for entry in entries.values():
                entry.delivered_at, entry.refused, entry.last_error = now, True, error
            _mark_delivered(list(entries.values()), now)
            batch.delivered_at, batch.last_error = now, error
            batch.save(update_fields=["attempts", "delivered_at", "last_error"])
            _log_many(ExchangeEntry.Direction.OUT, batch.peer,
                      [(c, ExchangeEntry.Status.REFUSED, error) for c in controls])
            messages.tell_refused(batch.peer, [(c, error) for c in controls])
            log.warning("federation: %s refused batch %s: %s", batch.peer.name, batch.pk, error)
            return len(controls)
        backoff = min(2 ** (batch.attempts - 1), getattr(settings, "FEDERATION_MAX_BACKOFF", MAX_BACKOFF))
        batch.next_attempt_at = now + timedelta(seconds=backoff)
        batch.last_error = f"{status or ''} {text}".strip()[:500]
        batch.save(update_fields=["attempts", "next_attempt_at", "last_error"])
        OutboxEntry.objects.filter(batch=batch, delivered_at__isnull=True).update(
            attempts=batch.attempts, next_attempt_at=batch.next_attempt_at, last_error=batch.last_error)
        if batch.attempts == 1:
            _log_many(ExchangeEntry.Direction.OUT, batch.peer,
                      [(c, ExchangeEntry.Status.FAILED, batch.last_error) for c in controls
                       if _uuid(c) in entries and not entries[_uuid(c)].delivered_at])
    return None

