"""The login steps and the API docs in real Chromium, under the strict
Content-Security-Policy: nothing the pages need may be blocked."""
import pytest

from liaison.sharing import otp
from liaison.sharing.models import User

PASSWORD = "correct horse battery staple"
pytestmark = pytest.mark.browser


@pytest.fixture
def newcomer(transactional_db):
    from django_countries import countries

    from liaison.core.models import Country
    from tests.factories import make_agency

    if not Country.objects.exists():  # transactional tests empty the data migration's tables
        Country.objects.bulk_create(Country(code=code, name=name) for code, name in countries)
    return User.objects.create_user(username="somchai", password=PASSWORD, agency=make_agency("RTP", "TH"))


def submit(page):
    page.locator("main form button[type=submit]").first.click()
    page.wait_for_load_state()


def test_enrol_sign_in_and_use_the_api_docs_under_the_csp(page, live_server, newcomer):
    page.goto(f"{live_server.url}/login/")
    page.fill("input[name=username]", "somchai")
    page.fill("input[name=password]", PASSWORD)
    submit(page)

    # Enrolment: the QR code is drawn inline and visible.
    qr = page.locator("figure.qr svg")
    assert qr.is_visible() and qr.bounding_box()["width"] > 100
    device = newcomer.totpdevice_set.get(confirmed=False)
    page.fill("input[name=code]", otp.code_for(device))
    submit(page)
    assert page.locator("ol.recovery-codes li").count() == 10

    page.goto(f"{live_server.url}/api/docs/")
    page.wait_for_selector(".swagger-ui .info .title")
    assert "Liaison API" in page.inner_text(".swagger-ui .info .title")
    page.wait_for_selector(".opblock-tag")  # the schema was fetched and drawn
    assert page.csp_errors == []
