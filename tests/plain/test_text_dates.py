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


@pytest.mark.parametrize("text,lang,expected", [
    ("16-03-2019 10:05 am", "km", "2019-03-16"),                         # hyphenated day-month-year
    ("၁၂. ၀၃. ၂၀၂၂", "my", "2022-03-12"),                                # dotted with spaces
    ("မော်လမြိုင် ၊ ၈-၃-၂ဝ၁၉", "my", "2019-03-08"),                      # Zawgyi zero written with wa
    ("ဧပြီ ၂၃", "my", "--04-23"),                                        # month then day, no ရက်
    ("mardi, mars 4, 2025", "fr", "2025-03-04"),                         # blog header, month first
    ("12 July 2023", "th", "2023-07-12"),                                # English month in a Thai page
    ("SHAH ALAM, 3 Okt:", "ms", "--10-03"),                              # abbreviated Malay month
])
def test_more_written_forms(text, lang, expected):
    assert expected in dates(text, lang)


def test_temperature_is_not_a_date():
    assert dates("18.5 C Phnom Penh", "km") == []


def test_store_date_line_is_published_but_not_a_stated_date():
    text = " date 2024-05-09 Police said 30 people were held."
    assert find_published(text, "en") == "2024-05-09"
    assert dates(text, "en", "2024-05-09") == []


@pytest.mark.parametrize("text,lang,expected", [
    # header with a weather widget's date, then the article's own dated line
    ("31.0 C\nYangon\nMay 2, 2025\nHeadline here\n\nမန္တလေး ဧပြီ ၁၈\nBody text " + "x" * 200, "my", "--04-18"),
    # today's-date header without time, then the article's timestamp with its time
    ("Jumat, 5 Januari 2024\nJudul berita\n- Selasa, 2 Januari 2024 | 09:15 WIB\n" + "isi " * 60, "id", "2024-01-02"),
    # dateline with the place before and no dash after
    ("สงขลา- 3 มี.ค.2566 ณ ด่านตรวจคนเข้าเมือง เจ้าหน้าที่ได้ส่งตัว " + "ก" * 200, "th", "2023-03-03"),
    ("KOTA BHARU,14 Mei: Seramai 12 mangsa diselamatkan " + "kata " * 50, "ms", "--05-14"),
    # "today (date)" in the lead
    ("ตำรวจแถลง\nเช้าวันนี้ (4 มี.ค. 67) ตำรวจจับกุมผู้ต้องหา 5 คน " + "ก" * 200, "th", "2024-03-04"),
    # a press release signing off with place and date
    ("TITLE\n" + "Kementerian berkata sesuatu. " * 10 + "\nWISMA PUTRA\n3 Mac 2023\n", "ms", "2023-03-03"),
    ("Headline\nSource / Capital / March 3, 2024\nBody " + "y" * 200, "en", "2024-03-03"),
])
def test_published_in_page_headers(text, lang, expected):
    assert find_published(text, lang) == expected


@pytest.mark.parametrize("text,lang", [
    ("2024年6月18日，泰国警方在曼谷抓获涉嫌电信诈骗的中国籍犯罪嫌疑人26名。", "zh"),   # the event's date
    ("AEX -0.36% 935.19\nPX1 0.4% 8155.14\n" + "texte " * 50, "fr"),               # ticker
    ("Photo of the raid on July 18, 2025. A photo posted on the agency page\n" + "text " * 50, "en"),
    ("据当地媒体报道,2023年11月28日,警方捣毁诈骗团伙" + "。" * 200, "zh"),           # reported date, not a dateline
])
def test_not_the_published_date(text, lang):
    assert find_published(text, lang) is None


def test_a_range_of_days_is_dated_by_its_first_day():
    assert dates("entre le 20 et le 22 février 2025", "fr") == ["2025-02-20"]
    assert dates("في الفترة من 18 إلى 22 نوفمبر", "ar", "2025-11-23") == ["2025-11-18"]


def test_the_start_of_a_span_and_the_day_of_a_statement_are_marked():
    hits = find_dates("from 16 January to 15 February 2026, 4,254 reported", "en")
    assert [(h.value, h.role) for h in hits] == [("--01-16", "start"), ("2026-02-15", "")]
    assert [h.role for h in find_dates("detained since 3 March 2024", "en")] == ["start"]
    assert [h.role for h in find_dates("the Bangkok Post reported on February 23", "en")] == ["said"]


def test_amounts_with_a_decimal_point_are_not_dates():
    assert dates("merampas wang tunai RM1.05 juta", "ms", "2025-10-17") == []
    assert dates("تجاوزت 10 مليارات يوان (نحو 1.4 مليار دولار)", "ar", "2025-09-30") == []


def test_a_month_alone_takes_the_reports_year_and_a_coming_weekday_is_not_placed():
    assert dates("L’Inde avait mené une opération en mars.", "fr", "2025-11-05") == ["2025-03"]
    assert dates("saisi en décembre", "fr", "2026-01-08") == ["2025-12"]
    assert dates("a second flight on Monday, said in May", "en") == [""]  # no report date: no year for May
    assert dates("un second vol rapatriera le reste lundi prochain", "fr", "2025-11-05") == [""]


def test_an_outlets_compiling_date_is_published_but_a_speakers_date_is_not():
    lead = "Ratusan WNI melarikan diri dari perusahaan penipuan online di Kamboja. " * 3
    assert find_published(lead + "Dirangkum detikcom, Kamis (23/10/2025), kericuhan terjadi.", "id") == "2025-10-23"
    assert find_published(lead + "kata Judha, Senin (9/9/2024).", "id") is None


def test_the_day_a_statement_is_made_is_marked_in_french_and_vietnamese():
    assert [h.role for h in find_dates("Le ministère a confirmé, le 5 novembre, l’envoi de deux avions", "fr")] == ["said"]
    hits = find_dates("Ngày 24-10-2025, Công an tỉnh Vĩnh Long cho biết vừa tiếp nhận năm công dân", "vi")
    assert [h.role for h in hits] == ["said"]
