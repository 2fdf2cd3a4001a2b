"""Issue 17, link analysis in the browser, on the demo data, as a new user would try it.

cn.analyst opens the Ming family's link analysis, goes to a member, expands
his links, asks for the path to a phone number and sees that two persons of
different agencies share it; exports the picture. The same works on a
390-pixel phone, with nothing the CSP blocks.
"""
import re
from pathlib import Path

import pytest
from playwright.sync_api import expect

from liaison.demo import builder
from liaison.demo.agencies import DEMO_PASSWORD
from tests.browser.conftest import log_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]
SCREENS = Path("/tmp/screens")  # for a person to look at


@pytest.fixture
def demo(transactional_db):
    from django_countries import countries

    from liaison.core.models import Country

    # Transactional tests empty every table afterwards, the countries included.
    if not Country.objects.exists():
        Country.objects.bulk_create(Country(code=code, name=name) for code, name in countries)
    return builder.load()


def open_family(page, live_server, demo):
    from liaison.registry.models import Organisation

    family = Organisation.objects.get(kind=Organisation.Kind.FAMILY, name__startswith="Ming family")
    log_in(page, live_server, demo.users["cn.analyst"], password=DEMO_PASSWORD)
    page.goto(f"{live_server.url}/organisations/{family.pk}/")
    page.get_by_role("link", name="Link analysis", exact=True).click()
    expect(page.locator("#link-analysis.la-ready")).to_be_visible()
    return family


def shown_table(page):
    table = page.locator(".la-table-wrap")
    if not table.evaluate("d => d.open"):
        table.locator("summary").click()
    return table


def test_from_the_family_to_a_member_to_a_phone_shared_across_agencies(page, live_server, demo):
    open_family(page, live_server, demo)
    expect(page.locator("h1")).to_have_text("Ming family (Kokang)")
    table = shown_table(page)
    # The family's members and leader, each a button that selects the record in the picture.
    expect(table.get_by_role("button", name="Ming Guoping")).to_have_count(1)
    expect(table.get_by_role("button", name="Ming Xuechang")).to_have_count(1)

    # To a member, and his links.
    table.get_by_role("button", name="Ming Guoping").click()
    panel = page.locator(".la-panel")
    expect(panel.locator(".la-node-title")).to_have_text("Ming Guoping")
    expect(panel).to_contain_text("CN-MPS")
    panel.get_by_role("button", name="Show its links").click()
    expect(table.get_by_role("button", name="+959450012345")).to_have_count(1)
    expect(table).to_contain_text("uses phone")

    # The path to a phone number, found with the searchable picker.
    select = page.locator("select[name=path-record]")
    expect(select).to_have_class(re.compile("tomselected"))
    search = page.locator(f"#{select.get_attribute('id')}-ts-control")
    search.click()
    search.press_sequentially("+95 9 4500 12345", delay=20)
    option = page.locator(".ts-dropdown .option", has_text="+959450012345").filter(has_text="MM-MPF")
    expect(option).to_be_visible()
    option.click()
    page.get_by_role("button", name="Find the path").click()
    results = page.locator(".la-results")
    expect(results.locator(".la-results-title")).to_have_text("Links on the shortest path: 2")
    steps = results.locator(".la-path-steps li")
    expect(steps).to_have_count(3)
    # Each step names the link to the next: his number (China's record), the same number in Myanmar's.
    expect(steps.nth(0)).to_have_text("Ming Guoping CN-MPS — uses phone")
    expect(steps.nth(1)).to_have_text("+959450012345 CN-MPS — same value")
    expect(steps.nth(2)).to_have_text("+959450012345 MM-MPF")

    # Who holds that number: two persons of two agencies.
    group = results.locator(".la-group").first
    expect(group.locator("h3")).to_have_text("Phone number +959450012345")
    expect(group.locator(".la-across")).to_have_text("2 records hold this phone number · 2 agencies: CN-MPS, MM-MPF")
    expect(group.locator("li")).to_have_count(2)
    expect(group.locator("li").nth(0)).to_contain_text("Ming Guoping")
    expect(group.locator("li").nth(1)).to_contain_text("ဇော်မင်းထွန်း")  # Zaw Min Htun, as Myanmar wrote it
    expect(group.locator("li").nth(1)).to_contain_text("MM-MPF")

    SCREENS.mkdir(exist_ok=True)
    page.screenshot(path=str(SCREENS / "analysis-graph-path.png"), full_page=True)

    # Key members of what is shown, then the picture with its marking.
    page.get_by_role("button", name="Key members").click()
    expect(results.locator(".la-results-title")).to_have_text("Key members")
    # The family links its members; Guoping links the family to the phone and so to Myanmar's record.
    expect(results.locator("ol li").nth(0)).to_contain_text("Ming family (Kokang)")
    expect(results.locator("ol li").nth(1)).to_contain_text("Ming Guoping")
    with page.expect_download() as download:
        page.get_by_role("button", name="Picture (PNG)").click()
    assert download.value.suggested_filename == "link-analysis-TLP-GREEN.png"
    with page.expect_download() as download:
        page.get_by_role("button", name="GraphML").click()
    assert download.value.suggested_filename == "link-analysis-TLP-GREEN.graphml"
    assert "ဇော်မင်းထွန်း" in open(download.value.path(), encoding="utf-8").read()
    assert page.csp_errors == []


def test_hide_pin_and_filter_then_on_a_phone(page, live_server, demo):
    page.set_viewport_size({"width": 390, "height": 844})
    open_family(page, live_server, demo)
    assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")
    table = shown_table(page)
    table.get_by_role("button", name="Ming Julan").click()
    panel = page.locator(".la-panel")
    panel.get_by_role("button", name="Pin in place").click()
    expect(panel.get_by_role("button", name="Unpin")).to_be_visible()
    panel.get_by_role("button", name="Hide").click()
    expect(table.get_by_role("button", name="Ming Julan")).to_have_count(0)
    hidden = page.locator(".la-hidden-list")
    expect(hidden).to_contain_text("Ming Julan")
    hidden.get_by_role("button", name="Show again").click()
    expect(table.get_by_role("button", name="Ming Julan")).to_have_count(1)
    # Persons off: the family's members leave the table.
    page.locator(".la-filters summary").click()
    page.locator(".la-types input[value=person]").uncheck()
    expect(table.get_by_role("button", name="Ming Julan")).to_have_count(0)
    page.locator(".la-types input[value=person]").check()
    expect(table.get_by_role("button", name="Ming Julan")).to_have_count(1)
    assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")
    SCREENS.mkdir(exist_ok=True)
    page.screenshot(path=str(SCREENS / "analysis-graph-phone.png"), full_page=True)
    assert page.csp_errors == []
