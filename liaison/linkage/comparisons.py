"""The comparison levels, written once for Python and once for DuckDB SQL.

Plain Python, no Django. Each comparison (name, dob, ...) is an ordered list
of levels, most specific first; a pair falls into the first level whose test
holds. Every level carries the same test twice: ``py`` for the incremental
scorer (one new person against a handful of candidates, in microseconds) and
``sql`` for Splink (training, and deduplication of millions). Keeping them
side by side is what keeps them the same; ``tests/plain/test_linkage_splink.py``
checks that both put sample pairs into the same levels.
"""
from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache
from typing import Callable

from rapidfuzz.distance import DamerauLevenshtein, JaroWinkler

from liaison.translatable import gettext_noop

from .records import ROUGH, SYLLABIC, Features


JW_LOW = 0.80
JW_TOKEN = 0.92  # two tokens are one name spelled differently...
EDIT_LONG = 5  # ...or, both at least this long, one typo apart (Putin/Pulin)...
EDIT_SHORT = 4  # ...or a shorter one (3 letters at least) one typo apart inside the word (Suda/Sua)
SHORT_FORM = 3  # a token this long or longer that begins another is its short form (Ben/Benjamin)
DOB_FAR = 10  # years of birth further apart than this are a level of their own


@dataclass(frozen=True)
class Level:
    key: str
    label: str  # shown in "why"
    sql: str
    py: Callable[[Features, Features], bool]


@dataclass(frozen=True)
class Comparison:
    name: str  # also the Splink output column name
    description: str
    null_sql: str
    null_py: Callable[[Features, Features], bool]
    levels: tuple[Level, ...]

    def level_of(self, a: Features, b: Features) -> int | None:
        """Index of the first level that holds, None when either side has no value."""
        if self.null_py(a, b):
            return None
        for index, level in enumerate(self.levels):
            if level.py(a, b):
                return index
        return len(self.levels) - 1


def _best_jw(a: Features, b: Features) -> float:
    return max((JaroWinkler.similarity(x, y) for x in a.names for y in b.names), default=0.0)


# Cached: the same given and family names meet over and over (one new
# person against fifty candidates compares the same tokens many times).
@lru_cache(maxsize=1 << 18)
def _agree(x: str, y: str) -> bool:
    return x == y or JaroWinkler.similarity(x, y) >= JW_TOKEN or (
        len(x) >= EDIT_LONG and len(y) >= EDIT_LONG and DamerauLevenshtein.distance(x, y) <= 1) or _short_typo(x, y)


def _short_typo(x: str, y: str) -> bool:
    """A short given name with one letter inside it mistyped, dropped or
    swapped (Suda/Sua, Linh/Lnih): the first and the last letter stay. Names
    that differ at either end (Nam/Lam, Hoa/Hoan) are other names."""
    return (min(len(x), len(y)) >= 3 and max(len(x), len(y)) >= EDIT_SHORT and x[0] == y[0] and x[-1] == y[-1]
            and DamerauLevenshtein.distance(x, y) <= 1)


def _abbreviates(x: str, y: str) -> bool:
    # an initial ("J." for Jean) or a short form of three letters or more
    # that the full name begins with ("Ben" for Benjamin, "Alex" for Alexander)
    return len(x) < len(y) and (len(x) == 1 or len(x) >= SHORT_FORM) and y.startswith(x)


@lru_cache(maxsize=1 << 18)
def _agree_or_initial(x: str, y: str) -> bool:
    return _agree(x, y) or _abbreviates(x, y) or _abbreviates(y, x)


def _tokens_close(a: Features, b: Features) -> bool:
    """Some variants of both names have tokens that pair up, every one, both ways."""
    return any(
        all(any(_agree(x, y) for y in tb) for x in ta) and all(any(_agree(x, y) for x in ta) for y in tb)
        for ta in a.toks for tb in b.toks
    )


def _token_subset(a: Features, b: Features) -> bool:
    """Every token of the shorter name (two tokens at least, not all initials) is
    in the longer one, initials included ("V. Putin", "Arkadii Romanovich Rotenberg")."""
    for x in a.toks:
        for y in b.toks:
            short, long = (x, y) if len(x) <= len(y) else (y, x)
            if (len(short) >= 2 and any(len(s) > 1 for s in short)
                    and all(any(_agree_or_initial(s, t) for t in long) for s in short)):
                return True
    return False


_SQL_AGREE = (
    f"(jaro_winkler_similarity(x, y) >= {JW_TOKEN} OR (length(x) >= {EDIT_LONG} AND length(y) >= {EDIT_LONG} "
    "AND damerau_levenshtein(x, y) <= 1) OR (least(length(x), length(y)) >= 3 "
    f"AND greatest(length(x), length(y)) >= {EDIT_SHORT} AND substr(x, 1, 1) = substr(y, 1, 1) "
    "AND substr(x, length(x), 1) = substr(y, length(y), 1) AND damerau_levenshtein(x, y) <= 1))"
)
_SQL_AGREE_OR_INITIAL = (
    f"({_SQL_AGREE} OR (length(x) < length(y) AND (length(x) = 1 OR length(x) >= {SHORT_FORM}) AND starts_with(y, x)) "
    f"OR (length(y) < length(x) AND (length(y) = 1 OR length(y) >= {SHORT_FORM}) AND starts_with(x, y)))"
)
_SQL_BEST_JW = (
    "list_max(list_transform(names_l, x -> list_max(list_transform(names_r, "
    "y -> jaro_winkler_similarity(x, y)))))"
)
_SQL_TOKENS_CLOSE = (
    "list_bool_or(list_transform(toks_l, a -> list_bool_or(list_transform(toks_r, b -> "
    f"len(list_filter(a, x -> list_bool_or(list_transform(b, y -> {_SQL_AGREE})))) = len(a) AND "
    f"len(list_filter(b, y -> list_bool_or(list_transform(a, x -> {_SQL_AGREE})))) = len(b)))))"
)
_SQL_TOKEN_SUBSET = (
    "list_bool_or(list_transform(toks_l, a -> list_bool_or(list_transform(toks_r, b -> "
    "least(len(a), len(b)) >= 2 AND "
    "len(list_filter(CASE WHEN len(a) <= len(b) THEN a ELSE b END, x -> length(x) > 1)) > 0 AND "
    "len(list_filter(CASE WHEN len(a) <= len(b) THEN a ELSE b END, "
    "x -> list_bool_or(list_transform(CASE WHEN len(a) <= len(b) THEN b ELSE a END, "
    f"y -> {_SQL_AGREE_OR_INITIAL})))) = least(len(a), len(b))))))"
)


def _has_any(a: list, b: list) -> bool:
    return bool(set(a) & set(b))


def _share_latin_key(a: Features, b: Features) -> bool:
    return any(not key.startswith("~") for key in set(a.lkeys) & set(b.lkeys))


def _marks_differ(a: Features, b: Features) -> bool:
    """Both names are written with diacritics and spell a word differently
    (Thành / Thanh): two names, not one name with its marks dropped."""
    right = {key for key in b.lkeys if key.startswith("~") and "=" in key}
    if not right:
        return False
    for key in a.lkeys:
        if key.startswith("~") and "=" in key and key not in right:
            head = key.split("=", 1)[0] + "="
            if any(other.startswith(head) for other in right):
                return True
    return False


def _cross_rough(a: Features, b: Features) -> bool:
    """One name only was read from a script romanised approximately (Thai,
    Khmer, Arabic...): its vowels and the spelling of a word are guesses."""
    return (ROUGH in a.lkeys) != (ROUGH in b.lkeys)


def _one_word_differs(a: Features, b: Features) -> bool:
    """Some variants of both names have as many words, two or more, and all
    but one of them pair up: the family name agrees, a given name does not
    (Kim Min Jun / Kim Min Jae, Phan Thu Ngân / Phan Thị Ngân). Not across
    an approximate reading (ประเสริฐ read "praserit" is the passport's
    "Prasoet"), where a word spelled otherwise is the reading's fault."""
    if _cross_rough(a, b):
        return False
    for ta in a.toks:
        for tb in b.toks:
            if len(ta) == len(tb) >= 2:
                left = [x for x in ta if not any(_agree(x, y) for y in tb)]
                right = [y for y in tb if not any(_agree(x, y) for x in ta)]
                # two letters apart, or one letter at either end of words of three letters or more
                # (Nam / Lam: one inside is a typo, see _short_typo); a particle is not a name (al / xal)
                if len(left) == len(right) == 1 and (
                        DamerauLevenshtein.distance(left[0], right[0]) >= 2 or min(len(left[0]), len(right[0])) >= 3):
                    return True
    return False


def _extra_syllable(a: Features, b: Features) -> bool:
    """Names of syllables (Chinese, Korean, Burmese), one with more of them:
    they have no middle name to drop, so Aung Kyaw is not Aung Kyaw Min."""
    return SYLLABIC in a.lkeys and SYLLABIC in b.lkeys and _token_subset(a, b)


_SQL_LATIN_KEY_SHARED = "list_has_any(list_filter(lkeys_l, k -> NOT starts_with(k, '~')), lkeys_r)"
_SQL_MARKS_DIFFER = (
    "len(list_filter(lkeys_l, x -> starts_with(x, '~') AND contains(x, '=') AND NOT list_contains(lkeys_r, x) "
    "AND len(list_filter(lkeys_r, y -> starts_with(y, split_part(x, '=', 1) || '='))) > 0)) > 0"
)
_SQL_CROSS_ROUGH = f"(list_contains(lkeys_l, '{ROUGH}') <> list_contains(lkeys_r, '{ROUGH}'))"
_SQL_ONE_WORD_DIFFERS = (
    f"(NOT {_SQL_CROSS_ROUGH} AND list_bool_or(list_transform(toks_l, a -> list_bool_or(list_transform(toks_r, b -> "
    "len(a) = len(b) AND len(a) >= 2 AND "
    f"len(list_filter(a, x -> NOT list_bool_or(list_transform(b, y -> {_SQL_AGREE})))) = 1 AND "
    f"len(list_filter(b, y -> NOT list_bool_or(list_transform(a, x -> {_SQL_AGREE})))) = 1 AND "
    f"(damerau_levenshtein(list_filter(a, x -> NOT list_bool_or(list_transform(b, y -> {_SQL_AGREE})))[1], "
    f"list_filter(b, y -> NOT list_bool_or(list_transform(a, x -> {_SQL_AGREE})))[1]) >= 2 OR "
    # (the one differing word of each side is three letters or more; written as a count for the
    # Spark translation, which cannot type length() of a list element)
    f"(len(list_filter(a, x -> length(x) >= 3 AND NOT list_bool_or(list_transform(b, y -> {_SQL_AGREE})))) = 1 "
    f"AND len(list_filter(b, y -> length(y) >= 3 AND NOT list_bool_or(list_transform(a, x -> {_SQL_AGREE})))) = 1)"
    "))))))"
)
_SQL_EXTRA_SYLLABLE = (
    f"(list_contains(lkeys_l, '{SYLLABIC}') AND list_contains(lkeys_r, '{SYLLABIC}') AND {_SQL_TOKEN_SUBSET})"
)
_NOT_MARKS = f"NOT ({_SQL_MARKS_DIFFER})"


def _swapped(a: str, b: str) -> bool:
    return len(a) == len(b) == 10 and a[:4] == b[:4] and a[5:7] == b[8:10] and a[8:10] == b[5:7] and a != b


NAME = Comparison(
    name="name",
    description="names in any script, after transliteration",
    null_sql="len(names_l) = 0 OR len(names_r) = 0",
    null_py=lambda a, b: not a.names or not b.names,
    levels=(
        Level("han_same", gettext_noop("same Chinese characters"), "list_has_any(han_l, han_r)",
              lambda a, b: _has_any(a.han, b.han)),
        Level("han_homophone", gettext_noop("other Chinese characters that sound the same (not the same name)"),
              f"len(han_l) > 0 AND len(han_r) > 0 AND NOT {_SQL_LATIN_KEY_SHARED} "
              "AND list_has_any(nkeys_l, nkeys_r)",
              lambda a, b: bool(a.han) and bool(b.han) and not _share_latin_key(a, b)
              and _has_any(a.nkeys, b.nkeys)),
        Level("han_differ", gettext_noop("different Chinese characters"),
              f"len(han_l) > 0 AND len(han_r) > 0 AND NOT {_SQL_LATIN_KEY_SHARED}",
              lambda a, b: bool(a.han) and bool(b.han) and not _share_latin_key(a, b)),
        # Every level below holds only for names that do not contradict each
        # other: a word spelled with other diacritics by two sources that
        # both write them, one given name of several, one syllable more.
        # Such pairs fall to "different names".
        Level("exact", gettext_noop("same name once transliterated (word order and titles aside)"),
              f"list_has_any(nkeys_l, nkeys_r) AND {_NOT_MARKS}",
              lambda a, b: _has_any(a.nkeys, b.nkeys) and not _marks_differ(a, b)),
        Level("tokens_close", gettext_noop("same names with small spelling differences"),
              f"{_SQL_TOKENS_CLOSE} AND {_NOT_MARKS}", lambda a, b: _tokens_close(a, b) and not _marks_differ(a, b)),
        Level("token_subset", gettext_noop("same names, one side has more names"),
              f"{_SQL_TOKEN_SUBSET} AND {_NOT_MARKS} AND NOT {_SQL_EXTRA_SYLLABLE}",
              lambda a, b: _token_subset(a, b) and not _marks_differ(a, b) and not _extra_syllable(a, b)),
        # Across an approximate reading the consonants are all it can be
        # trusted with (Arabic script writes no short vowels: كريم "krym" is Karim).
        Level("phonetic", gettext_noop("sounds the same in another romanisation"),
              f"(list_has_any(phonv_l, phonv_r) OR ({_SQL_CROSS_ROUGH} AND list_has_any(phon_l, phon_r))) "
              f"AND {_NOT_MARKS}",
              lambda a, b: (_has_any(a.phonv, b.phonv) or (_cross_rough(a, b) and _has_any(a.phon, b.phon)))
              and not _marks_differ(a, b)),
        # The consonant skeleton alone: another romanisation, or another name
        # of the same consonants (Thanh/Tuan): weighed apart.
        Level("consonants", gettext_noop("same consonants, other vowels"),
              f"list_has_any(phon_l, phon_r) AND {_NOT_MARKS} AND NOT {_SQL_ONE_WORD_DIFFERS}",
              lambda a, b: _has_any(a.phon, b.phon) and not _marks_differ(a, b) and not _one_word_differs(a, b)),
        Level("jw_low", gettext_noop("similar spelling"),
              f"{_SQL_BEST_JW} >= {JW_LOW} AND {_NOT_MARKS} AND NOT {_SQL_ONE_WORD_DIFFERS} "
              f"AND NOT {_SQL_EXTRA_SYLLABLE}",
              lambda a, b: _best_jw(a, b) >= JW_LOW and not _marks_differ(a, b) and not _one_word_differs(a, b)
              and not _extra_syllable(a, b)),
        Level("else", gettext_noop("different names"), "ELSE", lambda a, b: True),
    ),
)

DOB = Comparison(
    name="dob",
    description="date of birth, as precise as each source gives it",
    null_sql="dob_l IS NULL OR dob_r IS NULL",
    null_py=lambda a, b: a.dob is None or b.dob is None,
    levels=(
        Level("exact", gettext_noop("same date of birth"), "dob_l = dob_r AND length(dob_l) = 10",
              lambda a, b: a.dob == b.dob and len(a.dob) == 10),
        Level("swapped", gettext_noop("same date of birth with day and month swapped"),
              "length(dob_l) = 10 AND length(dob_r) = 10 AND substr(dob_l, 1, 4) = substr(dob_r, 1, 4) "
              "AND substr(dob_l, 6, 2) = substr(dob_r, 9, 2) AND substr(dob_l, 9, 2) = substr(dob_r, 6, 2) "
              "AND dob_l <> dob_r",
              lambda a, b: _swapped(a.dob, b.dob)),
        Level("partial", gettext_noop("date of birth agrees as far as both give it (year or month only)"),
              "starts_with(dob_l, dob_r) OR starts_with(dob_r, dob_l)",
              lambda a, b: a.dob.startswith(b.dob) or b.dob.startswith(a.dob)),
        Level("day_month", gettext_noop("same day and month, another year (a typing error?)"),
              "length(dob_l) = 10 AND length(dob_r) = 10 AND substr(dob_l, 6, 5) = substr(dob_r, 6, 5)",
              lambda a, b: len(a.dob) == len(b.dob) == 10 and a.dob[5:] == b.dob[5:]),
        Level("year_close", gettext_noop("year of birth within one year"), "abs(dob_year_l - dob_year_r) <= 1",
              lambda a, b: abs(a.dob_year - b.dob_year) <= 1),
        Level("year_near", gettext_noop("year of birth within five years, one side gives only a year (an estimated age?)"),
              "abs(dob_year_l - dob_year_r) <= 5 AND (length(dob_l) = 4 OR length(dob_r) = 4)",
              lambda a, b: abs(a.dob_year - b.dob_year) <= 5 and (len(a.dob) == 4 or len(b.dob) == 4)),
        # Kept apart from "else": a year mistyped or an age guessed wrong
        # stays within a few years (a ten-year slip of one digit is caught by
        # "day_month"); two dates a generation apart are two people.
        Level("far", gettext_noop("years of birth more than ten years apart"), f"abs(dob_year_l - dob_year_r) > {DOB_FAR}",
              lambda a, b: abs(a.dob_year - b.dob_year) > DOB_FAR),
        Level("else", gettext_noop("different date of birth"), "ELSE", lambda a, b: True),
    ),
)


def _list_comparison(name: str, column: str, description: str, agree: str, differ: str) -> Comparison:
    return Comparison(
        name=name,
        description=description,
        null_sql=f"len({column}_l) = 0 OR len({column}_r) = 0",
        null_py=lambda a, b: not getattr(a, column) or not getattr(b, column),
        levels=(
            Level("agree", agree, f"list_has_any({column}_l, {column}_r)",
                  lambda a, b: _has_any(getattr(a, column), getattr(b, column))),
            Level("else", differ, "ELSE", lambda a, b: True),
        ),
    )


COUNTRY = _list_comparison("country", "countries", "nationality or country", gettext_noop("same nationality"),
                           gettext_noop("different nationality"))
DOCUMENT = _list_comparison("document", "docs", "identity documents", gettext_noop("same identity document number"),
                            gettext_noop("different identity documents"))
IDENTIFIER = _list_comparison("identifier", "ids", "phones, accounts, handles", gettext_noop("shares a phone or other identifier"),
                              gettext_noop("no shared phone or identifier"))

SEX = Comparison(
    name="sex",
    description="sex",
    null_sql="sex_l IS NULL OR sex_r IS NULL",
    null_py=lambda a, b: a.sex is None or b.sex is None,
    levels=(
        Level("agree", gettext_noop("same sex"), "sex_l = sex_r", lambda a, b: a.sex == b.sex),
        Level("else", gettext_noop("different sex"), "ELSE", lambda a, b: True),
    ),
)

COMPARISONS: tuple[Comparison, ...] = (NAME, DOB, COUNTRY, DOCUMENT, IDENTIFIER, SEX)
