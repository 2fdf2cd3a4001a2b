"""The two-step login: password, then second factor, and the lockout page.

After the password step the user is *not* logged in: the session only holds a
short-lived "pending" marker naming the user. Django's ``login()`` runs once the
second factor is checked, so no view, API or admin page can ever see a
password-only session, even one that forgets to check ``is_verified()``.

Wrong second-factor codes count as failed logins for django-axes, so the
password and the code share one budget of attempts per username and address.
"""
import time
from datetime import timedelta

from axes.handlers.proxy import AxesProxyHandler
from axes.helpers import get_cool_off
from django.conf import settings
from django.contrib import auth
from django.contrib.auth.signals import user_login_failed
from django.http import JsonResponse
from django.shortcuts import render
from django.utils import timezone
from django.utils.translation import gettext
from django_otp import login as otp_login

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


def credentials_for(user):
    return {settings.AXES_USERNAME_FORM_FIELD: user.get_username()}


def is_locked(request, user):
    return AxesProxyHandler.is_locked(request, credentials_for(user))


def record_failed_code(request, user):
    """A wrong code counts as a failed login for axes; True if that locked the account."""
    user_login_failed.send(sender=__name__, credentials=credentials_for(user), request=request)
    return bool(getattr(request, "axes_locked_out", False))


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
