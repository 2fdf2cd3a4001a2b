"""Dates, numbers and sort order in the reader's language, from CLDR through ICU.

Plain Python (PyICU, no Django), used by template filters, e-mails, exports
and the API's human-readable fields alike.

Why ICU rather than Django's locale formats: Django has no formats for Lao or
Filipino and none of its formats knows the Thai Buddhist calendar or native
digits (๑๒๓, ១២៣, ໑໒໓, ၁၂၃), which Thai, Khmer, Lao and Burmese officers may
ask for. ICU's skeletons ("yMMMd": year, abbreviated month *name*, day) give
every language its own order while never writing a month as a number, so no
date can be read as 7 December in one country and 12 July in another.

The reader's preferences live in a context variable (set per request by
``liaison.core.middleware.ReaderLocaleMiddleware``, or around an e-mail with
``reading_as``), so filters need no request.
"""
from __future__ import annotations

import contextvars
import datetime as _dt
from contextlib import contextmanager
from dataclasses import dataclass
from functools import lru_cache

import icu

# Liaison's language codes -> the ICU locale whose conventions officers of that
# language expect. English is British usage: "7 Dec 2026", 24-hour clock.
ICU_LOCALE = {
    "en": "en_GB", "zh-hans": "zh_Hans_CN", "th": "th_TH", "vi": "vi_VN", "km": "km_KH", "lo": "lo_LA",
    "my": "my_MM", "id": "id_ID", "ms": "ms_MY", "tl": "fil_PH", "fr": "fr_FR", "ar": "ar",
}
# The numbering system of each language's own digits.
NATIVE_DIGITS = {"th": "thai", "km": "khmr", "lo": "laoo", "my": "mymr"}
# Languages whose readers get the Buddhist era unless they choose otherwise.
BUDDHIST_BY_DEFAULT = {"th"}

GREGORIAN, BUDDHIST = "gregorian", "buddhist"
LATIN, NATIVE = "latin", "native"


@dataclass(frozen=True)
class Reader:
    """How one reader wants dates and numbers: language, calendar, digits, time zone.

    ``calendar`` and ``digits`` may be "" for "what my language usually uses"
    (CLDR's default: Buddhist era for Thai; Burmese digits for Burmese, Western
    digits for the others)."""

    language: str = "en"
    calendar: str = ""
    digits: str = ""
    timezone: str = "UTC"

    @property
    def uses_buddhist_era(self):
        # ICU's Buddhist calendar is Thailand's (year + 543). Cambodia and Laos count
        # Buddhist years differently (+544 from Visak Bochea in Cambodia), so the
        # option is offered to Thai readers only rather than be a year off.
        if self.language not in BUDDHIST_BY_DEFAULT:
            return False
        return self.calendar != GREGORIAN

    @property
    def uses_native_digits(self):
        return self.digits == NATIVE and self.language in NATIVE_DIGITS

    def icu_locale(self):
        keywords = []
        # Always explicit: ICU's own default for th_TH is already the Buddhist calendar.
        keywords.append("calendar=buddhist" if self.uses_buddhist_era else "calendar=gregorian")
        if self.uses_native_digits:
            keywords.append("numbers=" + NATIVE_DIGITS[self.language])
        elif self.digits == LATIN:
            keywords.append("numbers=latn")
        base = ICU_LOCALE.get(self.language, ICU_LOCALE.get(self.language.split("-")[0], "en_GB"))
        return base + ("@" + ";".join(keywords) if keywords else "")


_reader: contextvars.ContextVar[Reader] = contextvars.ContextVar("liaison_reader", default=Reader())


def current_reader():
    return _reader.get()


def set_reader(reader):
    """Make ``reader`` current; returns the token to ``reset_reader`` with."""
    return _reader.set(reader)


def reset_reader(token):
    _reader.reset(token)


@contextmanager
def reading_as(reader):
    token = _reader.set(reader)
    try:
        yield reader
    finally:
        _reader.reset(token)


@lru_cache(maxsize=512)
def _pattern(locale_id, skeleton):
    return icu.DateTimePatternGenerator.createInstance(icu.Locale(locale_id)).getBestPattern(skeleton)


def _format(moment, skeleton, reader, tz="UTC"):
    # ICU formatters are not safe to share between threads; the costly part (the
    # pattern for a skeleton) is cached, the formatter is made per call.
    locale_id = reader.icu_locale()
    fmt = icu.SimpleDateFormat(_pattern(locale_id, skeleton), icu.Locale(locale_id))
    fmt.setTimeZone(icu.TimeZone.createTimeZone(tz))
    return fmt.format(moment)


def _epoch_seconds_of_day(day):
    return _dt.datetime(day.year, day.month, day.day, 12, tzinfo=_dt.timezone.utc).timestamp()


def format_date(day, reader=None):
    """7 Dec 2026 · 2026年12月7日 · 7 ธ.ค. 2569: a calendar day, month always as a word."""
    if day is None:
        return ""
    reader = reader or current_reader()
    if isinstance(day, _dt.datetime):
        return format_datetime(day, reader, with_time=False)
    return _format(_epoch_seconds_of_day(day), "yMMMd", reader)


def format_datetime(moment, reader=None, *, with_time=True, seconds=False):
    """A moment in the reader's time zone: "7 Dec 2026, 05:04 UTC" (24-hour clock everywhere)."""
    if moment is None:
        return ""
    reader = reader or current_reader()
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=_dt.timezone.utc)
    # The zone is named ("UTC", "GMT+7"): a time without one is the misreading
    # this module exists to prevent.
    skeleton = "yMMMd" + (("HHmmssz" if seconds else "HHmmz") if with_time else "")
    return _format(moment.timestamp(), skeleton, reader, reader.timezone)


def format_partial(year, month=None, day=None, reader=None, *, year_unknown="%(date)s (year unknown)"):
    """A partial date exactly as precise as the source: "November 2023", "2023",
    "18 Nov (year unknown)". ``year_unknown`` is the translated wording around
    a day whose year the source does not give."""
    reader = reader or current_reader()
    if year is None:
        # Any leap year, so that 29 February is shown too; the year is not printed.
        text = _format(_epoch_seconds_of_day(_dt.date(2000, month, day)), "MMMd", reader)
        return year_unknown % {"date": text}
    if day:
        return format_date(_dt.date(year, month, day), reader)
    if month:
        return _format(_epoch_seconds_of_day(_dt.date(year, month, 1)), "yMMMM", reader)
    return _format(_epoch_seconds_of_day(_dt.date(year, 7, 1)), "y", reader)


def format_number(value, reader=None):
    """12,345 · 12.345 (id, vi) · ១២,៣៤៥ (Khmer, native digits)."""
    if value is None:
        return ""
    reader = reader or current_reader()
    fmt = icu.NumberFormat.createInstance(icu.Locale(reader.icu_locale()))
    return fmt.format(value)


_BABEL_LOCALE = {"zh-hans": "zh_Hans", "tl": "fil"}


@lru_cache(maxsize=32)
def _territories(language):
    from babel import Locale, UnknownLocaleError

    try:
        return Locale.parse(_BABEL_LOCALE.get(language, language.replace("-", "_"))).territories
    except (UnknownLocaleError, ValueError):
        return Locale("en").territories


def country_name(code, language=None):
    """The country's name in the reader's language, from CLDR (Babel): all ten
    interface languages have it, Lao, Khmer and Burmese included, which
    django-countries lacks. None for a code CLDR does not know."""
    language = language or current_reader().language
    return _territories(language).get(str(code).upper())


@lru_cache(maxsize=32)
def _collator(locale_id):
    collator = icu.Collator.createInstance(icu.Locale(locale_id))
    # Numbers inside names sort by value ("Team 2" before "Team 10").
    collator.setAttribute(icu.UCollAttribute.NUMERIC_COLLATION, icu.UCollAttributeValue.ON)
    return collator


def collation_locale(language):
    """The ICU locale whose collation a reader of ``language`` expects: pinyin
    order for Chinese, dictionary order for Thai (vowels before consonants
    ignored as Thai readers do)."""
    return ICU_LOCALE.get(language, "en_GB").split("@")[0]


def sort_key(text, language=None):
    """A bytes key that sorts ``text`` as a reader of ``language`` expects."""
    language = language or current_reader().language
    return _collator(collation_locale(language)).getSortKey(text or "")


def sorted_for_reader(items, key=lambda item: item, language=None):
    language = language or current_reader().language
    return sorted(items, key=lambda item: sort_key(str(key(item)), language))
