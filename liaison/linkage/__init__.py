"""Record linkage of persons across sources, scripts and spellings.

Plain Python, no Django: usable by intake, import, the API and the matching
app alike. ``score_pair`` and ``Matcher.candidates`` score in Python with the
trained m/u parameters (fast, for one new person); ``Matcher.train`` and
``dedupe`` use Splink on DuckDB (for thousands to millions of records).
"""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Iterable

from .comparisons import COMPARISONS
from .records import Features, PersonRecord, features, normalise_dob
from .scoring import Matcher, PairScore, score_pair

__all__ = [
    "PersonRecord", "PairScore", "Matcher", "score_pair", "dedupe", "DedupeResult", "features", "normalise_dob",
]


@dataclass
class DedupeResult:
    pairs: list[tuple[str, str, PairScore]] = field(default_factory=list)
    clusters: list[set[str]] = field(default_factory=list)  # entities of two or more records


def _levels_from_weights(matcher: Matcher, weights) -> dict[str, int | None]:
    """The level of each comparison, from the per-comparison weights Splink's
    predictions carry (Splink 5 does not keep the comparison vector there).
    A weight of 0 is read as a missing value (it adds nothing either way)."""
    levels = {}
    for comparison, weight in zip(COMPARISONS, weights):
        if weight is None or abs(weight) < 1e-9:
            levels[comparison.name] = None
            continue
        known = matcher.weights(comparison.name)
        levels[comparison.name] = min(range(len(known)), key=lambda i: abs(known[i] - weight))
    return levels


def _python_dedupe(rows: list[Features], matcher: Matcher, threshold: float):
    """Blocking on the same keys as Splink, scoring in Python: for small sets
    (and for tests), where starting DuckDB costs more than the work."""
    prior = matcher.prior_for(len(rows))
    blocks: dict[tuple, list[int]] = {}
    for index, row in enumerate(rows):
        keys = [("n", k, row.dob_year) for k in row.nkeys]
        keys += [("d", k) for k in row.docs] + [("i", k) for k in row.ids]
        keys += [("p", k, row.dob) for k in row.phon if row.dob]
        if row.dob and len(row.dob) == 10 and row.names:
            keys.append(("b", row.dob, row.names[0][:1]))
        for key in keys:
            blocks.setdefault(key, []).append(index)
    seen = set()
    pairs = []
    for members in blocks.values():
        for i, a in enumerate(members):
            for b in members[i + 1:]:
                if (a, b) in seen or a == b:
                    continue
                seen.add((a, b))
                score = matcher.score_features(rows[a], rows[b], prior=prior)
                if score.probability >= threshold:
                    pairs.append((rows[a].id, rows[b].id, score))
    parent: dict[str, str] = {}

    def find(x: str) -> str:
        while parent.get(x, x) != x:
            parent[x] = parent.get(parent[x], parent[x])
            x = parent[x]
        return x

    for a, b, _ in pairs:
        parent[find(a)] = find(b)
    groups: dict[str, set[str]] = {}
    for node in parent:
        groups.setdefault(find(node), set()).add(node)
    return pairs, [g for g in groups.values() if len(g) > 1]


def dedupe(records: Iterable[PersonRecord], *, threshold: float = 0.9, backend: str = "duckdb",
           matcher: Matcher | None = None, threads: int | None = None) -> DedupeResult:
    """Pairs of records that are probably one person, and the entities they form.

    Probabilities here use the matcher's population prior (how likely two
    random records are one person, rescaled to the number of records), not
    the pair prior of ``score_pair``.
    """
    matcher = matcher or Matcher.default()
    from .splink_backend import many_features

    rows = many_features(list(records), workers=threads or 2)
    ids = [r.id for r in rows]
    if len(set(ids)) != len(ids):
        raise ValueError("Two records have the same id; every record needs its own id.")
    if len(rows) < 2:
        return DedupeResult()
    if backend == "python":
        pairs, clusters = _python_dedupe(rows, matcher, threshold)
        return DedupeResult(pairs=pairs, clusters=clusters)
    if backend == "spark":  # Splink on Spark (the active SparkSession, else a local one for this call)
        from .spark_backend import predict
    elif backend == "duckdb":
        from .splink_backend import predict
    else:
        raise ValueError(f"Unknown backend “{backend}”: use “duckdb”, “spark” or “python”.")

    raw_pairs, clusters = predict(rows, matcher, threshold=threshold, threads=threads)
    prior = matcher.prior_for(len(rows))
    pairs = [
        (a, b, matcher.score_levels(_levels_from_weights(matcher, weights), prior=prior))
        for a, b, *weights in raw_pairs
    ]
    return DedupeResult(pairs=pairs, clusters=clusters)
