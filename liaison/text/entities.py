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
_NAME_TOKEN = r"[A-ZÀ-ÖØ-ÞĐƠƯẠ-Ỹ][a-zà-öø-ÿđơưạ-ỹ'’\-]+"
_LATIN_NAME = re.compile(rf"(?<![\w])(?:{_NAME_TOKEN})(?:\s+(?:{_NAME_TOKEN})){{1,3}}(?![\w])")
_HONORIFIC = re.compile(r"(?:Mr|Mrs|Ms|Dr|M|Mme|Pak|Bapak|Ibu|Bu|Encik|Puan|Datuk|Dato'|Tan Sri|G|Gng|Ông|Bà|Anh|Chị|"
                        r"Gen|Col|Lt|Maj|Capt|Sgt|Pol|Brig|PBGen|PCol|PLtCol|Atty|Sen|Sec|Usec|AKBP|Kombes|Brigjen|"
                        r"Irjen|Komjen|Jenderal|Kapten|Letkol)\.?\s+$")
_ZH_SURNAMES = ("王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘于蒋蔡余杜叶程苏魏吕丁任沈"
                "姚卢姜崔钟谭陆汪范金石廖贾夏韦付方白邹孟熊秦邱江尹薛闫段雷侯龙史陶黎贺顾毛郝龚邵万钱严覃武戴莫孔向汤明白")
_ZH_ROLE = re.compile(r"(?P<role>犯罪嫌疑人|嫌疑人|嫌犯|主犯|头目|被告人|受害人|发言人|部长|副部长|局长|厅长|主任|大使|首领|家族)"
                      rf"(?P<name>[{_ZH_SURNAMES}][\u4e00-\u9fff某]{{1,2}})")
_ZH_NAME_LIST = re.compile(rf"(?P<name>[{_ZH_SURNAMES}][\u4e00-\u9fff某]{{1,2}})(?:、|和|及)(?=[{_ZH_SURNAMES}])")
_JA_NAME = re.compile(r"(?P<name>[\u4e00-\u9fff\u30a0-\u30ff]{2,8})(?P<role>容疑者|被告|被害者|氏|長官|大臣|報道官)")
# Korean news names people "김모(42)씨", "A씨" or "홍길동 씨"; a bare word before "용의자" is not a name.
_KO_NAME = re.compile(r"(?<![가-힣])(?P<name>[가-힣]모|[A-Z]|[가-힣]{2,3}(?=\s?(?:\(\d+\))?\s?씨))(?:\s?\(\d+\))?\s?"
                      r"(?P<role>씨|용의자|피의자|총책|장관|대변인|청장)")
_TH_NAME = re.compile(r"(?P<title>นางสาว|น\.ส\.|นาย|นาง|พล\.ต\.อ\.|พล\.ต\.ท\.|พล\.ต\.ต\.|พ\.ต\.อ\.|พ\.ต\.ท\.|ร\.ต\.อ\.)\s?"
                      r"(?P<name>[\u0E01-\u0E4E]{2,20}(?:\s[\u0E01-\u0E4E]{2,20})?)")
_KM_NAME = re.compile(r"(?P<title>ឯកឧត្តម|លោកស្រី|លោក|ឧត្តមសេនីយ៍|ឈ្មោះ|ជនជាតិចិនឈ្មោះ)\s?(?P<name>[\u1780-\u17D3]{2,12}(?:\s[\u1780-\u17D3]{2,12})?)")
_LO_NAME = re.compile(r"(?P<title>ທ່ານ|ທ້າວ|ນາງ|ພົນຕີ|ພັນເອກ|ພັນໂທ)\s?(?P<name>[\u0E81-\u0EDF]{2,14}(?:\s[\u0E81-\u0EDF]{2,14})?)")
_MY_NAME = re.compile(r"(?<![\u1040-\u1049\s])(?:^|\s)(?P<title>ဦး|ဒေါ်)(?P<name>[\u1000-\u103F]{2,14}(?:[\u1000-\u103F]{2,14})?)(?=က|သည်|\s)")
_AR_NAME = re.compile(r"(?P<title>المدعو|المتهم|المتحدث باسم [\u0621-\u064a]+|الوزير|اللواء|العميد|السفير)\s+"
                      r"(?P<name>[\u0621-\u064a]{2,}\s[\u0621-\u064a]{2,}(?:\s[\u0621-\u064a]{2,})?)")


@dataclass(frozen=True)
class PersonSpan:
    start: int
    end: int
    name: str
    role: str


def _role_near(text: str, start: int, end: int, lang: str, window: int = 45) -> str | None:
    before = text[max(0, start - window): start]
    after = text[end: end + window]
    best = None
    before = text[max(0, start - window - 20): start]
    for role, pattern in role_patterns(lang if lang in ("en", "fr", "id", "ms", "tl", "vi", "ar") else "en"):
        for m in pattern.finditer(before):
            d = len(before) - m.end()
            if role != "official" and d > window:
                continue
            if best is None or d < best[0]:
                best = (d, role)
        m = pattern.search(after)
        if m and (best is None or m.start() < best[0]):
            best = (m.start(), role)
    if best and best[1] != "official":
        # a title before the name ("Direktur ..., Judha Nugraha") says more than a word after it
        for role, pattern in role_patterns(lang if lang in ("en", "fr", "id", "ms", "tl", "vi", "ar") else "en"):
            if role == "official" and pattern.search(before):
                return "official"
    return best[1] if best else None


def find_persons(text: str, lang: str | None, excluded: list[tuple[int, int]] = ()) -> list[PersonSpan]:
    """Named people with a role word or title nearby; spans of places and agencies are excluded."""
    lang = lang or "en"
    out: list[PersonSpan] = []

    def blocked(s, e):
        return any(a < e and s < b for a, b in excluded)

    if lang in ("en", "fr", "id", "ms", "tl", "vi"):
        matches = [m for m in _name_runs(text) if not blocked(m.start(), m.end())]
        for i, m in enumerate(matches):
            name, start = m.group(), m.start()
            role = _role_near(text, start, m.end(), lang)
            honorific = _HONORIFIC.search(text[max(0, start - 12): start])
            if role is None and not honorific:
                # a name in a list with a named neighbour ("A, B et C, chefs de file")
                role = _list_role(text, matches, i, lang)
            if role or honorific:
                out.append(PersonSpan(start, m.end(), name, role or "other"))
    elif lang == "zh":
        for m in _ZH_ROLE.finditer(text):
            role = _ZH_ROLES.get(m["role"], "other")
            out.append(PersonSpan(m.start("name"), m.end("name"), m["name"], role))
    elif lang == "ja":
        for m in _JA_NAME.finditer(text):
            out.append(PersonSpan(m.start("name"), m.end("name"), m["name"], _JA_ROLES.get(m["role"], "other")))
    elif lang == "ko":
        for m in _KO_NAME.finditer(text):
            out.append(PersonSpan(m.start("name"), m.end("name"), m["name"], _KO_ROLES.get(m["role"], "other")))
    else:
        pattern = {"th": _TH_NAME, "km": _KM_NAME, "lo": _LO_NAME, "my": _MY_NAME, "ar": _AR_NAME}.get(lang)
        if pattern:
            for m in pattern.finditer(text):
                role = _TITLE_ROLES.get(m["title"].split()[0], None) or _native_role(text, m.start(), m.end(), lang)
                out.append(PersonSpan(m.start("name"), m.end("name"), m["name"], role))
    return [p for p in out if not blocked(p.start, p.end)]


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


def _name_runs(text):
    """Runs of two to four capitalised words, cut at words that are not names ("Minister", "Police")."""
    for m in _LATIN_NAME.finditer(text):
        run: list[re.Match] = []
        for tok in list(re.finditer(r"\S+", m.group())) + [None]:
            if tok is not None and tok.group() not in _NOT_NAME_TOKEN and tok.group() not in _NOT_NAME_START:
                run.append(tok)
                continue
            if len(run) >= 2:
                yield _Run(text, m.start() + run[0].start(), m.start() + run[-1].end())
            run = []


def _list_role(text, matches, i, lang):
    """Role shared by a list of names joined by commas/and: look past the list's ends."""
    j = i
    while j + 1 < len(matches) and re.fullmatch(r"\s*(?:,|,?\s*(?:and|et|dan|at|và|at saka))\s*",
                                                 text[matches[j].end(): matches[j + 1].start()]):
        j += 1
    k = i
    while k > 0 and re.fullmatch(r"\s*(?:,|,?\s*(?:and|et|dan|at|và))\s*", text[matches[k - 1].end(): matches[k].start()]):
        k -= 1
    if j == i and k == i:
        return None
    return _role_near(text, matches[k].start(), matches[j].end(), lang, window=30)


_NATIVE_ROLE_WORDS = {
    "th": {"suspect": ["ผู้ต้องหา", "ผู้ต้องสงสัย"], "leader": ["หัวหน้าแก๊ง", "ตัวการ", "นายทุน"],
           "victim": ["ผู้เสียหาย", "เหยื่อ"], "official": ["โฆษก", "ผบ.", "รัฐมนตรี", "อธิบดี", "ผู้บัญชาการ", "เอกอัครราชทูต"]},
    "km": {"suspect": ["ជនសង្ស័យ"], "leader": ["មេក្លោង"], "victim": ["ជនរងគ្រោះ"],
           "official": ["អ្នកនាំពាក្យ", "រដ្ឋមន្ត្រី", "ស្នងការ", "អគ្គស្នងការ", "ឯកអគ្គរដ្ឋទូត"]},
    "lo": {"suspect": ["ຜູ້ຕ້ອງສົງໄສ", "ຜູ້ຕ້ອງຫາ"], "leader": ["ຫົວໜ້າ"], "victim": ["ຜູ້ເຄາະຮ້າຍ"],
           "official": ["ລັດຖະມົນຕີ", "ຫົວໜ້າກົມ", "ໂຄສົກ", "ເອກອັກຄະລັດຖະທູດ"]},
    "my": {"suspect": ["တရားခံ", "သံသယရှိသူ"], "leader": ["ခေါင်းဆောင်"], "victim": ["သားကောင်"],
           "official": ["ပြောခွင့်ရသူ", "ဝန်ကြီး", "ရဲမှူး", "သံအမတ်"]},
    "ar": {"suspect": ["المتهم", "المشتبه"], "leader": ["زعيم"], "victim": ["الضحية"], "official": ["المتحدث", "الوزير"]},
}
_TITLE_ROLES = {"المدعو": "suspect", "المتهم": "suspect", "المتحدث": "official", "الوزير": "official",
                "اللواء": "official", "العميد": "official", "السفير": "official", "ឯកឧត្តម": "official",
                "ឧត្តមសេនីយ៍": "official", "ພົນຕີ": "official", "ພັນເອກ": "official", "ພັນໂທ": "official",
                "พล.ต.อ.": "official", "พล.ต.ท.": "official", "พล.ต.ต.": "official", "พ.ต.อ.": "official",
                "พ.ต.ท.": "official", "ร.ต.อ.": "official"}
_ZH_ROLES = {"犯罪嫌疑人": "suspect", "嫌疑人": "suspect", "嫌犯": "suspect", "主犯": "leader", "头目": "leader",
             "被告人": "suspect", "受害人": "victim", "发言人": "official", "部长": "official", "副部长": "official",
             "局长": "official", "厅长": "official", "主任": "official", "大使": "official", "首领": "leader",
             "家族": "leader"}
_JA_ROLES = {"容疑者": "suspect", "被告": "suspect", "被害者": "victim", "氏": "other", "長官": "official",
             "大臣": "official", "報道官": "official"}
_KO_ROLES = {"씨": "other", "용의자": "suspect", "피의자": "suspect", "총책": "leader", "장관": "official",
             "대변인": "official", "청장": "official"}


def _native_role(text, start, end, lang) -> str:
    words = _NATIVE_ROLE_WORDS.get(lang, {})
    window = text[max(0, start - 30): end + 30]
    for role, keys in words.items():
        if any(k in window for k in keys):
            return role
    return "other"


_NOT_NAME_START = {"The", "A", "An", "Le", "La", "Les", "Un", "Une", "Des", "Dans", "Depuis", "Pada", "Dalam", "Di",
                   "Menurut", "Juru", "Sa", "Ang", "Si", "Ng", "Mga", "Theo", "Ông", "Bà", "On", "In", "At", "But",
                   "Police", "Polisi", "Mr", "Mrs", "Ms", "Dr", "Wakil", "Kepala", "Menteri", "Direktur", "Ketua",
                   "Deputy", "Minister", "Commissioner", "Director", "Chief", "Spokesperson", "General", "Colonel"}
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
}
