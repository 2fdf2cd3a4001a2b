"""The platform administrator manages agencies and accounts in /admin/ without
ever holding an agency, reading a secret or taking over an officer's account."""
import base64
import re
from html.parser import HTMLParser

import pytest
from django.contrib import admin
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.test import Client
from django.urls import reverse
from django_otp.plugins.otp_totp.models import TOTPDevice
from rest_framework.test import APIClient

from liaison.audit.log import verify as verify_chain
from liaison.audit.models import AuditEntry
from liaison.registry.models import Person
from liaison.sharing import otp
from liaison.sharing.models import Role, User
from liaison.sharing.tokens import ApiToken
from tests.factories import login, make_agency, make_person, make_user

pytestmark = pytest.mark.django_db
PASSWORD = "correct horse battery staple"


class FormFields(HTMLParser):
    """What a browser would submit from the admin's change form: every named
    input, select and textarea of ``<form id="…_form">`` with its current value."""

    def __init__(self):
        super().__init__()
        self.data, self._in_form, self._select, self._textarea = {}, False, None, None

    def _add(self, name, value):
        self.data.setdefault(name, []).append(value)

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        if tag == "form":
            self._in_form = (a.get("id") or "").endswith("_form")
        if not self._in_form or "disabled" in a:
            return
        if tag == "input" and a.get("name") and a.get("type") not in ("submit", "button", "file"):
            if a.get("type") in ("checkbox", "radio"):
                if "checked" in a:
                    self._add(a["name"], a.get("value", "on"))
            else:
                self._add(a["name"], a.get("value", ""))
        elif tag == "select" and a.get("name"):
            self._select = a["name"]
            self.data.setdefault(a["name"], [])
        elif tag == "option" and self._select and "selected" in a:
            self._add(self._select, a.get("value", ""))
        elif tag == "textarea" and a.get("name"):
            self._textarea = a["name"]
            self.data[self._textarea] = [""]

    def handle_data(self, data):
        if self._textarea:
            self.data[self._textarea][-1] += data

    def handle_endtag(self, tag):
        if tag == "form":
            self._in_form = False
        elif tag == "select":
            self._select = None
        elif tag == "textarea":
            self._textarea = None


def change_form_data(client, url):
    parser = FormFields()
    parser.feed(client.get(url).content.decode())
    return {k: (v if len(v) != 1 else v[0]) for k, v in parser.data.items() if v}


@pytest.fixture
def w(db):
    cn = make_agency("MPS", "CN")
    officer = make_user(cn, roles=(Role.LIAISON_OFFICER,), username="li.wei", password=PASSWORD)
    platform = User.objects.create_user(
        username="platform", password=PASSWORD, roles=[Role.PLATFORM_ADMIN], is_staff=True, is_superuser=True
    )
    otp.ensure_device(platform)
    victim = make_person(cn, "Protected Victim", distribution="members", protection="victim")
    make_person(cn, "Published Person", distribution="public")
    return {"cn": cn, "officer": officer, "platform": platform, "victim": victim,
            "admin": login(Client(), platform)}


def user_change_url(user):
    return reverse("admin:sharing_user_change", args=[user.pk])


# --- never holds an agency ----------------------------------------------------


def test_a_platform_administrator_can_hold_no_agency(w):
    platform = w["platform"]
    platform.agency = w["cn"]
    with pytest.raises(ValidationError) as error:
        platform.full_clean()
    assert "agency" in error.value.message_dict
    with pytest.raises(IntegrityError), transaction.atomic():
        User.objects.filter(pk=platform.pk).update(agency=w["cn"])
    with pytest.raises(IntegrityError), transaction.atomic():
        User.objects.filter(pk=w["officer"].pk).update(is_superuser=True)


def test_the_administrator_cannot_give_themselves_an_agency_or_roles(w):
    client, platform = w["admin"], w["platform"]
    url = user_change_url(platform)
    for change in ({"agency": str(w["cn"].pk)}, {"roles": [Role.LIAISON_OFFICER]}, {"is_active": ""}):
        data = change_form_data(client, url)
        data.update(change)
        response = client.post(url, data)
        assert response.status_code in (200, 302)
        platform.refresh_from_db()
        assert platform.agency_id is None and platform.is_active, change
        assert Role.LIAISON_OFFICER not in platform.roles, change
    # ...so through the API they still read public records only, never the protected victim.
    api = login(APIClient(), platform)
    names = {p["display_name"] for p in api.get("/api/persons/").json()["results"]}
    assert names == {"Published Person"}


def test_an_officer_account_cannot_be_made_platform_administrator_while_in_an_agency(w):
    client, officer = w["admin"], w["officer"]
    url = user_change_url(officer)
    data = change_form_data(client, url)
    for flag in ("is_platform_admin", "is_staff", "is_superuser"):
        data[flag] = "on"
    response = client.post(url, data)
    assert response.status_code == 200
    assert "holds no agency" in response.content.decode()
    officer.refresh_from_db()
    assert not officer.is_staff and not officer.is_superuser and officer.agency_id == w["cn"].pk


def test_roles_and_agency_changes_by_the_administrator_are_audited(w):
    client, officer = w["admin"], w["officer"]
    url = user_change_url(officer)
    data = change_form_data(client, url)
    data["roles"] = [Role.ANALYST]
    assert client.post(url, data).status_code == 302
    officer.refresh_from_db()
    assert officer.roles == [Role.ANALYST]
    entry = AuditEntry.objects.get(action=AuditEntry.Action.ACCOUNT, record_id=officer.pk)
    assert entry.actor == w["platform"] and entry.owner_agency == w["cn"]
    assert entry.detail["changes"]["roles"] == [[Role.LIAISON_OFFICER], [Role.ANALYST]]


# --- secrets are never shown -------------------------------------------------------


def test_no_admin_page_shows_a_secret(w, settings):
    settings.OTP_STATIC_THROTTLE_FACTOR = 0
    officer = w["officer"]
    device = TOTPDevice.objects.get(user=officer)
    codes = otp.new_recovery_codes(officer)
    token, key = ApiToken.issue(officer, "nightly export")
    # A mistyped recovery code is almost the real one: it must not be kept readable either.
    typo = codes[0][:-1] + ("a" if codes[0][-1] != "a" else "b")
    attempt = Client()
    attempt.post("/login/", {"username": officer.username, "password": PASSWORD})
    attempt.post(reverse("sharing:otp_verify"), {"code": typo})
    from axes.models import AccessAttempt

    assert AccessAttempt.objects.exists()
    assert typo not in "".join(AccessAttempt.objects.values_list("post_data", flat=True))

    secrets = {
        device.key, base64.b32encode(device.bin_key).decode().rstrip("="), otp.secret_text(device),
        *codes, *(c.replace("-", "") for c in codes), typo, typo.replace("-", ""),
        key, token.digest, officer.password, officer.password.split("$")[-1],
    }
    client = w["admin"]
    pages = [reverse("admin:index")]
    for model in admin.site._registry:
        opts = model._meta
        pages.append(reverse(f"admin:{opts.app_label}_{opts.model_name}_changelist"))
        for pk in model._default_manager.values_list("pk", flat=True)[:5]:
            pages.append(reverse(f"admin:{opts.app_label}_{opts.model_name}_change", args=[pk]))
    for url in pages:
        response = client.get(url)
        assert response.status_code == 200, url
        html = response.content.decode()
        leaked = [s for s in secrets if s and s in html]
        assert not leaked, (url, leaked)


def test_device_and_token_models_have_no_admin_pages(w):
    client = w["admin"]
    for url in ("/admin/otp_totp/totpdevice/", "/admin/otp_static/staticdevice/", "/admin/sharing/apitoken/",
                "/admin/registry/person/", "/admin/audit/auditentry/"):
        assert client.get(url).status_code == 404, url


def test_the_admin_lists_no_operational_data(w):
    html = w["admin"].get(reverse("admin:index")).content.decode()
    for word in ("Person", "Registry", "Operation", "Audit", "TOTP", "Static", "API token", "Recovery", "Groups"):
        assert word not in html, word
    assert "Agencies" in html and "Users" in html


def test_the_administrator_cannot_set_a_password(w):
    client, officer = w["admin"], w["officer"]
    url = f"/admin/sharing/user/{officer.pk}/password/"
    page = client.get(url, follow=True)
    assert "password1" not in page.content.decode()
    client.post(url, {"password1": "a new password 123", "password2": "a new password 123"}, follow=True)
    officer.refresh_from_db()
    assert officer.check_password(PASSWORD)
    assert "password/" not in client.get(user_change_url(officer)).content.decode()


# --- reset instead of takeover ------------------------------------------------------


def reset(client, *users):
    return client.post(reverse("admin:sharing_user_changelist"), {
        "action": "reset_credentials", "_selected_action": [str(u.pk) for u in users],
    })


def test_reset_ends_access_and_gives_a_one_time_set_up_link(w, settings):
    officer = w["officer"]
    otp.new_recovery_codes(officer)
    token, _key = ApiToken.issue(officer, "script")
    officers_browser = login(Client(), officer)
    assert officers_browser.get(reverse("sharing:security")).status_code == 200

    response = reset(w["admin"], officer)
    assert response.status_code == 200
    assert "no-store" in response["Cache-Control"]
    html = response.content.decode()
    links = re.findall(r"https?://testserver(/account/set-up/[^\"<\s]+)", html)
    assert len(links) == 1

    officer.refresh_from_db()
    assert not officer.has_usable_password()
    assert not otp.has_authenticator(officer) and otp.recovery_codes_left(officer) == 0
    token.refresh_from_db()
    assert token.revoked_at is not None
    # The officer's open session ends with the old credentials.
    assert officers_browser.get(reverse("sharing:security")).status_code == 302
    entry = AuditEntry.objects.get(action=AuditEntry.Action.CREDENTIALS_RESET)
    assert entry.actor == w["platform"] and entry.record_id == officer.pk and entry.owner_agency == w["cn"]
    assert verify_chain() is None

    # The officer opens the link, chooses a password, and must enrol a new authenticator.
    browser = Client()
    page = browser.get(links[0], follow=True)
    assert page.status_code == 200 and "new_password1" in page.content.decode()
    done = browser.post(page.redirect_chain[-1][0] if page.redirect_chain else links[0],
                        {"new_password1": "a brand new pass phrase", "new_password2": "a brand new pass phrase"})
    assert done.status_code == 302 and done.url == reverse("login")
    step = browser.post("/login/", {"username": officer.username, "password": "a brand new pass phrase"})
    assert step.status_code == 302 and step.url.startswith(reverse("sharing:otp_enrol"))
    # The link works once.
    again = Client().get(links[0], follow=True)
    assert "new_password1" not in again.content.decode()
    assert AuditEntry.objects.filter(action=AuditEntry.Action.ACCOUNT, record_id=officer.pk,
                                     detail__change="password_set").exists()


def test_the_administrator_cannot_reset_their_own_account(w):
    response = reset(w["admin"], w["platform"])
    assert w["platform"].__class__.objects.get(pk=w["platform"].pk).has_usable_password()
    assert otp.has_authenticator(w["platform"])
    assert not AuditEntry.objects.filter(action=AuditEntry.Action.CREDENTIALS_RESET).exists()
    assert response.status_code in (200, 302)


def test_a_new_account_gets_a_set_up_link_not_a_password(w):
    client = w["admin"]
    url = reverse("admin:sharing_user_add")
    data = change_form_data(client, url)
    data.update(username="new.officer", agency=str(w["cn"].pk), roles=[Role.ANALYST])
    response = client.post(url, data)
    assert response.status_code == 200, response.content.decode()[:2000]
    assert "/account/set-up/" in response.content.decode()
    user = User.objects.get(username="new.officer")
    assert not user.has_usable_password() and user.agency == w["cn"] and user.roles == [Role.ANALYST]
    assert AuditEntry.objects.filter(action=AuditEntry.Action.ACCOUNT, record_id=user.pk,
                                     detail__change="created").exists()


def test_platform_administrator_sees_only_public_records(w):
    platform = w["platform"]
    assert list(Person.objects.visible_to(platform).values_list("display_name", flat=True)) == ["Published Person"]
    page = w["admin"].get(reverse("web:list", args=["persons"]))
    assert "Protected Victim" not in page.content.decode()


# --- cannot make themselves an officer (second attack round) --------------------


def _sign_in(username, password):
    return Client().post("/login/", {"username": username, "password": password})


@pytest.fixture
def with_agency_admin(w):
    w["cn_admin"] = make_user(w["cn"], roles=(Role.AGENCY_ADMIN,), username="cn.admin", password=PASSWORD)
    return w


def test_an_account_the_administrator_creates_waits_for_the_agency(with_agency_admin):
    """Attack: the platform administrator creates an officer account in CN, opens the
    set-up link it is shown, and signs in as a CN officer. The agency's own
    administrator must confirm the account first."""
    w = with_agency_admin
    url = reverse("admin:sharing_user_add")
    data = change_form_data(w["admin"], url)
    data.update(username="mole", agency=str(w["cn"].pk), roles=[Role.ANALYST])
    html = w["admin"].post(url, data).content.decode()
    link = re.search(r"https?://testserver(/account/set-up/[^\"<\s]+)", html).group(1)
    browser = Client()
    page = browser.get(link, follow=True)
    browser.post(page.redirect_chain[-1][0], {"new_password1": "admin's own pass 1", "new_password2": "admin's own pass 1"})
    refused = _sign_in("mole", "admin's own pass 1")
    assert refused.status_code == 200 and "waits for an administrator of your agency" in refused.content.decode()
    # CN's administrator confirms (after checking with the officer in person): now it works.
    cn_admin = login(Client(), w["cn_admin"])
    mole = User.objects.get(username="mole")
    assert "waits for your confirmation" in cn_admin.get("/agency/users/").content.decode()
    assert cn_admin.post(f"/agency/users/{mole.pk}/confirm/").status_code == 302
    assert _sign_in("mole", "admin's own pass 1").status_code == 302
    assert AuditEntry.objects.filter(action=AuditEntry.Action.ACCOUNT, record_id=mole.pk,
                                     detail__change="confirmed_by_agency").exists()


def test_a_reset_by_the_administrator_waits_for_the_agency(with_agency_admin):
    w = with_agency_admin
    html = reset(w["admin"], w["officer"]).content.decode()
    link = re.search(r"https?://testserver(/account/set-up/[^\"<\s]+)", html).group(1)
    browser = Client()
    page = browser.get(link, follow=True)
    browser.post(page.redirect_chain[-1][0], {"new_password1": "taken over pass 1", "new_password2": "taken over pass 1"})
    assert _sign_in("li.wei", "taken over pass 1").status_code == 200
    # An API token cannot be used either, nor an open session.
    officer = User.objects.get(pk=w["officer"].pk)
    _token, key = ApiToken.issue(officer, "script")
    assert APIClient(HTTP_AUTHORIZATION=f"Token {key}").get("/api/persons/").status_code in (401, 403)
    assert login(Client(), officer).get("/persons/").status_code == 302
    # Nobody confirms their own account.
    assert login(Client(), officer).post(f"/agency/users/{officer.pk}/confirm/").status_code in (302, 404)
    assert User.objects.get(pk=officer.pk).awaits_agency_confirmation


def test_moving_an_account_into_an_agency_waits_for_that_agency(with_agency_admin):
    """Attack: create the account in an agency with no administrator of its own
    (no confirmation there), then move it into CN."""
    w = with_agency_admin
    empty = make_agency("NEW", "LA")
    stray = make_user(empty, username="stray", password=PASSWORD)
    url = user_change_url(stray)
    data = change_form_data(w["admin"], url)
    data.update(agency=str(w["cn"].pk))
    w["admin"].post(url, data)
    stray.refresh_from_db()
    assert stray.agency == w["cn"] and stray.awaits_agency_confirmation
    assert _sign_in("stray", PASSWORD).status_code == 200


def test_an_agency_without_an_administrator_gets_its_first_from_the_platform(w):
    url = reverse("admin:sharing_user_add")
    data = change_form_data(w["admin"], url)
    data.update(username="first.admin", agency=str(w["cn"].pk), roles=[Role.AGENCY_ADMIN])
    w["admin"].post(url, data)
    assert not User.objects.get(username="first.admin").awaits_agency_confirmation


def test_the_administrator_reads_no_officer_sign_in_log(w):
    """Attack (second round, low): /admin/ listed every officer's sign-in times,
    addresses and browsers (axes' access logs)."""
    Client().post("/login/", {"username": "li.wei", "password": "wrong"})
    for name in ("accesslog", "accessfailurelog"):
        assert w["admin"].get(f"/admin/axes/{name}/").status_code == 404
