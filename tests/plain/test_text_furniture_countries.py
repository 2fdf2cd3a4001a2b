"""Photo captions are page furniture; countries outside the region's list are still found."""
from liaison.text.gazetteer import find_places
from liaison.text.segment import furniture_spans


def test_a_photo_caption_is_furniture_and_the_story_is_not():
    text = ("Police raid a casino on July 18, 2025. A photo posted on AKP\n"
            "Bộ đội biên phòng tiếp nhận 65 công dân. Ảnh: BĐBP\n"
            "Police arrested 40 suspects on Monday.\n")
    spans = furniture_spans(text)
    assert [text[a:b].strip() for a, b in spans] == text.strip().splitlines()[:2]


def test_countries_beyond_the_shipped_list_come_from_cldr_names():
    codes = {h.country for h in find_places("ผู้ต้องหาจากรวันดาและเอธิโอเปีย ยูอีเอ ယူအေအီး Rwanda")}
    assert {"RW", "ET", "AE"} <= codes


def test_everyday_words_are_not_taken_for_countries():
    # "مالي" also means "financial"; "수단" means "means": short CLDR names are left out
    assert not find_places("사기 수단으로 사용")
    assert not [h for h in find_places("احتيال مالي") if h.country == "ML"]


def test_nationals_named_from_the_country_and_the_british_in_lao():
    # "two Rwandans" names Rwanda's nationals; "ອັງກິດ" is Lao for Britain
    assert {h.country for h in find_places("at dalawang Rwandans na pawang biktima")} == {"RW"}
    assert {h.country for h in find_places("ຊາວອັງກິດ ແລະ ຫວຽດນາມ")} == {"GB", "VN"}
