"""Names in any script: normalisation, script detection and search keys.

Plain Python, no Django. Names are *stored* exactly as written (only NFC
normalised, so that the same visible text is the same bytes); the derived
``search_key`` is what lookups compare, so that "NGUYỄN Văn A", "nguyen van a"
and "Nguyễn Văn A" find each other while the record keeps its original form.
"""
from __future__ import annotations

import unicodedata

from liaison.translatable import gettext_noop

# ISO 15924 codes for the scripts of the region and of the centres' partners.
# Ranges are (first, last, script). Checked before falling back to unicodedata
# names, which are slower.
_SCRIPT_RANGES = [
    (0x0041, 0x024F, "Latn"),
    (0x1E00, 0x1EFF, "Latn"),
    (0x0370, 0x03FF, "Grek"),
    (0x0400, 0x04FF, "Cyrl"),
    (0x0590, 0x05FF, "Hebr"),
    (0x0600, 0x06FF, "Arab"),
    (0x0750, 0x077F, "Arab"),
    (0x08A0, 0x08FF, "Arab"),
    (0xFB50, 0xFDFF, "Arab"),
    (0xFE70, 0xFEFF, "Arab"),
    (0x0900, 0x097F, "Deva"),
    (0x0E00, 0x0E7F, "Thai"),
    (0x0E80, 0x0EFF, "Laoo"),
    (0x1000, 0x109F, "Mymr"),
    (0xA9E0, 0xA9FF, "Mymr"),
    (0xAA60, 0xAA7F, "Mymr"),
    (0x1780, 0x17FF, "Khmr"),
    (0x19E0, 0x19FF, "Khmr"),
    (0x1100, 0x11FF, "Hang"),
    (0x3130, 0x318F, "Hang"),
    (0xAC00, 0xD7AF, "Hang"),
    (0x3040, 0x309F, "Hira"),
    (0x30A0, 0x30FF, "Kana"),
    (0x3400, 0x4DBF, "Hani"),
    (0x4E00, 0x9FFF, "Hani"),
    (0xF900, 0xFAFF, "Hani"),
    (0x20000, 0x2FA1F, "Hani"),
]

RTL_SCRIPTS = {"Arab", "Hebr"}



SCRIPT_NAMES = {
    "Latn": gettext_noop("Latin"),
    "Hani": gettext_noop("Han (Chinese)"),
    "Arab": gettext_noop("Arabic"),
    "Thai": gettext_noop("Thai"),
    "Laoo": gettext_noop("Lao"),
    "Mymr": gettext_noop("Myanmar (Burmese)"),
    "Khmr": gettext_noop("Khmer"),
    "Hang": gettext_noop("Hangul (Korean)"),
    "Hira": gettext_noop("Hiragana"),
    "Kana": gettext_noop("Katakana"),
    "Jpan": gettext_noop("Japanese"),
    "Cyrl": gettext_noop("Cyrillic"),
    "Grek": gettext_noop("Greek"),
    "Hebr": gettext_noop("Hebrew"),
    "Deva": gettext_noop("Devanagari"),
    "Zyyy": gettext_noop("Mixed / undetermined"),
}


def nfc(text: str) -> str:
    """The stored form of a name: NFC, outer whitespace trimmed, inner runs collapsed."""
    return " ".join(unicodedata.normalize("NFC", text or "").split())


def char_script(char: str) -> str | None:
    code = ord(char)
    for first, last, script in _SCRIPT_RANGES:
        if first <= code <= last:
            return script
    return None


def detect_script(text: str) -> str:
    """The dominant ISO 15924 script of ``text`` ("Zyyy" when none is found).

    Japanese mixes Han and kana; any kana makes the whole name "Jpan".
    """
    counts: dict[str, int] = {}
    for char in text or "":
        if not char.isalpha():
            continue
        script = char_script(char)
        if script:
            counts[script] = counts.get(script, 0) + 1
    if not counts:
        return "Zyyy"
    if "Hira" in counts or "Kana" in counts:
        return "Jpan"
    return max(counts.items(), key=lambda item: item[1])[0]


def is_rtl(text: str) -> bool:
    return detect_script(text) in RTL_SCRIPTS


def search_key(text: str) -> str:
    """The comparison form of a name or query.

    Case-folded, compatibility-normalised (full-width Latin becomes ASCII),
    Latin diacritics removed (Vietnamese đ/Đ included, which NFKD does not
    decompose), punctuation dropped, whitespace collapsed. Non-Latin letters
    and their combining marks are kept: removing Thai, Khmer or Burmese vowel
    signs would merge different names.
    """
    text = unicodedata.normalize("NFKC", text or "").casefold().replace("đ", "d")
    out = []
    for char in unicodedata.normalize("NFKD", text):
        if unicodedata.combining(char):
            # Drop marks only when they sit on a Latin base letter.
            if out and out[-1].isascii():
                continue
            out.append(char)
        elif char.isalnum():
            out.append(char)
        else:
            out.append(" ")
    return " ".join(unicodedata.normalize("NFC", "".join(out)).split())


# Cross-script comparison forms and linkage keys (imported last: translit uses
# the functions above).
from .translit import (  # noqa: E402
    NameAnalysis,
    analyse_name,
    name_keys,
    normalise_name,
    phonetic_keys,
    simplify_han,
)
