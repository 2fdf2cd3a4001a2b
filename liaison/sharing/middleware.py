"""Who may reach which page: second factor, idle and absolute session expiry,
and the Content-Security-Policy header.

Every page needs a user who passed both login steps, except the few listed in
``PUBLIC_URL_NAMES`` / ``PUBLIC_PATH_PREFIXES`` (the only place to open one).
``/api/`` is left to DRF (token or session authentication), but a browser
session there must have passed the second factor too, and gets JSON errors,
never a redirect to an HTML page a program cannot follow.
"""
import time

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import logout
from django.contrib.auth.views import redirect_to_login
from django.http import JsonResponse
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.http import urlencode
from django.utils.translation import gettext as _

from liaison.sharing.auth import ACTIVITY_KEY, AUTH_AT_KEY, LOGOUT_REASON_ATTR
from liaison.sharing.otp import has_authenticator

PUBLIC_URL_NAMES = frozenset({
    "login",
    "logout",
    "sharing:otp_verify",
    "sharing:otp_enrol",
    "sharing:account_setup",  # the one-time link after an administrator's reset; the token is the key
    "set_language",
    "published-figures",
    # The public side (liaison/public): check, report, status, and its API.
    "public:home",
    "public:check",
    "public:report_scam",
    "public:report_missing",
    "public:status",
    "public-api-check",
})
PUBLIC_PATH_PREFIXES = ("/" + settings.STATIC_URL.lstrip("/"), "/favicon.ico")
# TAXII (liaison/interop/taxii.py) is an API too: token or session, JSON errors, no redirects.
API_PATH_PREFIX = ("/api/", "/taxii2/")
# What an account holding only the border screening role may reach (besides the
# public URLs above): screening, its own account pages, nothing of the registry.
SCREENER_URL_NAMESPACES = frozenset({"screening"})
SCREENER_URL_NAMES = frozenset({
    "api:screen",
    "sharing:security",
    "sharing:preferences",
    "sharing:recovery_codes",
    "sharing:tokens",
    "sharing:token_revoke",
})
# Recording activity on every request would write the session on every page;
# once a minute is precise enough for a 30-minute idle limit.
ACTIVITY_RESOLUTION = 60

_CSP_BASE = {
    "default-src": "'self'",
    "script-src": "'self'",
    "style-src": "'self'",
    "img-src": "'self'",
    "font-src": "'self'",
    "connect-src": "'self'",
    "object-src": "'none'",
    "base-uri": "'none'",
    "form-action": "'self'",
    "frame-ancestors": "'none'",
}
# Swagger UI (drf-spectacular) boots from an inline script and sets inline
# styles and data: icons; the exception is limited to that one page, which
# shows no registry data itself.
_CSP_EXCEPTIONS = {
    "api:docs": {"script-src": "'self' 'unsafe-inline'", "style-src": "'self' 'unsafe-inline'",
                 "img-src": "'self' data:"},
}


def _policy(overrides=None):
    directives = {**_CSP_BASE, **(overrides or {})}
    return "; ".join(f"{name} {value}" for name, value in directives.items())


CONTENT_SECURITY_POLICY = _policy()
_CSP_BY_VIEW = {name: _policy(overrides) for name, overrides in _CSP_EXCEPTIONS.items()}


class ContentSecurityPolicyMiddleware:
    """Only the site's own scripts, styles and images; nothing inline; no framing."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        if "Content-Security-Policy" not in response:
            match = getattr(request, "resolver_match", None)
            response["Content-Security-Policy"] = _CSP_BY_VIEW.get(match and match.view_name, CONTENT_SECURITY_POLICY)
        response.setdefault("Permissions-Policy", "camera=(), microphone=(), geolocation=(), payment=()")
        return response


def is_public(request):
    if request.path_info.startswith(PUBLIC_PATH_PREFIXES):
        return True
    match = request.resolver_match
    return match is not None and match.view_name in PUBLIC_URL_NAMES


def screener_may_reach(match):
    """Whether an account holding only the screening role may open the view of ``match`` (a ResolverMatch)."""
    if match is None:
        return False
    return bool(SCREENER_URL_NAMESPACES & set(match.namespaces)) or match.view_name in SCREENER_URL_NAMES


def screener_refusal():
    return _("Your account is for border screening only: it cannot open this page.")


def _json(status, detail):
    return JsonResponse({"detail": detail}, status=status)


class SecondFactorMiddleware:
    """Requires a login completed with the second factor, and ends idle or too-old sessions."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        return self.get_response(request)

    def process_view(self, request, view_func, view_args, view_kwargs):
        if is_public(request):
            return None
        is_api = request.path_info.startswith(API_PATH_PREFIX)
        user = request.user
        if not user.is_authenticated:
            # The API answers for itself (401 for a missing or bad token).
            return None if is_api else redirect_to_login(request.get_full_path())

        reason, expired = self._expiry(request)
        if getattr(user, "awaits_agency_confirmation", False):
            # Moved to another agency or reset by the platform administrator since
            # signing in: nothing until that agency's administrator confirms.
            reason, expired = "unconfirmed", _("Your account waits for your agency administrator to confirm it.")
        if expired:
            setattr(request, LOGOUT_REASON_ATTR, reason)  # the audit entry says why
            logout(request)
            if is_api:
                return _json(401, expired)
            messages.info(request, expired)
            return redirect_to_login(request.get_full_path())

        if user.is_verified():
            self._touch(request)
            if getattr(user, "screening_only", False) and not screener_may_reach(request.resolver_match):
                return self._refuse_screener(request, is_api)
            return None

        if is_api:
            return _json(403, _("This session has not passed the second login step. Sign in on the web page with "
                                "your authenticator code, or use an API token."))
        step = "sharing:otp_verify" if has_authenticator(user) else "sharing:otp_enrol"
        return redirect(f"{reverse(step)}?{urlencode({'next': request.get_full_path()})}")

    @staticmethod
    def _refuse_screener(request, is_api):
        """The one gate of the screening role for browser sessions (API tokens: ``tokens.py``)."""
        from django.shortcuts import render

        if is_api:
            return _json(403, screener_refusal())
        match = request.resolver_match
        if match is not None and match.view_name == "web:dashboard":
            return redirect("screening:checkpoint")  # where the sign-in lands
        return render(request, "web/forbidden.html", {"reason": screener_refusal()}, status=403)

    @staticmethod
    def _expiry(request):
        """``(reason, message)`` if the session is too idle or too old, else ``(None, None)``."""
        now = time.time()
        last = request.session.get(ACTIVITY_KEY)
        idle = settings.SESSION_IDLE_TIMEOUT
        if last is not None and idle and now - last > idle:
            return "idle", _("You were signed out after %(minutes)d minutes without activity. Sign in again to "
                             "continue.") % {"minutes": idle // 60}
        started = request.session.get(AUTH_AT_KEY)
        if started is not None and now - started > settings.SESSION_COOKIE_AGE:
            return "expired", _("Your session reached its maximum length of %(hours)d hours. Sign in again to "
                                "continue.") % {"hours": settings.SESSION_COOKIE_AGE // 3600}
        return None, None

    @staticmethod
    def _touch(request):
        # Sessions without the marker come from test logins (force_login); a
        # real login always sets it, so they are not tracked rather than written.
        last = request.session.get(ACTIVITY_KEY)
        now = int(time.time())
        if last is not None and now - last >= ACTIVITY_RESOLUTION:
            request.session[ACTIVITY_KEY] = now
