"""Issue 17, in the browser on the demo data: cn.analyst opens Jingyao, downloads
the phase 1 report from the phase's "Report (PDF)" link and gets a PDF marked
TLP:GREEN on every page, with the CN-only follow-up of phase 1 in it; th.officer
does the same and gets the report without it.
"""
import io

import pytest
from pypdf import PdfReader

from liaison.demo.agencies import DEMO_PASSWORD
from liaison.demo.demo_report import TITLE
from tests.browser.conftest import log_in
from tests.browser.test_phone_layout import demo  # noqa: F401 - the demo fixture

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def download_phase_1_report(browser, live_server, user, jingyao):
    context = browser.new_context(viewport={"width": 1280, "height": 800}, locale="en-GB", accept_downloads=True)
    context.set_default_timeout(30_000)
    page = context.new_page()
    log_in(page, live_server, user, DEMO_PASSWORD)
    page.goto(f"{live_server.url}/operations/{jingyao.pk}/")
    with page.expect_download() as info:
        page.locator("#phase-1").get_by_role("link", name="Report (PDF)").click()
    download = info.value
    name = download.suggested_filename
    data = open(download.path(), "rb").read()
    context.close()
    return name, [p.extract_text() for p in PdfReader(io.BytesIO(data)).pages]


def test_phase_1_report_downloads_green_on_every_page_and_th_officer_gets_less(browser, live_server, demo):
    from liaison.operations.models import Operation

    jingyao = Operation.objects.get(name="Jingyao")
    name, pages = download_phase_1_report(browser, live_server, demo.users["cn.analyst"], jingyao)
    assert name.endswith("TLP-GREEN.pdf")
    assert all(page.count("TLP:GREEN") >= 2 for page in pages)
    text = " ".join(" ".join(pages).split())
    assert "Jingyao – phase 1" in text and "more than 70,000 suspects" in text and TITLE in text

    name, pages = download_phase_1_report(browser, live_server, demo.users["th.officer"], jingyao)
    assert all(page.count("TLP:GREEN") >= 2 for page in pages)
    text = " ".join(" ".join(pages).split())
    assert "more than 70,000 suspects" in text and TITLE not in text and "赵文" not in text
