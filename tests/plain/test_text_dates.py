"""Dates as precise as the text states them; relative ones resolved against the report's date."""
import pytest

from liaison.text.dates import find_dates, find_published


def dates(text, lang, ref=None):
    return [h.value for h in find_dates(text, lang, ref)]


@pytest.mark.parametrize("text,lang,ref,expected", [
    ("Le 18 novembre, la police", "fr", None, "--11-18"),
    ("Le 18 novembre, la police", "fr", "2024-11-22", "2024-11-18"),
    ("on June 3, after", "en", None, "--06-03"),
    ("เมื่อวันที่ 22 พ.ย. 2567 ตำรวจ", "th", None, "2024-11-22"),       # Buddhist era
    ("วันที่ ๒๒ พฤศจิกายน ๒๕๖๗", "th", None, "2024-11-22"),
    ("2024年11月22日，警方", "zh", None, "2024-11-22"),
    ("ngày 18 tháng 11 năm 2024", "vi", None, "2024-11-18"),
    ("ngày 18/10/2024", "vi", None, "2024-10-18"),
    ("ថ្ងៃទី២២ ខែវិច្ឆិកា ឆ្នាំ២០២៤", "km", None, "2024-11-22"),
    ("၂၀၂၄ ခုနှစ် နိုဝင်ဘာလ ၂၂ ရက်", "my", None, "2024-11-22"),
    ("ວັນທີ 22 ພະຈິກ 2024", "lo", None, "2024-11-22"),
    ("في 22 نوفمبر 2024", "ar", None, "2024-11-22"),
    ("2024년 11월 22일", "ko", None, "2024-11-22"),
    ("noong Nobyembre 22, 2024", "tl", None, "2024-11-22"),
    ("pada 3 Mac 2024", "ms", None, "2024-03-03"),
    ("November 2024", "en", None, "2024-11"),
])
def test_absolute_dates(text, lang, ref, expected):
    assert dates(text, lang, ref) == [expected]


@pytest.mark.parametrize("text,lang,ref,expected", [
    ("a annoncé mardi", "fr", "2024-11-22", "2024-11-19"),
    ("said on Tuesday", "en", "2024-11-22", "2024-11-19"),
    ("kemarin", "id", "2024-11-22", "2024-11-21"),
    ("hôm qua", "vi", "--11-22", "--11-21"),
    ("last week", "en", "2024-11-22", "2024-11"),
    ("지난 10일", "ko", "2024-10-14", "2024-10-10"),
])
def test_relative_dates(text, lang, ref, expected):
    assert dates(text, lang, ref) == [expected]


def test_weekday_without_a_full_report_date_is_not_guessed():
    assert [h.value for h in find_dates("a annoncé mardi", "fr", "--11-22")] == [""]


def test_published_from_header_or_dateline():
    assert find_published("Dernière mise à jour à 08h41 le 22/11\nA ce jour...", "fr") == "--11-22"
    assert find_published("Headline\nMAE SOT, 14 March 2024 – Thai police rescued 126 people who", "en") == "2024-03-14"
    assert find_published("The raid on 3 May 2024 was the largest this year, officials said on Monday in a long "
                          "statement that went on for many more words than any header would ever have.", "en") is None
