"""Dates, numbers, names and sort order per reader (issue 14): plain Python, no database."""
import datetime as dt
import re

import pytest

from liaison.core import localefmt as L
from liaison.names.translit import display_romanisation

LANGUAGES = ["en", "zh-hans", "th", "vi", "km", "lo", "my", "id", "ms", "tl"]
DAY = dt.date(2026, 12, 7)
MOMENT = dt.datetime(2026, 12, 7, 5, 4, tzinfo=dt.timezone.utc)


@pytest.mark.parametrize("language", LANGUAGES)
def test_no_date_can_be_read_as_another_day(language):
    """7 December and 12 July never print the same, and no date is all digits
    and separators (12/07/2026 is 7 December in one country, 12 July in another)."""
    reader = L.Reader(language, digits="latin")
    december, july = L.format_date(DAY, reader), L.format_date(dt.date(2026, 7, 12), reader)
    assert december != july
    for text in (december, july, L.format_datetime(MOMENT, reader)):
        assert not re.fullmatch(r"[\d\s/.,:-]+(UTC)?", text.replace("\u202f", " ")), text


@pytest.mark.parametrize("language", LANGUAGES)
def test_partial_dates_are_words_never_iso(language):
    reader = L.Reader(language)
    no_year = L.format_partial(None, 11, 18, reader, year_unknown="%(date)s (?)")
    month = L.format_partial(2023, 11, reader=reader)
    assert "--" not in no_year and "(?)" in no_year
    assert "2023-11" not in month and "--11-18" not in no_year


def test_english_reads_day_month_year_with_the_zone():
    assert L.format_date(DAY, L.Reader("en")) == "7 Dec 2026"
    assert L.format_datetime(MOMENT, L.Reader("en")) == "7 Dec 2026, 05:04 UTC"
    assert L.format_datetime(MOMENT, L.Reader("en", timezone="Asia/Bangkok")) == "7 Dec 2026, 12:04 GMT+7"
    assert L.format_partial(None, 11, 18, L.Reader("en")) == "18 Nov (year unknown)"
    assert L.format_partial(2023, 11, reader=L.Reader("en")) == "November 2023"


def test_thai_readers_get_the_buddhist_era_unless_they_choose_otherwise():
    assert "2569" in L.format_date(DAY, L.Reader("th"))
    assert "2026" in L.format_date(DAY, L.Reader("th", calendar="gregorian"))
    # Only Thailand's count is ICU's: a Khmer reader is never shown a year off by one.
    assert "2026" in L.format_date(DAY, L.Reader("km", calendar="buddhist"))


@pytest.mark.parametrize("language, digit", [("th", "๗"), ("km", "៧"), ("lo", "໗"), ("my", "၇")])
def test_native_digits_on_request(language, digit):
    assert digit in L.format_date(DAY, L.Reader(language, digits="native"))
    assert digit not in L.format_date(DAY, L.Reader(language, digits="latin"))
    assert L.format_number(12345, L.Reader(language, digits="latin")).replace(".", ",") == "12,345"


def test_chinese_readers_get_pinyin_order_and_thai_readers_dictionary_order():
    assert L.sorted_for_reader(["张伟", "李娜", "王芳", "阿明", "赵强"], language="zh-hans") == \
        ["阿明", "李娜", "王芳", "张伟", "赵强"]
    # Thai order ignores leading vowels: ไก่ sorts under ก, เขา under ข.
    assert L.sorted_for_reader(["เขา", "ไก่", "ขาว", "กา"], language="th") == ["กา", "ไก่", "ขาว", "เขา"]


def test_country_names_in_every_language_from_cldr():
    names = {language: L.country_name("KH", language) for language in LANGUAGES}
    assert names["en"] == "Cambodia" and names["lo"] != "Cambodia" and names["my"] != "Cambodia"
    assert len(set(names.values())) >= 7  # Malay/Indonesian/Filipino may share "Kemboja"/"Cambodia"


@pytest.mark.parametrize("name, romanised", [
    ("明学昌", "Ming Xuechang"), ("สมชาย ใจดี", "Somchai Chaidi"), ("ဦးမောင်မောင်", "U Maung Maung"),
    ("Nguyễn Văn Thành", ""),
])
def test_names_in_another_script_get_a_romanisation(name, romanised):
    assert display_romanisation(name) == romanised
