"""Numbers as people write them in reports, in every script of the region.

Plain Python, no Django. ``parse_number`` reads one written number
("70.000", "31 000", "1 531", "3.1万", "两千三百", "๒๕๖๗", "sixty-three",
"tiga puluh", "ba mươi"); ``find_numbers`` finds the numbers in a text with
their character offsets, so that figures can be tied to the words around them.

Hand-written because no maintained library parses number *words* across these
fourteen languages (num2words goes the other way; Unicode digit values come
from ``unicodedata``). The word parser is one small additive-multiplicative
machine driven by per-language tables, so a new language is a table, not code.
"""
from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass

# Unicode decimal digits of any script (Thai, Lao, Khmer, Burmese, Arabic-Indic,
# Persian, full-width...) to ASCII. Built once from unicodedata, no hand table.
_DIGIT_RANGES = [0x0030, 0x0660, 0x06F0, 0x0966, 0x0E50, 0x0ED0, 0x1040, 0x17E0, 0x1090, 0xFF10]
_TO_ASCII = {cp + i: str(unicodedata.decimal(chr(cp + i))) for cp in _DIGIT_RANGES for i in range(10)}

# Thousands separators: dot, comma, apostrophe, NBSP, narrow NBSP, thin space, Arabic ٬.
_GROUP_SEPARATORS = ".,'\u00a0\u202f\u2009\u066c"
_DECIMAL_SEPARATORS = ".,\u066b"

_MULTIPLIERS = {
    # word or character written after a numeral -> factor
    "万": 10_000, "萬": 10_000, "亿": 100_000_000, "億": 100_000_000, "千": 1000, "百": 100,
    "百万": 1_000_000, "百萬": 1_000_000, "千万": 10_000_000, "千萬": 10_000_000,
    "만": 10_000, "억": 100_000_000, "천": 1000, "백": 100,
    "million": 1_000_000, "millions": 1_000_000, "juta": 1_000_000, "triệu": 1_000_000, "milyon": 1_000_000,
    "ล้าน": 1_000_000, "លាន": 1_000_000, "ລ້ານ": 1_000_000, "သန်း": 1_000_000, "مليون": 1_000_000,
    "ملايين": 1_000_000,
    "thousand": 1000, "ribu": 1000, "nghìn": 1000, "ngàn": 1000, "libo": 1000, "พัน": 1000, "ពាន់": 1000,
    "ພັນ": 1000, "ထောင်": 1000, "ألف": 1000, "آلاف": 1000, "mille": 1000,
    "หมื่น": 10_000, "ម៉ឺន": 10_000, "ໝື່ນ": 10_000, "ຫມື່ນ": 10_000, "သောင်း": 10_000,
    "แสน": 100_000, "សែន": 100_000, "ແສນ": 100_000, "သိန်း": 100_000,
    "billion": 1_000_000_000, "tỷ": 1_000_000_000, "tỉ": 1_000_000_000, "miliar": 1_000_000_000,
    "bilion": 1_000_000_000,
    "ร้อย": 100, "ຮ້ອຍ": 100, "រយ": 100, "ရာ": 100,
}
# Glued multipliers that also begin other words: "ร้อยละ" (per cent), "រយៈ" (period), "ရာခိုင်နှုန်း" (per cent).
_GLUED_GUARD = {"ร้อย": "(?!ละ)", "រយ": "(?!ៈ)", "ရာ": "(?!ခိုင်|ချီ)"}
# Latin and Arabic multipliers must end a word ("ribu" but not "ribuan", which is vague);
# the scripts written without spaces glue the next word on ("5.5万余名", "៣០ម៉ឺននាក់", "1.2 พันคน").
_SPACED_MULT = [m for m in _MULTIPLIERS if re.match(r"[A-Za-z\u00c0-\u024f\u1e00-\u1eff\u0600-\u06ff]", m)]
_GLUED_MULT = [m for m in _MULTIPLIERS if m not in _SPACED_MULT]


def _alt(words) -> str:
    return "|".join(sorted((re.escape(w) for w in words), key=len, reverse=True))


_MULT_RE = (rf"(?:(?:{_alt(_SPACED_MULT)})(?!\w)|"
            + "|".join(re.escape(m) + _GLUED_GUARD.get(m, "") for m in sorted(_GLUED_MULT, key=len, reverse=True))
            + ")")
_DECIMAL = "[.,\u066b\ufe52\uff0e]"  # also the small and full-width full stops of CJK text ("5﹒3萬")

_NUMERIC = re.compile(
    # not inside a longer number or a code; "上午,2名" is a number after punctuation, "3,5" is one number
    r"(?<![\dA-Za-z\u00c0-\u024f])(?<!\d[.,])"
    r"(?P<num>\d{1,2}(?:,\d\d)+,\d{3}(?!\d)"  # lakh-style grouping: 1,00,000
    r"|\d{1,3}(?:(?P<sep>[.,'\u00a0\u202f\u2009\u066c ])\d{3}(?:(?P=sep)\d{3})*)(?![\d])"
    r"(?:" + _DECIMAL + r"\d+)?|\d+(?:" + _DECIMAL + r"\d+)?)"
    r"(?:[ \u00a0\u202f]?(?P<mult>" + _MULT_RE + r"))?"
)
_MYANMAR_GLYPH_BEFORE = re.compile(r"[\u1000-\u103F\u1050-\u108F\u109A-\u109F]")
_MYANMAR_DIGIT = re.compile(r"[\u1040-\u1049\u1090-\u1099]")
_LAKH = re.compile(r"\d{1,2}(?:,\d\d)+,\d{3}")

# --- Chinese / Japanese numerals -------------------------------------------------
_CJK_DIGITS = {"零": 0, "〇": 0, "一": 1, "二": 2, "两": 2, "兩": 2, "三": 3, "四": 4, "五": 5, "六": 6,
               "七": 7, "八": 8, "九": 9, "壹": 1, "贰": 2, "貳": 2, "叁": 3, "參": 3, "肆": 4, "伍": 5,
               "陆": 6, "陸": 6, "柒": 7, "捌": 8, "玖": 9}
_CJK_UNITS = {"十": 10, "拾": 10, "百": 100, "佰": 100, "千": 1000, "仟": 1000}
_CJK_BIG = {"万": 10_000, "萬": 10_000, "亿": 100_000_000, "億": 100_000_000}
_CJK_CHARS = "".join(_CJK_DIGITS) + "".join(_CJK_UNITS) + "".join(_CJK_BIG)
# A run of numerals counts only before a classifier or with a unit in it, so that
# "统一" or "一些" are not read as 1.
_CJK_RUN = re.compile(r"[" + _CJK_CHARS + r"]+")
_CJK_CLASSIFIERS = "名人个個起宗处處家所座户戶件"


def _parse_cjk(text: str) -> int | None:
    if not text or any(ch not in _CJK_CHARS for ch in text):
        return None
    total, section, digit = 0, 0, None
    for ch in text:
        if ch in _CJK_DIGITS:
            if digit is not None:  # "一九" style digit strings: shift
                digit = digit * 10 + _CJK_DIGITS[ch]
            else:
                digit = _CJK_DIGITS[ch]
        elif ch in _CJK_UNITS:
            section += (1 if digit is None else digit) * _CJK_UNITS[ch]
            digit = None
        else:
            big = _CJK_BIG[ch]
            section += digit or 0
            if section == 0:
                section = 1
            if big == 100_000_000:
                total = (total + section) * big
            else:
                total += section * big
            section, digit = 0, None
    return total + section + (digit or 0)


# --- number words --------------------------------------------------------------
# kinds: n = adds its value; x10 = multiplies the last word (Indonesian "puluh");
# p10 = adds ten to the last word ("belas"); h = hundred (multiplies the last
# word); k = closes a thousand/million group.
def _table(kind: str, words: dict[str, int]) -> dict[str, tuple[str, int]]:
    return {w: (kind, v) for w, v in words.items()}


_EN_UNITS = {"one": 1, "two": 2, "three": 3, "four": 4, "five": 5, "six": 6, "seven": 7, "eight": 8, "nine": 9,
             "ten": 10, "eleven": 11, "twelve": 12, "thirteen": 13, "fourteen": 14, "fifteen": 15, "sixteen": 16,
             "seventeen": 17, "eighteen": 18, "nineteen": 19, "twenty": 20, "thirty": 30, "forty": 40, "fifty": 50,
             "sixty": 60, "seventy": 70, "eighty": 80, "ninety": 90, "dozen": 12}
# "un"/"une" are left out: far more often an article ("un grand nombre") than a count.
_FR_UNITS = {"deux": 2, "trois": 3, "quatre": 4, "cinq": 5, "six": 6, "sept": 7, "huit": 8,
             "neuf": 9, "dix": 10, "onze": 11, "douze": 12, "treize": 13, "quatorze": 14, "quinze": 15, "seize": 16,
             "vingt": 20, "vingts": 20, "trente": 30, "quarante": 40, "cinquante": 50, "soixante": 60,
             "quatre-vingt": 80, "quatre-vingts": 80}
_ID_UNITS = {"satu": 1, "dua": 2, "tiga": 3, "empat": 4, "lima": 5, "enam": 6, "tujuh": 7, "delapan": 8,
             "lapan": 8, "sembilan": 9, "sepuluh": 10, "sebelas": 11, "seratus": 100, "seribu": 1000,
             "seorang": 1}
_VI_UNITS = {"một": 1, "hai": 2, "ba": 3, "bốn": 4, "tư": 4, "năm": 5, "lăm": 5, "sáu": 6, "bảy": 7, "bẩy": 7,
             "tám": 8, "chín": 9, "mười": 10, "mốt": 1}
_TL_UNITS = {"isa": 1, "isang": 1, "dalawa": 2, "dalawang": 2, "tatlo": 3, "tatlong": 3, "apat": 4, "lima": 5,
             "limang": 5, "anim": 6, "pito": 7, "pitong": 7, "walo": 8, "walong": 8, "siyam": 9, "sampu": 10,
             "sampung": 10, "labing-isa": 11, "labindalawa": 12, "labintatlo": 13, "labing-apat": 14,
             "labinlima": 15, "labing-anim": 16, "labimpito": 17, "labingwalo": 18, "labinsiyam": 19,
             "dalawampu": 20, "dalawampung": 20, "dalawampu't": 20, "tatlumpu": 30, "tatlumpung": 30,
             "tatlumpu't": 30, "apatnapu": 40, "apatnapung": 40, "apatnapu't": 40, "limampu": 50, "limampung": 50,
             "limampu't": 50, "animnapu": 60, "animnapung": 60, "animnapu't": 60, "pitumpu": 70, "pitumpung": 70,
             "pitumpu't": 70, "walumpu": 80, "walumpung": 80, "walumpu't": 80, "siyamnapu": 90,
             "siyamnapung": 90, "siyamnapu't": 90, "sandaan": 100, "sanlibo": 1000}
_AR_UNITS = {"واحد": 1, "واحدة": 1, "اثنان": 2, "اثنين": 2, "اثنتين": 2, "اثنتان": 2, "ثلاثة": 3, "ثلاث": 3,
             "أربعة": 4, "أربع": 4, "خمسة": 5, "خمس": 5, "ستة": 6, "ست": 6, "سبعة": 7, "سبع": 7, "ثمانية": 8,
             "ثماني": 8, "تسعة": 9, "تسع": 9, "عشرة": 10, "عشر": 10, "عشرون": 20, "عشرين": 20, "ثلاثون": 30,
             "ثلاثين": 30, "أربعون": 40, "أربعين": 40, "خمسون": 50, "خمسين": 50, "ستون": 60, "ستين": 60,
             "سبعون": 70, "سبعين": 70, "ثمانون": 80, "ثمانين": 80, "تسعون": 90, "تسعين": 90}
# duals ("مائتي" two hundred, "ألفين" two thousand), "اثنا عشر" (12), hundreds written as one word
_AR_UNITS.update({"اثنا": 2, "اثني": 2, "اثنتا": 2, "اثنتي": 2, "مائتان": 200, "مائتين": 200, "مائتي": 200,
                  "مئتان": 200, "مئتين": 200, "مئتي": 200, "ثمان": 8,
                  **{pre + h: n * 100 for n, pre in ((3, "ثلاث"), (4, "أربع"), (5, "خمس"), (6, "ست"), (7, "سبع"),
                                                    (8, "ثمان"), (9, "تسع")) for h in ("مائة", "مئة")}})
_TH_UNITS = {"หนึ่ง": 1, "สอง": 2, "ยี่": 2, "สาม": 3, "สี่": 4, "ห้า": 5, "หก": 6, "เจ็ด": 7, "แปด": 8, "เก้า": 9,
             "เอ็ด": 1}
# "ນຶ່ງ" and "ຮອ້ຍ" below: spellings of older or hurried Lao typing (no ໜ, tone mark before the vowel).
_LO_UNITS = {"ໜຶ່ງ": 1, "ຫນຶ່ງ": 1, "ນຶ່ງ": 1, "ສອງ": 2, "ສາມ": 3, "ສີ່": 4, "ຫ້າ": 5, "ຫົກ": 6, "ເຈັດ": 7, "ແປດ": 8,
             "ເກົ້າ": 9, "ຊາວ": 20, "ເອັດ": 1}
_KM_UNITS = {"មួយ": 1, "ពីរ": 2, "បី": 3, "បួន": 4, "ប្រាំ": 5, "ដប់": 10, "ម្ភៃ": 20, "សាមសិប": 30, "សែសិប": 40,
             "ហាសិប": 50, "ហុកសិប": 60, "ចិតសិប": 70, "ប៉ែតសិប": 80, "កៅសិប": 90}
_MY_UNITS = {"တစ်": 1, "တစ်ဆယ်": 10, "နှစ်": 2, "သုံး": 3, "လေး": 4, "ငါး": 5, "ခြောက်": 6, "ခုနစ်": 7, "ရှစ်": 8,
             "ကိုး": 9}
_KO_UNITS = {"한": 1, "두": 2, "세": 3, "네": 4, "다섯": 5, "여섯": 6, "일곱": 7, "여덟": 8, "아홉": 9, "열": 10,
             "스무": 20, "스물": 20,
             "서른": 30, "마흔": 40, "쉰": 50, "예순": 60, "일흔": 70, "여든": 80, "아흔": 90}

WORDS: dict[str, dict[str, tuple[str, int]]] = {
    "en": {**_table("n", _EN_UNITS), "hundred": ("h", 100), "thousand": ("k", 1000), "million": ("k", 1_000_000),
           "and": ("j", 0)},
    "fr": {**_table("n", _FR_UNITS), "cent": ("h", 100), "cents": ("h", 100), "mille": ("k", 1000),
           "million": ("k", 1_000_000), "millions": ("k", 1_000_000), "et": ("j", 0)},
    "id": {**_table("n", _ID_UNITS), "puluh": ("x10", 10), "belas": ("p10", 10), "ratus": ("h", 100),
           "ribu": ("k", 1000), "juta": ("k", 1_000_000)},
    "vi": {**_table("n", _VI_UNITS), "mươi": ("x10", 10), "chục": ("x10", 10), "trăm": ("h", 100), "nghìn": ("k", 1000),
           "ngàn": ("k", 1000), "triệu": ("k", 1_000_000), "linh": ("j", 0), "lẻ": ("j", 0)},
    "tl": {**_table("n", _TL_UNITS), "daan": ("h", 100), "raan": ("h", 100), "daang": ("h", 100),
           "raang": ("h", 100), "libo": ("k", 1000),
           "libong": ("k", 1000), "na": ("j", 0), "at": ("j", 0)},
    "ar": {**_table("n", _AR_UNITS), "مائة": ("h", 100), "مئة": ("h", 100), "ألف": ("k", 1000),
           "ألفان": ("k", 2000), "ألفين": ("k", 2000), "ألفي": ("k", 2000), "ألفا": ("k", 2000),
           "آلاف": ("k", 1000), "مليون": ("k", 1_000_000)},
    "th": {**_table("n", _TH_UNITS), "สิบ": ("x10", 10), "ร้อย": ("h", 100), "พัน": ("k", 1000),
           "หมื่น": ("k", 10_000), "แสน": ("k", 100_000), "ล้าน": ("k", 1_000_000)},
    "lo": {**_table("n", _LO_UNITS), "ສິບ": ("x10", 10), "ຮ້ອຍ": ("h", 100), "ຮອ້ຍ": ("h", 100), "ພັນ": ("k", 1000),
           "ໝື່ນ": ("k", 10_000), "ແສນ": ("k", 100_000), "ລ້ານ": ("k", 1_000_000)},
    "km": {**_table("n", _KM_UNITS), "រយ": ("h", 100), "ពាន់": ("k", 1000), "ម៉ឺន": ("k", 10_000),
           "សែន": ("k", 100_000), "លាន": ("k", 1_000_000)},
    "my": {**_table("n", _MY_UNITS), "ဆယ်": ("x10", 10), "ဆယ့်": ("x10", 10), "ရာ": ("h", 100),
           "ရာ့": ("h", 100), "ထောင်": ("k", 1000), "သောင်း": ("k", 10_000), "သိန်း": ("k", 100_000)},
    "ko": _table("n", _KO_UNITS),
}
WORDS["ms"] = WORDS["id"]
# Tagalog ties a number to its noun with "-ng" ("labindalawang Pilipino", "limang"): every word ending in
# a vowel gets that form.
WORDS["tl"].update({w + "ng": v for w, v in list(WORDS["tl"].items())
                    if w[-1] in "aeiou" and w + "ng" not in WORDS["tl"] and "'" not in w and v[0] != "j"})
# Mixed: Burmese "ဆယ်" may also stand alone for 10; Thai "สิบ" alone is 10 (handled by x10 on nothing).

# Scripts written without spaces between words: a number word counts only when a
# classifier or count noun follows, because "สาม" is also inside "สามารถ" (can).
_NO_SPACE_LANGS = {"th", "lo", "km", "my"}
_CLASSIFIERS = {
    "th": "คน|ราย|แห่ง|คดี|ศพ|จุด|นาย",
    "lo": "ຄົນ|ລາຍ|ແຫ່ງ|ຄະດີ|ສົບ|ຈຸດ",
    "km": "នាក់|ករណី|កន្លែង|ទីតាំង|សព|រូប|ឈ្មោះ",
    "my": "ဦး|ယောက်|မှု|နေရာ|ခု|လောင်း",
}
_WORD_RES: dict[str, re.Pattern] = {}


def _word_re(lang: str) -> re.Pattern:
    if lang not in _WORD_RES:
        words = sorted(WORDS[lang], key=len, reverse=True)
        alt = "|".join(re.escape(w) for w in words)
        if lang in _NO_SPACE_LANGS:
            # a run of number words, then (lookahead) optional space and a classifier
            pattern = rf"(?:{alt})+(?=\s?(?:{_CLASSIFIERS[lang]}))"
        elif lang == "ko":
            pattern = rf"(?<![\w])(?:{alt})+(?=\s?(?:명|곳|건(?!물|강|설|의|너)|개))"  # "한 건물": a building
        else:
            sep = r"(?:[\s\-]+|'t\s|'\s)"
            conj = "و?" if lang == "ar" else ""
            pattern = rf"(?<![\w\-])(?:{alt})(?:{sep}{conj}(?:{alt}))*(?![\w])"
        _WORD_RES[lang] = re.compile(pattern, re.IGNORECASE)
    return _WORD_RES[lang]


def _tokens(lang: str, text: str) -> list[str]:
    if lang in _NO_SPACE_LANGS or lang == "ko":
        alt = "|".join(re.escape(w) for w in sorted(WORDS[lang], key=len, reverse=True))
        return re.findall(alt, text)
    table = WORDS[lang]
    parts = re.split(r"[\s]+", text.strip().lower().replace("'t", " ").replace("’", "'"))
    out = []
    for part in parts:
        if part in table:
            out.append(part)
        elif lang == "ar" and part.startswith("و") and part[1:] in table:  # "وعشرين": and twenty
            out.append(part[1:])
        else:  # hyphenated compounds: "sixty-three", "quatre-vingt-dix", "dix-sept"
            if "-" in part and part not in table:
                out.extend(p for p in part.split("-") if p)
            else:
                out.append(part)
    # French "quatre-vingt" was split; join it back
    joined = []
    for tok in out:
        if lang == "fr" and tok in ("vingt", "vingts") and joined and joined[-1] == "quatre":
            joined[-1] = "quatre-vingt"
        else:
            joined.append(tok)
    return joined


def _parse_words(lang: str, text: str) -> int | None:
    table = WORDS.get(lang)
    if not table:
        return None
    tokens = _tokens(lang, text)
    if not tokens:
        return None
    total, pending, last, seen = 0, 0, 0, False
    for tok in tokens:
        if tok not in table:
            return None
        kind, value = table[tok]
        if kind == "j":
            continue
        seen = True
        if kind == "n":
            pending += value
            last = value
        elif kind == "x10":
            if last == 0:  # "สิบ" / "ဆယ်" on its own is ten
                pending += 10
                last = 10
            else:
                pending += last * 9
                last *= 10
        elif kind == "p10":
            pending += 10
            last += 10
        elif kind == "h":
            base = last or 1
            pending += base * value - last
            last = base * value
        elif kind == "k":
            total += (pending or 1) * value
            pending, last = 0, 0
    return total + pending if seen else None


def to_ascii_digits(text: str) -> str:
    """Digits of any script as ASCII digits (same length: one char for one char)."""
    return text.translate(_TO_ASCII)


def _numeric_value(num: str, sep: str | None, mult: str | None) -> int | None:
    num = to_ascii_digits(num).translate({0x066B: ".", 0xFE52: ".", 0xFF0E: "."})
    if _LAKH.fullmatch(num):
        sep = ","
    if sep:
        head, _, tail = num.partition(".") if sep != "." and "." in num[num.rfind(sep) + 4:] else (num, "", "")
        digits = head.replace(sep, "")
        value = float(digits + ("." + tail if tail else ""))
    else:
        value = float(num.replace(",", "."))
    if mult:
        value *= _MULTIPLIERS[mult.lower()] if mult.lower() in _MULTIPLIERS else _MULTIPLIERS[mult]
    return int(round(value))


def parse_number(s: str, lang: str | None = None) -> int | None:
    """The integer a written number stands for, or None when ``s`` is not one number.

    ``lang`` (ISO 639-1) picks the number words; without it every table is tried.
    """
    if s is None:
        return None
    text = unicodedata.normalize("NFC", s).strip()
    if not text:
        return None
    match = _NUMERIC.fullmatch(text)
    if match:
        return _numeric_value(match["num"], match["sep"], match["mult"])
    value = _parse_cjk(text)
    if value is not None:
        return value
    for code in ([lang] if lang in WORDS else list(WORDS)):
        value = _parse_words(code, text)
        if value is not None:
            return value
    spans = find_numbers(text, lang)
    if len(spans) == 1 and spans[0].start == 0 and spans[0].end == len(text):  # "3万4千", "10 آلاف و119"
        return spans[0].value
    stripped = _strip_qualifier(text, lang)
    if stripped != text:
        return parse_number(stripped, lang)
    return None


def _strip_qualifier(text: str, lang: str | None) -> str:
    """"lebih dari 70.000" -> "70.000", "70余" -> "70": the qualifier is the figure's, not the number's."""
    from .lexicon import QUALIFIERS

    for code in ([lang] if lang in QUALIFIERS else list(QUALIFIERS)):
        for words in QUALIFIERS[code]["before"].values():
            for w in sorted(words, key=len, reverse=True):
                if text.lower().startswith(w.lower()) and len(text) > len(w):
                    return text[len(w):].strip()
        for words in QUALIFIERS[code]["after"].values():
            for w in sorted(words, key=len, reverse=True):
                if text.lower().endswith(w.lower()) and len(text) > len(w):
                    return text[: -len(w)].strip()
    return text


@dataclass(frozen=True)
class NumberSpan:
    start: int
    end: int
    value: int
    text: str


# Words that say "many" before a bare hundred/thousand ("หลายร้อยคน", "数百名", "hàng chục người",
# "រាប់ពាន់នាក់"): the amount is vague, and vague amounts are not figures (docs/extraction-annotation.md).
# "另一个" (another one) names one more thing, it counts nothing either.
# The plural or "-an"/"-aine" forms ("ratusan", "centaines", "مئات", "수십") are left out of the tables
# for the same reason.
_VAGUE_BEFORE = {
    "zh": r"(?:数|數|几|幾|上|成|另)$", "ja": r"(?:数|幾)$",
    "th": r"(?:หลาย|นับ)\s?$", "lo": r"(?:ຫຼາຍ|ຫລາຍ|ນັບ)\s?$", "km": r"(?:រាប់|ច្រើន)\s?$",
    "vi": r"(?<!\w)(?:hàng|vài|mấy|dăm)\s$",
    # "salah satu": one of them
    "id": r"(?<!\w)(?:beberapa|salah)\s$", "ms": r"(?<!\w)(?:beberapa|salah)\s$",
}
# A plural multiplier on its own is "thousands", not 1000.
_VAGUE_ALONE = {"آلاف", "ملايين", "millions"}
# A number right after an ordinal or numbering word names an item ("แห่งที่ 2", "ชุดที่ 3", "第3批",
# "lần thứ 2", "ke-3"), it counts nothing.
_ORDINAL_BEFORE = {
    "th": r"(?<!หน้า)(?<!พื้น)(?<!สถาน)ที่\s?$", "lo": r"ທີ\s?$", "km": r"ទី\s?$", "zh": r"第$", "ja": r"第$",
    "ko": r"제$", "vi": r"(?<!\w)thứ\s?$", "id": r"(?<!\w)(?:ke-|yang ke\s?)$", "ms": r"(?<!\w)(?:ke-|yang ke\s?)$",
    "tl": r"(?<!\w)ika-?\s?$", "en": r"(?<!\w)(?:No|Nos|no)\.\s?$|#$", "fr": r"(?<!\w)n[°º]\s?$", "ar": r"رقم\s?$",
    "my": r"အမှတ်\s?\(?$",
}
# "one" written as a word is mostly an article in Tagalog and Vietnamese ("isang lalaki", "một đường dây":
# a man, a ring; counts are written in digits there), and "one of" picks one out of a group: neither counts
# the group. Malay "seorang" stays: "33 individu termasuk seorang ... dalang" counts the one leader.
_ARTICLES = {"tl": {"isang", "isa"}, "vi": {"một"}}
_ONE_OF = {"en": r"\s+of\b", "id": r"\s+(?:dari|di antara)\b", "ms": r"\s+(?:daripada|dari|di antara)\b",
           "vi": r"\s+trong\b", "tl": r"\s+sa\b", "ar": r"\s+من\b", "fr": r"\s+(?:des|d'entre)\b"}
# Numbers that give an age or an age decade, not a count: "20代の邦人", "20多岁", "20대 남성".
_AGE_AFTER = {"ja": r"(?:代|歳)", "zh": r"(?:多|余)?(?:岁|歲)", "ko": r"\s?(?:여\s?)?(?:대|세|살)(?![가-힣])"}
# Vietnamese words that are numbers only inside a compound ("hai mươi tư", "mười lăm") and are other
# words alone ("tư pháp": justice, "đầu tư": invest); "năm" alone is "year" unless a counted noun follows.
_COMPOUND_ONLY = {"vi": {"tư", "lăm", "mốt"}}
_VI_NAM_COUNTED = re.compile(r"\s+(?:người|công dân|đối tượng|nạn nhân|bị can|bị cáo|lao động|trường hợp|vụ|"
                             r"cơ sở|địa điểm|nghi phạm|thanh niên|phụ nữ|thiếu niên|em|cháu|nam|nữ|học sinh|"
                             r"sinh viên|ngư dân|thuyền viên|tàu|điểm|nhóm|đường dây|công nhân)(?!\w)", re.IGNORECASE)
_ONE_OF_RES = {k: re.compile(v, re.IGNORECASE) for k, v in _ONE_OF.items()}
_AGE_AFTER_RES = {k: re.compile(v) for k, v in _AGE_AFTER.items()}
_VAGUE_BEFORE_RES = {k: re.compile(v, re.IGNORECASE) for k, v in _VAGUE_BEFORE.items()}
_ORDINAL_BEFORE_RES = {k: re.compile(v, re.IGNORECASE) for k, v in _ORDINAL_BEFORE.items()}
# What may stand between a round amount and the rest of it: "10 آلاف و119", "3 juta 500 ribu", "1万2千".
_COMPOUND_GAP = {"ar": re.compile(r"\s*و?\s*"), None: re.compile(r"\s?")}
# Malay/Indonesian collective numerals before a noun: "kesebelas orang itu" (the eleven),
# "keempat-empat suspek" (all four). Without the doubling, only before a noun for persons, because
# "kedua" alone is also "second".
_ID_PERSON_NOUNS = (r"orang|tersangka|suspek|pelaku|warga|WNI|WNA|mangsa|korban|individu|lelaki|wanita|rakyat|"
                    r"pekerja|terdakwa|tertuduh|anggota|buruh|pemuda|remaja|perempuan|laki-laki|pria")


def _collective_re(lang: str) -> re.Pattern:
    key = lang + ":ke"
    if key not in _WORD_RES:
        units = [w for w, (kind, _) in WORDS[lang].items() if kind == "n" and not w.startswith("se") or w in (
            "sepuluh", "sebelas")]
        alt = "|".join(re.escape(w) for w in sorted(units, key=len, reverse=True))
        _WORD_RES[key] = re.compile(
            rf"(?<![\w\-])ke(?P<n>{alt}(?:\s+(?:belas|puluh))?)(?:-(?P=n)(?!\w)|(?=\s+(?:{_ID_PERSON_NOUNS})(?!\w)))",
            re.IGNORECASE)
    return _WORD_RES[key]


_MULT_AT_END = re.compile(rf"(?:{_alt(_MULTIPLIERS)})$", re.IGNORECASE)


def _trailing_factor(span: "NumberSpan") -> int | None:
    """The factor of the multiplier a span ends with ("10 آلاف" -> 1000), if any."""
    if span.text[-1:].isdigit():
        return None
    m = _MULT_AT_END.search(span.text)
    return _MULTIPLIERS.get(m.group().lower(), _MULTIPLIERS.get(m.group())) if m else None


def _join_compounds(text: str, spans: list["NumberSpan"], lang: str | None) -> list["NumberSpan"]:
    gap_re = _COMPOUND_GAP.get(lang, _COMPOUND_GAP[None])
    out: list[NumberSpan] = []
    for span in spans:
        if out and span.value == out[-1].value and re.fullmatch(r"\s?\(", text[out[-1].end:span.start]) \
                and text[span.end:span.end + 1] == ")":
            # "sepuluh (10) orang", "10 (sepuluh)": the number and its restatement are one number
            prev = out[-1]
            out[-1] = NumberSpan(prev.start, span.end + 1, prev.value, text[prev.start:span.end + 1])
            continue
        if out:
            prev = out[-1]
            factor = _trailing_factor(prev)
            if factor and factor > 1 and prev.value % factor == 0 and span.value < factor \
                    and gap_re.fullmatch(text[prev.end:span.start]):
                out[-1] = NumberSpan(prev.start, span.end, prev.value + span.value, text[prev.start:span.end])
                continue
        out.append(span)
    return out


def _trim_joiners(lang: str, text: str, start: int, end: int) -> tuple[int, int]:
    """Offsets of a word number without a leading or trailing "and"/"et"/"na"."""
    key = lang + ":j"
    if key not in _WORD_RES:
        joiners = [w for w, (kind, _) in WORDS[lang].items() if kind == "j"]
        alt = "|".join(re.escape(w) for w in joiners) or "(?!)"
        _WORD_RES[key] = (re.compile(rf"(?:(?:{alt})\s+)+", re.IGNORECASE),
                          re.compile(rf"(?:\s+(?:{alt}))+$", re.IGNORECASE))
    lead_re, trail_re = _WORD_RES[key]
    lead = lead_re.match(text[start:end])
    if lead:
        start += lead.end()
    trail = trail_re.search(text[start:end])
    if trail:
        end = start + trail.start()
    return start, end


def find_numbers(text: str, lang: str | None = None) -> list[NumberSpan]:
    """Every number in ``text`` that may count something, with its offsets.

    Digits of any script, CJK numerals and number words; an amount split in two
    ("10 آلاف و119", "3 juta 500 ribu") is one number. Vague amounts ("数百", "หลายร้อย")
    and numbers that name an item ("ชุดที่ 3", "第2批") are left out.
    """
    spans: list[NumberSpan] = []
    taken = [False] * (len(text) + 1)
    vague_before = _VAGUE_BEFORE_RES.get(lang)
    ordinal_before = _ORDINAL_BEFORE_RES.get(lang)
    age_after, one_of = _AGE_AFTER_RES.get(lang), _ONE_OF_RES.get(lang)

    def add(start, end, value, words=False):
        if value is None or start >= end or any(taken[start:end]):
            return
        for i in range(start, end):
            taken[i] = True
        before = text[max(0, start - 12):start]
        if ordinal_before and ordinal_before.search(before):
            return
        if words and vague_before and vague_before.search(before):
            return
        if age_after and age_after.match(text, end):
            return
        if words and value == 1 and (text[start:end].lower() in _ARTICLES.get(lang, ())
                                     or (one_of and one_of.match(text, end))):
            return
        spans.append(NumberSpan(start, end, value, text[start:end]))

    for m in _NUMERIC.finditer(text):
        if _MYANMAR_GLYPH_BEFORE.match(text, max(0, m.start() - 1)) and _MYANMAR_DIGIT.match(text, m.start()):
            # Zawgyi writes the letter wa with the digit zero ("လူ၀င္") and medials with Shan digits ("႔"):
            # a Myanmar digit glued to the letter before it is a glyph of a word, not a number
            continue
        sep = m["sep"]
        if sep == " " and lang != "fr":
            # a plain space groups thousands only in French; elsewhere "2024 160" is two numbers
            first = m["num"].split(" ")[0]
            add(m.start(), m.start() + len(first), _numeric_value(first, None, None))
            continue
        add(m.start(), m.end(), _numeric_value(m["num"], sep, m["mult"]))
    if lang in (None, "zh", "ja"):
        for m in _CJK_RUN.finditer(text):
            run = m.group()
            nxt = text[m.end(): m.end() + 1]
            has_unit = any(ch in _CJK_UNITS or ch in _CJK_BIG for ch in run)
            if (nxt and nxt in _CJK_CLASSIFIERS + "余多") or (has_unit and len(run) >= 2):
                add(m.start(), m.end(), _parse_cjk(run), words=True)
    if lang in ("id", "ms"):
        for m in _collective_re(lang).finditer(text):
            add(m.start(), m.end(), _parse_words(lang, m["n"]))
    for code in ([lang] if lang in WORDS else []):
        for m in _word_re(code).finditer(text):
            start, end = _trim_joiners(code, text, m.start(), m.end())
            alone = text[start:end].strip().lower()
            if alone in _VAGUE_ALONE or alone in _COMPOUND_ONLY.get(code, ()):
                continue
            if code == "vi" and alone == "năm" and not _VI_NAM_COUNTED.match(text, end):
                continue
            add(start, end, _parse_words(code, text[start:end]), words=True)
    spans.sort(key=lambda s: s.start)
    return _join_compounds(text, spans, lang)
