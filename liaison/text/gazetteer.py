"""Countries and places of the region, found in text in any of their languages.

Plain Python, no Django. The data (``data/gazetteer.json``) ships in the package,
so nothing is downloaded at run time. One compiled pattern per kind of script
scans a whole text once; callers bucket the hits by sentence offsets.
"""
from __future__ import annotations

import json
import re
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

DATA = Path(__file__).resolve().parent / "data" / "gazetteer.json"


@dataclass(frozen=True)
class GazetteerHit:
    start: int
    end: int
    text: str          # as written in the report
    kind: str          # "country", "demonym" or "place"
    country: str | None
    canonical: str


def _is_latin(name: str) -> bool:
    return all(ord(ch) < 0x0250 or 0x1E00 <= ord(ch) <= 0x1EFF or 0x2000 <= ord(ch) <= 0x206F for ch in name)


def _is_arabic(name: str) -> bool:
    return any(0x0600 <= ord(ch) <= 0x06FF for ch in name)


_SCRIPT_BLOCKS = {
    "Hani": "\u3040-\u30ff\u3400-\u4dbf\u4e00-\u9fff", "Thai": "\u0e00-\u0e7f", "Laoo": "\u0e80-\u0eff",
    "Khmr": "\u1780-\u17ff", "Mymr": "\u1000-\u109f", "Hang": "\uac00-\ud7af\u1100-\u11ff\u3130-\u318f",
}
_WORD = re.compile(r"[\w’'.\-]+")


def _block(name: str) -> str | None:
    for script, ranges in _SCRIPT_BLOCKS.items():
        if re.search(f"[{ranges}]", name):
            return script
    return None


@lru_cache(maxsize=1)
def _load():
    """Lookup tables: Latin names by word sequence, Arabic by word, other scripts one regex per script.

    Word-sequence lookups make Latin-script matching a few dictionary probes per word
    instead of one regular expression with a thousand alternatives.
    """
    data = json.loads(DATA.read_text(encoding="utf-8"))
    entries: dict[str, tuple[str, str | None, str]] = {}
    for country in data["countries"]:
        for name in country["names"]:
            entries.setdefault(name, ("country", country["code"], country["code"]))
        for name in country.get("demonyms", []):
            # demonyms are ordinary words: any case at the start ("Vietnamiennes", "chinois"), plural in English
            variants = {name, name[:1].upper() + name[1:], name[:1].lower() + name[1:]}
            if _is_latin(name) and name[:1].isupper() and not name.endswith(("s", "ese")) and " " not in name:
                variants.add(name + "s")
            if _is_arabic(name) and name.startswith("ال"):
                variants.add(name[2:])  # "مواطن صيني": the adjective without the article
            for variant in variants:
                entries.setdefault(variant, ("demonym", country["code"], country["code"]))
    for place in data["places"]:
        for name in place["names"]:
            entries.setdefault(name, ("place", place["country"], place["name"]))
    for name, code in _cldr_country_names():
        entries.setdefault(name, ("country", code, code))
        if _is_latin(name) and name.endswith("a") and " " not in name:
            # English and Tagalog copy form nationals from the name: Rwanda -> "Rwandans", Angola -> "Angolan"
            for demonym in (name + "n", name + "ns"):
                entries.setdefault(demonym, ("demonym", code, code))
    latin: dict[tuple[str, ...], tuple[str, tuple]] = {}
    arabic: dict[tuple[str, ...], tuple] = {}
    by_script: dict[str, list[str]] = {}
    for name, value in entries.items():
        if _is_latin(name):
            words = tuple(_WORD.findall(name))
            latin.setdefault(words, value)
            latin.setdefault(tuple(w.upper() for w in words), value)  # headlines in capitals
        elif _is_arabic(name):
            arabic.setdefault(tuple(name.split()), value)
        else:
            by_script.setdefault(_block(name) or "other", []).append(name)
    regexes = {script: re.compile("|".join(re.escape(n) for n in sorted(names, key=len, reverse=True)))
               for script, names in by_script.items()}
    # first word -> longest name starting with it: only those words are probed
    latin_starts: dict[str, int] = {}
    for key in latin:
        latin_starts[key[0]] = max(latin_starts.get(key[0], 0), len(key))
    arabic_starts: dict[str, int] = {}
    for key in arabic:
        arabic_starts[key[0]] = max(arabic_starts.get(key[0], 0), len(key))
    return (latin, latin_starts), (arabic, arabic_starts), regexes, entries


# The extraction languages, as CLDR names them (Tagalog is "fil" there).
_CLDR_LANGUAGES = ("en", "fr", "id", "ms", "fil", "vi", "zh", "zh_Hant", "ja", "ko", "th", "lo", "km", "my", "ar")
# CLDR names that are also everyday words or given names in report text ("Jordan", "مالي" = financial,
# "수단" = means): the curated list above names the region's countries; these would only add noise.
_CLDR_SKIP = {"Jordan", "Georgia", "Chad", "Jersey", "Guernsey", "Man", "Niger", "Dominica", "Turkey", "Guinea",
              "Tchad", "Mali", "Togo", "Oman", "Cuba", "Malta"}
# shortest name kept per script: short names in scripts written without spaces turn up inside other words
_MIN_LENGTH = {"Hani": 3, "Hang": 3, "Thai": 4, "Laoo": 4, "Khmr": 4, "Mymr": 4}


def _cldr_country_names():
    """(name, ISO code) of every country in the extraction languages, from Babel's CLDR data.

    The shipped gazetteer names the region's countries and their demonyms; CLDR adds the rest of the
    world (Rwanda, Ethiopia, the Emirates... whose nationals turn up in the compounds) in every language.
    """
    from babel import Locale

    for code in _CLDR_LANGUAGES:
        for territory, name in Locale.parse(code).territories.items():
            if len(territory) != 2 or not territory.isalpha() or territory in ("EU", "EZ", "UN", "ZZ", "QO", "XA", "XB"):
                continue
            if name in _CLDR_SKIP or len(name) < 4:
                continue
            script = _block(name)
            if script and len(name) < _MIN_LENGTH.get(script, 0):
                continue
            if _is_arabic(name) and len(name.replace(" ", "")) < 5:
                continue
            yield name, territory


def _sequences(words, tables):
    """Longest known name starting at each word; yields (first word index, last word index, value)."""
    table, starts = tables
    i = 0
    while i < len(words):
        found = None
        longest = starts.get(words[i][0], 0)
        for n in range(min(longest, len(words) - i), 0, -1):
            key = tuple(w for w, _, _ in words[i:i + n])
            if key in table:
                found = (i, i + n - 1, table[key])
                break
        if found:
            yield found
            i = found[1] + 1
        else:
            i += 1


_AR_PREFIX = re.compile(r"^(?:[وبل]|في)(?=..)")


def find_places(text: str) -> list[GazetteerHit]:
    """Every country, demonym and place name in ``text``, longest match first, no overlaps."""
    latin, arabic, regexes, entries = _load()
    hits: list[GazetteerHit] = []
    words = [(m.group().rstrip(".").rstrip("’'") if (m.group(),) not in latin[0] else m.group(), m.start(), m.end())
             for m in _WORD.finditer(text)]
    words = [(w, s, s + len(w)) for w, s, _ in words if w]
    for first, last, (kind, country, canonical) in _sequences(words, latin):
        start, end = words[first][1], words[last][2]
        hits.append(GazetteerHit(start, end, text[start:end], kind, country, canonical))
    if re.search("[\u0600-\u06ff]", text):
        ar_words = [(m.group(), m.start(), m.end()) for m in re.finditer(r"[\u0621-\u064a\u0670-\u06d3]+", text)]
        for first, last, (kind, country, canonical) in _sequences(ar_words, arabic):
            start, end = ar_words[first][1], ar_words[last][2]
            hits.append(GazetteerHit(start, end, text[start:end], kind, country, canonical))
        stripped = [(_AR_PREFIX.sub("", w), s + (len(w) - len(_AR_PREFIX.sub("", w))), e) for w, s, e in ar_words]
        taken = {(h.start, h.end) for h in hits}
        for first, last, (kind, country, canonical) in _sequences(stripped, arabic):
            start, end = stripped[first][1], stripped[last][2]
            if not any(h.start <= start < h.end for h in hits):
                hits.append(GazetteerHit(start, end, text[start:end], kind, country, canonical))
    for script, regex in regexes.items():
        if script in _SCRIPT_BLOCKS and not re.search(f"[{_SCRIPT_BLOCKS[script]}]", text):
            continue
        for m in regex.finditer(text):
            if any(h.start < m.end() and m.start() < h.end for h in hits):
                continue
            kind, country, canonical = entries[m.group()]
            hits.append(GazetteerHit(m.start(), m.end(), m.group(), kind, country, canonical))
    hits.sort(key=lambda h: h.start)
    return hits


def country_codes() -> set[str]:
    data = json.loads(DATA.read_text(encoding="utf-8"))
    return {c["code"] for c in data["countries"]}
