"""What an officer reads when a request fails on the server (liaison/ops/errors.py): a
database restart, a service down or a full disk answer 503 with a sentence saying what
to do; a bug answers 500 with a reference. No page shows the error's own text."""
import errno

import pytest
from django.db import OperationalError
from django.test import Client

from liaison.ops import errors
from tests.factories import login, make_agency, make_user

pytestmark = pytest.mark.django_db


@pytest.fixture
def officer_client():
    client = Client(raise_request_exception=False)
    login(client, make_user(make_agency("ERR-POL")))
    return client


def failing_search(monkeypatch, exc):
    def boom(*_args, **_kwargs):
        raise exc

    monkeypatch.setattr("liaison.web.views.pages.registry_search", boom)


def test_database_down_answers_503_with_what_to_do(officer_client, monkeypatch):
    failing_search(monkeypatch, OperationalError("connection to server at 10.0.0.5 failed: SECRET-DETAIL"))
    response = officer_client.get("/search/", {"q": "Ming"})
    body = response.content.decode()
    assert response.status_code == 503 and response["Retry-After"] == "30"
    assert "cannot reach its database" in body and "whether it was saved" in body
    assert "SECRET-DETAIL" not in body and "10.0.0.5" not in body


def test_full_disk_answers_503_saying_so(officer_client, monkeypatch):
    failing_search(monkeypatch, OSError(errno.ENOSPC, "No space left on device: /srv/media/SECRET"))
    response = officer_client.get("/search/", {"q": "Ming"})
    body = response.content.decode()
    assert response.status_code == 503 and "disk is full" in body
    assert "/srv/media" not in body and "Retry-After" not in response


def test_a_bug_answers_500_with_a_reference_and_no_detail(officer_client, monkeypatch):
    failing_search(monkeypatch, ZeroDivisionError("SECRET-DETAIL"))
    response = officer_client.get("/search/", {"q": "Ming"}, HTTP_X_REQUEST_ID="ref-12345678")
    body = response.content.decode()
    assert response.status_code == 500 and "ref-12345678" in body and "tell your" in body
    assert "SECRET-DETAIL" not in body and "ZeroDivisionError" not in body


def test_wrapped_driver_errors_are_recognised():
    try:
        try:
            raise OSError(errno.ENOSPC, "full")
        except OSError as inner:
            raise RuntimeError("while saving") from inner
    except RuntimeError as outer:
        assert errors.classify(outer) == "disk"
    assert errors.classify(ValueError("x")) is None
