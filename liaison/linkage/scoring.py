"""Fellegi-Sunter scoring of a pair of person records, with its explanation.

Plain Python, no Django. The m and u probabilities of every comparison level
come from Splink (trained by EM on the data itself, u by random sampling, see
``splink_backend``) or from the defaults shipped in ``data/default_params.json``
(trained on generated data by ``python -m liaison.linkage.train_defaults``).
Scoring one pair here is the same sum of log2(m/u) that Splink computes, so a
new person can be matched against a few blocked candidates in well under a
millisecond each, without starting Splink.

Two priors: ``prior`` is Splink's probability that two *random* records match
(used by ``dedupe`` over a whole population); ``pair_prior`` is the share of
matches among pairs somebody puts forward for checking (blocked candidates,
``match score`` input), used by ``score_pair`` and ``Matcher.candidates``.

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


class Matcher:
    """Trained (or shipped) m/u parameters and the scorer that applies them."""

    def __init__(self, params: dict[str, list[dict]], prior: float, pair_prior: float, meta: dict | None = None):
        params = {name: [dict(level) for level in levels] for name, levels in params.items()}
        # The name alone must never make two different Han spellings one person:
        # their level may lower the score, never raise it (in Splink too).
        homophone = [level.key for level in COMPARISONS[0].levels].index("han_homophone")
        level = params["name"][homophone]
        level["m"] = min(level["m"], level["u"])
        self.params = params
        self.prior = prior
        self.pair_prior = pair_prior
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

    # -- persistence -------------------------------------------------------
    def to_json(self) -> str:
        return json.dumps(
            {"prior": self.prior, "pair_prior": self.pair_prior, "comparisons": self.params, "meta": self.meta},
            ensure_ascii=False, indent=1,
        )

    @classmethod
    def from_json(cls, text: str) -> "Matcher":
        data = json.loads(text)
        return cls(data["comparisons"], data["prior"], data["pair_prior"], data.get("meta"))

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
                     frequencies: NameFrequencies | None = None) -> PairScore:
        fields: dict[str, float] = {}
        labels: dict[str, str] = {}
        total = _logit2(self.pair_prior if prior is None else prior)
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
                if bits < 0:
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
                       frequencies: NameFrequencies | None = None) -> PairScore:
        levels = {comparison.name: comparison.level_of(a, b) for comparison in COMPARISONS}
        return self.score_levels(levels, a, b, prior, frequencies)

    def score(self, a: PersonRecord, b: PersonRecord) -> PairScore:
        return self.score_features(features(a), features(b))

    def candidates(self, new: PersonRecord, pool: Iterable[PersonRecord], threshold: float = 0.5):
        """The records of ``pool`` that may be ``new``, best first, each with its score."""
        target = features(new)
        found = []
        for record in pool:
            score = self.score_features(target, features(record))
            if score.probability >= threshold:
                found.append((record, score))
        found.sort(key=lambda item: -item[1].match_weight)
        return found


_DEFAULT: Matcher | None = None


def score_pair(a: PersonRecord, b: PersonRecord, params: Matcher | None = None) -> PairScore:
    """How likely ``a`` and ``b`` are one person, and why (the weight of each field)."""
    return (params or Matcher.default()).score(a, b)
