"""Each reader's language, calendar, digits and time zone (issue 14).

The rule: what a person reads is rendered in *their* settings, whoever caused
it. Pages follow the signed-in officer's settings (the browser's language
before the first sign-in and on the public side); e-mails and inbox notices
are rendered for each recipient (``liaison.requests.notifications``).
"""
import zoneinfo

from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.signals import user_logged_in
from django.dispatch import receiver
from django.http import HttpResponseRedirect
from django.utils import timezone, translation
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_POST
from django.views.i18n import set_language as django_set_language

from liaison.core import localefmt

# The zones of the centres' countries, then UTC; offered on the preferences page.
TIME_ZONES = [
    ("", _("UTC (the default)")),
    ("Asia/Bangkok", _("Thailand, Cambodia, Laos, Vietnam (UTC+7)")),
    ("Asia/Yangon", _("Myanmar (UTC+6:30)")),
    ("Asia/Shanghai", _("China, Malaysia, the Philippines (UTC+8)")),
    ("Asia/Jakarta", _("Western Indonesia (UTC+7)")),
    ("Asia/Makassar", _("Central Indonesia (UTC+8)")),
    ("Asia/Jayapura", _("Eastern Indonesia (UTC+9)")),
]
CODES = {code for code, _name in settings.LANGUAGES}


def translated_choices(choices):
    """Choices whose labels a plain module marked with ``gettext_noop``
    (liaison.identifiers, liaison.names), translated lazily where shown."""
    return [(value, _(label)) for value, label in choices]


def language_of(user):
    """The language ``user`` reads: their setting, else the site's default."""
    code = getattr(user, "preferred_language", "") or ""
    return code if code in CODES else settings.LANGUAGE_CODE


def reader_for(user, language=None):
    """How ``user`` reads dates and numbers (a ``localefmt.Reader``)."""
    zone = getattr(user, "time_zone", "") or settings.TIME_ZONE
    return localefmt.Reader(
        language=language or language_of(user),
        calendar=getattr(user, "date_calendar", "") or "",
        digits=getattr(user, "digits", "") or "",
        timezone=zone,
    )


def current_reader():
    """The reader of what is being rendered, in the language active now (the
    public pages and ``translation.override`` may have switched it)."""
    reader = localefmt.current_reader()
    language = translation.get_language() or settings.LANGUAGE_CODE
    if reader.language != language:
        reader = localefmt.Reader(language, reader.calendar, reader.digits, reader.timezone)
    return reader


class reading_as:
    """Render in ``user``'s language and formats (e-mails, notices):
    ``with reading_as(user): ...``."""

    def __init__(self, user, language=None):
        self.reader = reader_for(user, language)

    def __enter__(self):
        self._override = translation.override(self.reader.language)
        self._override.__enter__()
        self._token = localefmt.set_reader(self.reader)
        return self.reader

    def __exit__(self, *exc):
        localefmt.reset_reader(self._token)
        self._override.__exit__(*exc)


class ReaderLocaleMiddleware:
    """After authentication: a signed-in officer's own language and formats win
    over the browser's. Placed after AuthenticationMiddleware."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        user = getattr(request, "user", None)
        signed_in = getattr(user, "is_authenticated", False)
        if signed_in and getattr(user, "preferred_language", "") in CODES:
            translation.activate(user.preferred_language)
            request.LANGUAGE_CODE = user.preferred_language
        reader = reader_for(user if signed_in else None, translation.get_language())
        token = localefmt.set_reader(reader)
        try:
            zone = zoneinfo.ZoneInfo(reader.timezone)
        except (zoneinfo.ZoneInfoNotFoundError, ValueError):
            zone = None
        if zone is not None:
            timezone.activate(zone)
        try:
            return self.get_response(request)
        finally:
            localefmt.reset_reader(token)
            timezone.deactivate()


@receiver(user_logged_in)
def remember_browser_language(sender, request, user, **kwargs):
    """An officer who never chose a language reads in their browser's: record
    it at sign-in, so e-mails and notices reach them in it too."""
    if getattr(user, "preferred_language", None) == "" and request is not None:
        code = translation.get_language_from_request(request)
        if code in CODES:
            get_user_model().objects.filter(pk=user.pk).update(preferred_language=code)
            user.preferred_language = code


@require_POST
def set_language(request):
    """Django's set_language (cookie for anyone), and for a signed-in officer
    the choice is kept on the account: their e-mails and notices follow it."""
    response = django_set_language(request)
    code = request.POST.get("language")
    user = request.user
    if getattr(user, "is_authenticated", False) and code in CODES and user.preferred_language != code:
        get_user_model().objects.filter(pk=user.pk).update(preferred_language=code)
    if not isinstance(response, HttpResponseRedirect):
        return response
    nxt = request.POST.get("next")
    if nxt and not url_has_allowed_host_and_scheme(nxt, allowed_hosts={request.get_host()},
                                                   require_https=request.is_secure()):
        return HttpResponseRedirect("/")
    return response
