"""Person names in report text: found by family-name lists and context, not only after a title (issue 12)."""
from liaison.text.entities import find_persons


def names(text, lang):
    return {p.name: p.role for p in find_persons(text, lang)}


# --- Chinese -------------------------------------------------------------------


def test_chinese_names_listed_without_titles_take_the_role_word_before_the_list():
    found = names("法院对犯罪集团主犯刘建华、陈国强、黄志明等8名被告人判处死刑。", "zh")
    assert found == {"刘建华": "leader", "陈国强": "leader", "黄志明": "leader"}


def test_traditional_chinese_family_names_are_known():
    found = names("法院認定，詐騙集團成員鄭文傑、楊志偉等5名被告人犯詐騙罪。", "zh")
    assert set(found) == {"鄭文傑", "楊志偉"}
    assert set(found.values()) == {"suspect"}


def test_chinese_spokesperson_and_surname_placeholder():
    assert names("外交部發言人毛寧表示，中方高度重視。", "zh") == {"毛寧": "official"}
    assert names("被解救的張某說，他被騙到園區。", "zh") == {"張某": "victim"}


# --- Korean --------------------------------------------------------------------


def test_korean_name_before_its_office_and_title():
    found = names("김민수 경찰청 대변인은 이날 브리핑에서 “송환을 마쳤다”고 말했다.", "ko")
    assert found == {"김민수": "official"}


def test_korean_letter_placeholders_are_not_names():
    assert names("경찰은 B씨와 C(35)씨를 구속했다. 총책 김모(42)씨는 도주했다.", "ko") == {}


def test_foreign_name_in_hangul_keeps_all_its_words_but_not_the_country():
    found = names("절차가 끝났다.\n마리아 산토스 필리핀 이민국장은 “추방하겠다”고 밝혔다.", "ko")
    assert found == {"마리아 산토스": "official"}


# --- Japanese ------------------------------------------------------------------


def test_japanese_names_with_ages_in_a_list_and_the_role_word_not_in_the_name():
    found = names("逮捕されたのは田中一郎(45)、佐藤次郎(38)の両容疑者。", "ja")
    assert set(found) == {"田中一郎", "佐藤次郎"}
    assert not any("容疑者" in n for n in found)


# --- Thai, Khmer, Arabic -------------------------------------------------------


def test_thai_words_that_contain_a_title_are_not_names():
    assert names("เมื่อเดือนมิถุนายนที่ผ่านมา นายกรัฐมนตรีได้มอบหมายให้ตำรวจเร่งดำเนินการ", "th") == {}


def test_thai_officer_with_rank_and_surname():
    found = names("พล.ต.ต.สมชาย ใจดีงาม โฆษกสำนักงานตำรวจแห่งชาติ เปิดเผยว่า", "th")
    assert found == {"สมชาย ใจดีงาม": "official"}


def test_khmer_month_name_is_not_a_title():
    assert names("កាលពីថ្ងៃទី៥ ខែកញ្ញា ឆ្នាំ២០២៤ សមត្ថកិច្ចបានឃាត់ខ្លួន", "km") == {}


def test_khmer_rank_before_name_makes_an_official():
    found = names("ប្រតិបត្តិការនេះដឹកនាំដោយលោកឧត្តមសេនីយ៍ត្រី សុខ វិបុល ស្នងការនគរបាល", "km")
    assert found == {"សុខ វិបុល": "official"}


def test_arabic_officer_name_ends_at_the_comma():
    found = names("وقال العقيد سو وين لات، الذي قاد العملية، إن الشرطة اعتقلت المشتبه بهم.", "ar")
    assert found == {"سو وين لات": "official"}


# --- Latin script --------------------------------------------------------------


def test_plural_role_word_before_names():
    found = names("The court sentenced the ringleaders Li Wenhao and Zhou Ping to life in prison.", "en")
    assert found == {"Li Wenhao": "leader", "Zhou Ping": "leader"}


def test_chinese_family_names_in_latin_script_need_no_title():
    found = names("Those convicted include Wang Jun, his brother Wang Lei, and Gao Feng.", "en")
    assert set(found) == {"Wang Jun", "Wang Lei", "Gao Feng"}


def test_title_case_headline_is_not_a_name():
    text = "Foreign Gangs With Local Passports Will Be Hunted Down In New Drive\n\nThe leaders of the gangs fled."
    assert names(text, "en") == {}


def test_malay_titles_are_stripped_and_tan_sri_is_not_a_family_name():
    found = names("Ketua Polis Negara Tan Sri Rahman Ismail berkata, Datuk Seri Ahmad Faizal Yusof turut hadir.", "ms")
    assert "Rahman Ismail" in found and "Ahmad Faizal Yusof" in found
    assert not any(n.startswith(("Tan Sri", "Datuk", "Seri")) for n in found)


def test_agency_and_law_words_are_not_names():
    assert names("Kes disiasat oleh Jabatan Imigresen di bawah Akta Antipemerdagangan Orang.", "ms") == {}


def test_vietnamese_place_pairs_are_not_names_but_full_names_are():
    found = names("Công an tỉnh Lâm Đồng bắt giữ Trần Văn Bình, kẻ cầm đầu đường dây.", "vi")
    assert found == {"Trần Văn Bình": "leader"}


def test_vietnamese_initials_after_a_kinship_word_are_a_victim():
    assert names("Chị T.T.H (SN 2001) bị lừa sang Campuchia.", "vi") == {"T.T.H": "victim"}


def test_latin_initial_inside_a_name_is_kept():
    found = names("Ayon kay BI Commissioner Maria Luisa R. Santos, naaresto ang mga suspek.", "tl")
    assert found == {"Maria Luisa R. Santos": "official"}


# --- context that says "not a person" (issue 12, real reports) ----------------------


def test_a_capitalised_pair_after_a_preposition_of_place_is_a_place():
    assert "Kampong Trach" not in names("Le suspect a été remis dans la province de Kampong Trach. "
                                        "Selon Chea Dara, directeur général, l'enquête continue.", "fr")
    assert names("Naaresto ang grupo na nasa Nueva Ecija, ayon kay PNP Director Juan Reyes.", "tl") \
        == {"Juan Reyes": "official"}


def test_a_run_followed_by_a_company_word_names_a_company():
    assert names("The court issued warrants against officers of Long Feng Technology Inc. for trafficking.", "en") == {}


def test_bylines_and_months_are_not_names():
    assert names("Published Nov 13, 2025\nThe suspect, named Li Qiang, was arrested.", "en") == {"Li Qiang": "suspect"}


def test_french_monsieur_before_a_single_name():
    assert names("Selon M. Somchai, 120 personnes ont été arrêtées.", "fr") == {"Somchai": "official"}


def test_each_quoted_alias_is_a_person_even_a_single_word():
    found = names("Police said the suspects, with aliases “Bongbong” and “Xiao Hu” were arrested on Monday.", "en")
    assert found == {"Bongbong": "suspect", "Xiao Hu": "suspect"}


def test_a_title_of_office_stops_a_latin_name():
    found = names("Ayon kay Philippine Chargé d’Affaires Ramon Lopez, humingi ng tulong ang mga Pilipino.", "tl")
    assert found == {"Ramon Lopez": "official"}


def test_a_leader_in_one_sentence_stays_a_leader_when_a_later_one_calls_him_a_suspect():
    text = "The patriarch of the family, Zhao Dehai, ran the compound. The suspect Zhao Dehai was arrested."
    assert set(p.role for p in find_persons(text, "en")) == {"leader"}


def test_chinese_name_after_an_office_before_what_the_person_does():
    assert names("行动期间，中国驻泰国大使韩志强到场并关注整体进展。", "zh") == {"韩志强": "official"}


def test_chinese_name_after_a_quoted_epithet():
    assert names("「诈骗之王」林海峰、集团老板赵志明也被捕。", "zh").get("林海峰") == "leader"


def test_korean_modifier_before_a_role_word_is_not_a_name_and_a_name_may_follow_a_genitive():
    assert names("이번에 송환된 피의자들은 혐의를 받는다.", "ko") == {}
    found = names("태국 북부 치앙라이주의 솜차이 분미 부지사는 23일 밝혔다.", "ko")
    assert found == {"솜차이 분미": "official"}


def test_khmer_title_followed_by_of_or_by_a_rank_is_not_a_name():
    found = names("ដឹកនាំដោយលោក ចាន់ ដារា ជាព្រះរាជអាជ្ញារង នៃអយ្យការ។ លោកឧត្តមសេនីយ៍ទោបន្តថា ក្រោយពីធ្វើការ", "km")
    assert found == {"ចាន់ ដារា": "official"}


def test_lao_title_followed_by_one_is_not_a_name():
    assert names("ຜູ້ຊ່ຽວຊານທ່ານນຶ່ງ ຢູ່ໃນລອນດອນເວົ້າວ່າ", "lo") == {}


def test_burmese_classifier_after_a_count_is_not_a_title_and_a_rank_names_a_person():
    assert names("ဆက်နွှယ်သူ (၂၃) ဦးကို တရားရုံးတွင် ရုံးတင်ခဲ့သည်။", "my") == {}
    assert names("ရဲတပ်ဖွဲ့ ဗိုလ်ချုပ် အောင်ကျော်မင်း ဦးဆောင်သော အဖွဲ့", "my") == {"အောင်ကျော်မင်း": "official"}
