"""Telling agencies and officers that something happened: the in-app inbox and
e-mail through Django's mail framework.

``notify`` is the one entry point, used by the requests app and by others
(the matching app notifies watchlist hits through it); its signature is kept
stable on purpose.
"""

import logging

from django.conf import settings
from django.core.mail import send_mass_mail
from django.db import transaction

from liaison.requests.models import Notification

log = logging.getLogger(__name__)


def notify(*, agency, title, body="", url="", user=None, kind="request", email=True):
    """Put a notice in ``agency``'s inbox (only ``user``'s when given) and, after
    the transaction commits, e-mail the officers it is for.

    E-mail is best effort: a mail server that is down must not undo the step
    that caused the notice, so failures are logged, never raised.
    """
    notification = Notification.objects.create(
        agency=agency, user=user, kind=kind, title=str(title)[:300], body=str(body), url=url
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
    return [u.email for u in users]


def _email(notification_pk):
    notification = Notification.objects.filter(pk=notification_pk).first()
    if notification is None:
        return
    recipients = _recipients(notification)
    if not recipients:
        return
    base = getattr(settings, "LIAISON_BASE_URL", "").rstrip("/")
    text = notification.body
    if notification.url:
        text = f"{text}\n\n{base}{notification.url}".strip()
    sender = getattr(settings, "DEFAULT_FROM_EMAIL", "liaison@localhost")
    try:
        # One message per officer: recipients never see each other's addresses.
        send_mass_mail([(f"[Liaison] {notification.title}", text, sender, [to]) for to in recipients])
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
