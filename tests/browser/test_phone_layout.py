"""Issue 10: Liaison on a 390-pixel phone, on the demo data.

As several demo officers, every main page fits the screen's width (nothing to
scroll sideways: wide tables scroll inside their own box), and the menu,
closed, takes a thin bar at the top instead of a third of the screen. One
button opens it. Screenshots go to /tmp/screens/ for a person to look at.
"""
from pathlib import Path

import pytest

from liaison.demo import builder
from liaison.demo.agencies import DEMO_PASSWORD
from tests.browser.conftest import log_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PHONE = {"width": 390, "height": 844}
SCREENS = Path("/tmp/screens")
# Demo officers of several agencies and roles: what they see differs, and so
# do their menus (an agency administrator has more entries).
OFFICERS = ["cn.analyst", "mm.officer", "vn.consul", "kh.officer", "lmlecc.coordinator"]


@pytest.fixture
def demo(transactional_db):
    from django_countries import countries

    from liaison.core.models import Country

    # Transactional tests empty every table afterwards, the countries included.
    if not Country.objects.exists():
        Country.objects.bulk_create(Country(code=code, name=name) for code, name in countries)
    demo = builder.load()
    # The demo has no request yet (officers create them in the walk-through): send
    # one, with its eight detained persons, so both agencies have a request page.
    from liaison.demo.demo_requests import DETAINED
    from liaison.registry.models import Person
    from liaison.requests import services as requests

    consul = demo.users["vn.consul"]
    request = requests.create_request(
        consul, kind="consular_access", to_agency=demo.agencies["KH-NP"],
        title="Consular access: 8 detained nationals, Phnom Penh immigration detention centre",
        persons=Person.objects.filter(display_name__in=[name for name, _sex, _born in DETAINED]),
        fields={"detention_place": "Phnom Penh immigration detention centre", "detained_on": "2024-01-10",
                "visit_requested": True},
    )
    requests.transition(consul, request, "send", version=request.version)
    return demo


def pages_of(user):
    """(name, path) of the pages an officer uses most, with records they may see."""
    from django.db.models import Count
    from django.urls import reverse

    from liaison.matching import services as matching
    from liaison.registry.models import Person
    from liaison.requests.models import Request

    out = [
        ("dashboard", reverse("web:dashboard")),
        ("search", reverse("web:search") + "?q=Ming"),
        ("persons", reverse("web:list", args=["persons"])),
        ("identifiers", reverse("web:list", args=["identifiers"])),
        ("events", reverse("web:list", args=["events"])),
        ("operations", reverse("web:list", args=["operations"])),
        ("matches", reverse("matching:queue")),
        ("requests", reverse("requests:desk")),
    ]
    # The person with the most names: the widest person page this officer can open.
    person = Person.objects.visible_to(user).annotate(n=Count("names")).order_by("-n", "id").first()
    if person:
        out.append(("person", reverse("web:detail", args=["persons", person.pk])))
    pair = matching.decidable_pairs(user).order_by("-probability", "id").first()
    if pair:
        out.append(("pair", reverse("matching:pair", args=[pair.pk])))
    request = Request.objects.visible_to(user).order_by("-id").first()
    if request:
        out.append(("request", reverse("requests:detail", args=[request.pk])))
    from liaison.interop.views import may_interchange

    if may_interchange(user):
        out.append(("interchange", reverse("interop:page")))
    return out


def overflow(page):
    """Page width beyond the screen, and the widest elements that stick out (for the failure message)."""
    return page.evaluate(
        """() => {
            const width = document.documentElement.clientWidth;
            const wide = [];
            for (const el of document.querySelectorAll('body *')) {
                const box = el.getBoundingClientRect();
                if (box.right > width + 1 && getComputedStyle(el).position !== 'fixed') {
                    let inScroller = false;
                    for (let p = el.parentElement; p; p = p.parentElement) {
                        const o = getComputedStyle(p).overflowX;
                        if (o === 'auto' || o === 'scroll' || o === 'hidden') { inScroller = true; break; }
                    }
                    if (!inScroller) wide.push(el.tagName.toLowerCase() + '.' + el.className + ' ' + Math.round(box.right));
                }
            }
            return {scrollWidth: document.documentElement.scrollWidth, wide: wide.slice(0, 8)};
        }"""
    )


def screenshots(page, name, screens=3):
    """The first ``screens`` screenfuls of the page, one file each: name.png, name-2.png..."""
    height = page.evaluate("document.documentElement.scrollHeight")
    for i in range(min(screens, -(-height // PHONE["height"]))):
        clip = {"x": 0, "y": i * PHONE["height"], "width": PHONE["width"],
                "height": min(PHONE["height"], height - i * PHONE["height"])}
        page.screenshot(path=str(SCREENS / f"{name}{f'-{i + 1}' if i else ''}.png"), full_page=True, clip=clip)


def header_height(page):
    return page.locator("header.topbar").bounding_box()["height"]


def test_every_main_page_fits_a_phone_and_the_menu_stays_small(browser, live_server, demo):
    SCREENS.mkdir(exist_ok=True)
    problems = []
    for username in OFFICERS:
        user = demo.users[username]
        context = browser.new_context(viewport=PHONE, is_mobile=True, has_touch=True, device_scale_factor=2, locale="en-GB")
        context.set_default_timeout(15_000)
        page = context.new_page()
        csp = []
        page.on("console", lambda m, csp=csp: "Content Security Policy" in m.text and csp.append(m.text))
        log_in(page, live_server, user, DEMO_PASSWORD)
        for name, path in pages_of(user):
            response = page.goto(live_server.url + path)
            assert response.status == 200, (username, name, response.status)
            page.wait_for_load_state("load")
            found = overflow(page)
            if found["scrollWidth"] > PHONE["width"]:
                problems.append(f"{username} {name}: {found['scrollWidth']}px wide; {found['wide']}")
            height = header_height(page)
            if height > 0.15 * PHONE["height"]:
                problems.append(f"{username} {name}: closed menu {height:.0f}px high")
            screenshots(page, f"{username}-{name}")
        assert csp == [], (username, csp)
        context.close()
    assert problems == [], "\n".join(problems)


def test_the_menu_opens_with_one_button_and_every_entry_is_reachable(browser, live_server, demo):
    user = demo.users["lmlecc.coordinator"]
    context = browser.new_context(viewport=PHONE, is_mobile=True, has_touch=True, locale="en-GB")
    page = context.new_page()
    log_in(page, live_server, user, DEMO_PASSWORD)
    nav = page.get_by_role("navigation", name="Main")
    toggle = page.get_by_role("button", name="Menu")
    assert toggle.get_attribute("aria-expanded") == "false"
    assert not nav.get_by_role("link", name="Persons").is_visible()
    toggle.click()
    assert toggle.get_attribute("aria-expanded") == "true"
    for name in ("Dashboard", "Persons", "Matches", "Requests", "Inbox"):
        assert nav.get_by_role("link", name=name).is_visible(), name
    assert page.get_by_role("button", name="Log out").is_visible()
    # Open, the menu may be long, but never wider than the screen.
    assert overflow(page)["scrollWidth"] <= PHONE["width"]
    SCREENS.mkdir(exist_ok=True)
    page.screenshot(path=str(SCREENS / "menu-open.png"), full_page=True)
    # The user's own menu (account, audit trail) opens inside the panel.
    page.locator("details.usermenu summary").click()
    page.get_by_role("link", name="Audit trail").click()
    page.wait_for_load_state()
    assert page.locator("h1").count() == 1 and "/audit" in page.url
    toggle = page.get_by_role("button", name="Menu")
    toggle.click()
    toggle.click()
    assert toggle.get_attribute("aria-expanded") == "false"
    assert not page.get_by_role("navigation", name="Main").get_by_role("link", name="Persons").is_visible()
    context.close()


def test_on_a_desk_screen_the_menu_shows_without_a_button(page, live_server, demo):
    log_in(page, live_server, demo.users["cn.analyst"], DEMO_PASSWORD)
    assert not page.get_by_role("button", name="Menu").is_visible()
    assert page.get_by_role("navigation", name="Main").get_by_role("link", name="Persons").is_visible()
    assert page.locator(".quicksearch input").is_visible()
    SCREENS.mkdir(exist_ok=True)
    page.screenshot(path=str(SCREENS / "desk-dashboard.png"))
