"""An analyst merges and splits a Ming pair in a real browser."""
import pytest
from playwright.sync_api import expect

from liaison.matching import services
from liaison.matching.models import CandidatePair, EntityMember
from tests.browser.conftest import log_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def world(transactional_db):
    from django_countries import countries

    from liaison.core.models import Country

    from .conftest import build

    if not Country.objects.exists():  # transactional tests empty the data migration's table
        Country.objects.bulk_create(Country(code=code, name=name) for code, name in countries)
    w = build()
    services.run_batch()
    return w


def test_analyst_merges_and_splits_a_ming_pair(page, live_server, world):
    pair = CandidatePair.objects.get(person_a__in=[world.cn_ming, world.mm_ming], person_b__in=[world.cn_ming, world.mm_ming])
    log_in(page, live_server, world.cn_analyst, password="correct horse battery staple")
    page.goto(f"{live_server.url}/matching/")
    card = page.locator(f"#pair-{pair.pk}")
    expect(card).to_contain_text("明学昌")
    expect(card).to_contain_text("Xuechang Ming")
    expect(card.locator("table.match-weights")).to_contain_text("Names (any script)")
    card.get_by_role("button", name="Same person: merge").click()
    expect(page.locator("h1")).to_contain_text("Identity cluster")
    main = page.locator("main")
    for text in ("明学昌", "明學昌", "Ming Xuechang", "Xuechang Ming", "MD123456", "MPF-T", "MPS-T"):
        expect(main).to_contain_text(text)
    assert EntityMember.objects.filter(removed_at__isnull=True).count() == 2

    page.goto(f"{live_server.url}/persons/{world.cn_ming.pk}/")
    box = page.locator("section.same-person")
    expect(box).to_contain_text("Xuechang Ming")
    box.get_by_role("link", name="Identity cluster").click()

    member = page.locator("td.member", has_text="Xuechang Ming")
    member.get_by_placeholder("Reason for the split").fill("Different father's name")
    member.get_by_role("button", name="Split: not the same person").click()
    expect(page.locator("h1")).to_have_text("Candidate matches")
    expect(page.locator(".messages")).to_contain_text("Split")
    expect(page.locator(f"#pair-{pair.pk}")).to_contain_text("Xuechang Ming")
    assert not EntityMember.objects.filter(removed_at__isnull=True).exists()
    page.goto(f"{live_server.url}/persons/{world.cn_ming.pk}/")
    expect(page.locator("section.same-person")).to_have_count(0)
    assert page.csp_errors == []


def fits_the_screen(page):
    return page.evaluate("document.scrollingElement.scrollWidth <= window.innerWidth")


@pytest.fixture
def phone(browser):
    context = browser.new_context(viewport={"width": 390, "height": 844}, locale="en-GB", is_mobile=True, has_touch=True)
    context.set_default_timeout(15_000)
    page = context.new_page()
    page.csp_errors = []
    page.on("console", lambda m: "Content Security Policy" in m.text and page.csp_errors.append(m.text))
    yield page
    context.close()


def test_on_a_phone_the_reason_typed_goes_with_a_rejection_and_conflicts_are_shown(phone, live_server, world):
    from liaison.registry.models import PersonStatus

    PersonStatus.objects.create(person=world.cn_ming, status="deceased", date="2023-11")
    PersonStatus.objects.create(person=world.mm_ming, status="repatriated", date="2024-01")
    pair = CandidatePair.objects.get(person_a__in=[world.cn_ming, world.mm_ming], person_b__in=[world.cn_ming, world.mm_ming])
    page = log_in(phone, live_server, world.cn_analyst, password="correct horse battery staple")
    page.goto(f"{live_server.url}/matching/pairs/{pair.pk}/")
    expect(page.locator("main")).to_contain_text("Conflicting statuses")
    expect(page.locator("main")).to_contain_text("Deceased")
    expect(page.locator("main")).to_contain_text("Repatriated")
    assert fits_the_screen(page)
    page.get_by_placeholder("Reason (optional)").fill("Different mothers' names")
    page.get_by_role("button", name="Different persons: reject").click()
    expect(page.locator("h1")).to_have_text("Candidate matches")
    pair.refresh_from_db()
    assert (pair.status, pair.note) == ("rejected", "Different mothers' names")
    page.goto(f"{live_server.url}/matching/pairs/{pair.pk}/")
    expect(page.locator("section.pair-history")).to_contain_text("Different mothers' names")
    assert fits_the_screen(page)
    assert page.csp_errors == []


def test_on_a_phone_a_duplicate_is_announced_before_saving(phone, live_server, world):
    from liaison.registry.models import Person

    page = log_in(phone, live_server, world.kh_analyst, password="correct horse battery staple")
    page.goto(f"{live_server.url}/persons/new/")
    page.locator("input[name='names-0-full_name']").fill("Ming Xuechang")
    page.locator("input[name='birth_date']").fill("1955")
    before = Person.objects.count()
    page.get_by_role("button", name="Save", exact=True).click()
    warning = page.locator("#possible-duplicates")
    expect(warning).to_contain_text("Possible duplicate")
    expect(warning.get_by_role("link", name="明学昌")).to_be_visible()  # CN-MPS's members-wide record
    assert Person.objects.count() == before and fits_the_screen(page)
    warning.get_by_role("button", name="Save anyway").click()
    expect(page.locator("h1")).to_contain_text("Ming Xuechang")
    assert Person.objects.count() == before + 1
    assert page.csp_errors == []
