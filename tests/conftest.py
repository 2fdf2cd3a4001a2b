"""Fixtures shared by every test package.

Browser tests: one Debian Chromium per test session (Playwright's sync API
allows one running instance per thread), one fresh context per test. Every
page records Content-Security-Policy violations in ``page.csp_errors`` so
tests can assert that nothing a page needs was blocked.
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
    context.set_default_timeout(15_000)
    page = context.new_page()
    page.csp_errors = []
    page.on("console", lambda m: "Content Security Policy" in m.text and page.csp_errors.append(m.text))
    yield page
    context.close()
