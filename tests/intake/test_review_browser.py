"""Reviewing a seed report in a real browser: the evidence is highlighted and in view, accepting
attaches the report to the demo's existing event, Arabic reads right to left, CSP blocks nothing."""
import pytest
from playwright.sync_api import expect

from liaison.intake.models import ProposedFact
from liaison.operations.models import Event
from tests.browser.conftest import log_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def seeded(transactional_db):
    from django_countries import countries

    from liaison.core.models import Country
    from liaison.demo import agencies as demo_agencies
    from liaison.demo import demo_intake, story
    from liaison.sharing.models import User

    if not Country.objects.exists():  # transactional tests empty the data migration's table too
        Country.objects.bulk_create(Country(code=code, name=name) for code, name in countries)
    agencies = demo_agencies.ensure_agencies()
    users = demo_agencies.ensure_users(agencies)
    story.load_story(agencies)
    demo_intake.load(agencies, users)
    return User.objects.get(username="cn.analyst")


def test_reviewing_the_muse_handover_attaches_the_report_to_the_demo_event(page, live_server, seeded):
    from liaison.demo.agencies import DEMO_PASSWORD

    muse = Event.objects.get(title="Muse authorities hand 571 suspects to China")
    events = Event.objects.count()
    log_in(page, live_server, seeded, password=DEMO_PASSWORD)
    page.goto(f"{live_server.url}/intake/queue/?kind=event")
    expect(page.locator("h1")).to_have_text("Review queue")
    page.get_by_role("link", name="Handover: 571 suspects — Dehong, Muse").click()

    mark = page.locator("mark#evidence")
    expect(mark).to_contain_text("Le 18 novembre")
    expect(mark).to_contain_text("571")
    expect(mark).to_be_in_viewport()
    # The mark is inside the visible part of the scrolling text, not just somewhere on the page.
    inside = mark.evaluate("""m => { const r = m.getBoundingClientRect(), c = m.closest('.doctext').getBoundingClientRect();
                                     return r.top >= c.top && r.bottom <= c.bottom + r.height; }""")
    assert inside
    expect(page.locator(".notice")).to_contain_text("accepting adds this report as its source")
    expect(page.locator("select[name=target] option:checked")).to_contain_text("Muse authorities hand 571 suspects")
    page.get_by_role("button", name="Accept").click()
    expect(page.locator(".messages")).to_contain_text("Accepted")

    proposal = ProposedFact.objects.get(data__title="Handover: 571 suspects — Dehong, Muse")
    assert proposal.status == "accepted" and proposal.record_id == muse.pk and not proposal.record_created
    assert Event.objects.count() == events
    assert page.csp_errors == []


def test_an_arabic_report_is_shown_right_to_left_and_can_be_rejected(page, live_server, seeded):
    from liaison.demo.agencies import DEMO_PASSWORD

    proposal = ProposedFact.objects.filter(document__language="ar", kind="event").order_by("position").first()
    log_in(page, live_server, seeded, password=DEMO_PASSWORD)
    page.goto(f"{live_server.url}/intake/facts/{proposal.pk}/#evidence")
    text = page.locator(".doctext")
    assert text.evaluate("el => getComputedStyle(el).direction") == "rtl"
    expect(page.locator("mark#evidence")).to_be_in_viewport()
    page.fill("input[name=reason]", "Statement of intent, not an event")
    page.get_by_role("button", name="Reject").click()
    expect(page.locator(".messages")).to_contain_text("Rejected")
    proposal.refresh_from_db()
    assert proposal.status == "rejected" and proposal.reason == "Statement of intent, not an event"
    assert page.csp_errors == []


def test_on_a_phone_accepting_another_agencys_record_offers_the_ways_on(browser, live_server, seeded):
    from liaison.demo.agencies import DEMO_PASSWORD
    from liaison.requests.models import Request

    proposal = ProposedFact.objects.filter(kind="operation", data__name__icontains="Jingyao").first()
    context = browser.new_context(viewport={"width": 390, "height": 844}, locale="en-GB")
    page = context.new_page()
    log_in(page, live_server, seeded, password=DEMO_PASSWORD)
    page.goto(f"{live_server.url}/intake/facts/{proposal.pk}/")
    page.get_by_role("button", name="Accept", exact=True).click()
    panel = page.locator("#owned-elsewhere")
    expect(panel).to_contain_text("is a record of LMLECC: only they can add your report to it, so nothing was saved.")
    expect(page.locator(".messages")).to_have_count(0)  # no "Accepted"
    # Everything fits the phone's width: nothing to scroll sideways.
    assert page.evaluate("document.documentElement.scrollWidth") <= 390
    page.get_by_role("button", name="Ask LMLECC to add your report").click()
    expect(page.locator(".messages")).to_contain_text("asks LMLECC to add your report: check it, then send it.")
    draft = Request.objects.get()
    assert (draft.kind, draft.status, draft.to_agency.short_name) == ("record_update", "draft", "LMLECC")
    expect(page.locator("#req-status")).to_have_text("Draft")
    proposal.refresh_from_db()
    assert proposal.is_decided and draft.reference in proposal.reason
    context.close()
