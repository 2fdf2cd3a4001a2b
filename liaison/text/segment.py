"""Sentences with their character offsets, in any script.

Plain Python. Hand-written because the offsets must point into the original
text unchanged (ICU's BreakIterator works on UTF-16 indices and splits Thai at
every phrase); the rule is simple: a full stop of any script (. ! ? 。 ！ ？ ؟ ។ ။)
followed by a space, a quote or the end, or a line break, ends a sentence,
unless it closes a known abbreviation or the next word starts in lower case.
"""
from __future__ import annotations

import re

_ABBREV = {"mr", "mrs", "ms", "dr", "gen", "lt", "col", "maj", "capt", "sgt", "pol", "no", "st", "jl", "rp", "sen",
           "rep", "brig", "m", "mme", "mgr", "prof", "jr", "sr", "vs", "etc", "dll", "u.s", "p", "pt", "tel", "ir",
           "h", "hj", "drs", "kol", "kombes", "akbp", "ipda", "jend", "insp", "supt", "dsp", "asp", "pbgen", "pcol",
           "usec", "atty", "sec", "gov", "hon", "messrs", "approx", "fig", "art", "ltd", "co", "inc", "corp"}
_END = re.compile(r"(?:[.!?]+[\"'”’»)\]]*(?=\s|$)|[。！？؟។៕။]+[\"'”’」』)]*|\n+)")


def sentences(text: str) -> list[tuple[int, int]]:
    """(start, end) of each sentence, whitespace trimmed, so that text[start:end] is the sentence."""
    spans: list[tuple[int, int]] = []
    start = 0
    for m in _END.finditer(text):
        end = m.end()
        mark = m.group()
        if mark[0] == ".":
            word = re.search(r"([\w.]+)$", text[start:m.start()])
            nxt = re.match(r"\s*(\S)", text[end:])
            if word and word.group(1).lower() in _ABBREV:
                continue
            if word and len(word.group(1)) == 1 and word.group(1).isupper():  # initials: "J. Smith"
                continue
            if m.start() and 0x0E00 <= ord(text[m.start() - 1]) <= 0x0EFF:
                continue  # Thai and Lao end sentences with a space; their dots abbreviate ("พ.ย.", "ตม.")
            if nxt and nxt.group(1).islower():
                continue
        _add(text, start, end if mark[0] != "\n" else m.start(), spans)
        start = end
    _add(text, start, len(text), spans)
    return spans


# A line that opens a list of links or credits: "Baca juga:", "Related articles", "관련기사", "اقرأ أيضا".
# Page furniture in the languages of the corpus; the line and the link titles after it are not the story.
_FURNITURE = re.compile(
    r"^\W{0,3}(?:read more|read also|also read|read:|see also|related\s*:?\s*$|related (?:articles?|stories|news|posts?)\b|"
    r"more (?:stories|news)|(?:recommended|trending|most read|most popular|popular|latest news|terkini)\s*:?\s*$|"
    r"tags?:|share this|follow us|"
    r"lire aussi|à lire aussi|voir aussi|sur le même sujet|"
    r"baca juga|baca:|berita terkait|artikel terkait|lihat juga|simak juga|"
    r"baca lagi|berita berkaitan|artikel berkaitan|"
    r"basahin|read next|"
    r"xem thêm|tin liên quan|bài liên quan|đọc thêm|"
    r"相关新闻|相关阅读|相关报道|延伸阅读|推荐阅读|更多新闻|責任編輯|责任编辑|編輯|关键词|"
    r"関連記事|関連ニュース|あわせて読みたい|"
    r"관련기사|관련 기사|함께 볼만한|많이 본 뉴스|추천 기사|"
    r"อ่านเพิ่มเติม|ข่าวที่เกี่ยวข้อง|ข่าวแนะนำ|อ่านข่าว|"
    r"ຂ່າວທີ່ກ່ຽວຂ້ອງ|ອ່ານເພີ່ມ|"
    r"ព័ត៌មានទាក់ទង|អានបន្ថែម|"
    r"ဆက်စပ်သတင်း|ဆက်ဖတ်ရန်|"
    r"اقرأ أيضا|اقرأ أيضاً|اقرأ ايضا|أخبار ذات صلة|مواضيع ذات صلة|اقرأ المزيد)",
    re.IGNORECASE)
# A photo caption names its credit ("A photo posted on AKP", "(Foto: PMJ News)", "Ảnh: CA", "사진 제공"):
# the line describes a picture, often of an earlier day, and is not the story (annotation guidelines).
_CAPTION = re.compile(
    r"(?:photo posted on|\(photo\b|photo\s*:|photo by|file photo|\(foto\b|foto\s*:|ảnh\s*:|\(ảnh|ảnh minh họa|"
    r"ภาพ\s*:|ภาพประกอบ|写真[:：]|사진[=:]|사진\s*제공|图为|图片来源|资料图|供图|ဓာတ်ပုံ\s*[-:]|រូបថត\s*[:៖]|ຮູບ\s*:|"
    r"larawan\s*:|kuha ni)", re.IGNORECASE)
_FULL_STOP = re.compile(r"[.!?。！？؟។။][\"'”’»)\]」』]*\s*$")


def furniture_spans(text: str) -> list[tuple[int, int]]:
    """(start, end) of page furniture: a "read more" / "related" line, and the link titles that follow
    a bare such header (lines without a full stop) up to the next line of running text."""
    spans = []
    pos, in_list = 0, False
    for line in text.splitlines(keepends=True):
        start, end = pos, pos + len(line)
        pos = end
        body = line.strip()
        if not body:
            continue
        if len(body) < 300 and _CAPTION.search(body):
            spans.append((start, end))
            continue
        header = _FURNITURE.match(body)
        if header:
            spans.append((start, end))
            # a header with nothing after it ("Berita terkait:") introduces a list of headlines
            in_list = len(body[header.end():].strip(" :：-–—|»>")) == 0
            continue
        if in_list and not _FULL_STOP.search(body) and len(body) < 200:
            spans.append((start, end))
            continue
        in_list = False
    return spans


def _add(text, start, end, spans):
    while start < end and text[start].isspace():
        start += 1
    while end > start and text[end - 1].isspace():
        end -= 1
    if end > start:
        spans.append((start, end))
