"""Issue 14: a notice is read, and e-mailed, in the reader's language, not in
the language of the officer who acted."""
import re

import pytest
from django.core import mail
from django.urls import reverse
from django.utils import translation

from liaison.requests import services as s
from liaison.requests.models import Notification, Request
from liaison.sharing.models import User
from tests.factories import login
from tests.requests.conftest import REPATRIATION_FIELDS

pytestmark = pytest.mark.django_db

KHMER = re.compile("[\u1780-\u17FF]")
VIETNAMESE = re.compile("[ăâđêôơưạảấầẩẫậắằẳẵặẹẻẽếềểễệỉịọỏốồổỗộớờởỡợụủứừửữựỳỵỷỹ]", re.IGNORECASE)


def speak(user, language):
    User.objects.filter(pk=user.pk).update(preferred_language=language)
    user.refresh_from_db()


def test_the_consul_acts_in_vietnamese_the_khmer_officer_reads_khmer(desk, client, settings,
                                                                   django_capture_on_commit_callbacks):
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    speak(desk.vn_lo, "vi")
    speak(desk.kh_lo, "km")
    with translation.override("vi"), django_capture_on_commit_callbacks(execute=True):
        req = s.create_request(desk.vn_lo, kind="repatriation", to_agency=desk.kh, title="Hồi hương",
                               persons=desk.persons, fields=REPATRIATION_FIELDS)
        s.transition(desk.vn_lo, req, "send", version=req.version)
    notice = Notification.for_user(desk.kh_lo).get()
    assert KHMER.search(notice.in_language("km")[0]) and not KHMER.search(notice.in_language("en")[0])
    page = login(client, desk.kh_lo).get(reverse("requests:inbox")).content.decode()
    assert notice.in_language("km")[0] in page and notice.in_language("en")[0] not in page
    # The e-mail to the Khmer officer is Khmer, subject and body.
    to_kh = [m for m in mail.outbox if m.to == ["kh@example.org"]]
    assert len(to_kh) == 1 and KHMER.search(to_kh[0].subject) and KHMER.search(to_kh[0].body)
    mail.outbox.clear()
    # The Khmer officer acknowledges, working in Khmer: the consul reads Vietnamese.
    with translation.override("km"), django_capture_on_commit_callbacks(execute=True):
        s.transition(desk.kh_lo, Request.objects.get(pk=req.pk), "acknowledge",
                     version=Request.objects.get(pk=req.pk).version)
    to_vn = [m for m in mail.outbox if m.to == ["vn@example.org"]]
    assert len(to_vn) == 1 and VIETNAMESE.search(to_vn[0].subject) and not KHMER.search(to_vn[0].subject)
    assert "Hồi hương" in to_vn[0].subject  # the request's own title stays as written


def test_an_officer_who_never_chose_reads_in_the_browser_language_recorded_at_sign_in(desk, rf):
    from django.contrib.auth import login as sign_in
    from django.contrib.auth.models import AnonymousUser
    from django.contrib.sessions.backends.db import SessionStore

    assert desk.kh_analyst.preferred_language == ""
    request = rf.get("/", HTTP_ACCEPT_LANGUAGE="th-TH,th;q=0.9")  # the browser says Thai
    request.session, request.user = SessionStore(), AnonymousUser()
    sign_in(request, desk.kh_analyst, backend="django.contrib.auth.backends.ModelBackend")
    desk.kh_analyst.refresh_from_db()
    assert desk.kh_analyst.preferred_language == "th"
    # A choice made later is not overwritten at the next sign-in.
    speak(desk.kh_analyst, "vi")
    sign_in(request, desk.kh_analyst, backend="django.contrib.auth.backends.ModelBackend")
    desk.kh_analyst.refresh_from_db()
    assert desk.kh_analyst.preferred_language == "vi"


def test_a_plain_string_notice_stays_as_written_in_every_language(desk):
    from liaison.requests.notifications import notify

    notice = notify(agency=desk.kh, title="Bavet – Mộc Bài", body="", email=False)
    assert {title for title, _body in notice.texts.values()} == {"Bavet – Mộc Bài"}
