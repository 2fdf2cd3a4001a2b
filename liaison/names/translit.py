"""Names across scripts: Latin comparison forms and keys for record linkage.

Plain Python, no Django. The same person is 明学昌 in a Chinese warrant,
"Ming Xuechang" in a French report, "Xuechang Ming" in a handover list and
"MING XUE CHANG" on a passport. ``analyse_name`` turns any of these into the
same Latin tokens (pinyin syllables ``ming xue chang``), from which the keys
used for blocking and comparison are built:

* ``name_keys`` -- exact keys: the tokens sorted (word order is free), and the
  tokens run together in both orders (so "Abdul Rahman" meets "Abdulrahman").
* ``phonetic_keys`` -- a consonant skeleton per token, sorted, which forgives
  the romanisation differences of the region (Jaidee/Chaidi, Hun/Hon, Kim/Gim).

Transliteration uses the library that is best for each script:

* Han (simplified and traditional): pypinyin, which reads both; characters are
  compared after ICU's Hant-Hans simplification, so 陳志 and 陈志 are one name
  while the homophone 陈智 is not.
* Thai: PyThaiNLP's Royal Thai General System (ICU's Thai-Latin is a
  letter-by-letter transcription far from the spelling passports use).
* Khmer: the words of the kname list (MIT) as their bearers spell them,
  anyascii for the rest; Lao: anyascii (ICU has neither). Such approximate
  readings are marked (``rough``) for the comparisons.
* Hangul: ICU syllable by syllable, so the given name splits into syllables
  like the Latin "Jong Un".
* Cyrillic: ICU's BGN/PCGN transliterators (Russian, Ukrainian...).
* Burmese: a table of the usual spellings of name syllables, then ICU.
* Everything else (Vietnamese and other Latin with diacritics, Arabic, Greek,
  kana, Hebrew, Devanagari...): ICU ``Any-Latin; Latin-ASCII``.

Honorifics and titles (U, Daw, Ko, Ông, Bà, Khun, Lok, Mr, Dr, Haji... in
Latin and native scripts) are set aside. Several of them are also names
(Ma is a Chinese family name, Anh a Vietnamese given name), so a name yields
a *variant* with the title and one without, and comparisons take the best.
"""
from __future__ import annotations

import re
import threading
import unicodedata
from dataclasses import dataclass
from functools import lru_cache

import anyascii
import icu
from pypinyin import Style, lazy_pinyin

from . import char_script, detect_script, nfc

# Titles, case-folded and diacritics removed (as they are after romanisation).
_LATIN_TITLES = {
    # Myanmar
    "u", "daw", "ko", "ma", "maung", "saw", "sai", "nang", "naw", "mahn", "bo", "thakin",
    # Thai, Lao
    "khun", "nai", "nang", "nangsao", "thao", "than",
    # Khmer
    "lok", "lok srey", "oknha", "okhna", "samdech", "neak",
    # Vietnamese
    "ong", "ba", "anh", "chi", "co",
    # Malay / Indonesian
    "bapak", "ibu", "pak", "bu", "encik", "cik", "puan", "tuan", "datuk", "dato",
    # Arabic / Islamic
    "haji", "hajji", "hajj", "hj", "sheikh", "shaikh", "shaykh", "sayyid", "sayed", "mullah",
    # Western and military
    "mr", "mrs", "ms", "miss", "mister", "madam", "mme", "mlle", "dr", "prof", "sir", "dame",
    "herr", "frau", "sr", "sra", "gen", "general", "col", "colonel", "capt", "captain",
    "president", "prasident", "praesident", "excellency",
}
# Native-script titles, written as a separate word. Thai ones are also
# stripped when written joined to the name (นายสมชาย), as Thai usually does.
_NATIVE_TITLES = {
    "ဦး", "ဒေါ်", "ကို", "မ", "မောင်", "စော", "စိုင်း", "နန်း", "နော်",
    "นาย", "นาง", "นางสาว", "คุณ", "ด.ช.", "ด.ญ.", "ท้าว", "ທ້າວ", "ນາງ", "ທ່ານ", "ນາຍ",
    "លោក", "លោកស្រី", "ឧកញ៉ា", "សម្តេច", "សម្ដេច", "អ្នក", "អ្នកស្រី",
    "الشيخ", "شيخ", "الحاج", "حاج", "السيد", "سيد",
    "господин", "госпожа",
}
_THAI_JOINED_TITLES = ("นางสาว", "นาย", "นาง", "คุณ")
_HAN_TITLE_SUFFIXES = ("先生", "女士", "小姐", "太太")

# Burmese names are strings of syllables with conventional spellings that no
# transliteration rule produces (ICU writes ကျော် "kyaw" but သန်း "saann" for
# Than, ဇော် "jaw" for Zaw). Hand-written table of the common name syllables;
# other syllables fall back to ICU.
BURMESE_SYLLABLES = {
    "အောင်": "aung", "ကျော်": "kyaw", "ဇော်": "zaw", "မင်း": "min", "ထွန်း": "tun", "ဝင်း": "win",
    "မောင်": "maung", "သန့်": "thant", "စိုး": "soe", "လှိုင်": "hlaing", "နိုင်": "naing", "ထက်": "htet",
    "ခင်": "khin", "မြင့်": "myint", "ညို": "nyo", "သန်း": "than", "ဆွေ": "swe", "နွယ်": "nwe",
    "ဖြိုး": "phyo", "ဟိန်း": "hein", "ရဲ": "ye", "ပိုင်": "paing", "သူ": "thu", "ဇင်": "zin", "မြတ်": "myat",
    "နု": "nu", "စု": "su", "ကြည်": "kyi", "ဆန်း": "san", "လွင်": "lwin", "ကို": "ko", "ဦး": "u",
    "ဒေါ်": "daw", "မ": "ma", "သိန်း": "thein", "စိန်": "sein", "မိုး": "moe", "ချို": "cho", "ယု": "yu",
    "ထား": "htar", "ဝေ": "wai", "ပြည့်": "pyae", "ဖြူ": "phyu", "သက်": "thet", "နေ": "nay", "လင်း": "lin",
    "ဦး": "u", "တင်": "tin", "မြ": "mya", "ခိုင်": "khaing", "ဇာ": "zar", "ချမ်း": "chan", "ငြိမ်း": "nyein",
}
_MYMR_SIGNS = set("ာါိီုူေဲံ့း်ျြွှ")
_BURMESE_LONGEST = max(len(k) for k in BURMESE_SYLLABLES)


def _burmese(word: str) -> list[str]:
    """Greedy longest match of known syllables; ICU for the rest."""
    tokens: list[str] = []
    rest = ""
    i = 0
    while i < len(word):
        for size in range(min(_BURMESE_LONGEST, len(word) - i), 0, -1):
            piece = word[i:i + size]
            follows = word[i + size:i + size + 1]
            # a syllable ends before a consonant, not before a vowel sign or asat
            if piece in BURMESE_SYLLABLES and not (follows and (unicodedata.combining(follows) or follows in _MYMR_SIGNS)):
                if rest:
                    tokens.append(_ascii_lower(rest))
                    rest = ""
                tokens.append(BURMESE_SYLLABLES[piece])
                i += size
                break
        else:
            rest += word[i]
            i += 1
    if rest:
        tokens.append(_ascii_lower(rest))
    return tokens


_SPLIT = re.compile(r"[^0-9a-z]+")
_APOSTROPHES = re.compile(r"['’ʼ`ʻʿʾ·ʹʺ]")

_PATRONYMIC = {"bin", "ibn", "bint", "binti", "ben", "bte", "ould"}
_CAMEL = re.compile(r"(?<=[a-z])(?=[A-Z][a-z])")
_LEET = str.maketrans("013459", "oieasg")

_local = threading.local()


def _icu(rule: str):
    # ICU transliterators are not safe to share between threads.
    cache = getattr(_local, "cache", None)
    if cache is None:
        cache = _local.cache = {}
    if rule not in cache:
        cache[rule] = icu.Transliterator.createInstance(rule)
    return cache[rule]


def _ascii_lower(text: str) -> str:
    return _icu("Any-Latin; Latin-ASCII; Lower").transliterate(text)


def simplify_han(text: str) -> str:
    """Traditional Han characters as simplified ones (陳 -> 陈), other text unchanged."""
    return _icu("Hant-Hans").transliterate(text)


_THAI_RO_HAN = re.compile("\u0e23\u0e23(?=[\u0e01-\u0e2e][\u0e30-\u0e39\u0e47])")


def _thai(word: str) -> str:
    """Thai in the Royal Thai General System that passports use (สมชาย ->
    "somchai", ใจดี -> "chaidi"): PyThaiNLP's rule-based "royin" engine (no
    model, nothing downloaded)."""
    from pythainlp.transliterate import romanize  # imported on first Thai name

    # รร (ro han) before a consonant that carries a vowel reads "an": วรรณา is
    # "Wanna", พรรณี "Phanni" (the engine reads "wonrana"); rewritten as ัน first.
    word = _THAI_RO_HAN.sub("\u0e31\u0e19", word)
    return romanize(word, engine="royin")


@lru_cache(maxsize=200_000)
def _romanise_word(word: str, cyrillic: str = "Russian-Latin/BGN") -> tuple[str, ...]:
    """Latin tokens of one written word (Han words give one token per character).
    Cached: family names and common given names recur across millions of records."""
    script = detect_script(word)
    if script in ("Hani", "Jpan") and all(char_script(c) == "Hani" for c in word if c.isalpha()):
        syllables = lazy_pinyin(word, style=Style.NORMAL, errors="ignore")
        return tuple(s.replace("v", "u") for s in syllables if s)
    if script == "Thai":
        text = _ascii_lower(_thai(word))
    elif script == "Mymr":
        text = " ".join(_burmese(word))
    elif script == "Khmr" and word in _khmer_names():
        text = _khmer_names()[word].lower()
    elif script in ("Khmr", "Laoo"):
        text = anyascii.anyascii(word).lower()
        if script == "Khmr" and text.endswith("v"):
            text = text[:-1] + "o"  # final វ is a vowel glide: កែវ is "Keo", not "kaev"
    elif script == "Cyrl":
        text = _icu(cyrillic + "; Latin-ASCII; Lower").transliterate(word)
    elif script == "Hang":
        text = " ".join(_ascii_lower(char) for char in word)
    else:
        # "FridrichBuchenberg" is two words; "Ig0r Sech1n" has digits for letters.
        word = _CAMEL.sub(" ", word)
        if any(c.isalpha() for c in word):
            word = word.translate(_LEET)
        text = _ascii_lower(word)
    text = _APOSTROPHES.sub("", text)
    return tuple(token for token in _SPLIT.split(text) if token)


@lru_cache(maxsize=1)
def _khmer_names() -> dict[str, str]:
    """Khmer given names and surnames with the spelling their bearers use
    (ដារា Dara, អ៊ូច Ouch, វិជ្ជា Vichhea): the 58 words of the MIT-licensed
    kname list (notice in the file). anyascii reads the rest letter by
    letter (ជា "cha" for Chea), which the comparisons treat as approximate."""
    import json
    from importlib import resources

    text = resources.files("liaison.names").joinpath("data/khmer_kname.json").read_text("utf-8")
    return json.loads(text)["words"]


def _cyrillic_rule(word: str) -> str:
    """The BGN/PCGN romanisation of the word's language (the one passports and
    sanctions lists use: Сергей -> Sergey, not ICU's default Sergej), guessed
    from the letters only some alphabets have (in the whole name)."""
    letters = set(word.casefold())
    if letters & set("іїєґ"):
        return "Ukrainian-Latin/BGN"
    if "ў" in letters:
        return "Belarusian-Latin/BGN"
    if letters & set("әғқңөұүһі"):
        return "Kazakh-Latin/BGN"
    if letters & set("ђћџљњј"):
        return "Serbian-Latin/BGN"
    return "Russian-Latin/BGN"


@lru_cache(maxsize=1)
def _pinyin_syllables() -> frozenset[str]:
    """Every toneless pinyin syllable pypinyin knows (about 400), ü written u."""
    from pypinyin.pinyin_dict import pinyin_dict

    syllables = set()
    for readings in pinyin_dict.values():
        for reading in readings.split(","):
            plain = "".join(c for c in unicodedata.normalize("NFKD", reading) if not unicodedata.combining(c))
            plain = plain.replace("ü", "u").replace("v", "u").lower()
            if plain.isascii() and plain.isalpha():
                syllables.add(plain)
    syllables -= {"m", "n", "ng", "hm", "hng", "r", "e", "o", "ei", "yo", "lo", "io", "ou"}
    return frozenset(syllables)


@lru_cache(maxsize=65536)
def split_pinyin(token: str) -> tuple[str, ...] | None:
    """``token`` cut into pinyin syllables ("xuechang" -> xue chang), or None.

    Fewest syllables win ("xian" stays one syllable). Hand-written dynamic
    programming: pypinyin converts characters to pinyin, not the reverse.
    """
    syllables = _pinyin_syllables()
    n = len(token)
    best: list[tuple[str, ...] | None] = [None] * (n + 1)
    best[0] = ()
    for end in range(1, n + 1):
        for start in range(max(0, end - 6), end):
            head = best[start]
            if head is not None and token[start:end] in syllables:
                candidate = head + (token[start:end],)
                if best[end] is None or len(candidate) < len(best[end]):
                    best[end] = candidate
    return best[n]


@lru_cache(maxsize=200_000)
def _skeleton(token: str) -> str:
    """A consonant skeleton that forgives the region's romanisation habits.

    Hand-written: metaphone-style keys are built for English spelling and
    would separate Chaidi/Jaidee, Gim/Kim, Tran/Chan, Hon/Hun. Aspirated and
    plain, voiced and voiceless stops fall together; vowels, h, w and y drop
    (Arabic script writes few vowels: محمد is "mhmd"; a name of vowels only keeps "a").
    """
    text = token
    for old, new in (("tch", "j"), ("sch", "s"), ("ch", "j"), ("zh", "j"), ("tr", "j"), ("sh", "s"),
                     ("ph", "p"), ("th", "t"), ("kh", "k"), ("gh", "k"), ("dh", "t"), ("bh", "p"),
                     ("ng", "n"), ("ck", "k"), ("q", "k"), ("x", "s"), ("c", "k"), ("g", "k"),
                     ("d", "t"), ("b", "p"), ("z", "s"), ("v", "p"), ("f", "p"), ("r", "l")):
        text = text.replace(old, new)
    text = re.sub("[hwy]", "", text)
    out: list[str] = []
    for char in text:
        if char in "aeiou":
            continue
        if not out or out[-1] != char:
            out.append(char)
    return "".join(out) or "a"


def _vowel_class(token: str) -> str:
    """The class of the token's first vowel: "a", "i" (e, i) or "u" (o, u).

    Added to the skeleton for a stricter phonetic key: romanisations of one
    name mostly keep the first vowel's quality (Muhammad/Mohammed, Hun/Hon,
    Chaidi/Jaidee) where different short names often differ there
    (Thanh/Tuan, Um/Mao, Xia/Xue).
    """
    for char in token:
        if char in "aeiou":
            return "a" if char == "a" else "i" if char in "ei" else "u"
    return "-"


# -- Korean ---------------------------------------------------------------
# Hangul syllables romanised one by one (a given name is a list of syllables,
# "Min-jun", "Min Jun", "Minjun"), in the Revised Romanisation (RR, South
# Korean passports since 2000) and McCune-Reischauer (MR, older passports and
# North Korea), breves dropped as passports drop them. Hand-written: the
# PyPI romanisers apply the sound changes between syllables of a sentence
# ("Silla" for 신라), which names written syllable by syllable do not follow.
_KO_INITIAL_RR = ("g", "kk", "n", "d", "tt", "r", "m", "b", "pp", "s", "ss", "", "j", "jj", "ch", "k", "t", "p", "h")
_KO_INITIAL_MR = ("k", "kk", "n", "t", "tt", "r", "m", "p", "pp", "s", "ss", "", "ch", "tch", "ch", "k", "t", "p", "h")
_KO_VOWEL_RR = ("a", "ae", "ya", "yae", "eo", "e", "yeo", "ye", "o", "wa", "wae", "oe", "yo", "u", "wo", "we", "wi",
                "yu", "eu", "ui", "i")
_KO_VOWEL_MR = ("a", "ae", "ya", "yae", "o", "e", "yo", "ye", "o", "wa", "wae", "oe", "yo", "u", "wo", "we", "wi",
                "yu", "u", "ui", "i")
_KO_FINAL = ("", "k", "k", "k", "n", "n", "n", "t", "l", "k", "m", "l", "l", "l", "p", "l", "m", "p", "p", "t", "t",
             "ng", "t", "t", "k", "t", "p", "t")
# Family names as passports write them (Lee, not "I"; Park, not "Bak"),
# with the other spellings in use; a Latin name using one of these gets a
# reading with the first spelling, so "Rhee Syng-man" meets "Lee Seungman".
_KO_FAMILY = {
    "김": ("kim", "gim"), "이": ("lee", "yi", "rhee", "i", "ri", "li"), "박": ("park", "pak", "bak"),
    "최": ("choi", "choe", "chey"), "정": ("jung", "jeong", "chung", "chong"), "강": ("kang", "gang"),
    "조": ("cho", "jo"), "윤": ("yoon", "yun"), "장": ("jang", "chang"), "임": ("lim", "im", "rim"),
    "한": ("han",), "오": ("oh", "o"), "서": ("seo", "suh", "so"), "신": ("shin", "sin"), "권": ("kwon", "gwon"),
    "황": ("hwang",), "안": ("ahn", "an"), "송": ("song",), "류": ("ryu", "yoo", "yu", "ryoo"),
    "유": ("yoo", "yu"), "홍": ("hong",), "전": ("jeon", "jun", "chun", "chon"), "고": ("ko", "go"),
    "문": ("moon", "mun"), "양": ("yang",), "손": ("son", "sohn"), "배": ("bae", "pae"),
    "백": ("baek", "paik", "baik", "paek"), "허": ("heo", "huh", "ho"), "남": ("nam",), "노": ("noh", "roh", "no"),
    "하": ("ha",), "곽": ("kwak", "gwak"), "성": ("sung", "seong"), "차": ("cha",), "주": ("joo", "ju", "chu"),
    "우": ("woo", "u"), "구": ("koo", "gu", "ku"), "민": ("min",), "나": ("na", "ra"), "진": ("jin", "chin"),
    "지": ("ji", "chi"), "엄": ("eom", "um", "uhm"), "채": ("chae",), "원": ("won",), "천": ("cheon", "chun"),
    "방": ("bang", "pang"), "공": ("kong", "gong"), "현": ("hyun", "hyeon"), "함": ("ham",), "변": ("byun", "pyon"),
    "염": ("yeom", "yum"), "여": ("yeo", "yo"), "추": ("choo", "chu"), "도": ("do", "doh", "to"),
    "소": ("so",), "석": ("seok", "suk"), "선": ("sun", "seon"), "설": ("seol", "sul"), "마": ("ma",),
    "길": ("gil", "kil"), "연": ("yeon", "yun"), "위": ("wi", "wee"), "표": ("pyo",), "명": ("myung", "myeong"),
    "기": ("ki", "gi"), "반": ("ban", "pan"), "왕": ("wang",), "금": ("keum", "geum"), "옥": ("ok",),
    "육": ("yook", "yuk"), "인": ("in",), "맹": ("maeng",), "제": ("je",), "모": ("mo",), "탁": ("tak",),
    "국": ("kook", "guk"), "어": ("eo",), "은": ("eun",), "편": ("pyeon",), "용": ("yong",),
}
_KO_FAMILY_CANONICAL = {spelling: spellings[0] for spellings in _KO_FAMILY.values() for spelling in spellings[1:]}
# "i", "o", "u"... are too short to read as a Korean family name in a Latin name.
_KO_FAMILY_CANONICAL = {k: v for k, v in _KO_FAMILY_CANONICAL.items() if len(k) >= 2}


def _hangul_syllable(char: str, system: str) -> str:
    code = ord(char) - 0xAC00
    if not 0 <= code < 11172:
        return _ascii_lower(char)
    initial, vowel, final = code // 588, (code % 588) // 28, code % 28
    if system == "mr":
        return _KO_INITIAL_MR[initial] + _KO_VOWEL_MR[vowel] + _KO_FINAL[final]
    return _KO_INITIAL_RR[initial] + _KO_VOWEL_RR[vowel] + _KO_FINAL[final]


def _korean_variants(words: list[str]) -> list[tuple[str, ...]]:
    """A Hangul name as passports spell it: the family name (the first
    syllable) in its usual spelling, the given syllables in RR, then in MR."""
    out: list[tuple[str, ...]] = []
    for system in ("rr", "mr"):
        tokens: list[str] = []
        for index, word in enumerate(words):
            for position, char in enumerate(word):
                if index == 0 and position == 0 and char in _KO_FAMILY:
                    tokens.append(_KO_FAMILY[char][0])
                else:
                    tokens.append(_hangul_syllable(char, system))
        variant = tuple(t for t in tokens if t)
        if variant and variant not in out:
            out.append(variant)
    return out


def _korean_latin_variant(tokens: tuple[str, ...]) -> tuple[str, ...] | None:
    """A Latin name whose first or last token is another spelling of a Korean
    family name ("Rhee", "Pak", "Choe"), with its usual spelling instead."""
    if not 2 <= len(tokens) <= 4:
        return None
    for index in (0, len(tokens) - 1):
        canonical = _KO_FAMILY_CANONICAL.get(tokens[index])
        if canonical and tokens[index] not in _pinyin_syllables():  # Li, Yu, Yi are Chinese names too
            return tokens[:index] + (canonical,) + tokens[index + 1:]
    return None


_KO_FAMILY_SPELLINGS = frozenset(s for spellings in _KO_FAMILY.values() for s in spellings if len(s) >= 2)
# One to three syllables of Korean romanised in RR or MR, initial, vowel, final.
_KO_LATIN_SYLLABLES = re.compile(
    r"(?:(?:kk|tt|pp|ss|jj|tch|ch|sh|g|k|n|d|t|r|l|m|b|p|s|j|h)?"
    r"(?:yae|yeo|wae|ae|ya|eo|ye|wa|oe|yo|wo|we|wi|yu|eu|ui|a|e|o|u|i)(?:ng|k|n|t|l|m|p)?){1,3}")


def _korean_vowels_variant(tokens: tuple[str, ...]) -> tuple[str, ...] | None:
    """A Korean name in Latin letters with RR's eo and eu written as MR
    writes them, o and u (RR Seo-yeon, MR So-yon; RR Eun-ji, MR Un-ji), so
    that the two systems' spellings of one given name meet (the consonants
    already meet in the phonetic keys). MR cannot tell 서 from 소 or 은
    from 운 either: two such names meet too. None for a name that does not
    look Korean (a family name of Korea first or last, every other word
    Korean syllables)."""
    if not 2 <= len(tokens) <= 4 or not any(t in _KO_FAMILY_SPELLINGS for t in (tokens[0], tokens[-1])):
        return None
    family = 0 if tokens[0] in _KO_FAMILY_SPELLINGS else len(tokens) - 1
    if not all(_KO_LATIN_SYLLABLES.fullmatch(t) for i, t in enumerate(tokens) if i != family):
        return None
    out = tuple(t if i == family else t.replace("eo", "o").replace("eu", "u") for i, t in enumerate(tokens))
    return out if out != tokens else None


# -- Japanese -------------------------------------------------------------
@lru_cache(maxsize=1)
def _romaji():
    # cutlet (MIT) reads Japanese through MeCab (fugashi, MIT) with the UniDic
    # dictionary that the unidic-lite wheel carries: nothing is downloaded. Chosen
    # over pykakasi, which is GPL-3.0 and so cannot be a dependency of Apache-2.0 code.
    import cutlet

    katsu = cutlet.Cutlet("hepburn")
    katsu.use_foreign_spelling = False
    return katsu


_LONG_VOWELS = (("ou", "o"), ("oo", "o"), ("uu", "u"), ("aa", "a"))


@lru_cache(maxsize=65536)
def japanese_reading(text: str) -> tuple[str, ...]:
    """A Japanese name (kanji and/or kana) read as passports write it:
    Hepburn, long vowels unmarked (佐藤太郎 -> "sato taro", 伊藤 -> "ito").
    UniDic gives the common readings; a name's reading is a matter of the
    bearer's choice, so this is one likely reading, not the only one."""
    reading = _APOSTROPHES.sub("", _romaji().romaji(text, capitalize=False) or "").lower()
    for old, new in _LONG_VOWELS:
        reading = reading.replace(old, new)
    return tuple(t for t in _SPLIT.split(reading) if t)


# -- Cantonese --------------------------------------------------------------
# Jyutping (from ToJyutping's dictionary) to the Hong Kong government's
# romanisation that Hong Kong and Macau documents use (陳 can4 -> Chan,
# 張 zoeng1 -> Cheung, 黃 wong4 -> Wong, 曾 zang1 -> Tsang). Hand-written: no
# package converts Jyutping to that spelling. z/c read "ch" in one reading
# and "ts" in another, s as "sh" there (all are in use: Chow, Tsang, Shing).
_JP_INITIALS = (("gw", "kw"), ("kw", "kw"), ("ng", "ng"), ("b", "p"), ("p", "p"), ("m", "m"), ("f", "f"),
                ("d", "t"), ("t", "t"), ("n", "n"), ("l", "l"), ("g", "k"), ("k", "k"), ("h", "h"), ("w", "w"),
                ("z", "ch"), ("c", "ch"), ("s", "s"), ("j", "y"))


_JP_FINAL_SPELLINGS = {"oeng": "eung", "oek": "euk", "eoi": "ui", "eon": "un", "eot": "ut", "yun": "uen",
                       "yut": "uet", "yu": "u", "ou": "o", "un": "oon", "ut": "oot", "u": "oo"}


@lru_cache(maxsize=8192)
def _hk_syllable(jyutping: str, ts: bool) -> str:
    syllable = jyutping.rstrip("0123456789")
    initial, rest = "", syllable
    for jp, hk in _JP_INITIALS:
        if syllable.startswith(jp) and len(syllable) > len(jp):
            initial, rest = hk, syllable[len(jp):]
            if ts and jp in ("z", "c"):
                initial = "ts"
            elif ts and jp == "s":
                initial = "sh"
            break
    rest = _JP_FINAL_SPELLINGS.get(rest, rest.replace("aa", "a"))
    if initial == "w" and rest == "oo":
        rest = "u"  # wu
    return initial + rest


@lru_cache(maxsize=65536)
def cantonese_readings(han: str) -> tuple[tuple[str, ...], ...]:
    """Han characters in Hong Kong romanisation, "ch" and "ts" readings
    (陳大文 -> ("chan", "tai", "man")). Empty when a character has no reading."""
    import ToJyutping  # ships its own dictionary (no download)

    syllables = [reading for _, reading in ToJyutping.get_jyutping_list(han)]
    if not syllables or any(not s for s in syllables):
        return ()
    out = []
    for ts in (False, True):
        reading = tuple(_hk_syllable(s, ts) for s in syllables)
        if reading not in out:
            out.append(reading)
    return tuple(out)


# -- Vietnamese (and any Latin name written with diacritics) ---------------
# Tone marks are set apart from the letters they sit on, so that the old and
# new placements (Hoà / Hòa, Thuỷ / Thủy) are one spelling; the vowel marks
# (â ă ê ô ơ ư) and đ stay part of the letter.
_TONE_MARKS = {"\u0300": "2", "\u0301": "1", "\u0303": "4", "\u0309": "3", "\u0323": "5"}


def _marked_form(word: str) -> str:
    tone = "0"
    letters = []
    for char in unicodedata.normalize("NFD", word.casefold()):
        if char in _TONE_MARKS:
            tone = _TONE_MARKS[char]
        elif char.isalpha() or unicodedata.combining(char):
            letters.append(char)
    return unicodedata.normalize("NFC", "".join(letters)) + tone


def marked_tokens(words: list[str]) -> frozenset[str]:
    """``~folded=marked`` for each word of a Latin name written with
    diacritics (any of them), else nothing. Two names that both carry them
    and spell one folded word differently are two names: Thành is not Thanh
    when both sources write Vietnamese with its marks. A word without marks
    in such a name is a word with none (the level tone), not a word whose
    marks were dropped."""
    if not any(unicodedata.combining(c) or c in "đĐ" for w in words for c in unicodedata.normalize("NFD", w)):
        return frozenset()
    out = set()
    for word in words:
        folded = _SPLIT.split(_ascii_lower(word))
        folded = [t for t in folded if t]
        if len(folded) == 1:
            out.add(f"~{folded[0]}={_marked_form(word)}")
    return frozenset(out)


# Scripts read into Latin letters approximately: no table gives the spelling
# their bearers' documents use (Thai RTGS from PyThaiNLP reads ประเสริฐ
# "praserit" for the passport's "Prasoet"; anyascii reads Khmer ជា "cha" for
# "Chea"; Arabic script leaves out short vowels: كريم "krym" for "Karim").
# Across such a reading and a Latin spelling, vowels and one word that
# differs say little; within one script they say as much as anywhere.
ROUGH_SCRIPTS = frozenset({"Thai", "Khmr", "Laoo", "Arab", "Mymr", "Hebr", "Deva"})


def _syllabic(script: str, tokens: tuple[str, ...]) -> bool:
    """Names made of syllables with no middle names to drop (Chinese,
    Korean, Burmese): one more syllable is another person (Aung Kyaw is not
    Aung Kyaw Min; Li Ming is not Li Minghua)."""
    if script in ("Hani", "Hang", "Mymr"):
        return True
    if script != "Latn" or not tokens:
        return False
    burmese = set(BURMESE_SYLLABLES.values()) | {"kyo", "htat", "myin", "so", "tunn", "thien", "mo"}
    if all(t in burmese for t in tokens):
        return True
    return _pinyin_form(tokens) != tokens or all(t in _pinyin_syllables() for t in tokens)


@dataclass(frozen=True)
class NameAnalysis:
    """What linkage needs to know about one written name."""

    original: str
    script: str
    variants: tuple[tuple[str, ...], ...]  # Latin tokens; first = titles set aside
    han: str | None  # simplified Han characters, titles set aside (Han names only)
    keys: frozenset[str]
    phonetic: frozenset[str]
    sorted_forms: tuple[str, ...]  # tokens sorted and spaced, one per variant
    phonetic_vowels: frozenset[str] = frozenset()  # skeletons with their first vowel's class
    marked: frozenset[str] = frozenset()  # "~folded=marked" words, when written with diacritics
    syllabic: bool = False  # a name of syllables (Chinese, Korean, Burmese): no middle name to drop
    rough: bool = False  # read from a script whose romanisation here is approximate (ROUGH_SCRIPTS)

    @property
    def normalised(self) -> str:
        return " ".join(self.variants[0]) if self.variants else ""


def _strip_native(words: list[str]) -> list[str]:
    stripped = list(words)
    while len(stripped) > 1 and stripped[0] in _NATIVE_TITLES:
        stripped.pop(0)
    if stripped:
        for title in _THAI_JOINED_TITLES:
            if stripped[0].startswith(title) and len(stripped[0]) > len(title) + 1:
                stripped[0] = stripped[0][len(title):]
                break
        for suffix in _HAN_TITLE_SUFFIXES:
            last = stripped[-1]
            if last.endswith(suffix) and len(last) > len(suffix):
                stripped[-1] = last[: -len(suffix)]
                break
    return stripped


def _tokens(words: list[str]) -> tuple[str, ...]:
    tokens: list[str] = []
    cyrillic = _cyrillic_rule(" ".join(words))
    for word in words:
        tokens.extend(_romanise_word(word, cyrillic))
    return tuple(tokens)


def _strip_latin(tokens: tuple[str, ...]) -> tuple[str, ...]:
    stripped = list(tokens)
    while len(stripped) > 1 and stripped[0] in _LATIN_TITLES:
        stripped.pop(0)
    if len(stripped) > 2 and stripped[0] == "lok" and stripped[1] == "srey":
        stripped = stripped[2:]
    return tuple(stripped)


def _pinyin_form(tokens: tuple[str, ...]) -> tuple[str, ...]:
    """Tokens cut into pinyin syllables when *every* token is pinyin.

    Only then is the name plausibly Chinese; cutting "Angela Merkel" would
    only add noise.
    """
    if not tokens or len(tokens) > 4:
        return tokens
    parts: list[str] = []
    for token in tokens:
        syllables = split_pinyin(token)
        if syllables is None:
            return tokens
        parts.extend(syllables)
    return tuple(parts) if len(parts) <= 5 else tokens


# Wade-Giles (Taiwanese passports, older Western texts: Mao Tse-tung, Chiang
# Ching-kuo) to pinyin. Hand-written: no maintained package converts WG to
# pinyin. Apostrophes (aspiration) are lost by the time tokens are made, so
# an initial yields both readings; only readings that are pinyin syllables
# are kept.
_WG_INITIALS = (("tz", ("z", "c")), ("ts", ("z", "c")), ("ss", ("s",)), ("sz", ("s",)), ("hs", ("x",)),
                ("ch", ("zh", "ch", "j", "q")), ("sh", ("sh",)), ("k", ("g", "k")), ("t", ("d", "t")),
                ("p", ("b", "p")), ("j", ("r",)))
_WG_FINALS = (("iung", "iong"), ("ung", "ong"), ("ieh", "ie"), ("ien", "ian"), ("ih", "i"), ("erh", "er"))


@lru_cache(maxsize=65536)
def _wade_giles(token: str) -> tuple[str, ...]:
    """Pinyin syllables ``token`` may be in Wade-Giles ("tung" -> dong, tong; "hsi" -> xi)."""
    heads = [(token[len(wg):], py) for wg, pys in _WG_INITIALS if token.startswith(wg) for py in pys]
    if not heads or not any(token.startswith(wg) for wg, _ in _WG_INITIALS[:5]):
        # the token as written too, unless it begins with an initial only WG has (tz, ts, ss, sz, hs)
        heads.append((token, ""))
    out = []
    for rest, initial in heads:
        for wg, py in _WG_FINALS:
            if rest.endswith(wg):
                rest = rest[: -len(wg)] + py
                break
        if initial in ("z", "c", "s") and rest == "u":
            rest = "i"  # tzu, ssu
        finals = [rest, rest[:-1] + "e"] if rest.endswith("o") else [rest]  # ko -> ge
        if not initial and rest[:1] in ("i", "u"):
            finals.append(("y" if rest[0] == "i" else "w") + rest)  # ing -> ying, u -> wu
        for final in finals:
            syllable = initial + final
            if syllable in _pinyin_syllables() and syllable not in out:
                out.append(syllable)
    return tuple(out)


def _wade_giles_variants(tokens: tuple[str, ...], limit: int = 4) -> list[tuple[str, ...]]:
    """The name read as Wade-Giles, when every token is a syllable in it and
    one at least is not pinyin as written (so "Li Na" gets none)."""
    if not 2 <= len(tokens) <= 4:
        return []
    syllables = _pinyin_syllables()
    if all(t in syllables for t in tokens):
        return []
    options = []
    for token in tokens:
        readings = _wade_giles(token)
        if not readings:
            return []
        options.append(readings[:2])
    out: list[tuple[str, ...]] = [()]
    for readings in options:
        out = [head + (r,) for head in out for r in readings][:limit]
    return out


def _arabic_variants(tokens: tuple[str, ...]) -> list[tuple[str, ...]]:
    """Readings of a name written in Arabic script that Latin sources use and
    ICU's letter-by-letter transliteration does not give: the article apart
    (العمري "almry" is "Al-Omari"), ج as g (Egyptian "Gamal" for Jamal) and
    ش as French ch ("Cherif" for Sharif)."""
    split: list[str] = []
    for token in tokens:
        if token.startswith("al") and len(token) > 3:
            split += ["al", token[2:]]
        else:
            split.append(token)
    base = tuple(split)
    out = [base] if base != tokens else []
    for old, new in (("j", "g"), ("sh", "ch")):
        if any(old in t for t in base):
            out.append(tuple(t.replace(old, new) for t in base))
    return out


_NICKNAME_MAX_CANONICALS = 3  # "Ali" or "Lee" stand for many names in the list: names, not nicknames


@lru_cache(maxsize=1)
def _nicknamer():
    from nicknames import NickNamer  # a hand-curated list of English names and their nicknames

    return NickNamer()


@lru_cache(maxsize=65536)
def _canonicals(token: str) -> tuple[str, ...]:
    if len(token) < 2 or token in _PATRONYMIC:
        return ()
    found = {c for c in _nicknamer().canonicals_of(token) if c.isascii() and c.isalpha() and len(c) > len(token)}
    return tuple(sorted(found)) if len(found) <= _NICKNAME_MAX_CANONICALS else ()


def _nickname_variants(tokens: tuple[str, ...], limit: int = 4) -> list[tuple[str, ...]]:
    """The name with a nickname replaced by the name it is short for ("Ted
    Doe" is also "Theodore Doe", "Bill Clinton" "William Clinton"), one token
    at a time, at most ``limit`` variants. Latin names of two tokens or more
    only: a lone "Ted" says too little. Patronymic particles are never read
    as nicknames ("ben" is not Benjamin in "Ali Ben Salah"; a short form of
    a given name is matched by the comparison levels instead)."""
    if len(tokens) < 2:
        return []
    out: list[tuple[str, ...]] = []
    for index, token in enumerate(tokens):
        for canonical in _canonicals(token):
            out.append(tokens[:index] + (canonical,) + tokens[index + 1:])
    return out[:limit]


@lru_cache(maxsize=200_000)
def analyse_name(name: str) -> NameAnalysis:
    """Latin tokens, keys and Han form of ``name`` (any script). Cached: names repeat."""
    text = nfc(name)
    script = detect_script(text)
    words = re.split(r"[\s·・‧•,;]+", text)
    words = [w for w in words if w]
    native_stripped = _strip_native(words)
    variants: list[tuple[str, ...]] = []
    stripped = _tokens(native_stripped)
    if script != "Hani":  # "Ma" written 马 is a family name, never a title
        stripped = _strip_latin(stripped)
    for candidate in (stripped, _tokens(words)):
        form = _pinyin_form(candidate) if script in ("Latn", "Hani") else candidate
        if form and form not in variants:
            variants.append(form)
        if script == "Latn" and form != candidate and candidate and candidate not in variants:
            # also as written: "Ben Netanyahu" cuts into pinyin syllables too
            variants.append(candidate)
    if script == "Hani" and variants and len(variants[0]) >= 3:
        # 明学昌 is also "Ming Xuechang": family name, then the given name in one word
        first = variants[0]
        joined = (first[0], "".join(first[1:]))
        if joined not in variants:
            variants.append(joined)
    if script == "Arab" and variants:
        variants.extend(v for v in _arabic_variants(variants[0]) if v not in variants)
    han_chars = "".join(c for c in "".join(native_stripped) if char_script(c) == "Hani")
    if script == "Hani" and 2 <= len(han_chars) <= 4:
        # the same characters as Hong Kong and Macau write them (陳大文 "Chan Tai Man"),
        # and as a Japanese name (田中太郎 "Tanaka Taro")
        variants.extend(v for v in cantonese_readings(han_chars) if v not in variants)
    if script == "Jpan" or (script == "Hani" and 2 <= len(han_chars) <= 6):
        reading = japanese_reading(" ".join(native_stripped))
        if reading and reading not in variants:
            variants.append(reading)
    if script == "Hang":
        variants.extend(v for v in _korean_variants(native_stripped) if v not in variants)
        for variant in list(variants):
            common = _korean_vowels_variant(variant)
            if common and common not in variants:
                variants.append(common)
    if script == "Latn":
        # from the tokens as written, not cut into pinyin ("Ben Netanyahu" is not ben ne tan ya hu)
        variants.extend(v for v in _nickname_variants(stripped) if v not in variants)
        variants.extend(v for v in _wade_giles_variants(stripped) if v not in variants)
        for tokens in (stripped, _tokens(words)):  # "Pak" is also a Malay title
            korean = _korean_latin_variant(tokens)
            if korean and korean not in variants:
                variants.append(korean)
            for base in (tokens, korean):
                common = _korean_vowels_variant(base) if base else None
                if common and common not in variants:
                    variants.append(common)
    han = None
    if script == "Hani":
        han = simplify_han(han_chars) or None
    keys: set[str] = set()
    phonetic: set[str] = set()
    phonetic_vowels: set[str] = set()
    sorted_forms: list[str] = []
    for tokens in variants:
        # "Salman bin Muhammad" is not "Muhammad bin Salman": with a
        # patronymic particle the order is part of the name.
        ordered = list(tokens) if _PATRONYMIC & set(tokens) else sorted(tokens)
        sorted_form = " ".join(ordered)
        sorted_forms.append(sorted_form)
        keys.add(sorted_form)
        if len(tokens) > 1:
            keys.add("".join(tokens))
            if not _PATRONYMIC & set(tokens):
                keys.add("".join(reversed(tokens)))
        phonetic.add(" ".join(sorted(_skeleton(t) for t in tokens)))
        phonetic_vowels.add(" ".join(sorted(_skeleton(t) + _vowel_class(t) for t in tokens)))
    return NameAnalysis(
        original=text,
        script=script,
        variants=tuple(variants),
        han=han,
        keys=frozenset(keys),
        phonetic=frozenset(phonetic),
        sorted_forms=tuple(sorted_forms),
        phonetic_vowels=frozenset(phonetic_vowels),
        marked=marked_tokens(native_stripped) if script == "Latn" else frozenset(),
        syllabic=_syllabic(script, variants[0] if variants else ()),
        rough=script in ROUGH_SCRIPTS,
    )


def display_romanisation(name: str) -> str:
    """The name in Latin letters, for a reader who cannot read its script:
    "明学昌" -> "Ming Xuechang", "สมชาย ใจดี" -> "Somchai Chaidi". Empty for a
    name already in Latin letters. Shown *beside* the name as written, never
    instead of it (the written form is the evidence)."""
    analysis = analyse_name(name)
    if analysis.script == "Latn" or not analysis.variants:
        return ""
    # As written, titles included ("U Maung Maung"): the first variant sets
    # titles aside and may drop a title that is also a name (Maung).
    tokens = max(analysis.variants[:2], key=len) if analysis.script != "Hani" else analysis.variants[0]
    if analysis.script == "Hani" and len(tokens) >= 3:
        tokens = (tokens[0], "".join(tokens[1:]))  # family name, then the given name as one word
    return " ".join(token.capitalize() for token in tokens)


def normalise_name(name: str) -> str:
    """The Latin comparison form of a name: titles set aside, diacritics folded,
    lower case, tokens in the order written ("Ông Nguyễn Văn Thành" ->
    "nguyen van thanh", "明学昌" -> "ming xue chang")."""
    return analyse_name(name).normalised


def name_keys(name: str) -> set[str]:
    """Exact blocking keys of a name in any script; two spellings of one name
    (明学昌, "Xuechang Ming", "MING XUE CHANG") share at least one."""
    return set(analyse_name(name).keys)


def phonetic_keys(name: str) -> set[str]:
    """Looser keys (consonant skeletons): shared by romanisation variants."""
    return set(analyse_name(name).phonetic)
