"""Requests, hit notices and inbox notices between agencies of different nodes (issue 16).

They travel the way records do: the step or notice is frozen as an ``OutgoingMessage`` in the
transaction where it happened (a receiver on ``post_save`` of the requests app's ``Step``,
``Notification`` and the matching app's ``HitNotice``: neither app imports federation), an
``OutboxEntry`` points at it, and ``push`` sends it in sequence order with the records, in the
signed envelope, retried until the peer answers. Its control object has the action ``message``.

The receiving node applies a message once (its delivery id, as for records) and only when the
agency it speaks for is homed on the sender (a peer speaks only for its own agencies) and the
agency it is for is homed here:

- a request's ``send`` creates the request here (``FederatedRequest`` ties the two rows: the same
  ``uid``), linked to the persons the addressee holds a copy of (shared to it, so replicated
  before, in sequence order) or owns; the others travelled as a reference only and are counted;
- a later step (acknowledge, start, fulfil, refuse, withdraw...) carries the version it was taken
  on: applied only if this node's copy is at that version and the life cycle allows it, else
  refused with a message saying why (logged, and the acting agency is told on its node);
- a comment is added to the thread (comments do not change the version: they never conflict);
- a watchlist hit of an agency homed on the peer reaches it with a link to its own record;
- any other notice for an agency homed on the peer lands in its inbox, marked with the node.
"""
import json
import logging
import uuid

from django.contrib.contenttypes.models import ContentType
from django.db import transaction
from django.db.models.signals import post_save
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.dateparse import parse_datetime
from django.utils.translation import gettext as _

from liaison.federation.models import ExchangeEntry, FederatedRequest, Node, OutboxEntry, OutgoingMessage, SentRecord
from liaison.federation.nodes import DELIVERY_TYPE, FederationError, applying_envelope, enabled, home_of, self_name

log = logging.getLogger("liaison.federation")

MESSAGE = ExchangeEntry.Action.MESSAGE
# The steps that travel (drafts and their edits stay with the requesting agency).
TRAVELLING_STEPS = ("send", "acknowledge", "start", "fulfil", "partly_fulfil", "refuse", "withdraw", "comment")
# Notices rebuilt on the other node from the message itself (not forwarded as they were written here).
NOT_FORWARDED = ("request", "watchlist_hit")
# 412: refused for good (not 409, which the sender would retry for ever).
STALE = 412


def is_message(entry):
    return entry.content_type.model_class() is OutgoingMessage


def _queue(peer_name, *, kind, speaker, addressee, record, payload):
    peer = Node.objects.filter(name=peer_name).first()
    if peer is None:
        return None
    message = OutgoingMessage.objects.create(kind=kind, speaker=speaker, addressee=addressee, record=record,
                                             payload=payload)
    OutboxEntry.objects.create(peer=peer, content_type=ContentType.objects.get_for_model(OutgoingMessage),
                               object_id=message.pk)
    return message


def control(entry, now):
    """The control object of ``entry`` (an outbox entry pointing at an ``OutgoingMessage``): the message
    travels inside it, so it names no other object of the envelope."""
    message = OutgoingMessage.objects.filter(pk=entry.object_id).first()
    if message is None:
        message = OutgoingMessage(kind="gone", record=f"message:{entry.object_id}")
    return {"type": DELIVERY_TYPE, "spec_version": "2.1", "id": f"{DELIVERY_TYPE}--{entry.delivery_id}",
            "created": now, "modified": now, "sender": self_name(), "to": entry.peer.name, "sequence": entry.pk,
            "action": MESSAGE, "record": message.record, "owner": message.speaker,
            "recipients": [message.addressee] if message.addressee else [], "object_refs": [],
            "message": {"kind": message.kind, **message.payload}}


# Sending -----------------------------------------------------------------------------------------

def _officer(user):
    return (user.get_full_name() or user.get_username()) if user is not None else ""


def _person_refs(request):
    """The persons of ``request`` as the STIX ids their owner's node gave them: the addressee's node
    links those it holds (a copy shared to it, or its own record); the others stay a reference."""
    from liaison.interop.models import ExternalObject
    from liaison.interop.stix import StixWriter
    from liaison.registry.models import Person

    writer, ct = StixWriter(None), ContentType.objects.get_for_model(Person)
    links = dict(ExternalObject.objects.filter(content_type=ct, object_id__in=request.persons.values("pk"))
                 .values_list("object_id", "external_id"))
    refs = []
    for pk, owner_id in request.persons.order_by("pk").values_list("pk", "owner_id"):
        if home_of(owner_id) == self_name():
            refs.append(writer.stix_id(Person, pk))
        elif pk in links:
            refs.append(links[pk])
    return refs


def _on_step(sender, instance, created=False, raw=False, **kwargs):
    if not created or raw or not enabled() or applying_envelope() or instance.action not in TRAVELLING_STEPS:
        return
    from liaison.requests.models import Request

    request = Request.objects.select_related("from_agency", "to_agency").get(pk=instance.request_id)
    if request.sent_at is None:
        return  # a draft (or a draft withdrawn): the other agency never knew of it
    actor = instance.actor_agency_id
    if actor not in (request.from_agency_id, request.to_agency_id):
        return
    other = request.to_agency if actor == request.from_agency_id else request.from_agency
    peer = home_of(other.pk)
    if peer == self_name() or home_of(actor) != self_name():
        return
    fed = FederatedRequest.objects.filter(request=request).first()
    if fed is None:
        if instance.action != "send":
            return  # sent before the agencies were homed apart: it stays on this node
        fed = FederatedRequest.objects.create(request=request, peer=Node.objects.get(name=peer))
    payload = {"request": str(fed.uid), "reference": request.reference, "step": instance.action,
               "version": request.version, "reason": instance.reason, "officer": _officer(instance.actor),
               "at": instance.at.isoformat()}
    if instance.action == "comment":
        comment = request.comments.filter(author_agency_id=actor).order_by("-pk").first()
        payload["text"] = comment.text if comment else ""
        payload["attachments"] = [a.name for a in comment.attachments.all()] if comment else []
    else:
        payload["base_version"] = request.version - 1
    if instance.action == "send":
        refs = _person_refs(request)
        payload["content"] = {
            "kind": request.kind, "title": request.title, "body": request.body, "fields": request.fields,
            "from": request.from_agency.short_name, "to": request.to_agency.short_name, "tlp": request.tlp,
            "include_protected": request.include_protected, "sent_at": request.sent_at.isoformat(),
            "due_at": request.due_at.isoformat() if request.due_at else "", "persons": refs,
            "withheld": request.person_links.count() - len(refs)}
    _queue(peer, kind="request_step", speaker=_agency_name(actor), addressee=other.short_name,
           record=f"request:{fed.uid}", payload=payload)


def _agency_name(agency_id):
    from liaison.sharing.models import Agency

    return Agency.objects.filter(pk=agency_id).values_list("short_name", flat=True).first() or ""


def _texts(make):
    from django.conf import settings

    texts = {}
    for code, _name in settings.LANGUAGES:
        with translation.override(code):
            texts[code] = [str(make()), ""]
    return texts


def _on_hit(sender, instance, created=False, raw=False, **kwargs):
    """A watchlist hit here concerning an agency homed on a peer: its side of the hit travels to it,
    naming its own record (the copy here is of its record) and the other agency and band, nothing else."""
    if not created or raw or not enabled() or applying_envelope():
        return
    from liaison.federation.models import Replica

    for own_id, agency_id, other_id in ((instance.matched_id, instance.matched_agency_id, instance.watched_agency_id),
                                        (instance.watched_id, instance.watched_agency_id, instance.matched_agency_id)):
        peer = home_of(agency_id)
        if peer == self_name() or home_of(other_id) != self_name():
            continue
        replica = Replica.objects.filter(peer__name=peer, object_id=own_id,
                                         content_type=ContentType.objects.get_for_model(type(instance.matched))).first()
        _queue(peer, kind="hit", speaker=_agency_name(other_id), addressee=_agency_name(agency_id),
               record=f"hit:{uuid.uuid4()}",
               payload={"texts": _texts(lambda a=agency_id: instance.message_for(a, prefix=True)),
                        "own_record": replica.stix_id if replica else ""})


def _on_notice(sender, instance, created=False, raw=False, **kwargs):
    if not created or raw or not enabled() or applying_envelope() or instance.kind in NOT_FORWARDED:
        return
    peer = home_of(instance.agency_id)
    if peer == self_name():
        return
    _queue(peer, kind="notice", speaker="", addressee=_agency_name(instance.agency_id),
           record=f"notice:{uuid.uuid4()}", payload={"notice_kind": instance.kind, "texts": instance.texts or {
               "en": [instance.title, instance.body]}})


def connect():
    from liaison.matching.models import HitNotice
    from liaison.requests.models import Notification, Step

    post_save.connect(_on_step, sender=Step, dispatch_uid="federation-request-step")
    post_save.connect(_on_hit, sender=HitNotice, dispatch_uid="federation-hit-notice")
    post_save.connect(_on_notice, sender=Notification, dispatch_uid="federation-notice")


def tell_refused(peer, refused):
    """The peer refused these messages (``[(control, detail)]``): tell the agency that took the step."""
    from liaison.requests.models import Request
    from liaison.requests.notifications import notify
    from liaison.sharing.models import Agency

    for control_, detail in refused:
        message = control_.get("message") or {}
        if control_.get("action") != MESSAGE or message.get("kind") != "request_step":
            continue
        fed = FederatedRequest.objects.filter(uid=message.get("request"), peer=peer).first()
        agency = Agency.objects.filter(short_name=control_.get("owner") or "").first()
        if fed is None or agency is None:
            continue
        request = Request.objects.get(pk=fed.request_id)
        why = str(detail).split(": ", 1)[-1]
        if why.startswith("{"):  # the peer refused the whole envelope: its TAXII error says why
            try:
                why = str(json.loads(why).get("title") or why)
            except ValueError:
                pass
        values = {"ref": request.reference, "node": peer.name, "step": message.get("step"), "why": why.rstrip(".")}
        notify(agency=agency, kind="request", url=reverse("requests:detail", args=[request.pk]),
               title=lambda values=values: _("%(ref)s: node %(node)s refused the step “%(step)s”") % values,
               body=lambda values=values: _("The other agency's node did not take it: %(why)s. The request may "
                                            "differ between the two nodes: call the other agency.") % values)


# Receiving ---------------------------------------------------------------------------------------

def apply(peer, control_):
    """Apply one message from ``peer`` (its signature, sender and addressee already checked)."""
    from liaison.federation.outbox import _log
    from liaison.sharing.models import Agency

    message = control_.get("message")
    if not isinstance(message, dict):
        raise FederationError(_("The message is missing."))
    speaker = None
    if control_.get("owner") or message.get("kind") != "notice":
        speaker = Agency.objects.filter(short_name=control_.get("owner") or "").first()
        if speaker is None or home_of(speaker.pk) != peer.name:
            raise FederationError(_("The agency %(agency)s is not homed on node %(node)s.")
                                  % {"agency": control_.get("owner") or "?", "node": peer.name}, status=403)
    addressee = Agency.objects.filter(short_name=next(iter(control_.get("recipients") or []), "")).first()
    if addressee is None or home_of(addressee.pk) != self_name():
        raise FederationError(_("The agency this message is for is not homed on this node."), status=403)
    if speaker is None and not _in_exchange_with(peer, addressee):
        # A plain notice speaks for no agency: only an agency that exchanged something with the node
        # (records either way, a request) may get one, not every inbox of this node.
        raise FederationError(_("The agency %(agency)s has exchanged nothing with node %(node)s: its notice is "
                                "refused.") % {"agency": addressee.short_name, "node": peer.name}, status=403)
    from liaison.federation.outbox import _uuid

    with transaction.atomic():
        if ExchangeEntry.objects.filter(direction=ExchangeEntry.Direction.IN, peer=peer, delivery_id=_uuid(control_),
                                        status=ExchangeEntry.Status.ACCEPTED).exists():
            return ExchangeEntry.Status.DUPLICATE
        kind = message.get("kind")
        if kind == "request_step":
            status = _apply_step(peer, message, speaker, addressee)
        elif kind == "hit":
            status = _apply_notice(peer, message, addressee, kind="watchlist_hit", record=message.get("own_record"))
        elif kind == "notice":
            status = _apply_notice(peer, message, addressee, kind=str(message.get("notice_kind") or "notice")[:30])
        else:
            raise FederationError(_("Unknown message."))
        _log(ExchangeEntry.Direction.IN, peer, control_, ExchangeEntry.Status.ACCEPTED if status is None else status,
             owner=speaker)
    return status or ExchangeEntry.Status.ACCEPTED


def _in_exchange_with(peer, agency):
    """Whether ``agency`` sent records to ``peer`` or received some from it (its records or copies in
    the exchange log, request steps and notices included)."""
    from django.db.models import Q

    return ExchangeEntry.objects.filter(peer=peer).filter(Q(owner=agency) | Q(recipients=agency)).exists()


def _own_persons(peer, stix_ids, owners):
    """{STIX id: pk} of this node's records (of ``owners``) it sent to ``peer`` under those ids.

    STIX ids are name-based UUIDs of this node's namespace and the record's id, which cannot be read
    backwards: the ids of the records sent to the peer are computed and compared (uuid5, ~1 µs each;
    once per message, only when it names a record not a copy)."""
    from liaison.interop.stix import StixWriter
    from liaison.registry.models import Person

    wanted = {i for i in stix_ids if i}
    if not wanted:
        return {}
    writer = StixWriter(None)
    sent = SentRecord.objects.filter(peer=peer, content_type=ContentType.objects.get_for_model(Person)).values("object_id")
    found = {}
    for pk in Person.objects.filter(pk__in=sent, owner__in=owners).values_list("pk", flat=True).iterator():
        stix_id = writer.stix_id(Person, pk)
        if stix_id in wanted:
            found[stix_id] = pk
            if len(found) == len(wanted):
                break
    return found


def _resolve_persons(peer, refs, to_agency):
    """The persons this node holds of ``refs``: the copies of the peer's records (shared to the
    addressee, so replicated before the request) and the addressee's own records."""
    from liaison.federation.models import Replica

    copies = dict(Replica.objects.filter(peer=peer, stix_id__in=refs, object_id__isnull=False)
                  .values_list("stix_id", "object_id"))
    own = _own_persons(peer, [r for r in refs if r not in copies], [to_agency])
    return [pk for pk in (copies.get(r) or own.get(r) for r in refs) if pk is not None]


def _apply_step(peer, message, speaker, addressee):
    from liaison.federation.inbox import _system_user
    from liaison.requests import lifecycle as L
    from liaison.requests import services as requests
    from liaison.requests import webhooks
    from liaison.requests.models import Comment, Request

    step = message.get("step")
    uid = message.get("request")
    try:
        uid = uuid.UUID(str(uid))
    except ValueError:
        raise FederationError(_("The message names no request.")) from None
    user = _system_user(speaker)
    fed = FederatedRequest.objects.filter(peer=peer, uid=uid).first()
    if step == "send":
        if fed is not None:
            return ExchangeEntry.Status.DUPLICATE
        return _create_copy(peer, message, speaker, addressee, uid, user)
    if fed is None:
        raise FederationError(_("This node holds no such request."), status=404)
    if not fed.peer_reference and message.get("reference"):
        fed.peer_reference = str(message["reference"])[:20]
        fed.save(update_fields=["peer_reference"])
    request = Request.objects.select_for_update().select_related("from_agency", "to_agency").get(pk=fed.request_id)
    side = L.side_of(speaker.pk, request.from_agency_id, request.to_agency_id)
    if side is None or L.side_of(addressee.pk, request.from_agency_id, request.to_agency_id) is None:
        raise FederationError(_("The agency %(agency)s is not a party to this request.")
                              % {"agency": speaker.short_name}, status=403)
    officer = str(message.get("officer") or "")[:150]
    reason = str(message.get("reason") or "")
    if step == "comment":
        text = str(message.get("text") or "")
        names = [str(n) for n in message.get("attachments") or []]
        if names:
            text += "\n\n" + _("Attached on node %(node)s (not sent across): %(files)s") % {
                "node": peer.name, "files": ", ".join(names)}
        Comment.objects.create(request=request, author=user, author_agency=speaker, text=text)
        Request.objects.filter(pk=request.pk).update(updated_at=timezone.now())
        requests._step(user, request, "comment", request.status, request.status, node=peer.name, officer=officer)
        requests._tell(request, addressee, lambda: _("%(ref)s: new comment from %(agency)s")
                       % {"ref": request.reference, "agency": speaker.short_name}, text[:500])
        webhooks.enqueue(request, "request.comment")
        return None
    base = message.get("base_version")
    if base != request.version:
        raise FederationError(_("The step “%(step)s” of %(agency)s on request %(ref)s was taken on version %(base)s; "
                                "this node holds version %(version)s (changed in the meantime). It was not applied.")
                              % {"step": step, "agency": speaker.short_name, "ref": message.get("reference") or "?",
                                 "base": base, "version": request.version}, status=STALE)
    try:
        target = L.check(step, request.status, side, [L.LIAISON_OFFICER], reason)
    except L.LifecycleError as exc:
        raise FederationError(exc.render(_), status=STALE) from None
    now = parse_datetime(str(message.get("at") or "")) or timezone.now()
    changes = {"status": target, "status_reason": reason}
    if step == "acknowledge":
        changes["acknowledged_at"] = now
    if target in L.CLOSED:
        changes["closed_at"] = now
    from_status = request.status
    requests._bump(request, base, **changes)
    requests._step(user, request, step, from_status, target, reason, node=peer.name, officer=officer)
    requests._tell(request, addressee, lambda: _("%(ref)s %(kind)s: %(status)s by %(agency)s") % {
        "ref": request.reference, "kind": request.get_kind_display(),
        "status": str(request.get_status_display()).lower(), "agency": speaker.short_name}, reason)
    webhooks.enqueue(request, f"request.{step}")
    return None


def _create_copy(peer, message, speaker, addressee, uid, user):
    from liaison.requests import kinds
    from liaison.requests import services as requests
    from liaison.requests import webhooks
    from liaison.requests.models import Request, RequestPerson, Status

    content = message.get("content") or {}
    if content.get("from") != speaker.short_name or content.get("to") != addressee.short_name:
        raise FederationError(_("The request is not from %(agency)s to an agency of this node.")
                              % {"agency": speaker.short_name}, status=403)
    if content.get("kind") not in kinds.KINDS:
        raise FederationError(_("Unknown type of request."))
    refs = [r for r in content.get("persons") or [] if isinstance(r, str)]
    persons = _resolve_persons(peer, refs, addressee)
    request = Request.objects.create(
        kind=content["kind"], title=str(content.get("title") or "")[:300] or "?", body=str(content.get("body") or ""),
        fields=content.get("fields") if isinstance(content.get("fields"), dict) else {},
        from_agency=speaker, to_agency=addressee, status=Status.SENT, tlp=content.get("tlp") or "amber",
        include_protected=bool(content.get("include_protected")), created_by=user,
        sent_at=parse_datetime(str(content.get("sent_at") or "")) or timezone.now(),
        due_at=parse_datetime(str(content.get("due_at") or "")), version=int(message.get("version") or 1))
    RequestPerson.objects.bulk_create([RequestPerson(request=request, person_id=pk) for pk in persons])
    FederatedRequest.objects.create(request=request, uid=uid, peer=peer,
                                    peer_reference=str(message.get("reference") or "")[:20],
                                    withheld_persons=int(content.get("withheld") or 0) + len(refs) - len(persons))
    requests._step(user, request, "send", Status.DRAFT, Status.SENT, "", node=peer.name,
                   officer=str(message.get("officer") or "")[:150], persons=len(persons),
                   peer_reference=str(message.get("reference") or ""))
    requests._tell(request, addressee, lambda: _("%(ref)s %(kind)s: %(status)s by %(agency)s") % {
        "ref": request.reference, "kind": request.get_kind_display(),
        "status": str(request.get_status_display()).lower(), "agency": speaker.short_name})
    webhooks.enqueue(request, "request.send")
    return None


def _apply_notice(peer, message, addressee, *, kind, record=None):
    from django.conf import settings

    from liaison.requests.notifications import notify

    texts = message.get("texts") if isinstance(message.get("texts"), dict) else {}
    fallback = texts.get(settings.LANGUAGE_CODE) or next(iter(texts.values()), ["", ""])
    url = ""
    if record:
        pk = _own_persons(peer, [record], [addressee]).get(record)
        if pk is not None:
            url = reverse("web:detail", kwargs={"slug": "persons", "pk": pk})

    def text(i):
        found = texts.get(translation.get_language() or "", fallback)
        value = str((found or fallback)[i] if len(found or ()) > i else "")[:300 if i == 0 else 5000]
        if i == 0 and kind != "watchlist_hit":
            return _("[node %(node)s] %(title)s") % {"node": peer.name, "title": value}
        return value

    notify(agency=addressee, title=lambda: text(0), body=lambda: text(1), url=url, kind=kind)
    return None
