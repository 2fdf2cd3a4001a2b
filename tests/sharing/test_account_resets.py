"""An agency administrator's second-factor reset of an officer is an audited
act, and nobody resets their own second factor through it."""
import pytest
from django.test import Client
from django.urls import reverse

from liaison.audit.models import AuditEntry
from liaison.sharing import otp
from liaison.sharing.models import Role
from tests.factories import login, make_agency, make_user

pytestmark = pytest.mark.django_db


@pytest.fixture
def w(db):
    cn, mm = make_agency("MPS", "CN"), make_agency("MOHA", "MM")
    return {"cn": cn, "mm": mm, "admin": make_user(cn, roles=(Role.AGENCY_ADMIN,)), "officer": make_user(cn),
            "foreign": make_user(mm)}


def reset_otp(client, user):
    return client.post(reverse("agency-user-reset-otp", args=[user.pk]))


def test_second_factor_reset_by_the_agency_administrator_is_audited(w):
    officer = w["officer"]
    otp.new_recovery_codes(officer)
    assert reset_otp(login(Client(), w["admin"]), officer).status_code == 302
    assert not otp.has_authenticator(officer) and otp.recovery_codes_left(officer) == 0
    entry = AuditEntry.objects.get(action=AuditEntry.Action.CREDENTIALS_RESET)
    assert entry.actor == w["admin"] and entry.record_id == officer.pk and entry.owner_agency == w["cn"]
    assert entry.detail["second_factor"] is True and entry.detail["password"] is False


def test_an_administrator_cannot_reset_their_own_second_factor_or_another_agencys(w):
    client = login(Client(), w["admin"])
    response = reset_otp(client, w["admin"])
    assert otp.has_authenticator(w["admin"])
    assert response.status_code in (302, 403)
    assert reset_otp(client, w["foreign"]).status_code == 404
    assert otp.has_authenticator(w["foreign"])
    assert not AuditEntry.objects.filter(action=AuditEntry.Action.CREDENTIALS_RESET).exists()


def edit_account(client, user, **fields):
    data = {"username": user.username, "first_name": user.first_name, "last_name": user.last_name,
            "email": user.email, "roles": user.roles, "is_active": "on" if user.is_active else ""}
    data.update(fields)
    return client.post(reverse("agency-user-edit", args=[user.pk]), data)


def test_an_agency_administrator_cannot_give_themselves_roles(w):
    admin = w["admin"]
    client = login(Client(), admin)
    edit_account(client, admin, roles=[Role.AGENCY_ADMIN, Role.LIAISON_OFFICER], first_name="Chen")
    admin.refresh_from_db()
    assert admin.roles == [Role.AGENCY_ADMIN] and admin.first_name == "Chen"
    assert not admin.can_share


def test_role_changes_by_the_agency_administrator_are_audited(w):
    officer = w["officer"]
    response = edit_account(login(Client(), w["admin"]), officer, roles=[Role.LIAISON_OFFICER])
    assert response.status_code == 302
    entry = AuditEntry.objects.get(action=AuditEntry.Action.ACCOUNT, record_id=officer.pk)
    assert entry.actor == w["admin"] and entry.owner_agency == w["cn"]
    assert entry.detail["changes"]["roles"] == [[Role.ANALYST], [Role.LIAISON_OFFICER]]
