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


@pytest.mark.parametrize("written,lang,value", [
    ("4.2万", "zh", 42000),          # a decimal before 万
    ("7﹒8萬", "zh", 78000),          # CJK small full stop as the decimal point
    ("3万4千", "zh", 34000),
    ("3백", "ko", 300),
    ("2,50,000", "en", 250000),      # lakh-style grouping
    ("2.5 หมื่น", "th", 25000),
    ("៤ម៉ឺន", "km", 40000),
    ("ສອງຮອ້ຍ", "lo", 200),         # tone mark typed before the vowel
    ("ba chục", "vi", 30),
])
def test_parse_number_multipliers_and_variants(written, lang, value):
    assert parse_number(written, lang) == value


def _found(text, lang):
    return [(s.value, s.text) for s in find_numbers(text, lang)]


@pytest.mark.parametrize("text,lang,expected", [
    # a multiplier glued to the next word in scripts written without spaces
    ("共抓获3.2万余名嫌疑人", "zh", [(32000, "3.2万")]),
    ("ส่งกลับ 2.5 พันคน", "th", [(2500, "2.5 พัน")]),
    ("សរុប៤ម៉ឺននាក់", "km", [(40000, "៤ម៉ឺន")]),
    # a round amount and the rest of it are one number
    ("ترحيل 5 آلاف و230 شخصا", "ar", [(5230, "5 آلاف و230")]),
    ("sebanyak 2 juta 300 ribu orang", "id", [(2300000, "2 juta 300 ribu")]),
    # a number right after punctuation in CJK text
    ("9月3日下午,6名嫌疑人", "zh", [(9, "9"), (3, "3"), (6, "6")]),
])
def test_find_numbers_reads_compound_and_glued_amounts(text, lang, expected):
    assert _found(text, lang) == expected


@pytest.mark.parametrize("text,lang", [
    ("抓获数百名嫌疑人", "zh"),
    ("ช่วยเหลือหลายร้อยคน", "th"),
    ("ratusan orang ditahan", "id"),
    ("des centaines de travailleurs", "fr"),
    ("اعتقال مئات الأجانب", "ar"),
    ("اعتقال آلاف الأجانب", "ar"),
    ("피해자 수십 명", "ko"),
    ("hàng chục người", "vi"),
    ("thousands of workers", "en"),
])
def test_vague_amounts_are_not_numbers(text, lang):
    assert find_numbers(text, lang) == []


@pytest.mark.parametrize("text,lang,expected", [
    ("ชุดที่ 4 จำนวน 120 คน", "th", [120]),
    ("เจ้าหน้าที่ 50 นาย", "th", [50]),          # "หน้าที่" is not the ordinal "ที่"
    ("第2批35名", "zh", [35]),
    ("lần thứ 3, 40 người", "vi", [40]),
    ("ជាលើកទី៣ ចំនួន២០នាក់", "km", [20]),
    ("gelombang ke-2 sebanyak 60 orang", "id", [60]),
])
def test_numbers_that_name_an_item_are_left_out(text, lang, expected):
    assert [s.value for s in find_numbers(text, lang)] == expected


@pytest.mark.parametrize("text,lang,expected", [
    ("and seven others were", "en", [(7, "seven")]),          # no "and" in the span
    ("isang grupo ng mga dayuhan", "tl", []),                  # an article, not one
    ("isang daang tao", "tl", [(100, "isang daang")]),
    ("một nhóm đối tượng", "vi", []),
    ("one of the suspects", "en", []),
    ("30代の男3人", "ja", [(3, "3")]),                         # an age decade
    ("20대 남성 2명", "ko", [(2, "2")]),
    ("ketujuh tersangka itu", "id", [(7, "ketujuh")]),         # collective: the seven
    ("kelima-lima mangsa", "ms", [(5, "kelima-lima")]),
    ("kedua negara", "id", []),                                # "both countries": no persons counted
])
def test_word_numbers_in_context(text, lang, expected):
    assert _found(text, lang) == expected


@pytest.mark.parametrize("text,lang,expected", [
    ("១ពាន់៥រយនាក់", "km", [1500]),             # digits with thousand and hundred words
    ("3 พัน 5 ร้อยคน ร้อยละ 40", "th", [3500, 40]),  # "ร้อยละ" is per cent, not a hundred
    ("피해자 열두 명", "ko", [12]),                 # native Korean numerals glued together
    ("스물다섯 명", "ko", [25]),
    ("labindalawang Pilipino", "tl", [12]),       # the "-ng" linker
    ("اثنا عشر شخصا", "ar", [12]),
    ("مائتي شخص", "ar", [200]),                   # dual
    ("ثلاثمائة ألف", "ar", [300000]),
    ("năm 2023, năm nay có năm người", "vi", [2023, 5]),  # "năm" is a year unless persons follow
    ("Bộ Tư pháp", "vi", []),
    ("hai mươi tư người", "vi", [24]),
])
def test_number_grammars_per_language(text, lang, expected):
    assert [s.value for s in find_numbers(text, lang)] == expected


@pytest.mark.parametrize("text,lang,expected", [
    ("seramai sepuluh (10) orang", "ms", [(10, "sepuluh (10)")]),   # a number restated in digits
    ("dua belas (12) orang", "id", [(12, "dua belas (12)")]),
    ("lima (6) orang", "id", [(5, "lima"), (6, "6")]),               # not the same number: both kept
])
def test_number_restated_in_brackets_is_one_number(text, lang, expected):
    assert _found(text, lang) == expected
