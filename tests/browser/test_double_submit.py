"""No double submits in the browser (issue 18): a double click on "Send" sends one
request (web/once.js cancels the second submit), and while the answer is on its way
the button is disabled and "Working… please wait" is said next to it."""
import pytest

from tests.browser.conftest import log_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def desk(transactional_db):
    from django_countries import countries

    from liaison.core.models import Country
    from tests.requests.conftest import build_desk

    if not Country.objects.exists():
        Country.objects.bulk_create(Country(code=code, name=name) for code, name in countries)
    return build_desk()


def test_a_double_click_on_send_sends_once_and_says_to_wait(page, live_server, desk):
    from liaison.requests import services
    from liaison.requests.models import Step
    from tests.requests.conftest import PASSWORD, REPATRIATION_FIELDS

    req = services.create_request(desk.vn_lo, kind="repatriation", to_agency=desk.kh, title="Eight nationals",
                                  persons=desk.persons, fields=REPATRIATION_FIELDS)
    log_in(page, live_server, desk.vn_lo, PASSWORD)
    # While a navigation is pending Playwright reads nothing of the page being left, so the page
    # itself notes what the officer sees once the message is there (in sessionStorage, which
    # outlives the navigation); the init script is Playwright's, outside the page's CSP.
    page.add_init_script("""new MutationObserver(() => {
        const note = document.querySelector('.wait-note'), button = document.querySelector('form.step-send button');
        if (note && note.textContent && button) sessionStorage.setItem('seen', JSON.stringify(
            [note.textContent, note.getAttribute('aria-live'), button.disabled]));
    }).observe(document, {subtree: true, childList: true, characterData: true});""")
    page.goto(f"{live_server.url}/requests/{req.pk}/")
    held = []
    # The server's answer is held back, as on a busy machine.
    page.route("**/send/", lambda route: held.append(route))
    page.locator("form.step-send button").dblclick(no_wait_after=True)
    page.wait_for_timeout(800)  # a second POST, had one been sent, would have reached the route by now
    assert len(held) == 1 and held[0].request.method == "POST"
    held[0].continue_()
    page.wait_for_selector("#req-status:has-text('Sent')")
    assert page.evaluate("sessionStorage.getItem('seen')") == '["Working… please wait","polite",true]'
    assert Step.objects.filter(request=req, action="send").count() == 1
    assert not page.csp_errors
