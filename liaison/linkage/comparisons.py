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
from typing import Callable

from rapidfuzz.distance import DamerauLevenshtein, JaroWinkler

from liaison.translatable import gettext_noop

from .records import Features


JW_LOW = 0.80
JW_TOKEN = 0.92  # two tokens are one name spelled differently...
EDIT_LONG = 5  # ...or, both at least this long, one typo apart (Putin/Pulin)
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


def _agree(x: str, y: str) -> bool:
    return JaroWinkler.similarity(x, y) >= JW_TOKEN or (
        len(x) >= EDIT_LONG and len(y) >= EDIT_LONG and DamerauLevenshtein.distance(x, y) <= 1)


def _abbreviates(x: str, y: str) -> bool:
    # an initial ("J." for Jean) or a short form of three letters or more
    # that the full name begins with ("Ben" for Benjamin, "Alex" for Alexander)
    return len(x) < len(y) and (len(x) == 1 or len(x) >= SHORT_FORM) and y.startswith(x)


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
    "AND damerau_levenshtein(x, y) <= 1))"
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
              "len(han_l) > 0 AND len(han_r) > 0 AND NOT list_has_any(lkeys_l, lkeys_r) "
              "AND list_has_any(nkeys_l, nkeys_r)",
              lambda a, b: bool(a.han) and bool(b.han) and not _has_any(a.lkeys, b.lkeys)
              and _has_any(a.nkeys, b.nkeys)),
        Level("han_differ", gettext_noop("different Chinese characters"),
              "len(han_l) > 0 AND len(han_r) > 0 AND NOT list_has_any(lkeys_l, lkeys_r)",
              lambda a, b: bool(a.han) and bool(b.han) and not _has_any(a.lkeys, b.lkeys)),
        Level("exact", gettext_noop("same name once transliterated (word order and titles aside)"),
              "list_has_any(nkeys_l, nkeys_r)", lambda a, b: _has_any(a.nkeys, b.nkeys)),
        Level("tokens_close", gettext_noop("same names with small spelling differences"), _SQL_TOKENS_CLOSE, _tokens_close),
        Level("token_subset", gettext_noop("same names, one side has more names"), _SQL_TOKEN_SUBSET, _token_subset),
        Level("phonetic", gettext_noop("sounds the same in another romanisation"), "list_has_any(phonv_l, phonv_r)",
              lambda a, b: _has_any(a.phonv, b.phonv)),
        # The consonant skeleton alone: another romanisation, or another name
        # of the same consonants (Thanh/Tuan): weighed apart.
        Level("consonants", gettext_noop("same consonants, other vowels"), "list_has_any(phon_l, phon_r)",
              lambda a, b: _has_any(a.phon, b.phon)),
        Level("jw_low", gettext_noop("similar spelling"), f"{_SQL_BEST_JW} >= {JW_LOW}",
              lambda a, b: _best_jw(a, b) >= JW_LOW),
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
