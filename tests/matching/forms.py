"""Submitting a page's form the way a browser does, without a browser.

``press(client, html, button)`` finds the button by its text, takes only the
fields of the form it belongs to (typed values replace the page's), adds the
button's own name and value, and posts to the button's ``formaction`` or the
form's ``action``: a field outside that form is not sent, as in a browser.
"""
from html.parser import HTMLParser


class _Forms(HTMLParser):
    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.forms, self.current, self.button, self.select = [], None, None, None

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "form":
            self.current = {"action": attrs.get("action", ""), "fields": [], "buttons": []}
            self.forms.append(self.current)
        elif self.current is None:
            return
        elif tag == "input":
            self.current["fields"].append(attrs)
        elif tag == "textarea":
            self.current["fields"].append({**attrs, "type": "textarea", "value": ""})
        elif tag == "select":
            self.select = {**attrs, "type": "select", "value": None}
            self.current["fields"].append(self.select)
        elif tag == "option" and self.select is not None:
            if self.select["value"] is None or "selected" in attrs:
                self.select["value"] = attrs.get("value", "")
        elif tag == "button":
            self.button = {**attrs, "text": ""}
            self.current["buttons"].append(self.button)

    def handle_data(self, data):
        if self.button is not None:
            self.button["text"] += data

    def handle_endtag(self, tag):
        if tag == "form":
            self.current = None
        elif tag == "button":
            self.button = None
        elif tag == "select":
            self.select = None


def forms_of(html):
    parser = _Forms()
    parser.feed(html)
    return parser.forms


def press(client, html, button_text, typed=None, ticked=(), at=""):
    """Type (or choose) ``typed`` ({name: value}) in the visible fields of the button's form, tick
    the checkboxes named in ``ticked``, and press the button. ``at`` is the page's URL,
    where a form without an action posts. Returns the response."""
    typed = dict(typed or {})
    for form in forms_of(html):
        button = next((b for b in form["buttons"] if b["text"].strip() == button_text), None)
        if button is None:
            continue
        data = {}
        for field in form["fields"]:
            name, kind = field.get("name"), field.get("type", "text")
            if not name:
                continue
            if kind == "checkbox":
                if name in ticked or "checked" in field:
                    data[name] = field.get("value", "on")
            elif kind in ("text", "textarea", "search", "select") and name in typed:
                data[name] = typed.pop(name)
            elif kind != "submit":
                data[name] = field.get("value", "")
        if button.get("name"):
            data[button["name"]] = button.get("value", "")
        assert not typed, f"no field {sorted(typed)} to type into in the form of {button_text!r}"
        target = button.get("formaction") or form["action"] or at
        assert target, "the form posts to its own page: say which (at=...)"
        return client.post(target, data)
    raise AssertionError(f"no button {button_text!r} on the page")
