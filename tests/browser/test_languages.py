"""Issue 14's proof, in the browser on the demo data: every main page in every
interface language.

For each of the ten languages an officer reads the dashboard, a person, an
operation, the request desk, a request, the review queue and a proposed fact,
a matching pair and the public pages on a 390-pixel phone, and:

* no English interface string is left: no text on the page (outside names,
  quoted evidence and reports, which are data) is an English catalogue entry
  whose translation differs;
* every character shown has a glyph in an installed font (no "tofu" boxes);
* nothing is wider than the screen.

Then the done-when stories: a Khmer officer works a repatriation request to
"fulfilled" and reads the notice and the e-mail in Khmer; a Thai officer sees
Buddhist-era dates. Screenshots of the person page go to /tmp/screens/i18n/
(copied to docs/screenshots/i18n/).
"""
import re
import subprocess
from functools import lru_cache
from pathlib import Path

import pytest
from babel.messages.pofile import read_po
from django.conf import settings
from django.urls import reverse

from liaison.demo.agencies import DEMO_PASSWORD
from tests.browser.conftest import log_in
from tests.browser.test_phone_layout import PHONE, demo, overflow  # noqa: F401 - the demo fixture

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

LOCALE = Path(settings.LOCALE_PATHS[0])
LANGUAGES = [code for code, _name in settings.LANGUAGES]
SCREENS = Path("/tmp/screens/i18n")
NAMED = re.compile(r"%\(\w+\)[sd]|%[sd]|\{\w*\}")
# Text that is data, not interface: names (|name, |isolate), a report's text and
# quoted evidence, identifiers and codes, the language menu's own names.
DATA = ("bdi, [dir=auto], .doctext, blockquote, mark, code, kbd, .romanised, .langs, #language-select, .who, .brand, "
        "[translate=no]")


@lru_cache(maxsize=None)
def english_strings(code):
    """English catalogue entries that ``code`` translates differently, as they
    would appear in a page (placeholders cut out: each piece of text between
    them must not show in English)."""
    from django.utils.translation import to_locale

    path = LOCALE / to_locale(code) / "LC_MESSAGES" / "django.po"
    with path.open("rb") as f:
        catalogue = read_po(f)
    out = set()
    for message in catalogue:
        if not message.id:
            continue
        ids = message.id if isinstance(message.id, (tuple, list)) else (message.id,)
        strings = message.string if isinstance(message.string, (tuple, list)) else (message.string,)
        for msgid in ids:
            for piece in NAMED.split(msgid):
                piece = piece.strip(" .:,;()“”\"'—-·…")
                # Words, not symbols; two letters or more ("OK", "No"); same-as-English entries are names.
                if len(re.findall("[A-Za-z]", piece)) >= 3 and all(piece not in s for s in strings if s):
                    out.add(piece)
    return frozenset(out)


# Words that stay as they are in every language: product, protocol and app names.
SAME_EVERYWHERE = {"liaison", "tlp", "red", "amber", "green", "clear", "strict", "api", "csv", "json", "url", "iban",
                   "telegram", "whatsapp", "wechat", "line", "totp", "hmac", "http", "https", "ok", "id", "html", "pdf"}


@lru_cache(maxsize=None)
def english_only_words(code):
    """Words of the English interface that ``code``'s translations never use: a
    text made only of them is English a string was not marked for (a label built
    in Python, say), which the catalogue check cannot see."""
    from django.utils.translation import to_locale

    def words(texts):
        return {w.lower() for t in texts for w in re.findall(r"[A-Za-z]{3,}", NAMED.sub(" ", t))}

    english, translated = set(), set()
    for lang, bucket in (("en", english), (code, translated)):
        with (LOCALE / to_locale(lang) / "LC_MESSAGES" / "django.po").open("rb") as f:
            for message in read_po(f):
                if not message.id:
                    continue
                texts = message.id if isinstance(message.id, (tuple, list)) else (message.id,)
                if lang == code:
                    texts = message.string if isinstance(message.string, (tuple, list)) else (message.string,)
                bucket.update(words(texts))
    return frozenset(english - translated - SAME_EVERYWHERE)


def looks_english(text, code):
    words = re.findall(r"[A-Za-z]+", text)
    if not words or re.search(r"[^\x00-\x7F]", text) or not any(len(w) >= 4 for w in words):
        return False
    only = english_only_words(code)
    return all(w.lower() in only for w in words if len(w) >= 3)


def visible_interface_text(page):
    """The page's text nodes outside data, each trimmed."""
    return page.evaluate(
        """(data) => {
            const out = [];
            const walker = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT);
            for (let node = walker.nextNode(); node; node = walker.nextNode()) {
                const el = node.parentElement;
                if (!el || el.closest(data) || el.closest('script,style,noscript,template')) continue;
                const style = getComputedStyle(el);
                if (style.display === 'none' || style.visibility === 'hidden') continue;
                const text = node.textContent.trim();
                if (text) out.push(text);
            }
            for (const el of document.querySelectorAll('[placeholder],[aria-label],[title]')) {
                if (el.closest(data)) continue;
                for (const a of ['placeholder', 'aria-label', 'title']) {
                    const v = el.getAttribute(a); if (v && v.trim()) out.push(v.trim());
                }
            }
            return out;
        }""",
        DATA,
    )


@lru_cache(maxsize=1)
def covered_code_points():
    """Every code point some installed font has a glyph for (fontconfig: what
    Chromium falls back through)."""
    listing = subprocess.run(["fc-list", "--format", "%{charset}\n"], capture_output=True, text=True, check=True).stdout
    points = set()
    for line in listing.splitlines():
        for part in line.split():
            first, _, last = part.partition("-")
            points.update(range(int(first, 16), int(last or first, 16) + 1))
    return frozenset(points)


def missing_glyphs(page):
    text = page.evaluate("document.body.innerText")
    covered = covered_code_points()
    return sorted({c for c in text if not c.isspace() and ord(c) >= 0x20 and ord(c) not in covered
                   and not 0x200B <= ord(c) <= 0x200F and not 0x2066 <= ord(c) <= 0x2069})


def main_pages(demo):
    """{officer: [(name, path)]}: CN-MPS's analyst holds the review queue and the
    matching pairs; KH-NP's officer holds the request the demo fixture sent."""
    from liaison.intake.models import ProposedFact
    from liaison.matching import services as matching
    from liaison.operations.models import Operation
    from liaison.registry.models import Person
    from liaison.requests.models import Request

    cn, kh = demo.users["cn.analyst"], demo.users["kh.officer"]
    person = Person.objects.visible_to(kh).filter(names__script="Khmr").first() or \
        Person.objects.visible_to(kh).order_by("id").first()
    fact = ProposedFact.objects.filter(document__owner=cn.agency, kind="event").order_by("id").first()
    pair = matching.decidable_pairs(cn).order_by("-probability", "id").first()
    return {
        cn: [
            ("dashboard", reverse("web:dashboard")),
            ("operation", reverse("web:detail", args=["operations", Operation.objects.visible_to(cn).order_by("id")[0].pk])),
            ("review queue", reverse("intake:queue")),
            ("proposed fact", reverse("intake:review", args=[fact.pk])),
            ("matches", reverse("matching:queue")),
            ("pair", reverse("matching:pair", args=[pair.pk])),
            ("preferences", reverse("sharing:preferences")),
        ],
        kh: [
            ("person", reverse("web:detail", args=["persons", person.pk])),
            ("persons", reverse("web:list", args=["persons"])),
            ("desk", reverse("requests:desk")),
            ("request", reverse("requests:detail", args=[Request.objects.visible_to(kh).order_by("id")[0].pk])),
            ("inbox", reverse("requests:inbox")),
        ],
    }


def public_pages():
    return [("public home", reverse("public:home")),
            ("public report", reverse("public:report_scam")),
            ("public missing", reverse("public:report_missing"))]


@lru_cache(maxsize=1)
def agency_names():
    """Agencies' names are data (as each agency wrote its own), like persons' names."""
    from liaison.sharing.models import Agency

    return frozenset(n for pair in Agency.objects.values_list("name", "short_name") for n in pair)


def check(page, code, name, problems):
    english = english_strings(code) if code != "en" else frozenset()
    shown = [t for t in visible_interface_text(page) if t not in agency_names()]
    leftovers = sorted({t for t in shown if t.strip(" .:,;()“”\"'—-·…") in english})
    if code != "en":
        leftovers += sorted({t for t in shown if looks_english(t, code)} - set(leftovers))
    if leftovers:
        problems.append(f"{code} {name}: English left: {leftovers[:8]}")
    missing = missing_glyphs(page)
    if missing:
        problems.append(f"{code} {name}: no glyph for {[f'U+{ord(c):04X}' for c in missing[:6]]}")
    found = overflow(page)
    if found["scrollWidth"] > PHONE["width"]:
        problems.append(f"{code} {name}: {found['scrollWidth']}px wide; {found['wide'][:3]}")


def sweep_languages():
    """All ten on SQLite. The PostgreSQL pass repeats what depends on the database
    (its ICU collations, queries): three languages of three scripts suffice there,
    and keep the suite inside its time budget; the catalogues are the same."""
    from django.db import connection

    return LANGUAGES if connection.vendor == "sqlite" else ["zh-hans", "th", "km"]


def test_every_main_page_in_every_language(browser, live_server, demo):
    from liaison.sharing.models import User

    SCREENS.mkdir(parents=True, exist_ok=True)
    problems = []
    for user, pages in main_pages(demo).items():
        # One sign-in per officer (an authenticator code is good once): the language is
        # the account's setting, read on every request, so changing it changes the next page.
        context = browser.new_context(viewport=PHONE, is_mobile=True, device_scale_factor=1, locale="en-GB")
        context.set_default_timeout(15_000)
        page = context.new_page()
        log_in(page, live_server, user, DEMO_PASSWORD)
        for code in sweep_languages():
            User.objects.filter(pk=user.pk).update(preferred_language=code)
            for name, path in pages:
                response = page.goto(live_server.url + path)
                assert response.status == 200 and page.url.endswith(path), (code, name, response.status, page.url)
                assert page.locator("html").get_attribute("lang") == code
                check(page, code, name, problems)
                if name == "person":
                    height = min(1400, page.evaluate("document.documentElement.scrollHeight"))
                    page.screenshot(path=str(SCREENS / f"person-{code}.jpg"), type="jpeg", quality=70, full_page=True,
                                    clip={"x": 0, "y": 0, "width": PHONE["width"], "height": height})
            if user.username == "kh.officer":
                for name, path in public_pages():
                    response = page.goto(f"{live_server.url}{path}?lang={code}")
                    assert response.status == 200, (code, name, response.status)
                    check(page, code, name, problems)
        context.close()
    assert problems == [], "\n".join(problems)


def test_a_khmer_officer_fulfils_a_repatriation_and_reads_notice_and_email_in_khmer(browser, live_server, demo,
                                                                                    mailoutbox, settings):
    from liaison.demo.demo_requests import DETAINED
    from liaison.registry.models import Person
    from liaison.requests import services as requests
    from liaison.sharing.models import User

    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    kh, vn = demo.users["kh.officer"], demo.users["vn.consul"]
    User.objects.filter(pk=kh.pk).update(preferred_language="km", email="kh.officer@example.org")
    User.objects.filter(pk=vn.pk).update(preferred_language="vi", email="vn.consul@example.org")
    vn.refresh_from_db()
    # Sent by the Vietnamese consul, working in Vietnamese.
    from django.utils import translation

    with translation.override("vi"):
        request = requests.create_request(
            vn, kind="repatriation", to_agency=demo.agencies["KH-NP"], title="Hồi hương 8 công dân",
            persons=Person.objects.filter(display_name__in=[n for n, _s, _b in DETAINED]),
            fields={"planned_date": "2099-01-20", "border_crossing": "Bavet – Mộc Bài", "transport": "road"},
        )
        requests.transition(vn, request, "send", version=request.version)
    context = browser.new_context(viewport=PHONE, is_mobile=True, locale="km")
    page = context.new_page()
    log_in(page, live_server, kh, DEMO_PASSWORD)
    page.goto(f"{live_server.url}{reverse('requests:desk')}?box=incoming")
    page.locator(f"a[href='{reverse('requests:detail', args=[request.pk])}']").first.click()
    page.locator("form.step-acknowledge button").click()
    fulfil = page.locator("form.step-fulfil")
    fulfil.locator("input[name=date]").fill("2024-01-20")
    fulfil.locator("button").click()
    status = page.locator("#req-status").inner_text()
    with translation.override("km"):
        from liaison.requests.models import Status

        assert status == str(Status.FULFILLED.label) and re.search("[\u1780-\u17FF]", status)
    problems = []
    check(page, "km", "request fulfilled", problems)
    # The notice of the consul's step, in Khmer although the consul wrote in Vietnamese.
    page.goto(live_server.url + reverse("requests:inbox"))
    notice = page.locator("main table").inner_text()
    assert re.search("[\u1780-\u17FF]", notice), notice
    check(page, "km", "inbox", problems)
    assert problems == [], "\n".join(problems)
    # The e-mail to the Khmer officer is in Khmer, the one to the consul in Vietnamese.
    to_kh = [m for m in mailoutbox if "kh.officer@example.org" in m.to]
    to_vn = [m for m in mailoutbox if "vn.consul@example.org" in m.to]
    assert to_kh and to_vn
    assert re.search("[\u1780-\u17FF]", to_kh[0].subject + to_kh[0].body)
    english = english_strings("km")
    assert not [line for line in to_kh[0].body.splitlines() if line.strip() in english]
    with translation.override("vi"):
        from django.utils.translation import gettext

        assert gettext("Open it in Liaison: %(url)s").split("%")[0].strip() in to_vn[-1].body
    context.close()


def test_a_thai_officer_sees_buddhist_era_dates(browser, live_server, demo):
    from liaison.operations.models import Event
    from liaison.sharing.models import User

    th = demo.users["th.officer"]
    User.objects.filter(pk=th.pk).update(preferred_language="th")
    event = Event.objects.visible_to(th).order_by("id").first()
    Event.objects.filter(pk=event.pk).update(date="2024-11-18")
    event.refresh_from_db()
    context = browser.new_context(viewport=PHONE, is_mobile=True, locale="th")
    page = context.new_page()
    log_in(page, live_server, th, DEMO_PASSWORD)
    page.goto(live_server.url + reverse("web:detail", args=["events", event.pk]))
    text = page.locator("main").inner_text()
    year = int(str(event.date)[:4])
    assert str(year + 543) in text, text[:400]
    assert str(event.date) not in text  # no ISO date: the month is a word
    # The officer may choose the Gregorian year instead.
    page.goto(live_server.url + reverse("sharing:preferences"))
    page.select_option("select[name=date_calendar]", "gregorian")
    page.locator("main form button[type=submit]").click()
    page.goto(live_server.url + reverse("web:detail", args=["events", event.pk]))
    text = page.locator("main").inner_text()
    assert str(year) in text and str(year + 543) not in text
    context.close()
