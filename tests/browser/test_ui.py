"""The officer's main paths, in a real browser."""
import os
from pathlib import Path

import pytest
from playwright.sync_api import expect

from liaison.registry.models import Person
from tests.browser.conftest import log_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_login_lands_on_dashboard_with_operation_figures(page, live_server, world):
    log_in(page, live_server, world.cn_user)
    assert page.locator("h1").inner_text() == "Dashboard"
    body = page.locator("main").inner_text()
    assert "Jingyao" in body
    assert "more than 70,000 suspects" in body and "70,571" not in body
    assert "cn_analyst · MPS" in page.locator(".who").inner_text()


def test_search_by_latin_chinese_and_phone(page, live_server, world):
    log_in(page, live_server, world.cn_user)
    page.fill(".quicksearch input[name=q]", "Ming")
    page.press(".quicksearch input[name=q]", "Enter")
    # count() does not wait: wait for the results page itself (on a busy machine the
    # dashboard's <main> was still there when counted).
    page.wait_for_url("**/search/?q=Ming")
    page.wait_for_load_state()
    results = page.locator("main")
    assert results.get_by_role("link", name="Ming Guoping").count() == 1
    assert results.get_by_role("link", name="Ming family").count() == 1
    results.get_by_role("link", name="Ming family").click()
    assert page.locator("h1").inner_text() == "Ming family"
    assert "Kokang compound 7" in page.locator("main").inner_text()

    page.goto(f"{live_server.url}/search/")
    page.fill("#q", "明国平")
    page.click("form.searchbox button")
    page.get_by_role("link", name="Ming Guoping").click()
    assert page.locator("td.name", has_text="明国平").count() == 1

    page.goto(f"{live_server.url}/search/")
    page.fill("#q", "+86 138-0013-8000")
    page.click("form.searchbox button")
    page.get_by_role("link", name="+8613800138000").click()
    assert "Ming Guoping" in page.locator("main").inner_text()


def test_create_person_with_thai_name(page, live_server, world):
    log_in(page, live_server, world.cn_user)
    page.click("details.newmenu summary")
    page.click("details.newmenu a:has-text('Person')")
    page.fill("input[name=names-0-full_name]", "สมชาย ใจดี")
    page.select_option("select[name=names-0-kind]", "primary")
    page.fill("input[name=names-0-language]", "th")
    page.fill("input[name=birth_date]", "1980-05")
    page.click("button:has-text('Save')")
    # As written, and romanised beside it for a reader of another script (issue 14).
    assert page.locator("h1 bdi").inner_text() == "สมชาย ใจดี"
    assert page.locator("h1 .romanised").inner_text() == "(Somchai Chaidi)"
    row = page.locator("table.names tr", has_text="สมชาย ใจดี")
    assert "Thai" in row.inner_text()
    assert "May 1980" in page.locator("main").inner_text()
    person = Person.objects.get(display_name="สมชาย ใจดี")
    assert person.owner_id == world.cn.pk and person.created_by_id == world.cn_user.pk


def test_arabic_names_keep_their_direction_inside_a_left_to_right_page(page, live_server, world):
    """Arabic is data here, not an interface language (issue 14): names are
    isolated (<bdi dir=auto>), so they read right to left and the page's own
    punctuation around them stays where it belongs."""
    log_in(page, live_server, world.cn_user)
    page.goto(f"{live_server.url}/persons/{world.guoping.pk}/")
    expect(page.locator("html")).to_have_attribute("dir", "ltr")
    arabic = page.locator("td.name", has_text="مينغ غوبينغ")
    assert arabic.evaluate("el => getComputedStyle(el).direction") == "rtl"
    latin = page.locator("td.name", has_text="Ming Guoping")
    assert latin.evaluate("el => getComputedStyle(el).direction") == "ltr"
    # The brand stays at the left edge: the interface is not mirrored.
    assert page.locator(".brand").bounding_box()["x"] < 100
    # In a list, the Arabic name is isolated: the row's text around it keeps its order.
    page.goto(f"{live_server.url}/search/?q=%D9%85%D9%8A%D9%86%D8%BA")
    isolated = page.locator("main bdi", has_text="مينغ")
    assert isolated.count() >= 1
    assert isolated.first.evaluate("el => getComputedStyle(el).unicodeBidi") == "isolate"


def test_other_agency_gets_404_for_owner_only_person(page, live_server, world):
    log_in(page, live_server, world.mm_user)
    response = page.goto(f"{live_server.url}/persons/{world.secret.pk}/")
    assert response.status == 404
    assert "not shared with your agency" in page.locator("main").inner_text()
    assert "Owner Only Suspect" not in page.content()


def test_person_page_renders_every_script(page, live_server, world, tmp_path):
    """The README's screenshot; LIAISON_SCREENSHOT=1 writes it to docs/screenshot.png."""
    log_in(page, live_server, world.cn_user)
    page.goto(f"{live_server.url}/persons/{world.guoping.pk}/")
    names = page.locator("main").inner_text()
    assert "明国平" in names and "Ming Guoping" in names
    target = Path(__file__).resolve().parents[2] / "docs" / "screenshot.png" if os.environ.get("LIAISON_SCREENSHOT") else tmp_path / "person.png"
    page.screenshot(path=str(target))
    assert target.stat().st_size > 10_000
