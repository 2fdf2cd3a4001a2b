"""Schemathesis over the OpenAPI schema, as users of different agencies.

Every operation of the schema is called with generated requests (valid and
invalid) by an officer of each of three agencies. Two properties must hold:
no request ever gets a 5xx, and no response ever contains a record another
agency did not share (each agency's owner-only records carry a unique marker
in their names, notes and identifiers).
"""
import pytest
import schemathesis
from django.core import signals
from django.core.wsgi import get_wsgi_application
from django.db import close_old_connections
from hypothesis import HealthCheck, given, settings

from liaison.registry.models import Identifier, Organisation, PersonName, Source
from liaison.sharing.tokens import ApiToken
from tests.factories import make_agency, make_person, make_user


@pytest.fixture
def api_world(db):
    world = {}
    for code in ("CN", "MM", "KH"):
        agency = make_agency(f"{code}-POL", code)
        user = make_user(agency, roles=("liaison_officer", "analyst"))
        _token, key = ApiToken.issue(user, "fuzz", scope=ApiToken.Scope.READ_WRITE, days=1)
        marker = f"SECRET{code}MARKER"
        person = make_person(agency, f"{marker} Person", notes=marker)
        PersonName.objects.create(person=person, full_name=f"{marker} alias", kind="alias")
        Organisation.objects.create(owner=agency, name=f"{marker} Group")
        Source.objects.create(owner=agency, title=f"{marker} report", text=marker)
        Identifier.objects.create(owner=agency, kind="telegram", value=f"{marker.lower()}_tg")
        make_person(agency, f"Shared {code}", distribution="members")
        world[code] = {"key": key, "marker": marker}
    return world


@pytest.fixture
def keep_test_connection():
    """Schemathesis calls the WSGI application directly, so Django's
    request-finished signal would close the test's database connection (and
    its transaction) after the first request; Django's own test client avoids
    this the same way."""
    signals.request_started.disconnect(close_old_connections)
    signals.request_finished.disconnect(close_old_connections)
    yield
    signals.request_started.connect(close_old_connections)
    signals.request_finished.connect(close_old_connections)


def test_no_server_error_and_no_cross_agency_leak(api_world, keep_test_connection):
    schema = schemathesis.openapi.from_wsgi("/api/schema/", get_wsgi_application())
    checked = 0
    for result in schema.get_all_operations():
        operation = result.ok()

        @given(case=operation.as_strategy())
        @settings(max_examples=4, deadline=None, suppress_health_check=list(HealthCheck), derandomize=True, database=None)
        def exercise(case):
            for code, me in api_world.items():
                response = case.call(headers={"Authorization": f"Token {me['key']}"})
                where = f"{case.method} {case.formatted_path} as {code}"
                assert response.status_code < 500, f"{where}: {response.status_code} {response.text[:300]}"
                body = response.text.upper()
                for other, theirs in api_world.items():
                    if other != code:
                        assert theirs["marker"] not in body, f"{where} leaked {other}'s record"

        exercise()
        checked += 1
    # The schema really was explored, not an empty list.
    assert checked > 40
