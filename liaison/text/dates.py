"""Dates in reports, as precise as the text states them.

Plain Python, no Django. Candidate spans are found with regexes (month names of
fourteen languages, numeric and CJK forms, relative words) and only those spans
are read, which is what keeps extraction fast. Hand-written rather than
``dateparser.search_dates`` because we must know which parts the text *states*:
dateparser fills a missing year with the current one, and the registry keeps
"18 November" as ``--11-18`` unless the report's own date supplies the year.
Thai Buddhist-era years (2567) become Gregorian (2024).
"""
from __future__ import annotations

import datetime as dt
import re
import unicodedata
from dataclasses import dataclass
from functools import lru_cache

from .numbers import to_ascii_digits

MONTHS: dict[str, list[list[str]]] = {
    # index 0 = January; each month lists its spellings (full, abbreviated)
    "en": [["January", "Jan"], ["February", "Feb"], ["March", "Mar"], ["April", "Apr"], ["May"], ["June", "Jun"],
           ["July", "Jul"], ["August", "Aug"], ["September", "Sept", "Sep"], ["October", "Oct"],
           ["November", "Nov"], ["December", "Dec"]],
    "fr": [["janvier", "janv"], ["février", "fevrier", "févr"], ["mars"], ["avril", "avr"], ["mai"], ["juin"],
           ["juillet", "juil"], ["août", "aout"], ["septembre", "sept"], ["octobre", "oct"], ["novembre", "nov"],
           ["décembre", "decembre", "déc"]],
    "id": [["Januari", "Jan"], ["Februari", "Pebruari", "Feb"], ["Maret", "Mac", "Mar"], ["April", "Apr"], ["Mei"],
           ["Juni", "Jun"], ["Juli", "Julai", "Jul"], ["Agustus", "Ogos", "Agu", "Ags", "Ogo"],
           ["September", "Sept", "Sep"], ["Oktober", "Okt"], ["November", "Nopember", "Nov"],
           ["Desember", "Disember", "Des", "Dis"]],
    "tl": [["Enero"], ["Pebrero", "Febrero"], ["Marso"], ["Abril"], ["Mayo"], ["Hunyo"], ["Hulyo"], ["Agosto"],
           ["Setyembre", "Septiyembre"], ["Oktubre"], ["Nobyembre"], ["Disyembre"]],
    "th": [["มกราคม", "ม.ค."], ["กุมภาพันธ์", "ก.พ."], ["มีนาคม", "มี.ค."], ["เมษายน", "เม.ย."], ["พฤษภาคม", "พ.ค."],
           ["มิถุนายน", "มิ.ย."], ["กรกฎาคม", "ก.ค."], ["สิงหาคม", "ส.ค."], ["กันยายน", "ก.ย."], ["ตุลาคม", "ต.ค."],
           ["พฤศจิกายน", "พ.ย."], ["ธันวาคม", "ธ.ค."]],
    "lo": [["ມັງກອນ"], ["ກຸມພາ"], ["ມີນາ"], ["ເມສາ"], ["ພຶດສະພາ"], ["ມິຖຸນາ"], ["ກໍລະກົດ"], ["ສິງຫາ"], ["ກັນຍາ"],
           ["ຕຸລາ"], ["ພະຈິກ"], ["ທັນວາ"]],
    "km": [["មករា"], ["កុម្ភៈ", "កុម្ភះ"], ["មីនា"], ["មេសា"], ["ឧសភា"], ["មិថុនា"], ["កក្កដា"], ["សីហា"], ["កញ្ញា"],
           ["តុលា"], ["វិច្ឆិកា"], ["ធ្នូ"]],
    "my": [["ဇန်နဝါရီ"], ["ဖေဖော်ဝါရီ"], ["မတ်"], ["ဧပြီ"], ["မေ"], ["ဇွန်"], ["ဇူလိုင်"], ["ဩဂုတ်", "သြဂုတ်"],
           ["စက်တင်ဘာ"], ["အောက်တိုဘာ"], ["နိုဝင်ဘာ"], ["ဒီဇင်ဘာ"]],
    "ar": [["يناير", "كانون الثاني"], ["فبراير", "شباط"], ["مارس", "آذار"], ["أبريل", "ابريل", "نيسان"],
           ["مايو", "أيار"], ["يونيو", "يونيه", "حزيران"], ["يوليو", "يوليه", "تموز"], ["أغسطس", "اغسطس", "آب"],
           ["سبتمبر", "أيلول"], ["أكتوبر", "اكتوبر", "تشرين الأول"], ["نوفمبر", "تشرين الثاني"],
           ["ديسمبر", "كانون الأول"]],
}
MONTHS["ms"] = MONTHS["id"]

WEEKDAYS: dict[str, list[list[str]]] = {  # index 0 = Monday
    "en": [["Monday"], ["Tuesday"], ["Wednesday"], ["Thursday"], ["Friday"], ["Saturday"], ["Sunday"]],
    "fr": [["lundi"], ["mardi"], ["mercredi"], ["jeudi"], ["vendredi"], ["samedi"], ["dimanche"]],
    "id": [["Senin", "Isnin"], ["Selasa"], ["Rabu"], ["Kamis", "Khamis"], ["Jumat", "Jumaat", "Jum'at"], ["Sabtu"],
           ["Minggu", "Ahad"]],
    "tl": [["Lunes"], ["Martes"], ["Miyerkules"], ["Huwebes"], ["Biyernes"], ["Sabado"], ["Linggo"]],
    "vi": [["thứ Hai", "thứ hai"], ["thứ Ba", "thứ ba"], ["thứ Tư", "thứ tư"], ["thứ Năm", "thứ năm"],
           ["thứ Sáu", "thứ sáu"], ["thứ Bảy", "thứ bảy"], ["Chủ nhật", "chủ nhật"]],
    "zh": [["星期一", "周一", "礼拜一"], ["星期二", "周二"], ["星期三", "周三"], ["星期四", "周四"], ["星期五", "周五"],
           ["星期六", "周六"], ["星期日", "星期天", "周日"]],
    "ja": [["月曜日", "月曜"], ["火曜日", "火曜"], ["水曜日", "水曜"], ["木曜日", "木曜"], ["金曜日", "金曜"],
           ["土曜日", "土曜"], ["日曜日", "日曜"]],
    "ko": [["월요일"], ["화요일"], ["수요일"], ["목요일"], ["금요일"], ["토요일"], ["일요일"]],
    "th": [["วันจันทร์"], ["วันอังคาร"], ["วันพุธ"], ["วันพฤหัสบดี", "วันพฤหัสฯ"], ["วันศุกร์"], ["วันเสาร์"], ["วันอาทิตย์"]],
    "lo": [["ວັນຈັນ"], ["ວັນອັງຄານ"], ["ວັນພຸດ"], ["ວັນພະຫັດ"], ["ວັນສຸກ"], ["ວັນເສົາ"], ["ວັນອາທິດ"]],
    "km": [["ថ្ងៃច័ន្ទ"], ["ថ្ងៃអង្គារ"], ["ថ្ងៃពុធ"], ["ថ្ងៃព្រហស្បតិ៍"], ["ថ្ងៃសុក្រ"], ["ថ្ងៃសៅរ៍"], ["ថ្ងៃអាទិត្យ"]],
    "my": [["တနင်္လာ"], ["အင်္ဂါ"], ["ဗုဒ္ဓဟူး"], ["ကြာသပတေး"], ["သောကြာ"], ["စနေ"], ["တနင်္ဂနွေ"]],
    "ar": [["الاثنين", "الإثنين"], ["الثلاثاء"], ["الأربعاء"], ["الخميس"], ["الجمعة"], ["السبت"], ["الأحد"]],
}
WEEKDAYS["ms"] = WEEKDAYS["id"]

RELATIVE: dict[str, dict[str, list[str]]] = {
    "en": {"yesterday": ["yesterday"], "today": ["today", "this morning"], "last_week": ["last week"],
           "last_month": ["last month"]},
    "fr": {"yesterday": ["hier"], "today": ["aujourd'hui", "aujourd’hui", "ce matin"],
           "last_week": ["la semaine dernière", "la semaine passée"], "last_month": ["le mois dernier"]},
    "id": {"yesterday": ["kemarin"], "today": ["hari ini"], "last_week": ["minggu lalu", "pekan lalu"],
           "last_month": ["bulan lalu"]},
    "ms": {"yesterday": ["semalam"], "today": ["hari ini"], "last_week": ["minggu lalu", "minggu lepas"],
           "last_month": ["bulan lalu", "bulan lepas"]},
    "tl": {"yesterday": ["kahapon"], "today": ["ngayong araw", "ngayon"],
           "last_week": ["nakaraang linggo", "noong isang linggo"], "last_month": ["nakaraang buwan"]},
    "vi": {"yesterday": ["hôm qua"], "today": ["hôm nay"], "last_week": ["tuần trước", "tuần qua"],
           "last_month": ["tháng trước"]},
    "zh": {"yesterday": ["昨天", "昨日"], "today": ["今天", "今日"], "last_week": ["上周", "上星期"], "last_month": ["上月", "上个月"]},
    "ja": {"yesterday": ["昨日"], "today": ["今日", "本日"], "last_week": ["先週"], "last_month": ["先月"]},
    "ko": {"yesterday": ["어제"], "today": ["오늘"], "last_week": ["지난주"], "last_month": ["지난달"]},
    "th": {"yesterday": ["เมื่อวานนี้", "เมื่อวาน"], "today": ["วันนี้"], "last_week": ["สัปดาห์ที่แล้ว", "สัปดาห์ก่อน"],
           "last_month": ["เดือนที่แล้ว"]},
    "lo": {"yesterday": ["ມື້ວານນີ້", "ມື້ວານ"], "today": ["ມື້ນີ້"], "last_week": ["ອາທິດແລ້ວ", "ອາທິດຜ່ານມາ"],
           "last_month": ["ເດືອນແລ້ວ"]},
    "km": {"yesterday": ["ម្សិលមិញ"], "today": ["ថ្ងៃនេះ"], "last_week": ["សប្តាហ៍មុន", "សប្ដាហ៍មុន"],
           "last_month": ["ខែមុន"]},
    "my": {"yesterday": ["မနေ့က", "မနေ့"], "today": ["ယနေ့"], "last_week": ["ပြီးခဲ့သည့်အပတ်", "ပြီးခဲ့သောအပတ်"],
           "last_month": ["ပြီးခဲ့သည့်လ"]},
    "ar": {"yesterday": ["أمس", "الأمس"], "today": ["اليوم"], "last_week": ["الأسبوع الماضي"],
           "last_month": ["الشهر الماضي"]},
}

PUBLISH_WORDS = re.compile(
    r"(?:published|posted|updated|mise à jour|publié|diterbitkan|dipublikasikan|diperbarui|dikemas kini|"
    r"disiarkan|inilathala|nai-publish|cập nhật|đăng|发布|發布|發佈|发表|發表|更新|配信|公開|掲載|등록|입력|수정|เผยแพร่|ປັບປຸງ|ເຜີຍແຜ່|ផ្សាយ|"
    r"ထုတ်ပြန်|نشر|تحديث)", re.IGNORECASE)


@dataclass(frozen=True)
class DateHit:
    start: int
    end: int
    value: str      # partial date text: YYYY, YYYY-MM, YYYY-MM-DD or --MM-DD
    relative: bool = False
    # "start": the start of a span ("since March", "from 2014 to June 2020"), never the date a total
    # holds at; "said": the day a statement was made ("the police said on Monday"), not the event's
    role: str = ""


def _year(text: str, lang: str | None) -> int | None:
    y = int(to_ascii_digits(text))
    if y < 100:  # two-digit years: Thai "67" (B.E. 2567), else 20xx
        y = (2500 + y - 543) if lang == "th" else 2000 + y
    if 2400 <= y <= 2700:  # Buddhist era
        y -= 543
    return y if 1950 <= y <= 2100 else None


def _fmt(year, month, day) -> str | None:
    try:
        if year and month and day:
            dt.date(year, month, day)
            return f"{year:04d}-{month:02d}-{day:02d}"
        if year and month:
            return f"{year:04d}-{month:02d}" if 1 <= month <= 12 else None
        if month and day:
            dt.date(2000, month, day)
            return f"--{month:02d}-{day:02d}"
        if year:
            return f"{year:04d}"
    except ValueError:
        return None
    return None


_D = r"\d{1,2}"
_Y = r"\d{4}"


@lru_cache(maxsize=None)
def _month_alt(lang: str) -> tuple[str, dict[str, int]]:
    table = {}
    for i, names in enumerate(MONTHS[lang]):
        for name in names:
            table[name.lower()] = i + 1
    alt = "|".join(re.escape(n) for n in sorted(table, key=len, reverse=True))
    return alt, table


_COMPILED: dict[str, list[tuple[re.Pattern, str]]] = {}


def _patterns(lang: str) -> list[tuple[re.Pattern, str]]:
    """(pattern, order) pairs; order tells which group is day, month, year."""
    if lang in _COMPILED:
        return _COMPILED[lang]
    pats: list[tuple[str, str]] = [
        (rf"(?<!\d)(?P<y>{_Y})-(?P<m>\d{{2}})-(?P<d>\d{{2}})(?!\d)", "iso"),
        (rf"(?<![\d.])(?P<y>{_Y})[./](?P<m>\d{{1,2}})[./](?P<d>\d{{1,2}})(?![\d])", "iso"),
        (rf"(?<!\d)(?:(?P<y>{_Y})\s*[年년]\s*)?(?P<m>{_D})\s*[月월]\s*(?P<d>{_D})\s*[日号號일]", "cjk"),
        (rf"(?<!\d)(?P<y>{_Y})\s*[年년]\s*(?P<m>{_D})\s*[月월](?!\s*\d)", "cjk"),
        (rf"(?<![\d/.])(?P<d>{_D})[/.](?P<m>{_D})(?:[/.](?P<y>\d{{4}}|\d{{2}}))?(?![\d/]|\.\d)(?!\s*°|\s*[CF]\b)", "dmy"),
        (rf"(?<![\d\-/.])(?P<d>{_D})(?:-|\.\s)(?P<m>{_D})(?:-|\.\s)(?P<y>\d{{4}})(?![\d\-])", "dmy"),
        (rf"(?<![\d\w])(?:năm|tahun|taon|ปี|พ\.ศ\.|ค\.ศ\.|ឆ្នាំ|ປີ|عام|سنة)\s*(?P<y>{_Y})(?!\d)", "year"),
        (rf"(?<!\d)(?P<y>{_Y})\s*(?:年|년|ခုနှစ်)(?![\d月월])", "year"),
        (rf"(?<![\w\d])(?:in|en|since|depuis|sejak|pada|noong|dalam) (?P<y>20\d\d)(?!\d)", "year"),
    ]
    if lang == "vi":
        pats.insert(0, (rf"tháng\s*(?P<m>{_D})\s*(?:/|năm)\s*(?P<y>{_Y})", "my"))
        pats.insert(0, (rf"(?:ngày\s*)?(?P<d>{_D})\s*tháng\s*(?P<m>{_D})(?:\s*(?:năm|,)\s*(?P<y>{_Y}))?", "dmy"))
    if lang in MONTHS:
        alt, _ = _month_alt(lang)
        M = rf"(?P<mn>{alt})\.?"
        sep = r"[\s\u00a0]*" if lang in ("th", "lo", "km", "my") else r"[\s\u00a0]+"
        pre = {"km": r"(?:ថ្ងៃទី\s*)?", "lo": r"(?:ວັນທີ\s*)?", "th": r"(?:วันที่\s*)?"}.get(lang, "")
        month_word = {"km": r"(?:ខែ\s*)?", "my": r"", "lo": r"(?:ເດືອນ\s*)?", "th": r"(?:เดือน\s*)?"}.get(lang, "")
        year_word = {"km": r"(?:ឆ្នាំ\s*)?", "th": r"(?:พ\.ศ\.\s*|ค\.ศ\.\s*)?", "lo": r"(?:ປີ\s*)?",
                     "ar": r"(?:عام\s*|م\s*)?"}.get(lang, "")
        yr = r"(?P<y>\d{4}|\d{2}(?!\d))" if lang == "th" else rf"(?P<y>{_Y})"
        first = r"(?<![\d\w])" if lang not in ("th", "lo", "km", "my") else r"(?<!\d)"
        pats.insert(0, (rf"{first}{pre}(?P<d>{_D})(?:er)?{sep}{month_word}{M}(?:,?{sep}{year_word}{yr})?(?![\w])"
                        if lang not in ("th", "lo", "km", "my") else
                        rf"{first}{pre}(?P<d>{_D}){sep}{month_word}{M}(?:{sep}{year_word}{yr})?", "dmy"))
        if lang in ("en", "tl", "id", "ms"):
            pats.insert(1, (rf"(?<![\w]){M}\s+(?P<d>{_D})(?:st|nd|rd|th)?(?:,?\s+(?P<y>{_Y}))?(?![\w\d])", "mdy"))
        if lang == "fr":
            pats.insert(1, (rf"(?<![\w]){M}\s+(?P<d>{_D}),\s+(?P<y>{_Y})(?![\w\d])", "mdy"))
        if lang == "my":
            pats.insert(0, (rf"(?:(?P<y>{_Y})\s*ခုနှစ်\s*,?\s*)?{M}\s*(?:လ)?\s*(?P<d>{_D})\s*ရက်", "mdy"))
            pats.insert(1, (rf"{M}\s*(?:လ)?\s*(?P<d>{_D})(?![\d\s]*(?:ရက်|ဦး|နာရီ|မိနစ်|ခုနှစ်))", "mdy"))
        pats.append((rf"(?<![\w\d]){month_word}{M}{sep}{year_word}(?P<y>{_Y})(?!\d)", "my"))
    if lang in ("zh", "ja", "ko"):
        # a day of the report's month: "本月10日", "지난 10일"
        pats.append((r"(?<![\d月월])(?:本月|今月|이달\s*|지난\s*)?(?P<d>\d{1,2})\s*[日号일](?![\d])", "dref"))
    flags = re.IGNORECASE
    _COMPILED[lang] = [(re.compile(p, flags), order) for p, order in pats]
    return _COMPILED[lang]


_REL_COMPILED: dict[str, re.Pattern] = {}


def _relative_pattern(lang: str) -> re.Pattern | None:
    if lang in _REL_COMPILED:
        return _REL_COMPILED[lang]
    parts = []
    for key, words in RELATIVE.get(lang, {}).items():
        parts.append(f"(?P<{key}>" + "|".join(re.escape(w) for w in sorted(words, key=len, reverse=True)) + ")")
    for i, names in enumerate(WEEKDAYS.get(lang, [])):
        parts.append(f"(?P<wd{i}>" + "|".join(re.escape(n) for n in names) + ")")
    if not parts:
        return None
    boundary_l, boundary_r = (r"(?<![\w])", r"(?![\w])") if lang not in ("zh", "ja", "th", "lo", "km", "my") else ("", "")
    pat = re.compile(boundary_l + "(?:" + "|".join(parts) + ")" + boundary_r, re.IGNORECASE)
    _REL_COMPILED[lang] = pat
    return pat


def parse_partial(value: str | None) -> tuple[int | None, int | None, int | None] | None:
    if not value:
        return None
    m = re.fullmatch(r"(\d{4})(?:-(\d{2})(?:-(\d{2}))?)?|--(\d{2})-(\d{2})", value)
    if not m:
        return None
    if m[4]:
        return None, int(m[4]), int(m[5])
    return int(m[1]), int(m[2]) if m[2] else None, int(m[3]) if m[3] else None


def _with_reference_year(month, day, ref) -> int | None:
    """The year of a day-month the text gives without one, from the report's own date."""
    if not ref or ref[0] is None or ref[1] is None:
        return None
    ryear, rmonth = ref[0], ref[1]
    rday = ref[2] or 31
    # a date later than the report is most likely the previous year's
    return ryear if (month, day or 1) <= (rmonth, rday) else ryear - 1


_HAS_DIGIT = re.compile(r"\d")
_WA_ZERO = re.compile(r"(?<=[၀-၉])ဝ|ဝ(?=[၀-၉])")
# The corpus store writes the page's date as a first line " date YYYY-MM-DD " before the text.
_STORED_DATE = re.compile(r"\A\s*date\s+(\d{4}(?:-\d{2}(?:-\d{2})?)?|--\d{2}-\d{2})(?=\s|\Z)")


def find_dates(text: str, lang: str | None, reference: str | None = None) -> list[DateHit]:
    """Dates in ``text`` with offsets; ``reference`` (the report's date) resolves relative ones and years."""
    lang = lang or "en"
    ref = parse_partial(reference)
    hits: list[DateHit] = []
    taken: list[tuple[int, int]] = []
    stored = _STORED_DATE.match(text)
    if stored:
        taken.append(stored.span())  # the store's metadata line, not a date the story states
    # English month names also turn up in Latin-script reports of other languages
    # English month names also turn up in reports of other languages ("7 July 2022" in a Thai page header)
    langs = [lang] + (["en"] if lang != "en" else [])
    if lang == "my" and "ဝ" in text:
        # Zawgyi-era text writes zero with the letter wa (၂ဝ၁၈); same length, so offsets hold
        text = _WA_ZERO.sub("၀", text)
    if not _HAS_DIGIT.search(text):
        langs = []
    month_tables = {code: _month_alt(code)[1] for code in langs if code in MONTHS}
    # every absolute date has a digit: read only the stretches around digits
    windows: list[list[int]] = []
    for d in re.finditer(r"\d+", text) if langs else ():
        lo, hi = max(0, d.start() - 32), min(len(text), d.end() + 32)
        if windows and lo <= windows[-1][1]:
            windows[-1][1] = hi
        else:
            windows.append([lo, hi])
    for code in langs:
        for pattern, order in _patterns(code):
            if code != lang and "mn" not in pattern.groupindex:
                continue  # the report's own language already read the numeric forms
            for m in (m for lo, hi in windows for m in pattern.finditer(text, lo, hi)):
                start, end = m.span()
                if any(s < end and start < e for s, e in taken):
                    continue
                gd = m.groupdict()
                year = _year(gd["y"], code) if gd.get("y") else None
                if gd.get("y") and year is None:
                    continue
                if gd.get("mn"):
                    name = gd["mn"].lower()
                    month = month_tables[code].get(name) or month_tables[code].get(name.rstrip("."))
                else:
                    month = int(to_ascii_digits(gd["m"])) if gd.get("m") else None
                day = int(to_ascii_digits(gd["d"])) if gd.get("d") else None
                if order == "dmy" and not gd.get("mn") and month and day and month > 12 >= day:
                    day, month = month, day  # 11/22/2024 written month first
                if order == "dmy" and not gd.get("mn") and not year and code not in ("fr", "vi", "id", "ms", "th", "lo", "km", "my", "ar"):
                    continue  # "3/4" without a year is too ambiguous in English
                if order == "dref":
                    if not ref or not ref[1]:
                        continue
                    month = ref[1] if day <= (ref[2] or 31) else (ref[1] - 2) % 12 + 1
                if month and day and not year:
                    year = _with_reference_year(month, day, ref)
                if month and not day and not year:
                    continue
                if order == "dmy" and not gd.get("mn") and not gd.get("y") and (
                        _MAGNITUDE_AFTER.match(text, end) or _CURRENCY_BEFORE.search(text[max(0, start - 5):start])):
                    continue  # "RM1.05 juta", "1.4 مليار": an amount with a decimal point, not a day and month
                value = _fmt(year, month, day)
                if value:
                    hits.append(DateHit(start, end, value))
                    taken.append((start, end))
    bare = _bare_month_pattern(lang) if ref and ref[0] and ref[1] else None
    if bare:
        # "en mars", "in March", "pada bulan Oktober": a month without a year, in the report's year
        # (or the year before when the month is later than the report's)
        _, table = _month_alt(lang)
        for m in bare.finditer(text):
            start, end = m.span("mn")
            if any(s < end and start < e for s, e in taken):
                continue
            month = table.get(m["mn"].lower().rstrip("."))
            if month:
                year = ref[0] if month <= ref[1] else ref[0] - 1
                hits.append(DateHit(start, end, f"{year:04d}-{month:02d}"))
                taken.append((start, end))
    rel = _relative_pattern(lang)
    if rel:
        for m in rel.finditer(text):
            start, end = m.span()
            if any(s < end and start < e for s, e in taken):
                continue
            value = _resolve_relative(m, ref)
            if m.lastgroup and m.lastgroup.startswith("wd") and (
                    _NEXT_AFTER.match(text, end) or _NEXT_BEFORE.search(text[max(0, start - 20):start])):
                value = None  # "lundi prochain", "next Monday": a weekday to come cannot be placed safely
            hits.append(DateHit(start, end, value or "", relative=True))
            taken.append((start, end))
    hits.sort(key=lambda h: h.start)
    return _roles(text, hits)


# Hand-written span rules (no library reads spans of dates in these fourteen languages):
# a range "20–22 février" / "من 18 إلى 22 نوفمبر" dates a happening of a few days by its first day;
# "from 16 January to 15 February" / "since March" states a span whose start is never the date.
_SEP = (r"(?:-|–|—|~|〜|to|and|until|till|through|et|au|à|jusqu'au|jusqu’au|hingga|sampai|sehingga|dan|s/d|"
        r"đến|và|tới|إلى|الى|و|حتى|ถึง|จนถึง|至|到|ដល់|រហូតដល់|រហូតមកដល់|ເຖິງ|hanggang|까지)")
_RANGE_BEFORE = re.compile(rf"(?<![\d.,/:])(?P<d>\d{{1,2}})\s*{_SEP}\s*(?:le\s+|ngày\s+|วันที่\s*|ថ្ងៃទី\s*|tanggal\s+)?$",
                           re.IGNORECASE)
_SPAN_BETWEEN = re.compile(rf"^\s*,?\s*(?:\(\w+\)\s*)?{_SEP}\s*(?:le\s+|ngày\s+|วันที่\s*|ថ្ងៃទី\s*|tanggal\s+|hari\s+|"
                           r"ខែ\s*|เดือน\s*)?$", re.IGNORECASE)
_SINCE_BEFORE = re.compile(
    r"(?:(?<!\w)(?:since|from|starting|depuis|dès|à partir du?|sejak|dari|mulai|từ|kể từ|tính từ|noong pang|mula|"
    r"منذ|من)|ตั้งแต่|นับตั้งแต่|ຕັ້ງແຕ່|ចាប់ពី|គិតចាប់ពី|តាំងពី|自|从|自从|從|由)\s*"
    r"(?:le\s+|the\s+|ngày\s+|tháng\s+|วันที่\s*|เดือน\s*|ថ្ងៃទី\s*|ឆ្នាំ\s*|hari\s+|tanggal\s+|bulan\s+|tahun\s+|"
    r"early\s+|late\s+|mid-?|end of\s+|début\s+|fin\s+|نهاية\s+|بداية\s+)?$", re.IGNORECASE)
_SINCE_AFTER = re.compile(r"\s*(?:부터|이후|から|以来|以來|起|开始|開始|မှစ|မှ\b)")
_SAID_BEFORE = re.compile(
    r"(?:(?<!\w)(?:said|says|told\s+\S+|reported|announced|stated|confirmed)\s+(?:on\s+)?|"
    r"(?<!\w)(?:a\s+(?:annoncé|déclaré|indiqué|affirmé|précisé|confirmé)|annonce|déclaration|communiqué),?\s+(?:\S+\s+){0,4}?(?:du|le|ce)\s+)$",
    re.IGNORECASE)
_SAID_AFTER = re.compile(r"\s*(?:\([^)]{1,12}\)\s*)?(?:밝혔|발표했|전했|말했)"
                         # Vietnamese opens a statement with its day: "Ngày 24-10, Công an tỉnh X cho biết …"
                         r"|,\s*[^,.;\n]{0,60}?\s(?:cho biết|thông tin|thông báo)(?!\w)")
# words of a running total over a span still open: its date is only an end the text states
OPEN_SPAN = re.compile(r"(?:(?<!\w)(?:since|so far|to date|until now|depuis|à ce jour|jusqu'à présent|jusqu’à présent|"
                       r"sejak|hingga kini|sampai saat ini|setakat ini|hanggang ngayon|đến nay|cho đến nay|tính đến nay|"
                       r"منذ|حتى الآن)(?!\w)|以来|以來|迄今|至今|目前为止|지금까지|これまでに|จนถึงปัจจุบัน|ถึงปัจจุบัน|"
                       r"ມາຮອດປັດຈຸບັນ|រហូតមកដល់បច្ចុប្បន្ន)", re.IGNORECASE)
_MAGNITUDE_AFTER = re.compile(r"\s*(?:juta|million|milliards?|millions?|billions?|bilion|trillion|ribu|triệu|tỷ|nghìn|ngàn|"
                              r"ล้าน|مليار|مليون|ألف|亿|萬|万|억|만|crore|lakh)", re.IGNORECASE)
_CURRENCY_BEFORE = re.compile(r"(?:RM|Rp\.?|\$|USD|US\$|₱|PHP|฿|€|£|¥)\s*$")
_NEXT_AFTER = re.compile(r"\s*(?:prochain|next|depan|hadapan|tới|sau|ที่จะถึง|หน้า|ໜ້າ|ក្រោយ|الق(?:ا|اد)م)", re.IGNORECASE)
_NEXT_BEFORE = re.compile(r"(?:next|this coming|coming|prochain|tuần tới)\s+$", re.IGNORECASE)
_BARE_BEFORE = {
    "en": r"(?:in|since|during|early|late|mid-?|until|by|last|this|of)\s+",
    "fr": r"(?:en|mi-|début|fin|depuis|courant|jusqu'en|jusqu’en|d'|d’|de)\s*",
    "id": r"(?:bulan|pada|sejak|awal|akhir|pertengahan|hingga)\s+",
    "tl": r"(?:noong|nitong|ngayong)\s+",
    "ar": r"(?:في|منذ|خلال|مطلع|أواخر|منتصف|بداية|نهاية)\s+",
}
_BARE_BEFORE["ms"] = _BARE_BEFORE["id"]
_BARE_COMPILED: dict[str, re.Pattern | None] = {}


def _bare_month_pattern(lang: str) -> re.Pattern | None:
    if lang not in _BARE_COMPILED:
        before = _BARE_BEFORE.get(lang)
        if before is None or lang not in MONTHS:
            _BARE_COMPILED[lang] = None
        else:
            alt, _ = _month_alt(lang)
            _BARE_COMPILED[lang] = re.compile(
                rf"(?<![\w]){before}(?P<mn>{alt})\.?(?![\w])(?![\s,/]*(?:\d|[^\W\d_]+\s*\d{{4}}))",
                re.IGNORECASE if lang != "en" else 0)
    return _BARE_COMPILED[lang]


def _roles(text: str, hits: list[DateHit]) -> list[DateHit]:
    """Ranges read as their first day; starts of spans and days of statements marked (``role``)."""
    out: list[DateHit] = []
    for i, h in enumerate(hits):
        role, ranged = "", False
        before = text[max(0, h.start - 40):h.start]
        nxt = hits[i + 1] if i + 1 < len(hits) else None
        first = to_ascii_digits(text[h.start:h.start + 2]).strip()
        if not h.relative and re.fullmatch(r"(?:\d{4})?-?-\d{2}-\d{2}|\d{4}-\d{2}-\d{2}", h.value) and first[:1].isdigit():
            r = _RANGE_BEFORE.search(before)
            if r and not (out and out[-1].end > h.start - len(before) + r.start()):
                d0 = int(to_ascii_digits(r["d"]))
                parts = h.value.rsplit("-", 1)
                if 1 <= d0 < int(parts[1]):
                    # "20 et 22 février", "22-24 Oktober 2025": a few days, dated by the first
                    h = DateHit(h.start - len(before) + r.start(), h.end, f"{parts[0]}-{d0:02d}", h.relative)
                    before, ranged = text[max(0, h.start - 40):h.start], True
        if nxt is not None and _SPAN_BETWEEN.match(text[h.end:nxt.start]) and nxt.value:
            role = "start"  # "from 16 January to 15 February": the span holds at its end
        elif not ranged and (_SINCE_BEFORE.search(before) or _SINCE_AFTER.match(text, h.end)):
            role = "start"
        elif _SAID_BEFORE.search(before) or _SAID_AFTER.match(text, h.end):
            role = "said"
        out.append(DateHit(h.start, h.end, h.value, h.relative, role) if role else h)
    return out


def _resolve_relative(m: re.Match, ref) -> str | None:
    if not ref:
        return None
    year, month, day = ref
    key = next(k for k, v in m.groupdict().items() if v)
    if month is None or day is None:
        if key == "last_month" and year and month:
            return f"{year - (month == 1):04d}-{(month - 2) % 12 + 1:02d}"
        return None
    if year is None:
        if key == "yesterday":
            base = dt.date(2001, month, day) - dt.timedelta(days=1)  # any non-leap year
            return f"--{base.month:02d}-{base.day:02d}"
        if key == "today":
            return f"--{month:02d}-{day:02d}"
        return None  # a weekday cannot be placed without the year
    base = dt.date(year, month, day)
    if key == "yesterday":
        d = base - dt.timedelta(days=1)
    elif key == "today":
        d = base
    elif key == "last_week":
        start = base - dt.timedelta(days=base.weekday() + 7)
        end = start + dt.timedelta(days=6)
        return f"{start.year:04d}-{start.month:02d}" if (start.year, start.month) == (end.year, end.month) else None
    elif key == "last_month":
        first = base.replace(day=1) - dt.timedelta(days=1)
        return f"{first.year:04d}-{first.month:02d}"
    else:
        wd = int(key[2:])
        d = base - dt.timedelta(days=(base.weekday() - wd) % 7)
    return d.isoformat()


_TIME = re.compile(r"[\s,|@\-–—]*\d{1,2}[:.]\d{2}(?!\d)")
_TIME_LINE = re.compile(r"\s*\d{1,2}[:.]\d{2}(?:\s*(?:[AaPp]\.?[Mm]\.?|WIB|WITA|WIT|น\.?))?\s*")
_GLUED_TIME = re.compile(r"(\d{1,2}:\d{2})(?=\d{1,2}[/.-]\d{1,2}[/.-]\d{4})")  # "11:548/01/2026"
# a weather widget beside a date: "23.5 C", "29°C25°C"
_TEMPERATURE = re.compile(r"\d\s*°|(?<![\w.])-?\d{1,2}(?:\.\d)?\s*[CF]\s*$")
_AFTER_HEADER_DATE = re.compile(r"\s*(?:\(|–|—|-\s|/|\|)")
_HEADER_BEFORE = re.compile(r"[/|·•]\s*$")
_DATELINE_BEFORE = re.compile(r"[-–—,:|၊]\s*$")
_DATELINE_AFTER = re.compile(r"\s*(?:\([^)]{1,30}\)\s*)?[-–—:]\s")
PUBLISH_BEFORE = 40  # how far before a date its "published"/"updated" word may stand
# Indonesian and Malay outlets date their own compiling or quoting of a source with the weekday and the
# date in brackets: "Dirangkum detikcom, Kamis (23/10/2025)", "dikutip dari laman resmi Kemlu, Selasa
# (27/1/2026)". That is the report's date; a speaker's "kata Judha, Senin (9/9/2024)" is not (guidelines).
_OUTLET_DATED = re.compile(
    r"\b(?:dirangkum|dikutip|dilansir|dipetik)\b[^\n()]{0,80}?,\s*"
    r"(?:Senin|Selasa|Rabu|Kamis|Jumat|Jum'at|Sabtu|Minggu|Ahad|Isnin|Khamis)\s*(\([^()\n]{6,20}\))", re.IGNORECASE)


def _visible_len(line: str) -> int:
    """Length without combining vowel signs, so a Burmese or Thai headline measures like a Latin one."""
    return sum(1 for c in line if unicodedata.category(c)[0] != "M")


def _today_before(lang: str) -> re.Pattern | None:
    words = RELATIVE.get(lang, {}).get("today")
    if not words:
        return None
    return re.compile("(?:" + "|".join(re.escape(w) for w in words) + r")\s*[(（]\s*$", re.IGNORECASE)


def find_published(text: str, lang: str | None) -> str | None:
    """The report's own date.

    In order: the store's ``date`` line; a dated line in the page header (a line that is
    mostly a date, a "published/updated" date, a date with its time; a header line with
    the time wins over one without, since today's-date widgets carry no time); a dateline
    opening the story ("MAE SOT, 14 March 2024 –", "ระนอง- 26 ส.ค.2563 ณ"; a bare date opening
    the first sentence dates its event instead); "today (date)"
    in the lead ("วันนี้ (10 พ.ย. 68)"); a "published" line anywhere; a sign-off date on
    the last lines of a press release. Dates beside a weather widget are skipped.
    """
    lang = lang or "en"
    stored = _STORED_DATE.match(text)
    if stored:
        value = stored[1]
        part = parse_partial(value)
        if part and part[1] and not part[2]:
            # the store knew the month only; a lead that opens with the day of that month is more precise
            lead = [h for h in find_dates(text[:stored.end() + 40], lang, value) if not h.relative and h.value]
            if lead and lead[0].start - stored.end() <= 12 and lead[0].value.startswith(value + "-"):
                return lead[0].value
        return value
    lines, offset = [], 0
    for raw in text.splitlines(keepends=True):
        if raw.strip():
            lines.append((offset, raw.rstrip("\r\n")))
        offset += len(raw)
        if len(lines) >= 16 or (lines and _visible_len(lines[-1][1]) > 120):
            break  # the header ends where the story's first paragraph begins
    # CJK says in 6 characters what Latin script says in 15: scale the "short" limits
    dense = lang in ("zh", "ja", "ko")
    short_rest, dateline_before = (12, 6) if dense else (30, 18)
    timed, plain = [], []
    for i, (start, line) in enumerate(lines):
        if "%" in line or any(_TEMPERATURE.search(l) for _, l in lines[max(0, i - 2): i + 1]):
            continue  # tickers and weather widgets carry today's date, not the report's
        line = _GLUED_TIME.sub(r"\1 ", line)
        for hit in find_dates(line, lang):
            if hit.relative or not hit.value:
                continue
            before, after = line[:hit.start], line[hit.end:]
            rest = len(line.strip()) - (hit.end - hit.start)
            worded = bool(PUBLISH_WORDS.search(before[-PUBLISH_BEFORE:]))
            with_time = bool(_TIME.match(after) or _TIME.search(before[-12:])
                             or any(_TIME_LINE.fullmatch(l) for _, l in lines[max(0, i - 1): i + 2] if l != line))
            edge = not before.strip() or not after.strip(" .,)") or _HEADER_BEFORE.search(before)
            if _visible_len(line) <= 120 and (worded or with_time or (rest <= short_rest and edge) or _AFTER_HEADER_DATE.match(after)
                                     or ((_HEADER_BEFORE.search(before) or _DATELINE_BEFORE.search(before))
                                         and not after.strip())):
                (timed if worded or with_time else plain).append(hit.value)
            elif (len(before.strip()) <= dateline_before and len(before.split()) <= 3 and not _HAS_DIGIT.search(before)
                  and re.search(r"\d\d-\d\d$", hit.value)
                  and (_DATELINE_BEFORE.search(before) or _DATELINE_AFTER.match(after))):
                # a sentence that opens with a date ("2024年6月18日，警方…") dates the event, not the report
                plain.append(hit.value)
            break  # one date per header line: the first
    if timed or plain:
        return (timed or plain)[0]
    today = _today_before(lang)
    if today:
        head = text[:800]
        for hit in find_dates(head, lang):
            if not hit.relative and hit.value and today.search(head[max(0, hit.start - 20): hit.start]):
                return hit.value
    if lang in ("id", "ms"):
        for m in _OUTLET_DATED.finditer(text):
            hits = [h for h in find_dates(m[1], lang) if not h.relative and h.value]
            if hits:
                return hits[0].value
    for m in PUBLISH_WORDS.finditer(text):
        line_start = text.rfind("\n", 0, m.start()) + 1
        line_end = text.find("\n", m.end())
        line = text[line_start: line_end if line_end >= 0 else len(text)]
        if len(line) <= 120:
            for hit in find_dates(line, lang):
                if not hit.relative and hit.value and line_start + hit.start >= m.start():
                    return hit.value
    tail = [l for l in text.splitlines() if l.strip()][-3:]
    for line in reversed(tail):
        # a press release signs off with its place and date, each on its own line
        for hit in find_dates(line, lang):
            if not hit.relative and hit.value and len(line.strip()) - (hit.end - hit.start) <= 3:
                return hit.value
    return None
