"""Issue 17, in the browser on the demo data: cn.analyst opens Jingyao's
dashboard from the operation page on a 390-pixel phone and sees the phases on
the timeline and the figures chart ("more than 70,000" suspects of phase 1);
on a desk screen the timeline also shows its time axis. Screenshots go to
/tmp/screens/ for a person to look at.
"""
from pathlib import Path

import pytest

from liaison.demo.agencies import DEMO_PASSWORD
from tests.browser.conftest import log_in
from tests.browser.test_phone_layout import PHONE, demo, overflow  # noqa: F401 - the demo fixture

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

SCREENS = Path("/tmp/screens")


def test_cn_analyst_opens_jingyaos_dashboard_on_a_phone(browser, live_server, demo):
    from liaison.operations.models import Operation

    jingyao = Operation.objects.get(name="Jingyao")
    context = browser.new_context(viewport=PHONE, is_mobile=True, has_touch=True, device_scale_factor=2, locale="en-GB")
    context.set_default_timeout(15_000)
    page = context.new_page()
    csp = []
    page.on("console", lambda m: "Content Security Policy" in m.text and csp.append(m.text))
    log_in(page, live_server, demo.users["cn.analyst"], DEMO_PASSWORD)
    page.goto(f"{live_server.url}/operations/{jingyao.pk}/")
    page.get_by_role("link", name="Dashboard: figures, timeline, persons").click()
    page.wait_for_load_state("load")
    assert page.url.endswith(f"/analysis/operations/{jingyao.pk}/")

    # The phases, on the timeline (the sources give them no dates: listed in order).
    timeline = page.locator("#timeline")
    for phase in ("Jingyao – phase 1", "Jingyao – phase 2"):
        assert timeline.locator(".atl-phase", has_text=phase).first.is_visible(), phase
    assert timeline.get_by_text("LMLECC review meeting of Jingyao phase 1").is_visible()

    # The figures chart: the qualifier kept on the bar, the chart as wide as the screen.
    chart = page.locator("#figures svg.chart").first
    chart.scroll_into_view_if_needed()
    assert chart.is_visible()
    assert chart.locator("text", has_text="more than 70,000").count() == 1
    box = chart.bounding_box()
    assert 300 < box["width"] <= PHONE["width"]
    found = overflow(page)
    assert found["scrollWidth"] <= PHONE["width"], found["wide"]
    assert csp == []
    SCREENS.mkdir(exist_ok=True)
    page.screenshot(path=str(SCREENS / "analysis-jingyao-dashboard-phone.png"), full_page=True)
    context.close()


def test_on_a_desk_screen_the_timeline_has_a_time_axis(page, live_server, demo):
    """A person with dated statuses: on a wide screen each item sits on the axis."""
    from django.db.models import Count

    from liaison.registry.models import Person

    user = demo.users["cn.analyst"]
    person = (Person.objects.visible_to(user).filter(protection="").annotate(n=Count("statuses"))
              .order_by("-n", "id").first())
    log_in(page, live_server, user, DEMO_PASSWORD)
    page.goto(f"{live_server.url}/persons/{person.pk}/")
    page.get_by_role("link", name="Timeline", exact=True).click()
    page.wait_for_load_state("load")
    assert page.locator(".atl-axis .atl-tick").first.is_visible()
    bars = page.locator(".atl-track .atl-bar")
    assert bars.count() >= 1 and bars.first.is_visible()
    assert bars.first.bounding_box()["width"] >= 6
    SCREENS.mkdir(exist_ok=True)
    page.screenshot(path=str(SCREENS / "analysis-person-timeline-desk.png"), full_page=True)
    from liaison.operations.models import Operation

    page.goto(f"{live_server.url}/analysis/operations/{Operation.objects.get(name='Jingyao').pk}/")
    assert page.locator("#figures svg.chart").count() == 2
    page.screenshot(path=str(SCREENS / "analysis-jingyao-dashboard-desk.png"), full_page=True)
    assert page.csp_errors == []
