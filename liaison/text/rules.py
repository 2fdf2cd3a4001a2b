"""The offline extractor: rules, gazetteers and keyword lexicons, no model.

Plain Python, no Django. How a report becomes events:

1. The text is scanned once for numbers, dates, places, agencies, operation
   names and person names; every hit keeps its offsets.
2. Sentences are cut; a sentence with an event keyword (per language, per
   type) proposes events. A plan without figures ("will arrest fugitives") is
   not an event; a launch of an operation is one even when announced.
3. Figures: a number is tied to the nearest category word (after it in
   languages that write "20 suspects", on either side in those that write
   "ผู้ต้องหา 20 คน" or "犯罪嫌疑人20名"); a generic word ("people", "orang",
   "คน") takes its category from the event ("arrested 20 people": suspects).
4. One sentence, one event for outcomes of one action (raid, arrest,
   detention, rescue, closure); other kinds stay separate events, and each
   figure and person goes to the nearest event keyword. A sentence with figures
   but no keyword continues the previous sentence's event.
5. Countries, places, agencies, dates and persons come from the event's own
   evidence span; a report naming one operation gives it to its later events.
"""
from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from datetime import date

from . import lexicon as L
from .dates import OPEN_SPAN, find_dates, find_published
from .entities import find_agencies, find_operations, find_persons
from .gazetteer import find_places
from .langid import detect_language, paragraph_languages
from .model import ExtractedEvent, ExtractedReport
from .numbers import find_numbers
from .segment import furniture_spans, sentences

OUTCOMES = {"raid", "arrest", "detention", "rescue", "site_closure"}
# which category a generic noun ("people") takes in an event of this type
GENERIC_BY_TYPE = {"arrest": "suspects", "raid": "suspects", "rescue": "victims", "death": "deaths",
                   "sentence": "sentenced", "extradition": "suspects",
                   # "28人を拘束", "ditahan 20 orang": their detention is the event counted (annotation rules)
                   "detention": "suspects"}
PERSON_CATEGORIES = ("suspects", "leaders", "fugitives", "victims", "people", "deaths", "sentenced")
# a classifier right after the number says what is counted, whatever noun is further away
_PERSON_CLASSIFIER = re.compile(r"^\s?(?:余|多|여)?(?:名|人|个人|명|คน|ราย|នាក់|ຄົນ|ລາຍ|ဦး|ယောက်)")
_NOT_COUNT_BEFORE = re.compile(r"(?:tháng|ngày|năm|lúc|số|phase|tahap|giai đoạn|No\.|nomor|第|Tahap|Phase|vol\.|"
                               r"Level|level|lantai|tầng|Km|km|Jl\.|Rp|RM|USD|\$|ឆ្នាំ|ខែ|ថ្ងៃទី|ປີ|ເດືອນ|ວັນທີ|พ\.ศ\.|"
                               r"ផ្កាយ|bintang|ดาว|ດາວ"  # "កាស៊ីណូផ្កាយ៥": a five-star casino
                               r")\s*$|[=/?&#]$")  # also a number glued in an address ("?sid=102")
SAME_DAY = re.compile(r"(?:当天|当日|同日|same day|that day|le même jour|ce jour-là|pada hari yang sama|hari itu|"
                      r"cùng ngày|ngày hôm đó|วันเดียวกัน|ในวันเดียวกัน|ມື້ດຽວກັນ|នៅថ្ងៃដដែល|ထိုနေ့|في اليوم نفسه|في نفس اليوم|"
                      r"같은 날|당일)", re.IGNORECASE)
NEXT_DAY = re.compile(r"(?:次日|翌日|第二天|the next day|the following day|le lendemain|keesokan harinya|"
                      r"hari berikutnya|keesokan hari|kinabukasan|hôm sau|ngày hôm sau|วันรุ่งขึ้น|ມື້ຕໍ່ມາ|"
                      r"នៅថ្ងៃបន្ទាប់|နောက်တစ်နေ့|في اليوم التالي|다음 날|이튿날)", re.IGNORECASE)
# words that mark a figure as a running total or result of a campaign, not one action
SUMMARY = re.compile(r"(?:berhasil|results?|in total|a total of|au total|un total|total de|so far|à ce jour|"
                     r"sejauh ini|secara keseluruhan|keseluruhan|tổng cộng|kết quả|累计|共计|成果|战果|合計|총|"
                     r"รวมทั้งสิ้น|ผลการ|ສະຫຼຸບ|សរុប|စုစုပေါင်း|إجمالي|حصيلة|ما مجموعه)", re.IGNORECASE)
_UNIT_AFTER = re.compile(
    r"^\s?(?:%|percent|persen|pour ?cent|phần trăm|tuổi|ans\b|an\b|years?\b|tahun|taon|yrs|year-old|-year|"
    r"months?\b|mois\b|bulan|buwan|tháng|days?\b|jours?\b|hari\b|araw|ngày|hours?\b|heures?\b|jam\b|"
    r"km|kg|m\b|USD|US\$|\$|dollars?|dolar|đô|baht|บาท|yuan|元|riel|kyat|ringgit|peso|rupiah|won|원|円|"
    # "104 nationalities", "28 pays", "១០៤សញ្ជាតិ", "20개국": how many countries the group came from, not persons
    r"nationalit(?:y|ies)\b|nationalités?\b|countries\b|pays\b|kewarganegaraan|kerakyatan|negara\b(?!\s+(?:asing|asal))|"
    r"bansa\b|quốc tịch|quốc gia|nước\b(?!\s?ngoài)|国籍|个国家|か国|カ国|ヶ国|ケ国|개\s?국|สัญชาติ|ประเทศ|ສັນຊາດ|ປະເທດ|"
    r"សញ្ជាតិ|ប្រទេស|နိုင်ငံ(?!သား)|جنسيات|جنسية|دول\b|"
    r"歳|岁|岁|세|살|ปี|ឆ្នាំ|ປີ|နှစ်|سنة|سنوات|عاما|عامًا|دولار|بالمئة|٪|triệu đồng|đồng|juta rupiah|"
    r"억\s?원|만\s?원|천\s?원|억|(?:만\s?)?(?:달러|페소|위안|바트|엔)|kinds\b|types of|種類|종류|ประเภท|ប្រភេទ|မျိုး|am\b|pm\b|h\d|h\b|:\d|/\d|\.\d|เดือน|วัน|ชั่วโมง|ខែ|ថ្ងៃ|ເດືອນ|ວັນ|လ\b|ရက်|月|日|号|년|월|일|時|点)",
    re.IGNORECASE)
_MONEY_BEFORE = re.compile(r"(?:\$|USD|US\$|RM|Rp\.?|₱|PHP|฿|¥|€|£|VND|KHR|MMK|LAK|THB|CNY|Php|P)\s?$")
_MODIFIER_AFTER = {
    # also a dictionary-form verb right before a noun: "移送されるチャーター便" (the flight that carries them)
    "ja": re.compile(r"(?:された|した|されている)(?:人|者|外国人|日本人|男|女|の)"
                     r"|(?:される|する)(?![、。はがをにでともへやの「」（）\s]|予定|方針|見通し|見込み|計画|こと|ため|よう)"),
    "ko": re.compile(r"(?:된|한|당한|되었던|됐던)\s"),
    "zh": re.compile(r"(?:的)"),
}
# Vague amounts ("hundreds", "ribuan", "des milliers", "مئات", "수십") are not figures (annotation rules).
_VAGUE = re.compile(r"^(?:hundreds|thousands|tens of thousands|dozens|scores|millions|centaines|milliers|dizaines|"
                    r"ratusan|ribuan|puluhan|belasan|lusinan|ratus-ratus|daan-daan|libu-libo|sandaang|"
                    r"hàng trăm|hàng nghìn|hàng ngàn|hàng chục|mấy trăm|"
                    r"مئات|آلاف|الآلاف|المئات|عشرات|العشرات|ألوف|"
                    r"수십|수백|수천|수만|数十|数百|数千|数万|几十|几百|几千|上百|上千|上万|成百|成千)$",
                    re.IGNORECASE)
_VAGUE_BEFORE = re.compile(r"(?:ຫຼາຍ|หลาย|数|几|수|ជាច្រើន|several\s|a few\s|some\s|beberapa\s|vài\s|"
                           r"plusieurs\s|quelques\s|ilang\s)$", re.IGNORECASE)
# a conjunction and another number after "40 Indonesians": the number is one part of a breakdown
_BREAKDOWN_NEXT = re.compile(r"\s*(?:,|and|et|dan|at|và|و|y)\s*(?:\w+\s)?\d", re.IGNORECASE)
# ... or "including" / "85 Chinese and" right before it
_BREAKDOWN_BEFORE = re.compile(r"(?:(?<!\w)(?:including|among them|of whom|dont|parmi eux|termasuk|di antaranya|"
                               r"antaranya|kabilang ang|bao gồm|trong đó|من بينهم|بينهم)\s*|"
                               r"\d\s+\w+\s*(?:,|and|et|dan|at|và|و)\s*)$", re.IGNORECASE)
# Korean: a count of persons money was taken from ("91명으로부터 11억원 편취", "60여명에게 뜯어낸",
# "한국인 869명을 속여") counts the victims of the suspects' event
_KO_DEFRAUDED = re.compile(r"\s?(?:여\s?)?명(?:\s?이상)?(?:의\s?(?:피해자|한국\s?시민|국민|시민|한국인))?"
                           r"(?:에게서|에게|으로부터|로부터|한테서|을\s?(?:속여|상대로)|를\s?(?:속여|상대로))")
# "A 씨와 조직원 4명", "B씨 등과 공범 3명": N others besides a named person
_KO_AND_OTHERS = re.compile(r"씨\s?(?:와|과|및|등과)\s?\S{0,6}\s?$")
# "9,340 were deported", "1 595 ont été expulsés": a number as the subject of a passive verb counts persons
_PERSONS_VERB_AFTER = {"en": re.compile(r"\s+(?:were|have\s+been|had\s+been)\s+\w+(?:ed|en)\b", re.IGNORECASE),
                       "fr": re.compile(r"\s+(?:ont\s+été|avaient\s+été|sont)\s+\w+(?:é|és|ées)\b", re.IGNORECASE)}
_INCLUSION = re.compile(r"(?<!\w)(?:including|among them|of whom|dont|parmi lesquels|parmi eux|termasuk|"
                        r"di antaranya|antaranya|kabilang ang|bao gồm|trong đó|من بينهم)(?!\w)", re.IGNORECASE)
_CONSIST = r"(?:terdiri\s+(?:daripada|dari|atas)|consist\w*\s+of|compris\w+|made\s+up\s+of|composé\w*\s+de|gồm)"
_LIST_JOIN = re.compile(r"(?:,|(?<!\w)(?:dan|and|et|at|và|y)(?!\w))", re.IGNORECASE)
_CONSIST_BEFORE = re.compile(_CONSIST + r"\s*$", re.IGNORECASE)
_CONSIST_PART_BEFORE = re.compile(_CONSIST + r"\s+\S+(?:\s+\S+){0,4}?\s*(?:,|dan|and|et|at|và)\s*$", re.IGNORECASE)
_NOUN_BEFORE_LANGS = {"zh", "ja", "ko", "th", "lo", "km", "my"}
# languages whose writers run many clauses without a full stop (one "sentence" may tell several happenings)
_LONG_SENTENCE_LANGS = {"th", "lo", "km", "my"}


@dataclass
class _Figure:
    start: int
    end: int
    value: int
    category: str | None      # specific category, or None when only generic
    generic: bool
    qualifier: str | None


def _nfc(text: str) -> str:
    return unicodedata.normalize("NFC", text)


def _qualifier(text: str, start: int, end: int, lang: str) -> str | None:
    pats = L.qualifier_patterns(lang)
    before = text[max(0, start - 30): start]
    for q, pattern in pats["before"]:
        for m in pattern.finditer(before):
            if lang == "en" and re.search(r"(?:hand|handed|handing|turn|turned|turning|took|taken|take)\s+$",
                                          before[:m.start()]):
                continue  # "handed over 40": a verb's particle, not "more than"
            # "setidaknya ada 680", "lebih daripada seramai 30": a filler word between the qualifier and the number
            if re.fullmatch(r"[\s\u00a0]*(?:(?:ada|sebanyak|seramai)[\s\u00a0]+)?", before[m.end():], re.IGNORECASE):
                left = before[m.start() - 1: m.start()] if m.start() else ""
                if not left or not left.isalpha() or lang in L.NO_SPACE:
                    return q
    after = text[end: end + 12]
    for q, pattern in pats["after"]:
        m = pattern.match(after.lstrip(" \u00a0")) if lang not in L.NO_SPACE | {"ko"} else pattern.match(after.lstrip(" ")) \
            or pattern.match(re.sub(r"^\s?(?:名|人|คน|នាក់|ຄົນ|ဦး|명)\s?", "", after))
        if m:
            return q
    return None


def _figures(text: str, s: int, e: int, numbers, date_spans, lang: str) -> list[_Figure]:
    """Numbers of the sentence [s, e) that count persons, cases or sites."""
    inside = [n for n in numbers if s <= n.start and n.end <= e]
    out = []
    space_lang = lang not in _NOUN_BEFORE_LANGS
    window_after = 45 if space_lang else 14
    window_before = 14 if space_lang else 30
    cats = L.category_patterns(lang)
    breakdown_end = None  # end of the last group dropped as part of a breakdown by nationality
    for i, n in enumerate(inside):
        if any(a <= n.start < b for a, b in date_spans):
            continue
        if _VAGUE.match(n.text) or _VAGUE_BEFORE.search(text[max(s, n.start - 6): n.start]):
            continue  # "hundreds of", "ratusan", "数百", "หลายร้อย": vague amounts are not figures
        after_text = text[n.end: min(e, n.end + window_after, inside[i + 1].start if i + 1 < len(inside) else e)]
        inclusion = _INCLUSION.search(after_text)
        if inclusion and space_lang and after_text[:inclusion.start()].strip():
            # "14 individu termasuk dalang utama": the words after "including" name a part, not what is counted
            after_text = after_text[:inclusion.start()]
        if space_lang and _CONSIST_BEFORE.search(text[max(s, n.start - 25): n.start]) and i + 1 < len(inside) \
                and inside[i + 1].start - n.end < 40 and _LIST_JOIN.search(text[n.end: inside[i + 1].start]):
            continue  # "consisting of 11 locals and three Indonesian women": a breakdown with no total
        if space_lang and _CONSIST_PART_BEFORE.search(text[max(s, n.start - 60): n.start]):
            continue  # ... and its second part
        if _UNIT_AFTER.match(after_text.lstrip(")）")) or _MONEY_BEFORE.search(text[max(s, n.start - 5): n.start]) \
                or _NOT_COUNT_BEFORE.search(text[max(s, n.start - 14): n.start]):
            continue
        if text[n.start - 1:n.start] == "(" and text[n.end:n.end + 1] == ")" and lang != "my":
            continue  # "Kim (42)": an age (Burmese writes every number in brackets: "(၉၂၀) ကျော်")
        if n.end < len(text) and text[n.end:n.end + 1].isascii() and text[n.end:n.end + 1].isalpha() \
                and not re.match(r"\d+\s?(?:million|thousand|juta|ribu)", n.text):
            continue  # "0824T", "3G": codes, not counts
        if 1900 <= n.value <= 2100 and re.fullmatch(r"\d{4}", n.text):
            after_cat = any(p.match(after_text.lstrip()) for _, p in cats)
            if not after_cat:
                continue
        lo = max(s, n.start - window_before, inside[i - 1].end if i else s)
        before_text = text[lo: n.start]
        best = None  # (distance, category, generic)
        person_only = bool(_PERSON_CLASSIFIER.match(text[n.end:n.end + 4]))
        if not person_only and space_lang:
            # "26 مواطنا ... في مجمع", "300 orang ... di kompleks": a person noun right after the number
            # says persons are counted, whatever place word comes later
            # Tagalog links a number to its noun with "na" ("apat na Filipino", "anim na Pinoy")
            noun_text = re.sub(r"^\s*(?:(?:na|mga)\s+)+", " ", after_text) if lang == "tl" else after_text
            people = dict(cats)["people"].match(noun_text.lstrip(" \u00a0"))
            partitive = L.partitive_regex(lang)
            part = partitive.match(after_text) if partitive else None
            breakdown = L.breakdown_regex(lang)
            if part and breakdown and breakdown.match(after_text, part.end()):
                continue  # "1,792 of them Chinese": a breakdown of the group, not a figure
            demonym = L.demonym_regex(lang)
            nationals = demonym.match(after_text) if demonym else None
            # the next group is read from the text (``after_text`` stops at the next number, which may be a
            # word: "57 Vietnamese nationals, tatlong Taiwanese"); "611 WNA, termasuk 48 WNI" is a total and its part
            gap_next = text[n.end + nationals.end(): inside[i + 1].start] if nationals and i + 1 < len(inside) else ""
            gap_next = re.sub(r"^\s*(?:nationals?|citizens?)(?!\w)", "", gap_next, flags=re.IGNORECASE)
            # the last group of the list joins the groups before it, named in the gazetteer or not:
            # "..., dalawang Indonesians, at dalawang Rwandans"
            listed = breakdown_end is not None and n.start - breakdown_end <= 24 \
                and bool(_BREAKDOWN_NEXT.match(text[breakdown_end:n.start] + "0"))
            if listed or (nationals and ((len(gap_next) <= 24 and _BREAKDOWN_NEXT.match(gap_next + "0")
                                          and not _INCLUSION.search(gap_next)
                                          and (demonym.match(text, inside[i + 1].end)
                                               or re.match(r"\s+[A-Z]\w+", text[inside[i + 1].end:])))
                                         or _BREAKDOWN_BEFORE.search(text[max(s, n.start - 30): n.start])
                                         or L.demonym_before_regex(lang).search(text[max(s, n.start - 30): n.start]))):
                breakdown_end = n.end + (nationals.end() if nationals else len(after_text) - len(after_text.lstrip()))
                continue  # "including 40 Indonesians and 23 Filipinos": a breakdown by nationality, not a figure
            sexes = L.sex_regex(lang)
            if sexes and sexes.match(after_text) and _BREAKDOWN_BEFORE.search(
                    L.qualifier_strip(lang, text[max(s, n.start - 45): n.start])):
                continue  # "including more than 400 women": a breakdown by sex
            person_only = bool(people) or bool(part) or bool(nationals) or bool(_PERSONS_VERB_AFTER.get(lang) and
                _PERSONS_VERB_AFTER[lang].match(after_text)) or bool(
                demonym and noun_text is not after_text and demonym.match(noun_text))
        named_group = None
        if not space_lang:
            relative = L.relative_regex(lang).search(after_text)
            if relative and relative.start() > 0 and _PERSON_CLASSIFIER.match(after_text):
                # "คนไทย 16 คน ที่ถูกแก๊ง...หลอก": the relative clause after the classifier tells who did it to them
                after_text = after_text[:relative.start()]
            # "16 คนไทย ถูกแก๊ง...หลอก": a people noun right after the number ("คนไทย", "日本人", "한국인") names
            # the group counted; a category word further on belongs to someone else (the gang)
            m = dict(cats)["people"].match(after_text.lstrip(" "))
            if m and len(m.group()) > 2 and not _PERSON_CLASSIFIER.fullmatch(m.group()) \
                    and not any(p.search(before_text[-6:]) for c, p in cats if c != "people"):
                named_group = (0, "people", True)
        for cat, pattern in (() if named_group else cats):
            if person_only and cat not in PERSON_CATEGORIES + ("officers",):
                continue
            m = pattern.search(after_text)
            if m:
                gap = after_text[:m.start()]
                dist = m.start() + (0 if space_lang else 1)
                if space_lang and len(gap.split()) > 5:
                    continue
                cand = (dist, cat, cat == "people")
                if best is None or (cand[2], cand[0]) < (best[2], best[0]):
                    best = cand
            if not space_lang or best is None or best[2]:
                for m in pattern.finditer(before_text):
                    dist = len(before_text) - m.end() + (3 if space_lang else 0)
                    if cat == "officers" and len(before_text) - m.end() > 2:
                        continue  # the force only when it names the number ("警力200余名"), not the actor before
                    cand = (dist, cat, cat == "people")
                    if space_lang and best is not None and not best[2]:
                        continue
                    if best is None or (cand[2], cand[0]) < (best[2], best[0]):
                        best = cand
        best = named_group or best
        if best is None:
            if not person_only and len(text[n.end:].strip()) > 4:
                continue
            # a person noun, or a text cut off right after the number ("ما أسفر عن مقتل 14 شخ"): counted, and
            # the event says what
            best = (0, "people", True)
        if best[1] == "suspects" and re.match(r"suspected\s+(?:\w+\s+){0,3}victims", after_text[best[0]:] if space_lang else ""):
            best = (best[0], "victims", False)  # "suspected trafficking victims"
        if best[1] == "officers":
            continue  # "700 officers", "요원 15명": the force sent, not a figure of the event
        if lang == "ko" and _KO_DEFRAUDED.match(text, n.end):
            best = (0, "victims", False)  # "869명에게서 486억원을 가로챈": the persons money was taken from
        if lang == "ko" and best[1] in ("suspects", "people") and _KO_AND_OTHERS.search(text[max(s, n.start - 14): n.start]):
            continue  # "B 씨와 조직원 4명": only part of the group is counted (annotation rules)
        if best[1] == "sites" and n.value == 1:
            continue  # "a compound", "sebuah kompleks", "一处窝点": an article, not a figure
        out.append(_Figure(n.start, n.end, n.value, best[1], best[2], _qualifier(text, n.start, n.end, lang)))
    return _drop_breakdowns(text, _drop_parts_of_total(text, out), lang)


# a word saying the number after it is the sum of the groups just listed ("..., 89 Ethiopians, a total of 336")
_TOTAL_BEFORE = re.compile(r"(?:(?<!\w)(?:in total|a total of|total(?:ling|ing)?(?: of)?|au total|soit|jumlah(?:nya)?|"
                           r"keseluruhan|kabuuang|tổng(?: cộng| số)?|إجمالي|بمجموع|مجموع)|合计|总计|共计|合計|총|"
                           r"รวม(?:ทั้งสิ้น|ทั้งหมด)?|ລວມ(?:ທັງໝົດ)?|សរុប|စုစုပေါင်း)[\s:：,،၊]{0,3}"
                           r"(?:(?:sudah|telah|mencapai|sebanyak|already|reached|đã|lên tới)\s+)?$", re.IGNORECASE)


def _drop_parts_of_total(text: str, figures: list[_Figure]) -> list[_Figure]:
    """Groups listed before their sum in one sentence ("ပါကစ္စတန် ၃၅ ဦး၊ ... အီသီယိုးပီးယား ၈၉ ဦး၊ စုစုပေါင်း ၃၃၆ ဦး")
    are a breakdown: the total is the figure (annotation rules). The sum is known from a total word before it
    or from the parts adding up to it exactly."""
    persons = [f for f in figures if f.category in PERSON_CATEGORIES]
    drop = set()
    for i, total in enumerate(persons):
        before = [f for f in persons[:i] if id(f) not in drop and f.value < total.value
                  and (f.category == total.category or "people" in (f.category, total.category))]
        said = bool(_TOTAL_BEFORE.search(text[max(0, total.start - 16): total.start]))
        if not before or (len(before) < 2 and not said):
            continue  # "တရုတ် ၄၈၈၀၃ ဦးအပါအဝင် ... စုစုပေါင်း ၅၀၆၁၉ ဦး": one part named before its total
        # the parts adding up exactly: the last k figures before the total (hand-written: no library does this)
        run = 0
        summed = None
        for k in range(len(before) - 1, -1, -1):
            run += before[k].value
            if run == total.value and k < len(before) - 1:
                summed = before[k:]
                break
        if summed is not None:
            drop.update(id(f) for f in summed)
        elif said:
            drop.update(id(f) for f in before)
    return [f for f in figures if id(f) not in drop]


# "and" between the parts of a list, per language
_AND = {"en": r"(?<!\w)and(?!\w)|,", "fr": r"(?<!\w)et(?!\w)|,", "id": r"(?<!\w)dan(?!\w)|,",
        "ms": r"(?<!\w)dan(?!\w)|,", "tl": r"(?<!\w)at(?!\w)|,", "vi": r"(?<!\w)và(?!\w)|,",
        "zh": r"和|及|与|、|，", "ja": r"と|、|及び", "ko": r"명?(?:과|와|및)|,", "th": r"และ|,", "lo": r"ແລະ|,",
        "km": r"និង|,", "my": r"နှင့်|နဲ့|၊", "ar": r"(?<!\w)و|،"}
_AND_RES = {k: re.compile(v) for k, v in _AND.items()}


def _drop_breakdowns(text: str, figures: list[_Figure], lang: str) -> list[_Figure]:
    """Plain groups listed side by side ("한국인 57명과 중국인 29명", "တရုတ် ၃၅၂ ဦးနှင့် မြန်မာ ၄၆၈ ဦး") are a
    breakdown with no total: no figure (annotation rules, decision 1). Groups of different kinds ("20
    suspects and 5 victims") are kept."""
    join = _AND_RES.get(lang)
    if join is None or lang not in _NOUN_BEFORE_LANGS:
        return figures  # the languages that write "20 suspects" list their breakdowns with nationality words
    drop = set()
    for a, b in zip(figures, figures[1:]):
        gap = text[a.end:b.start]
        if a.generic and b.generic and a.category == b.category == "people" and len(gap) <= 24 \
                and join.search(gap) and not re.search(r"[.。!?;؛။។]", gap):
            drop.update((id(a), id(b)))
    return [f for f in figures if id(f) not in drop]


def _all_triggers(text: str, lang: str):
    """Every event keyword of the text, found in one pass per pattern."""
    found = []
    langs = [lang] + (["en"] if lang in ("tl", "ms") else [])
    for code in langs:
        for etype, pattern in L.event_patterns(code):
            for m in pattern.finditer(text):
                found.append((m.start(), m.end(), etype, code))
    found.sort()
    return found


def _triggers(all_triggers, s: int, e: int):
    import bisect

    i = bisect.bisect_left(all_triggers, (s,))
    found = []
    while i < len(all_triggers) and all_triggers[i][0] < e:
        if all_triggers[i][1] <= e:
            found.append(all_triggers[i])
        i += 1
    # longest first, no overlaps
    found.sort(key=lambda t: (-(t[1] - t[0]), t[0]))
    kept = []
    for t in found:
        if not any(k[0] < t[1] and t[0] < k[1] for k in kept):
            kept.append(t)
    kept.sort()
    return kept


# "ឃាត់ខ្លួន និងបណ្តេញចេញ", "arrested and deported", "抓获并遣返": the arrest is how the group came to be sent
# away; the happening counted is the sending (annotation rules: deported groups are counted by that event)
_THEN = re.compile(r"\s*(?:and|et|dan|at|và|và đã|y|و|និង|ແລະ|และ|နှင့်|ပြီး|和|并|並|及|后|後|하고|한 뒤|한 후|して|し、)\s*$",
                   re.IGNORECASE)
_SENT_AWAY = {"deportation", "handover", "repatriation"}


def _cases_word_after(text: str, f: "_Figure", lang: str) -> bool:
    """The word "cases" follows the number ("10 ribu kasus", "2300件"), not a word that only ends like it
    before it ("ngoại vụ 24": foreign affairs)."""
    cases = dict(L.category_patterns(lang))["cases"]
    return bool(cases.match(text, f.end + len(text[f.end:f.end + 3]) - len(text[f.end:f.end + 3].lstrip())))


def _drop_means(text: str, triggers):
    """Drop an arrest or detention keyword joined by "and" to a deportation, handover or repatriation keyword
    right after it: one happening ("detained and deported 5,619 foreigners"), typed by where the group went.
    Also returns the keywords sent away after an arrest: the group they count is suspects (annotation rules)."""
    drop, after_arrest = set(), set()
    for a, b in zip(triggers, triggers[1:]):
        if a[2] in ("arrest", "detention") and b[2] in _SENT_AWAY and b[0] - a[1] <= 12 \
                and _THEN.match(text[a[1]:b[0]]):
            drop.add(a)
            after_arrest.add(b)
    return ([t for t in triggers if t not in drop] if drop else triggers), after_arrest


def _is_plan(text: str, s: int, trig_start: int, lang: str) -> bool:
    """A pledge or a plan ("will arrest", "akan memulangkan", "将遣返") rather than a deed."""
    near = text[max(s, trig_start - 40): trig_start]
    if lang in ("ja", "ko", "my"):
        # verb-final languages put the plan after the verb: "帰国する予定", "송환될 예정이다"
        return bool(L.plan_regex(lang).search(text[trig_start: trig_start + 25]))
    return bool(L.future_regex(lang).search(near) or L.plan_regex(lang).search(text[s:trig_start]))


def _hits_in(hits, start, end):
    return [h for h in hits if start <= h.start and h.end <= end]


def _dedupe(values):
    seen, out = set(), []
    for v in values:
        key = v.casefold() if isinstance(v, str) else v
        if key not in seen:
            seen.add(key)
            out.append(v)
    return out


def extract(text: str, doc_id: str = "", published: str | None = None) -> ExtractedReport:
    text = _nfc(text or "")
    warnings: list[str] = []
    lang, confidence = detect_language(text)
    if lang is None:
        warnings.append("language could not be identified")
    else:
        mix = paragraph_languages(text)
        total = sum(mix.values())
        others = [code for code, size in mix.most_common() if code != lang and size >= 0.2 * total]
        if others:
            warnings.append(f"mixed languages: {', '.join([lang] + others)}")
    work_lang = lang or "en"
    if published is None:
        published = find_published(text, work_lang)
    numbers = find_numbers(text, work_lang)
    dates = find_dates(text, work_lang, published)
    date_spans = [(d.start, d.end) for d in dates]
    places = find_places(text)
    agencies = find_agencies(text, work_lang)
    operations = find_operations(text, work_lang)
    persons = find_persons(text, work_lang, excluded=[(p.start, p.end) for p in places])
    # "이재영 경찰청 국제협력관은": a Korean agency's free prefix may swallow the name of its officer
    persons = [p for p in persons if not any(a.start <= p.start and p.end <= a.end
                                             and not (work_lang == "ko" and a.start == p.start < p.end < a.end)
                                             for a in agencies)]
    op_names = _dedupe([o.text for o in operations])
    all_triggers = _all_triggers(text, work_lang)

    events: list[tuple[ExtractedEvent, list]] = []
    previous = None  # (event, sentence end) of the last sentence that made an event
    furniture = furniture_spans(text)
    upgraded: dict[int, _Figure] = {}  # event id -> its figure made "victims" by the sentence's wording
    for s, e in sentences(text):
        if any(a <= s and e <= b for a, b in furniture):
            previous = None
            continue
        figures = _figures(text, s, e, numbers, date_spans, work_lang)
        triggers = _triggers(all_triggers, s, e)
        if not figures:
            triggers = [t for t in triggers if t[2] == "operation_launch" or not _is_plan(text, s, t[0], work_lang)]
        for weak in ("other", "operation_launch"):
            # a meeting or a launch mentioned with what was done is context, not its own event
            if len({t[2] for t in triggers}) > 1 and weak in {t[2] for t in triggers}:
                triggers = [t for t in triggers if t[2] != weak]
        types = {t[2] for t in triggers}
        if "sentence" in types and "death" in types and not L.EXECUTIONS.search(text, s, e):
            # "sentenced 21 ... for offences including the deaths of six", "sentenced to death": the deaths are
            # the crime judged or the penalty, the happening is the verdict
            triggers = [t for t in triggers if t[2] != "death"]
            types.discard("death")
        if "deportation" in types and "repatriation" in types:
            triggers = [t for t in triggers if t[2] != "repatriation"]
        if "deportation" in types and "handover" in types:
            # "تسلمت 122 مشتبها بهم ... بعد ترحيلهم من كمبوديا" (received them after they were deported): the
            # receiving side of the deportation, one happening
            triggers = [t for t in triggers if t[2] != "handover"]
        triggers, arrested_then = _drop_means(text, triggers)
        if work_lang in _MODIFIER_AFTER:
            # "保護された人", "구금된 한국인", "被解救的人员": the keyword describes people, it is not the event
            triggers = [t for t in triggers if not _MODIFIER_AFTER[work_lang].match(text[t[1]:t[1] + 8])]
        if work_lang == "tl":
            # "ang mga naaresto": the plural marker makes the verb a noun ("the arrested"), not an action
            triggers = [t for t in triggers if not re.search(r"(?<!\w)mga\s+$", text[max(s, t[0] - 5):t[0]])]
        if work_lang == "my":
            # "ဖမ်းဆီးရမိသူများ": the verb made a noun ("those arrested") names people, not an action
            triggers = [t for t in triggers if not re.match(r"(?:ရမိ|ခံရ)?သူ", text[t[1]:t[1] + 4])]
        if not triggers and figures and events and work_lang == "ko" \
                and all(f.category == "victims" and not f.generic and _KO_DEFRAUDED.match(text, f.end) for f in figures):
            # "이번에 송환된 피의자들은 한국인 869명에게서 … 가로챈 혐의": the victims of the suspects told before
            target = next((ev for ev, _ in reversed(events) if ev.counts.get("suspects") or ev.persons), events[-1][0])
            _continue_event(text, target, s, e, figures, work_lang)
            continue
        if not triggers and any(f.category == "cases" and not f.generic and f.value > 1
                                and _cases_word_after(text, f, work_lang) for f in figures) \
                and not (previous is not None and previous[1] >= s - 3
                         and L.continuation_regex(work_lang).match(text[s:e])):
            # "total lebih dari 10 ribu kasus online scam", "約2300件": a count of cases is a fact of its own
            # even with no event word (annotation rules: such tallies are `other` events)
            triggers = [(next(f.start for f in figures if f.category == "cases"),
                         next(f.end for f in figures if f.category == "cases"), "other", work_lang)]
            figures = [f for f in figures if f.category == "cases"]
        if not triggers:
            if previous is not None and previous[1] >= s - 3:
                # "...including 109 Thais, 50 Pakistanis": the nationalities of the sentence that goes on
                # with the event (same paragraph, no event word of its own) are the event's countries
                previous[0].countries = _dedupe(previous[0].countries + [
                    h.country for h in _hits_in(places, s, e) if h.country and h.kind == "demonym"])
            if figures and previous is not None and previous[1] >= s - 3 and L.continuation_regex(work_lang).match(text[s:e]):
                up = upgraded.pop(id(previous[0]), None)
                if up is not None and any(f.category == "victims" and not f.generic for f in figures) \
                        and previous[0].counts.get("victims") == up.value:
                    # "among them 9 victims": only part of the group was called victims, the rest are people
                    del previous[0].counts["victims"]
                    previous[0].qualifiers.pop("victims", None)
                    _add_figure(previous[0], _Figure(up.start, up.end, up.value, "people", False, up.qualifier))
                _continue_event(text, previous[0], s, e, figures, work_lang)
                previous = (previous[0], e)
            else:
                previous = None
            continue
        groups = _group(triggers)
        sentence_events = []
        for group in groups:
            etype = _event_type(group, figures, text[s:e])
            ev = ExtractedEvent(type=etype, evidence=text[s:e], evidence_start=s, evidence_end=e)
            sentence_events.append((ev, group))
        # figures and persons go to the nearest trigger's event
        victims_said = bool(L.victim_context_regex(work_lang).search(text, s, e))
        placed = [(f, _nearest(sentence_events, f.start, work_lang)) for f in figures]
        if work_lang == "ja":
            # "拘束された成人5人のうち4人は帰国済み": the whole before のうち is counted by the verb before it, the
            # part after by the verb after it
            for i, (f, ev) in enumerate(placed):
                if re.match(r"[人名]?の?うち", text[f.end:f.end + 4]):
                    before = [(g_ev, t) for g_ev, g in sentence_events for t in g if t[1] <= f.start]
                    if before:
                        placed[i] = (f, max(before, key=lambda x: x[1][1])[0])
        explicit_victims = {id(ev) for f, ev in placed if not f.generic and f.category == "victims"}
        # "Of that number, 255 were sent home; the remaining 58 are held": a part of a group counted as
        # victims before is victims too (annotation rules: victims held in a depot stay victims)
        part_of = L.continuation_regex(work_lang).match(text[s:e])
        victims_before = max((x.counts.get("victims", 0) for x, _ in events), default=0)
        prosecution = L.prosecution_regex(work_lang)
        escape_words = L.escape_regex(work_lang)
        escapes = list(escape_words.finditer(text, s, e)) if escape_words else []
        last_event = events[-1][0] if events else None
        figure_end: dict[int, int] = {}  # event id -> end of its last figure in this sentence
        for f, ev in placed:
            if part_of and last_event is not None and last_event.type == ev.type \
                    and last_event.counts.get(_category(f, ev.type), 0) > f.value:
                continue  # "Among the citizens handed back, 42 had fled...": a part of the group just counted
            if part_of and f.value <= victims_before and _category(f, ev.type) in ("people", "suspects"):
                f = _Figure(f.start, f.end, f.value, "victims", False, f.qualifier)
            if f.generic and ev.type == "other" and prosecution is not None and any(
                    prosecution.match(text, t[0]) for g_ev, g in sentence_events if g_ev is ev for t in g):
                f = _Figure(f.start, f.end, f.value, "suspects", False, f.qualifier)  # "sent 4 to court"
            if not f.generic and f.category == "suspects" and any(
                    -30 <= m.start() - f.end <= 60 for m in escapes):
                f = _Figure(f.start, f.end, f.value, "fugitives", False, f.qualifier)  # suspects who got away
            if _category(f, ev.type) in ev.counts and len(sentence_events) > 1 and work_lang not in _NOUN_BEFORE_LANGS:
                # "255 were sent home, while the remaining 58 are still held": a second figure of the same
                # kind in one sentence belongs to the sentence's other happening
                other = _nearest(sentence_events, f.start, work_lang, exclude=(ev,))
                if other is not None and _category(f, other.type) not in other.counts:
                    ev = other
            if f.generic and arrested_then and _category(f, ev.type) == "people" and any(
                    t in arrested_then and not re.search(r"[,，;；:：()（）]", text[min(t[1], f.end):max(t[0], f.start)])
                    for g_ev, g in sentence_events if g_ev is ev for t in g):
                f = _Figure(f.start, f.end, f.value, "suspects", False, f.qualifier)  # "detained and deported 740"
            if victims_said and f.generic and (_category(f, ev.type) == "people" or ev.type == "detention") and id(ev) not in explicit_victims:
                # "52 nationals deceived into working...": the sentence calls the group victims
                f = _Figure(f.start, f.end, f.value, "victims", False, f.qualifier)
                upgraded[id(ev)] = f
            last_end = figure_end.get(id(ev))
            if _category(f, ev.type) in ev.counts and ev.counts[_category(f, ev.type)] != f.value \
                    and last_end is not None and work_lang in _LONG_SENTENCE_LANGS:
                group = next(g for g_ev, g in sentence_events if g_ev is ev)
                restated = [t for t in group if last_end <= t[0] and t[1] <= f.start and t[2] == ev.type]
                if restated:
                    # "...បណ្តេញ ជិត៦ពាន់នាក់ ... ស្ថិតិជនបរទេសដែលបានបណ្តេញចេញ ប្រចាំឆ្នាំ២០១៤ ១៣០៧នាក់": the event word
                    # said again before a second figure of the same kind starts a second happening (Khmer,
                    # Burmese and Lao run many clauses without a full stop)
                    ev = ExtractedEvent(type=ev.type, evidence=text[s:e], evidence_start=s, evidence_end=e)
                    sentence_events.append((ev, restated))
            figure_end[id(ev)] = f.end
            _add_figure(ev, f)
        sent_persons = [p for p in persons if s <= p.start and p.end <= e]
        for p in sent_persons:
            ev = _nearest_any(sentence_events, p.start)
            if not any(x["name"] == p.name for x in ev.persons):
                ev.persons.append({"name": p.name, "role": p.role})
        if len(sentence_events) > 1 and any(ev.counts for ev, _ in sentence_events):
            # a relative clause that only mentions another action ("who had been rescued") is context
            sentence_events = [(ev, g) for ev, g in sentence_events
                               if ev.counts or ev.persons or not L.relative_regex(work_lang).search(text[max(s, g[0][0] - 25):g[0][0]])]
        if len(sentence_events) > 1:
            sentence_events = [(ev, g) for ev, g in sentence_events if ev.type != "raid" or ev.counts]
        previous_date = next((ev.date for ev, _ in reversed(events) if ev.date), None)
        for ev, group in sentence_events:
            _fill(ev, text, s, e, dates, places, agencies, operations, op_names, group, work_lang, previous_date)
            events.append((ev, group))
        previous = (sentence_events[-1][0], e)

    headline_end = _headline_end(text)
    merged = _merge_duplicates([ev for ev, _ in events], headline_end)
    merged = _fold_retold(merged)
    merged = _fold_titles(text, merged)
    merged = _fold_rounded(merged)
    merged = _drop_tiers(merged, work_lang)
    merged = _fold_subsets(merged)
    merged = _fold_parts(merged, work_lang)
    merged = _fold_returns(merged)
    meeting = L.meeting_regex(work_lang)
    # an escape, a find or an indictment is an event when the text counts who or what; a bare mention is context
    merged = [ev for ev in merged if ev.type != "other" or ev.counts or ev.persons
              or (meeting is not None and meeting.search(ev.evidence))]
    _attach_other_persons(merged, persons, furniture)
    report = ExtractedReport(id=doc_id, language=lang, published=published, language_confidence=confidence,
                             events=merged, warnings=warnings)
    if not report.events:
        warnings.append("no events found")
    return report


def _attach_other_persons(events: list[ExtractedEvent], persons, furniture) -> None:
    """A person named outside the sentences that state an event (the spokesperson who "said" it in the
    next paragraph, a suspect named in the background) joins the event told just before, else the first:
    the report is about those events, and a name lost there is a name the reviewer must type again."""
    if not events:
        return
    by_start = sorted(events, key=lambda ev: ev.evidence_start)

    def known(name):
        # "Hun Manet’s" and "Hun Manet" are one person
        return any(name in x["name"] or x["name"] in name for ev in events for x in ev.persons)

    for p in persons:
        if known(p.name) or any(a <= p.start and p.end <= b for a, b in furniture):
            continue
        before = [ev for ev in by_start if ev.evidence_start <= p.start]
        target = before[-1] if before else by_start[0]
        target.persons.append({"name": p.name, "role": p.role})


def _headline_end(text: str) -> int:
    """End offset of a headline (a short first line without a full stop), else -1."""
    first = text.lstrip().split("\n", 1)[0].strip()
    if first and len(first) < 160 and first[-1:] not in ".!?。！？؟។။":
        return text.find(first) + len(first)
    return -1


def _compatible(a: ExtractedEvent, b: ExtractedEvent) -> bool:
    if a.type != b.type or (a.date and b.date and a.date != b.date):
        return False
    shared = set(a.counts) & set(b.counts)
    if any(a.counts[c] != b.counts[c] for c in shared):
        return False
    return True


def _merge_duplicates(events: list[ExtractedEvent], headline_end: int) -> list[ExtractedEvent]:
    """One event per fact: a headline repeating the body, or an announcement restated, is merged."""
    out: list[ExtractedEvent] = []
    for ev in events:
        target = None
        for kept in out:
            if not _compatible(kept, ev):
                continue
            in_headline = kept.evidence_end <= headline_end or ev.evidence_end <= headline_end
            same_figures = kept.counts and kept.counts == ev.counts
            restated = kept.type in ("operation_launch", "other") and not kept.counts and not ev.counts \
                and (kept.operation == ev.operation)
            if in_headline or same_figures or restated:
                target = kept
                break
        if target is None:
            out.append(ev)
            continue
        richer, other = (ev, target) if target.evidence_end <= headline_end else (target, ev)
        for field in ("countries", "places", "agencies"):
            setattr(richer, field, _dedupe(getattr(richer, field) + getattr(other, field)))
        for p in other.persons:
            if p not in richer.persons:
                richer.persons.append(p)
        for cat, value in other.counts.items():
            if cat not in richer.counts:
                richer.counts[cat] = value
                if cat in other.qualifiers:
                    richer.qualifiers[cat] = other.qualifiers[cat]
        richer.date = richer.date or other.date
        richer.operation = richer.operation or other.operation
        richer.confidence = min(0.95, max(richer.confidence, other.confidence) + 0.05)
        out[out.index(target)] = richer
    return out


def _absorb(richer: ExtractedEvent, other: ExtractedEvent):
    for field in ("countries", "places", "agencies"):
        setattr(richer, field, _dedupe(getattr(richer, field) + getattr(other, field)))
    for p in other.persons:
        if p not in richer.persons:
            richer.persons.append(p)
    richer.date = richer.date or other.date
    richer.operation = richer.operation or other.operation


def _fold_retold(events: list[ExtractedEvent]) -> list[ExtractedEvent]:
    """An event retold without figures ("the raid was carried out by 700 officers") is the same
    happening as the event of that type that has them, not a second one."""
    out = []
    for ev in events:
        # "other" gathers unlike happenings (meetings, escapes, indictments); a named suspect's own
        # arrest or sentence is a happening apart from the group's
        named = {p["name"] for p in ev.persons if p["role"] in ("suspect", "leader")}
        if not ev.counts and ev.type != "other" and not named:
            target = next((k for k in events if k is not ev and k.type == ev.type and k.counts
                           and not (k.date and ev.date and k.date != ev.date)), None)
            if target is None:
                target = next((k for k in out if k.type == ev.type and not k.counts
                               and not (k.date and ev.date and k.date != ev.date)), None)
            if target is None and ev.type == "raid":
                # "the raid was carried out by...": the raid is how the arrest or rescue told before was made
                target = next((k for k in events if k is not ev and k.type in OUTCOMES and k.counts
                               and not (k.date and ev.date and k.date != ev.date)), None)
            if target is not None:
                _absorb(target, ev)
                continue
        out.append(ev)
    return out


def _is_title(text: str, ev: ExtractedEvent) -> bool:
    """The event's evidence is a whole line with no full stop: a headline, a crosshead or a caption title."""
    line_start = text.rfind("\n", 0, ev.evidence_start) + 1
    line_end = text.find("\n", ev.evidence_end)
    line = text[line_start: len(text) if line_end < 0 else line_end].strip()
    return line == ev.evidence.strip() and len(line) < 200 and not re.search(r"[.!?。！？؟។။]$", line)


def _fold_titles(text: str, events: list[ExtractedEvent]) -> list[ExtractedEvent]:
    """A headline is never a second event: it joins the body's event that shares a figure or its type."""
    titles = [ev for ev in events if _is_title(text, ev)]
    body = [ev for ev in events if ev not in titles]
    out = []
    for ev in events:
        if ev in titles and body:
            values = set(ev.counts.values())
            target = next((k for k in body if values & set(k.counts.values())), None)
            if target is None and not ev.counts:
                target = next((k for k in body if k.type == ev.type), None)
            if target is None and ev.type == "raid":
                # "the raid was carried out by...": the raid is how the arrest or rescue told before was made
                target = next((k for k in events if k is not ev and k.type in OUTCOMES and k.counts
                               and not (k.date and ev.date and k.date != ev.date)), None)
            if target is not None:
                _absorb(target, ev)
                continue
        out.append(ev)
    return out


def _fold_subsets(events: list[ExtractedEvent]) -> list[ExtractedEvent]:
    """The same happening told again with fewer figures ("arrested 497 suspects" in the lead, "arrested 497
    suspects, 46 of them fugitives" in the body) is one event: the one with more figures keeps them all."""
    out = list(events)
    for ev in events:
        if not ev.counts or ev not in out:
            continue
        fuller = next((k for k in out if k is not ev and k.type == ev.type and len(k.counts) > len(ev.counts)
                       and all(k.counts.get(c) == v for c, v in ev.counts.items())
                       and not (k.date and ev.date and k.date != ev.date)), None)
        if fuller is not None:
            _absorb(fuller, ev)
            out.remove(ev)
    return out


_PERSON_CATEGORIES = ("people", "victims", "suspects")
# deported by one side, received home by the other: one happening. A handover (to another authority, to the
# home province) is a later step of its own (annotation rules).
_RETURNS = ("repatriation", "deportation")


def _near_dates(a: str | None, b: str | None, days: int = 7) -> bool:
    """No clash between two dates: either unknown, or within ``days`` (a group received over 18-19 October
    and reported processed on the 24th)."""
    if not a or not b:
        return True
    try:
        return abs((date.fromisoformat(a[:10]) - date.fromisoformat(b[:10])).days) <= days
    except ValueError:
        return a == b


def _part_values(evidence: str, lang: str) -> set[int]:
    """Numbers told right after an "including" word ("611 WNA, termasuk 48 WNI"): parts of the sentence's
    total. ``int`` reads native digits too (Khmer, Burmese, Lao, Thai)."""
    words = L.continuation_regex(lang)
    values = set()
    for m in re.finditer(r"\d[\d.,\u066c\u060c]*", evidence):
        if words.search(evidence[max(0, m.start() - 16): m.start()]):
            digits = re.sub(r"\D", "", m.group())
            if digits:
                values.add(int(digits))
    return values


def _fold_parts(events: list[ExtractedEvent], lang: str) -> list[ExtractedEvent]:
    """A lead's figure that the body tells as part of a bigger total ("menangkap 48 WNI" in the lead, "611 WNA,
    termasuk 48 WNI yang ditangkap" in the body) is that part, not a second event (annotation rules: the
    total is the figure)."""
    out = list(events)
    for ev in events:
        if not ev.counts or ev not in out:
            continue
        whole = next((k for k in out if k is not ev and _same_kind(k.type, ev.type)
                      and all(v in _part_values(k.evidence, lang) and any(w > v for w in k.counts.values())
                              for v in ev.counts.values())
                      and not (k.date and ev.date and k.date != ev.date)), None)
        if whole is not None:
            _absorb(whole, ev)
            out.remove(ev)
    return out


def _fold_returns(events: list[ExtractedEvent]) -> list[ExtractedEvent]:
    """One group sent home told in several words ("tiếp nhận năm công dân" = received, "trục xuất" = deported;
    送還 and 強制送還) is one event: deportation and repatriation events with the same number of persons and
    dates at most a week apart are merged. Deportation, the more specific word, and a named category (victims, suspects)
    rather than plain "people", win."""
    out: list[ExtractedEvent] = []
    for ev in events:
        person = [(c, v) for c, v in ev.counts.items() if c in _PERSON_CATEGORIES]
        target = None
        if ev.type in _RETURNS and len(person) == 1 and len(ev.counts) == 1:
            value = person[0][1]
            target = next((k for k in out if k.type in _RETURNS and len(k.counts) == 1
                           and any(k.counts.get(c) == value for c in _PERSON_CATEGORIES)
                           and _near_dates(k.date, ev.date)), None)
        if target is None:
            out.append(ev)
            continue
        if target.date and ev.date and ev.date < target.date:
            target.date = ev.date  # the group's arrival; a later date is its processing
        (kept_cat, value), = target.counts.items()
        cat = person[0][0]
        if kept_cat == "people" and cat != "people":
            target.counts = {cat: value}
            target.qualifiers = {cat: ev.qualifiers[cat]} if cat in ev.qualifiers else {}
        if ev.type == "deportation":
            target.type = "deportation"
        _absorb(target, ev)
    return out


def _drop_tiers(events: list[ExtractedEvent], lang: str) -> list[ExtractedEvent]:
    """A verdict's total ("21 members were convicted") is its figure; the tiers told near it ("five to death,
    two suspended, five to life") are not figures, and a tier told alone near the total is no second event."""
    tiers = L.tier_regex(lang)
    if tiers is None:
        return events
    totals = [ev for ev in events if ev.type == "sentence" and ev.counts.get("sentenced")
              and not tiers.search(ev.evidence)]
    if not totals:
        return events
    out = []
    for ev in events:
        near = any(abs(ev.evidence_start - t.evidence_start) < 700 for t in totals)
        if ev not in totals and near and ev.type in ("sentence", "death") and tiers.search(ev.evidence) \
                and not L.EXECUTIONS.search(ev.evidence):
            total = next(t for t in totals if abs(ev.evidence_start - t.evidence_start) < 700)
            for cat in ("sentenced", "leaders", "deaths", "suspects"):
                if ev.counts.get(cat, 0) < total.counts["sentenced"]:
                    ev.counts.pop(cat, None)
                    ev.qualifiers.pop(cat, None)
            if not ev.counts:
                _absorb(total, ev)
                continue
        out.append(ev)
    return out


def _rounds(vague: int, qualifier: str | None, exact: int) -> bool:
    """``vague`` with its qualifier ("more than 1,000", "about 1,600") is a rounding of ``exact`` (1,746; 1,590)."""
    if qualifier == "about":
        return abs(exact - vague) <= 0.1 * vague
    if qualifier in ("more_than", "at_least"):
        return vague < exact <= vague * 2 if qualifier == "more_than" else vague <= exact <= vague * 2
    return False


def _same_kind(a: str, b: str) -> bool:
    """Arrest and detention tell one capture in different words ("ditangkap" in the lead, "penahanan" below)."""
    return a == b or {a, b} <= {"arrest", "detention"}


def _fold_rounded(events: list[ExtractedEvent]) -> list[ExtractedEvent]:
    """One group told at two precisions ("more than 10,000 arrested" in the lead, "10,119 arrested" in the
    body) is one event with the most precise figure (annotation rules): the rounded figure goes, and its
    event too when nothing else is left in it."""
    out = list(events)
    for ev in events:
        for cat, value in list(ev.counts.items()):
            qualifier = ev.qualifiers.get(cat)
            if qualifier not in ("more_than", "about", "at_least"):
                continue
            precise = next((k for k in out if k is not ev and cat in k.counts
                            and (k.type == ev.type or (_same_kind(k.type, ev.type)
                                                       and not (k.date and ev.date and k.date != ev.date)))
                            and k.qualifiers.get(cat) != qualifier and k.counts[cat] != value
                            and _rounds(value, qualifier, k.counts[cat])), None)
            if precise is None and cat != "people":
                # "800명 이상의 한국 시민" in the deportation, "한국인 869명을 속여" in a sentence with no event
                # word of its own: the precise figure is the deported group's, told where the scheme is described
                told = next((k for k in out if k is not ev and k.type == "other" and cat in k.counts
                             and k.qualifiers.get(cat) != qualifier and _rounds(value, qualifier, k.counts[cat])),
                            None)
                if told is not None:
                    ev.counts[cat] = told.counts.pop(cat)
                    ev.qualifiers.pop(cat, None)
                    if cat in told.qualifiers:
                        ev.qualifiers[cat] = told.qualifiers.pop(cat)
                    if not told.counts and not told.persons:
                        _absorb(ev, told)
                        out.remove(told)
                continue
            if precise is None:
                continue
            del ev.counts[cat]
            ev.qualifiers.pop(cat, None)
            if not ev.counts and ev in out:
                _absorb(precise, ev)
                out.remove(ev)
    return out


def _group(triggers):
    """Triggers of outcome types form one event; every other type its own event."""
    groups, outcome = [], None
    for t in triggers:
        if t[2] in OUTCOMES:
            if outcome is None:
                outcome = [t]
                groups.append(outcome)
            else:
                outcome.append(t)
        elif any(g[0][2] == t[2] for g in groups):
            next(g for g in groups if g[0][2] == t[2]).append(t)
        else:
            groups.append([t])
    return groups


def _event_type(group, figures, sentence: str) -> str:
    types = [t[2] for t in group]
    if len(set(types)) > 1 and SUMMARY.search(sentence) and len({f.category for f in figures}) >= 2:
        return "other"
    kinds = set(types)
    persons_counted = any(f.category in PERSON_CATEGORIES for f in figures)
    for preferred in ("arrest", "rescue", "detention", "site_closure", "raid"):
        if preferred in kinds and preferred != "raid":
            # the raid is how; the arrest, rescue or detention is what happened
            first = next(t for t in types if t in OUTCOMES and t != "raid")
            if first == "site_closure" and persons_counted:
                # "demolished buildings and arrested 1,000 foreigners": persons counted tell the arrest
                first = next((t for t in types if t in OUTCOMES and t not in ("raid", "site_closure")), first)
            return first
    etype = types[0]
    if etype == "extradition" and any(f.value >= 10 and f.category in ("suspects", None) for f in figures):
        return "handover"  # mass transfers of scam suspects are handovers, not formal extraditions
    return etype


def _nearest(sentence_events, pos, lang="en", exclude=()):
    """The event whose keyword is nearest; the verb before an object wins where verbs come first."""
    verb_last = lang in ("ja", "ko", "my")
    best, best_d = None, None
    for ev, group in sentence_events:
        if any(ev is x for x in exclude):
            continue
        for t in group:
            before = t[1] <= pos
            d = min(abs(pos - t[0]), abs(pos - t[1]))
            if before != (not verb_last):
                d = d * 3 + 20  # keyword on the unusual side: only if nothing closer on the usual side
            if best_d is None or d < best_d:
                best, best_d = ev, d
    return best


def _nearest_any(sentence_events, pos):
    best, best_d = None, None
    for ev, group in sentence_events:
        for t in group:
            d = min(abs(pos - t[0]), abs(pos - t[1]))
            if best_d is None or d < best_d:
                best, best_d = ev, d
    return best


def _category(f: _Figure, etype: str) -> str:
    if f.generic:
        return GENERIC_BY_TYPE.get(etype, "people")
    if etype == "sentence" and f.category in ("suspects", "leaders", "fugitives"):
        return "sentenced"  # "sentenced 7 defendants", "death sentences for 11 top leaders": the persons sentenced
    return f.category


def _add_figure(ev: ExtractedEvent, f: _Figure):
    cat = _category(f, ev.type)
    if cat in ev.counts or (cat == "deaths" and ev.type == "sentence"):
        return  # a verdict "for offences including the deaths of six": the deaths are the crime judged
    ev.counts[cat] = f.value
    if f.qualifier:
        ev.qualifiers[cat] = f.qualifier


def _continue_event(text, ev: ExtractedEvent, s, e, figures, lang):
    """Figures of an "among them..." sentence join the event before; breakdowns by nationality do not."""
    added = False
    for f in figures:
        if f.generic:
            continue
        cat = _category(f, ev.type)
        if cat not in ev.counts:
            _add_figure(ev, f)
            added = True
    if added:
        ev.evidence_end = e
        ev.evidence = text[ev.evidence_start:e]
        ev.confidence = max(0.3, ev.confidence - 0.05)


def _next_day(value: str) -> str:
    import datetime as dt

    m = re.fullmatch(r"(\d{4})-(\d{2})-(\d{2})|--(\d{2})-(\d{2})", value or "")
    if not m:
        return value
    year = int(m[1]) if m[1] else 2001  # a non-leap year stands in for an unknown one
    day = dt.date(year, int(m[2] or m[4]), int(m[3] or m[5])) + dt.timedelta(days=1)
    return day.isoformat() if m[1] else f"--{day.month:02d}-{day.day:02d}"


def _is_dateline(text: str, start: int) -> bool:
    """A date or place opening a line and followed by a dash: the report's dateline."""
    line_start = text.rfind("\n", 0, start) + 1
    return start - line_start <= 40 and bool(re.search(r"^[^\n]{0,60}?\s[-–—]\s", text[line_start:line_start + 80]))


def _fill(ev, text, s, e, dates, places, agencies, operations, op_names, group, lang, previous_date=None):
    # the start of a span and the day a statement was made are not the event's date; a running total
    # over an open span ("detained since January", "so far") is dated only by a stated end ("as of 27 Oct")
    ds = [d for d in _hits_in(dates, s, e) if d.value and not d.role]
    if ds and OPEN_SPAN.search(text, s, e):
        ds = [d for d in ds if not d.relative]
    if len(ds) > 1:
        ds = [d for d in ds if not _is_dateline(text, d.start)] or ds
    if ds:
        trig = group[0][0]
        ev.date = min(ds, key=lambda d: abs(d.start - trig)).value
    elif previous_date and SAME_DAY.search(text[s:e]):
        ev.date = previous_date
    next_day = NEXT_DAY.search(text, s, e)
    if next_day and next_day.start() < group[0][0] and (ev.date or previous_date):
        # "并于次日将其移交", "the next day they were handed over": one day after the date given before
        earlier = [d for d in ds if d.start < next_day.start()]
        base = earlier[-1].value if earlier else (previous_date if not ds else None)
        if base:
            ev.date = _next_day(base)
    hits = [h for h in _hits_in(places, s, e)
            if not (h.kind == "place" and _is_dateline(text, h.start) and h.start == text.rfind("\n", 0, h.start) + 1)]
    codes = [h.country for h in hits if h.country]
    if not codes:
        # a sentence naming no country ("They were flown home on Friday") takes the countries and
        # nationalities of its paragraph, which tells the same happening; places only from the sentence
        para_start, para_end = text.rfind("\n", 0, s) + 1, text.find("\n", e)
        codes = [h.country for h in _hits_in(places, para_start, para_end if para_end >= 0 else len(text))
                 if h.country and h.kind != "place"]
    ev.countries = _dedupe(codes)
    ev.places = _dedupe([h.text for h in hits if h.kind == "place"])
    ev.agencies = _dedupe([a.text for a in _hits_in(agencies, s, e)])
    ops = [o.text for o in _hits_in(operations, s, e)]
    if ops:
        ev.operation = ops[0]
    elif len(op_names) == 1 and operations and operations[0].start < s:
        ev.operation = op_names[0]
    confidence = 0.45
    if ev.counts:
        confidence += 0.2
    if ev.date:
        confidence += 0.1
    if ev.countries or ev.places:
        confidence += 0.1
    if ev.agencies:
        confidence += 0.05
    if _is_plan(text, s, group[0][0], lang):
        confidence -= 0.15
    ev.confidence = round(max(0.05, min(0.95, confidence)), 3)
