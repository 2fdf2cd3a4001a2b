"""Issue 17's map, in the browser on the demo data, on a 390-pixel phone.

cn.analyst opens Jingyao, follows "Map", and sees its sites as markers on country
outlines (no tile server: world-atlas and the region's administrative areas, served
by Liaison); the map fills the screen's width and the filters wait in a closed panel.
th.officer, following the same link, sees only the two sites TH-RTP may see. The time
slider turns the Ming family compound from "closed" back to "raided". Screenshots go
to /tmp/screens/ for a person to look at.
"""
import pytest

from liaison.demo.agencies import DEMO_PASSWORD
from liaison.operations.models import Operation
from tests.browser.conftest import log_in
from tests.browser.test_phone_layout import PHONE, SCREENS, demo, overflow  # noqa: F401 - the demo fixture

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def open_map_from_jingyao(browser, live_server, user, viewport=PHONE):
    phone = viewport is PHONE
    context = browser.new_context(viewport=viewport, is_mobile=phone, has_touch=phone, locale="en-GB")
    context.set_default_timeout(20_000)
    page = context.new_page()
    page.csp_errors = []
    page.on("console", lambda m: "Content Security Policy" in m.text and page.csp_errors.append(m.text))
    log_in(page, live_server, user, DEMO_PASSWORD)
    jingyao = Operation.objects.get(name="Jingyao")
    page.goto(f"{live_server.url}/operations/{jingyao.pk}/")
    page.get_by_role("link", name="Map", exact=True).click()
    page.wait_for_url("**/analysis/map/?operation=*")
    page.wait_for_selector("#map[data-places][data-outlines=countries]")
    return context, page


def test_cn_analyst_sees_jingyaos_sites_on_country_outlines_on_a_phone(browser, live_server, demo):
    SCREENS.mkdir(exist_ok=True)
    context, page = open_map_from_jingyao(browser, live_server, demo.users["cn.analyst"])
    try:
        canvas = page.locator("#map")
        # The four sites of Jingyao's phase 1 CN-MPS may see, each a marker (or a group of them).
        assert canvas.get_attribute("data-places") == "4"
        assert page.locator("#map .leaflet-marker-icon").count() >= 1
        status = page.locator("#map-status").inner_text()
        assert "sites 4" in status and "events 5" in status
        # The outlines are drawn on the map's own canvas, under the markers.
        assert page.locator("#map .map-outlines-pane canvas").count() >= 1
        # The map fills the phone's width; the filters wait in a closed panel.
        box = canvas.bounding_box()
        assert box["width"] >= PHONE["width"] - 40
        assert page.locator("#map-panel").get_attribute("open") is None
        assert overflow(page)["scrollWidth"] <= PHONE["width"]
        page.screenshot(path=str(SCREENS / "analysis-map-cn.png"))

        # A site's marker opens its popup with its status and a link to its page.
        page.locator("#map-panel summary").click()
        page.locator("#map-filters input[name=kind][value=crossing]").check()
        page.wait_for_selector("#map[data-places='1']")  # (wait_for_function evaluates a string: the CSP refuses it)
        page.locator("#map-panel summary").click()
        page.locator("#map .leaflet-marker-icon").first.click()
        popup = page.locator(".leaflet-popup-content")
        assert "Mae Sot" in popup.inner_text() and "Active" in popup.inner_text()
        assert "?kind=crossing" in page.url or "kind=crossing" in page.url

        # The time slider: on 1 December 2023 the Ming family compound was raided, not yet closed.
        page.goto(page.url.split("?")[0] + f"?operation={Operation.objects.get(name='Jingyao').pk}&at=2023-12-01")
        page.wait_for_selector("#map[data-places]")
        assert "1 Dec 2023" in page.locator("#map-at-label").inner_text()
        data = page.evaluate(
            """async () => {
                const r = await fetch('/analysis/map/data?bbox=90,0,110,30&at=2023-12-01&show=sites');
                return await r.json();
            }""")
        ming = next(f["properties"] for f in data["features"] if "Ming family" in f["properties"]["name"])
        assert ming["status"] == "raided"
        page.screenshot(path=str(SCREENS / "analysis-map-cn-2023-12-01.png"))
        assert page.csp_errors == []
    finally:
        context.close()


def test_th_officer_sees_only_the_sites_th_may_see(browser, live_server, demo):
    # On a desktop screen this time: the filters open beside the map.
    context, page = open_map_from_jingyao(browser, live_server, demo.users["th.officer"], {"width": 1280, "height": 800})
    try:
        assert page.locator("#map").get_attribute("data-places") == "2"
        assert "sites 2" in page.locator("#map-status").inner_text()
        text = page.content()
        assert "Tachileik" not in text and "Sihanoukville" not in text
        assert page.locator("#map-panel").get_attribute("open") is not None
        SCREENS.mkdir(exist_ok=True)
        page.screenshot(path=str(SCREENS / "analysis-map-th-desktop.png"))
        assert page.csp_errors == []
    finally:
        context.close()
