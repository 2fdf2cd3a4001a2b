import unicodedata

import pytest

from liaison import identifiers as idf
from liaison import names


def test_nfc_storage_keeps_the_name_as_written():
    decomposed = unicodedata.normalize("NFD", "Nguyễn Văn Đức")
    assert names.nfc(f"  {decomposed}  ") == "Nguyễn Văn Đức"
    assert names.nfc("明国平") == "明国平"


@pytest.mark.parametrize("text,script", [
    ("Ming Guoping", "Latn"), ("明国平", "Hani"), ("محمد علي", "Arab"), ("สมชาย ใจดี", "Thai"),
    ("សុខ ដារ៉ា", "Khmr"), ("အောင်ဆန်း", "Mymr"), ("ສົມພອນ", "Laoo"), ("김민준", "Hang"), ("やまだ たろう", "Jpan"),
])
def test_script_detection(text, script):
    assert names.detect_script(text) == script


def test_search_key_folds_case_and_latin_diacritics_only():
    assert names.search_key("NGUYỄN Văn Đức") == names.search_key("nguyen van duc")
    # Thai vowel marks are letters of the name, not decoration: kept.
    assert names.search_key("สมชาย") != names.search_key("สมชย")
    assert names.search_key("ＡＢＣ") == "abc"


def test_rtl():
    assert names.is_rtl("محمد") and not names.is_rtl("Ming")


@pytest.mark.parametrize("kind,value,canonical", [
    ("phone", "+95 9 450 123 456", "+959450123456"),
    ("phone", "0095-9-450123456", "+959450123456"),
    ("iban", "de89 3704 0044 0532 0130 00", "DE89370400440532013000"),
    ("email", "Boss@Example.COM", "boss@example.com"),
    ("domain", "https://www.Jobs-Thailand.example/apply", "jobs-thailand.example"),
    ("telegram", "https://t.me/Scam_Boss", "scam_boss"),
    ("crypto_wallet", "0xAbC0000000000000000000000000000000000001", "0xabc0000000000000000000000000000000000001"),
])
def test_same_identifier_written_differently_is_one_canonical_form(kind, value, canonical):
    assert idf.normalize(kind, value) == canonical


def test_phone_without_country_code_needs_a_region():
    with pytest.raises(idf.IdentifierError, match="no country code"):
        idf.normalize("phone", "012 345 678")
    assert idf.normalize("phone", "012 345 678", region="KH") == "+85512345678"


@pytest.mark.parametrize("kind,value,message", [
    ("iban", "DE00 1234", "not a valid IBAN"),
    ("phone", "+95 1", "not a phone number"),
    ("phone", "+95 9 1234", "not a valid phone number"),
    ("email", "no-at-sign", "not an e-mail address"),
    ("telegram", "ab", "not a Telegram username"),
    ("phone", "   ", "empty"),
])
def test_bad_identifiers_get_a_clear_message(kind, value, message):
    with pytest.raises(idf.IdentifierError, match=message):
        idf.normalize(kind, value)
