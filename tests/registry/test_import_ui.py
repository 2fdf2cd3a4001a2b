"""The import page: upload → dry-run report → confirm, as an officer uses it."""
import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from liaison.demo.handover import BAD_CSV, HANDOVER_CSV
from liaison.registry.models import Person, Source
from liaison.sharing.models import Role
from tests.factories import login, make_agency, make_user
from tests.budgets import INBOX_BADGE

pytestmark = pytest.mark.django_db
URL = "/registry/import/"


@pytest.fixture(autouse=True)
def staging(settings, tmp_path):
    settings.LIAISON_IMPORT_STAGING_DIR = tmp_path / "staging"
    return settings.LIAISON_IMPORT_STAGING_DIR


@pytest.fixture
def officer(client):
    user = make_user(make_agency("DH", "CN"), roles=(Role.ANALYST,))
    login(client, user)
    return user


def upload(client, path=HANDOVER_CSV, data=None, **fields):
    file = SimpleUploadedFile(path.name, data if data is not None else path.read_bytes(), content_type="text/csv")
    return client.post(URL, {"file": file, "distribution": "owner", "tlp": "AMBER", **fields})


def test_upload_shows_the_dry_run_then_confirm_imports(client, officer, staging, django_assert_max_num_queries):
    page = client.get(URL)
    assert page.status_code == 200 and "Import a person list" in page.content.decode()

    with django_assert_max_num_queries(12 + INBOX_BADGE):
        response = upload(client)
    html = response.content.decode()
    assert response.status_code == 200
    assert "571 rows ready to import" in html
    assert "LUO Jianhua" in html and "罗建华" in html
    assert "In custody (--11-18) – China" in html, "the preview shows labels, not stored codes"
    assert not Person.objects.exists(), "the dry run must not write anything"
    assert len(list(staging.iterdir())) == 1

    sha = response.context["pending"]["sha"]
    response = client.post(reverse("registry:import_confirm"), {"sha": sha})
    assert response.status_code == 302
    assert Person.objects.filter(owner=officer.agency, created_by=officer).count() == 571
    assert not list(staging.iterdir()), "the staged upload is deleted once imported"

    # Confirming again (double click, back button) imports nothing more.
    response = client.post(reverse("registry:import_confirm"), {"sha": sha}, follow=True)
    assert "no longer waiting" in response.content.decode()
    assert Person.objects.count() == 571

    response = upload(client)
    assert response.status_code == 422
    assert "already imported these rows" in response.content.decode()


def test_a_bad_file_lists_every_bad_line_and_offers_no_import(client, officer):
    response = upload(client, BAD_CSV)
    html = response.content.decode()
    assert response.status_code == 422
    assert "line 3: birth_date “1990-13” is not a date: month 13 does not exist" in html
    assert "line 5: nationality “Narnia”" in html
    assert "import_confirm" not in html and reverse("registry:import_confirm") not in html
    assert not Person.objects.exists()


def test_confirm_revalidates_the_staged_bytes(client, officer, staging):
    response = upload(client)
    sha = response.context["pending"]["sha"]
    staged = next(staging.iterdir())
    staged.write_bytes(BAD_CSV.read_bytes())  # tampered or corrupted between the two steps
    response = client.post(reverse("registry:import_confirm"), {"sha": sha}, follow=True)
    assert "Upload it again" in response.content.decode()
    assert not Person.objects.exists()


def test_oversized_and_wrong_type_files_are_refused_with_the_limit(client, officer):
    response = upload(client, data=b"name\n" + b"x" * (5 * 1024 * 1024 + 10))
    assert response.status_code == 400 and "the limit is 5.0\xa0MB" in response.content.decode()
    response = client.post(URL, {"file": SimpleUploadedFile("list.xls", b"\xd0\xcf\x11\xe0"), "distribution": "owner",
                                 "tlp": "AMBER"})
    assert response.status_code == 400 and "save them as .xlsx first" in response.content.decode()


def test_shared_without_agencies_is_refused(client, officer):
    response = upload(client, distribution="shared")
    assert response.status_code == 400
    assert "Choose at least one agency" in response.content.decode()


def test_viewers_cannot_import_and_anonymous_users_must_log_in(client):
    assert client.get(URL).status_code == 302
    viewer = make_user(make_agency("VW", "TH"), roles=(Role.VIEWER,))
    login(client, viewer)
    assert client.get(URL).status_code == 403
    assert upload(client).status_code == 403
    assert not Source.objects.exists()
