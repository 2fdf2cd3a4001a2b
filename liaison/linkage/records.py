"""Person records as linkage sees them, and the features compared.

Plain Python, no Django. A ``PersonRecord`` is what any source can give about
a person (names in any script, a partial date of birth, countries, identity
documents, phones and other identifiers); ``features`` derives, once per
record, the normalised values that the comparison levels in
``comparisons.py`` look at, both in Python and as Splink table columns.
"""
from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass, field
from functools import lru_cache

from liaison.names import analyse_name


SYLLABIC = "~syllabic"
ROUGH = "~rough"  # a name read from a script romanised approximately (translit.ROUGH_SCRIPTS)


@dataclass
class PersonRecord:
    id: str
    names: list[str]
    dob: str | None = None
    countries: list[str] = field(default_factory=list)
    documents: list[str] = field(default_factory=list)
    identifiers: list[str] = field(default_factory=list)
    sex: str | None = None


_ISO = re.compile(r"^(\d{4})(?:[-/.](\d{1,2})(?:[-/.](\d{1,2}))?)?$")
_DMY = re.compile(r"^(\d{1,2})[-/.](\d{1,2})[-/.](\d{4})$")
_MY = re.compile(r"^(\d{1,2})[-/.](\d{4})$")
_COMPACT = re.compile(r"^(\d{4})(\d{2})(\d{2})$")


_APPROXIMATE = re.compile(
    r"^(?:c\.?|ca\.?|circa|about|approx\.?|approximately|around|born|b\.|~|±)?\s*(\d{4})\s*"
    r"(?:\?|\(?(?:approx\.?|approximately|est\.?|estimated|circa|c\.)\)?)?$", re.IGNORECASE)
_CJK = re.compile(r"^(\d{4})\s*年\s*(?:(\d{1,2})\s*月\s*(?:(\d{1,2})\s*日)?)?$")


def _common_era(year: int) -> int:
    """A Thai Buddhist-era year (Thai ID cards and police records: 2518) as
    the Common Era year (1975); other years unchanged."""
    return year - 543 if 2400 <= year <= 2700 else year


def _valid(year: int, month: int | None, day: int | None) -> bool:
    if not 1800 <= year <= 2100:
        return False
    if month is not None and not 1 <= month <= 12:
        return False
    return day is None or 1 <= day <= 31


@lru_cache(maxsize=100_000)
def normalise_dob(text: str | None) -> str | None:
    """A date of birth as precise as written: "YYYY", "YYYY-MM" or "YYYY-MM-DD".

    Accepts ISO forms, "DD/MM/YYYY" (also with dots or dashes; a day and
    month written the other way round is caught by the "swapped" comparison
    level), "MM/YYYY", "YYYYMMDD" and, through dateparser, dates with month
    names ("4 March 1975"). Returns None for what is not a date, so that an
    unreadable date counts as unknown rather than as a disagreement.
    """
    value = unicodedata.normalize("NFKC", text or "").strip()
    if not value:
        return None
    if m := _APPROXIMATE.match(value):  # "c. 1975", "about 1975", "1975?": the year, no more
        year = _common_era(int(m[1]))
        return f"{year:04d}" if _valid(year, None, None) else None
    if m := _CJK.match(value):  # 1975年3月2日
        value = "-".join(part for part in m.groups() if part)
    year = month = day = None
    if m := _ISO.match(value):
        year, month, day = int(m[1]), m[2] and int(m[2]), m[3] and int(m[3])
    elif m := _DMY.match(value):
        day, month, year = int(m[1]), int(m[2]), int(m[3])
        if month > 12 >= day:  # written month first (US style)
            day, month = month, day
    elif m := _MY.match(value):
        month, year = int(m[1]), int(m[2])
    elif m := _COMPACT.match(value):
        year, month, day = int(m[1]), int(m[2]), int(m[3])
    elif any(c.isalpha() for c in value):
        import dateparser  # slow to import; only dates with month names need it

        parsed = dateparser.parse(value, settings={"PREFER_DAY_OF_MONTH": "first", "REQUIRE_PARTS": ["year"]})
        if parsed is None:
            return None
        has_day = bool(re.search(r"\b\d{1,2}\b", value))
        return parsed.strftime("%Y-%m-%d" if has_day else "%Y-%m")
    else:
        return None
    month = month or None
    day = day or None
    year = _common_era(year)
    if not _valid(year, month, day):
        return None
    if month is None:
        return f"{year:04d}"
    if day is None:
        return f"{year:04d}-{month:02d}"
    return f"{year:04d}-{month:02d}-{day:02d}"


@lru_cache(maxsize=4096)
def normalise_country(text: str) -> str:
    """ISO 3166 alpha-2 (lower case) for a code or an English name, else the folded text."""
    value = " ".join((text or "").split()).casefold()
    if not value:
        return ""
    if len(value) == 2 and value.isalpha():
        return value
    import pycountry  # installed with schwifty

    try:
        return pycountry.countries.lookup(value).alpha_2.lower()
    except LookupError:
        try:
            return pycountry.countries.search_fuzzy(value)[0].alpha_2.lower()
        except LookupError:
            return value


def normalise_identifier(text: str) -> str:
    """Letters and digits only, upper case; phone-like values keep their last 9 digits,
    so "+66 81 234 5678" and "081-234-5678" are one number (the national prefix
    and the country code differ, the subscriber number does not)."""
    value = "".join(c for c in unicodedata.normalize("NFKC", text or "") if c.isalnum()).upper()
    digits = sum(c.isdigit() for c in value)
    if value and digits == len(value) and digits >= 9:
        return value[-9:]
    return value


def _split_many(values) -> list[str]:
    if values is None:
        return []
    if isinstance(values, str):
        values = re.split(r"[;|]", values)
    return [v for v in (str(x).strip() for x in values) if v]


@dataclass(frozen=True)
class Features:
    """What the comparison levels look at (plain lists, ready for a DuckDB table)."""

    id: str
    names: list[str]  # sorted Latin token strings, one per name variant
    toks: list[list[str]]  # the tokens of each variant
    nkeys: list[str]
    # keys of the names not written in Han; also "~folded=marked" words of
    # names written with diacritics, SYLLABIC for names of syllables, ROUGH
    # for names read from a script romanised approximately
    # (see comparisons.py: two markers that a name key never equals)
    lkeys: list[str]
    han: list[str]
    phon: list[str]
    dob: str | None
    dob_year: int | None
    countries: list[str]
    docs: list[str]
    ids: list[str]
    sex: str | None
    any_han: bool = False
    phonv: list[str] = field(default_factory=list)  # phonetic keys that keep each token's first vowel class


def features(record: PersonRecord) -> Features:
    names: list[str] = []
    toks: list[list[str]] = []
    nkeys: set[str] = set()
    lkeys: set[str] = set()
    han: set[str] = set()
    phon: set[str] = set()
    phonv: set[str] = set()
    for name in _split_many(record.names):
        analysis = analyse_name(name)
        for tokens, form in zip(analysis.variants, analysis.sorted_forms):
            if form not in names:
                names.append(form)
                toks.append(sorted(tokens))
        nkeys |= analysis.keys
        phon |= analysis.phonetic
        phonv |= analysis.phonetic_vowels
        if analysis.han:
            han.add(analysis.han)
        else:
            lkeys |= analysis.keys
        # Markers ride in lkeys (never shared by a name key, which has no "~"):
        # Splink's table has no column of its own for them.
        lkeys |= analysis.marked
        if analysis.syllabic:
            lkeys.add(SYLLABIC)
        if analysis.rough:
            lkeys.add(ROUGH)
    dob = normalise_dob(record.dob)
    sex = (record.sex or "").strip().lower()[:1] or None
    if sex not in ("m", "f"):
        sex = None
    return Features(
        id=str(record.id),
        names=names,
        toks=toks,
        nkeys=sorted(nkeys),
        lkeys=sorted(lkeys),
        han=sorted(han),
        phon=sorted(phon),
        dob=dob,
        dob_year=int(dob[:4]) if dob else None,
        countries=sorted({c for c in (normalise_country(x) for x in _split_many(record.countries)) if c}),
        docs=sorted({d for d in (normalise_identifier(x) for x in _split_many(record.documents)) if d}),
        ids=sorted({d for d in (normalise_identifier(x) for x in _split_many(record.identifiers)) if d}),
        sex=sex,
        any_han=bool(han),
        phonv=sorted(phonv),
    )
