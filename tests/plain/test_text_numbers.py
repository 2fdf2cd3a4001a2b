"""Numbers as officers and journalists write them, in every script of the region."""
import pytest
from hypothesis import given
from hypothesis import strategies as st

from liaison.text import parse_number
from liaison.text.numbers import find_numbers


@pytest.mark.parametrize("written,lang,value", [
    ("70.000", "id", 70000),
    ("lebih dari 70.000", "id", 70000),
    ("31 000", "fr", 31000),
    ("1 531", "fr", 1531),
    ("1\u00a0531", "fr", 1531),
    ("1\u202f531", "fr", 1531),
    ("31,000", "en", 31000),
    ("3.1万", "zh", 31000),
    ("七千", "zh", 7000),
    ("两千三百", "zh", 2300),
    ("四十三", "zh", 43),
    ("๒๕๖๗", "th", 2567),
    ("១៥", "km", 15),
    ("၁၂၀၀", "my", 1200),
    ("໓໐", "lo", 30),
    ("٣١٥", "ar", 315),
    ("۱۲", "ar", 12),
    ("sixty-three", "en", 63),
    ("one hundred and five", "en", 105),
    ("quatre-vingt-dix", "fr", 90),
    ("tiga puluh", "id", 30),
    ("dua ratus tiga puluh lima", "id", 235),
    ("ba mươi", "vi", 30),
    ("hai mươi mốt", "vi", 21),
    ("dalawampu't tatlo", "tl", 23),
    ("خمسة وعشرين", "ar", 25),
    ("ยี่สิบเอ็ด", "th", 21),
    ("2.5 million", "en", 2_500_000),
    ("1,5 million", "fr", 1_500_000),
])
def test_parse_number(written, lang, value):
    assert parse_number(written, lang) == value


@pytest.mark.parametrize("written", ["", "   ", "abc", "many", "一些"])
def test_not_a_number(written):
    assert parse_number(written, "en" if written.isascii() else "zh") is None


@given(st.integers(min_value=1000, max_value=9_999_999))
def test_grouped_numbers_round_trip(n):
    """Whatever separator a language groups thousands with, the value comes back."""
    plain = f"{n:,}"
    assert parse_number(plain, "en") == n
    assert parse_number(plain.replace(",", "."), "id") == n
    assert parse_number(plain.replace(",", "\u202f"), "fr") == n
    thai = plain.translate(str.maketrans("0123456789", "๐๑๒๓๔๕๖๗๘๙"))
    assert parse_number(thai, "th") == n


def test_find_numbers_keeps_offsets_and_skips_words_inside_words():
    text = "จับกุมผู้ต้องหา ๒๐ คน และสามสิบคน สามารถ"
    spans = find_numbers(text, "th")
    assert [(s.value, text[s.start:s.end]) for s in spans] == [(20, "๒๐"), (30, "สามสิบ")]


def test_french_spaces_group_but_not_elsewhere():
    assert [s.value for s in find_numbers("1 531 fugitifs", "fr")] == [1531]
    assert [s.value for s in find_numbers("in 2024 160 people", "en")] == [2024, 160]
