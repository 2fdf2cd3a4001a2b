"""A screener on a 390-pixel phone: signs in, lands on screening, uploads a manifest, reads the hits."""
from pathlib import Path

import pytest

from tests.browser.conftest import log_in
from tests.browser.test_phone_layout import PHONE, overflow

from .conftest import as_csv, build, manifest_rows

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def world(transactional_db):
    from django_countries import countries

    from liaison.core.models import Country

    if not Country.objects.exists():  # transactional tests empty the countries of the data migration
        Country.objects.bulk_create(Country(code=code, name=name) for code, name in countries)
    return build()


def test_a_screener_uploads_a_manifest_on_a_phone(world, browser, live_server, tmp_path):
    context = browser.new_context(viewport=PHONE, locale="en-GB")
    context.set_default_timeout(20_000)
    page = context.new_page()
    try:
        log_in(page, live_server, world.screener, "correct horse battery staple")
        assert page.url.endswith("/screening/")  # the dashboard sends a screener to screening
        assert overflow(page)["scrollWidth"] <= PHONE["width"]
        page.get_by_role("link", name="Upload a manifest").first.click()
        manifest = Path(tmp_path) / "mae_sot.csv"
        manifest.write_bytes(as_csv(manifest_rows(120)))
        page.set_input_files("input[name=file]", str(manifest))
        page.fill("input[name=place]", "Mae Sot border checkpoint")
        # The first submit is held back in the page, to read what it says meanwhile (the count, a rough time).
        page.evaluate("() => { window.held = (e) => e.preventDefault(); "
                      "document.querySelector('form[data-screening-progress]').addEventListener('submit', window.held); }")
        page.get_by_role("button", name="Screen the manifest").click()
        status = page.locator("#screening-working")
        status.filter(has_text="Screening 120 travellers").wait_for()
        assert "seconds" in status.inner_text()
        assert page.get_by_role("button", name="Screen the manifest").is_disabled()  # not sent twice
        page.evaluate("() => document.querySelector('form[data-screening-progress]').submit()")
        page.wait_for_url("**/screening/runs/*/")
        assert page.locator("h1").inner_text().startswith("1 hit")
        first = page.locator(".screening-results li").first
        assert "HIT" in first.inner_text() and "Ministry of Public Security (test)" in first.inner_text()
        assert "明学昌" not in page.content()
        assert overflow(page)["scrollWidth"] <= PHONE["width"]
        page.screenshot(path="/tmp/screens/screening_manifest_390.png", full_page=False)
    finally:
        context.close()
