"""The two-step login: password, then second factor, and the lockout page.

After the password step the user is *not* logged in: the session only holds a
short-lived "pending" marker naming the user. Django's ``login()`` runs once the
second factor is checked, so no view, API or admin page can ever see a
password-only session, even one that forgets to check ``is_verified()``.

Wrong second-factor codes count as failed logins for django-axes, so the
password and the code share one budget of attempts per username and address.

Sign-ins (after the second factor), sign-outs and failed sign-ins are entries
of the audit chain. Failed sign-ins and sign-outs are taken from Django's
``user_login_failed`` / ``user_logged_out`` signals, so every way in or out
(this login, the idle expiry, a future login path) is recorded by one
receiver; no password or code is ever part of an entry.
"""
import time
from datetime import timedelta

from axes.handlers.proxy import AxesProxyHandler
from axes.helpers import get_cool_off
from django.conf import settings
from django.contrib import auth
from django.contrib.auth.signals import user_logged_out, user_login_failed
from django.dispatch import receiver
from django.http import JsonResponse
from django.shortcuts import render
from django.utils import timezone
from django.utils.translation import gettext
from django_otp import login as otp_login

from liaison.audit import log as audit
from liaison.audit.models import AuditEntry

PENDING_KEY = "sharing_pending_login"
AUTH_AT_KEY = "sharing_auth_at"
ACTIVITY_KEY = "sharing_last_activity"
# Long enough to find the phone and open the app, short enough that a
# half-finished login on a shared computer does not linger.
PENDING_MAX_AGE = 10 * 60


def start_pending(request, user):
    """Remember that ``user`` passed the password step, in a fresh session."""
    if request.user.is_authenticated:
        auth.logout(request)  # a half-finished login of someone else must not carry over
    request.session.cycle_key()  # no session fixation across the two steps
    request.session[PENDING_KEY] = {
        "user": user.pk,
        "backend": getattr(user, "backend", settings.AUTHENTICATION_BACKENDS[-1]),
        "at": int(time.time()),
    }


def pending_user(request):
    """The user between the two steps, or None (missing, expired or disabled)."""
    pending = request.session.get(PENDING_KEY)
    if not pending:
        return None
    if time.time() - pending.get("at", 0) > PENDING_MAX_AGE:
        del request.session[PENDING_KEY]
        return None
    user = auth.get_user_model()._default_manager.filter(pk=pending["user"], is_active=True).first()
    if user is not None:
        user.backend = pending["backend"]
    return user


def second_factor_user(request):
    """Whoever is at the second step: pending after the password, or logged in
    without a verified device (an admin-site login, an old session)."""
    if request.user.is_authenticated:
        return request.user
    return pending_user(request)


def complete_login(request, user, device):
    """Log the user in with the device that verified them (django-otp records it in the session)."""
    request.session.pop(PENDING_KEY, None)
    if request.user.is_authenticated and request.user.pk == user.pk:
        request.session.cycle_key()  # new privileges, new session key
    else:
        auth.login(request, user, backend=getattr(user, "backend", None))
    otp_login(request, device)
    now = int(time.time())
    request.session[AUTH_AT_KEY] = now
    request.session[ACTIVITY_KEY] = now
    from liaison.sharing.otp import is_recovery_code_device

    audit.record(AuditEntry.Action.LOGIN, user, owner_agency=user.agency,
                 second_factor="recovery_code" if is_recovery_code_device(device) else "authenticator")


def credentials_for(user):
    return {settings.AXES_USERNAME_FORM_FIELD: user.get_username()}


def is_locked(request, user):
    return AxesProxyHandler.is_locked(request, credentials_for(user))


def record_failed_code(request, user):
    """A wrong code counts as a failed login for axes; True if that locked the account."""
    user_login_failed.send(sender=__name__, credentials=credentials_for(user), request=request, reason="second_factor")
    return bool(getattr(request, "axes_locked_out", False))


def record_refused_while_locked(request, user):
    """A code sent while the account is locked out (the lockout began in another
    window): refused unread, and recorded like any other failed sign-in."""
    _audit_failure(user.get_username(), "locked_out", locked_out=True)


def _audit_failure(username, reason, locked_out):
    username = (username or "")[:150]
    User = auth.get_user_model()
    account = User._default_manager.filter(**{User.USERNAME_FIELD: username}).first() if username else None
    # The account concerned is the entry's record, so its agency's administrators see
    # attempts on their officers' accounts; the actor is unknown ("system").
    audit.record(
        AuditEntry.Action.LOGIN_FAILED, None, account, owner_agency=getattr(account, "agency", None),
        username=username, reason=reason, locked_out=locked_out,
    )


@receiver(user_login_failed, dispatch_uid="liaison-audit-failed-login")
def audit_failed_login(sender, credentials, request=None, reason="password", **kwargs):
    """Runs after django-axes' own receiver (axes is installed first), so the
    request already says whether this failure locked the account. An attempt
    made during a lockout is refused without looking at the password or code:
    axes then counts it beyond the limit (AXES_RESET_COOL_OFF_ON_FAILURE_DURING_LOCKOUT,
    our setting) or, with that setting off, does not count it at all."""
    locked = bool(getattr(request, "axes_locked_out", False))
    limit = settings.AXES_FAILURE_LIMIT if isinstance(settings.AXES_FAILURE_LIMIT, int) else None
    failures = getattr(request, "axes_failures_since_start", 0) or 0
    if locked and (failures == 0 or (limit is not None and failures > limit)):
        reason = "locked_out"
    _audit_failure((credentials or {}).get(settings.AXES_USERNAME_FORM_FIELD), reason, locked)


# Set on the request by code that signs a user out for a reason of its own
# (idle or too-old session), read by the receiver below.
LOGOUT_REASON_ATTR = "liaison_logout_reason"


@receiver(user_logged_out, dispatch_uid="liaison-audit-logout")
def audit_logout(sender, request, user, **kwargs):
    # Only a completed sign-in (both steps) is signed out; dropping a half-finished
    # one (password only) is not an event of the account.
    if user is None or not getattr(user, "is_verified", lambda: False)():
        return
    reason = getattr(request, LOGOUT_REASON_ATTR, None)
    audit.record(AuditEntry.Action.LOGOUT, user, owner_agency=user.agency, **({"reason": reason} if reason else {}))


def lockout_response(request, original_response=None, credentials=None):
    """django-axes ``AXES_LOCKOUT_CALLABLE``.

    The page is the same whether or not the username exists (axes counts
    failures for unknown names too) and never repeats the name. Every attempt
    during the lockout restarts the wait (AXES_RESET_COOL_OFF_ON_FAILURE_DURING_LOCKOUT),
    so "now + cool-off" is the true time to retry.
    """
    request.session.pop(PENDING_KEY, None)
    cool_off = get_cool_off(request) or timedelta(0)
    minutes = max(1, round(cool_off.total_seconds() / 60))
    retry_at = timezone.now() + cool_off
    status = settings.AXES_HTTP_RESPONSE_CODE
    if request.path_info.startswith("/api/") or request.headers.get("x-requested-with") == "XMLHttpRequest":
        return JsonResponse(
            {
                "detail": gettext("Too many failed sign-in attempts. Try again in %(minutes)d minutes.")
                % {"minutes": minutes},
                "retry_after": retry_at.isoformat(),
            },
            status=status,
            headers={"Retry-After": str(int(cool_off.total_seconds()))},
        )
    response = render(
        request,
        "sharing/locked_out.html",
        {"minutes": minutes, "retry_at": retry_at, "failure_limit": settings.AXES_FAILURE_LIMIT},
        status=status,
    )
    response["Retry-After"] = str(int(cool_off.total_seconds()))
    return response
