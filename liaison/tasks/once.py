"""Forms that create something, sent once: the server's half of "no double submits".

The page's script (web/static/web/once.js) disables a form's buttons while it is sent;
this is what holds when the script did not run or the browser sent the form again.
A create form carries a hidden one-time token (``add_token``: a random value made when
the page is drawn); the view claims it in the transaction that creates the record
(``claim``) and writes where the record is (``Claim.done``). A second POST of the same
token finds the first one's row: the view sends the officer there ("already saved")
and creates nothing. A form posted without a token (an old page, a test, a script)
is saved as before.

    with transaction.atomic():
        claim = once.claim(request)
        if claim.repeated:
            return claim.redirect(request)
        record = create(...)
        claim.done(url_for(record))
"""
from __future__ import annotations

import re
import secrets
from datetime import timedelta

from django import forms
from django.contrib import messages
from django.db import IntegrityError, transaction
from django.shortcuts import redirect
from django.utils import timezone
from django.utils.translation import gettext as _

from liaison.tasks.models import SubmittedForm

FIELD = "once"
TOKEN = re.compile(r"[A-Za-z0-9_-]{16,64}")
KEEP = timedelta(days=1)


def add_token(form):
    """Give ``form`` its hidden one-time token (rendered with the form's hidden fields)."""
    form.fields[FIELD] = forms.CharField(widget=forms.HiddenInput, required=False,
                                         initial=secrets.token_urlsafe(18))
    return form


class Claim:
    def __init__(self, row=None, repeated=False):
        self.row, self.repeated = row, repeated

    def done(self, url):
        """Where the created record is, for a repeat of this form to be sent to."""
        if self.row is not None:
            SubmittedForm.objects.filter(pk=self.row.pk).update(url=str(url)[:300])

    def redirect(self, request, fallback="web:dashboard"):
        messages.info(request, _("This form was already sent and saved (it was sent twice): here is what it saved."))
        return redirect(self.row.url or fallback)


def claim(request):
    """Claim the form's token in the caller's transaction; ``repeated`` if it was claimed before."""
    token = request.POST.get(FIELD, "")
    user = request.user
    if not TOKEN.fullmatch(token) or not getattr(user, "pk", None):
        return Claim()
    if not transaction.get_connection().in_atomic_block:
        raise RuntimeError("once.claim must run inside the transaction that creates the record")
    try:
        with transaction.atomic():
            row = SubmittedForm.objects.create(user=user, token=token)
        # A repeat comes within seconds; a day's rows are plenty (this user's only, by the unique index).
        SubmittedForm.objects.filter(user=user, created_at__lt=timezone.now() - KEEP).delete()
        return Claim(row)
    except IntegrityError:
        # The same form sent before, or at this moment by a double click: the unique index made
        # this insert wait for the first one's transaction; it committed, so its row is there.
        return Claim(SubmittedForm.objects.get(user=user, token=token), repeated=True)


def previous(request):
    """The committed claim of this POST's token (a repeat of a saved form), or None."""
    token = request.POST.get(FIELD, "")
    if not TOKEN.fullmatch(token) or not getattr(request.user, "pk", None):
        return None
    row = SubmittedForm.objects.filter(user=request.user, token=token).first()
    return Claim(row, repeated=True) if row is not None else None
