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

from . import lexicon as L
from .dates import find_dates, find_published
from .entities import find_agencies, find_operations, find_persons
from .gazetteer import find_places
from .langid import detect_language, paragraph_languages
from .model import ExtractedEvent, ExtractedReport
from .numbers import find_numbers
from .segment import furniture_spans, sentences

OUTCOMES = {"raid", "arrest", "detention", "rescue", "site_closure"}
# which category a generic noun ("people") takes in an event of this type
GENERIC_BY_TYPE = {"arrest": "suspects", "raid": "suspects", "rescue": "victims", "death": "deaths",
                   "sentence": "sentenced", "extradition": "suspects"}
PERSON_CATEGORIES = ("suspects", "leaders", "fugitives", "victims", "people", "deaths", "sentenced")
# a classifier right after the number says what is counted, whatever noun is further away
_PERSON_CLASSIFIER = re.compile(r"^\s?(?:余|多|여)?(?:名|人|个人|명|คน|ราย|នាក់|ຄົນ|ລາຍ|ဦး|ယောက်)")
_NOT_COUNT_BEFORE = re.compile(r"(?:tháng|ngày|năm|lúc|số|phase|tahap|giai đoạn|No\.|nomor|第|Tahap|Phase|vol\.|"
                               r"Level|level|lantai|tầng|Km|km|Jl\.|Rp|RM|USD|\$)\s*$")
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
    r"歳|岁|岁|세|살|ปี|ឆ្នាំ|ປີ|နှစ်|سنة|سنوات|عاما|عامًا|دولار|بالمئة|٪|triệu đồng|đồng|juta rupiah|"
    r"억\s?원|만\s?원|천\s?원|억|am\b|pm\b|h\d|h\b|:\d|/\d|\.\d|เดือน|วัน|ชั่วโมง|ខែ|ថ្ងៃ|ເດືອນ|ວັນ|လ\b|ရက်|月|日|号|년|월|일|時|点)",
    re.IGNORECASE)
_MONEY_BEFORE = re.compile(r"(?:\$|USD|US\$|RM|Rp\.?|₱|PHP|฿|¥|€|£|VND|KHR|MMK|LAK|THB|CNY|Php|P)\s?$")
_MODIFIER_AFTER = {
    "ja": re.compile(r"(?:された|した|されている)(?:人|者|外国人|日本人|男|女|の)"),
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
_NOUN_BEFORE_LANGS = {"zh", "ja", "ko", "th", "lo", "km", "my"}


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
            if re.fullmatch(r"[\s\u00a0]*", before[m.end():]):
                left = before[m.start() - 1: m.start()] if m.start() else ""
                if not left or not left.isalpha() or lang in L.NO_SPACE:
                    return q
    after = text[end: end + 12]
    for q, pattern in pats["after"]:
        m = pattern.match(after.lstrip(" \u00a0")) if lang not in L.NO_SPACE else pattern.match(after.lstrip(" ")) \
            or pattern.match(re.sub(r"^\s?(?:名|人|คน|នាក់|ຄົນ|ဦး|명)", "", after))
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
    for i, n in enumerate(inside):
        if any(a <= n.start < b for a, b in date_spans):
            continue
        if _VAGUE.match(n.text) or _VAGUE_BEFORE.search(text[max(s, n.start - 6): n.start]):
            continue  # "hundreds of", "ratusan", "数百", "หลายร้อย": vague amounts are not figures
        after_text = text[n.end: min(e, n.end + window_after, inside[i + 1].start if i + 1 < len(inside) else e)]
        if _UNIT_AFTER.match(after_text) or _MONEY_BEFORE.search(text[max(s, n.start - 5): n.start]) \
                or _NOT_COUNT_BEFORE.search(text[max(s, n.start - 14): n.start]):
            continue
        if text[n.start - 1:n.start] == "(" and text[n.end:n.end + 1] == ")":
            continue  # "Kim (42)": an age
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
            people = dict(cats)["people"].match(after_text.lstrip(" \u00a0"))
            person_only = bool(people)
        for cat, pattern in cats:
            if person_only and cat not in PERSON_CATEGORIES:
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
                    cand = (dist, cat, cat == "people")
                    if space_lang and best is not None and not best[2]:
                        continue
                    if best is None or (cand[2], cand[0]) < (best[2], best[0]):
                        best = cand
        if best is None:
            if not person_only:
                continue
            best = (0, "people", True)
        if best[1] == "suspects" and re.match(r"suspected\s+(?:\w+\s+){0,3}victims", after_text[best[0]:] if space_lang else ""):
            best = (best[0], "victims", False)  # "suspected trafficking victims"
        if best[1] == "sites" and n.value == 1:
            continue  # "a compound", "sebuah kompleks", "一处窝点": an article, not a figure
        out.append(_Figure(n.start, n.end, n.value, best[1], best[2], _qualifier(text, n.start, n.end, lang)))
    return out


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
    persons = [p for p in persons if not any(a.start <= p.start and p.end <= a.end for a in agencies)]
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
        if "deportation" in types and "repatriation" in types:
            triggers = [t for t in triggers if t[2] != "repatriation"]
        if work_lang in _MODIFIER_AFTER:
            # "保護された人", "구금된 한국인", "被解救的人员": the keyword describes people, it is not the event
            triggers = [t for t in triggers if not _MODIFIER_AFTER[work_lang].match(text[t[1]:t[1] + 8])]
        if work_lang == "tl":
            # "ang mga naaresto": the plural marker makes the verb a noun ("the arrested"), not an action
            triggers = [t for t in triggers if not re.search(r"(?<!\w)mga\s+$", text[max(s, t[0] - 5):t[0]])]
        if work_lang == "my":
            # "ဖမ်းဆီးရမိသူများ": the verb made a noun ("those arrested") names people, not an action
            triggers = [t for t in triggers if not re.match(r"(?:ရမိ|ခံရ)?သူ", text[t[1]:t[1] + 4])]
        if not triggers:
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
        explicit_victims = {id(ev) for f, ev in placed if not f.generic and f.category == "victims"}
        for f, ev in placed:
            if victims_said and f.generic and _category(f, ev.type) == "people" and id(ev) not in explicit_victims:
                # "52 nationals deceived into working...": the sentence calls the group victims
                f = _Figure(f.start, f.end, f.value, "victims", False, f.qualifier)
                upgraded[id(ev)] = f
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
    meeting = L.meeting_regex(work_lang)
    # an escape, a find or an indictment is an event when the text counts who or what; a bare mention is context
    merged = [ev for ev in merged if ev.type != "other" or ev.counts or ev.persons
              or (meeting is not None and meeting.search(ev.evidence))]
    report = ExtractedReport(id=doc_id, language=lang, published=published, language_confidence=confidence,
                             events=merged, warnings=warnings)
    if not report.events:
        warnings.append("no events found")
    return report


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
    for preferred in ("arrest", "rescue", "detention", "site_closure", "raid"):
        if preferred in kinds and preferred != "raid":
            # the raid is how; the arrest, rescue or detention is what happened
            first = next(t for t in types if t in OUTCOMES and t != "raid")
            return first
    etype = types[0]
    if etype == "extradition" and any(f.value >= 10 and f.category in ("suspects", None) for f in figures):
        return "handover"  # mass transfers of scam suspects are handovers, not formal extraditions
    return etype


def _nearest(sentence_events, pos, lang="en"):
    """The event whose keyword is nearest; the verb before an object wins where verbs come first."""
    verb_last = lang in ("ja", "ko", "my")
    best, best_d = None, None
    for ev, group in sentence_events:
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
    if etype == "sentence" and f.category == "suspects":
        return "sentenced"  # "sentenced 7 defendants"
    return f.category


def _add_figure(ev: ExtractedEvent, f: _Figure):
    cat = _category(f, ev.type)
    if cat in ev.counts:
        return
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
    ds = [d for d in _hits_in(dates, s, e) if d.value]
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
