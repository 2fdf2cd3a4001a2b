"""Issue 10 in the browser: searchable pickers instead of Ctrl-click lists, the
styled sharing and audit pages, a confirmation before retracting, and all of
it on a 390-pixel phone."""
import pytest
from playwright.sync_api import expect

from liaison.registry.models import Person, Relationship
from liaison.sharing.models import Role
from tests.browser.conftest import log_in
from tests.factories import make_user
from tests.web.world import PASSWORD

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def picker_input(page, name):
    """The search box Tom Select puts in place of ``<select name=…>``."""
    select = page.locator(f"select[name={name}]")
    expect(select).to_have_class("tomselected ts-hidden-accessible")
    return page.locator(f"#{select.get_attribute('id')}-ts-control")


def no_sideways_scroll(page):
    return page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")


def test_link_to_picker_searches_and_chooses_by_keyboard(page, live_server, world):
    log_in(page, live_server, world.cn_user)
    page.goto(f"{live_server.url}/persons/{world.ming.pk}/")
    page.get_by_role("link", name="Link to…").click()
    page.select_option("select[name=kind]", "associate_of")
    search = picker_input(page, "target")
    search.click()
    search.press_sequentially("明国平", delay=30)
    # The server's answer: the one person with this name in any script.
    expect(page.locator(".ts-dropdown .option")).to_have_count(1)
    option = page.locator(".ts-dropdown .option", has_text="Ming Guoping")
    expect(option).to_be_visible()
    # Enough to choose: status, nationalities and owner agency under the name.
    expect(option.locator(".pick-detail")).to_contain_text("In custody")
    expect(option.locator(".pick-detail")).to_contain_text("MPS")
    search.press("Enter")
    page.get_by_role("button", name="Save").click()
    expect(page.locator(".messages")).to_contain_text("Relationship added")
    assert Relationship.objects.filter(kind="associate_of", object_id=world.guoping.pk).exists()
    assert page.csp_errors == []


def test_request_persons_picker_never_finds_a_withheld_name(page, live_server, world):
    log_in(page, live_server, world.mm_user)
    page.goto(f"{live_server.url}/requests/new/handover/")
    persons = picker_input(page, "persons")
    # The help text is read out with the search box.
    expect(persons).to_have_attribute("aria-describedby", "id_persons_helptext")
    persons.click()
    persons.press_sequentially("Victim Real", delay=30)
    expect(page.locator(".ts-dropdown .no-results")).to_have_text("Nothing found.")
    assert "Victim Real Name" not in page.content()
    persons.fill("")
    persons.press_sequentially(f"#{world.victim.pk}", delay=30)
    expect(page.locator(".ts-dropdown .option")).to_have_count(1)
    expect(page.locator(".ts-dropdown .option", has_text=f"Protected identity #{world.victim.pk}")).to_be_visible()
    persons.press("Enter")
    persons.fill("")
    persons.press_sequentially("ming g", delay=30)
    expect(page.locator(".ts-dropdown .option")).to_have_count(1)
    expect(page.locator(".ts-dropdown .option", has_text="Ming Guoping")).to_be_visible()
    persons.press("Enter")
    chosen = page.locator("select[name=persons] option:checked")
    expect(chosen).to_have_count(2)
    assert sorted(chosen.evaluate_all("els => els.map(e => +e.value)")) == sorted([world.victim.pk, world.guoping.pk])
    assert page.csp_errors == []


def test_share_with_picker_then_retract_after_confirming(page, live_server, world):
    liaison = make_user(world.cn, roles=(Role.LIAISON_OFFICER,), username="cn_liaison", password=PASSWORD)
    log_in(page, live_server, liaison)
    page.goto(f"{live_server.url}/persons/{world.secret.pk}/")
    page.get_by_role("link", name="Share…").click()
    agencies = picker_input(page, "agencies")
    agencies.click()
    agencies.press_sequentially("Myan", delay=30)
    expect(page.locator(".ts-dropdown .option")).to_have_count(1)
    expect(page.locator(".ts-dropdown .option", has_text="MOHA – Myanmar Police Force")).to_be_visible()
    agencies.press("Enter")
    expect(agencies).to_have_value("")  # ready for the next search
    page.get_by_role("button", name="Share", exact=True).click()
    expect(page.locator(".messages")).to_contain_text("Shared with 1 new recipient")
    expect(page.locator("main table")).to_contain_text("MOHA – Myanmar Police Force")

    page.fill("textarea[name=reason]", "Entered twice by mistake")
    page.get_by_role("button", name="Retract…").click()
    expect(page.locator("h1")).to_contain_text("Retract")
    expect(page.locator("main")).to_contain_text("1 named recipient")
    assert Person.objects.get(pk=world.secret.pk).retracted_at is None
    page.get_by_role("button", name="Yes, retract it").click()
    expect(page.locator(".messages")).to_contain_text("Retracted")
    assert Person.objects.get(pk=world.secret.pk).retracted_at is not None
    assert page.csp_errors == []


def test_sharing_and_audit_pages_fit_a_phone(browser, live_server, world):
    admin = make_user(world.cn, roles=(Role.LIAISON_OFFICER, Role.AGENCY_ADMIN), username="cn_admin", password=PASSWORD)
    context = browser.new_context(viewport={"width": 390, "height": 844}, locale="en-GB", is_mobile=True, has_touch=True)
    phone = context.new_page()
    log_in(phone, live_server, admin)
    phone.goto(f"{live_server.url}/sharing/registry.person/{world.guoping.pk}/")
    picker_input(phone, "agencies")
    assert no_sideways_scroll(phone)
    phone.goto(f"{live_server.url}/sharing/registry.person/{world.secret.pk}/")
    phone.locator("select[name=agencies]").evaluate("s => s.tomselect.addItem(String(%d))" % world.mm.pk)
    phone.get_by_role("button", name="Share", exact=True).click()
    expect(phone.locator(".messages")).to_contain_text("Shared with 1 new recipient")
    assert no_sideways_scroll(phone)
    for path in ("/agency/audit/", "/agency/users/", f"/operations/{world.operation.pk}/team/"):
        phone.goto(f"{live_server.url}{path}")
        assert no_sideways_scroll(phone), path
    phone.goto(f"{live_server.url}/agency/audit/")
    row = phone.locator("table.audit tbody tr").first
    expect(row).to_contain_text("Shared")
    expect(row).to_contain_text("MOHA")
    assert "{'" not in phone.locator("main").inner_text()
    context.close()
