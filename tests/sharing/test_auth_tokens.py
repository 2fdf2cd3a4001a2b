"""Personal API tokens: stored only as a digest, expiring, revocable, scoped;
the "My API tokens" page and the ``liaison token`` command."""
import io
import re
from datetime import timedelta

import pytest
from django.contrib.sessions.models import Session
from django.core.exceptions import ValidationError
from django.core.management import CommandError, call_command
from django.test import Client
from django.urls import reverse
from django.utils import timezone
from rest_framework.test import APIClient

from liaison.sharing.tokens import ApiToken
from tests.factories import login, make_agency, make_user

READ_URL = "/api/countries/"
WRITE_URL = "/api/persons/"


@pytest.fixture
def user(db):
    return make_user(make_agency("MPS", "CN"), username="li.wei")


def api(key):
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {key}")
    return client


def test_valid_token_reads_and_records_last_use(user):
    token, key = ApiToken.issue(user, "export", days=30)
    response = api(key).get(READ_URL)
    assert response.status_code == 200
    token.refresh_from_db()
    assert token.last_used is not None


def test_unknown_token_is_refused_with_401(db):
    response = api("lia_not-a-real-token").get(READ_URL)
    assert response.status_code == 401
    assert response["WWW-Authenticate"] == "Token"
    assert "Unknown API token" in response.json()["detail"]


def test_expired_token_is_refused_with_401(user):
    token, key = ApiToken.issue(user, "old script", days=1)
    ApiToken.objects.filter(pk=token.pk).update(expires=timezone.now() - timedelta(minutes=1))
    response = api(key).get(READ_URL)
    assert response.status_code == 401
    assert "expired" in response.json()["detail"]


def test_revoked_token_is_refused_with_401(user):
    token, key = ApiToken.issue(user, "laptop", days=30)
    token.revoke()
    response = api(key).get(READ_URL)
    assert response.status_code == 401
    assert "revoked" in response.json()["detail"]


def test_token_of_a_disabled_account_is_refused(user):
    token, key = ApiToken.issue(user, "laptop", days=30)
    user.is_active = False
    user.save()
    assert api(key).get(READ_URL).status_code == 401


def test_read_only_token_cannot_write(user):
    token, key = ApiToken.issue(user, "dashboard feed", scope=ApiToken.Scope.READ, days=30)
    for method in ("post", "put", "patch", "delete"):
        response = getattr(api(key), method)(WRITE_URL, {}, format="json")
        assert response.status_code == 403, method
        assert "“read” scope" in response.json()["detail"]


def test_read_write_token_passes_the_scope_check(user):
    token, key = ApiToken.issue(user, "importer", scope=ApiToken.Scope.READ_WRITE, days=30)
    response = api(key).post(WRITE_URL, {}, format="json")
    assert response.status_code not in (401, 403)  # an empty person is then refused by validation


def test_token_is_stored_only_as_a_digest(user):
    token, key = ApiToken.issue(user, "export", days=30)
    stored = str(list(ApiToken.objects.values()))
    assert key not in stored
    assert key[4:] not in stored  # nor its random part
    assert token.prefix == key[:12] and len(token.digest) == 64


def test_expiry_is_required_and_bounded(user):
    with pytest.raises(ValidationError, match="within 1 to 365 days"):
        ApiToken.issue(user, "forever", days=366)
    with pytest.raises(ValidationError, match="within 1 to 365 days"):
        ApiToken.issue(user, "never", days=0)
    with pytest.raises(ValidationError, match="name"):
        ApiToken.issue(user, "  ", days=10)


# --- the page -----------------------------------------------------------------


def test_token_page_shows_the_key_once_and_lists_it(user):
    client = login(Client(), user)
    response = client.post(reverse("sharing:tokens"), {"name": "nightly export", "scope": "read", "days": "30"})
    assert response.status_code == 200
    html = response.content.decode()
    key = re.search(r"lia_[A-Za-z0-9_\-]{20,}", html).group(0)
    assert "no-store" in response["Cache-Control"]
    assert api(key).get(READ_URL).status_code == 200

    listing = client.get(reverse("sharing:tokens")).content.decode()
    assert key not in listing
    assert key[:12] in listing and "nightly export" in listing and "Read only" in listing
    # Not kept in the session either.
    assert not any(key in str(s.get_decoded()) for s in Session.objects.all())


def test_token_page_rejects_too_long_validity(user):
    client = login(Client(), user)
    response = client.post(reverse("sharing:tokens"), {"name": "x", "scope": "read", "days": "400"})
    assert "less than or equal to 365" in response.content.decode()
    assert not ApiToken.objects.exists()


def test_revoke_from_the_page(user):
    token, key = ApiToken.issue(user, "laptop", days=30)
    client = login(Client(), user)
    response = client.post(reverse("sharing:token_revoke", args=[token.pk]), follow=True)
    assert "is revoked" in response.content.decode()
    assert api(key).get(READ_URL).status_code == 401


def test_someone_elses_token_is_not_found(user):
    other = make_user(user.agency, username="other")
    token, key = ApiToken.issue(other, "theirs", days=30)
    client = login(Client(), user)
    assert client.post(reverse("sharing:token_revoke", args=[token.pk])).status_code == 404
    assert "theirs" not in client.get(reverse("sharing:tokens")).content.decode()
    assert api(key).get(READ_URL).status_code == 200


def test_token_page_query_count(user, django_assert_max_num_queries):
    for n in range(8):
        ApiToken.issue(user, f"script {n}", days=30)
    client = login(Client(), user)
    with django_assert_max_num_queries(6):
        assert client.get(reverse("sharing:tokens")).status_code == 200


# --- the command ----------------------------------------------------------------


def test_cli_creates_a_token_and_prints_it_once(user):
    out, err = io.StringIO(), io.StringIO()
    call_command("token", "create", "li.wei", "--scope", "read", "--days", "30", stdout=out, stderr=err)
    key = out.getvalue().strip()
    assert key.startswith("lia_")
    token = ApiToken.objects.get()
    assert token.scope == "read" and (token.expires - timezone.now()).days in (29, 30)
    assert api(key).get(READ_URL).status_code == 200

    listing = io.StringIO()
    call_command("token", "list", "li.wei", stdout=listing)
    assert token.prefix in listing.getvalue() and key not in listing.getvalue()

    call_command("token", "revoke", "li.wei", token.prefix, stdout=io.StringIO())
    assert api(key).get(READ_URL).status_code == 401


def test_cli_explains_bad_input(user):
    with pytest.raises(CommandError, match="within 1 to 365 days"):
        call_command("token", "create", "li.wei", "--days", "1000")
    with pytest.raises(CommandError, match="No user named"):
        call_command("token", "create", "ghost")
