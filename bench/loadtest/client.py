"""What the load test's officers and its fault driver share: signing in as a person does
(the login form with its CSRF token, then the six-digit code) and reading a form off a
page. Works on any ``requests.Session`` (locust's HttpSession is one)."""
from __future__ import annotations

import time

from django_otp.oath import TOTP  # plain Python (RFC 6238): the same code the server checks with
from lxml import html as lxml_html


def totp_code(officer, at=None):
    totp = TOTP(bytes.fromhex(officer["totp_key"]), officer["step"], 0, officer["digits"])
    if at is not None:
        totp.time = at
    return f"{totp.token():0{officer['digits']}d}"


def form_fields(body, action_contains=None, index=0):
    """``(action, {field: value})`` of a form on the page as a browser would send it
    unchanged (lxml's form_values: checked boxes, selected options, hidden inputs): the
    one whose action contains ``action_contains``, else the first POST form without an
    action (it posts to its own page); ``(None, None)`` when the page has no such form."""
    try:
        doc = lxml_html.fromstring(body)
    except Exception:  # noqa: BLE001 - an empty or non-HTML body has no form
        return None, None
    forms = [f for f in doc.forms if action_contains is None or action_contains in (f.action or "")]
    if not forms and action_contains is not None:  # a form that posts to its own page has no action
        forms = [f for f in doc.forms if not f.action and (f.method or "").upper() == "POST"]
    if len(forms) <= index:
        return None, None
    values = {}
    for name, value in forms[index].form_values():
        if name in values:  # a multiple choice: every value
            prev = values[name]
            values[name] = (prev if isinstance(prev, list) else [prev]) + [value]
        else:
            values[name] = value
    return forms[index].action, values


def post_form(session, url, values, name=None, **kwargs):
    """POST a form to the absolute ``url`` as the browser would (Referer, CSRF cookie)."""
    extra = {"name": name} if name else {}
    return session.post(url, data=values, headers={"Referer": url}, **extra, **kwargs)


def login(session, base, officer, name=None, next_path="/requests/"):
    """Sign in ``officer`` (password, then the TOTP code). True when signed in.
    A code is accepted once per 30 s window: a second sign-in of the same officer in the
    same window waits for the next code, as a person would."""
    extra = {"name": name} if name else {}
    session.cookies.clear()
    # Landing on the request desk, not the dashboard: at a million persons the dashboard's
    # counts take minutes (bench/README.md, load test), which would hold every officer at sign-in.
    page = session.get(f"{base}/login/?next={next_path}", **extra)
    _action, values = form_fields(page.text)
    values = dict(values or {}, username=officer["username"], password=officer["password"])
    step = post_form(session, f"{base}/login/?next={next_path}", values, name)
    if "/login/code/" not in step.url:
        return False
    for attempt in range(2):
        _action, values = form_fields(step.text)
        values = dict(values or {}, code=totp_code(officer))
        done = post_form(session, step.url, values, name)
        if "/login/" not in done.url:
            return True
        if attempt == 0:
            time.sleep(officer["step"] - time.time() % officer["step"] + 1)
            step = session.get(step.url, **extra)
    return False


def message_of(body):
    """The first error or message the page shows an officer (what they would read)."""
    try:
        doc = lxml_html.fromstring(body)
    except Exception:  # noqa: BLE001 - not HTML
        return (body or "")[:200]
    for xpath in ('//*[contains(@class, "errorlist")]', '//*[contains(@class, "message")]',
                  '//*[contains(@class, "error")]', "//main//h1", "//h1", "//title"):
        found = doc.xpath(xpath)
        if found:  # every error list: the form's general line and each field's
            return " | ".join(" ".join(f.text_content().split()) for f in found[:4])[:300]
    return " ".join(doc.text_content().split())[:200]
