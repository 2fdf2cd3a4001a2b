"""Login (password, then authenticator code), authenticator enrolment,
recovery codes, the one-time account set-up link and personal API tokens."""
from django.conf import settings
from django.contrib import messages
from django.contrib.auth import REDIRECT_FIELD_NAME
from django.contrib.auth.views import PasswordResetConfirmView
from django.db import transaction
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse, reverse_lazy
from django.utils.cache import patch_cache_control
from django.utils import translation
from django.utils.http import url_has_allowed_host_and_scheme, urlencode
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.csrf import csrf_protect
from django.views.decorators.debug import sensitive_post_parameters
from django.views.decorators.http import require_POST
from django_otp.decorators import otp_required

from liaison.sharing import accounts, auth, otp
from liaison.sharing.forms import CodeForm, EnrolForm, PasswordForm, ReadingPreferencesForm, TokenCreateForm
from liaison.sharing.tokens import ApiToken

verified_required = otp_required(login_url="login", if_configured=False)


def _next_url(request):
    """Where to go after login: the ?next= of the login page if it is ours, else the dashboard."""
    candidate = request.POST.get(REDIRECT_FIELD_NAME) or request.GET.get(REDIRECT_FIELD_NAME, "")
    if candidate and url_has_allowed_host_and_scheme(
        candidate, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return candidate
    return reverse(settings.LOGIN_REDIRECT_URL)


def _with_next(name, next_url):
    return f"{reverse(name)}?{urlencode({REDIRECT_FIELD_NAME: next_url})}"


def _no_store(response):
    """Pages carrying secrets (recovery codes, a new token) must not be cached or kept in history."""
    patch_cache_control(response, no_store=True, private=True)
    return response


def _restart(request):
    messages.info(request, _("Your sign-in was not finished in time. Please enter your password again."))
    return redirect("login")


@sensitive_post_parameters("password")
@csrf_protect
@never_cache
def login_view(request):
    next_url = _next_url(request)
    if request.user.is_authenticated and request.user.is_verified():
        return redirect(next_url)
    form = PasswordForm(request, data=request.POST or None)
    if request.method == "POST" and form.is_valid():
        user = form.get_user()
        auth.start_pending(request, user)
        step = "sharing:otp_verify" if otp.has_authenticator(user) else "sharing:otp_enrol"
        return redirect(_with_next(step, next_url))
    return render(request, "sharing/login.html", {"form": form, "next": next_url})


@sensitive_post_parameters("code")
@csrf_protect
@never_cache
def verify_view(request):
    user = auth.second_factor_user(request)
    if user is None:
        return _restart(request)
    next_url = _next_url(request)
    if request.user.is_authenticated and request.user.is_verified():
        return redirect(next_url)
    if not otp.has_authenticator(user):
        return redirect(_with_next("sharing:otp_enrol", next_url))
    if auth.is_locked(request, user):
        if request.method == "POST":
            auth.record_refused_while_locked(request, user)
        return auth.lockout_response(request)
    form = CodeForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        device, error = otp.verify(user, form.cleaned_data["code"])
        if device is not None:
            auth.complete_login(request, user, device)
            if otp.is_recovery_code_device(device):
                left = otp.recovery_codes_left(user)
                messages.warning(
                    request,
                    _("You signed in with a recovery code; %(left)d remain. Create new ones under “Account security” "
                      "if you are running out.") % {"left": left},
                )
            return redirect(next_url)
        auth.record_failed_code(request, user)  # axes answers with the lockout page once the limit is reached
        form.add_error("code", error)
    return render(request, "sharing/verify.html", {"form": form, "next": next_url, "username": user.get_username()})


@sensitive_post_parameters("code")
@csrf_protect
@never_cache
def enrol_view(request):
    """First login (or a verified user replacing their phone): add Liaison to an authenticator app."""
    user = auth.second_factor_user(request)
    if user is None:
        return _restart(request)
    next_url = _next_url(request)
    verified = request.user.is_authenticated and request.user.is_verified()
    if otp.has_authenticator(user) and not verified:
        # Replacing an authenticator needs the current one: otherwise a stolen password would do.
        return redirect(_with_next("sharing:otp_verify", next_url))
    if auth.is_locked(request, user):
        return auth.lockout_response(request)
    device = otp.pending_device(user)
    form = EnrolForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        confirmed = otp.confirm_enrolment(device, form.cleaned_data["code"])
        if confirmed is not None:
            with transaction.atomic():
                codes = otp.new_recovery_codes(user)
                accounts.audit_account(user, user, "authenticator_enrolled")
                auth.complete_login(request, user, confirmed)
            return _no_store(render(request, "sharing/recovery_codes.html", {"codes": codes, "next": next_url}))
        auth.record_failed_code(request, user)
        form.add_error("code", _("That code does not match. Check that the phone’s clock is right and type the code "
                                 "the app shows now."))
    context = {"form": form, "next": next_url, "qr_svg": otp.qr_svg(device), "secret": otp.secret_text(device),
               "issuer": "Liaison", "username": user.get_username()}
    return _no_store(render(request, "sharing/enrol.html", context))


@verified_required
@never_cache
def security_view(request):
    return render(request, "sharing/security.html", {"recovery_codes_left": otp.recovery_codes_left(request.user)})


@verified_required
def preferences_view(request):
    """Language, calendar, digits and time zone of the signed-in officer."""
    form = ReadingPreferencesForm(request.POST or None, instance=request.user)
    if request.method == "POST" and form.is_valid():
        user = form.save()
        translation.activate(user.preferred_language)
        messages.success(request, _("Saved. Pages, e-mails and notices now use these settings."))
        response = redirect("sharing:preferences")
        response.set_cookie(settings.LANGUAGE_COOKIE_NAME, user.preferred_language, samesite="Lax")
        return response
    from django.utils import timezone

    from liaison.core.i18n import current_reader
    from liaison.core.localefmt import format_datetime

    example = format_datetime(timezone.now(), current_reader())
    return render(request, "sharing/preferences.html", {"form": form, "now_example": example})


@require_POST
@verified_required
def recovery_codes_view(request):
    """New recovery codes replace all old ones; shown once."""
    with transaction.atomic():
        codes = otp.new_recovery_codes(request.user)
        accounts.audit_account(request.user, request.user, "recovery_codes_renewed")
    return _no_store(render(request, "sharing/recovery_codes.html", {"codes": codes, "next": reverse("sharing:security")}))


@verified_required
@never_cache
def tokens_view(request):
    form = TokenCreateForm(request.POST or None, user=request.user)
    new_key = new_token = None
    if request.method == "POST" and form.is_valid():
        new_token, new_key = form.save()
        if new_token is not None:
            form = TokenCreateForm(user=request.user)
    tokens = ApiToken.objects.filter(user=request.user)
    context = {"form": form, "tokens": tokens, "new_key": new_key, "new_token": new_token}
    return _no_store(render(request, "sharing/tokens.html", context))


@require_POST
@verified_required
def token_revoke_view(request, pk):
    token = get_object_or_404(ApiToken, pk=pk, user=request.user)  # someone else's token: 404, not 403
    token.revoke()
    messages.success(request, _("Token %(prefix)s… “%(name)s” is revoked; programs using it are now refused.")
                     % {"prefix": token.prefix, "name": token.name})
    return redirect("sharing:tokens")


class AccountSetupView(PasswordResetConfirmView):
    """The one-time link an administrator hands out after creating or resetting
    an account: the officer chooses a password here, then signs in and adds
    Liaison to their authenticator app (they have none: the reset removed it).

    Django's password-reset machinery checks the link: it works once, stops
    working after another reset, and expires after PASSWORD_RESET_TIMEOUT.
    The token leaves the address bar at once (Django swaps it for a session
    marker), so it is not sent on in a Referer header.
    """

    template_name = "sharing/account_setup.html"
    success_url = reverse_lazy("login")
    post_reset_login = False  # the second step (authenticator) is still to come
    # Django's view is never cached (never_cache on dispatch) and hides the token from the Referer.

    def form_valid(self, form):
        with transaction.atomic():
            response = super().form_valid(form)
            accounts.audit_account(form.user, form.user, "password_set")
        messages.success(self.request, _("Your password is set. Sign in with it; next you will add Liaison to the "
                                         "authenticator app on your phone."))
        return response

    def get_context_data(self, **kwargs):
        return {**super().get_context_data(**kwargs), "days": accounts.setup_link_days()}
