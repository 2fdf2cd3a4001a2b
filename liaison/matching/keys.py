"""Blocking keys of a person: which other persons are worth scoring against it.

Plain Python, no Django. A key is a short string with a prefix naming its
kind, so that a name key can never collide with a document number:
``n:`` name keys (any script, from ``liaison.names.name_keys``), ``d:``
identity document numbers, ``i:`` canonical identifiers (phones, wallets…).
Dates of birth are not keys: a birth year alone is shared by far too many
people to narrow anything; the scorer uses them.
"""
from __future__ import annotations

import re
from collections.abc import Iterable
from itertools import combinations

MAX_KEY_LENGTH = 200
_NOT_ALNUM = re.compile(r"[^0-9A-Z]")


def document_key(number: str) -> str:
    """A document number as compared: upper case, spaces and dashes dropped ("e 123-45" = "E12345")."""
    return _NOT_ALNUM.sub("", (number or "").upper())


def blocking_keys(names: Iterable[str], documents: Iterable[str] = (), identifiers: Iterable[str] = ()) -> set[str]:
    from liaison.names import name_keys

    keys = set()
    for name in names:
        keys.update(f"n:{k}" for k in name_keys(name) if k)
    keys.update(f"d:{k}" for k in map(document_key, documents) if len(k) >= 4)
    keys.update(f"i:{k}" for k in identifiers if k)
    return {k[:MAX_KEY_LENGTH] for k in keys}


def rank_candidates(shared: Iterable[tuple[int, str]], limit: int) -> list[int]:
    """Person ids ordered by how many keys they share (then by id), at most ``limit``.

    A document or identifier key counts for more than a name key: two
    records with the same passport number are worth scoring even when a
    hundred namesakes share the name key.
    """
    score: dict[int, int] = {}
    for person_id, key in shared:
        score[person_id] = score.get(person_id, 0) + (5 if key[:2] in ("d:", "i:") else 1)
    return [pid for pid, _s in sorted(score.items(), key=lambda item: (-item[1], item[0]))[:limit]]


# Screening keys ----------------------------------------------------------------
# A traveller's name as written on a manifest ("หมิง เสวียชาง") seldom shares an
# exact name key with the watched record ("明学昌", "Ming Xuechang"): each script
# romanises its own way (Thai "seoichang", pinyin "xuechang"). Screening keys add
# the consonant skeletons of every reading the name analysis makes (Thai, Khmer,
# Burmese, Han in pinyin/Cantonese/Japanese, Hangul in RR/MR, Latin as written),
# where those romanisations fall together ("mn sjn"). A skeleton alone is shared
# by thousands of persons (Li Wei, Lee Way, Le Vy...), so it is stored with the
# year of birth ("y:mn sjn|1955", "y:mn sjn|?" when the record has none) and a
# traveller with a year looks up that year, the years either side and "?".
# Only a traveller without a year falls back to the bare skeleton ("p:").
UNKNOWN_YEAR = "?"


def _birth_year(dob: str | None) -> int | None:
    from liaison.linkage import normalise_dob  # Buddhist-era years, "14/03/1955", "c. 1955"

    value = normalise_dob(dob) if dob else None
    return int(value[:4]) if value else None


def _skeletons(names: Iterable[str]) -> set[str]:
    from liaison.names import analyse_name

    found: set[str] = set()
    for name in names:
        if name and name.strip():
            found |= analyse_name(name).phonetic
    return {s for s in found if s}


def _coarse(token_skeleton: str) -> str:
    """A token's skeleton without l (r and l): the Thai script writes r and l that
    romanisations drop ("ประเสริฐ" reads "plslt", its passport says "Prasoet",
    "plst"); Korean and Burmese spellings drop or add them too (Pak/Park)."""
    return token_skeleton.replace("l", "") or "a"


def _coarse_keys(names: Iterable[str]) -> set[str]:
    """Coarse skeletons of each reading, whole and by pairs of its tokens: a
    manifest often gives two of a person's three or four names (Lê Hượng for
    Minh Hương Lê, Duong Huong for Dương Thị Hương). Only ever used with a year."""
    found: set[str] = set()
    for skeleton in _skeletons(names):
        tokens = sorted(_coarse(t) for t in skeleton.split())
        if _consonants(tokens) >= 2:
            found.add(" ".join(tokens))
        if 3 <= len(tokens) <= 6:
            found.update(" ".join(pair) for pair in combinations(tokens, 2) if _consonants(pair) >= 3)
    return found


def _consonants(tokens) -> int:
    """Consonants a key rests on ("a" stands for a token of vowels only): "a n" or
    "k n" (ouyang yu, 欧阳蕾煜 read in Japanese) is shared by a good part of any
    list and would make every traveller a candidate of thousands."""
    return sum(len(t) for t in tokens if t != "a")


def screening_keys(names: Iterable[str], dob: str | None = None, documents: Iterable[str] = ()) -> set[str]:
    """The keys stored for a watched person: its blocking keys (exact name keys
    in any script, documents) and its skeletons, bare and with its birth year."""
    names = list(names)
    keys = blocking_keys(names, documents)
    year = _birth_year(dob)
    for skeleton in _skeletons(names):
        keys.add(f"p:{skeleton}")
    when = year if year is not None else UNKNOWN_YEAR
    keys.update(f"y:{coarse}|{when}" for coarse in _coarse_keys(names))
    return {k[:MAX_KEY_LENGTH] for k in keys}


def screening_lookup_keys(names: Iterable[str], dob: str | None = None, documents: Iterable[str] = ()) -> set[str]:
    """The keys a traveller is looked up by: its blocking keys, and its skeletons
    with its birth year (one year either way: a day/month misread rarely moves
    the year, a typed year sometimes does) or with no year on the record; the
    bare skeleton only when the traveller's year is unknown."""
    names = list(names)
    keys = blocking_keys(names, documents)
    year = _birth_year(dob)
    if year is None:
        keys.update(f"p:{skeleton}" for skeleton in _skeletons(names))
        return {k[:MAX_KEY_LENGTH] for k in keys}
    for coarse in _coarse_keys(names):
        keys.update(f"y:{coarse}|{y}" for y in (year - 1, year, year + 1, UNKNOWN_YEAR))
    return {k[:MAX_KEY_LENGTH] for k in keys}
