"""Fellegi-Sunter scoring of a pair of person records, with its explanation.

Plain Python, no Django. The m and u probabilities of every comparison level
come from Splink (trained by EM on the data itself, u by random sampling, see
``splink_backend``) or from the defaults shipped in ``data/default_params.json``
(trained on generated data by ``python -m liaison.linkage.train_defaults``).
Scoring one pair here is the same sum of log2(m/u) that Splink computes, so a
new person can be matched against a few blocked candidates in well under a
millisecond each, without starting Splink.

Three priors: ``prior`` is Splink's probability that two *random* records
match (used by ``dedupe`` over a whole population); ``pair_prior`` is the
share of matches among pairs of *registry records* put forward for checking
(blocked candidates, a pairs file whose records carry more than names),
used by ``score_pair`` and ``Matcher.candidates``; ``screening_prior`` is
the share among pairs of *a name screened against a list* (a traveller at a
checkpoint against wanted persons, a names-only pairs file). They differ
because the evidence does: two registry records usually give dates,
documents and nationalities, and one name shared by two people is common in
the region (Sok Chea, Nguyen Van Thanh), so the name alone must not link
them; a name screened against a list must be able to hit on the name alone
(an officer then checks), or a fugitive with no date on file is never found.

Choose the purpose with ``purpose="screening"`` or ``"linkage"`` (the
default) on ``score``, ``score_features`` and ``candidates``, or call
``Matcher.screen(person, watchlist)``: the same comparisons and weights,
only the prior differs. ``train_defaults`` chooses the linkage prior by F1
on generated pairs (never on a benchmark set) and sets the screening prior
by ``screening_prior_for`` from the trained weights, by this principle:

The share of true matches among names put forward against a list is not
knowable in advance: it depends on the list (fifty fugitives or ten
thousand sanctioned persons), on who passes the checkpoint and on how
loosely candidates are put forward, by orders of magnitude. What is known
is what a screening hit is *for*: it sends a name to an officer, who
checks it against the person in front of them; a miss lets a listed person
through unseen. So the prior is fixed by what a name alone must be to be
checked: a hit when the two names are one name (written the same once
transliterated, spelled with small differences, another romanisation, the
same Chinese characters, or the same names with some left out or shortened
to an initial or a short form: "A. Khamenei", "Ben Netanyahu"), never when
they only resemble each other (same consonants, similar spelling) or
differ. The prior sits half-way, in bits, between the weakest "one name"
level and the strongest "resemblance" level, so that a little other
evidence (a nationality, a year of birth) moves a name-only pair across
the line only when it is near it. Choosing it by F1 on generated names
was tried and rejected: the generator's name pools are small (many people
share each name), which drives the prior to whatever floor the grid
allows, and then "the same names, one left out" cannot hit.

Common names: the trained u of "same name" is an average over all names, so
"Sok Chea", which a hundred people bear, would weigh as much as a rare name.
``NameFrequencies`` counts, in the data being matched (the whole pairs file
of ``match score``), how many *distinct* records carry each name key; a name
shared by more records than the model expects is weighed down, as Splink's
term-frequency adjustment does (log2 u / tf), never up. Distinct records, so
one suspect listed against fifty candidates counts once.
"""
from __future__ import annotations

import json
import math
from dataclasses import dataclass, field
from functools import lru_cache
from importlib import resources
from typing import Iterable

from liaison.translatable import gettext_noop

from .comparisons import COMPARISONS, Comparison
from .records import Features, PersonRecord, features

_FLOOR = 1e-6


@dataclass
class PairScore:
    probability: float
    match_weight: float
    fields: dict[str, float]  # weight (log2 Bayes factor) per compared field
    levels: dict[str, str] = field(default_factory=dict)  # the level label per field
    why: str = ""


def _weight(m: float, u: float) -> float:
    return math.log2(max(m, _FLOOR) / max(u, _FLOOR))


def _logit2(p: float) -> float:
    p = min(max(p, 1e-12), 1 - 1e-12)
    return math.log2(p / (1 - p))


def _probability(weight: float) -> float:
    if weight > 60:
        return 1.0
    if weight < -60:
        return 0.0
    return 1.0 / (1.0 + 2.0 ** (-weight))


# Name levels whose agreement rests on one shared key, and the keys they share.
_TF_KEYS = {"han_same": "han", "exact": "nkeys", "phonetic": "phonv", "consonants": "phon"}


class NameFrequencies:
    """How many distinct records of the data being matched carry each name key.

    Records carrying a key are told apart by everything else they hold (date
    of birth, countries, documents, identifiers, sex): the same record
    repeated over many rows of a pairs file, or one name-only entry written
    in ten spellings, counts once; a name is common when records that differ
    in their other fields bear it. Plain counting, hand-written: Splink's
    term-frequency tables need a single-value column and its DuckDB session.
    """

    def __init__(self, rows: Iterable[Features]):
        self.counts: dict[tuple[str, str], int] = {}
        self.total = 0
        seen: set[tuple] = set()
        everything: set[tuple] = set()
        for row in rows:
            everything.add(self._rest(row) + (tuple(row.nkeys), tuple(row.han)))
            for attr in set(_TF_KEYS.values()):
                signature = self.signature(row, attr)
                if signature in seen:
                    continue
                seen.add(signature)
                for key in getattr(row, attr):
                    self.counts[(attr, key)] = self.counts.get((attr, key), 0) + 1
        self.total = len(everything)

    @staticmethod
    def _rest(row: Features) -> tuple:
        return (row.dob, tuple(row.countries), tuple(row.docs), tuple(row.ids), row.sex)

    @classmethod
    def signature(cls, row: Features, attr: str) -> tuple:
        return (attr, tuple(getattr(row, attr))) + cls._rest(row)

    def adjustment(self, level_key: str, u: float, a: Features, b: Features) -> tuple[float, int]:
        """(bits to add, other records sharing the name) for a pair at ``level_key``.

        tf is the share of the *other* records (the pair's own left out) with
        the shared key, shrunk towards the model's u by a pseudo-count of one
        record in 1/u, so a small file cannot make a name look common on the
        evidence of one or two records. Never positive: a name rare in the
        file is not rare in the world on that evidence.
        """
        attr = _TF_KEYS.get(level_key)
        if attr is None:
            return 0.0, 0
        shared = set(getattr(a, attr)) & set(getattr(b, attr))
        if not shared:
            return 0.0, 0
        own = 1 if self.signature(a, attr) == self.signature(b, attr) else 2
        others = min(max(0, self.counts.get((attr, key), 0) - own) for key in shared)
        pool = max(0, self.total - own)
        u = max(u, _FLOOR)
        tf = (others + 1) / (pool + 1 / u)
        return min(0.0, math.log2(u / tf)), others


def _name_label(comparison: Comparison, index: int, a: Features, b: Features) -> str:
    level = comparison.levels[index]
    if comparison.name == "name" and level.key == "exact" and (a.any_han or b.any_han):
        return gettext_noop("same name in pinyin (word order aside)")
    return level.label


# The explanation's words are English here (plain Python, also printed by
# `liaison match score`); matching/display.py translates them for the pages.
COMMON_NAME = gettext_noop("a common name here: %(n)s other records")


# Name levels that say "one name" and those that say only "alike" or
# "different" (see the module docstring: the screening prior lies between).
SAME_NAME_LEVELS = ("han_same", "exact", "tokens_close", "token_subset", "phonetic")
RESEMBLANCE_LEVELS = ("han_homophone", "han_differ", "consonants", "jw_low", "else")


def screening_prior_for(params: dict[str, list[dict]]) -> float:
    """The screening prior for these name weights: half-way, in bits,
    between the weakest "one name" level and the strongest "resemblance"
    level, so that the first hits on the name alone and the second does not.
    Raises ValueError when the weights put a resemblance above a "one name"
    level (no prior can then do what screening needs)."""
    weights = {level["level"]: _weight(level["m"], level["u"]) for level in params["name"]}
    weakest_same = min(weights[key] for key in SAME_NAME_LEVELS)
    strongest_alike = max(weights[key] for key in RESEMBLANCE_LEVELS)
    if weakest_same <= strongest_alike:
        raise ValueError(f"name weights out of order: a “one name” level at {weakest_same:+.1f} bits, "
                         f"a resemblance at {strongest_alike:+.1f}")
    return 1.0 / (1.0 + 2.0 ** ((weakest_same + strongest_alike) / 2))


class Matcher:
    """Trained (or shipped) m/u parameters and the scorer that applies them."""

    def __init__(self, params: dict[str, list[dict]], prior: float, pair_prior: float, meta: dict | None = None,
                 screening_prior: float | None = None):
        params = {name: [dict(level) for level in levels] for name, levels in params.items()}
        # The name alone must never make two different Han spellings one person:
        # their level may lower the score, never raise it (in Splink too).
        homophone = [level.key for level in COMPARISONS[0].levels].index("han_homophone")
        level = params["name"][homophone]
        level["m"] = min(level["m"], level["u"])
        self.params = params
        self.prior = prior
        self.pair_prior = pair_prior
        self.screening_prior = pair_prior if screening_prior is None else screening_prior
        self.meta = meta or {}
        self._weights = {
            comparison.name: [_weight(p["m"], p["u"]) for p in params[comparison.name]]
            for comparison in COMPARISONS
        }
        for comparison in COMPARISONS:
            if len(params[comparison.name]) != len(comparison.levels):
                raise ValueError(f"Parameters for “{comparison.name}” do not fit its {len(comparison.levels)} levels.")

    def prior_for(self, records: int) -> float:
        """The probability that two random records match, for a population of
        ``records``. Splink estimates it on the training data; with about one
        true pair per person it falls as 1/N, so it is rescaled to the size
        of the population being deduplicated (else a million records would
        be judged with the odds of ten thousand)."""
        trained = self.meta.get("population")
        if not trained or records <= 1:
            return self.prior
        return min(0.5, self.prior * trained / records)

    def prior_of(self, purpose: str) -> float:
        """The pair prior for ``purpose``: "linkage" (two registry records) or
        "screening" (a name against a list)."""
        if purpose == "screening":
            return self.screening_prior
        if purpose == "linkage":
            return self.pair_prior
        raise ValueError(f"Unknown purpose “{purpose}”: use “linkage” or “screening”.")

    # -- persistence -------------------------------------------------------
    def to_json(self) -> str:
        return json.dumps(
            {"prior": self.prior, "pair_prior": self.pair_prior, "screening_prior": self.screening_prior,
             "comparisons": self.params, "meta": self.meta},
            ensure_ascii=False, indent=1,
        )

    @classmethod
    def from_json(cls, text: str) -> "Matcher":
        data = json.loads(text)
        return cls(data["comparisons"], data["prior"], data["pair_prior"], data.get("meta"),
                   screening_prior=data.get("screening_prior"))

    @classmethod
    def default(cls) -> "Matcher":
        global _DEFAULT
        if _DEFAULT is None:
            text = resources.files("liaison.linkage").joinpath("data/default_params.json").read_text("utf-8")
            _DEFAULT = cls.from_json(text)
        return _DEFAULT

    @classmethod
    def train(cls, records: Iterable[PersonRecord], **options) -> "Matcher":
        """Estimate the parameters on ``records`` with Splink (u by random sampling, m by EM)."""
        from .splink_backend import train

        return train(list(records), **options)

    # -- scoring -----------------------------------------------------------
    def weights(self, comparison: str) -> list[float]:
        return list(self._weights[comparison])

    def score_levels(self, levels: dict[str, int | None], a: Features | None = None,
                     b: Features | None = None, prior: float | None = None,
                     frequencies: NameFrequencies | None = None, purpose: str = "linkage") -> PairScore:
        """``prior``, when given, overrides the prior of ``purpose``."""
        fields: dict[str, float] = {}
        labels: dict[str, str] = {}
        total = _logit2(self.prior_of(purpose) if prior is None else prior)
        for comparison in COMPARISONS:
            index = levels.get(comparison.name)
            if index is None:
                continue
            weight = self._weights[comparison.name][index]
            if a is not None and b is not None:
                labels[comparison.name] = _name_label(comparison, index, a, b)
            else:
                labels[comparison.name] = comparison.levels[index].label
            if comparison.name == "name" and frequencies is not None and a is not None and b is not None:
                level = self.params["name"][index]
                bits, others = frequencies.adjustment(level["level"], level["u"], a, b)
                if bits < -1e-9:  # (u / tf rounds to a hair below 1 when no other record bears the name)
                    weight += bits
                    labels["name"] += f", {COMMON_NAME % {'n': others}}"
            fields[comparison.name] = round(weight, 3)
            total += weight
        order = sorted(fields, key=lambda name: -abs(fields[name]))
        why = "; ".join(f"{name}: {labels[name]} ({fields[name]:+.1f})" for name in order)
        return PairScore(
            probability=_probability(total), match_weight=round(total, 3), fields=fields, levels=labels,
            why=why or "nothing to compare",
        )

    def score_features(self, a: Features, b: Features, prior: float | None = None,
                       frequencies: NameFrequencies | None = None, purpose: str = "linkage") -> PairScore:
        levels = {comparison.name: comparison.level_of(a, b) for comparison in COMPARISONS}
        return self.score_levels(levels, a, b, prior, frequencies, purpose)

    def score(self, a: PersonRecord, b: PersonRecord, purpose: str = "linkage") -> PairScore:
        return self.score_features(features(a), features(b), purpose=purpose)

    def candidates(self, new: PersonRecord, pool: Iterable[PersonRecord], threshold: float = 0.5,
                   purpose: str = "linkage"):
        """The records of ``pool`` that may be ``new``, best first, each with its score."""
        target = cached_features(new)
        found = []
        for record in pool:
            score = self.score_features(target, record if isinstance(record, Features) else cached_features(record),
                                        purpose=purpose)
            if score.probability >= threshold:
                found.append((record, score))
        found.sort(key=lambda item: -item[1].match_weight)
        return found

    def screen(self, person: PersonRecord, watchlist: Iterable[PersonRecord | Features], threshold: float = 0.5):
        """The entries of ``watchlist`` that ``person`` (a name in any script,
        whatever else is known) may be, best first, with the screening prior:
        a name alone can hit. Entries may be given as precomputed ``Features``."""
        return self.candidates(person, watchlist, threshold, purpose="screening")


_DEFAULT: Matcher | None = None


def _record_key(record: PersonRecord) -> tuple:
    def frozen(value):
        return tuple(value) if isinstance(value, (list, tuple)) else value

    return (str(record.id), frozen(record.names), record.dob, frozen(record.countries), frozen(record.documents),
            frozen(record.identifiers), record.sex)


@lru_cache(maxsize=65536)
def _features_of(key: tuple) -> Features:
    id_, names, dob, countries, documents, identifiers, sex = key
    return features(PersonRecord(id=id_, names=list(names) if isinstance(names, tuple) else names, dob=dob,
                                 countries=countries, documents=documents, identifiers=identifiers, sex=sex))


def cached_features(record: PersonRecord) -> Features:
    """``features(record)``, remembered by the record's values (not its
    identity): the candidates of one arrival are the candidates of the next
    (the same blocked persons), and their features need not be rebuilt."""
    try:
        return _features_of(_record_key(record))
    except TypeError:  # a field of an unexpected, unhashable type: compute afresh
        return features(record)


def score_pair(a: PersonRecord, b: PersonRecord, params: Matcher | None = None) -> PairScore:
    """How likely ``a`` and ``b`` are one person, and why (the weight of each field)."""
    return (params or Matcher.default()).score(a, b)
