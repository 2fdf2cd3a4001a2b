"""Synthetic persons written in several scripts and spellings, with ground truth.

Plain Python, no Django; deterministic for a given seed. Used to train the
shipped default parameters (seed 1), by the cross-script benchmark (seed 7)
and by the million-record deduplication benchmark. Each *entity* is one
person; each *record* is how one source wrote them: native script or a
romanisation, family name first or last, with or without diacritics and
titles, with typos, a partial or day/month-swapped date of birth, and
sometimes a passport number or phone. Hard negatives are built in: Chinese
homophones (陈志 / 陈智), shared common names with other dates of birth,
and persons born the same day whose given name differs in a way matchers
miss (``given_name_twin``: a Vietnamese tone, one Korean syllable, another
Japanese given name, one more Burmese syllable). Korean (Hangul; RR, MR
and the usual family-name spellings), Japanese (kanji; Hepburn) and Hong
Kong (traditional characters; Cantonese spellings) persons since 2026-12.

The name pools are small (like real Khmer or Vietnamese names), so many
different persons share a name. A hard negative can then be *unknowable*:
the same name, and every other field missing on one side or compatible
with the noise the generator itself puts on one person's records (a year
off by one, an estimated age, a partial date). ``indistinguishable`` says
which negatives are so; the cross-script benchmark reports them apart (a
count, excluded from its headline F1, and the F1 with them included), since
no careful analyst could tell them apart from the fields given either.
"""
from __future__ import annotations

import random
from dataclasses import dataclass

from liaison.names.translit import BURMESE_SYLLABLES, _icu

from .records import PersonRecord

_HAN_FAMILY = "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾萧田董潘袁蔡蒋余于杜叶程魏苏吕丁任沈姚卢"
_HAN_GIVEN = "伟芳娜敏静丽强磊军洋勇艳杰娟涛明超秀霞平刚桂英华志国建文学昌辉新海波宁红玉兰龙飞鹏智慧永林"
_VI_FAMILY = ["Nguyễn", "Trần", "Lê", "Phạm", "Hoàng", "Huỳnh", "Phan", "Vũ", "Võ", "Đặng", "Bùi", "Đỗ", "Hồ", "Ngô", "Dương"]
_VI_MIDDLE = {"m": ["Văn", "Hữu", "Đức", "Minh", "Quốc"], "f": ["Thị", "Ngọc", "Thu", "Minh", "Thanh"]}
_VI_GIVEN = {"m": ["Thành", "Hùng", "Dũng", "Tuấn", "Nam", "Hải", "Long", "Sơn", "Bình", "Khánh", "Phúc", "Quang"],
             "f": ["Lan", "Hoa", "Hương", "Linh", "Phương", "Trang", "Mai", "Thảo", "Hằng", "Ngân", "Yến", "Nhung"]}
_TH_GIVEN = {"m": [("สมชาย", "Somchai"), ("สมศักดิ์", "Somsak"), ("ประเสริฐ", "Prasoet"), ("สุรชัย", "Surachai"),
                   ("วิชัย", "Wichai"), ("ชัยวัฒน์", "Chaiwat"), ("มานพ", "Manop"), ("สมพงษ์", "Somphong"),
                   ("ธนากร", "Thanakon"), ("อภิชาติ", "Aphichat"), ("ณัฐพล", "Natthaphon"), ("กิตติ", "Kitti"),
                   ("ศักดิ์ชัย", "Sakchai"), ("วีระ", "Wira"), ("ปิยะ", "Piya"), ("สุชาติ", "Suchat")],
             "f": [("มาลี", "Mali"), ("สุดา", "Suda"), ("กาญจนา", "Kanchana"), ("สมหญิง", "Somying"),
                   ("วันดี", "Wandi"), ("นิตยา", "Nittaya"), ("ปราณี", "Prani"), ("อรุณี", "Aruni"),
                   ("พรทิพย์", "Phonthip"), ("สุนีย์", "Suni"), ("รัตนา", "Rattana"), ("จันทร์เพ็ญ", "Chanphen"),
                   ("ศิริพร", "Siriphon"), ("อัญชลี", "Anchali"), ("วรรณา", "Wanna"), ("ดวงใจ", "Duangjai")]}
_TH_FAMILY = [("ใจดี", "Jaidee"), ("ศรีสุข", "Srisuk"), ("บุญมา", "Boonma"), ("ทองดี", "Thongdee"),
              ("แก้วมณี", "Kaewmanee"), ("สุขสวัสดิ์", "Suksawat"), ("วงศ์ใหญ่", "Wongyai"), ("มีสุข", "Meesuk"),
              ("ชัยมงคล", "Chaimongkhon"), ("พรหมมา", "Phromma"), ("รุ่งเรือง", "Rungrueang"),
              ("ศรีวงศ์", "Sriwong"), ("จันทร์ดี", "Chandee"), ("สมบูรณ์", "Sombun"), ("ทองคำ", "Thongkham"),
              ("เพชรรัตน์", "Phetcharat"), ("อินทร์แก้ว", "Inkaew"), ("ประเสริฐสุข", "Prasoetsuk")]
_KM_GIVEN = [("សុខ", "Sok"), ("ដារា", "Dara"), ("សុភា", "Sophea"), ("វណ្ណា", "Vanna"), ("រតនា", "Ratana"),
             ("ពិសិដ្ឋ", "Piseth"), ("សំណាង", "Samnang"), ("ធារី", "Theary"), ("សុផល", "Sophal"), ("វិចិត្រ", "Vichet"),
             ("សុជាតិ", "Socheat"), ("ចន្ថា", "Chantha"), ("សុខា", "Sokha"), ("ពិសី", "Pisey"), ("បូរ៉ា", "Bora"),
             ("រស្មី", "Reaksmey"), ("សុវណ្ណ", "Sovann"), ("វិសាល", "Visal"), ("ស្រីនិច", "Sreynich"), ("មករា", "Makara")]
_KM_FAMILY = [("ហ៊ុន", "Hun"), ("កែវ", "Keo"), ("ជា", "Chea"), ("លី", "Ly"), ("ឈឹម", "Chhim"), ("ម៉ៅ", "Mao"),
              ("ស៊ិន", "Sin"), ("ប៊ុន", "Bun"), ("ទេព", "Tep"), ("អ៊ុំ", "Um"), ("សុខ", "Sok"), ("ចាន់", "Chan")]
_MM_SYLLABLES = [k for k, v in BURMESE_SYLLABLES.items() if v not in ("u", "daw", "ko", "ma")]
_MM_SPELLING = {"kyaw": ["kyaw", "kyo"], "htet": ["htet", "htat"], "myint": ["myint", "myin"], "soe": ["soe", "so"],
                "tun": ["tun", "tunn"], "thein": ["thein", "thien"], "moe": ["moe", "mo"]}
_AR_GIVEN = [("محمد", ["Mohammed", "Muhammad", "Mohamed"]), ("أحمد", ["Ahmed", "Ahmad"]), ("علي", ["Ali"]),
             ("حسن", ["Hassan", "Hasan"]), ("حسين", ["Hussein", "Husain"]), ("خالد", ["Khalid", "Khaled"]),
             ("عمر", ["Omar", "Umar"]), ("يوسف", ["Yusuf", "Youssef"]), ("إبراهيم", ["Ibrahim"]),
             ("سلمان", ["Salman"]), ("كريم", ["Karim", "Kareem"]), ("مصطفى", ["Mustafa", "Moustafa"]),
             ("طارق", ["Tariq", "Tarek"]), ("سمير", ["Samir", "Sameer"]), ("ناصر", ["Nasser", "Nasir"]),
             ("جمال", ["Jamal", "Gamal"]), ("رشيد", ["Rashid", "Rachid"]), ("فيصل", ["Faisal", "Faysal"]),
             ("عادل", ["Adel", "Adil"]), ("وليد", ["Walid", "Waleed"])]
_AR_FAMILY = [("حداد", ["Haddad"]), ("منصور", ["Mansour", "Mansur"]), ("سعيد", ["Saeed", "Said"]),
              ("نصر", ["Nasr", "Nasser"]), ("عباس", ["Abbas"]), ("سليمان", ["Suleiman", "Sulaiman"]),
              ("جابر", ["Jaber", "Jabir"]), ("يوسف", ["Youssef", "Yusuf"]), ("قاسم", ["Qasim", "Kassem"]),
              ("خليل", ["Khalil"]), ("عثمان", ["Othman", "Osman"]), ("شريف", ["Sharif", "Cherif"]),
              ("عيسى", ["Issa", "Eisa"]), ("بكر", ["Bakr", "Bakar"]), ("زيدان", ["Zidane", "Zaidan"]),
              ("هاشم", ["Hashem", "Hashim"]), ("العمري", ["Al-Omari", "Alomari"])]
# Korean: family names with the spellings in use, given names of two syllables.
_KR_FAMILY = [("김", ["Kim"]), ("이", ["Lee", "Yi", "Rhee"]), ("박", ["Park", "Pak", "Bak"]), ("최", ["Choi", "Choe"]),
              ("정", ["Jung", "Jeong", "Chung"]), ("강", ["Kang"]), ("조", ["Cho", "Jo"]), ("윤", ["Yoon", "Yun"]),
              ("장", ["Jang", "Chang"]), ("임", ["Lim", "Im"]), ("한", ["Han"]), ("신", ["Shin", "Sin"])]
_KR_GIVEN = "민준서연지현우수영진호성은하윤재동혜경미"
# Japanese: names in kanji with their passport (Hepburn) spelling.
_JP_FAMILY = [("佐藤", "Sato"), ("鈴木", "Suzuki"), ("高橋", "Takahashi"), ("田中", "Tanaka"), ("伊藤", "Ito"),
              ("渡辺", "Watanabe"), ("山本", "Yamamoto"), ("中村", "Nakamura"), ("小林", "Kobayashi"),
              ("加藤", "Kato"), ("吉田", "Yoshida"), ("山田", "Yamada")]
_JP_GIVEN = {"m": [("太郎", "Taro"), ("健一", "Kenichi"), ("翔太", "Shota"), ("大輔", "Daisuke"), ("直樹", "Naoki"),
                   ("誠", "Makoto"), ("博", "Hiroshi"), ("和也", "Kazuya")],
             "f": [("花子", "Hanako"), ("優子", "Yuko"), ("美穂", "Miho"), ("陽子", "Yoko")]}
# Hong Kong and Macau: traditional characters, Cantonese (HK government) spellings.
_HK_FAMILY = [("陳", "Chan"), ("黃", "Wong"), ("張", "Cheung"), ("李", "Lee"), ("劉", "Lau"), ("梁", "Leung"),
              ("林", "Lam"), ("何", "Ho"), ("吳", "Ng"), ("鄭", "Cheng"), ("曾", "Tsang"), ("周", "Chow")]
_HK_GIVEN = [("偉", "Wai"), ("志", "Chi"), ("明", "Ming"), ("文", "Man"), ("國", "Kwok"), ("嘉", "Ka"), ("美", "Mei"),
             ("玲", "Ling"), ("華", "Wah"), ("強", "Keung"), ("德", "Tak"), ("傑", "Kit")]
_TITLES = {"MM": ["U", "Daw", "Ko", "Ma"], "VN": ["Ông", "Bà"], "TH": ["Khun", "Mr"], "KH": ["Lok", "Oknha"],
           "CN": ["Mr"], "AR": ["Haji", "Sheikh"]}
CULTURES = ("CN", "VN", "TH", "KH", "MM", "AR", "KR", "JP", "HK")
_COUNTRY = {"CN": ["cn"], "VN": ["vn"], "TH": ["th"], "KH": ["kh"], "MM": ["mm"], "AR": ["sa", "ae", "pk", "iq"],
            "KR": ["kr"], "JP": ["jp"], "HK": ["hk", "mo"]}


@dataclass
class Entity:
    id: str
    culture: str
    sex: str
    native: str  # in the native script
    latin: list[list[str]]  # romanised spellings, family name first, as token lists
    dob: str
    country: str
    passport: str | None
    phone: str | None


def _han_name(rng: random.Random) -> tuple[str, list[str]]:
    family = rng.choice(_HAN_FAMILY)
    given = "".join(rng.choice(_HAN_GIVEN) for _ in range(rng.choice((1, 2, 2))))
    return family + given, [family, given]


def _pinyin(chars: str) -> str:
    from pypinyin import Style, lazy_pinyin

    return "".join(lazy_pinyin(chars, style=Style.NORMAL)).replace("v", "u").capitalize()


def make_entity(rng: random.Random, index: int, culture: str | None = None) -> Entity:
    culture = culture or rng.choice(CULTURES)
    sex = rng.choice("mf")
    if culture == "CN":
        native, parts = _han_name(rng)
        latin = [[_pinyin(p) for p in parts]]
    elif culture == "VN":
        family, middle, given = rng.choice(_VI_FAMILY), rng.choice(_VI_MIDDLE[sex]), rng.choice(_VI_GIVEN[sex])
        native = f"{family} {middle} {given}"
        latin = [[family, middle, given]]
    elif culture == "TH":
        (tg, lg), (tf, lf) = rng.choice(_TH_GIVEN[sex]), rng.choice(_TH_FAMILY)
        native = f"{tg} {tf}"
        latin = [[lf, lg]]
    elif culture == "KH":
        (kf, lf), (kg, lg) = rng.choice(_KM_FAMILY), rng.choice(_KM_GIVEN)
        native = f"{kf} {kg}"
        latin = [[lf, lg]]
    elif culture == "MM":
        syllables = [rng.choice(_MM_SYLLABLES) for _ in range(rng.choice((2, 2, 3)))]
        native = " ".join(syllables)
        latin = [[BURMESE_SYLLABLES[s].capitalize() for s in syllables]]
        latin.append([rng.choice(_MM_SPELLING.get(BURMESE_SYLLABLES[s], [BURMESE_SYLLABLES[s]])).capitalize()
                      for s in syllables])
    elif culture == "KR":
        (family, spellings), given = rng.choice(_KR_FAMILY), "".join(rng.choice(_KR_GIVEN) for _ in range(2))
        native = family + given
        latin = _korean_latin(spellings, given)
    elif culture == "JP":
        (kf, lf), (kg, lg) = rng.choice(_JP_FAMILY), rng.choice(_JP_GIVEN[sex])
        native = kf + kg
        latin = [[lf, lg]]
    elif culture == "HK":
        (hf, lf), given = rng.choice(_HK_FAMILY), [rng.choice(_HK_GIVEN) for _ in range(rng.choice((1, 2, 2)))]
        native = hf + "".join(c for c, _ in given)
        latin = [[lf] + [r for _, r in given], [lf, "-".join(r for _, r in given)]]
    else:
        (ag, lgs), (af, lfs) = rng.choice(_AR_GIVEN), rng.choice(_AR_FAMILY)
        native = f"{ag} {af}"
        latin = [[f, g] for f in lfs for g in lgs]
    year = rng.randint(1955, 2004)
    dob = f"{year:04d}-{rng.randint(1, 12):02d}-{rng.randint(1, 28):02d}"
    return Entity(
        id=f"E{index}", culture=culture, sex=sex, native=native, latin=latin, dob=dob,
        country=rng.choice(_COUNTRY[culture]),
        passport=f"{culture[0]}{rng.randint(10_000_000, 99_999_999)}" if rng.random() < 0.5 else None,
        phone=f"+{rng.randint(10, 99)}{rng.randint(100_000_000, 999_999_999)}" if rng.random() < 0.4 else None,
    )


def _korean_latin(family_spellings: list[str], given: str) -> list[list[str]]:
    """Every spelling of the family name with the given name in RR and in MR,
    as one word or hyphenated (Min-jun, Minjun)."""
    from liaison.names.translit import _hangul_syllable

    out = []
    for system in ("rr", "mr"):
        syllables = [_hangul_syllable(c, system) for c in given]
        for family in family_spellings:
            out.append([family, "".join(syllables).capitalize()])
            out.append([family, "-".join(syllables).capitalize()])
    return out


_VI_TONES = "\u0300\u0301\u0303\u0309\u0323"


def _other_tone(rng: random.Random, word: str) -> str:
    """The word with another tone mark on its vowel (Thành -> Thạnh, Hùng -> Hũng)."""
    import unicodedata

    decomposed = [c for c in unicodedata.normalize("NFD", word) if c not in _VI_TONES]
    vowels = [i for i, c in enumerate(decomposed) if c.lower() in "aeiouy"]
    if not vowels:
        return word
    current = next((c for c in unicodedata.normalize("NFD", word) if c in _VI_TONES), "")
    tone = rng.choice([t for t in ("",) + tuple(_VI_TONES) if t != current])
    at = vowels[-1] if len(vowels) == 1 else vowels[-2] if decomposed[-1].lower() in "aeiouy" else vowels[-1]
    decomposed.insert(at + 1, tone)
    return unicodedata.normalize("NFC", "".join(decomposed))


def given_name_twin(rng: random.Random, entity: Entity, index: int) -> Entity | None:
    """Another person born the same day with the same family name and a given
    name that differs in a way matchers miss: another tone (Vietnamese, both
    written with diacritics), one Korean syllable, another Japanese given
    name, one more Burmese syllable. None for other cultures."""
    import copy

    twin = copy.deepcopy(entity)
    twin.id = f"E{index}"
    twin.passport = None
    twin.phone = None
    if entity.culture == "VN":
        family, middle, given = entity.native.split(" ")
        other = _other_tone(rng, given)
        twin.native = f"{family} {middle} {other}"
        twin.latin = [[family, middle, other]]
    elif entity.culture == "KR":
        family, given = entity.native[0], entity.native[1:]
        position = rng.randrange(len(given))
        replacement = rng.choice([c for c in _KR_GIVEN if c != given[position]])
        given = given[:position] + replacement + given[position + 1:]
        twin.native = family + given
        twin.latin = _korean_latin(dict(_KR_FAMILY)[family], given)
    elif entity.culture == "JP":
        family = next((k, l) for k, l in _JP_FAMILY if entity.native.startswith(k))
        kg, lg = rng.choice([g for g in _JP_GIVEN[entity.sex] if family[0] + g[0] != entity.native])
        twin.native = family[0] + kg
        twin.latin = [[family[1], lg]]
    elif entity.culture == "MM":
        extra = rng.choice(_MM_SYLLABLES)
        twin.native = f"{entity.native} {extra}"
        twin.latin = [tokens + [BURMESE_SYLLABLES[extra].capitalize()] for tokens in entity.latin]
    else:
        return None
    return twin


def homophone_of(rng: random.Random, entity: Entity, index: int) -> Entity:
    """Another person whose Han name sounds the same (same pinyin, other characters)."""
    from pypinyin import Style, lazy_pinyin

    target = lazy_pinyin(entity.native, style=Style.NORMAL)
    chars = list(entity.native)
    for position in range(len(chars) - 1, 0, -1):
        options = [c for c in _HAN_GIVEN + "智治致至之知枝"
                   if c != chars[position] and lazy_pinyin(c, style=Style.NORMAL) == [target[position]]]
        if options:
            chars[position] = rng.choice(options)
            break
    twin = make_entity(rng, index, "CN")
    twin.native = "".join(chars)
    twin.latin = entity.latin
    twin.country = entity.country
    return twin


def _typo(rng: random.Random, token: str) -> str:
    if len(token) < 4:
        return token
    i = rng.randrange(1, len(token) - 1)
    kind = rng.random()
    if kind < 0.4:
        return token[:i] + token[i + 1] + token[i] + token[i + 2:]
    if kind < 0.7:
        return token[:i] + token[i + 1:]
    return token[:i] + rng.choice("aeiounrst") + token[i + 1:]


def _fold(text: str) -> str:
    return _icu("Latin-ASCII").transliterate(text)


def render(rng: random.Random, entity: Entity, record_id: str) -> tuple[PersonRecord, str]:
    """One source's record of ``entity`` and the script it wrote the name in."""
    if rng.random() < 0.45:
        script = "native"
        name = entity.native
        if entity.culture == "CN" and rng.random() < 0.4:
            name = _icu("Hans-Hant").transliterate(name)
            script = "native"
        if entity.culture == "MM" and rng.random() < 0.5:
            name = name.replace(" ", "")
    else:
        script = "latin"
        tokens = list(rng.choice(entity.latin))
        if entity.culture == "VN" and rng.random() < 0.6:
            tokens = [_fold(t) for t in tokens]
        if entity.culture in ("JP", "HK") and rng.random() < 0.3:
            tokens = [tokens[0].upper()] + tokens[1:]  # SURNAME Given, as Hong Kong and Japan write it
        if entity.culture == "VN" and rng.random() < 0.15:
            tokens = [tokens[0], tokens[-1]]  # middle name dropped
        if entity.culture == "CN" and rng.random() < 0.3:
            from pypinyin import Style, lazy_pinyin

            tokens = [s.capitalize() for s in lazy_pinyin(entity.native, style=Style.NORMAL)]
        if rng.random() < 0.5:
            tokens = tokens[1:] + tokens[:1]  # family name last
        if rng.random() < 0.15:
            i = rng.randrange(len(tokens))
            tokens[i] = _typo(rng, tokens[i])
        if rng.random() < 0.3:
            tokens = [t.upper() for t in tokens]
        name = " ".join(tokens)
    if rng.random() < 0.15 and entity.culture in _TITLES:
        name = f"{rng.choice(_TITLES[entity.culture])} {name}"
    year, month, day = entity.dob.split("-")
    roll = rng.random()
    if roll < 0.45:
        dob = entity.dob
    elif roll < 0.6:
        dob = year
    elif roll < 0.68:
        dob = f"{year}-{month}"
    elif roll < 0.76:
        dob = f"{day}/{month}/{year}" if rng.random() < 0.5 else f"{year}-{day}-{month}" if int(day) <= 12 else entity.dob
    elif roll < 0.80:
        dob = str(int(year) + rng.choice((-1, 1)))
    elif roll < 0.83:  # an estimated age
        dob = str(int(year) + rng.choice((-5, -4, -3, -2, 2, 3, 4, 5)))
    elif roll < 0.84:  # a typing error in the year
        dob = f"{int(year) + rng.choice((-10, 10, -1, 1)):04d}-{month}-{day}"
    else:
        dob = None
    record = PersonRecord(
        id=record_id,
        names=[name],
        dob=dob,
        countries=[entity.country] if rng.random() < 0.8 else [],
        documents=[entity.passport] if entity.passport and rng.random() < 0.5 else [],
        identifiers=[entity.phone] if entity.phone and rng.random() < 0.5 else [],
        sex=entity.sex if rng.random() < 0.5 else None,
    )
    return record, f"{entity.culture}-{script}"


def population(n_entities: int, seed: int, *, homophone_share: float = 0.05, max_records: int = 3,
               twin_share: float = 0.1):
    """Records with their entity ids: ``(records, truth, script_of)``.

    ``truth[record_id]`` is the entity id; ``script_of[record_id]`` says how
    the name was written ("CN-native", "VN-latin"...).
    """
    rng = random.Random(seed)
    records: list[PersonRecord] = []
    truth: dict[str, str] = {}
    script_of: dict[str, str] = {}
    entities: list[Entity] = []
    while len(entities) < n_entities:
        entity = make_entity(rng, len(entities))
        entities.append(entity)
        if entity.culture == "CN" and rng.random() < homophone_share * 4 and len(entities) < n_entities:
            entities.append(homophone_of(rng, entity, len(entities)))
        if entity.culture in ("VN", "KR", "JP", "MM") and rng.random() < twin_share and len(entities) < n_entities:
            twin = given_name_twin(rng, entity, len(entities))
            if twin is not None:
                entities.append(twin)
    for entity in entities:
        for _ in range(rng.choice([1] * 2 + list(range(2, max_records + 1)))):
            record_id = f"R{len(records)}"
            record, script = render(rng, entity, record_id)
            records.append(record)
            truth[record_id] = entity.id
            script_of[record_id] = script
    return records, truth, script_of


def labelled_pairs(n_entities: int, seed: int, negatives_per_positive: float = 1.0):
    """Pairs (a, b, is_match) of records: every pair of records of one entity,
    and as many hard negatives (records of different entities that share a
    name key, a consonant skeleton or a Han family name and year of birth)."""
    from .records import features

    records, truth, script_of = population(n_entities, seed)
    by_entity: dict[str, list[PersonRecord]] = {}
    for record in records:
        by_entity.setdefault(truth[record.id], []).append(record)
    positives = [(a, b, True) for group in by_entity.values() for i, a in enumerate(group) for b in group[i + 1:]]
    rng = random.Random(seed + 1)
    blocks: dict[str, list[PersonRecord]] = {}
    for record in records:
        f = features(record)
        full_date = [f"d{f.dob}"] if f.dob and len(f.dob) == 10 else []  # born the same day
        for key in f.nkeys + ["~" + p for p in f.phon] + [f"h{h[:1]}{f.dob_year}" for h in f.han] + full_date:
            blocks.setdefault(key, []).append(record)
    negatives = []
    seen = set()
    wanted = int(len(positives) * negatives_per_positive)
    keys = sorted(k for k, v in blocks.items() if len(v) > 1)
    attempts = 0
    while len(negatives) < wanted and keys and attempts < wanted * 50:
        attempts += 1
        group = blocks[rng.choice(keys)]
        a, b = rng.sample(group, 2)
        if truth[a.id] == truth[b.id] or (a.id, b.id) in seen:
            continue
        seen.add((a.id, b.id))
        negatives.append((a, b, False))
    return positives + negatives, script_of


def _dob_compatible(x: str | None, y: str | None) -> bool:
    """Could one person's records carry these two dates, given the noise
    ``render`` applies (partial dates, day/month swapped, a year off by
    one, an estimated age, a typing error in the year)? Unknown is compatible."""
    from .records import normalise_dob

    x, y = normalise_dob(x), normalise_dob(y)
    if x is None or y is None or x.startswith(y) or y.startswith(x):
        return True
    dy = abs(int(x[:4]) - int(y[:4]))
    if len(x) == len(y) == 10 and (x[5:] == y[5:] or (x[:4] == y[:4] and x[5:7] == y[8:10] and x[8:10] == y[5:7])):
        return True
    return dy <= 1 or (dy <= 5 and (len(x) == 4 or len(y) == 4))


def indistinguishable(a: PersonRecord, b: PersonRecord) -> bool:
    """True when nothing in the two records tells their persons apart: the
    names are one name once transliterated (word order and titles aside; two
    different Han spellings do differ), and no other field is given on both
    sides with different values (dates: see ``_dob_compatible``). A
    negative pair for which this holds is unknowable, not a matcher error."""
    from .records import features

    from .comparisons import _marks_differ

    fa, fb = features(a), features(b)
    if not set(fa.nkeys) & set(fb.nkeys) or _marks_differ(fa, fb):
        return False
    if fa.han and fb.han and not set(fa.han) & set(fb.han):
        return False
    if not _dob_compatible(a.dob, b.dob):
        return False
    for left, right in ((fa.docs, fb.docs), (fa.ids, fb.ids), (fa.countries, fb.countries)):
        if left and right and not set(left) & set(right):
            return False
    return not (fa.sex and fb.sex and fa.sex != fb.sex)
