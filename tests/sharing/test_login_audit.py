"""Sign-ins, sign-outs and failed sign-ins are entries of the audit chain,
without the password or code that was typed."""
import json

import pytest
from django.test import Client
from django.urls import reverse

from liaison.audit.log import verify as verify_chain
from liaison.audit.models import AuditEntry
from liaison.sharing import otp
from tests.factories import make_agency, make_user

pytestmark = pytest.mark.django_db
PASSWORD = "correct horse battery staple"
WRONG_PASSWORD = "not-the-password-42"
A = AuditEntry.Action


@pytest.fixture
def user(db):
    return make_user(make_agency("MPS", "CN"), username="li.wei", password=PASSWORD)


def entries(action):
    return list(AuditEntry.objects.filter(action=action).order_by("seq"))


def wrong_code(user):
    return "000000" if otp.current_code(user) != "000000" else "111111"


def everything_written():
    return json.dumps([e.chained_fields() for e in AuditEntry.objects.all()], default=str)


def test_successful_sign_in_and_sign_out(user):
    client = Client()
    client.post("/login/", {"username": user.username, "password": PASSWORD})
    assert not entries(A.LOGIN)  # the password alone is not a sign-in
    code = otp.current_code(user)
    client.post(reverse("sharing:otp_verify"), {"code": code})
    [login] = entries(A.LOGIN)
    assert login.actor == user and login.owner_agency == user.agency
    assert login.detail["second_factor"] == "authenticator"

    client.post(reverse("logout"))
    [logout] = entries(A.LOGOUT)
    assert logout.actor == user and logout.owner_agency == user.agency
    assert PASSWORD not in everything_written() and code not in everything_written()
    assert verify_chain() is None


def test_sign_in_with_a_recovery_code_says_so(user):
    codes = otp.new_recovery_codes(user)
    client = Client()
    client.post("/login/", {"username": user.username, "password": PASSWORD})
    client.post(reverse("sharing:otp_verify"), {"code": codes[0]})
    [login] = entries(A.LOGIN)
    assert login.detail["second_factor"] == "recovery_code"
    assert codes[0] not in everything_written() and codes[0].replace("-", "") not in everything_written()


def test_wrong_password_unknown_user_and_wrong_code_are_recorded(user, settings):
    settings.OTP_TOTP_THROTTLE_FACTOR = 0
    Client().post("/login/", {"username": user.username, "password": WRONG_PASSWORD})
    Client().post("/login/", {"username": "nobody.here", "password": WRONG_PASSWORD})
    client = Client()
    client.post("/login/", {"username": user.username, "password": PASSWORD})
    bad = wrong_code(user)
    client.post(reverse("sharing:otp_verify"), {"code": bad})

    wrong_password, unknown, wrong_second = entries(A.LOGIN_FAILED)
    assert wrong_password.detail == {"username": user.username, "reason": "password", "locked_out": False}
    assert wrong_password.owner_agency == user.agency and wrong_password.record_id == user.pk
    assert unknown.detail["username"] == "nobody.here" and unknown.record_id is None and unknown.owner_agency is None
    assert wrong_second.detail["reason"] == "second_factor" and wrong_second.record_id == user.pk
    written = everything_written()
    assert WRONG_PASSWORD not in written and PASSWORD not in written and f'"{bad}"' not in written
    assert not entries(A.LOGIN)
    assert verify_chain() is None


def test_lockout_is_recorded(user, settings):
    client = Client()
    for attempt in range(settings.AXES_FAILURE_LIMIT):
        client.post("/login/", {"username": user.username, "password": WRONG_PASSWORD})
    # Even the right password is refused now, and that attempt is recorded too.
    assert client.post("/login/", {"username": user.username, "password": PASSWORD}).status_code == 429
    failed = entries(A.LOGIN_FAILED)
    assert len(failed) == settings.AXES_FAILURE_LIMIT + 1
    assert [e.detail["locked_out"] for e in failed] == [False] * (settings.AXES_FAILURE_LIMIT - 1) + [True, True]
    assert failed[-1].detail["reason"] == "locked_out"
    assert PASSWORD not in everything_written()


def test_idle_sign_out_is_recorded_with_its_reason(user, settings):
    import time

    from liaison.sharing import auth

    client = Client()
    client.post("/login/", {"username": user.username, "password": PASSWORD})
    client.post(reverse("sharing:otp_verify"), {"code": otp.current_code(user)})
    session = client.session
    session[auth.ACTIVITY_KEY] = int(time.time()) - settings.SESSION_IDLE_TIMEOUT - 5
    session.save()
    client.get(reverse("sharing:security"))
    [logout] = entries(A.LOGOUT)
    assert logout.actor == user and logout.detail == {"reason": "idle"}
