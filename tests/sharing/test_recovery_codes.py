"""Recovery codes are kept only as salted hashes: a copy of the database
yields no code that signs anybody in."""
import importlib

import pytest
from django.apps import apps as global_apps
from django.db import connection
from django.test import Client
from django.urls import reverse
from django_otp.plugins.otp_static.models import StaticDevice, StaticToken

from liaison.sharing import otp
from tests.factories import make_agency, make_user

pytestmark = pytest.mark.django_db
PASSWORD = "correct horse battery staple"


@pytest.fixture
def user(db):
    return make_user(make_agency("MPS", "CN"), username="li.wei", password=PASSWORD)


def database_dump():
    """Every text value of every table, as a stolen backup would hold it."""
    values = []
    with connection.cursor() as cursor:
        for table in connection.introspection.table_names():
            cursor.execute(f'SELECT * FROM "{table}"')
            values.extend(str(v).lower() for row in cursor.fetchall() for v in row if v is not None)
    return "\n".join(values)


def sign_in_with(code, user):
    client = Client()
    client.post("/login/", {"username": user.username, "password": PASSWORD})
    return client.post(reverse("sharing:otp_verify"), {"code": code}).status_code == 302


def test_codes_are_not_stored_readable(user):
    codes = otp.new_recovery_codes(user)
    dump = database_dump()
    for code in codes:
        assert code not in dump and code.replace("-", "") not in dump
    assert otp.recovery_codes_left(user) == 10


def test_each_code_signs_in_once(user, settings):
    settings.OTP_STATIC_THROTTLE_FACTOR = 0
    codes = otp.new_recovery_codes(user)
    assert sign_in_with(codes[4].upper().replace("-", " "), user)
    assert otp.recovery_codes_left(user) == 9
    assert not sign_in_with(codes[4], user)
    assert sign_in_with(codes[5], user)
    # New codes replace the old ones.
    otp.new_recovery_codes(user)
    assert not sign_in_with(codes[6], user)


def test_codes_kept_in_clear_by_older_versions_are_hashed_by_the_migration(user, settings):
    settings.OTP_STATIC_THROTTLE_FACTOR = 0
    device = StaticDevice.objects.create(user=user, name="recovery codes", confirmed=True)
    StaticToken.objects.bulk_create(StaticToken(device=device, token=t) for t in ("abcd2345", "efgh6723"))

    migration = importlib.import_module("liaison.sharing.migrations.0008_hash_recovery_codes")
    migration.hash_clear_codes(global_apps, None)

    assert not StaticToken.objects.exists() and not StaticDevice.objects.exists()
    assert "abcd2345" not in database_dump()
    assert otp.recovery_codes_left(user) == 2
    assert sign_in_with("abcd-2345", user)
    assert not sign_in_with("abcd-2345", user)
