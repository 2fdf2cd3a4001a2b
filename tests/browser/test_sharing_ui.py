"""Issue 3's proof in the browser: the same person page shows different fields
to different agencies, and a liaison officer's share changes that at once."""
import pytest

from liaison.sharing.models import Role
from tests.browser.conftest import log_in
from tests.factories import make_user
from tests.web.world import PASSWORD

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_protected_identity_differs_by_agency_until_the_owner_grants_it(browser, live_server, world):
    liaison = make_user(world.cn_user.agency, roles=(Role.LIAISON_OFFICER,), username="cn_liaison", password=PASSWORD)
    url = f"{live_server.url}/persons/{world.victim.pk}/"

    owner_ctx, other_ctx = browser.new_context(locale="en-GB"), browser.new_context(locale="en-GB")
    owner, other = owner_ctx.new_page(), other_ctx.new_page()
    log_in(owner, live_server, liaison)
    log_in(other, live_server, world.mm_user)

    owner.goto(url)
    assert "Victim Real Name" in owner.locator("main").inner_text()
    other.goto(url)
    assert "Protected identity" in other.locator("main").inner_text()
    assert "Victim Real Name" not in other.content()

    # The owner's liaison officer grants Myanmar the protected fields.
    owner.get_by_role("link", name="Share…").click()
    agency = world.mm_user.agency
    owner.select_option("select[name=agencies]", label=f"{agency.short_name} – {agency.name}")
    owner.check("input[name=include_protected]")
    owner.locator("form:has(input[value=share]) button[type=submit]").click()
    assert "Shared with 1 new recipient" in owner.locator(".messages").inner_text()

    other.reload()
    assert "Victim Real Name" in other.locator("main").inner_text()
    owner_ctx.close()
    other_ctx.close()
