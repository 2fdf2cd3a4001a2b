"""Replication of shared records between sovereign nodes (issue 16).

Sending: a sharing action (``liaison.sharing.signals.sharing_changed``) or an edit of a record
already sent writes an ``OutboxEntry`` per peer concerned, in the action's transaction. ``push``
delivers each peer's entries in order: the record's state for that peer as a STIX 2.1 bundle
(``liaison.interop.stix``'s writer, ``liaison.interop.onward``'s rule of what may leave, the
recipients being the peer's agencies that see the record), sent as a TAXII 2.1 envelope to the
peer's inbox collection, signed with this node's Ed25519 key over the exact bytes. A control
object ``x-liaison-delivery`` in the envelope (signed with the rest) says which delivery, which
sequence, which owner and recipients, and whether the record is shared (``upsert``) or no
longer (``withdraw``: unshared, retracted, marked TLP:RED, deleted).

Receiving: ``receive`` checks the signature against the peer's key, refuses a record whose owner
agency the peer does not home, skips a delivery already applied (delivery id) or older than one
applied (sequence), imports through the STIX import (markings kept) as the owner agency, and
shares the copy with the recipients homed here; a withdrawal takes the copy away.

Only persons replicate so far (``REPLICATED``); the rest of the issue is listed in docs/federation.md.
"""
import json
import logging
import uuid
from datetime import timedelta

from django.conf import settings
from django.contrib.contenttypes.models import ContentType
from django.db import IntegrityError, transaction
from django.db.models import ProtectedError
from django.utils import timezone
from django.utils.translation import gettext as _

from liaison.federation import keys
from liaison.federation.models import AgencyHome, ExchangeEntry, Node, OutboxEntry, Replica, SentRecord

log = logging.getLogger("liaison.federation")

DELIVERY_TYPE = "x-liaison-delivery"
# A fixed TAXII collection id for every node's federation inbox.
INBOX_COLLECTION = "0b7f6a6e-5d0b-4c55-9a51-6f1f3f0d5e16"
TAXII_MEDIA_TYPE = "application/taxii+json;version=2.1"
MAX_BACKOFF = 300  # seconds between two attempts at most


class FederationError(Exception):
    """A delivery refused; ``status`` is the HTTP status to answer, the message says why."""

    def __init__(self, message, status=400):
        super().__init__(message)
        self.status = status


def _replicated():
    from liaison.registry.models import Person

    return (Person,)


def enabled():
    return bool(getattr(settings, "FEDERATION_NODE", ""))


def self_name():
    return settings.FEDERATION_NODE


def home_of(agency_id):
    """The node name homing ``agency_id`` (this node's when not configured)."""
    home = AgencyHome.objects.filter(agency_id=agency_id).select_related("node").first()
    return home.node.name if home else self_name()


def peers():
    return Node.objects.exclude(name=self_name())


def remote_agencies(peer):
    from liaison.sharing.models import Agency

    return list(Agency.objects.filter(federation_home__node=peer).order_by("short_name"))


# --------------------------------------------------------------------------- outbox


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
                                             delivered_at__isnull=True, attempts=0).first()
        entries.append(pending or OutboxEntry.objects.create(peer_id=peer_id, content_type=ct, object_id=record.pk))
    return entries


def build_body(entry):
    """The TAXII envelope (bytes) bringing ``entry``'s record up to date on its peer, and a summary."""
    from liaison.interop.onward import OnwardAudience, RecipientAgency
    from liaison.interop.stix import StixWriter, extension_definitions, load, timestamp

    model = entry.content_type.model_class()
    record = model.objects.filter(pk=entry.object_id).select_related("owner").first()
    stix_id = StixWriter(None).stix_id(model, entry.object_id)
    objects, recipients = [], []
    if record is not None and not record.is_retracted:
        recipients = _recipients_on(entry.peer, record)
        if recipients:
            audience = OnwardAudience(RecipientAgency(record.owner), recipients[0])
            # Every recipient reads the copy: a protected field leaves only if all of them may read it.
            audience.readers.extend(RecipientAgency(a) for a in recipients[1:])
            if audience.narrow(model.objects.filter(pk=record.pk)).exists():
                writer = StixWriter(audience)
                objects = [*extension_definitions(), *writer.objects(model, load(model, [record.pk]))]
            else:
                recipients = []  # the onward rule keeps it home (TLP:RED...): withdraw any copy
    if objects:
        action = ExchangeEntry.Action.UPSERT
    elif record is not None and record.is_retracted:
        action = ExchangeEntry.Action.RETRACT
    else:
        action = ExchangeEntry.Action.WITHDRAW
    now = timestamp(timezone.now())
    control = {
        "type": DELIVERY_TYPE, "spec_version": "2.1", "id": f"{DELIVERY_TYPE}--{entry.delivery_id}",
        "created": now, "modified": now, "sender": self_name(), "to": entry.peer.name,
        "sequence": entry.pk, "action": action, "record": stix_id,
        "owner": record.owner.short_name if record is not None else "",
        "recipients": [a.short_name for a in recipients],
    }
    if action == ExchangeEntry.Action.RETRACT:
        control["reason"] = record.retraction_reason
    envelope = {"more": False, "objects": [*objects, control]}
    body = json.dumps(envelope, ensure_ascii=False, separators=(",", ":"), sort_keys=True).encode()
    return body, control


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


def _uuid(control):
    try:
        return uuid.UUID(str(control.get("id", "")).split("--", 1)[-1])
    except ValueError:
        return uuid.UUID(int=0)


def inbox_url(peer):
    return peer.base_url.rstrip("/") + f"/taxii2/federation/collections/{INBOX_COLLECTION}/objects/"


def push(peer=None, *, session=None, ignore_backoff=False, limit=1000):
    """Deliver the due outbox entries of each peer (or of ``peer``), in order. A peer that does not
    answer stops its queue (the order matters: a retraction must not overtake the share it ends)
    and is tried again after an exponential back-off. Returns ``{peer name: delivered}``."""
    import requests

    session = session or requests.Session()
    now = timezone.now()
    result = {}
    for node in ([peer] if peer else peers()):
        delivered = 0
        for entry in OutboxEntry.objects.filter(peer=node, delivered_at__isnull=True).select_related("peer", "content_type").order_by("pk")[:limit]:
            if entry.next_attempt_at and entry.next_attempt_at > now and not ignore_backoff:
                break
            if not _send(entry, session):
                break
            delivered += 1
        result[node.name] = delivered
    return result


def _send(entry, session):
    import requests

    if not entry.body:
        # Frozen before the first attempt: a retry (the answer lost) sends these very bytes again.
        entry.body, _control = build_body(entry)
        entry.save(update_fields=["body"])
    body = bytes(entry.body)
    control = next(o for o in json.loads(body)["objects"] if o.get("type") == DELIVERY_TYPE)
    entry.attempts += 1
    signature = keys.sign(settings.FEDERATION_PRIVATE_KEY, body)
    try:
        response = session.post(inbox_url(entry.peer), data=body, timeout=getattr(settings, "FEDERATION_TIMEOUT", 10),
                                headers={"Content-Type": TAXII_MEDIA_TYPE, "Accept": TAXII_MEDIA_TYPE,
                                         "X-Liaison-Node": self_name(), "X-Liaison-Signature": signature})
        status, text = response.status_code, response.text[:300]
    except requests.RequestException as exc:
        status, text = None, str(exc)[:300]
    with transaction.atomic():
        if status is not None and status < 300:
            entry.delivered_at = timezone.now()
            entry.last_error = ""
            entry.save()
            _log(ExchangeEntry.Direction.OUT, entry.peer, control, ExchangeEntry.Status.DELIVERED)
            return True
        if status is not None and 400 <= status < 500 and status not in (408, 409, 425, 429):
            # Refused by the peer (bad key, agency not homed there...): retrying sends the same
            # bytes and gets the same answer; logged, and the queue goes on. (409: the peer must
            # fix something on its side first; retried, like a peer that is down.)
            entry.delivered_at, entry.refused, entry.last_error = timezone.now(), True, f"{status}: {text}"
            entry.save()
            _log(ExchangeEntry.Direction.OUT, entry.peer, control, ExchangeEntry.Status.REFUSED, entry.last_error)
            log.warning("federation: %s refused delivery %s: %s", entry.peer.name, entry.delivery_id, entry.last_error)
            return True
        backoff = min(2 ** (entry.attempts - 1), getattr(settings, "FEDERATION_MAX_BACKOFF", MAX_BACKOFF))
        entry.next_attempt_at = timezone.now() + timedelta(seconds=backoff)
        entry.last_error = f"{status or ''} {text}".strip()[:500]
        entry.save()
        if entry.attempts == 1:
            _log(ExchangeEntry.Direction.OUT, entry.peer, control, ExchangeEntry.Status.FAILED, entry.last_error)
    return False


# --------------------------------------------------------------------------- inbox


def _system_user(agency):
    """The account that imports a peer's records for their owner agency: it cannot sign in
    (inactive, no password, no role) and is named so that the audit trail says what it is."""
    from liaison.sharing.models import User

    user, created = User.objects.get_or_create(
        username=f"federation+{agency.short_name}"[:150],
        defaults={"agency": agency, "is_active": False, "roles": [], "first_name": "Federation"})
    if created:
        user.set_unusable_password()
        user.save(update_fields=["password"])
    elif user.agency_id != agency.pk or user.is_active or user.roles or user.has_usable_password():
        # Someone made an account of that name: importing as it would give its owner the records.
        raise FederationError(_("The account %(name)s exists and is not this node's federation account: "
                                "rename it, then ask the sender to try again.") % {"name": user.username}, status=409)
    return user


def receive(node_name, signature, body):
    """Apply one signed delivery from peer ``node_name``; returns its status, or raises FederationError."""
    peer = Node.objects.filter(name=node_name).exclude(name=self_name()).first() if node_name else None
    if peer is None or not keys.verify(peer.public_key, body, signature):
        log.warning("federation: refused a delivery claiming to come from %r: unknown node or bad signature", node_name)
        raise FederationError(_("Unknown node or bad signature."), status=401)
    try:
        envelope = json.loads(body)
        objects = list(envelope["objects"])
        control = next(o for o in objects if isinstance(o, dict) and o.get("type") == DELIVERY_TYPE)
    except (ValueError, KeyError, TypeError, StopIteration):
        raise FederationError(_("The body is no TAXII envelope with a delivery object.")) from None
    try:
        return _apply(peer, control, [o for o in objects if o is not control])
    except FederationError as exc:
        with transaction.atomic():
            _log(ExchangeEntry.Direction.IN, peer, control, ExchangeEntry.Status.REFUSED, str(exc))
        log.warning("federation: refused delivery %s from %s: %s", control.get("id"), peer.name, exc)
        raise


def _apply(peer, control, objects):
    from liaison.interop.stix import RECORD_EXTENSION
    from liaison.sharing.models import Agency

    if control.get("sender") != peer.name or control.get("to") != self_name():
        raise FederationError(_("The delivery is addressed from or to another node."), status=403)
    owner = Agency.objects.filter(short_name=control.get("owner") or "").first()
    action = control.get("action")
    # A withdrawal of a deleted record names no owner: the peer may withdraw what it sent (its replicas) only.
    withdrawing_own = (action != ExchangeEntry.Action.UPSERT and owner is None and not objects
                       and Replica.objects.filter(peer=peer, stix_id=str(control.get("record") or "")).exists())
    if not withdrawing_own and (owner is None or home_of(owner.pk) != peer.name):
        raise FederationError(_("The owner agency %(agency)s is not homed on node %(node)s.")
                              % {"agency": control.get("owner") or "?", "node": peer.name}, status=403)
    for obj in objects:
        ext = (obj.get("extensions") or {}).get(RECORD_EXTENSION) or {}
        if "owner" in ext and ext["owner"] != owner.short_name:
            raise FederationError(_("The bundle holds a record of %(agency)s, which node %(node)s does not home.")
                                  % {"agency": ext["owner"], "node": peer.name}, status=403)
    stix_id = str(control.get("record") or "")
    if not stix_id or (objects and not any(o.get("id") == stix_id for o in objects)):
        raise FederationError(_("The delivery does not name the record it carries."))
    sequence = int(control.get("sequence") or 0)
    delivery = _uuid(control)
    with transaction.atomic():
        if ExchangeEntry.objects.filter(direction=ExchangeEntry.Direction.IN, peer=peer, delivery_id=delivery,
                                        status=ExchangeEntry.Status.ACCEPTED).exists():
            return ExchangeEntry.Status.DUPLICATE
        replica = Replica.objects.select_for_update().filter(peer=peer, stix_id=stix_id).first()
        if replica is not None and replica.sequence >= sequence:
            _log(ExchangeEntry.Direction.IN, peer, control, ExchangeEntry.Status.STALE, owner=owner)
            return ExchangeEntry.Status.STALE
        here = [a for a in Agency.objects.filter(short_name__in=[n for n in control.get("recipients") or [] if isinstance(n, str)])
                if home_of(a.pk) == self_name()]
        if action == ExchangeEntry.Action.UPSERT:
            if not here:
                raise FederationError(_("No recipient of this record is homed on this node."), status=403)
            replica = _upsert(peer, owner, stix_id, objects, here, replica)
        elif action in (ExchangeEntry.Action.WITHDRAW, ExchangeEntry.Action.RETRACT):
            replica = _withdraw(replica, retracted=action == ExchangeEntry.Action.RETRACT, reason=control.get("reason") or "")
        else:
            raise FederationError(_("Unknown action."))
        if replica is not None:
            replica.sequence = sequence
            replica.save()
        else:
            Replica.objects.create(peer=peer, stix_id=stix_id, sequence=sequence,
                                   content_type=ContentType.objects.get_for_model(_replicated()[0]))
        try:
            with transaction.atomic():
                _log(ExchangeEntry.Direction.IN, peer, control, ExchangeEntry.Status.ACCEPTED, owner=owner)
        except IntegrityError:  # the same delivery applied at the same moment by another worker
            transaction.set_rollback(True)
            return ExchangeEntry.Status.DUPLICATE
    return ExchangeEntry.Status.ACCEPTED


def _upsert(peer, owner, stix_id, objects, here, replica):
    from liaison.interop.models import ExternalObject
    from liaison.interop.stix import StixImportError, import_bundle
    from liaison.sharing.models import Share
    from liaison.core.models import Distribution

    user = _system_user(owner)
    try:
        import_bundle(user, {"type": "bundle", "id": f"bundle--{uuid.uuid5(uuid.NAMESPACE_URL, 'liaison-node:' + peer.name)}",
                             "objects": objects}, name=_("Liaison node %(node)s") % {"node": peer.name})
    except StixImportError as exc:
        raise FederationError(_("The record could not be imported: %(errors)s") % {"errors": "; ".join(exc.errors)[:400]}) from None
    link = ExternalObject.objects.filter(agency=owner, external_id=stix_id).first()
    if link is None:
        # Not importable here (a protected identity none of the recipients may read): no copy.
        return _withdraw(replica, retracted=False, reason="")
    record = link.content_type.model_class().objects.get(pk=link.object_id)
    ext = next(((o.get("extensions") or {}) for o in objects if o.get("id") == stix_id), {})
    from liaison.interop.stix import RECORD_EXTENSION

    with_protected = bool(getattr(record, "protection", "")) and not ext.get(RECORD_EXTENSION, {}).get("protected")
    type(record).objects.filter(pk=record.pk).update(distribution=Distribution.SHARED, retracted_at=None, retraction_reason="")
    ct = link.content_type
    Share.objects.filter(content_type=ct, object_id=record.pk).exclude(agency__in=here).delete()
    for agency in here:
        Share.objects.update_or_create(content_type=ct, object_id=record.pk, agency=agency,
                                       defaults={"include_protected": with_protected, "created_by": user})
    if replica is None:
        replica = Replica(peer=peer, stix_id=stix_id, content_type=ct)
    replica.content_type, replica.object_id = ct, record.pk
    return replica


def _withdraw(replica, *, retracted, reason):
    """Take a peer's record away from this node's readers: a retraction marks the copy retracted
    (former readers get the retraction notice, as on its own node); an unshare deletes the copy."""
    from liaison.interop.models import ExternalObject
    from liaison.registry.models import Citation
    from liaison.sharing.models import Share

    if replica is None or replica.object_id is None:
        return replica
    model = replica.content_type.model_class()
    record = model.objects.filter(pk=replica.object_id).first()
    if record is None:
        replica.object_id = None
        return replica
    if retracted:
        model.objects.filter(pk=record.pk).update(retracted_at=timezone.now(), retraction_reason=(reason or "")[:500])
        return replica
    ct = replica.content_type
    Share.objects.filter(content_type=ct, object_id=record.pk).delete()
    try:
        with transaction.atomic():
            Citation.objects.filter(content_type=ct, object_id=record.pk).delete()
            ExternalObject.objects.filter(content_type=ct, object_id=record.pk).delete()
            record.delete()
        replica.object_id = None
    except ProtectedError:
        # Linked to by this node's own records: kept, but no reader here sees it any more.
        model.objects.filter(pk=record.pk).update(retracted_at=timezone.now(), retraction_reason=_("No longer shared."))
    return replica
