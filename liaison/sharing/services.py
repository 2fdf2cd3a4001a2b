"""Sharing actions: share, un-share, change distribution or marking, retract.

Each is a liaison officer's audited act. The rules of TLP 2.0 and of the
SIENA handling codes are checked here, once, for the API and the UI alike:

- TLP:CLEAR is the only marking that may be published (distribution public).
- TLP:RED goes only to named recipient agencies (no sharing groups, no
  "all members").
- TLP:AMBER+STRICT stays within the recipient agencies: never "all members"
  or public.
- Onward sharing by a recipient (not the owner) is allowed only for CLEAR and
  GREEN records whose handling code is H0 or H1 (H2 and H3 reserve it to the
  owner); protected fields are only ever granted by the owner.
"""
from django.contrib.contenttypes.models import ContentType
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from liaison.audit import log as audit
from liaison.audit.models import AuditEntry
from liaison.core.models import TLP, Distribution, Handling
from liaison.sharing.models import Agency, Share, SharingGroup
from liaison.sharing.signals import sharing_changed
from liaison.sharing.visibility import is_visible


class SharingError(ValueError):
    """The action breaks a sharing rule; the message says which."""


class NotFound(LookupError):
    """The record does not exist for this user (answer 404)."""


def check_marking(distribution, tlp):
    if distribution == Distribution.PUBLIC and tlp != TLP.CLEAR:
        raise SharingError(_("Only TLP:CLEAR records can be public. Change the marking to TLP:CLEAR first."))
    if tlp == TLP.RED and distribution not in (Distribution.OWNER, Distribution.SHARED):
        raise SharingError(_("TLP:RED records go only to named recipients, never to all members."))
    if tlp == TLP.AMBER_STRICT and distribution not in (Distribution.OWNER, Distribution.SHARED):
        raise SharingError(_("TLP:AMBER+STRICT records stay within the recipient agencies, never all members."))


def _is_owner(user, record):
    return user.agency_id is not None and user.agency_id == record.owner_id


def _require_visible(user, record):
    if not is_visible(record, user):
        raise NotFound(_("No such record."))


def _require_liaison_officer(user):
    if not getattr(user, "can_share", False):
        raise PermissionError(_("Only liaison officers can share records."))


def may_share_onward(record):
    return record.tlp in (TLP.CLEAR, TLP.GREEN) and record.handling in (Handling.H0, Handling.H1)


def may_share(user, record):
    """Whether ``user`` may share ``record`` at all (pages offer "Share…" only then):
    a liaison officer of the owner agency, or of a recipient when the marking
    allows onward sharing. The rules of ``share`` still decide each share."""
    return getattr(user, "can_share", False) and (_is_owner(user, record) or may_share_onward(record))


def may_retract(user, record):
    """Whether ``user`` may retract ``record`` (or withdraw its retraction): a
    liaison officer of the owner agency, as ``retract`` and ``restore`` check."""
    return getattr(user, "can_share", False) and _is_owner(user, record)


@transaction.atomic
def share(user, record, agencies=(), groups=(), include_protected=False, operations=(), phases=()):
    """Share ``record`` with agencies, sharing groups, operations or phases; returns the new shares.

    A share with an operation or phase reaches the officers assigned to it,
    for as long as they are assigned.

    Idempotent: sharing again with a recipient that already has the record
    creates nothing (it may widen it to include protected fields).
    """
    _require_visible(user, record)
    _require_liaison_officer(user)
    agencies, groups, operations, phases = list(agencies), list(groups), list(operations), list(phases)
    if not (agencies or groups or operations or phases):
        raise SharingError(_("Choose at least one agency, sharing group, operation or phase to share with."))
    owner = _is_owner(user, record)
    if not owner:
        if not may_share_onward(record):
            raise SharingError(
                _("This record is marked %(tlp)s / %(handling)s: only its owner agency may share it further.")
                % {"tlp": record.get_tlp_display(), "handling": record.handling}
            )
        if include_protected:
            raise SharingError(_("Only the owner agency can grant access to protected fields."))
    if record.tlp == TLP.RED and (groups or operations or phases):
        raise SharingError(_("TLP:RED records go only to named agencies, not to sharing groups or operation teams."))
    if any(a.pk == record.owner_id for a in agencies):
        raise SharingError(_("The owner agency already sees its own record."))
    if record.is_retracted:
        raise SharingError(_("A retracted record cannot be shared."))

    if owner and record.distribution == Distribution.OWNER:
        _set_distribution(user, record, Distribution.SHARED)
    ct = ContentType.objects.get_for_model(type(record))
    created = []
    for recipient_field, recipients in (("agency", agencies), ("group", groups), ("operation", operations), ("phase", phases)):
        for recipient in recipients:
            existing = (
                Share.objects.select_for_update()
                .filter(content_type=ct, object_id=record.pk, **{recipient_field: recipient}).first()
            )
            if existing:
                if include_protected and not existing.include_protected:
                    existing.include_protected = True
                    existing.save(update_fields=["include_protected"])
                    created.append(existing)
                continue
            created.append(
                Share.objects.create(
                    content_type=ct, object_id=record.pk, created_by=user, include_protected=include_protected,
                    **{recipient_field: recipient},
                )
            )
    if created:
        audit.record(
            AuditEntry.Action.SHARE, user, record,
            agencies=[s.agency.short_name for s in created if s.agency_id],
            groups=[s.group.name for s in created if s.group_id],
            operations=[str(s.operation) for s in created if s.operation_id],
            phases=[str(s.phase) for s in created if s.phase_id],
            include_protected=include_protected, onward=not owner,
        )
        sharing_changed.send(sender=type(record), record=record, action="share")
    return created


@transaction.atomic
def unshare(user, share_obj):
    """Withdraw one share; the recipient stops seeing the record at once."""
    record = share_obj.record
    _require_visible(user, record)
    _require_liaison_officer(user)
    if not (_is_owner(user, record) or share_obj.created_by_id == user.pk):
        raise PermissionError(_("Only the owner agency or the officer who shared it can withdraw this share."))
    recipient = share_obj.agency.short_name if share_obj.agency_id else str(share_obj.recipient)
    share_obj.delete()
    audit.record(AuditEntry.Action.UNSHARE, user, record, recipient=recipient)
    sharing_changed.send(sender=type(record), record=record, action="unshare")


def _set_distribution(user, record, distribution):
    old = record.distribution
    record.distribution = distribution
    type(record).objects.filter(pk=record.pk).update(distribution=distribution)
    audit.record(AuditEntry.Action.DISTRIBUTION, user, record, old=old, new=distribution)


# The fields that decide who may see a record and how it may be used. On an
# existing record they change only through ``set_marking``, whatever the path
# (sharing page, the API's marking action, the record's own PUT/PATCH, the edit
# form): one role check, one set of TLP rules, one audit entry.
MARKING_FIELDS = ("distribution", "tlp", "handling", "handling_note")


def may_set_marking(user, record):
    """Whether ``user`` may change the marking of ``record``: a liaison officer of the owner agency."""
    return getattr(user, "can_share", False) and _is_owner(user, record)


@transaction.atomic
def set_marking(user, record, distribution=None, tlp=None, handling=None, handling_note=None):
    """Change who may see a record and how it is marked (owner's liaison officer only).

    ``None`` leaves a field as it is. The old values are read from the database,
    not from ``record``: an edit form or serializer may already have put the
    new values on it, and the audit entry must say what the marking was.
    """
    _require_visible(user, record)
    if not getattr(user, "can_share", False):
        raise PermissionError(_(
            "Only liaison officers can change who may see a record and how it is marked (distribution, TLP, "
            "handling code and restriction). Ask a liaison officer of your agency to change it."
        ))
    if not _is_owner(user, record):
        raise PermissionError(_("Only the owner agency can change the distribution or marking of this record."))
    current = type(record).objects.select_for_update().filter(pk=record.pk).values(*MARKING_FIELDS).get()
    requested = {"distribution": distribution, "tlp": tlp, "handling": handling, "handling_note": handling_note}
    wanted = {field: current[field] if value is None else value for field, value in requested.items()}
    check_marking(wanted["distribution"], wanted["tlp"])
    changes = {field: [current[field], wanted[field]] for field in MARKING_FIELDS if current[field] != wanted[field]}
    for field in MARKING_FIELDS:
        setattr(record, field, wanted[field])
    if changes:
        type(record).objects.filter(pk=record.pk).update(**{f: v[1] for f, v in changes.items()})
        audit.record(AuditEntry.Action.MARKING, user, record, changes=changes)
        sharing_changed.send(sender=type(record), record=record, action="marking")
    return changes


def marking_changes(record, values):
    """The marking fields among ``values`` (a form's or serializer's data) that
    differ from ``record``'s: repeating the current marking is no change."""
    return {f: values[f] for f in MARKING_FIELDS if f in values and values[f] != getattr(record, f)}


def audit_initial_marking(user, record):
    """A record created with a marking other than the defaults is shared (or
    marked) from its first moment: that is audited as part of the creation.
    Any editor may choose the initial marking, as before."""
    fields = {f: record._meta.get_field(f) for f in MARKING_FIELDS}
    changes = {f: [field.get_default(), getattr(record, f)] for f, field in fields.items()
               if getattr(record, f) != field.get_default()}
    if changes:
        audit.record(AuditEntry.Action.MARKING, user, record, changes=changes, initial=True)
    return changes


@transaction.atomic
def retract(user, record, reason):
    """Withdraw a record from every recipient at once; the owner keeps it, marked retracted."""
    _require_visible(user, record)
    _require_liaison_officer(user)
    if not _is_owner(user, record):
        raise PermissionError(_("Only the owner agency can retract this record."))
    reason = (reason or "").strip()
    if not reason:
        raise SharingError(_("Say why the record is retracted: recipients are told it was."))
    record.retracted_at = timezone.now()
    record.retraction_reason = reason[:500]
    type(record).objects.filter(pk=record.pk).update(retracted_at=record.retracted_at, retraction_reason=record.retraction_reason)
    audit.record(AuditEntry.Action.RETRACT, user, record, reason=record.retraction_reason)
    sharing_changed.send(sender=type(record), record=record, action="retract")


@transaction.atomic
def restore(user, record):
    _require_visible(user, record)
    _require_liaison_officer(user)
    if not _is_owner(user, record):
        raise PermissionError(_("Only the owner agency can withdraw a retraction."))
    type(record).objects.filter(pk=record.pk).update(retracted_at=None, retraction_reason="")
    record.retracted_at, record.retraction_reason = None, ""
    audit.record(AuditEntry.Action.RESTORE, user, record)
    sharing_changed.send(sender=type(record), record=record, action="restore")


def recipients_of(record):
    ct = ContentType.objects.get_for_model(type(record))
    return list(
        Share.objects.filter(content_type=ct, object_id=record.pk).select_related(
            "agency", "group", "operation", "phase__operation", "created_by"
        )
    )


@transaction.atomic
def assign(user, officer, operation, phase=None):
    """Assign ``officer`` to an operation (or one phase): an agency administrator
    assigns officers of their own agency to operations they can see."""
    from liaison.operations.models import Operation
    from liaison.sharing.models import OperationAssignment, Role

    if not (user.agency_id and user.has_role(Role.AGENCY_ADMIN) and officer.agency_id == user.agency_id):
        raise PermissionError(_("Only an administrator of the officer's own agency can assign them."))
    if not Operation.objects.visible_to(user).filter(pk=operation.pk).exists():
        raise NotFound(_("No such operation."))
    if officer.agency_id != operation.owner_id and not operation.agencies.filter(pk=officer.agency_id).exists():
        # Seeing an operation is not taking part in it: a share with the team must
        # not reach agencies the owner never listed.
        raise PermissionError(_("Only officers of the operation's participating agencies can join its team."))
    if phase is not None and phase.operation_id != operation.pk:
        raise SharingError(_("This phase belongs to another operation."))
    assignment, created = OperationAssignment.objects.get_or_create(
        user=officer, operation=operation, phase=phase, left_at=None, defaults={"assigned_by": user}
    )
    if created:
        audit.record(AuditEntry.Action.ASSIGN, user, operation, officer=officer.get_username(), phase=str(phase) if phase else "")
    return assignment


@transaction.atomic
def end_assignment(user, assignment):
    """The officer leaves the operation: from now on they no longer see what was shared with it."""
    from liaison.sharing.models import Role

    if not (user.agency_id and user.has_role(Role.AGENCY_ADMIN) and assignment.user.agency_id == user.agency_id):
        raise PermissionError(_("Only an administrator of the officer's own agency can end the assignment."))
    if assignment.left_at is None:
        assignment.left_at = timezone.now()
        assignment.save(update_fields=["left_at"])
        audit.record(
            AuditEntry.Action.UNASSIGN, user, assignment.operation, officer=assignment.user.get_username(),
            phase=str(assignment.phase) if assignment.phase_id else "",
        )


__all__ = [
    "Agency", "SharingGroup", "SharingError", "NotFound", "share", "unshare", "set_marking", "retract", "restore",
    "recipients_of", "check_marking", "may_share_onward", "may_set_marking", "marking_changes",
    "audit_initial_marking", "MARKING_FIELDS", "may_share", "may_retract",
]
