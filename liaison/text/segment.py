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


def _add(text, start, end, spans):
    while start < end and text[start].isspace():
        start += 1
    while end > start and text[end - 1].isspace():
        end -= 1
    if end > start:
        spans.append((start, end))
