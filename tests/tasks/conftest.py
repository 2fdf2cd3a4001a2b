"""Two agencies (DH imports lists, TH must never see DH's jobs), their officers and
administrators, and a 20-row slice of the demo's handover list (the whole 571-row
list is imported once, by the real-worker test and tests/registry/test_import_ui.py)."""
from types import SimpleNamespace

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from liaison.demo.handover import HANDOVER_CSV
from liaison.sharing.models import Role
from tests.factories import login, make_agency, make_user

ROWS = 20


def small_csv(rows=ROWS, skip=0):
    lines = HANDOVER_CSV.read_text(encoding="utf-8").splitlines()
    return ("\n".join([lines[0], *lines[1 + skip:1 + skip + rows]]) + "\n").encode("utf-8")


@pytest.fixture(autouse=True)
def staging(settings, tmp_path):
    settings.LIAISON_IMPORT_STAGING_DIR = tmp_path / "staging"
    return settings.LIAISON_IMPORT_STAGING_DIR


@pytest.fixture
def w(db):
    from django_countries import countries

    from liaison.core.models import Country

    # Transactional tests empty every table afterwards, the countries of the data
    # migration included: put them back (as tests/browser/conftest.py does).
    if not Country.objects.exists():
        Country.objects.bulk_create(Country(code=code, name=name) for code, name in countries)
    dh, th = make_agency("DH-J", "CN"), make_agency("TH-J", "TH")
    return SimpleNamespace(
        dh=dh, th=th,
        officer=make_user(dh, roles=(Role.ANALYST,)), colleague=make_user(dh, roles=(Role.ANALYST,)),
        dh_admin=make_user(dh, roles=(Role.AGENCY_ADMIN,)),
        th_officer=make_user(th, roles=(Role.ANALYST,)), th_admin=make_user(th, roles=(Role.AGENCY_ADMIN,)),
    )


def upload_and_confirm(client, user, data=None, filename="muse.csv", follow=False, **headers):
    """The import page as an officer uses it: upload, then confirm. Returns the confirm answer."""
    login(client, user)
    file = SimpleUploadedFile(filename, data if data is not None else small_csv(), content_type="text/csv")
    report = client.post("/registry/import/", {"file": file, "distribution": "owner", "tlp": "AMBER"}, **headers)
    assert report.status_code == 200, report.content.decode()[:2000]
    sha = report.context["pending"]["sha"]
    return client.post("/registry/import/confirm/", {"sha": sha}, follow=follow, **headers)
