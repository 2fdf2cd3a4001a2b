"""Administrators' acts on accounts: reset of the password and second factor,
the one-time set-up link, and the audit of account changes.

Nobody sets another person's password. An administrator (the platform
administrator for any account, an agency administrator for their own
officers) resets an account instead: the password becomes unusable, every
second-factor device and API token is withdrawn, open sessions end (Django
ties a session to the password hash), and the officer receives a one-time
set-up link to choose a new password and enrol a new authenticator. The link
is Django's password-reset token: it stops working once used, after another
reset, or after ``PASSWORD_RESET_TIMEOUT``. Every step is an audit entry.
"""
from django.conf import settings
from django.contrib.auth.tokens import default_token_generator
from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.encoding import force_bytes
from django.utils.http import urlsafe_base64_encode
from django.utils.translation import gettext as _

from liaison.audit import log as audit
from liaison.audit.models import AuditEntry
from liaison.sharing import otp
from liaison.sharing.models import Role

# What an account change entry records, old and new; never a password or secret.
AUDITED_FIELDS = ("username", "agency", "roles", "is_active", "is_staff", "is_superuser")


def may_reset(actor, target):
    """Platform administrators reset any other account; agency administrators
    the accounts of their own agency; nobody resets their own (that would let a
    stolen session replace the owner's password and authenticator)."""
    if actor.pk == target.pk or not actor.is_active:
        return False
    if actor.is_platform_admin:
        return True
    return bool(actor.agency_id and actor.has_role(Role.AGENCY_ADMIN) and target.agency_id == actor.agency_id
                and not target.is_platform_admin)


def _require(actor, target):
    if actor.pk == target.pk:
        raise PermissionError(_("You cannot reset your own account. Change your authenticator or recovery codes "
                                "under “Account security”; another administrator can reset your password."))
    if not may_reset(actor, target):
        raise PermissionError(_("You may not reset this account."))


def setup_path(user):
    """The one-time set-up link (path) for ``user``, valid until used or reset again."""
    uid = urlsafe_base64_encode(force_bytes(user.pk))
    return reverse("sharing:account_setup", kwargs={"uidb64": uid, "token": default_token_generator.make_token(user)})


def setup_link_days():
    return max(1, round(settings.PASSWORD_RESET_TIMEOUT / 86400))


def agency_must_confirm(actor, target):
    """Whether ``target``, created or reset by ``actor``, must first be confirmed by
    an administrator of its own agency: when the actor is a platform administrator
    and the agency has another active administrator. (An agency without one gets
    its first administrator from the platform: someone has to.)"""
    if not actor.is_platform_admin or target.agency_id is None:
        return False
    # Roles are a JSON list; an agency has a handful of officers, read in one query.
    others = target.agency.users.filter(is_active=True).exclude(pk=target.pk).values_list("roles", flat=True)
    return any(Role.AGENCY_ADMIN in (roles or []) for roles in others)


@transaction.atomic
def confirm_account(actor, target):
    """An administrator of ``target``'s agency confirms an account the platform
    administrator created or reset (after checking with the officer in person)."""
    if not (actor.agency_id and actor.agency_id == target.agency_id and actor.has_role(Role.AGENCY_ADMIN)
            and actor.pk != target.pk):
        raise PermissionError(_("Only another administrator of the officer's agency can confirm this account."))
    target.awaits_agency_confirmation = False
    target.save(update_fields=["awaits_agency_confirmation"])
    audit_account(actor, target, "confirmed_by_agency")


@transaction.atomic
def reset_credentials(actor, target):
    """Reset ``target``'s password and second factor; returns the set-up link path (shown once)."""
    _require(actor, target)
    target.set_unusable_password()
    target.awaits_agency_confirmation = agency_must_confirm(actor, target)
    target.save(update_fields=["password", "awaits_agency_confirmation"])
    devices = otp.remove_all_devices(target)
    tokens = target.api_tokens.filter(revoked_at__isnull=True).update(revoked_at=timezone.now())
    _unlock(target)
    audit.record(AuditEntry.Action.CREDENTIALS_RESET, actor, target, owner_agency=target.agency,
                 password=True, second_factor=True, devices_removed=devices, api_tokens_revoked=tokens)
    return setup_path(target)


@transaction.atomic
def reset_second_factor(actor, target):
    """Withdraw ``target``'s authenticator and recovery codes: they enrol anew at next sign-in."""
    _require(actor, target)
    devices = otp.remove_all_devices(target)
    audit.record(AuditEntry.Action.CREDENTIALS_RESET, actor, target, owner_agency=target.agency,
                 password=False, second_factor=True, devices_removed=devices)
    return devices


def new_account_setup(actor, user):
    """A new account starts with no usable password; returns its set-up link path."""
    user.set_unusable_password()
    user.awaits_agency_confirmation = agency_must_confirm(actor, user)
    user.save(update_fields=["password", "awaits_agency_confirmation"])
    return setup_path(user)


def _unlock(user):
    """A reset account starts with a clean slate of sign-in attempts."""
    from axes.utils import reset

    reset(username=user.get_username())


def snapshot(user):
    return {field: _plain(field, getattr(user, field)) for field in AUDITED_FIELDS}


def _plain(field, value):
    if field == "agency":
        return value.short_name if value is not None else None
    if field == "roles":
        return sorted(str(role) for role in value or [])
    return value


def audit_account(actor, user, change, before=None, **detail):
    """One entry for an account created or changed by an administrator, or a
    step the user took themselves (``password_set``, ``authenticator_enrolled``…).
    ``before`` is a ``snapshot`` taken before the change: only what changed is recorded."""
    if before is not None:
        after = snapshot(user)
        changes = {f: [before[f], after[f]] for f in AUDITED_FIELDS if before[f] != after[f]}
        if not changes:
            return None
        detail["changes"] = changes
    return audit.record(AuditEntry.Action.ACCOUNT, actor, user, owner_agency=user.agency, change=change, **detail)
