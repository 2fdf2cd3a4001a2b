"""Every write on a request: create, change a draft, take a step, comment, attach.

Each runs in one transaction and writes one audit entry (action REQUEST), so a
step and its trace commit or fail together. Every change of a request goes
through ``_bump``: a conditional UPDATE on ``version``, so that of two officers
editing the same request the second is told, not silently overwritten.
"""

import datetime as dt
import hashlib
import secrets

from django.core.files.base import ContentFile
from django.db import transaction
from django.db.models import F
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from liaison.audit import log as audit
from liaison.audit.models import AuditEntry
from liaison.core.models import TLP, Distribution
from liaison.operations.models import Event, Figure, Operation, Participant
from liaison.partialdate import PartialDate, PartialDateError
from liaison.registry.models import Person, PersonStatus
from liaison.requests import egress, filecheck, kinds, lifecycle, webhooks
from liaison.requests.models import (
    Attachment,
    Comment,
    Notification,
    Request,
    RequestPerson,
    Status,
    StatusProposal,
    Step,
)
from liaison.requests.notifications import mark_read, notify
from liaison.sharing import services as sharing
from liaison.sharing.models import Agency

L = lifecycle


class RequestError(Exception):
    """A write that cannot be done; ``status`` is the HTTP answer, ``errors``
    the messages per field when the input was at fault."""

    status = 400

    def __init__(self, message, errors=None):
        super().__init__(message)
        self.errors = errors or {}


class BadInput(RequestError):
    status = 400


class Forbidden(RequestError):
    status = 403


class Conflict(RequestError):
    status = 409


def _translated(exc):
    return exc.render(_) if isinstance(exc, L.LifecycleError) else str(exc)


def _field_errors(exc):
    errors = exc.rendered(_)
    return BadInput(
        _("Please correct the problems marked below.") if len(errors) > 1 else next(iter(errors.values())), errors
    )


def _require_writer(user):
    if not (getattr(user, "agency_id", None) and user.is_active and L.WRITE_ROLES.intersection(user.roles or ())):
        raise Forbidden(
            _(
                "Your account cannot write requests. Ask your agency administrator for the analyst or "
                "liaison officer role."
            )
        )


def _visible_persons(user, persons):
    ids = {getattr(p, "pk", p) for p in persons}
    found = list(Person.objects.visible_to(user).filter(pk__in=ids))
    if len(found) != len(ids):
        raise BadInput(
            _("One of the persons chosen does not exist or is not visible to you."),
            {"persons": _("Choose persons from the registry that you can see.")},
        )
    return found


def _clean(kind, fields, n_persons, partial=True):
    try:
        return kinds.validate(kind, fields or {}, persons=n_persons, partial=partial)
    except kinds.FieldErrors as exc:
        raise _field_errors(exc) from None


def _step(user, request, action, from_status="", to_status="", reason="", **detail):
    # Whoever acts on a request has read what they were told about it: its
    # notices leave their unread count (theirs only; colleagues keep theirs).
    mark_read(user, Notification.for_user(user).filter(url=_url(request)))
    Step.objects.create(
        request=request,
        action=action,
        from_status=from_status,
        to_status=to_status,
        reason=reason,
        actor=user if getattr(user, "pk", None) else None,
        actor_agency_id=getattr(user, "agency_id", None),
    )
    audit.record(
        AuditEntry.Action.REQUEST,
        user,
        request,
        owner_agency=request.from_agency,
        step=action,
        reference=request.reference,
        kind=request.kind,
        to_agency=request.to_agency.short_name,
        from_status=from_status,
        to_status=to_status,
        reason=reason,
        **detail,
    )


def _bump(request, version, **changes):
    """Write ``changes`` only if nobody changed the request since ``version``."""
    try:
        version = int(version)
    except (TypeError, ValueError):
        raise BadInput(_("The form is missing its version number: reload the page and try again.")) from None
    changes["updated_at"] = timezone.now()
    updated = Request.objects.filter(pk=request.pk, version=version).update(version=F("version") + 1, **changes)
    if not updated:
        raise Conflict(
            _(
                "Someone else changed this request while you were working on it. Reload the page to see "
                "their change, then make yours again."
            )
        )
    for name, value in changes.items():
        setattr(request, name, value)
    request.version = version + 1


def _url(request):
    return reverse("requests:detail", args=[request.pk])


def _tell(request, to_agency, title, body=""):
    notify(agency=to_agency, title=title, body=body, url=_url(request), kind="request")


@transaction.atomic
def create_request(
    user,
    *,
    kind,
    to_agency,
    title,
    body="",
    persons=(),
    fields=None,
    tlp=TLP.AMBER,
    include_protected=False,
    operation=None,
):
    """A new DRAFT from ``user``'s agency to ``to_agency``; nothing is shared or
    sent yet. Fields are checked as far as they are given (see kinds.validate)."""
    _require_writer(user)
    try:
        kinds.get(kind)
    except kinds.FieldErrors as exc:
        raise _field_errors(exc) from None
    if not isinstance(to_agency, Agency):
        to_agency = Agency.objects.filter(pk=to_agency).first()
    if to_agency is None:
        raise BadInput(_("Choose the agency you are asking."), {"to_agency": _("Choose the agency you are asking.")})
    if to_agency.pk == user.agency_id:
        raise BadInput(
            _("A request goes to another agency, not to your own."),
            {"to_agency": _("A request goes to another agency, not to your own.")},
        )
    title = (title or "").strip()
    if not title:
        raise BadInput(_("Give the request a short title."), {"title": _("Give the request a short title.")})
    if tlp not in TLP.values:
        raise BadInput(_("Choose a TLP marking."), {"tlp": _("Choose a TLP marking.")})
    found = _visible_persons(user, persons)
    clean = _clean(kind, fields, len(found))
    if (
        operation is not None
        and not Operation.objects.visible_to(user).filter(pk=getattr(operation, "pk", operation)).exists()
    ):
        raise BadInput(_("No such operation."), {"operation": _("Choose an operation you can see.")})
    request = Request.objects.create(
        kind=kind,
        title=title[:300],
        body=body or "",
        fields=clean,
        from_agency_id=user.agency_id,
        to_agency=to_agency,
        tlp=tlp,
        include_protected=bool(include_protected),
        created_by=user,
        operation_id=getattr(operation, "pk", operation),
    )
    RequestPerson.objects.bulk_create([RequestPerson(request=request, person=p) for p in found])
    _step(user, request, "create", "", Status.DRAFT, persons=len(found))
    return request


@transaction.atomic
def update_request(
    user,
    request,
    *,
    version,
    title=None,
    body=None,
    persons=None,
    fields=None,
    tlp=None,
    include_protected=None,
    to_agency=None,
):
    """Change a draft (the requesting agency's writers only)."""
    _require_writer(user)
    if not L.may_edit(request.status, request.side_for(user), user.roles):
        raise Conflict(_("Only a draft can be changed, by the requesting agency. Add a comment instead."))
    changes = {}
    if title is not None:
        if not title.strip():
            raise BadInput(_("Give the request a short title."), {"title": _("Give the request a short title.")})
        changes["title"] = title.strip()[:300]
    if body is not None:
        changes["body"] = body
    if tlp is not None:
        if tlp not in TLP.values:
            raise BadInput(_("Choose a TLP marking."), {"tlp": _("Choose a TLP marking.")})
        changes["tlp"] = tlp
    if include_protected is not None:
        changes["include_protected"] = bool(include_protected)
    if to_agency is not None:
        to_id = getattr(to_agency, "pk", to_agency)
        if to_id == user.agency_id or not Agency.objects.filter(pk=to_id).exists():
            raise BadInput(
                _("A request goes to another agency, not to your own."),
                {"to_agency": _("A request goes to another agency, not to your own.")},
            )
        changes["to_agency_id"] = to_id
    found = _visible_persons(user, persons) if persons is not None else None
    n = len(found) if found is not None else request.person_links.count()
    if fields is not None:
        changes["fields"] = _clean(request.kind, fields, n)
    _bump(request, version, **changes)
    if found is not None:
        RequestPerson.objects.filter(request=request).exclude(person__in=found).delete()
        have = set(RequestPerson.objects.filter(request=request).values_list("person_id", flat=True))
        RequestPerson.objects.bulk_create([RequestPerson(request=request, person=p) for p in found if p.pk not in have])
    _step(user, request, "edit", request.status, request.status, changed=sorted(changes))
    return request


def _share_persons(user, request):
    """Sending shares each linked person with the requested agency, with
    protected identities only when the sender chose so. Persons the requested
    agency owns need nothing; a rule of sharing that forbids it stops the send."""
    shared = 0
    for person in request.persons.all():
        if person.owner_id == request.to_agency_id:
            continue
        try:
            made = sharing.share(
                user,
                person,
                agencies=[request.to_agency],
                include_protected=request.include_protected and person.owner_id == user.agency_id,
            )
        except sharing.SharingError as exc:
            raise BadInput(
                _("%(person)s cannot be shared with %(agency)s: %(why)s")
                % {
                    "person": person if not person.protection else _("A protected person"),
                    "agency": request.to_agency.short_name,
                    "why": exc,
                }
            ) from None
        except PermissionError as exc:
            raise Forbidden(str(exc)) from None
        shared += len(made)
    return shared


def _event_date(value):
    value = (value or "").strip() or timezone.localdate().isoformat()
    try:
        value = PartialDate.parse(value).isoformat()
    except PartialDateError:
        raise BadInput(
            _("The date must be written year-month-day, e.g. 2024-11-18."),
            {"date": _("The date must be written year-month-day, e.g. 2024-11-18.")},
        ) from None
    return value


def _record_fulfilment(user, request, fulfilment):
    """For handovers and repatriations: the event in the registry (figures,
    persons, place, date), owned by the requested agency, which did it and
    vouches for it, and shared with the requester; and each person's new status.

    Persons are those the fulfilling agency can see (sending shared them);
    ``fulfilment["persons"]`` narrows them for a partial fulfilment.

    Only the owner agency writes on its records (issue 10, item 7): the new
    status is written on the fulfilling agency's own persons only; for every
    other person (the requester's or a third agency's) it is filed as a
    ``StatusProposal`` for the owner to accept or decline. Returns the event
    and the outcome: persons counted, statuses written, proposals per owner.
    """
    spec = request.kind_spec
    fulfilment = fulfilment or {}
    persons = list(
        Person.objects.visible_to(user)
        .filter(pk__in=request.person_links.values("person_id"))
        .select_related("owner")
        .order_by("pk")
    )
    chosen = fulfilment.get("persons")
    if chosen is not None:  # None: all of them; an empty choice is a mistake, said below
        chosen = {int(getattr(p, "pk", p)) for p in chosen}
        persons = [p for p in persons if p.pk in chosen]
    if not persons:
        raise BadInput(
            _("Choose at least one person who was handed over or repatriated."),
            {"persons": _("Choose at least one person.")},
        )
    date = _event_date(fulfilment.get("date"))
    fields = request.fields or {}
    place = (fulfilment.get("place") or fields.get("place") or fields.get("border_crossing") or "").strip()[:200]
    giver, receiver = request.to_agency, request.from_agency
    is_handover = spec.effect == "handover"
    event = Event(
        owner=giver,
        distribution=Distribution.SHARED,
        tlp=request.tlp,
        kind=Event.Kind.HANDOVER if is_handover else Event.Kind.REPATRIATION,
        title=(
            _("%(n)s suspects handed over to %(country)s")
            if is_handover
            else _("%(n)s persons repatriated to %(country)s")
        )
        % {"n": len(persons), "country": receiver.country or receiver},
        date=date,
        place=place,
        from_country=giver.country,
        to_country=receiver.country,
        operation=request.operation,
        description=_("Recorded when %(agency)s fulfilled request %(ref)s.")
        % {"agency": giver.short_name, "ref": request.reference},
        created_by=user,
    )
    event.save()
    event.countries.set([c for c in (giver.country, receiver.country) if c])
    event.agencies.set([giver, receiver])
    Figure.objects.create(
        event=event,
        category=Figure.Category.SUSPECTS if is_handover else Figure.Category.VICTIMS,
        value=len(persons),
        note=request.reference,
    )
    Participant.objects.bulk_create([Participant(event=event, person=p, role=spec.person_role) for p in persons])
    status = PersonStatus.Status.IN_CUSTODY if is_handover else PersonStatus.Status.REPATRIATED
    own = [p for p in persons if p.owner_id == user.agency_id]
    others = [p for p in persons if p.owner_id != user.agency_id]
    for person in own:  # one by one: each status keeps its history row
        PersonStatus.objects.create(
            person=person,
            status=status,
            date=date,
            country=receiver.country,
            event=event,
            note=_("Request %(ref)s") % {"ref": request.reference},
        )
    StatusProposal.objects.bulk_create(
        [
            StatusProposal(
                request=request,
                person=person,
                owner_id=person.owner_id,
                proposed_by_id=user.agency_id,
                proposed_by_user=user,
                status=status,
                date=date,
                country=receiver.country,
                event=event,
            )
            for person in others
        ]
    )
    by_owner = {}
    for person in others:
        by_owner.setdefault(person.owner, []).append(person)
    for owner, group in by_owner.items():
        # In the owner's own audit trail: what was proposed on its records, by
        # whom; nothing of the request, which an owner outside it may not see.
        audit.record(
            AuditEntry.Action.STATUS_PROPOSAL,
            user,
            None,
            owner_agency=owner,
            decision="proposed",
            persons=[p.pk for p in group],
            status=status,
            date=date,
            country=receiver.country_id or "",
            proposed_by=user.agency.short_name,
        )
    sharing.share(user, event, agencies=[receiver])
    return event, {
        "persons": len(persons),
        "applied": len(own),
        "proposed": {owner.short_name: len(group) for owner, group in by_owner.items()},
        "_owners": by_owner,
    }


def _tell_owners(user, request, by_owner):
    """Each owner agency is told that statuses wait for its decision. The
    requester is sent to the request's page; any other owner, which may not see
    the request, to its list of proposals, and told nothing of the request."""
    for owner, persons in by_owner.items():
        n = len(persons)
        if owner.pk == request.from_agency_id:
            notify(
                agency=owner,
                title=lambda n=n: ngettext(
                    "%(ref)s: %(agency)s proposes a new status for %(n)s of your records",
                    "%(ref)s: %(agency)s proposes a new status for %(n)s of your records",
                    n,
                )
                % {"ref": request.reference, "agency": user.agency.short_name, "n": n},
                body=lambda: _("Accept or decline it on the request's page: only your agency can change its records."),
                url=_url(request),
                kind="status_proposal",
            )
        else:
            notify(
                agency=owner,
                title=lambda n=n: ngettext(
                    "%(agency)s proposes a new status for %(n)s of your records",
                    "%(agency)s proposes a new status for %(n)s of your records",
                    n,
                )
                % {"agency": user.agency.short_name, "n": n},
                body=lambda: _("Accept or decline it: only your agency can change its records."),
                url=reverse("requests:proposals"),
                kind="status_proposal",
            )


@transaction.atomic
def transition(user, request, action, *, version, reason="", fulfilment=None):
    """Take one step of the life cycle; refuses illegal steps (409), the wrong
    side or role (403), a missing reason (400) or a stale version (409)."""
    reason = (reason or "").strip()
    try:
        target = L.check(action, request.status, request.side_for(user), user.roles if user.is_active else (), reason)
    except L.LifecycleError as exc:
        cls = {409: Conflict, 403: Forbidden}.get(exc.status, BadInput)
        raise cls(_translated(exc), {"reason": _translated(exc)} if exc.status == 400 else None) from None
    now = timezone.now()
    from_status = request.status
    changes = {"status": target, "status_reason": reason}
    if action == "send":
        clean = _clean(request.kind, request.fields, request.person_links.count(), partial=False)
        changes.update(fields=clean, sent_at=now, due_at=now + dt.timedelta(days=request.kind_spec.days))
    elif action == "acknowledge":
        changes["acknowledged_at"] = now
    if target in L.CLOSED:
        changes["closed_at"] = now
    _bump(request, version, **changes)
    detail = {}
    if action == "send":
        detail["shared"] = _share_persons(user, request)
    outcome = None
    if action in ("fulfil", "partly_fulfil") and request.kind_spec.effect:
        event, outcome = _record_fulfilment(user, request, fulfilment)
        Request.objects.filter(pk=request.pk).update(event=event)
        request.event = event
        detail.update(
            event=event.pk, persons=outcome["persons"], applied=outcome["applied"], proposed=outcome["proposed"]
        )
    # What the step did beyond the status, for the page that reports it.
    request.outcome = {k: v for k, v in (outcome or {}).items() if not k.startswith("_")}
    _step(user, request, action, from_status, target, reason, **detail)
    if not L.tells_other_side(action, from_status):
        # A draft withdrawn before it was sent is discarded quietly: the other
        # agency never knew of it and must not learn of it now.
        return request
    other = request.to_agency if request.side_for(user) == L.REQUESTER else request.from_agency
    def title():
        return _("%(ref)s %(kind)s: %(status)s by %(agency)s") % {
            "ref": request.reference,
            "kind": request.get_kind_display(),
            "status": str(request.get_status_display()).lower(),
            "agency": user.agency.short_name,
        }

    _tell(request, other, title, reason)
    if outcome and outcome["_owners"]:
        _tell_owners(user, request, outcome["_owners"])
    webhooks.enqueue(request, f"request.{action}")
    return request


@transaction.atomic
def decide_proposals(user, proposals, accept):
    """The owner agency accepts (``accept=True``) or declines the proposed
    statuses ``proposals`` (ids or objects) in one step; returns those decided.

    Accepting writes each status on the owner's record, now by the owner: the
    event is linked only if the owner may see it, and the request is named in
    the note only to an owner that is one of its parties. Each decision is
    audited in the owner's trail; the proposing agency is told, once."""
    if not getattr(user, "can_edit", False):
        raise Forbidden(
            _(
                "Your account can only read. Accepting or declining a proposed status needs the analyst or "
                "liaison officer role."
            )
        )
    ids = {int(getattr(p, "pk", p)) for p in proposals}
    mine = StatusProposal.objects.visible_to(user).filter(owner_id=user.agency_id, pk__in=ids)
    locked = list(
        StatusProposal.objects.select_for_update(of=("self",))
        .filter(pk__in=mine.values("pk"))
        .select_related("person", "request", "proposed_by", "country")
        .order_by("pk")
    )
    if len(locked) != len(ids):
        raise BadInput(_("One of these proposals does not exist or is not for your agency's records."))
    done = [p for p in locked if p.state != StatusProposal.State.PENDING]
    if done:
        raise Conflict(
            _("This proposal was already decided (%(state)s): reload the page.")
            % {"state": done[0].get_state_display().lower()}
        )
    if not locked:
        raise BadInput(_("Choose at least one proposal."))
    now = timezone.now()
    visible_events = set(
        Event.objects.visible_to(user).filter(pk__in={p.event_id for p in locked if p.event_id}).values_list("pk", flat=True)
    )
    parties = set(Request.objects.visible_to(user).filter(pk__in={p.request_id for p in locked}).values_list("pk", flat=True))
    for proposal in locked:
        if proposal.person.owner_id != user.agency_id:  # the record changed hands since
            raise Forbidden(_("Only the agency that owns a record can change it."))
        if accept:
            note = (
                _("Proposed by %(agency)s (request %(ref)s)")
                % {"agency": proposal.proposed_by.short_name, "ref": proposal.request.reference}
                if proposal.request_id in parties
                else _("Proposed by %(agency)s") % {"agency": proposal.proposed_by.short_name}
            )
            proposal.person_status = PersonStatus.objects.create(
                person=proposal.person,
                status=proposal.status,
                date=proposal.date,
                country=proposal.country,
                event_id=proposal.event_id if proposal.event_id in visible_events else None,
                note=note,
            )
        proposal.state = StatusProposal.State.ACCEPTED if accept else StatusProposal.State.DECLINED
        proposal.decided_by, proposal.decided_at = user, now
        proposal.save(update_fields=["state", "decided_by", "decided_at", "person_status"])
        audit.record(
            AuditEntry.Action.STATUS_PROPOSAL,
            user,
            proposal.person,
            decision="accepted" if accept else "declined",
            status=proposal.status,
            date=proposal.date,
            country=proposal.country_id or "",
            proposed_by=proposal.proposed_by.short_name,
        )
    by_proposer = {}
    for proposal in locked:
        by_proposer.setdefault(proposal.proposed_by, []).append(proposal)
    for proposer, group in by_proposer.items():
        requests = {p.request for p in group}
        for request in requests:
            n = sum(1 for p in group if p.request_id == request.pk)
            notify(
                agency=proposer,
                title=lambda n=n, request=request: (
                    ngettext(
                        "%(ref)s: %(agency)s accepted the new status of %(n)s person",
                        "%(ref)s: %(agency)s accepted the new status of %(n)s persons",
                        n,
                    )
                    if accept
                    else ngettext(
                        "%(ref)s: %(agency)s declined the new status of %(n)s person",
                        "%(ref)s: %(agency)s declined the new status of %(n)s persons",
                        n,
                    )
                )
                % {"ref": request.reference, "agency": user.agency.short_name, "n": n},
                url=_url(request),
                kind="status_proposal",
            )
    # The notices that asked for this decision have been acted on.
    pending = StatusProposal.objects.filter(owner_id=user.agency_id).pending()
    urls = {_url(r) for r in {p.request for p in locked} if r.pk in parties}
    if not pending.exists():
        urls.add(reverse("requests:proposals"))
    mark_read(user, Notification.for_user(user).filter(url__in=urls, kind="status_proposal"))
    return locked


def _save_file(user, request, comment, upload):
    head = upload.read(8192)
    size = upload.size if upload.size is not None else len(head)
    try:
        mime = filecheck.check(upload.name, head, size)
    except filecheck.FileRefused as exc:
        raise BadInput(_(exc.template) % exc.params, {"file": _(exc.template) % exc.params}) from None
    upload.seek(0)
    data = upload.read()
    attachment = Attachment(
        request=request,
        comment=comment,
        name=upload.name.rsplit("/", 1)[-1][:200],
        content_type=mime,
        size=len(data),
        sha256=hashlib.sha256(data).hexdigest(),
        uploaded_by=user,
    )
    attachment.file.save("upload", ContentFile(data), save=False)
    try:
        attachment.save()
    except BaseException:
        attachment.file.delete(save=False)
        raise
    return attachment


@transaction.atomic
def add_comment(user, request, text="", files=()):
    """A message in the request's thread, with attachments; the other agency is told."""
    _require_writer(user)
    if not L.may_comment(request.status, request.side_for(user), user.roles):
        raise Forbidden(_("You cannot write in this request's thread."))
    text = (text or "").strip()
    files = [f for f in files if f]
    if not text and not files:
        raise BadInput(_("Write a comment or attach a file."), {"text": _("Write a comment or attach a file.")})
    comment = Comment.objects.create(request=request, author=user, author_agency_id=user.agency_id, text=text)
    saved = []
    try:
        for upload in files:
            saved.append(_save_file(user, request, comment, upload))
        Request.objects.filter(pk=request.pk).update(updated_at=timezone.now())
        _step(
            user,
            request,
            "comment",
            request.status,
            request.status,
            attachments=[a.name for a in saved],
            sha256=[a.sha256 for a in saved],
        )
        if request.sent_at is not None:  # the other agency knows of the request only once it was sent
            other = request.to_agency if request.side_for(user) == L.REQUESTER else request.from_agency
            _tell(
                request,
                other,
                lambda: _("%(ref)s: new comment from %(agency)s")
                % {"ref": request.reference, "agency": user.agency.short_name},
                text[:500],
            )
            webhooks.enqueue(request, "request.comment")
    except BaseException:
        # Whatever failed, the transaction rolls back the rows; the files
        # already written to storage are not part of it and must go too.
        for attachment in saved:
            attachment.file.delete(save=False)
        raise
    return comment


def remind_overdue(now=None):
    """Notify both agencies about each overdue request, once per day per request
    (idempotent: the day of the last reminder is stored with the request)."""
    now = now or timezone.now()
    today = timezone.localdate(now)
    sent = 0
    for request in Request.objects.overdue(now).select_related("from_agency", "to_agency"):
        with transaction.atomic():
            if not Request.objects.filter(pk=request.pk).exclude(reminded_on=today).update(reminded_on=today):
                continue
            days = (now - request.due_at).days

            def title(request=request, days=days):
                return ngettext("Overdue: %(ref)s %(kind)s, due %(days)s day ago",
                                "Overdue: %(ref)s %(kind)s, due %(days)s days ago", days) % {
                    "ref": request.reference,
                    "kind": request.get_kind_display(),
                    "days": days,
                }

            _tell(request, request.to_agency, title)
            _tell(request, request.from_agency, title)
            sent += 1
    return sent


@transaction.atomic
def add_endpoint(user, url, description=""):
    """An agency administrator connects their case system; returns the endpoint
    and its new signing secret (shown once, stored for signing)."""
    from liaison.requests.models import WebhookEndpoint
    from liaison.sharing.models import Role

    if not (getattr(user, "agency_id", None) and user.has_role(Role.AGENCY_ADMIN)):
        raise Forbidden(_("Only an administrator of your agency can add a webhook endpoint."))
    try:
        webhooks.check_address(url)
    except egress.AddressRefused as exc:
        raise BadInput(_(exc.reason), {"url": _(exc.reason)}) from None
    secret = secrets.token_urlsafe(32)
    endpoint = WebhookEndpoint.objects.create(agency_id=user.agency_id, url=url, secret=secret, description=description)
    audit.record(
        AuditEntry.Action.REQUEST, user, None, owner_agency=user.agency, step="webhook_endpoint_added", url=url
    )
    return endpoint, secret
