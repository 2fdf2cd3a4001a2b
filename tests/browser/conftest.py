"""Browser tests: real headless Chromium (Debian's) against pytest-django's live server.

One browser per session; one page (fresh context) per test. Logging in goes
through ``log_in`` only, so that a second-factor step added later needs a
change in one place.
"""
import os

import pytest

# The live server runs in a thread; Playwright's sync API runs an event loop in
# this one, which makes Django's async-safety check refuse ORM calls from tests.
os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"

CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
                 "--disable-sync", "--no-first-run", "--disable-quic"]


@pytest.fixture(scope="session")
def browser():
    from playwright.sync_api import sync_playwright

    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path="/usr/bin/chromium", args=CHROMIUM_ARGS)
        yield browser
        browser.close()


@pytest.fixture
def page(browser):
    context = browser.new_context(viewport={"width": 1280, "height": 800}, locale="en-GB")
    context.set_default_timeout(10_000)
    page = context.new_page()
    yield page
    context.close()


@pytest.fixture
def world(transactional_db):
    from django_countries import countries

    from liaison.core.models import Country
    from tests.web.world import build_world

    # Transactional tests empty every table afterwards, the countries of the
    # data migration included: put them back.
    if not Country.objects.exists():
        Country.objects.bulk_create(Country(code=code, name=name) for code, name in countries)
    return build_world()


def log_in(page, live_server, user, password=None):
    """Log in through the real form, as an officer would; ends on the page after login."""
    from liaison.sharing.otp import current_code
    from tests.web.world import PASSWORD

    page.goto(f"{live_server.url}/login/")
    page.fill("input[name=username]", user.get_username())
    page.fill("input[name=password]", password or PASSWORD)
    page.locator("main form button[type=submit]").first.click()
    page.wait_for_load_state()
    # Second step (authenticator code); the field is "code" in liaison.sharing's form.
    otp = page.locator("input[name=otp_token], input[name=code]")
    if otp.count():
        otp.fill(current_code(user))
        page.locator("main form button[type=submit]").first.click()
        page.wait_for_load_state()
    return page
