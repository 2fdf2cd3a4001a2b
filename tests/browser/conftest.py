"""Browser tests: real headless Chromium (Debian's) against pytest-django's live server.

The browser and page fixtures are in tests/conftest.py. Logging in goes
through ``log_in`` only, so that a second-factor step added later needs a
change in one place.
"""
import pytest


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
