"""Login in two steps (password, then authenticator or recovery code), lockout
after repeated failures, enrolment, session expiry, CSRF and security headers."""
import importlib
import re
import time

import pytest
from django.test import Client
from django.urls import reverse
from django_otp.plugins.otp_totp.models import TOTPDevice

from liaison.sharing import auth, otp
from liaison.sharing.models import User
from tests.factories import login, make_agency, make_user

PASSWORD = "correct horse battery staple"
LOGIN = "/login/"


@pytest.fixture
def agency(db):
    return make_agency("MPS", "CN")


@pytest.fixture
def user(agency):
    return make_user(agency, username="li.wei", password=PASSWORD)


@pytest.fixture
def no_otp_throttle(settings):
    # django-otp makes a device wait 1 s, 2 s, 4 s... after each wrong code;
    # tests that follow a wrong code with a right one would have to sleep.
    settings.OTP_TOTP_THROTTLE_FACTOR = 0
    settings.OTP_STATIC_THROTTLE_FACTOR = 0


def password_step(client, username, password=PASSWORD, **extra):
    return client.post(LOGIN, {"username": username, "password": password, **extra})


def code_step(client, code, **extra):
    return client.post(reverse("sharing:otp_verify"), {"code": code, **extra})


def full_login(client, user):
    assert password_step(client, user.username).status_code == 302
    response = code_step(client, otp.current_code(user))
    assert response.status_code == 302, response.content.decode()
    return response


def page_ok(client):
    """A page every signed-in user may see, owned by this app (not the dashboard under construction)."""
    return client.get(reverse("sharing:security")).status_code == 200


def test_production_settings_hash_passwords_with_argon2():
    production = importlib.import_module("liaison.settings")
    assert production.PASSWORD_HASHERS[0] == "django.contrib.auth.hashers.Argon2PasswordHasher"


# --- two steps -------------------------------------------------------------


def test_password_alone_gives_no_access_to_pages_or_api(client, user):
    response = password_step(client, user.username)
    assert response.status_code == 302
    assert response.url.startswith(reverse("sharing:otp_verify"))

    dashboard = client.get(reverse("web:dashboard"))
    assert dashboard.status_code == 302 and dashboard.url.startswith(LOGIN)
    assert client.get(reverse("sharing:tokens")).status_code == 302
    api = client.get("/api/countries/")
    assert api.status_code in (401, 403)
    assert api["Content-Type"] == "application/json"


def test_wrong_password_says_so_without_telling_which_part(client, user):
    wrong = password_step(client, user.username, "not the password")
    unknown = password_step(Client(), "nobody.here", "not the password")
    assert wrong.status_code == unknown.status_code == 200
    assert "username or the password is wrong" in wrong.content.decode()
    assert "username or the password is wrong" in unknown.content.decode()


def test_wrong_code_is_refused(client, user):
    password_step(client, user.username)
    good = otp.current_code(user)
    bad = f"{(int(good) + 1) % 1_000_000:06d}"
    response = code_step(client, bad)
    assert response.status_code == 200
    assert "That code is not valid" in response.content.decode()
    assert not page_ok(client)


def test_current_code_signs_in_and_goes_to_next(client, user):
    password_step(client, user.username, next=reverse("sharing:tokens"))
    response = code_step(client, otp.current_code(user), next=reverse("sharing:tokens"))
    assert response.status_code == 302 and response.url == reverse("sharing:tokens")
    assert page_ok(client)
    assert client.get("/api/countries/").status_code == 200


def test_next_pointing_elsewhere_is_ignored(client, user):
    password_step(client, user.username)
    response = code_step(client, otp.current_code(user), next="https://evil.example/")
    assert response.url == reverse("web:dashboard")


def test_recovery_code_works_once_only(user):
    codes = otp.new_recovery_codes(user)
    assert len(codes) == 10 and len(set(codes)) == 10

    first = Client()
    password_step(first, user.username)
    response = code_step(first, codes[0].upper().replace("-", " "))  # typed from paper
    assert response.status_code == 302
    assert page_ok(first)

    second = Client()
    password_step(second, user.username)
    response = code_step(second, codes[0])
    assert response.status_code == 200
    assert "That code is not valid" in response.content.decode()
    assert not page_ok(second)
    assert otp.recovery_codes_left(user) == 9


def test_pending_login_expires(client, user):
    password_step(client, user.username)
    session = client.session
    session[auth.PENDING_KEY]["at"] -= auth.PENDING_MAX_AGE + 1
    session.save()
    response = code_step(client, otp.current_code(user))
    assert response.status_code == 302 and response.url == reverse("login")
    assert not page_ok(client)


def test_session_with_password_only_is_sent_to_the_code_step(client, user):
    client.force_login(user)  # e.g. signed in through a password-only form; no device verified
    response = client.get(reverse("sharing:tokens"))
    assert response.status_code == 302 and response.url.startswith(reverse("sharing:otp_verify"))
    api = client.get("/api/countries/")
    assert api.status_code == 403
    assert "second login step" in api.json()["detail"]
    # ...and can finish there.
    assert code_step(client, otp.current_code(user)).status_code == 302
    assert page_ok(client)


def test_factories_login_is_accepted(client, user):
    login(client, user)
    assert page_ok(client)


# --- enrolment --------------------------------------------------------------


def test_first_login_enrols_an_authenticator_then_shows_recovery_codes(client, agency, no_otp_throttle):
    newcomer = User.objects.create_user(username="somchai", password=PASSWORD, agency=agency, roles=["analyst"])
    response = password_step(client, "somchai")
    assert response.url.startswith(reverse("sharing:otp_enrol"))
    assert not page_ok(client)

    page = client.get(response.url)
    html = page.content.decode()
    device = TOTPDevice.objects.get(user=newcomer, confirmed=False)
    assert "<svg" in html and "<img" not in html  # QR drawn on the server, no outside service
    assert otp.secret_text(device) in html
    assert "no-store" in page["Cache-Control"]
    assert client.get(response.url).content.decode().count(otp.secret_text(device)) == 1  # reload: same secret

    wrong = client.post(reverse("sharing:otp_enrol"), {"code": "000000" if otp.code_for(device) != "000000" else "111111"})
    assert "does not match" in wrong.content.decode()
    assert not TOTPDevice.objects.filter(user=newcomer, confirmed=True).exists()

    done = client.post(reverse("sharing:otp_enrol"), {"code": otp.code_for(device)})
    assert done.status_code == 200
    codes = re.findall(r"<code>([a-z2-7]{4}-[a-z2-7]{4})</code>", done.content.decode())
    assert len(codes) == 10
    assert "no-store" in done["Cache-Control"]
    assert TOTPDevice.objects.get(user=newcomer).confirmed
    assert page_ok(client)

    # The recovery codes just shown work at the next login.
    other = Client()
    password_step(other, "somchai")
    assert code_step(other, codes[3]).status_code == 302


def test_user_with_authenticator_cannot_enrol_a_new_one_with_password_only(client, user):
    password_step(client, user.username)
    response = client.get(reverse("sharing:otp_enrol"))
    assert response.status_code == 302 and response.url.startswith(reverse("sharing:otp_verify"))
    assert not TOTPDevice.objects.filter(user=user, confirmed=False).exists()


# --- lockout ----------------------------------------------------------------


def _normalise(html):
    html = re.sub(r'name="csrfmiddlewaretoken" value="[^"]+"', "", html)
    return re.sub(r"\d\d:\d\d", "HH:MM", html)


def test_lockout_after_repeated_failures_even_with_the_right_password(client, user, settings):
    for attempt in range(settings.AXES_FAILURE_LIMIT - 1):
        assert password_step(client, user.username, "wrong").status_code == 200
    locked = password_step(client, user.username, "wrong")
    assert locked.status_code == 429
    html = locked.content.decode()
    assert "Signing in is temporarily blocked" in html
    assert "blocked for 15 minutes" in html and "Try again after" in html
    assert locked["Retry-After"] == "900"

    still = password_step(client, user.username, PASSWORD)
    assert still.status_code == 429
    assert not page_ok(client)
    # Another address is not locked out with it (username + address).
    assert password_step(Client(REMOTE_ADDR="10.0.0.9"), user.username).status_code == 302


def test_lockout_page_does_not_reveal_whether_the_user_exists(user, settings):
    pages = {}
    for name in (user.username, "no.such.officer"):
        client = Client()
        for attempt in range(settings.AXES_FAILURE_LIMIT):
            response = password_step(client, name, "wrong")
        pages[name] = response
    real, fake = pages[user.username], pages["no.such.officer"]
    assert real.status_code == fake.status_code == 429
    assert _normalise(real.content.decode()) == _normalise(fake.content.decode())
    assert "no.such.officer" not in fake.content.decode()


def test_wrong_codes_count_towards_the_lockout(client, user, settings):
    password_step(client, user.username)
    for attempt in range(settings.AXES_FAILURE_LIMIT):
        response = code_step(client, "000000" if otp.current_code(user) != "000000" else "111111")
    assert response.status_code == 429
    assert "temporarily blocked" in response.content.decode()
    # The half-finished login is dropped: the right code no longer helps.
    assert code_step(client, otp.current_code(user)).status_code == 302
    assert not page_ok(client)


def test_success_resets_the_failure_count(user, settings):
    client = Client()
    for attempt in range(settings.AXES_FAILURE_LIMIT - 1):
        password_step(client, user.username, "wrong")
    full_login(client, user)
    other = Client()
    for attempt in range(settings.AXES_FAILURE_LIMIT - 1):
        assert password_step(other, user.username, "wrong").status_code == 200


# --- session expiry -------------------------------------------------------


def _age_session(client, key, seconds):
    session = client.session
    session[key] = int(time.time()) - seconds
    session.save()


def test_idle_session_is_signed_out(client, user, settings):
    full_login(client, user)
    assert page_ok(client)
    _age_session(client, auth.ACTIVITY_KEY, settings.SESSION_IDLE_TIMEOUT + 5)
    response = client.get(reverse("sharing:security"))
    assert response.status_code == 302 and response.url.startswith(LOGIN)
    page = client.get(response.url)
    assert "signed out after 30 minutes without activity" in page.content.decode()
    assert not page_ok(client)


def test_recent_activity_keeps_the_session(client, user, settings):
    full_login(client, user)
    _age_session(client, auth.ACTIVITY_KEY, settings.SESSION_IDLE_TIMEOUT - 120)
    assert page_ok(client)
    # That request counted as activity, so the idle clock restarted.
    assert time.time() - client.session[auth.ACTIVITY_KEY] < 60


def test_idle_api_session_gets_json_401(client, user, settings):
    full_login(client, user)
    _age_session(client, auth.ACTIVITY_KEY, settings.SESSION_IDLE_TIMEOUT + 5)
    response = client.get("/api/countries/")
    assert response.status_code == 401
    assert "without activity" in response.json()["detail"]


def test_session_has_an_absolute_lifetime(client, user, settings):
    full_login(client, user)
    _age_session(client, auth.AUTH_AT_KEY, settings.SESSION_COOKIE_AGE + 5)
    response = client.get(reverse("sharing:security"))
    assert response.status_code == 302 and response.url.startswith(LOGIN)


def test_logout_ends_the_session(client, user):
    full_login(client, user)
    assert client.post(reverse("logout")).status_code == 302
    assert not page_ok(client)


# --- CSRF and headers --------------------------------------------------------


def test_csrf_is_enforced_on_login(user):
    client = Client(enforce_csrf_checks=True)
    assert password_step(client, user.username).status_code == 403
    client.get(LOGIN)
    token = client.cookies["csrftoken"].value
    assert password_step(client, user.username, csrfmiddlewaretoken=token).status_code == 302


def test_csrf_is_enforced_on_a_form_post(user):
    client = login(Client(enforce_csrf_checks=True), user)
    form = {"name": "export", "scope": "read", "days": "30"}
    assert client.post(reverse("sharing:tokens"), form).status_code == 403
    client.get(reverse("sharing:tokens"))
    form["csrfmiddlewaretoken"] = client.cookies["csrftoken"].value
    assert client.post(reverse("sharing:tokens"), form).status_code == 200


def test_security_headers(client, user):
    response = client.get(LOGIN)
    csp = response["Content-Security-Policy"]
    assert "default-src 'self'" in csp
    assert "script-src 'self';" in csp and "unsafe-inline" not in csp
    assert "frame-ancestors 'none'" in csp
    assert response["X-Frame-Options"] == "DENY"
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Referrer-Policy"] == "same-origin"
    login(client, user)
    assert "unsafe-inline" not in client.get(reverse("sharing:tokens"))["Content-Security-Policy"]


def test_swagger_page_alone_may_run_its_inline_script(client, user):
    login(client, user)
    response = client.get(reverse("api:docs"))
    assert response.status_code == 200
    assert "script-src 'self' 'unsafe-inline'" in response["Content-Security-Policy"]


def test_password_of_another_user_replaces_a_half_finished_login(client, user, agency):
    other = make_user(agency, username="nguyen.van.a", password=PASSWORD)
    client.force_login(user)  # signed in without a second factor
    password_step(client, other.username)
    assert code_step(client, otp.current_code(other)).status_code == 302
    assert client.get(reverse("sharing:security")).context["user"] == other
