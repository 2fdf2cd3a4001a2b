"""Issue 11, officer side, on a 390-pixel phone: an officer triages a scam report
by merging its number into another agency's record it can see, and confirms a
family's missing-relative report into a registry person. Nothing is wider than
the phone. Screenshots go to /tmp/screens/ for a person to look at."""
from pathlib import Path

import pytest

from tests.browser.conftest import log_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PHONE = {"width": 390, "height": 844}
SCREENS = Path("/tmp/screens")
SHARED_PHONE = "+85512340000"


@pytest.fixture
def triage_world(transactional_db, settings):
    from types import SimpleNamespace

    from django_countries import countries

    from liaison.core.models import Country
    from liaison.public import services
    from liaison.registry.models import Identifier
    from liaison.sharing.models import Role
    from tests.factories import make_agency, make_user

    if not Country.objects.exists():
        Country.objects.bulk_create(Country(code=code, name=name) for code, name in countries)
    settings.PUBLIC_REPORT_AGENCIES = {"TH": "TH-RTP", "VN": "VN-MPS"}
    settings.PUBLIC_REPORT_DEFAULT_AGENCY = "TH-RTP"
    kh = make_agency("KH-NP", country="KH", name="Cambodian National Police")
    th = make_agency("TH-RTP", country="TH", name="Royal Thai Police")
    vn = make_agency("VN-MPS", country="VN", name="Ministry of Public Security of Viet Nam")
    shared = Identifier.objects.create(owner=kh, kind="phone", value=SHARED_PHONE, distribution="members",
                                       label="Recruiter's number, Sihanoukville compound")
    scam, _code = services.submit_report(
        kind="scam", language="th", country="TH", contact="0812345678",
        what_happened="They asked a 5,000 baht fee for a customer service job in Cambodia, then blocked me.",
        identifiers=[("phone", SHARED_PHONE, "+855 12 340 000"),
                     ("crypto_wallet", "TXyzQ1b2C3d4E5f6G7h8J9k1L2m3N4p5Q6", "TXyzQ1b2C3d4E5f6G7h8J9k1L2m3N4p5Q6"),
                     ("telegram", "cambodia_jobs_hr_department_2024", "@cambodia_jobs_hr_department_2024")])
    missing, _code = services.submit_report(
        kind="missing", language="vi", country="VN", relative_names="Nguyễn Văn Hùng\nHùng", birth_date="1997",
        nationality="VN", last_place="Bavet, Svay Rieng", relative_contact="0912 000 000", contact="0987 654 321")
    return SimpleNamespace(
        scam=scam, missing=missing, shared=shared,
        th_officer=make_user(th, roles=[Role.LIAISON_OFFICER], username="th.officer"),
        vn_officer=make_user(vn, roles=[Role.LIAISON_OFFICER], username="vn.officer"))


def _fits(page, name):
    page.wait_for_load_state("load")
    SCREENS.mkdir(exist_ok=True)
    page.screenshot(path=str(SCREENS / f"triage-{name}.png"), full_page=True)
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= PHONE["width"], f"{name}: {width} px wide on a {PHONE['width']} px phone"


def test_triage_on_a_phone(triage_world, browser, live_server):
    from liaison.public.models import ReportLink
    from liaison.registry.models import Identifier, Person

    w = triage_world
    context = browser.new_context(viewport=PHONE, locale="en-GB")
    context.set_default_timeout(20_000)
    page = context.new_page()
    log_in(page, live_server, w.th_officer)
    page.goto(f"{live_server.url}/public/officers/reports/{w.scam.pk}/")
    _fits(page, "scam-report")
    merge = page.locator(f"input[type=radio][value='{w.shared.pk}']")
    assert merge.count() == 1
    merge.check()
    page.locator("form.triage button[value=confirm]").click()
    page.wait_for_load_state()
    _fits(page, "scam-confirmed")
    assert ReportLink.objects.get(report=w.scam, identifier__normalized=SHARED_PHONE).record == w.shared
    assert "1 confirmed report to your agency" in page.locator("main").inner_text()
    assert Identifier.objects.filter(owner__short_name="TH-RTP").count() == 2  # the wallet and the handle

    context.close()
    context = browser.new_context(viewport=PHONE, locale="en-GB")
    context.set_default_timeout(20_000)
    page = context.new_page()
    log_in(page, live_server, w.vn_officer)
    page.goto(f"{live_server.url}/public/officers/reports/{w.missing.pk}/")
    _fits(page, "missing-report")
    page.locator("form.triage button[value=confirm]").click()
    page.wait_for_load_state()
    _fits(page, "missing-confirmed")
    person = Person.objects.get(owner__short_name="VN-MPS")
    assert person.protection == "victim"
    assert page.locator(f"main a[href$='/persons/{person.pk}/']").count() == 1
    context.close()
