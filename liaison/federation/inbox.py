"""Receiving: ``receive_envelope`` checks the signature against the peer's key, applies the
deliveries in sequence order in one transaction (a savepoint each), refuses a record whose owner
agency the peer does not home, skips a delivery already applied (delivery id) or older than one
applied (sequence), imports through the STIX import (markings kept) as the owner agency, and
shares the copy with the recipients homed here; a withdrawal takes the copy away."""
import json
import logging
import uuid

from django.contrib.contenttypes.models import ContentType
from django.db import IntegrityError, transaction
from django.db.models import ProtectedError
from django.utils import timezone
from django.utils.translation import gettext as _

from liaison.federation.models import AgencyHome, ExchangeEntry, Replica
from liaison.federation.nodes import (
    DELIVERY_TYPE, FederationError, _envelope, _replicated, home_of, self_name, verified_peer,
)
from liaison.federation.outbox import _log, _uuid

log = logging.getLogger("liaison.federation")



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
    """Apply a signed envelope of one delivery from peer ``node_name``; returns its status, or raises
    FederationError (``receive_envelope`` is the general case)."""
    results = receive_envelope(node_name, signature, body)
    if len(results) != 1:
        raise FederationError(_("The envelope holds more than one delivery."))
    _control, status, error = results[0]
    if error is not None:
        raise error
    return status


def receive_envelope(node_name, signature, body):
    """Apply a signed envelope of deliveries from peer ``node_name``, in sequence order; returns
    ``[(control, status, FederationError or None)]``, or raises FederationError for the whole envelope
    (bad signature, not an envelope).

    One transaction for the envelope, a savepoint per delivery: a delivery the rules refuse (a
    record of an agency the peer does not home...) is rolled back alone and logged as refused, the
    others are applied; any other error rolls the whole envelope back and the peer sends it again
    (idempotent: what was applied is skipped by its delivery id). One commit per envelope, and the
    persons it brings are matched once, together, after it commits (``liaison.matching``'s
    scheduling runs once per transaction), not one by one."""
    peer = verified_peer(node_name, signature, body, "a delivery")
    try:
        envelope = json.loads(body)
        objects = [o for o in envelope["objects"] if isinstance(o, dict)]
        controls = [o for o in objects if o.get("type") == DELIVERY_TYPE]
        by_id = {o.get("id"): o for o in objects if o.get("type") != DELIVERY_TYPE}
        controls.sort(key=lambda c: int(c.get("sequence") or 0))
    except (ValueError, KeyError, TypeError):
        controls = []
    if not controls:
        raise FederationError(_("The body is no TAXII envelope with a delivery object.")) from None
    results = []
    # The homes cannot change under the envelope: read once, not for each delivery and each imported row.
    _envelope.homes = dict(AgencyHome.objects.values_list("agency_id", "node__name"))
    try:
        with transaction.atomic():
            _apply_all(peer, controls, by_id, results)
    finally:
        _envelope.homes = None
    return results


def _apply_all(peer, controls, by_id, results):
    from liaison.federation import bulk

    # New copies of persons (most of a first replication or a catch-up) are checked one by one and
    # written together; the rest, and any delivery the bulk path doubts, is applied one by one here.
    written = bulk.apply_new_persons(peer, controls, by_id)
    for control in controls:
        if id(control) in written:
            results.append((control, written[id(control)], None))
            continue
        try:
            if "object_refs" in control:
                refs = control["object_refs"] if isinstance(control["object_refs"], list) else [None]
                if any(not isinstance(ref, str) or ref not in by_id for ref in refs):
                    raise FederationError(_("The delivery names objects the envelope does not hold."))
                own = [by_id[ref] for ref in refs]
            else:  # an envelope of one delivery, as sent before batches
                own = list(by_id.values())
            results.append((control, _apply(peer, control, own), None))
        except FederationError as exc:
            _log(ExchangeEntry.Direction.IN, peer, control, ExchangeEntry.Status.REFUSED, str(exc))
            log.warning("federation: refused delivery %s from %s: %s", control.get("id"), peer.name, exc)
            results.append((control, None, exc))


def _apply(peer, control, objects):
    from liaison.interop.stix import RECORD_EXTENSION
    from liaison.sharing.models import Agency

    if control.get("sender") != peer.name or control.get("to") != self_name():
        raise FederationError(_("The delivery is addressed from or to another node."), status=403)
    if control.get("action") == ExchangeEntry.Action.MESSAGE:  # a request step or a notice, not a record
        from liaison.federation import messages

        return messages.apply(peer, control)
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
            replica = _upsert(peer, owner, stix_id, objects, here, replica, identity_to=control.get("identity_to"))
        elif action in (ExchangeEntry.Action.WITHDRAW, ExchangeEntry.Action.RETRACT):
            replica = _withdraw(replica, retracted=action == ExchangeEntry.Action.RETRACT, reason=control.get("reason") or "")
        else:
            raise FederationError(_("Unknown action."))
        if replica is not None:
            replica.sequence = sequence
            replica.save()
        else:
            Replica.objects.create(peer=peer, stix_id=stix_id, sequence=sequence,
                                   content_type=ContentType.objects.get_for_model(_model_of(control)))
        try:
            with transaction.atomic():
                _log(ExchangeEntry.Direction.IN, peer, control, ExchangeEntry.Status.ACCEPTED, owner=owner)
        except IntegrityError:  # the same delivery applied at the same moment by another worker
            transaction.set_rollback(True)
            return ExchangeEntry.Status.DUPLICATE
    return ExchangeEntry.Status.ACCEPTED


def _model_of(control):
    """The kind of record a delivery is about (a person when it does not say: sent before other kinds)."""
    by_label = {m._meta.label_lower: m for m in _replicated()}
    return by_label.get(control.get("model"), _replicated()[0])


def _upsert(peer, owner, stix_id, objects, here, replica, identity_to=None):
    """Import the objects of a delivery as ``owner`` and share the copy with the recipients homed
    here; a protected identity sent is granted to those named in ``identity_to`` only (all of them
    when the sender does not say: it sent the identity only if all may read it)."""
    from liaison.interop.models import ExternalObject
    from liaison.interop.stix import StixImportError, import_bundle
    from liaison.sharing.models import Share
    from liaison.core.models import Distribution

    if identity_to is not None:
        identity_to = {n for n in identity_to if isinstance(n, str)} if isinstance(identity_to, list) else set()
    user = _system_user(owner)
    # The same "modified" may carry other content: a marking changed (written without touching the
    # record's time), or a protected identity granted or taken back. The delivery is the record's
    # state for this node: always written.
    ExternalObject.objects.filter(agency=owner, external_id__in=[o.get("id") for o in objects]).update(version="")
    try:
        import_bundle(user, {"type": "bundle", "id": f"bundle--{uuid.uuid5(uuid.NAMESPACE_URL, 'liaison-node:' + peer.name)}",
                             "objects": objects}, name=_("Liaison node %(node)s") % {"node": peer.name},
                      withheld_identities=True)
    except StixImportError as exc:
        raise FederationError(_("The record could not be imported: %(errors)s") % {"errors": "; ".join(exc.errors)[:400]}) from None
    link = ExternalObject.objects.filter(agency=owner, external_id=stix_id).first()
    if link is None:
        # Not importable here (a link or event naming a record this node does not hold): no copy.
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
                                       defaults={"include_protected": with_protected and (
                                           identity_to is None or agency.short_name in identity_to),
                                           "created_by": user})
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

