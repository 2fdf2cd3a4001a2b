"""Personal API tokens and the DRF authentication class that accepts them.

A token is shown to its owner once, at creation; the database keeps only its
SHA-256 digest (tokens are 256-bit random strings, so a fast hash is enough: no
dictionary can reach them) and a short prefix that lets the owner tell tokens
apart. A stolen database therefore yields no usable token.

Every token expires (at most ``API_TOKEN_MAX_DAYS`` days) and can be revoked;
a read-only token is refused on any method that changes data, whatever the
view's own permissions say, so no API view can forget to check the scope.
"""
import hashlib
import secrets
from datetime import timedelta

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext, gettext_lazy as _
from rest_framework import exceptions
from rest_framework.authentication import BaseAuthentication, get_authorization_header

TOKEN_PREFIX = "lia_"
KEYWORD = "Token"
MAX_DAYS = getattr(settings, "API_TOKEN_MAX_DAYS", 365)
# Writing last_used on every request would turn each API read into a write;
# a minute's precision is enough to spot a forgotten or misused token.
LAST_USED_PRECISION = timedelta(minutes=1)
SAFE_METHODS = ("GET", "HEAD", "OPTIONS")


def digest(key):
    return hashlib.sha256(key.encode("utf-8")).hexdigest()


class ApiToken(models.Model):
    class Scope(models.TextChoices):
        READ = "read", _("Read only")
        READ_WRITE = "read-write", _("Read and write")

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="api_tokens", verbose_name=_("user")
    )
    name = models.CharField(_("name"), max_length=100, help_text=_("What the token is for, e.g. “case-export script”."))
    digest = models.CharField(_("SHA-256 digest"), max_length=64, unique=True, editable=False)
    prefix = models.CharField(_("prefix"), max_length=12, editable=False)
    scope = models.CharField(_("scope"), max_length=10, choices=Scope.choices, default=Scope.READ)
    created = models.DateTimeField(_("created"), auto_now_add=True)
    expires = models.DateTimeField(_("expires"))
    last_used = models.DateTimeField(_("last used"), null=True, blank=True)
    revoked_at = models.DateTimeField(_("revoked"), null=True, blank=True)

    class Meta:
        app_label = "sharing"
        ordering = ["-created"]
        verbose_name = _("API token")
        verbose_name_plural = _("API tokens")

    def __str__(self):
        return f"{self.prefix}… ({self.name})"

    @property
    def is_active(self):
        return self.revoked_at is None and self.expires > timezone.now()

    @property
    def read_only(self):
        return self.scope == self.Scope.READ

    @classmethod
    def issue(cls, user, name, scope=Scope.READ, days=90):
        """Create a token; returns ``(token, key)``. ``key`` is the only copy of the secret."""
        name = (name or "").strip()
        if not name:
            raise ValidationError(gettext("Give the token a name that says what it is for."), code="name")
        if scope not in cls.Scope.values:
            raise ValidationError(
                gettext("Unknown scope “%(scope)s”: use one of %(choices)s.")
                % {"scope": scope, "choices": ", ".join(cls.Scope.values)},
                code="scope",
            )
        try:
            days = int(days)
        except (TypeError, ValueError):
            raise ValidationError(gettext("The validity must be a whole number of days."), code="days") from None
        if not 1 <= days <= MAX_DAYS:
            raise ValidationError(
                gettext("A token must expire within 1 to %(max)d days; %(days)d was asked.") % {"max": MAX_DAYS, "days": days},
                code="days",
            )
        key = TOKEN_PREFIX + secrets.token_urlsafe(32)
        token = cls.objects.create(
            user=user, name=name, scope=scope, digest=digest(key), prefix=key[:12],
            expires=timezone.now() + timedelta(days=days),
        )
        return token, key

    def revoke(self):
        if self.revoked_at is None:
            self.revoked_at = timezone.now()
            self.save(update_fields=["revoked_at"])


class ApiTokenAuthentication(BaseAuthentication):
    """``Authorization: Token <key>`` with a personal :class:`ApiToken`."""

    def authenticate(self, request):
        parts = get_authorization_header(request).split()
        if not parts or parts[0].lower() != KEYWORD.lower().encode():
            return None
        if len(parts) != 2:
            raise exceptions.AuthenticationFailed(
                gettext("Malformed Authorization header: send “Token ” followed by the token, with no spaces in it.")
            )
        try:
            key = parts[1].decode("ascii")
        except UnicodeDecodeError:
            raise exceptions.AuthenticationFailed(gettext("The token contains characters no Liaison token has.")) from None

        token = ApiToken.objects.select_related("user").filter(digest=digest(key)).first()
        now = timezone.now()
        if token is None:
            raise exceptions.AuthenticationFailed(gettext("Unknown API token. Check that it was copied whole."))
        if token.revoked_at is not None:
            raise exceptions.AuthenticationFailed(
                gettext("This API token (%(prefix)s…) was revoked. Create a new one under “My API tokens”.")
                % {"prefix": token.prefix}
            )
        if token.expires <= now:
            raise exceptions.AuthenticationFailed(
                gettext("This API token (%(prefix)s…) expired on %(date)s. Create a new one under “My API tokens”.")
                % {"prefix": token.prefix, "date": token.expires.date().isoformat()}
            )
        if not token.user.is_active or token.user.awaits_agency_confirmation:
            raise exceptions.AuthenticationFailed(gettext("The account this API token belongs to is disabled."))
        if getattr(token.user, "screening_only", False):
            # A session is gated by SecondFactorMiddleware; a token is known only here.
            from liaison.sharing.middleware import screener_may_reach, screener_refusal

            if not screener_may_reach(getattr(getattr(request, "_request", request), "resolver_match", None)):
                raise exceptions.PermissionDenied(screener_refusal())
        if token.read_only and request.method not in SAFE_METHODS:
            raise exceptions.PermissionDenied(
                gettext("This API token has the “read” scope: it may only read. Use a “read-write” token to change data.")
            )
        if token.last_used is None or now - token.last_used > LAST_USED_PRECISION:
            ApiToken.objects.filter(pk=token.pk).update(last_used=now)
        return token.user, token

    def authenticate_header(self, request):
        return KEYWORD
