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
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from liaison.federation import keys
from liaison.federation.models import ExchangeEntry, OutboxBatch, OutboxEntry, SentRecord
from liaison.federation.nodes import (
    BATCH, DELIVERY_TYPE, INBOX_COLLECTION, MAX_BACKOFF, MAX_ENVELOPE_BYTES, RETRY_STATUSES, TAXII_MEDIA_TYPE,
    _replicated, enabled, home_of, peers, remote_agencies, self_name,
)

log = logging.getLogger("liaison.federation")



def _recipients_on(peer, record):
    """The agencies homed on ``peer`` that see ``record`` here (shares to them or their groups,
    all-members or public distribution), as the visibility rule says."""
    from liaison.interop.onward import RecipientAgency
    from liaison.sharing.visibility import filter_visible

    model = type(record)
    return [a for a in remote_agencies(peer)
            if filter_visible(model.objects.filter(pk=record.pk), RecipientAgency(a)).exists()]


def enqueue(record, *, check_all_peers=True):
    """Write an outbox entry for each peer that holds ``record`` or whose agencies now see it.

    Called inside the transaction of the change. A pending entry never tried absorbs the change
    (it will send the state of the moment it is tried), so catching up sends each record once.
    ``check_all_peers=False`` (edits) looks only at peers the record was sent to."""
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
    for peer_id in sorted(concerned):
        SentRecord.objects.get_or_create(content_type=ct, object_id=record.pk, peer_id=peer_id)
        pending = OutboxEntry.objects.filter(peer_id=peer_id, content_type=ct, object_id=record.pk,
                                             delivered_at__isnull=True, batch__isnull=True,
                                             attempts=0).first()
        entries.append(pending or OutboxEntry.objects.create(peer_id=peer_id, content_type=ct, object_id=record.pk))
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
    from liaison.interop.onward import OnwardAudience, RecipientAgency
    from liaison.interop.stix import StixWriter, extension_definitions, load, timestamp
    from liaison.sharing.visibility import filter_visible

    peer = entries[0].peer
    agencies = remote_agencies(peer)
    records, sees = {}, {}  # (model, pk) -> record; (model, pk) -> [agencies of the peer that see it]
    by_model = {}
    for entry in entries:
        by_model.setdefault(entry.content_type.model_class(), set()).add(entry.object_id)
    for model, pks in by_model.items():
        for record in model.objects.filter(pk__in=pks).select_related("owner"):
            records[model, record.pk] = record
        for agency in agencies:
            for pk in filter_visible(model.objects.filter(pk__in=pks), RecipientAgency(agency)).values_list("pk", flat=True):
                sees.setdefault((model, pk), []).append(agency)
    # Group the shared, unretracted records by (model, owner, recipients): one audience, one narrowing
    # and one writer per group.
    groups = {}
    for (model, pk), record in records.items():
        recipients = sees.get((model, pk), [])
        if recipients and not record.is_retracted:
            groups.setdefault((model, record.owner_id, tuple(a.pk for a in recipients)), []).append(record)
    out_objects, own = {}, {}  # id -> object; (model, pk) -> ids of its delivery's objects
    for (model, _owner, _recipients), group in groups.items():
        owner, recipients = group[0].owner, sees[model, group[0].pk]
        audience = OnwardAudience(RecipientAgency(owner), recipients[0])
        # Every recipient reads the copy: a protected field leaves only if all of them may read it.
        audience.readers.extend(RecipientAgency(a) for a in recipients[1:])
        allowed = set(audience.narrow(model.objects.filter(pk__in=[r.pk for r in group])).values_list("pk", flat=True))
        writer = StixWriter(audience)
        record_ids = {writer.stix_id(model, pk): pk for pk in allowed}
        owner_ids = []
        for obj in writer.objects(model, load(model, sorted(allowed))):
            out_objects.setdefault(obj["id"], obj)
            if obj["id"] in record_ids:
                own[model, record_ids[obj["id"]]] = [*owner_ids, obj["id"]]
            else:
                owner_ids.append(obj["id"])  # the owner agency's identity, written before its records
    now = timestamp(timezone.now())
    writer = StixWriter(None)
    controls = []
    for entry in entries:
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
            "sequence": entry.pk, "action": action, "record": writer.stix_id(model, entry.object_id),
            "owner": record.owner.short_name if record is not None else "",
            "recipients": [a.short_name for a in recipients], "object_refs": refs,
        }
        if action == ExchangeEntry.Action.RETRACT:
            control["reason"] = record.retraction_reason
        controls.append(control)
    objects = [*(extension_definitions() if out_objects else []), *out_objects.values(), *controls]
    body = json.dumps({"more": False, "objects": objects}, ensure_ascii=False, separators=(",", ":"),
                      sort_keys=True).encode()
    return body, controls


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
    result = {}
    for node in ([peer] if peer else peers()):
        delivered = 0
        while delivered < limit:
            batch = _next_batch(node)
            if batch is None:
                break
            if batch.next_attempt_at and batch.next_attempt_at > now and not ignore_backoff:
                break
            done = _send_batch(batch, session)
            if done is None:
                break
            delivered += done
        result[node.name] = delivered
    return result


def _next_batch(node):
    """The peer's oldest batch not delivered, or a new one formed of its next pending entries.

    Forming a batch freezes its envelope in the same transaction that assigns the entries to it:
    from then on a retry sends the same bytes, and a later change of one of its records gets a new
    entry (which goes in a later batch, with a higher sequence)."""
    batch = OutboxBatch.objects.filter(peer=node, delivered_at__isnull=True).order_by("pk").first()
    if batch is not None:
        return batch
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


def _send_batch(batch, session):
    """Send ``batch`` once; returns how many of its deliveries are done (applied, already applied or
    refused by the peer), or None when the queue must wait (peer down, or a delivery it asks to retry)."""
    import requests

    body = bytes(batch.body)
    controls = [o for o in json.loads(body)["objects"] if o.get("type") == DELIVERY_TYPE]
    entries = {e.delivery_id: e for e in batch.entries.select_related("peer")}
    batch.attempts += 1
    signature = keys.sign(settings.FEDERATION_PRIVATE_KEY, body)
    answer = {}
    try:
        # The peer applies the whole envelope before it answers: the time allowed grows with its size.
        timeout = getattr(settings, "FEDERATION_TIMEOUT", 10) + 0.2 * len(controls)
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
            OutboxEntry.objects.bulk_update([e for e in entries.values() if e.delivered_at == now],
                                            ["delivered_at", "last_error", "refused"])
            _log_many(ExchangeEntry.Direction.OUT, batch.peer, logs)
            if refused:
                log.warning("federation: %s refused %s deliveries of batch %s", batch.peer.name, len(refused), batch.pk)
            if not pending:
                batch.delivered_at, batch.last_error = now, ""
                batch.save()
                return done
            text = _("%(count)s deliveries to try again.") % {"count": len(pending)}
        elif status is not None and 400 <= status < 500 and status not in RETRY_STATUSES:
            # The whole envelope refused (bad key, not addressed to the peer...): retrying sends the same
            # bytes and gets the same answer; logged, and the queue goes on.
            error = f"{status}: {text}"[:500]
            for entry in entries.values():
                entry.delivered_at, entry.refused, entry.last_error = now, True, error
            OutboxEntry.objects.bulk_update(list(entries.values()), ["delivered_at", "refused", "last_error"])
            batch.delivered_at, batch.last_error = now, error
            batch.save()
            _log_many(ExchangeEntry.Direction.OUT, batch.peer,
                      [(c, ExchangeEntry.Status.REFUSED, error) for c in controls])
            log.warning("federation: %s refused batch %s: %s", batch.peer.name, batch.pk, error)
            return len(controls)
        backoff = min(2 ** (batch.attempts - 1), getattr(settings, "FEDERATION_MAX_BACKOFF", MAX_BACKOFF))
        batch.next_attempt_at = now + timedelta(seconds=backoff)
        batch.last_error = f"{status or ''} {text}".strip()[:500]
        batch.save()
        OutboxEntry.objects.filter(batch=batch, delivered_at__isnull=True).update(
            attempts=batch.attempts, next_attempt_at=batch.next_attempt_at, last_error=batch.last_error)
        if batch.attempts == 1:
            _log_many(ExchangeEntry.Direction.OUT, batch.peer,
                      [(c, ExchangeEntry.Status.FAILED, batch.last_error) for c in controls
                       if _uuid(c) in entries and not entries[_uuid(c)].delivered_at])
    return None

