"""Agencies, operation names and person names in report text.

Plain Python, no Django. Patterns are built from each language's head nouns
("Ministry", "Kepolisian", "公安局", "ตำรวจ", "الشرطة"...) and the way names
of agencies continue in that language (capitalised words in Latin script, the
article-prefixed adjectives of Arabic, place prefixes in Chinese), plus a list
of well-known acronyms. Person names need a role word or a title nearby, which
keeps capitalised phrases such as headlines from being taken for people.
"""
from __future__ import annotations

import re
from bisect import bisect_left
from dataclasses import dataclass
from functools import lru_cache

from .lexicon import role_patterns

ACRONYMS = ["UNODC", "ASEANAPOL", "INTERPOL", "Interpol", "LMLECC", "ASEAN", "DSI", "CIB", "PNP", "NBI", "PAOCC",
            "CIDG", "PDRM", "Polri", "Bareskrim", "KBRI", "FBI", "OFAC", "IOM", "UNHCR", "MPS", "MOFA", "CCIB", "TCSD",
            "AMLO", "RTP", "PAGCOR", "DFA", "DOJ", "BGF", "DKBA", "KNU", "UWSA", "Tatmadaw", "BP2MI", "SBMI",
            "Polda", "Polres", "Mabes Polri", "IJM", "OHCHR", "UNDP", "Europol", "HSI", "DHS", "NCA", "MACC",
            "SPRM", "ATIP", "IACAT", "BI", "DOLE", "DMW", "Wisma Putra", "NAIA"]

_LATIN_HEADS = {
    "en": r"Police|Ministry|Department|Bureau|Agency|Office|Embassy|Consulate|Immigration|Court|Authority|"
          r"Authorities|Commission|Centre|Center|Coast Guard|Army|Task Force|Council|Gendarmerie|Service|Division|"
          r"Directorate|Headquarters|Command|Unit|Guards?|Prosecutor'?s? Office",
}
_EN_GENERIC = r"police|authorities|immigration officers|border guards|embassy|prosecutors|law enforcement"
_LOWER_GLUE = {
    "en": r"of|for|and|the|de|du|des",
    "id": r"dan|untuk|di|Republik|Kerajaan",
    "ms": r"dan|di|Diraja",
}
_HEADS = {
    "id": r"Kementerian|Kepolisian|Kedutaan Besar|Kedutaan|Konsulat Jenderal|Konsulat|Direktorat Jenderal|"
          r"Direktorat|Badan|Pengadilan|Mahkamah|Imigrasi|Pusat|Divisi|Satuan Tugas|Satgas|Kantor|Komisi|Markas Besar|"
          r"Polisi|Kejaksaan|Otoritas|Dinas|Tentara|Angkatan",
    "ms": r"Kementerian|Polis Diraja|Polis|Jabatan|Agensi|Suruhanjaya|Kedutaan Besar|Kedutaan|Pejabat|Mahkamah|"
          r"Ibu Pejabat|Bahagian|Pasukan|Majlis|Wisma Putra|Imigresen|Maritim",
    "fr": r"ministère|Ministère|police|Police|gendarmerie|autorités|département|Département|bureau|Bureau|ambassade|"
          r"Ambassade|consulat|tribunal|Tribunal|services?|garde-côtes|armée|direction|Direction|Office|office|"
          r"parquet|Centre|centre",
    "vi": r"Bộ Công an|Bộ Ngoại giao|Bộ Quốc phòng|Bộ Tư pháp|Bộ|Công an|Cục|Đại sứ quán|Tổng lãnh sự quán|Lãnh sự quán|Sở|Viện kiểm sát|Tòa án|Toà án|"
          r"Bộ đội Biên phòng|Cảnh sát|Phòng|Ủy ban|Văn phòng|Trung tâm|Quân đội|Bộ Chỉ huy",
}
_FR_WORDS = (r"de|du|des|d'|d’|la|le|les|l'|l’|à|aux|et|chinoises?|birmanes?|thaïlandaises?|cambodgiennes?|"
             r"vietnamiennes?|laotiennes?|philippines?|nationale?|publique|sécurité|intérieur|affaires|étrangères|"
             r"justice|immigration|frontières?|royale?|populaire|provinciale?|province|application|loi|"
             r"chargée?s?|criminelle|judiciaire|police|lutte|contre|drogue|crime|criminalité|Nations|unies|"
             r"l'ONU|ONU")
_VI_GLUE = r"tỉnh|thành phố|huyện|quận|tại|nước|và|ở"
_ZH_HEADS = (r"内政部|国防部|司法部|公安部|公安厅|公安局|公安机关|公安分局|派出所|警方|警察局|警察厅|警察|移民局|移民管理局|国家移民管理局|"
             r"大使馆|总领事馆|领事馆|外交部|法院|检察院|边防|边检站|执法部门|执法机关|当局|政府|合作中心|"
             r"综合执法安全合作中心|刑侦局|反诈中心|军方|武警")
_JA_HEADS = r"警察庁|警視庁|県警|府警|道警|警察署|警察|外務省|大使館|領事館|出入国在留管理庁|入管|当局|検察|地検"
_KO_HEADS = r"경찰청|경찰서|경찰|외교부|대사관|영사관|국가정보원|국정원|검찰청|검찰|법원|출입국|당국|수사당국"
_TH_NAMES = [
    "สำนักงานตำรวจแห่งชาติ", "ตำรวจภูธรภาค", "ตำรวจภูธรจังหวัด", "ตำรวจภูธร", "ตำรวจท่องเที่ยว", "ตำรวจตรวจคนเข้าเมือง",
    "กองบัญชาการตำรวจสืบสวนสอบสวน", "ตำรวจสอบสวนกลาง", "กองบังคับการปราบปราม", "ตำรวจไซเบอร์",
    "กองบัญชาการตำรวจสอบสวนกลาง", "สำนักงานตรวจคนเข้าเมือง", "ตม.", "กรมสอบสวนคดีพิเศษ", "ดีเอสไอ", "กระทรวงการต่างประเทศ",
    "กระทรวงมหาดไทย", "กระทรวงยุติธรรม", "สถานเอกอัครราชทูต", "สถานทูต", "กองกำลังนเรศวร", "กองทัพภาคที่ 3", "กองทัพบก",
    "ศาลอาญา", "ศาล", "สำนักงาน ปปง.", "ปปง.", "ฝ่ายปกครอง", "เจ้าหน้าที่ตำรวจ", "ตำรวจไทย", "ตำรวจจีน", "ตำรวจ",
    "เจ้าหน้าที่", "ทางการเมียนมา", "ทางการจีน", "ทางการกัมพูชา", "ทางการลาว", "ทางการ",
]
_LO_NAMES = ["ກະຊວງປ້ອງກັນຄວາມສະຫງົບ", "ກະຊວງການຕ່າງປະເທດ", "ກົມໃຫຍ່ຕຳຫຼວດ", "ກອງບັນຊາການປ້ອງກັນຄວາມສະຫງົບ",
             "ຕຳຫຼວດ", "ຕຳຫລວດ", "ເຈົ້າໜ້າທີ່ຕຳຫຼວດ", "ເຈົ້າໜ້າທີ່", "ສະຖານທູດ", "ອຳນາດການປົກຄອງ", "ເຈົ້າໜ້າທີ່ປ້ອງກັນຄວາມສະຫງົບ",
             "ສານ", "ກົມຕຳຫຼວດ", "ກອງບັນຊາການ"]
_KM_NAMES = ["អគ្គស្នងការដ្ឋាននគរបាលជាតិ", "ក្រសួងមហាផ្ទៃ", "ក្រសួងការបរទេស", "ក្រសួងការបរទេសនិងសហប្រតិបត្តិការអន្តរជាតិ",
             "នគរបាលជាតិ", "នគរបាលខេត្ត", "នគរបាល", "សមត្ថកិច្ច", "ស្ថានទូត", "ស្ថានទូតចិន", "អាជ្ញាធរ", "តុលាការ",
             "នាយកដ្ឋានអន្តោប្រវេសន៍", "អគ្គនាយកដ្ឋានអន្តោប្រវេសន៍", "កងរាជអាវុធហត្ថ", "ស្នងការដ្ឋាននគរបាលខេត្ត"]
_MY_NAMES = ["မြန်မာနိုင်ငံရဲတပ်ဖွဲ့", "ရဲတပ်ဖွဲ့", "ပြည်ထဲရေးဝန်ကြီးဌာန", "နိုင်ငံခြားရေးဝန်ကြီးဌာန", "သံရုံး", "အာဏာပိုင်များ",
             "အာဏာပိုင်", "နယ်ခြားစောင့်တပ်", "လူဝင်မှုကြီးကြပ်ရေး", "တပ်မတော်", "ရဲ", "တရားရုံး", "စစ်ကောင်စီ"]
_AR_HEADS = r"وزارة|الشرطة|شرطة|السلطات|سلطات|السفارة|سفارة|الأجهزة الأمنية|أجهزة|قوات|مكتب|إدارة|هيئة|المحكمة|محكمة|مركز|الإنتربول"


@lru_cache(maxsize=1)
def _cjk_place_names() -> str:
    """Chinese names of the gazetteer's countries and places, to tell where an agency belongs."""
    import json

    from .gazetteer import DATA

    data = json.loads(DATA.read_text(encoding="utf-8"))
    names = [n for entry in data["countries"] + data["places"] for n in entry["names"]
             if all(0x4E00 <= ord(ch) <= 0x9FFF for ch in n)]
    return "|".join(re.escape(n) for n in sorted(set(names), key=len, reverse=True))


_SCRIPT_BLOCKS = {"th": (0x0E00, 0x0E7F), "lo": (0x0E80, 0x0EFF), "km": (0x1780, 0x17FF), "my": (0x1000, 0x109F)}


@lru_cache(maxsize=None)
def _script_place_names(lang: str) -> str:
    import json

    from .gazetteer import DATA

    lo, hi = _SCRIPT_BLOCKS[lang]
    data = json.loads(DATA.read_text(encoding="utf-8"))
    names = [n for entry in data["places"] for n in entry["names"] if n and all(lo <= ord(ch) <= hi or ch in ". " for ch in n)]
    return "|".join(re.escape(n) for n in sorted(set(names), key=len, reverse=True)) or "(?!)"


@dataclass(frozen=True)
class Span:
    start: int
    end: int
    text: str


@lru_cache(maxsize=None)
def _agency_patterns(lang: str) -> list[re.Pattern]:
    cap = r"[A-ZÀ-ÖØ-ÞĐƠƯ][\w'’\-]*"
    acr = re.compile(r"(?<![\w])(?:" + "|".join(re.escape(a) for a in sorted(ACRONYMS, key=len, reverse=True)) + r")(?![\w])")
    pats = [acr]
    if lang in ("en", "tl", "ms", "id", "fr", "vi"):
        glue = _LOWER_GLUE["en"]
        heads = _LATIN_HEADS["en"]
        # capitalised phrase ending in a head noun, optionally "of the X Y"
        pats.append(re.compile(
            rf"(?<![\w])(?:(?:{cap})\s+){{1,5}}(?:{heads})(?:\s+(?:{glue})(?:\s+(?:the\s+)?(?:{cap}|of|and|for)){{1,6}})?(?![\w])"))
        pats.append(re.compile(
            rf"(?<![\w])(?:{heads})(?:\s+(?:{glue})(?:\s+(?:the\s+)?(?:{cap}|of|and|for)){{1,6}})(?![\w])"))
        pats.append(re.compile(rf"(?<![\w])(?:[A-Z][a-z]+\s+){{1,2}}(?:{_EN_GENERIC})(?![\w])"))
        pats.append(re.compile(r"(?<![\w])(?:immigration officers|immigration police|border guards|border police|"
                               r"anti-trafficking police|tourist police|cyber police)(?![\w])"))
    if lang in ("id", "ms"):
        glue = _LOWER_GLUE[lang]
        pats.append(re.compile(rf"(?<![\w])(?:{_HEADS[lang]})(?:\s+(?:{cap}|{glue}(?=\s+[A-Z]))){{1,8}}(?![\w])"))
        pats.append(re.compile(rf"(?<![\w])(?:otoritas|pihak berwenang|polisi|aparat|pihak|polis|pihak berkuasa|perwakilan)\s+{cap}(?:\s+di\s+{cap})?(?![\w])"))
    if lang == "fr":
        pats.append(re.compile(
            rf"(?<![\w])(?:{_HEADS['fr']})(?:\s+(?:[ldLD]['’])?(?:{_FR_WORDS}|{cap})(?![\w])){{1,10}}"))
    if lang == "vi":
        pats.append(re.compile(rf"(?<![\w])(?:{_HEADS['vi']})(?:\s+(?:{cap}|(?:{_VI_GLUE})(?=\s+[A-ZĐ]))){{0,8}}(?![\w])"))
        pats.append(re.compile(r"(?<![\w])(?:nhà chức trách|chính quyền|cơ quan chức năng|lực lượng chức năng|cảnh sát|công an)"
                               rf"(?:\s+{cap}(?:\s+{cap})?)?(?![\w])"))
    if lang == "zh":
        places = _cjk_place_names()
        prefix = rf"(?:(?:{places}|[中缅泰柬老越菲马印韩日])(?:地区|省|市|州|县|区|邦|国|方)?)"
        pats.append(re.compile(rf"(?:{prefix}{{1,3}})?(?:驻{prefix}{{1,2}})?(?:{_ZH_HEADS})"))
    if lang == "ja":
        pats.append(re.compile(rf"(?:[\u4e00-\u9fff\u30a0-\u30ff]{{1,6}}?)?(?:{_JA_HEADS})"))
    if lang == "ko":
        pats.append(re.compile(rf"(?:[가-힣]{{1,8}}\s?)?(?:{_KO_HEADS})"))
    for lang_code, names in (("th", _TH_NAMES), ("lo", _LO_NAMES), ("km", _KM_NAMES), ("my", _MY_NAMES)):
        if lang == lang_code:
            # an agency name may go on with the province or town it serves ("ตำรวจภูธรจังหวัดตาก")
            places = _script_place_names(lang_code)
            pats.append(re.compile("(?:" + "|".join(re.escape(n) for n in sorted(names, key=len, reverse=True))
                                   + f")(?:{places})?"))
    if lang == "ar":
        # the agency's adjectives follow it with the article: الشرطة الملكية التايلاندية
        pats.append(re.compile(rf"(?<![\w])(?:[وبل])?(?:{_AR_HEADS})(?:\s+ال[\u0621-\u064a]*(?:ية|ي|ين|يون|ة)(?![\u0621-\u064a])"
                               rf"|\s+(?:الأمن|العام|الهجرة|الجوازات|الداخلية|الخارجية)(?![\u0621-\u064a])){{0,4}}"))
    return pats


# news media are sources, not agencies involved in an event
_MEDIA = re.compile(r"(?:News|Press|Media|Xinhua|Reuters|Bernama|Antara|Kyodo|Yonhap|新华社|通讯社|สำนักข่าว|وكالة)")
_TRAILING_GLUE = re.compile(r"(?:\s+(?:de|du|des|la|le|les|et|à|aux|and|of|the|for|dan|untuk|di|và|tại|ở)|\s+(?:d|l)['’])+$")
_AGENCY_STOP_START = re.compile(r"^(?:The|A|An|Le|La|Les|L'|Des|Un|Une|Di|Dalam|Menurut|Pada|Para|Dan|Sa|Ang|Ng)\s+")


def find_agencies(text: str, lang: str | None) -> list[Span]:
    lang = lang or "en"
    found: list[Span] = []
    for pattern in _agency_patterns(lang):
        for m in pattern.finditer(text):
            start, end = m.span()
            value = m.group()
            stripped = _AGENCY_STOP_START.sub("", value)
            start += len(value) - len(stripped)
            if lang == "ar" and value[:1] in "وبل" and not value.startswith(("الشرطة", "السلطات", "السفارة")):
                if len(value) > 1 and value[1:2] in "اوسمقهإأ":
                    start += 1
            value = _TRAILING_GLUE.sub("", text[start:end].rstrip(" ,."))
            end = start + len(value)
            if len(value) < 2 or _MEDIA.search(value):
                continue
            if any(s <= start and end <= e for s, e, _ in ((f.start, f.end, f) for f in found)):
                continue
            found = [f for f in found if not (start <= f.start and f.end <= end)]
            found.append(Span(start, end, value))
    found.sort(key=lambda s: s.start)
    # "Bareskrim Polri": two known names side by side are one agency
    merged: list[Span] = []
    for span in found:
        if merged and text[merged[-1].end:span.start] == " " and lang not in ("th", "lo", "km", "my", "zh", "ja"):
            merged[-1] = Span(merged[-1].start, span.end, text[merged[-1].start:span.end])
        else:
            merged.append(span)
    return merged


# --- operations -------------------------------------------------------------------
_Q_OPEN, _Q_CLOSE = "“\"«「『‘'", "”\"»」』’'"
_QUOTED = rf"[{_Q_OPEN}]\s*(?P<q>[^{_Q_CLOSE}\n]{{2,40}}?)\s*[{_Q_CLOSE}]"
_OP_WORDS = {
    "en": r"[Oo]peration|[Oo]p\.|[Cc]ampaign",
    "fr": r"[Oo]pération|[Cc]ampagne",
    "id": r"Operasi(?:\s+Penegakan\s+Hukum)?(?:\s+Gabungan)?(?:\s+Penegakan\s+Hukum)?|operasi(?:\s+gabungan)?",
    "ms": r"Operasi|operasi|Ops",
    "tl": r"[Oo]perasyon|[Oo]peration|[Kk]ampanya",
    "vi": r"[Cc]huyên án|[Cc]hiến dịch|[Kk]ế hoạch|[Đđ]ợt cao điểm",
    "zh": r"行动|专项行动|联合行动|专项|战役",
    "ja": r"作戦|作戦名",
    "ko": r"작전|작전명",
    "th": r"ปฏิบัติการ|ยุทธการ",
    "lo": r"ການປະຕິບັດງານ|ຂະບວນການ",
    "km": r"ប្រតិបត្តិការ|យុទ្ធនាការ",
    "my": r"စစ်ဆင်ရေး",
    "ar": r"عملية|حملة",
}
_CAP_NAME = r"(?P<c>[A-Z][\w\-]*(?:[ \t]+[A-Z0-9][\w\-]*){0,2})"
_NOT_OP_NAME = re.compile(r"^(?:The|This|That|These|In|On|At|Tersebut|Ini|Itu|Le|La|Les|Des|Gabungan|Penegakan|Hukum|"
                          r"Joint|Special|Phase|Tahap|and|dan|et)$")


@lru_cache(maxsize=None)
def _op_patterns(lang: str) -> list[tuple[re.Pattern, bool]]:
    words = _OP_WORDS.get(lang, _OP_WORDS["en"])
    pats = []
    # quoted name right after or right before the operation word
    pats.append((re.compile(rf"(?<![\w])(?:{words})[ \t]*{_QUOTED}"), True))
    pats.append((re.compile(rf"{_QUOTED}[ \t]*(?:{words})"), True))
    if lang in ("en", "fr", "id", "ms", "tl", "vi"):
        pats.append((re.compile(rf"(?<![\w])(?:{words})[ \t]+{_CAP_NAME}"), False))
    if lang == "vi":
        pats.append((re.compile(rf"(?:{words})\s+(?P<c>\d{{2,}}[\w\-]*)"), False))
    if lang == "ja":
        pats.append((re.compile(r"(?P<c>[\u30a0-\u30ff]{2,10})作戦"), False))
    if lang == "ko":
        pats.append((re.compile(r"(?P<c>[가-힣]{2,6})\s?작전"), False))
    return pats


def find_operations(text: str, lang: str | None) -> list[Span]:
    lang = lang or "en"
    found: list[Span] = []
    for pattern, quoted in _op_patterns(lang):
        for m in pattern.finditer(text):
            group = "q" if quoted else "c"
            value = m.group(group).strip()
            start = m.start(group) + (len(m.group(group)) - len(m.group(group).lstrip()))
            if not quoted:
                tokens = value.split()
                while tokens and _NOT_OP_NAME.match(tokens[0]):
                    start += len(tokens[0]) + 1
                    tokens = tokens[1:]
                # stop before a capitalised word that starts another phrase (e.g. a month or "Kedutaan")
                value = " ".join(tokens[:2]) if tokens else ""
                if not value or _NOT_OP_NAME.match(value):
                    continue
            if any(f.start <= start < f.end for f in found):
                continue
            found.append(Span(start, start + len(value), value))
    found.sort(key=lambda s: s.start)
    return found


# --- persons ----------------------------------------------------------------------
# A name is taken for a person when (a) a title or role word stands next to it, (b) it starts with a
# family name of a naming tradition whose names the press writes without a title (Chinese, Khmer,
# Vietnamese, Korean), (c) the sentence treats it as a person ("named", "alias", "said", an age in
# brackets), or (d) it sits in a list with such a name. Hand-written: no offline NER package covers
# these 14 languages and scripts on CPU within the speed budget. The taggers whose dictionaries ship in
# PyPI wheels were measured against these rules on the real reports' dev part (issue 12): jieba's "nr"
# (zh), MeCab/unidic-lite's 人名 (ja) and Kiwi's NNP (ko) tag every proper noun or guess at names
# (person-name precision 0.30, 0.58, 0.05 against 1.00 for the rules at equal or better recall), and
# gating their candidates by the rules' role words still lost precision; khmer-nltk tags no proper
# nouns and PyThaiNLP's NER needs a corpus download. So no model backend is used.
_NAME_TOKEN = r"[A-ZÀ-ÖØ-ÞĀĂĐĨŨƠƯẠ-Ỹ][a-zà-öø-ÿāăđĩũơưạ-ỹ'’\-]+"
_INITIAL = r"[A-Z]\."
_LATIN_NAME = re.compile(rf"(?<![\w.])(?:{_INITIAL}[ \t]+)?(?:{_NAME_TOKEN})(?:[ \t]+(?:{_INITIAL}[ \t]+)?(?:{_NAME_TOKEN})){{0,11}}(?![\w])")
_HONORIFIC = re.compile(r"(?:Mr|Mrs|Ms|Dr|M|Mme|Pak|Bapak|Ibu|Bu|Encik|Puan|Datuk|Dato'|Dato’|Seri|Tan Sri|G|Gng|Ông|Bà|Anh|Chị|"
                        r"Gen|Col|Lt|Maj|Capt|Sgt|Pol|Brig|PBGen|PCol|PLtCol|Atty|Sen|Sec|Usec|AKBP|Kombes|Brigjen|"
                        r"Irjen|Komjen|Jenderal|Kapten|Letkol|Brigadir|Haji|Hajah|Tun|Undersecretary|Judge|Pangulong|"
                        r"Thiếu tá|Trung tá|Đại tá|Thượng tá|Thiếu tướng|Trung tướng|Đại úy|Cháu|ông|bà|anh|chị)\.?\s+$")
# words right before a name that make it a person whatever else is said ("named Liu Meng", "alyas", "kay")
_PERSON_MARK_BEFORE = re.compile(r"(?:\bnamed|\bcalled|\balias|\bnommée?s?|\bdénommée?|\bbernama|\bbernama\s+lengkap|\balyas|"
                                 r"\bAyon\s+kay|\bkay|\bni|\bsi|\bsina|\bSelon|\bMenurut|\bAccording\s+to|\bsaid)\s+[‘'\"“]?$")
# a preposition of place or a place noun right before a capitalised run makes it a place, whatever role word
# is near ("dans la province de Prey Veng", "di Lapangan Terbang", "nasa Estados Unidos", "TP Hồ Chí Minh");
# Tagalog marks persons with "kay"/"ni", never "sa"
_LOCATIVE_BEFORE = {
    "en": r"(?:\b(?:in|at|near|into|across|via|outside|inside)|[Pp]rovince of|[Cc]ity of)",
    "fr": r"(?:\b(?:à|a|en|au|aux|dans|vers|depuis)|province de|ville de|région de|district de)",
    "id": r"(?:\b(?:di|ke|dari|[Kk]epulauan|[Pp]rovinsi|[Kk]ota|[Kk]abupaten|[Kk]ecamatan|[Dd]esa|[Pp]ulau|[Jj]alan|[Bb]andara|[Ww]arga))",
    "ms": r"(?:\b(?:di|ke|dari|[Nn]egeri|[Kk]ampung|[Bb]andar|[Pp]ulau|[Jj]alan|[Ww]arga))",
    "tl": r"(?:\b(?:sa|nasa|mula\s+sa|taga|[Ll]ungsod\s+ng|[Bb]ayan\s+ng|[Pp]robinsya\s+ng))",
    "vi": r"(?:\b(?:tại|ở|từ|đến|sang|TP\.?|[Tt]hành\s+phố|[Tt]ỉnh|[Hh]uyện|[Qq]uận|[Pp]hường|[Xx]ã|[Tt]hị\s+xã))",
}
_LOCATIVE_RE = {lang: re.compile(rf"{pat}\s+$") for lang, pat in _LOCATIVE_BEFORE.items()}
# a capitalised run followed by one of these names a company, a hotel or a place, not a person
_ORGANISATION_AFTER = re.compile(r"^\s+(?:Technology|Technologies|Inc|Corporation|Corp|Company|Co|Ltd|Limited|Group|Holdings?|"
                                 r"Hotel|Resort|Casino|Bank|Airport|International|Tower|Plaza|Building|Park|Street|Road|Avenue|"
                                 r"University|Foundation|Association|Club|Center|Centre|Mall|Port|Island|Province|City|District)\b")
# words right after a name: speaking verbs, an age, an apposition with a number of years
_PERSON_MARK_AFTER = re.compile(r"^(?:,?\s+(?:said|says|told|added|explained|stated|a\s+déclaré|a\s+indiqué|a\s+affirmé|a\s+précisé|"
                                r"kata|ujar|katanya|menjelaskan|menyatakan|mengatakan|berkata|memberitahu|ayon)\b|"
                                r"\s*\(\s*\d{1,2}\s*\)|,\s*\d{1,2}(?:\s*(?:ans|tahun|years?)\b|\s*,))")
_SPEAKER_BEFORE = re.compile(r"(?:\bAyon\s+kay|\bSelon|\bMenurut|\bAccording\s+to|\bTheo)\s+(?:(?:M|Mme|Mr|Ms|Mrs|Dr)\.?\s+)?$")
_SPEAKER_AFTER = re.compile(r"^,?\s+(?:said|says|told|added|explained|stated|a\s+déclaré|a\s+indiqué|a\s+affirmé|"
                            r"a\s+précisé|kata|ujar|katanya|menjelaskan|menyatakan|mengatakan|berkata|memberitahu|cho\s+biết)\b")
_EXTRA_ROLES = {
    "leader": ["ringleader", "mastermind", "leader", "boss", "kingpin", "founder", "chairman", "tycoon", "magnate",
               "patriarch", "matriarch", "crime family", "organiser", "organizer",
               "family head", "head of the family", "magnat", "fondateur", "président", "cerveau", "parrain",
               "dalang", "otak", "gembong", "pemimpin", "ketua sindiket", "lider", "pinuno", "utak", "trùm", "cầm đầu",
               "chủ mưu"],
    "official": ["prime minister", "minister", "spokesperson", "spokesman", "spokeswoman", "governor", "commissioner",
                 "director", "director-general", "chief", "ambassador", "general", "colonel", "undersecretary",
                 "secretary", "judge", "commander", "prosecutor", "consul", "chargé", "president", "senator",
                 "premier ministre", "ministre", "porte-parole", "général", "colonel", "commandant", "gouverneur",
                 "directeur", "procureur", "juge", "ambassadeur", "préfet", "commissaire", "chef de la police",
                 "menteri", "juru bicara", "jurucakap", "direktur", "kepala", "duta besar", "dubes", "kapolri", "kapolda",
                 "kapolres", "jenderal", "brigadir", "komisaris", "kombes", "dirjen", "pengarah", "ketua polis",
                 "timbalan", "ketua pengarah", "kalihim", "direktor", "hepe", "tagapagsalita", "pangulong", "komisyoner",
                 "bộ trưởng", "thứ trưởng", "giám đốc", "đại tá", "thiếu tá", "trung tá", "thượng tá", "thiếu tướng",
                 "trung tướng", "đại sứ", "đồn trưởng", "trưởng", "người phát ngôn", "d'affaires", "d’affaires"],
    "suspect": ["suspect", "accused", "defendant", "associate", "accomplice", "fugitive", "suspect présumé", "accusé",
                "prévenu", "tersangka", "terduga", "pelaku", "terdakwa", "suspek", "tertuduh", "akusado",
                "đối tượng", "nghi phạm", "bị can", "bị cáo"],
    "victim": ["victim", "survivor", "victime", "korban", "mangsa", "biktima", "nạn nhân"],
}
# what was done to a person: tells the role of a name already found, but does not make a word a name
_DEED_ROLES = {
    "suspect": ["arrested", "arresting", "arrest of", "extradited", "extradition of", "detained", "arrêté", "arrêtée",
                "ditangkap", "menangkap", "ditahan", "naaresto"],
    "victim": ["rescue of", "rescued", "lured", "trafficked", "deceived", "duped", "sauvetage de", "secouru",
               "secourue", "nasagip"],
}


@lru_cache(maxsize=1)
def _family_names() -> dict:
    import json
    from pathlib import Path

    data = json.loads((Path(__file__).parent / "data" / "person_names.json").read_text(encoding="utf-8"))
    return {"zh_hanzi": data["zh_hanzi"], "ko": data["ko"], "zh_latin": frozenset(data["zh_pinyin"]),
            "km_latin": frozenset(data["km_latin"]), "vi": frozenset(data["vi"])}


@lru_cache(maxsize=None)
def _roles(lang: str, deeds: bool = False) -> tuple[tuple[str, re.Pattern], ...]:
    """The lexicon's role words and a few more, with plurals ("ringleaders"); with ``deeds``, also what was done."""
    out = list(role_patterns(lang if lang in ("en", "fr", "id", "ms", "tl", "vi", "ar") else "en"))
    tables = [_EXTRA_ROLES] + ([_DEED_ROLES] if deeds else [])
    for role, ws in [(r, w) for t in tables for r, w in t.items()]:
        alt = "|".join(re.escape(w).replace(r"\ ", r"\s+") for w in sorted(ws, key=len, reverse=True))
        out.append((role, re.compile(rf"(?<![\w])(?:{alt})(?:s|es)?(?![\w])", re.IGNORECASE)))
    return tuple(out)


@lru_cache(maxsize=1)
def _role_tokens() -> frozenset:
    """Single words that are titles or roles: a capitalised one ends a name ("Director-General", "Undersecretary")."""
    toks = set()
    for ws in _EXTRA_ROLES.values():
        toks.update(w.casefold() for w in ws if " " not in w)
    return frozenset(toks)


_ZH_ROLE_WORDS = (r"重要犯嫌|重要成员|重要成員|核心成员|核心成員|主要犯罪嫌疑人|组织者|組織者|被解救的|被解救|被骗的|被騙的|犯罪嫌疑人|嫌疑人|嫌犯|犯嫌|主犯|头目|頭目|首腦|首脑|骨干|骨幹|老板|老闆|董事长|董事長|被告人|被告|受害人|受害者|"
                  r"发言人|發言人|部长|部長|副部长|副部長|局长|局長|厅长|廳長|主任|大使|总领事|總領事|首领|首領|家族|"
                  r"外长|外長|总理|總理|首相|主席|省长|省長|司令|警长|警長|通缉犯|通緝犯|在逃人员|在逃人員|获救的|獲救的|获救回国的|獲救回國的")


# what a person named after an office does next: 大使汪文斌到场, 部长王某出席, 局长李某率队
_ZH_AFTER_NAME = r"到场|到場|出席|会见|會見|率|带队|帶隊|带领|帶領|强调|強調|介绍|介紹|宣布|宣佈|透露|主持|会晤|會晤|一行|同志|先生|女士"


def _zh_name_re():
    s = _family_names()["zh_hanzi"]
    return s


@lru_cache(maxsize=1)
def _zh_patterns():
    s = _family_names()["zh_hanzi"]
    name = rf"[{s}](?:某|[\u4e00-\u9fff]{{1,2}})"
    role = re.compile(rf"(?P<role>{_ZH_ROLE_WORDS})(?P<name>[{s}](?:某|[\u4e00-\u9fff]{{1,2}}?))"
                      rf"(?=[，,、。：:（(和与與及等表说說称稱指在也则則]|{_ZH_AFTER_NAME}|\d|$)")
    # 明國平、明珍珍、周衛昌等11名: two or more names joined by 、 (和/及 before the last)
    listed = re.compile(rf"(?P<list>{name}(?:(?:、|和|及|与|與){name})+)(?=等|[，,。；]|\d|$)")
    speaker = re.compile(rf"(?<=[，,。\n：:])(?P<name>[{s}][\u4e00-\u9fff]{{1,2}})(?=表示|说|說|称|稱|指出|介绍|介紹)")
    placeholder = re.compile(rf"(?P<name>[{s}]某)(?![\u4e00-\u9fff]某)")
    # 「電詐之王」陳志、: a quoted epithet names the person right after it
    epithet = re.compile(rf"[」”』](?P<name>[{s}][\u4e00-\u9fff]{{1,2}}?)(?=[、，,。也在被和与與及]|{_ZH_AFTER_NAME})")
    return role, listed, speaker, placeholder, epithet


_ZH_ROLES = {"重要犯嫌": "leader", "重要成员": "leader", "重要成員": "leader", "核心成员": "leader", "核心成員": "leader",
             "主要犯罪嫌疑人": "leader", "组织者": "leader", "組織者": "leader", "犯罪嫌疑人": "suspect", "嫌疑人": "suspect", "嫌犯": "suspect", "犯嫌": "suspect", "主犯": "leader",
             "头目": "leader", "頭目": "leader", "首腦": "leader", "首脑": "leader", "骨干": "leader", "骨幹": "leader",
             "老板": "leader", "老闆": "leader", "董事长": "leader", "董事長": "leader", "被告人": "suspect", "被告": "suspect",
             "受害人": "victim", "受害者": "victim", "首领": "leader", "首領": "leader", "家族": "leader",
             "通缉犯": "fugitive", "通緝犯": "fugitive", "在逃人员": "suspect", "在逃人員": "suspect",
             "被解救的": "victim", "被解救": "victim", "被骗的": "victim", "被騙的": "victim", "获救的": "victim", "獲救的": "victim", "获救回国的": "victim", "獲救回國的": "victim"}


def _zh_role(word: str) -> str:
    role = _ZH_ROLES.get(word, "official")
    return "suspect" if role == "fugitive" else role


def _zh_context_role(text: str, start: int, end: int) -> str:
    before, after = text[max(0, start - 12):start], text[end:end + 16]
    best = None
    for m in re.finditer(_ZH_ROLE_WORDS, before):
        best = _zh_role(m.group())
    if best:
        return best
    m = re.search(_ZH_ROLE_WORDS, after)
    if m:
        return _zh_role(m.group())
    # names without a role word in these reports are nearly always members of the network
    return "suspect"


def _zh_persons(text: str) -> list[PersonSpan]:
    role_re, list_re, speaker_re, placeholder_re, epithet_re = _zh_patterns()
    out: list[PersonSpan] = []
    for m in role_re.finditer(text):
        out.append(PersonSpan(m.start("name"), m.end("name"), m["name"], _zh_role(m["role"])))
    s = _family_names()["zh_hanzi"]
    for m in list_re.finditer(text):
        parts = re.split(r"(、|和|及|与|與)", m["list"])
        names, pos = [], m.start("list")
        for part in parts:
            if part in ("、", "和", "及", "与", "與"):
                pos += len(part)
                continue
            start = pos
            if len(part) > 3 or not names:
                # the first item runs on from the words before it: keep a three-character name when it starts
                # with a family name, else two characters
                tail = part[-3:] if len(part) >= 3 and part[-3] in s else part[-2:]
                start = pos + len(part) - len(tail)
                part = tail
            if part[0] in s and 2 <= len(part) <= 3:
                names.append((start, part))
            pos += len(m["list"][pos - m.start("list"):].split(part, 1)[0]) + len(part) if False else 0
            pos = start + len(part)
        if len(names) < 2:
            continue
        role = _zh_context_role(text, names[0][0], names[-1][0] + len(names[-1][1]))
        for start, name in names:
            out.append(PersonSpan(start, start + len(name), name, role))
    for m in speaker_re.finditer(text):
        out.append(PersonSpan(m.start("name"), m.end("name"), m["name"], "official"))
    for m in placeholder_re.finditer(text):
        out.append(PersonSpan(m.start("name"), m.end("name"), m["name"], _zh_context_role(text, m.start(), m.end())))
    for m in epithet_re.finditer(text):
        out.append(PersonSpan(m.start("name"), m.end("name"), m["name"], _zh_context_role(text, m.start(), m.end())))
    return out


_JA_NAME = re.compile(r"(?P<name>[\u4e00-\u9fff]{2,5}|[\u30a0-\u30ff]{2,12})(?:\s?[(（]\d{1,2}[)）])?\s?"
                      r"(?P<role>容疑者|被告|被害者|氏|長官|大臣|報道官|首相|大統領|外相|社長|会長|代表|署長|所長|大使|議員)")
# 渡辺優樹(38)、小島智信(45): kanji names with an age, listed
_JA_AGED = re.compile(r"(?P<name>[\u4e00-\u9fff]{3,5})(?:[(（][\u3040-\u309f]{2,8}[)）])?[(（]\d{1,2}[)）]")
_JA_NOT_NAME = re.compile(r"(?:容疑者|被告|被害者|広域|詐欺|事件|組織|当局|政府|警察|同課|同署|両|各|元|前|現)")
_KO_TITLES = (r"대변인|대통령|장관|차관|청장|국장|과장|부장|실장|팀장|본부장|총리|대사|영사|의원|위원장|지사|부지사|시장|"
              r"커미셔너|국제협력관|협력관|검사|판사|회장|대표|총책|서장|원장|수석|비서관|사령관")
_KO_NAME = re.compile(r"(?<![가-힣A-Za-z])(?P<name>[가-힣]{3})(?:\s?\(\d+\))?\s?(?P<role>씨|용의자|피의자|총책)")
# "มิถุนายน" (June) holds "นาย"
_TH_NAME = re.compile(r"(?<!มิถุ)(?P<title>นางสาว|น\.ส\.|นาย(?!ก|ทุน|จ้าง|หน้า|ทหาร|ตำรวจ|อำเภอ|ด่าน|พราน)|นาง(?!สาว)|"
                      r"พล\.ต\.อ\.|พล\.ต\.ท\.|พล\.ต\.ต\.|พ\.ต\.อ\.|พ\.ต\.ท\.|พ\.ต\.ต\.|ร\.ต\.อ\.|พล\.อ\.|พล\.ท\.|พล\.ต\.|พ\.อ\.)\s?"
                      r"(?P<name>[\u0E01-\u0E4E]{2,20}\s[\u0E01-\u0E4E]{3,20})")
_KM_TITLE = (r"(?:ឯកឧត្តម|លោកស្រី|លោកជំទាវ|លោក|ឧត្តមសេនីយ៍(?:ឯក|ទោ|ត្រី)?|នាយឧត្តមសេនីយ៍|វរសេនីយ៍(?:ឯក|ទោ|ត្រី)?|"
             r"ព្រះរាជអាជ្ញា(?:រង)?|អ្នកស្រី|ឈ្មោះ|ជនជាតិចិនឈ្មោះ)")
# words that follow a title when no name does ("ព្រះរាជអាជ្ញារង នៃ...", "ឧត្តមសេនីយ៍ទោបន្តថា")
_KM_NOT_NAME = "បាន|ថា|និង|ក៏|ជា|នេះ|នោះ|ដែល|ឆ្នាំ|ជន|នៃ|បន្ត|មាន|ក្រោយ|អំពី|ពី|ទៅ|នៅ|ទាំង|ផង|ទទួល|លើក|ធ្វើ"
# the titles are atomic: "ឧត្តមសេនីយ៍ទោ" is never read as "ឧត្តមសេនីយ៍" followed by a name "ទោ..."
_KM_NAME = re.compile(rf"(?P<title>(?>{_KM_TITLE})(?:\s?(?>{_KM_TITLE}))*)\s?"
                      rf"(?P<name>(?!{_KM_NOT_NAME}|{_KM_TITLE})[\u1780-\u17D3]{{2,12}}(?:\s(?!{_KM_NOT_NAME})[\u1780-\u17D3]{{2,12}})?)"
                      r"(?![\u17B4-\u17D3])")
_LO_NAME = re.compile(r"(?P<title>ທ່ານ|ທ້າວ|ນາງ|ພົນຕີ|ພັນເອກ|ພັນໂທ)\s?(?!ນຶ່ງ|ໜຶ່ງ|ໜື່ງ|ນື່ງ|ທັງ|ເຫຼົ່າ|ເຫລົ່າ|ກໍ|ໄດ້|ຈະ|ເວົ້າ)(?P<name>[\u0E81-\u0EDF]{2,14}(?:\s[\u0E81-\u0EDF]{2,14})?)")
_MY_NAME = re.compile(r"(?<![\u1040-\u1049\s)])(?:^|\s)(?P<title>ဦး|ဒေါ်)(?!ကို|က(?![\u1000-\u1021])|သည်|မှ|နှင့်|တို့|ဆောင်|စီး|စား|တည်|ရေ)(?P<name>[\u1000-\u103F]{2,14}(?:[\u1000-\u103F]{2,14})?)(?=က|သည်|\s)")
# a rank or "Dr" before a Burmese name, in Unicode and in Zawgyi (stored as returned): "ဗိုလ်ချုပ် ..."
_MY_RANK = re.compile(r"(?P<title>ဒုတိယဗိုလ်ချုပ်ကြီး|ဗိုလ်ချုပ်ကြီး|ဗိုလ်မှူးချုပ်|ရဲဗိုလ်ချုပ်|ရဲမှူးချုပ်|ဗိုလ်ချုပ်|ရဲမှူး|ဒေါက်တာ|"
                      r"ဗိုလ္ခ်ဳပ္ႀကီး|ဗိုလ္မွဴးခ်ဳပ္|ဗိုလ္ခ်ဳပ္|ရဲမွဴး|ေဒါက္တာ)\s*"
                      r"(?P<name>[\u1000-\u1021][\u1000-\u103F]{2,24}?)(?:က|သည်|၏|ကို|နှင့်|အား|ႏွင့္|သည္)?(?=[\s၊။,]|$)")
_AR_TITLE = (r"المدعو|المتهم|المتحدث(?:\s+باسم\s+[\u0621-\u064a]+|\s+ال[\u0621-\u064a]+)?|الوزير|اللواء|العميد|العقيد|المقدم|"
             r"الرائد|النقيب|الجنرال|الكولونيل|السفير|ماج|الرئيس|رئيس الوزراء|الزعيم")
_AR_NAME = re.compile(rf"(?P<title>{_AR_TITLE})\s+"
                      r"(?P<name>[\u0621-\u064a]{2,}(?:\s[\u0621-\u064a]{2,}){1,3})(?=\s?[،,\-–(]|\s+(?:الذي|إن|أن|قائلا))")
# "وزير الخارجية ...، ناصر بوريطة، أن": a name set off by commas after a minister's or officer's title
_AR_APPOSED = re.compile(r"(?:وزير|رئيس|سفير|مدير|قائد|المتحدث)[^،.\n]{0,90}،\s(?P<name>[\u0621-\u064a]{2,}(?:\s[\u0621-\u064a]{2,}){1,2})،")
# «مينغ قووبينغ»، و«مينغ زينزين»: quoted names listed after "among them"
_AR_QUOTED = re.compile(r"(?:بينهم|منهم|المدعو|المدعوة)\s+«(?P<name>[^»]{3,30})»")
_AR_QUOTED_NEXT = re.compile(r"»،?\s+و?«(?P<name>[^»]{3,30})»")


@dataclass(frozen=True)
class PersonSpan:
    start: int
    end: int
    name: str
    role: str


def _role_near(text: str, start: int, end: int, lang: str, window: int = 45, deeds: bool = False) -> str | None:
    after = text[end: end + window]
    best = None
    before = text[max(0, start - window - 20): start]
    combined = _combined_roles(lang, deeds)
    official_before = False
    for m in combined.finditer(before):
        role = m.lastgroup.split("_")[0]
        d = len(before) - m.end()
        if role == "official" and m.start() >= len(before) - 30:
            official_before = True
        if role != "official" and d > window:
            continue
        if best is None or d <= best[0]:
            best = (d, role)
    m = combined.search(after)
    if m and (best is None or m.start() < best[0]):
        best = (m.start(), m.lastgroup.split("_")[0])
    if best and best[1] != "official" and best[0] > 3 and official_before:
        # a title before the name ("Direktur ..., Judha Nugraha") says more than a word after it,
        # unless a role word stands right before the name ("ringleaders Bay Saw Chain")
        return "official"
    return best[1] if best else None


@lru_cache(maxsize=None)
def _combined_roles(lang: str, deeds: bool) -> re.Pattern:
    """All role patterns in one regex (one pass over the window instead of one per role)."""
    parts, flags = [], 0
    for i, (role, pattern) in enumerate(_roles(lang, deeds)):
        body = pattern.pattern
        if pattern.flags & re.IGNORECASE:
            body = f"(?i:{body})"
        parts.append(f"(?P<{role}_{i}>{body})")
    return re.compile("|".join(parts))


def _latin_family(first: str) -> str | None:
    names = _family_names()
    if first in names["zh_latin"]:
        return "zh"
    if first in names["km_latin"]:
        return "km"
    if first in names["vi"]:
        return "vi"
    return None


_VI_INITIALS = re.compile(r"(?:(?<=đối tượng )|(?<=bị can )|(?<=bị cáo )|(?<=nghi phạm )|(?<=[Cc]hị )|(?<=[Aa]nh )|"
                          r"(?<=[Ôô]ng )|(?<=[Bb]à )|(?<=[Cc]háu )|(?<=tố cáo )|(?<=nạn nhân ))"
                          r"(?P<name>[A-ZĐ](?:\.?[A-ZĐ]){1,4}\.?)(?![\w])")
_ALIAS_QUOTED = re.compile(r"(?<![\w])(?:aliases|alias|alyas|a\.k\.a\.?|also known as|known as|dit|dite|surnommée?|"
                           r"julukan|panggilan|nicknamed)\s+(?P<name>[“\"‘'])")
_QUOTED_ITEM = re.compile(r"[“\"‘'](?P<name>[^\W\d_][^“”\"‘’'\n]{1,28}?)[”\"’']")
_ALIAS_SEP = re.compile(r"\s*(?:,|and|at|et|dan|và|or|o)\s*(?=[“\"‘'])")
_ID_INITIALS = re.compile(r"(?:tersangka|terduga|pelaku|korban|suspek|mangsa|bernama|berinisial|inisial|lain)"
                          r",?\s+(?P<name>[A-Z]{2,4})(?![\w])")


def find_persons(text: str, lang: str | None, excluded: list[tuple[int, int]] = ()) -> list[PersonSpan]:
    """Named people, with their role; spans of places and agencies are excluded."""
    lang = lang or "en"
    out: list[PersonSpan] = []

    spans = sorted(excluded)
    starts = [a for a, _ in spans]

    def blocked(s, e):
        # spans are few and sorted: look only at those starting before e
        i = bisect_left(starts, e)
        return any(s < b for _, b in spans[max(0, i - 8):i])

    if lang in ("en", "fr", "id", "ms", "tl", "vi"):
        matches = [m for m in _name_runs(text) if not blocked(m.start(), m.end())]
        if lang == "fr":
            # "M. Thatchai": Monsieur, a title before a name that may be a single word, not an initial
            matches = [_Run(text, m.start() + 3, m.end()) if m.group().startswith("M. ") else m for m in matches]
        accepted: dict[int, str] = {}
        for i, m in enumerate(matches):
            name, start, end = m.group(), m.start(), m.end()
            if _in_title_case_line(text, start):
                # a headline in Title Case ("Criminals ... Will Be Targeted In New Campaign") is not a list of names
                continue
            first = name.split()[0]
            family = _latin_family(first)
            honorific = _HONORIFIC.search(text[max(0, start - 16): start])
            locative = _LOCATIVE_RE.get(lang)
            if not honorific and ((locative and locative.search(text[max(0, start - 25): start]))
                                  or _ORGANISATION_AFTER.match(text[end:end + 20])):
                continue
            if lang == "vi" and not (honorific or (family == "vi" and len(name.split()) >= 3)):
                # Vietnamese places are capitalised word pairs, some starting like a family name ("Lâm Đồng");
                # a person's full name has a family name and two or more given names
                continue
            role = _role_near(text, start, end, lang)
            marked = (_PERSON_MARK_BEFORE.search(text[max(0, start - 20): start])
                      or _PERSON_MARK_AFTER.match(text[end:end + 30]))
            if role or honorific or family or marked:
                if role is None and (_SPEAKER_BEFORE.search(text[max(0, start - 20): start])
                                     or _SPEAKER_AFTER.match(text[end:end + 30])):
                    # "Selon M. Somchai, 120 personnes ont été arrêtées": who speaks about the event is an
                    # official, whatever was done to the people counted in the same sentence
                    role = "official"
                if role is None:
                    role = _role_near(text, start, end, lang, window=60, deeds=True)
                if role is None:
                    role = "suspect" if family == "zh" else "official"
                accepted[i] = role
        for i, m in enumerate(matches):
            if i not in accepted:
                # a name in a list with a named neighbour ("A, B et C, chefs de file")
                role = _list_role(text, matches, i, lang, accepted)
                if role:
                    accepted[i] = role
        for i in sorted(accepted):
            out.append(PersonSpan(matches[i].start(), matches[i].end(), matches[i].group(), accepted[i]))
        for m in _ALIAS_QUOTED.finditer(text):
            # aliases “Tiago” and “Tian Zhu”: each quoted alias is a person, even a single word
            role = _role_near(text, m.start(), m.end(), lang, window=60, deeds=True) or "suspect"
            pos = m.start("name")
            while True:
                q = _QUOTED_ITEM.match(text, pos)
                if not q:
                    break
                out.append(PersonSpan(q.start("name"), q.end("name"), q["name"], role))
                pos = q.end()
                sep = _ALIAS_SEP.match(text, pos)
                if not sep:
                    break
                pos = sep.end()
        initials = _VI_INITIALS if lang == "vi" else _ID_INITIALS if lang in ("id", "ms") else None
        if initials:
            for m in initials.finditer(text):
                lead = text[max(0, m.start("name") - 12):m.start("name")]
                # "chị C.T.N", "korban HR": the word before the initials says who they are
                if re.search(r"(?:[Cc]hị|[Aa]nh|[Cc]háu|nạn nhân|korban|mangsa)\s*$", lead):
                    role = "victim"
                else:
                    role = "suspect"
                out.append(PersonSpan(m.start("name"), m.end("name"), m["name"], role))
    elif lang == "zh":
        out = _zh_persons(text)
    elif lang == "ja":
        for m in _JA_NAME.finditer(text):
            if _JA_NOT_NAME.search(m["name"]):
                continue
            role = _JA_ROLES.get(m["role"], "other")
            if role == "suspect" and _JA_LEADER_BEFORE.search(text[max(0, m.start("name") - 12):m.start("name")]):
                role = "leader"
            out.append(PersonSpan(m.start("name"), m.end("name"), m["name"], role))
        for m in _JA_AGED.finditer(text):
            if _JA_NOT_NAME.search(m["name"]):
                continue
            role = "suspect" if re.search(r"容疑者|逮捕|被告|指名手配", text[m.start():m.end() + 80]) else "other"
            out.append(PersonSpan(m.start("name"), m.end("name"), m["name"], role))
    elif lang == "ko":
        out = _ko_persons(text)
    else:
        pattern = {"th": _TH_NAME, "km": _KM_NAME, "lo": _LO_NAME, "my": _MY_NAME, "ar": _AR_NAME}.get(lang)
        if pattern:
            for m in pattern.finditer(text):
                title = m["title"].split()[0]
                role = _TITLE_ROLES.get(title) or _native_role(text, m.start(), m.end(), lang)
                if lang == "km" and role == "other" and re.search(r"ឯកឧត្តម|ឧត្តមសេនីយ៍|ព្រះរាជអាជ្ញា|វរសេនីយ៍", m["title"]):
                    role = "official"
                out.append(PersonSpan(m.start("name"), m.end("name"), m["name"].strip(), role))
        if lang == "my":
            for m in _MY_RANK.finditer(text):
                out.append(PersonSpan(m.start("name"), m.end("name"), m["name"], "official"))
        if lang == "ar":
            for m in _AR_APPOSED.finditer(text):
                out.append(PersonSpan(m.start("name"), m.end("name"), m["name"], "official"))
            for m in _AR_QUOTED.finditer(text):
                role = _native_role(text, m.start(), m.end(), lang)
                out.append(PersonSpan(m.start("name"), m.end("name"), m["name"], role))
                pos = m.end()
                while (n := _AR_QUOTED_NEXT.match(text, pos - 1)):
                    out.append(PersonSpan(n.start("name"), n.end("name"), n["name"], role))
                    pos = n.end()
    seen: set[tuple[int, int]] = set()
    result = []
    for p in sorted(out, key=lambda p: (p.start, -p.end)):
        if blocked(p.start, p.end) or any(a <= p.start and p.end <= b for a, b in seen):
            continue
        seen.add((p.start, p.end))
        result.append(p)
    return _one_role_per_person(result)


def _one_role_per_person(persons: list[PersonSpan]) -> list[PersonSpan]:
    """A boss is a leader in every sentence that names him: "the patriarch Bai Suocheng" early on and
    "Bai Suocheng was sentenced" later are one leader, not a leader and a suspect. Only suspect or
    unqualified mentions are lifted; an official or a victim keeps what its own sentence says."""
    leaders = [p.name for p in persons if p.role == "leader"]
    if not leaders:
        return persons
    return [PersonSpan(p.start, p.end, p.name, "leader")
            if p.role in ("suspect", "other") and any(p.name in n or n in p.name for n in leaders) else p
            for p in persons]


def _ko_persons(text: str) -> list[PersonSpan]:
    out = []
    for m in _KO_NAME.finditer(text):
        # "A씨", "김모(42)씨": letters and "모" stand in for a withheld name, which the format does not record
        if re.fullmatch(r"[가-힣]모", m["name"]) or m["name"][0] not in _family_names()["ko"] or len(m["name"]) > 3 \
                or m["name"][-1] in _KO_PARTICIPLE_END:
            continue
        out.append(PersonSpan(m.start("name"), m.end("name"), m["name"], _KO_ROLES.get(m["role"], "other")))
    s = _family_names()["ko"]
    # "강유정 청와대 대변인은", "이재명 대통령의": a Korean name, up to two words of office, then a title
    native = re.compile(rf"(?<![가-힣])(?P<name>[{s}][가-힣]{{2}})\s(?:[가-힣A-Z]+\s){{0,2}}[가-힣A-Z]*?(?P<role>{_KO_TITLES})"
                        r"(?:은|는|이|가|의|도|을|에게|께서)?(?![가-힣])")
    for m in native.finditer(text):
        out.append(PersonSpan(m.start("name"), m.end("name"), m["name"], _KO_ROLES.get(m["role"], "official")))
    # a foreign name in Hangul opens the sentence before its office: "제이미 모렌테 필리핀 이민국장은"
    foreign = re.compile(rf"(?:^|(?<=[\n.]\s)|(?<=\n)|(?<=따르면,\s)|(?<=[가-힣]의\s))(?P<name>(?:[가-힣]{{1,5}}\s){{1,4}}[가-힣]{{1,5}})\s"
                         rf"(?:[가-힣A-Z()]+\s){{0,2}}[가-힣A-Z]*?(?P<role>{_KO_TITLES})(?:은|는|이|가)(?![가-힣])", re.M)
    for m in foreign.finditer(text):
        words = m["name"].split()
        # the office's own words ("필리핀", "청와대") sit between the name and the title
        while words and _KO_OFFICE_WORD.fullmatch(words[-1]):
            words.pop()
        if len(words) < 2 or any(w in _KO_FUNCTION_WORDS for w in words):
            continue
        name = " ".join(words)
        out.append(PersonSpan(m.start("name"), m.start("name") + len(name), name, "official"))
    return out


# "송환된 피의자", "붙잡힌 용의자": a verb's modifier form before the role word, not a name
_KO_PARTICIPLE_END = set("된힌던될친린긴")
_KO_OFFICE_WORD = re.compile(r"필리핀|태국|캄보디아|미얀마|라오스|베트남|중국|한국|미국|일본|말레이시아|인도네시아|주한|현지|"
                             r"[가-힣]*(?:청와대|경찰청|경찰|이민국|외교부|법무부|대사관|정부|당국|[청부처원궁실])|.*[A-Za-z].*")
_KO_FUNCTION_WORDS = {"이", "그", "또", "또한", "이번", "한편", "특히", "이날", "당시", "현재", "앞서", "지난", "이어",
                      "경찰", "정부", "한국", "우리", "관계자", "측", "및", "등", "모든", "각", "이후"}


class _Run:
    """A run of capitalised words that may be a name (a tiny stand-in for re.Match)."""

    def __init__(self, text, start, end):
        self._text, self._start, self._end = text, start, end

    def start(self):
        return self._start

    def end(self):
        return self._end

    def group(self):
        return self._text[self._start:self._end]


def _in_title_case_line(text: str, pos: int) -> bool:
    start = text.rfind("\n", 0, pos) + 1
    end = text.find("\n", pos)
    line = text[start:end if end >= 0 else len(text)].strip()
    words = re.findall(r"[^\W\d_][\w'’\-]*", line)
    # a headline is short and has no full stop at its end
    if not 5 <= len(words) <= 16 or line.endswith((".", "。", ":", ";", "”", "\"")):
        return False
    return sum(w[0].isupper() for w in words) >= 0.75 * len(words)


def _is_name_token(tok: str) -> bool:
    word = tok.rstrip(".,")
    if tok in _NOT_NAME_TOKEN or tok in _NOT_NAME_START or word in _NOT_NAME_TOKEN:
        return False
    low = word.casefold()
    return low not in _role_tokens() and low.rstrip("s") not in _role_tokens()


def _name_runs(text):
    """Runs of two to five capitalised words, cut at words that are not names ("Minister", "Police")."""
    for m in _LATIN_NAME.finditer(text):
        run: list[re.Match] = []
        toks = list(re.finditer(r"\S+", m.group()))
        skip = 0
        for k, tok in enumerate(toks + [None]):
            if skip:
                skip -= 1
                continue
            if tok is not None and tok.group() == "Tan" and k + 1 < len(toks) and toks[k + 1].group() == "Sri":
                # "Tan Sri" is a title; "Tan" alone is a family name
                tok, skip = None, 1
            elif tok is not None and _is_name_token(tok.group()):
                run.append(tok)
                continue
            while run and re.fullmatch(_INITIAL, run[-1].group()):
                run.pop()
            if 2 <= len(run) <= 5:
                yield _Run(text, m.start() + run[0].start(), m.start() + run[-1].end())
            run = []


def _list_role(text, matches, i, lang, accepted):
    """Role shared by a list of names joined by commas/and: an accepted neighbour's, else one past the list's ends."""
    sep = r"\s*(?:,|,?\s*(?:and|et|dan|at|và|at saka|and his (?:son|brother|wife|daughter)|along with))\s*"
    j = i
    while j + 1 < len(matches) and re.fullmatch(sep, text[matches[j].end(): matches[j + 1].start()]):
        j += 1
    k = i
    while k > 0 and re.fullmatch(sep, text[matches[k - 1].end(): matches[k].start()]):
        k -= 1
    if j == i and k == i:
        return None
    for n in list(range(i - 1, k - 1, -1)) + list(range(i + 1, j + 1)):
        if n in accepted:
            return accepted[n]
    return _role_near(text, matches[k].start(), matches[j].end(), lang, window=30)


_NATIVE_ROLE_WORDS = {
    "th": {"suspect": ["ผู้ต้องหา", "ผู้ต้องสงสัย"], "leader": ["หัวหน้าแก๊ง", "ตัวการ", "นายทุน"],
           "victim": ["ผู้เสียหาย", "เหยื่อ"], "official": ["โฆษก", "ผบ.", "รัฐมนตรี", "อธิบดี", "ผู้บัญชาการ", "เอกอัครราชทูต",
                                                          "นายกรัฐมนตรี", "ผู้ว่าราชการ", "ผกก.", "รอง ผบ", "รองผู้ว่า", "พร้อมด้วย",
                                                          "ผู้กำกับ", "สารวัตร", "ปลัด", "นายอำเภอ", "เปิดเผย"]},
    "km": {"suspect": ["ជនសង្ស័យ"], "leader": ["មេក្លោង"], "victim": ["ជនរងគ្រោះ"],
           "official": ["អ្នកនាំពាក្យ", "រដ្ឋមន្ត្រី", "ស្នងការ", "អគ្គស្នងការ", "ឯកអគ្គរដ្ឋទូត", "ប្រធាន", "អគ្គនាយក",
                        "ព្រះរាជអាជ្ញា", "អភិបាល", "នាយករង", "ដឹកនាំដោយ", "ដឹកនាំរបស់"]},
    "lo": {"suspect": ["ຜູ້ຕ້ອງສົງໄສ", "ຜູ້ຕ້ອງຫາ"], "leader": ["ຫົວໜ້າ"], "victim": ["ຜູ້ເຄາະຮ້າຍ"],
           "official": ["ລັດຖະມົນຕີ", "ຫົວໜ້າກົມ", "ໂຄສົກ", "ເອກອັກຄະລັດຖະທູດ"]},
    "my": {"suspect": ["တရားခံ", "သံသယရှိသူ"], "leader": ["ခေါင်းဆောင်"], "victim": ["သားကောင်"],
           "official": ["ပြောခွင့်ရသူ", "ဝန်ကြီး", "ရဲမှူး", "သံအမတ်"]},
    "ar": {"suspect": ["المتهم", "المشتبه"], "leader": ["زعيم", "المدانين", "عائلات", "عائلة"], "victim": ["الضحية"],
           "official": ["المتحدث", "الوزير"]},
}
_TITLE_ROLES = {"المدعو": "suspect", "المتهم": "suspect", "المتحدث": "official", "الوزير": "official",
                "اللواء": "official", "العميد": "official", "العقيد": "official", "المقدم": "official",
                "الرائد": "official", "النقيب": "official", "الجنرال": "official", "الكولونيل": "official",
                "ماج": "official", "الرئيس": "official", "رئيس": "official", "السفير": "official", "الزعيم": "leader",
                "ឯកឧត្តម": "official", "ឧត្តមសេនីយ៍": "official", "ພົນຕີ": "official", "ພັນເອກ": "official",
                "ພັນໂທ": "official", "พล.ต.อ.": "official", "พล.ต.ท.": "official", "พล.ต.ต.": "official",
                "พ.ต.อ.": "official", "พ.ต.ท.": "official", "พ.ต.ต.": "official", "ร.ต.อ.": "official",
                "พล.อ.": "official", "พล.ท.": "official", "พล.ต.": "official", "พ.อ.": "official"}
_JA_ROLES = {"容疑者": "suspect", "被告": "suspect", "被害者": "victim", "氏": "other", "長官": "official",
             "大臣": "official", "報道官": "official", "首相": "official", "大統領": "official", "外相": "official",
             "社長": "other", "会長": "other", "代表": "other", "署長": "official", "所長": "official",
             "大使": "official", "議員": "official"}
_JA_LEADER_BEFORE = re.compile(r"(?:指示役|リーダー|首謀者|主犯|幹部|トップ|首領|ボス)(?:格)?の?\s?[\u4e00-\u9fff\u30a0-\u30ff]{0,6}$")
_KO_ROLES = {"씨": "other", "용의자": "suspect", "피의자": "suspect", "총책": "leader"}


def _native_role(text, start, end, lang) -> str:
    words = _NATIVE_ROLE_WORDS.get(lang, {})
    window = text[max(0, start - 45): end + 45]
    for role, keys in words.items():
        if any(k in window for k in keys):
            return role
    return "other"


_NOT_NAME_START = {"The", "A", "An", "Le", "La", "Les", "Un", "Une", "Des", "Dans", "Depuis", "Pada", "Dalam", "Di",
                   "Menurut", "Juru", "Sa", "Ang", "Si", "Ng", "Mga", "Theo", "Ông", "Bà", "On", "In", "At", "But",
                   "Police", "Polisi", "Mr", "Mrs", "Ms", "Dr", "Wakil", "Kepala", "Menteri", "Direktur", "Ketua",
                   "Deputy", "Minister", "Commissioner", "Director", "Chief", "Spokesperson", "General", "Colonel",
                   "Selon", "According", "Ayon", "Kay", "Ni", "Chị", "Anh", "Cháu", "Datuk", "Dato'", "Dato’", "Seri",
                   "Tun", "Haji", "Hajah", "Encik", "Puan", "Pak", "Bapak", "Ibu", "Bu", "Brigadir", "Jenderal",
                   "Thiếu", "Trung", "Đại", "Thượng", "Lt.", "Gen.", "Maj.", "Col.", "Dr.", "Atty.", "Mr.", "Mrs.",
                   "Ms.", "Sen.", "Sec.", "Usec.", "Brig.", "Capt.", "Sgt.", "Pol.", "Executive", "Prime", "Interior",
                   "Thai", "Cambodian", "Chinese", "Philippine", "Malaysian", "Indonesian", "Vietnamese", "Bulacan",
                   "Read", "Baca", "Photo", "Foto", "Crédit", "Credit", "Editor", "Reporter", "Penulis", "Pewarta"}
_NOT_NAME_TOKEN = {
    "Police", "Ministry", "Minister", "Department", "Bureau", "Agency", "Office", "Embassy", "Court", "National",
    "Public", "Security", "Cooperation", "Law", "Enforcement", "Kementerian", "Kepolisian", "Negeri", "Luar",
    "Dalam", "Keamanan", "Kedutaan", "Besar", "Operasi", "Operation", "Centre", "Center", "Agency", "Deputy",
    "Republic", "Kingdom", "Royal", "Immigration", "Province", "Provinsi", "State", "City", "District", "Park",
    "Januari", "January", "Monday", "Tuesday", "Sécurité", "Bộ", "Công", "Cục", "Tỉnh", "Đại", "Chinese",
    "Cambodian", "Thai", "Vietnamese", "Myanmar", "China", "Thailand", "Cambodia", "Laos", "Vietnam", "Coordination",
    "Commissioner", "Agency", "News", "Kamboja", "Tiongkok", "Kerajaan", "Pusat", "Organisasi", "Delegasi",
    "Kantor", "PBB", "Safe", "Mekong", "Lancang", "Zone", "Special", "Economic", "Golden", "Triangle", "Crime",
    "Criminals", "Citizenship", "Campaign", "Leave", "Reply", "Ministère", "Autorités", "Spokesperson",
    "Director", "General", "Chief", "Head", "Secretary", "Commander", "Gen", "Col", "United", "Nations",
    "Mise", "Dernière", "Parmi", "Cela", "Selon", "According", "Philippine", "Philippines", "Indonesia",
    "Malaysia", "Bureau", "Task", "Force", "Anti", "Interior", "Foreign", "Affairs", "Juru", "Bicara", "Tahap",
    # titles and the words of Malay/Indonesian agency, law and page-furniture names
    "Datuk", "Dato'", "Dato’", "Seri", "Tun", "Haji", "Hajah", "Jabatan", "Polis", "Negara", "Imigresen", "Imigrasi",
    "Akta", "Pengarah", "Siasatan", "Jenayah", "Bukit", "Aman", "Perintah", "Perlindungan", "Setiausaha", "Agung",
    "Pertubuhan", "Ahli", "Jawatankuasa", "Pemuda", "Berita", "Harian", "Tanah", "Air", "Amerika", "Selatan", "Data",
    "Kemlu", "Minta", "Pulang", "Photo", "Author", "Editor", "Crédit", "Credit", "Eksekusi", "Mati", "Perdagangan",
    "Orang", "Reserse", "Kriminal", "Umum", "Tokoh", "Gerakan", "Dibawa", "Terlibat", "Wisma", "Putra", "Perdana",
    "Peguam", "Antarabangsa", "Masyarakat", "Kemanusiaan", "Warga", "Ngaku", "Penipuan", "Online", "Scam", "Terbesar",
    "Kritis", "Mencuat", "Sejak", "Bebaskan", "Handy", "Talky", "Departemen", "Direktorat", "Kepulauan", "Metro",
    "Jaya", "Antipemerdagangan", "Antipenyeludupan", "Migran", "Interim", "Pangkal", "Pinang", "Executive", "Prime",
    "Undersecretary", "Judge", "Pangulong", "Commission", "Organized", "Branch", "Regional", "Trial", "Senate",
    "Presidential", "Anti-Organized", "Street", "Road", "Avenue", "Hotel", "Resort", "Casino", "Group", "Company",
    "Holdings", "Bank", "Airport", "International", "Association", "Foundation", "University", "Television",
    "Sindiket", "Tipu", "Kerja", "Armed", "Forces", "Holding", "Technology", "Inc", "Corporation", "Ltd",
    "Radio", "Times", "Post", "Daily", "Tribune", "Inquirer", "Star", "Journal",
    # page furniture ("Published Nov 13", "Font Terkecil") and month names in the Latin-script languages
    "Affaires", "Published", "Updated", "Posted", "Font", "Share", "Print", "Comments",
    # (not those that are also given names: April, May, June, Jan, Jun, Mei...)
    *"""January February March July August September October November December Feb Apr Aug Sept Oct Nov Dec Janvier Février Avril Juin Juillet Août Septembre Octobre Novembre
    Décembre Februari Maret Juni Juli Agustus Oktober Desember Januari Julai Ogos Disember Enero Pebrero
    Marso Hunyo Hulyo Setyembre Oktubre Nobyembre Disyembre""".split(),
}
