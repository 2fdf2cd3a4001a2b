"""Language identification: lingua for Latin script, Unicode scripts for the rest."""
import pytest

from liaison.text import detect_language

SAMPLES = {
    "zh": "警方抓获电信网络诈骗犯罪嫌疑人三百二十名，解救受害人四十名。",
    "ja": "警察は特殊詐欺の疑いで容疑者を逮捕したと発表した。",
    "ko": "경찰은 보이스피싱 조직원 19명을 국내로 송환했다고 밝혔다.",
    "th": "ตำรวจจับกุมผู้ต้องหาชาวจีน 5 คน ที่อำเภอแม่สอด",
    "lo": "ເຈົ້າໜ້າທີ່ໄດ້ຈັບກຸມຜູ້ຕ້ອງສົງໄສ 771 ຄົນ",
    "km": "សមត្ថកិច្ចបានឃាត់ខ្លួនជនសង្ស័យចំនួន ៦៧ នាក់",
    "my": "ရဲတပ်ဖွဲ့က တရုတ်နိုင်ငံသား ၁၂၀၀ ဦးကို ဖမ်းဆီးခဲ့သည်။",
    "ar": "ألقت الشرطة القبض على 14 مشتبها بهم في مدينة ماي سوت.",
    "en": "Police arrested twelve suspects and rescued forty victims from the compound.",
    "fr": "Les autorités ont remis aux policiers chinois 571 personnes soupçonnées de fraude.",
    "id": "Polisi menangkap dua puluh tersangka dan menyelamatkan korban penipuan daring.",
    "ms": "Polis menahan 27 individu kerana disyaki terlibat dalam sindiket penipuan dalam talian semalam.",
    "tl": "Inaresto ng mga pulis ang labindalawang suspek at nasagip ang mga biktima.",
    "vi": "Công an tỉnh đã bắt giữ 20 đối tượng và giải cứu các nạn nhân.",
}


@pytest.mark.parametrize("code", sorted(SAMPLES))
def test_each_language_of_the_region(code):
    detected, confidence = detect_language(SAMPLES[code])
    assert detected == code
    assert 0.5 <= confidence <= 1.0


def test_no_letters_no_language():
    assert detect_language("12345 !!!") == (None, 0.0)
    assert detect_language("") == (None, 0.0)
