"""Splink (DuckDB) for training the parameters and deduplicating many records.

Plain Python, no Django. The comparison levels are those of
``comparisons.py`` (their SQL side); the features are computed in Python
(transliteration needs ICU and pypinyin) and handed to DuckDB as an Arrow
table. Splink's sample data sets and charts are never used: they fetch from
the internet.
"""
from __future__ import annotations

import logging
import os
from typing import Sequence

import pyarrow as pa

from .comparisons import COMPARISONS
from .records import Features, PersonRecord, features

logger = logging.getLogger(__name__)

_LIST = pa.list_(pa.string())
SCHEMA = pa.schema([
    ("unique_id", pa.string()),
    ("names", _LIST),
    ("toks", pa.list_(_LIST)),
    ("nkeys", _LIST),
    ("lkeys", _LIST),
    ("han", _LIST),
    ("phon", _LIST),
    ("phonv", _LIST),
    ("dob", pa.string()),
    ("dob_year", pa.int32()),
    ("countries", _LIST),
    ("docs", _LIST),
    ("ids", _LIST),
    ("sex", pa.string()),
    ("name0", pa.string()),  # the first name's sorted form: EM cannot block on exploded arrays
    ("label", pa.string()),  # the true entity, when known (training the shipped defaults)
])

# Starting values for EM (and the values of levels EM cannot reach).
_START_M = {
    "name": [0.35, 1e-4, 1e-4, 0.35, 0.12, 0.05, 0.05, 0.02, 0.04, 0.02],  # han_same ... else
    "dob": [0.6, 0.03, 0.2, 0.02, 0.1, 0.03, 0.005, 0.02],
    "country": [0.9, 0.1],
    "document": [0.9, 0.1],
    "identifier": [0.6, 0.4],
    "sex": [0.97, 0.03],
}


def arrow_table(rows: Sequence[Features], labels: dict[str, str] | None = None) -> pa.Table:
    columns = {
        "unique_id": [f.id for f in rows],
        "names": [f.names for f in rows],
        "toks": [f.toks for f in rows],
        "nkeys": [f.nkeys for f in rows],
        "lkeys": [f.lkeys for f in rows],
        "han": [f.han for f in rows],
        "phon": [f.phon for f in rows],
        "phonv": [f.phonv for f in rows],
        "dob": [f.dob for f in rows],
        "dob_year": [f.dob_year for f in rows],
        "countries": [f.countries for f in rows],
        "docs": [f.docs for f in rows],
        "ids": [f.ids for f in rows],
        "sex": [f.sex for f in rows],
        "name0": [f.names[0] if f.names else None for f in rows],
        "label": [labels.get(f.id) if labels else None for f in rows],
    }
    return pa.table(columns, schema=SCHEMA)


def _comparisons(params: dict | None):
    from splink.comparison_library import CustomComparison

    result = []
    for comparison in COMPARISONS:
        levels = [{"sql_condition": comparison.null_sql, "label_for_charts": "missing", "is_null_level": True}]
        for index, level in enumerate(comparison.levels):
            entry = {"sql_condition": level.sql, "label_for_charts": level.key}
            if params is not None:
                entry["m_probability"] = params[comparison.name][index]["m"]
                entry["u_probability"] = params[comparison.name][index]["u"]
            else:
                entry["m_probability"] = _START_M[comparison.name][index]
            levels.append(entry)
        result.append(CustomComparison(comparison_levels=levels, output_column_name=comparison.name,
                                       comparison_description=comparison.description))
    return result


def _blocking_rules():
    from splink import block_on

    return [
        block_on("nkeys", "dob_year", arrays_to_explode=["nkeys"]),
        block_on("docs", arrays_to_explode=["docs"]),
        block_on("ids", arrays_to_explode=["ids"]),
        block_on("phon", "dob", arrays_to_explode=["phon"]),
        # a full date of birth and the first letter (a name too misspelt for any key)
        "l.dob = r.dob AND length(l.dob) = 10 AND substr(l.name0, 1, 1) = substr(r.name0, 1, 1)",
    ]


def _connection(threads: int):
    import duckdb
    from splink import DuckDBAPI

    connection = duckdb.connect()
    connection.execute(f"SET threads = {int(threads)}")
    connection.execute("SET preserve_insertion_order = false")
    # Splink parses level SQL with sqlglot, which knows the arrow form of lambdas.
    connection.execute("SET lambda_syntax = 'ENABLE_SINGLE_ARROW'")
    return DuckDBAPI(connection=connection)


def _linker(table: pa.Table, params: dict | None, prior: float | None, threads: int):
    from splink import Linker, SettingsCreator

    db = _connection(threads)
    frame = db.register(table)
    settings = SettingsCreator(
        link_type="dedupe_only",
        unique_id_column_name="unique_id",
        comparisons=_comparisons(params),
        blocking_rules_to_generate_predictions=_blocking_rules(),
        probability_two_random_records_match=prior if prior is not None else 1e-4,
        retain_matching_columns=False,
        retain_intermediate_calculation_columns=True,
    )
    return Linker(frame, settings, log_level=logging.WARNING)


def _trained_params(linker) -> tuple[dict, float]:
    model = linker.misc.save_model_to_json()
    params: dict[str, list[dict]] = {}
    for comparison, spec in zip(COMPARISONS, model["comparisons"]):
        levels = [lvl for lvl in spec["comparison_levels"] if not lvl.get("is_null_level")]
        params[comparison.name] = []
        for index, level in enumerate(levels):
            m = level.get("m_probability")
            u = level.get("u_probability")
            params[comparison.name].append({
                "level": comparison.levels[index].key,
                "m": float(m) if m is not None else _START_M[comparison.name][index],
                "u": float(u) if u is not None else 1e-4,
            })
    return params, float(model["probability_two_random_records_match"])


def train(records: list[PersonRecord], *, pair_prior: float = 0.5, threads: int = 2, seed: int = 42,
          max_pairs: float = 2e6, recall: float = 0.8, labels: dict[str, str] | None = None):
    """A ``Matcher`` whose parameters Splink estimated on ``records`` alone.

    u by random sampling; the prior from pairs that share a document or an
    identifier (assumed to find ``recall`` of the matches); m by two EM
    sessions, one blocked on the date of birth (which trains the names) and
    one blocked on the first name's sorted form (which trains the rest).
    With ``labels`` (record id -> true entity, known for generated data
    only), m is counted from the labelled matches instead of EM.
    """
    from splink import block_on

    from .scoring import Matcher

    if len(records) < 10:
        raise ValueError("Training needs at least 10 records.")
    table = arrow_table([features(r) for r in records], labels)
    linker = _linker(table, None, None, threads)
    linker.training.estimate_probability_two_random_records_match(
        [block_on("docs", arrays_to_explode=["docs"]), block_on("ids", arrays_to_explode=["ids"])], recall=recall,
    )
    linker.training.estimate_u_using_random_sampling(max_pairs=max_pairs, seed=seed)
    if labels:
        linker.training.estimate_m_from_label_column("label")
    else:
        linker.training.estimate_parameters_using_expectation_maximisation(
            block_on("dob"), record_sample_proportion=1.0, estimate_without_term_frequencies=True)
        linker.training.estimate_parameters_using_expectation_maximisation(
            block_on("name0"), record_sample_proportion=1.0, estimate_without_term_frequencies=True)
    params, prior = _trained_params(linker)
    return Matcher(params, prior, pair_prior, meta={"trained_on": len(records), "population": len(records)})


def _features_chunk(records: list[PersonRecord]) -> list[Features]:
    return [features(r) for r in records]


def many_features(records: Sequence[PersonRecord], workers: int = 2) -> list[Features]:
    """Features of many records, in ``workers`` processes beyond 100,000 records
    (transliteration is pure Python and holds the GIL)."""
    if len(records) < 100_000 or workers < 2:
        return [features(r) for r in records]
    from concurrent.futures import ProcessPoolExecutor

    size = 20_000
    chunks = [list(records[i:i + size]) for i in range(0, len(records), size)]
    with ProcessPoolExecutor(max_workers=workers) as pool:
        return [f for chunk in pool.map(_features_chunk, chunks) for f in chunk]


def predict(records: Sequence[PersonRecord] | Sequence[Features], matcher, *, threshold: float, threads: int | None = None):
    """Pairs above ``threshold`` (ids and the match weight of each comparison)
    and the clusters they form (Splink, DuckDB)."""
    threads = threads or min(2, os.cpu_count() or 1)
    if records and not isinstance(records[0], Features):
        rows = many_features(records, workers=threads)
    else:
        rows = list(records)
    table = arrow_table(rows)
    prior = matcher.prior_for(len(rows))
    linker = _linker(table, matcher.params, prior, threads)
    predictions = linker.inference.predict(threshold_match_probability=threshold)
    weight_columns = ", ".join(f"mw_{c.name}" for c in COMPARISONS)
    pairs_sql = f"SELECT unique_id_l, unique_id_r, {weight_columns} FROM {predictions.physical_name}"
    pairs = linker._db_api._execute_sql_against_backend(pairs_sql).fetchall()
    clusters_frame = linker.clustering.cluster_pairwise_predictions_at_threshold(predictions, threshold)
    cluster_sql = (
        f"SELECT list(unique_id) FROM {clusters_frame.physical_name} GROUP BY cluster_id HAVING count(*) > 1"
    )
    clusters = [set(row[0]) for row in linker._db_api._execute_sql_against_backend(cluster_sql).fetchall()]
    return pairs, clusters
