"""Saved searches in a real browser, on a 390-pixel phone: cn_analyst searches
"Ming", saves the search with alerts on, finds it among their saved searches,
and when a new Ming record is written, the inbox tells them, with a link to it.
Screenshots go to /tmp/screens/ for a person to look at."""
from pathlib import Path

import pytest
from playwright.sync_api import expect

from liaison.analysis.models import SavedSearch
from tests.browser.conftest import log_in
from tests.factories import make_person

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PHONE = {"width": 390, "height": 844}
SCREENS = Path("/tmp/screens")


def page_width(page):
    return page.evaluate("document.documentElement.scrollWidth")


def test_save_a_search_on_a_phone_and_hear_of_a_new_match(browser, live_server, world):
    SCREENS.mkdir(exist_ok=True)
    context = browser.new_context(viewport=PHONE, is_mobile=True, has_touch=True, locale="en-GB")
    context.set_default_timeout(15_000)
    page = context.new_page()
    csp_errors = []
    page.on("console", lambda m: "Content Security Policy" in m.text and csp_errors.append(m.text))
    try:
        log_in(page, live_server, world.cn_user)
        page.goto(f"{live_server.url}/search/?q=Ming")
        page.get_by_text("Save this search").click()
        name = page.locator("#saved-search-name")
        expect(name).to_have_value("Ming")
        name.fill("Ming family watch")
        expect(page.get_by_label("Tell me in my inbox when a new record I may see matches it")).to_be_checked()
        assert page_width(page) <= PHONE["width"]
        page.screenshot(path=str(SCREENS / "analysis-saved-form.png"), full_page=True)
        page.get_by_role("button", name="Save", exact=True).click()
        expect(page.locator(".messages")).to_contain_text("Saved as “Ming family watch”")
        assert page.url.endswith("/search/?q=Ming")
        saved = SavedSearch.objects.get()
        assert (saved.owner_id, saved.query, saved.alerts) == (world.cn_user.pk, "Ming", True)

        page.goto(f"{live_server.url}/analysis/saved/")
        card = page.locator(f"#saved-{saved.pk}")
        expect(card.locator("h2")).to_have_text("Ming family watch")
        expect(card).to_contain_text("Alerts")
        assert page_width(page) <= PHONE["width"]
        page.screenshot(path=str(SCREENS / "analysis-saved-list.png"), full_page=True)

        # A colleague writes a new Ming (the live server's database commits at once).
        person = make_person(world.cn, "Ming Xiaoyu", distribution="members", is_synthetic=True)
        page.goto(f"{live_server.url}/requests/inbox/")
        notice = page.locator("#notices a", has_text="Ming family watch")
        expect(notice).to_have_count(1)
        notice.click()
        assert page.url.endswith(f"/persons/{person.pk}/")
        expect(page.locator("h1")).to_contain_text("Ming Xiaoyu")
        assert csp_errors == []
    finally:
        context.close()
