"""Issue 11, tried as a new user would on a 390-pixel phone, on the demo data.

In Thai, a pasted offer for "customer service in Cambodia" shows its warning
signs highlighted with Thai explanations; the phone KH-NP published answers
"listed by the Cambodian National Police since …" while a phone KH-NP holds
but did not publish answers exactly like an unknown one; in Vietnamese, a
family reports one of the demo's detained nationals as a missing relative,
the Vietnamese consular officer gets the hit notice, sends the family a
message, and the family's status page shows that message and nothing else.
All along: no page wider than the phone, no request to another host, and
each public page under 150 KB transferred.
"""
import re
from urllib.parse import urlsplit

import pytest

from liaison.demo import builder
from liaison.demo.agencies import DEMO_PASSWORD
from liaison.demo.demo_public import DEMO_PUBLISHED_PHONE
from tests.browser.conftest import log_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PHONE = {"width": 390, "height": 844}
MAX_PAGE_BYTES = 150 * 1024
THAI_OFFER = ("รับสมัครพนักงานบริการลูกค้าที่กัมพูชา เงินเดือน 50,000 บาท ไม่ต้องมีประสบการณ์ "
              "ติดต่อทาง Telegram")
# One of the demo's detained Vietnamese nationals (liaison/demo/demo_requests.py),
# written as a family would: without the capitals, with the year of birth only.
RELATIVE = "Nguyễn Văn Hùng"
FAMILY_NEWS = "Chúng tôi có tin tức: hãy liên hệ Đại sứ quán Việt Nam tại Phnom Penh."


@pytest.fixture
def demo(transactional_db, settings):
    from django.core.cache import caches
    from django_countries import countries

    from liaison.core.models import Country

    if not Country.objects.exists():
        Country.objects.bulk_create(Country(code=code, name=name) for code, name in countries)
    # The proof of work stays on (the page's script solves it) but small, so the test is fast.
    settings.PUBLIC_POW_BITS = 8
    caches["public"].clear()
    return builder.load()


class Watch:
    """What a phone would download: every request's host, and bytes per page load."""

    def __init__(self, page, live_server):
        self.page, self.host = page, urlsplit(live_server.url).netloc
        self.requests, self.hosts = [], set()
        page.on("request", self._seen)

    def _seen(self, request):
        if not request.url.startswith(("data:", "blob:", "about:")):
            self.hosts.add(urlsplit(request.url).netloc)
        self.requests.append(request)

    def start(self):
        self.requests = []

    def transferred(self):
        """Bytes of the page just loaded, its assets included (headers and bodies)."""
        total = 0
        for request in self.requests:
            response = request.response()
            if response is None:
                continue
            sizes = request.sizes()
            total += max(sizes["responseBodySize"], 0) + max(sizes["responseHeadersSize"], 0)
        return total

    def check_page(self, name):
        """The page now shown fits the phone and weighs less than 150 KB."""
        self.page.wait_for_load_state("load")
        width = self.page.evaluate("document.documentElement.scrollWidth")
        assert width <= PHONE["width"], f"{name}: {width} px wide on a {PHONE['width']} px phone"
        size = self.transferred()
        assert 0 < size < MAX_PAGE_BYTES, f"{name}: {size} bytes transferred"
        assert self.hosts == {self.host}, f"{name}: requests to other hosts {self.hosts - {self.host}}"


@pytest.fixture
def phone(browser, live_server):
    context = browser.new_context(viewport=PHONE, locale="en-GB")
    context.set_default_timeout(20_000)
    page = context.new_page()
    page.watch = Watch(page, live_server)
    yield page
    context.close()


def _check(page, live_server, text, lang=None):
    watch = page.watch
    watch.start()
    page.goto(f"{live_server.url}/public/" + (f"?lang={lang}" if lang else ""))
    watch.check_page("home")
    watch.start()
    page.fill("textarea[name=text]", text)
    page.locator("main form button[type=submit]").first.click()
    watch.check_page("answer")
    return page


def _result_block(page):
    """The part of the answer about the identifiers, as the server sent it."""
    html = page.locator("main").inner_html()
    start = html.index('<section class="ident')
    return html[start:html.index("</section>", start)]


def test_thai_offer_and_identifiers_on_a_phone(demo, phone, live_server):
    from liaison import scamcheck
    from liaison.registry.models import Identifier

    page = _check(phone, live_server, THAI_OFFER, lang="th")
    assert page.locator("html").get_attribute("lang") == "th"
    expected = scamcheck.check(THAI_OFFER, "th")
    assert expected.level == "high" and len(expected.flags) >= 2
    marks = page.locator("main mark")
    assert marks.count() >= 2
    highlighted = " ".join(marks.all_inner_texts())
    assert "กัมพูชา" in highlighted or "บริการลูกค้า" in highlighted
    signs = page.locator("ol.signs li").all_inner_texts()
    assert [s.strip() for s in signs] == [f.explanation for f in expected.flags]
    # The explanations are written in Thai script, not English.
    assert all(re.search(r"[\u0e00-\u0e7f]", s) for s in signs), signs

    # The language stays Thai (cookie) for the next check, of the phone KH-NP published.
    _check(page, live_server, "+855 12 345 678")
    assert page.locator("html").get_attribute("lang") == "th"
    listing = page.locator("section.ident.listed li.listing")
    assert listing.count() == 1
    listed_text = page.locator("section.ident.listed").inner_text()
    assert "Cambodian National Police" in listed_text and DEMO_PUBLISHED_PHONE in listed_text
    assert re.search(r"\d{4}", listing.inner_text())  # "since <date>"

    # A phone KH-NP holds but did not publish: nothing listed, exactly as for a number nobody holds.
    held = (Identifier.objects.filter(owner__short_name="KH-NP", kind="phone")
            .exclude(normalized=DEMO_PUBLISHED_PHONE).exclude(normalized="").first())
    assert held is not None, "the demo should hold an unpublished KH-NP phone"
    _check(page, live_server, held.normalized)
    held_block = _result_block(page)
    assert page.locator("section.ident.listed").count() == 0
    assert page.locator("section.ident p.nothing").count() == 1
    unknown = "+85512000999"
    assert not Identifier.objects.filter(normalized=unknown).exists()
    _check(page, live_server, unknown)
    unknown_block = _result_block(page)
    assert held_block.replace(held.normalized, "X") == unknown_block.replace(unknown, "X")
    assert "Cambodian" not in held_block and (held.label or "\0") not in held_block


def test_missing_relative_hit_message_and_status_on_a_phone(demo, phone, browser, live_server):
    from liaison.public.models import PublicHit, PublicReport

    page, watch = phone, phone.watch
    watch.start()
    page.goto(f"{live_server.url}/public/report/missing/?lang=vi")
    watch.check_page("missing relative form")
    assert page.locator("html").get_attribute("lang") == "vi"
    page.fill("textarea[name=relative_names]", f"{RELATIVE}\nHùng")
    page.fill("input[name=birth_date]", "1994")
    page.select_option("select[name=nationality]", "VN")
    page.fill("input[name=last_place]", "Phnom Penh, Campuchia")
    page.fill("input[name=recruiter]", "Một người trên Telegram hứa việc làm chăm sóc khách hàng")
    page.select_option("select[name=country]", "VN")
    # The page's script solves the proof of work, then lets the family send.
    send = page.locator("form.report button[type=submit]")
    page.wait_for_function("document.querySelector('form.report [name=nonce]').value !== ''")
    watch.start()
    send.click()
    page.wait_for_selector("#reference")
    watch.check_page("report sent")
    reference, code = page.inner_text("#reference").strip(), page.inner_text("#code").strip()
    report = PublicReport.objects.get(reference=reference)
    hit = PublicHit.objects.get(report=report)  # matched the detained national
    assert hit.person.names.filter(full_name=RELATIVE).exists()
    # In the demo the Vietnamese foreign ministry holds the detained nationals' records and
    # is also the consular agency: its officer gets the notice and writes to the family.
    assert hit.holding_agency.short_name == hit.consular_agency.short_name == "VN-MOFA"

    # The Vietnamese consular officer sees the hit notice in the inbox, and brings the family news.
    officer = browser.new_context(viewport=PHONE, locale="en-GB")
    officer.set_default_timeout(20_000)
    desk = officer.new_page()
    log_in(desk, live_server, demo.users["vn.consul"], DEMO_PASSWORD)
    desk.goto(f"{live_server.url}/requests/inbox/")
    assert "Missing-relative report" in desk.locator("main").inner_text()
    desk.goto(f"{live_server.url}/public/officers/reports/{report.pk}/")
    desk.fill("textarea[name=message]", FAMILY_NEWS)
    desk.locator("button[name=action][value=message]").click()
    desk.wait_for_load_state()
    officer.close()

    # The family's status page shows that message and nothing else the officers know.
    watch.start()
    page.goto(f"{live_server.url}/public/status/")
    watch.check_page("status form")
    page.fill("input[name=reference]", reference)
    page.fill("input[name=code]", code)
    watch.start()
    page.locator("form.status-form button[type=submit]").click()
    page.wait_for_selector("section.status")
    watch.check_page("status")
    shown = page.locator("section.status").inner_text()
    assert FAMILY_NEWS in shown
    whole = page.locator("body").inner_text()
    for secret in ("detained", "KH-NP", "VN-MOFA", "Phnom Penh immigration", "Recruiter"):
        assert secret not in whole
    assert page.locator("section.status p.message").count() == 1
