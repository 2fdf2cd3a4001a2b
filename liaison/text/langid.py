"""Which language a report is written in.

Plain Python, no Django. Scripts used by one language of the region decide at
once (Khmer, Burmese, Lao, Thai, Hangul, kana, Arabic, Han), which also covers
the three languages lingua has no model for (km, my, lo). Latin-script text
goes to lingua, built once, lazily, with only the six Latin-script languages
we need: fewer candidates is faster and more accurate than all 75.
"""
from __future__ import annotations

import re
import threading
from collections import Counter

LATIN_LANGS = ("en", "fr", "id", "ms", "tl", "vi")
SUPPORTED = ("zh", "th", "vi", "km", "my", "lo", "id", "ms", "tl", "en", "fr", "ar", "ko", "ja")

_SCRIPT_OF = [
    (0x0041, 0x024F, "Latn"), (0x1E00, 0x1EFF, "Latn"),
    (0x0600, 0x06FF, "Arab"), (0x0750, 0x077F, "Arab"), (0xFB50, 0xFDFF, "Arab"), (0xFE70, 0xFEFF, "Arab"),
    (0x0E00, 0x0E7F, "Thai"), (0x0E80, 0x0EFF, "Laoo"), (0x1000, 0x109F, "Mymr"), (0x1780, 0x17FF, "Khmr"),
    (0x1100, 0x11FF, "Hang"), (0x3130, 0x318F, "Hang"), (0xAC00, 0xD7AF, "Hang"),
    (0x3040, 0x30FF, "Kana"), (0x3400, 0x4DBF, "Hani"), (0x4E00, 0x9FFF, "Hani"), (0xF900, 0xFAFF, "Hani"),
]
_SCRIPT_LANG = {"Arab": "ar", "Thai": "th", "Laoo": "lo", "Mymr": "my", "Khmr": "km", "Hang": "ko"}

# Words that tell Malay from Indonesian, which lingua often confuses: the two
# share most vocabulary but differ in these everyday words and spellings.
_MS_MARKERS = re.compile(r"\b(?:polis|semalam|kerana|daripada|kenyataan|mangsa|tahanan reman|ibu pejabat|"
                         r"warganegara|sekurang-kurangnya|berkata|beliau|dakwaan|disyaki|suspek|kes|bagi|"
                         r"Ogos|Disember|Julai|Mac|Jun|jabatan|sindiket|seramai|kira-kira)\b", re.IGNORECASE)
_ID_MARKERS = re.compile(r"\b(?:polisi|kepolisian|tersangka|karena|dari|kemarin|mengatakan|korban|kasus|"
                         r"pelaku|Agustus|Desember|Juli|Maret|Juni|Polri|Polda|Polres|sebanyak|sekitar|"
                         r"tidak|bahwa|warga negara|Kementerian|Kedutaan)\b", re.IGNORECASE)

_lock = threading.Lock()
_detector = None


def _get_detector():
    """Lingua's detector for the Latin-script languages, built on first use and kept."""
    global _detector
    if _detector is None:
        with _lock:
            if _detector is None:
                from lingua import Language, LanguageDetectorBuilder

                langs = [Language.ENGLISH, Language.FRENCH, Language.INDONESIAN, Language.MALAY,
                         Language.TAGALOG, Language.VIETNAMESE]
                _detector = LanguageDetectorBuilder.from_languages(*langs).with_preloaded_language_models().build()
    return _detector


_SCRIPT_CLASSES: dict[str, re.Pattern] = {}
for _first, _last, _name in _SCRIPT_OF:
    _SCRIPT_CLASSES.setdefault(_name, [])
    _SCRIPT_CLASSES[_name].append(f"\\U{_first:08x}-\\U{_last:08x}")
_SCRIPT_RES = {name: re.compile("[" + "".join(ranges) + "]") for name, ranges in _SCRIPT_CLASSES.items()}


def script_counts(text: str) -> Counter:
    """Letters per script (one regex scan per script: far faster than a Python loop per character)."""
    counts: Counter = Counter()
    for name, pattern in _SCRIPT_RES.items():
        n = len(pattern.findall(text))
        if n:
            counts[name] = n
    return counts


def _from_scripts(counts: Counter) -> tuple[str | None, float]:
    total = sum(counts.values())
    if not total:
        return None, 0.0
    cjk = counts["Hani"] + counts["Kana"]
    # Japanese mixes kana into Han; Chinese has none.
    if cjk and counts["Kana"] >= 0.05 * cjk and cjk >= 0.3 * total:
        return "ja", min(1.0, cjk / total + 0.1)
    script, n = max(((s, c) for s, c in counts.items() if s != "Kana"), key=lambda x: x[1], default=(None, 0))
    if script == "Hani":
        return "zh", n / total
    if script in _SCRIPT_LANG:
        return _SCRIPT_LANG[script], n / total
    return None, n / total  # Latin: lingua decides


def _latin(text: str) -> tuple[str | None, float]:
    values = _get_detector().compute_language_confidence_values(text[:4000])
    if not values or values[0].value <= 0:
        return None, 0.0
    best = values[0]
    code = best.language.iso_code_639_1.name.lower()
    confidence = best.value
    if code in ("id", "ms"):
        ms, id_ = len(_MS_MARKERS.findall(text)), len(_ID_MARKERS.findall(text))
        if ms > id_ * 1.5 and ms >= 2:
            code = "ms"
        elif id_ > ms * 1.5 and id_ >= 2:
            code = "id"
        confidence = max(confidence, 0.6)
    return code, float(confidence)


def detect_language(text: str) -> tuple[str | None, float]:
    """(ISO 639-1 code, confidence 0..1) of the text's main language; (None, 0.0) if it has no letters."""
    counts = script_counts(text or "")
    code, share = _from_scripts(counts)
    if code:
        return code, round(share, 3)
    if not counts:
        return None, 0.0
    latin_text = text if share > 0.95 else _NON_LATIN.sub(" ", text)
    code, confidence = _latin(latin_text)
    return code, round(confidence * share, 3)


_NON_LATIN = re.compile(r"[^\u0000-\u024f\u1e00-\u1eff]")


def paragraph_languages(text: str, minimum: int = 60, limit: int = 12) -> Counter:
    """Characters per language over the text's paragraphs, to tell a mixed report.

    At most ``limit`` distinct paragraphs are read (the longest), which is enough to
    see a second language and keeps long reports fast.
    """
    sizes: Counter = Counter()
    paragraphs = {p.strip() for p in re.split(r"\n\s*\n|\n(?=\S)", text) if len(p.strip()) >= minimum}
    for para in sorted(paragraphs, key=len, reverse=True)[:limit]:
        code, confidence = detect_language(para)
        if code and confidence >= 0.5:
            sizes[code] += len(para)
    return sizes
