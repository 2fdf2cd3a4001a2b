"""Template filters for the reader's language (a builtin: no {% load %} needed).

    {{ moment|when }}        7 Dec 2026, 05:04 UTC  (time zone of the reader)
    {{ moment|day }}         7 Dec 2026
    {{ stored|partial_date }} Nov 2023 · 18 Nov (year unknown)
    {{ value|num }}          12,345 · ១២,៣៤៥
    {{ text|name }}          <bdi>สมชาย ใจดี</bdi> (Somchai Chaidi) for a reader of another script
    {{ text|isolate }}       <bdi dir="auto">…</bdi> for names and quotes in any direction

Dates never print the month as a number, so none can be read as 7 December in
one country and 12 July in another; a Thai reader gets the Buddhist era.
"""
import datetime

from django import template
from django.utils.html import format_html
from django.utils.translation import gettext as _

from liaison.core import localefmt
from liaison.core.i18n import current_reader
from liaison.partialdate import PartialDate, PartialDateError

register = template.Library()

# The script a reader of each language reads without help.
READER_SCRIPT = {"zh-hans": "Hani", "th": "Thai", "km": "Khmr", "lo": "Laoo", "my": "Mymr"}


@register.filter
def when(value, seconds=False):
    if not value:
        return ""
    if isinstance(value, datetime.datetime):
        return localefmt.format_datetime(value, current_reader(), seconds=bool(seconds))
    if isinstance(value, datetime.date):
        return localefmt.format_date(value, current_reader())
    return value


@register.filter
def day(value):
    if not value:
        return ""
    if isinstance(value, datetime.datetime):
        reader = current_reader()
        return localefmt.format_datetime(value, reader, with_time=False)
    if isinstance(value, datetime.date):
        return localefmt.format_date(value, current_reader())
    return value


def partial_date_text(value):
    """A stored partial date ("2023-11", "--11-18") in words, as precise as it is."""
    if not value:
        return ""
    try:
        d = PartialDate.parse(str(value))
    except PartialDateError:
        return str(value)
    return localefmt.format_partial(d.year, d.month, d.day, current_reader(),
                                    year_unknown=_("%(date)s (year unknown)"))


register.filter("partial_date", partial_date_text)


@register.filter
def num(value):
    if value is None or value == "":
        return ""
    try:
        return localefmt.format_number(value, current_reader())
    except (TypeError, ValueError):
        return value


@register.filter
def isolate(value):
    """Text of unknown direction (a name, a quote) isolated from the page's
    direction: Arabic inside an English sentence keeps its punctuation in place."""
    if value is None or value == "":
        return ""
    return format_html('<bdi dir="auto">{}</bdi>', value)


def romanisation_for_reader(text, language):
    """The Latin form to show beside ``text`` for a reader of ``language``, or ""."""
    from liaison.names import detect_script
    from liaison.names.translit import display_romanisation

    script = detect_script(text)
    if script in ("Latn", "Zyyy") or script == READER_SCRIPT.get(language, "Latn"):
        return ""
    return display_romanisation(text)


@register.filter
def name(value):
    """A name as written, isolated, with its romanisation beside it when the
    reader's language is written in another script."""
    if value is None or value == "":
        return ""
    text = str(value)
    roman = romanisation_for_reader(text, current_reader().language)
    if roman and roman.casefold() != text.casefold():
        return format_html('<bdi dir="auto">{}</bdi> <span class="romanised" lang="en-Latn">({})</span>', text, roman)
    return format_html('<bdi dir="auto">{}</bdi>', text)
