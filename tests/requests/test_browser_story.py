"""Issue 6's "done when", in the browser, on the demo data: Viet Nam's
liaison officer sends a consular-access and a repatriation request for the
detained nationals; Cambodia's officer acknowledges and fulfils both; the
recorded event with its figures shows, the new statuses wait for Viet Nam, which
accepts them in one click; the notices of a request are read once acted on; the webhook
log shows the signed deliveries, which a local case system verified."""

import re

import pytest

from liaison.demo import builder
from liaison.demo.agencies import DEMO_PASSWORD
from liaison.demo.demo_requests import DETAINED, WEBHOOK_SECRETS
from liaison.requests import webhooks
from liaison.requests.models import Request, WebhookEndpoint
from tests.browser.conftest import log_in
from tests.requests.test_webhooks import Receiver

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def demo(transactional_db, settings):
    from django_countries import countries

    from liaison.core.models import Country

    # Transactional tests empty every table afterwards, the countries included.
    if not Country.objects.exists():
        Country.objects.bulk_create(Country(code=code, name=name) for code, name in countries)
    # As in the demo (DEBUG): deliveries at once, to the case system on 127.0.0.1.
    settings.REQUESTS_WEBHOOKS_ON_COMMIT = True
    settings.REQUESTS_WEBHOOKS_ALLOW_LOOPBACK = True
    return builder.load()


def contrast(*colours):
    """WCAG contrast ratio of two computed CSS colours ("rgb(r, g, b)")."""

    def luminance(text):
        channels = [int(c) / 255 for c in re.findall(r"\d+", text)[:3]]
        r, g, b = [c / 12.92 if c <= 0.03928 else ((c + 0.055) / 1.055) ** 2.4 for c in channels]
        return 0.2126 * r + 0.7152 * g + 0.0722 * b

    light, dark = sorted((luminance(c) for c in colours), reverse=True)
    return (light + 0.05) / (dark + 0.05)


def new_request(page, live_server, kind, title, fields):
    page.goto(f"{live_server.url}/requests/")
    page.get_by_role("link", name="New request").click()
    page.get_by_role("link", name=kind).click()
    page.fill("input[name=title]", title)
    page.select_option("select[name=to_agency]", label="KH-NP – Cambodian National Police")
    for name, value in fields.items():
        locator = page.locator(f"[name=f_{name}]")
        if value is True:
            locator.check()
        elif locator.evaluate("e => e.tagName") == "SELECT":
            locator.select_option(value)
        else:
            locator.fill(value)
    page.select_option("select[name=persons]", label=[name for name, _sex, _born in DETAINED])
    page.get_by_role("button", name="Save draft").click()
    assert "saved" in page.locator(".messages").inner_text()
    page.locator("form.step-send button").click()
    assert page.locator("#req-status").inner_text() == "Sent"
    return page.url


def test_consular_access_and_repatriation_story(browser, live_server, demo):
    with Receiver() as case_system:
        WebhookEndpoint.objects.update(url=case_system.url)
        vn_ctx, kh_ctx = browser.new_context(locale="en-GB"), browser.new_context(locale="en-GB")
        vn, kh = vn_ctx.new_page(), kh_ctx.new_page()
        csp = []
        for p in (vn, kh):
            p.on("console", lambda m: "Content Security Policy" in m.text and csp.append(m.text))
        log_in(vn, live_server, demo.users["vn.consul"], DEMO_PASSWORD)
        consular = new_request(
            vn,
            live_server,
            "Consular notification and access",
            "Consular access: 8 detained nationals",
            {
                "detention_place": "Phnom Penh immigration detention centre",
                "detained_on": "2024-01-10",
                "visit_requested": True,
            },
        )
        repatriation = new_request(
            vn,
            live_server,
            "Victim repatriation",
            "Repatriation of the 8 nationals",
            {"planned_date": "2099-01-20", "border_crossing": "Bavet – Moc Bai", "transport": "road"},
        )

        log_in(kh, live_server, demo.users["kh.officer"], DEMO_PASSWORD)
        kh.goto(f"{live_server.url}/requests/?box=incoming")
        desk = kh.locator("#desk").inner_text()
        assert "Consular access: 8 detained nationals" in desk and "Repatriation of the 8 nationals" in desk
        kh.goto(f"{live_server.url}/requests/inbox/")
        assert "2 unread notices" in kh.locator("main").inner_text()

        kh.goto(consular)
        assert "Nguyễn Văn Hùng" in kh.locator("#persons").inner_text()  # shared by sending
        kh.locator("form.step-acknowledge button").click()
        assert kh.locator("#req-status").inner_text() == "Acknowledged"
        kh.locator("form.step-fulfil button").click()
        assert kh.locator("#req-status").inner_text() == "Fulfilled"

        kh.goto(repatriation)
        kh.locator("form.step-acknowledge button").click()
        fulfil = kh.locator("form.step-fulfil")
        fulfil.locator("input[name=date]").fill("2024-01-20")
        assert fulfil.locator("input[name=persons]:checked").count() == 8
        fulfil.locator("button").click()
        assert kh.locator("#req-status").inner_text() == "Fulfilled"
        # The persons are Viet Nam's records: Cambodia is told it proposed, not wrote.
        told = kh.locator(".messages").inner_text()
        assert "8 persons are records of VN-MOFA: only they can change them" in told
        assert kh.locator("#proposals-sent li").count() == 8
        # Acting on both requests read their notices: no unread count left.
        kh.goto(f"{live_server.url}/requests/inbox/")
        assert "0 unread notices" in kh.locator("main").inner_text()
        assert kh.locator(".topbar .unread-count").count() == 0

        vn.goto(repatriation)
        # The unread count stands out on the bar, and says what it counts.
        inbox = vn.get_by_role("link", name=re.compile(r"^Inbox \(\d+ unread notices?\)$"))
        assert inbox.count() == 1
        colours = vn.locator(".topbar .unread-count").evaluate(
            "e => [getComputedStyle(e).color, getComputedStyle(e).backgroundColor, getComputedStyle(e).fontSize]"
        )
        assert contrast(colours[0], colours[1]) >= 7 and float(colours[2].removesuffix("px")) >= 12
        statuses = vn.locator("#persons .person-status").all_inner_texts()
        assert len(statuses) == 8 and not any(t.startswith("Repatriated") for t in statuses)
        vn.get_by_role("button", name="Accept all 8 proposals").click()
        assert "Accepted: the new status is now on 8 of your records." in vn.locator(".messages").inner_text()
        statuses = vn.locator("#persons .person-status").all_inner_texts()
        assert len(statuses) == 8 and all(t.startswith("Repatriated (Vietnam)") for t in statuses)
        vn.locator("#event a").click()
        main = vn.locator("main").inner_text()
        assert "8 persons repatriated to Vietnam" in main and "8 victims" in main.lower()
        assert "Cambodia → Vietnam" in main

        vn.goto(f"{live_server.url}/requests/webhooks/")
        log = vn.locator("#deliveries").inner_text()
        assert "request.fulfil" in log and "HTTP 200" in log and "sha256=" in log
        assert vn.locator("#deliveries tr.delivery-delivered").count() >= 6
        assert csp == []
        vn_ctx.close()
        kh_ctx.close()

    # The case system checked every signature it received against the agency's secret.
    assert len(case_system.received) >= 12
    for _path, headers, body in case_system.received:
        assert any(webhooks.verify(secret, body, headers["X-Liaison-Signature"]) for secret in WEBHOOK_SECRETS.values())
    assert set(Request.objects.values_list("status", flat=True)) == {"fulfilled"}
