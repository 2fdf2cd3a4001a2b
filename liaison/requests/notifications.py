"""Telling agencies and officers that something happened: the in-app inbox and
e-mail through Django's mail framework.

``notify`` is the one entry point, used by the requests app and by others
(the matching app notifies watchlist hits through it); its signature is kept
stable on purpose.
"""

import logging

from django.conf import settings
from django.core.mail import get_connection, send_mail
from django.db import transaction
from django.utils import translation
from django.utils.translation import gettext as _

from liaison.requests.models import Notification

log = logging.getLogger(__name__)


def _in_every_language(title, body):
    """{language: [title, body]}: ``title`` and ``body`` are functions that build
    the text with gettext, called once per interface language. A plain string
    (a reason an officer typed, say) is the same in every language."""
    texts = {}
    for code, _name in settings.LANGUAGES:
        with translation.override(code):
            texts[code] = [str(title() if callable(title) else title)[:300], str(body() if callable(body) else body)]
    return texts


def notify(*, agency, title, body="", url="", user=None, kind="request", email=True):
    """Put a notice in ``agency``'s inbox (only ``user``'s when given) and, after
    the transaction commits, e-mail the officers it is for.

    ``title`` and ``body`` are best given as functions (``lambda: _("...") %
    values``): they are then written in every interface language, and each
    officer reads the notice, and gets the e-mail, in their own (issue 14).

    E-mail is best effort: a mail server that is down must not undo the step
    that caused the notice, so failures are logged, never raised.
    """
    texts = _in_every_language(title, body)
    with translation.override(settings.LANGUAGE_CODE):
        fallback = texts.get(settings.LANGUAGE_CODE) or [str(title() if callable(title) else title)[:300], ""]
    notification = Notification.objects.create(
        agency=agency, user=user, kind=kind, title=fallback[0], body=fallback[1], texts=texts, url=url
    )
    if email:
        transaction.on_commit(lambda: _email(notification.pk))
    return notification


def _recipients(notification):
    from liaison.sharing.models import Role, User

    if notification.user_id:
        users = User.objects.filter(pk=notification.user_id, is_active=True)
    else:
        users = User.objects.filter(agency_id=notification.agency_id, is_active=True)
    users = users.exclude(email="")
    if not notification.user_id:
        # Agency-wide notices go to those who act on them, not to every viewer.
        users = [u for u in users if u.has_role(Role.LIAISON_OFFICER, Role.AGENCY_ADMIN)]
    return list(users)


def _email(notification_pk):
    notification = Notification.objects.filter(pk=notification_pk).first()
    if notification is None:
        return
    recipients = _recipients(notification)
    if not recipients:
        return
    from liaison.core.i18n import language_of, reading_as

    base = getattr(settings, "LIAISON_BASE_URL", "").rstrip("/")
    sender = getattr(settings, "DEFAULT_FROM_EMAIL", "liaison@localhost")
    try:
        connection = get_connection()
        # One message per officer, in that officer's language: recipients never
        # see each other's addresses, and nobody reads another's language.
        for recipient in recipients:
            with reading_as(recipient):
                title, body = notification.in_language(language_of(recipient))
                lines = [body] if body else []
                if notification.url:
                    lines.append(_("Open it in Liaison: %(url)s") % {"url": f"{base}{notification.url}"})
                lines.append(_("You receive this because you are an officer of %(agency)s in Liaison.")
                             % {"agency": notification.agency.short_name})
                send_mail(_("[Liaison] %(title)s") % {"title": title}, "\n\n".join(lines), sender,
                          [recipient.email], connection=connection)
    except Exception:  # noqa: BLE001 - any mail failure is logged, never raised (see notify)
        log.exception("Could not e-mail notification %s", notification_pk)


def unread_count(user):
    return Notification.for_user(user).exclude(read_by=user).count()


def mark_read(user, notifications):
    """Mark ``notifications`` (a queryset of ``Notification.for_user(user)``, or
    a list of them) read for ``user``: one insert, whatever their number."""
    if hasattr(notifications, "exclude"):
        ids = list(notifications.exclude(read_by=user).values_list("pk", flat=True))
    else:
        ids = [n.pk for n in notifications]
    through = Notification.read_by.through
    through.objects.bulk_create(
        [through(notification_id=pk, user_id=user.pk) for pk in ids], ignore_conflicts=True
    )
    return len(ids)
