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


def _table_chunk(records: list[PersonRecord]) -> bytes:
    """Features of a chunk as Arrow IPC bytes: a worker hands back one buffer
    instead of pickling a dataclass per record, which cost a third of the
    feature time at a million records."""
    table = arrow_table([features(r) for r in records])
    sink = pa.BufferOutputStream()
    with pa.ipc.new_stream(sink, table.schema) as writer:
        writer.write_table(table)
    return sink.getvalue().to_pybytes()


def _in_workers(function, records: Sequence[PersonRecord], workers: int, size: int = 20_000) -> list:
    from concurrent.futures import ProcessPoolExecutor

    chunks = [list(records[i:i + size]) for i in range(0, len(records), size)]
    with ProcessPoolExecutor(max_workers=workers) as pool:
        return list(pool.map(function, chunks))


def many_features(records: Sequence[PersonRecord], workers: int = 2) -> list[Features]:
    """Features of many records, in ``workers`` processes beyond 100,000 records
    (transliteration is pure Python and holds the GIL)."""
    if len(records) < 100_000 or workers < 2:
        return [features(r) for r in records]
    return [f for chunk in _in_workers(_features_chunk, records, workers) for f in chunk]


def feature_table(records: Sequence[PersonRecord], workers: int = 2) -> pa.Table:
    """``arrow_table(many_features(records))``, built inside the workers."""
    if len(records) < 100_000 or workers < 2:
        return arrow_table([features(r) for r in records])
    return pa.concat_tables(pa.ipc.open_stream(buffer).read_all()
                            for buffer in _in_workers(_table_chunk, records, workers))


# Name levels that rest on one shared key, the key column and its prefix in
# the frequency table (the same levels as scoring._TF_KEYS).
_TF_LEVELS = {"han_same": "han", "exact": "nkeys", "phonetic": "phonv", "consonants": "phon"}


def _dedupe_blocking_rules():
    """``_blocking_rules`` on the keys of ``features`` that are not too common
    (``COMMON_KEY_SHARE``), with the phonetic key blocked on the year of birth,
    not the full date: a name written in its own script and romanised often
    shares no exact key, only the consonant skeleton (ចាន់ មករា "chana mkra"
    and "Chan Makara"), and one side gives only a year in a third of pairs.

    Measured on 101,586 generated records: these rules generate 73 % of the
    true pairs. Rare name keys blocked on alone (no date) raised that to 87 %
    but added 130,000 pairs of which 43 scored a match: a shared name with
    no date of birth on one side does not make a match however rare the
    name, so those rules are not kept."""
    from splink import block_on

    return [
        block_on("bkeys", "dob_year", arrays_to_explode=["bkeys"]),
        block_on("docs", arrays_to_explode=["docs"]),
        block_on("ids", arrays_to_explode=["ids"]),
        block_on("bphon", "dob_year", arrays_to_explode=["bphon"]),
        "l.dob = r.dob AND length(l.dob) = 10 AND substr(l.name0, 1, 1) = substr(r.name0, 1, 1)",
    ]


# A name key (or phonetic key) borne by more than this share of the records
# is not blocked on with the year of birth: with the name's own frequency as
# its weight, a key that common cannot make a match with a year alone, and
# a short consonant skeleton ("m", "n s") borne by tens of thousands would
# put billions of pairs in its blocks. Those pairs are still found through a
# full date of birth, a document or an identifier.
COMMON_KEY_SHARE = 0.002


def _key_frequencies(connection, source: str) -> None:
    """``keyfreq(k, c)``: how many records of ``source`` carry each name key
    (prefixed by its column, ``nkeys:chan makara``); table ``features``:
    ``source`` with ``bkeys`` and ``bphon``, its name and phonetic keys that
    are not too common to block on."""
    union = " UNION ALL ".join(
        f"SELECT '{column}:' || unnest({column}) AS k FROM {source}" for column in sorted(set(_TF_LEVELS.values()))
    )
    connection.execute(f"CREATE OR REPLACE TABLE keyfreq AS SELECT k, count(*)::INTEGER AS c FROM ({union}) GROUP BY k")
    records = connection.execute(f"SELECT count(*) FROM {source}").fetchone()[0]
    cap = max(50, int(records * COMMON_KEY_SHARE))
    joins = []
    for column, alias in (("nkeys", "bkeys"), ("phon", "bphon")):
        joins.append(f"""
            LEFT JOIN (SELECT e.unique_id, list(e.k) AS {alias} FROM
                (SELECT unique_id, unnest({column}) AS k FROM {source}) e
                JOIN keyfreq f ON f.k = '{column}:' || e.k AND f.c <= {cap} GROUP BY e.unique_id) {alias}_t
            ON {alias}_t.unique_id = s.unique_id""")
    connection.execute(f"""CREATE OR REPLACE TABLE features AS
        SELECT s.*, coalesce(bkeys, []::VARCHAR[]) AS bkeys, coalesce(bphon, []::VARCHAR[]) AS bphon
        FROM {source} s {"".join(joins)}""")


def _tf_sql(matcher, records: int, predictions: str) -> str:
    """The predictions with ``weight``: Splink's match weight with the name's
    weight taken from the shared key's own frequency in the data (Splink's
    term-frequency adjustment, log2(u_level / tf), up and down; hand-written
    because Splink's needs a one-value column and the keys are lists). Among
    the keys both records share, the rarest counts."""
    levels = [lv.key for lv in COMPARISONS[0].levels]
    weights = matcher.weights("name")
    cases_keys, cases_u = [], []
    for key, column in _TF_LEVELS.items():
        if key not in levels:
            continue
        # Splink 5 keeps no comparison vector: the level is known by its weight.
        level = f"abs(p.mw_name - {weights[levels.index(key)]!r}) < 1e-6"
        cases_keys.append(f"WHEN {level} THEN list_transform(list_intersect(l.{column}, r.{column}), "
                          f"x -> '{column}:' || x)")
        u = max(matcher.params["name"][levels.index(key)]["u"], 1e-9)
        cases_u.append(f"WHEN {level} THEN {u!r}")
    return f"""
        WITH shared AS (
            SELECT p.unique_id_l, p.unique_id_r,
                   CASE {" ".join(cases_keys)} ELSE []::VARCHAR[] END AS keys,
                   CASE {" ".join(cases_u)} END AS u
            FROM {predictions} p
            JOIN features l ON l.unique_id = p.unique_id_l JOIN features r ON r.unique_id = p.unique_id_r),
        rarest AS (
            SELECT s.unique_id_l, s.unique_id_r, any_value(s.u) AS u, min(f.c) AS c
            FROM (SELECT unique_id_l, unique_id_r, u, unnest(keys) AS k FROM shared) s
            JOIN keyfreq f ON f.k = s.k GROUP BY s.unique_id_l, s.unique_id_r)
        SELECT p.*, p.match_weight + coalesce(log2(t.u * {records} / t.c), 0) AS weight
        FROM {predictions} p LEFT JOIN rarest t USING (unique_id_l, unique_id_r)"""


class Scored:
    """Every blocked pair of a deduplication, scored, in a DuckDB session:
    table ``scored`` (``unique_id_l``, ``unique_id_r``, ``match_key`` = the
    blocking rule that generated it, ``weight``, ``probability``, and the
    ``mw_*`` weight of each comparison). Kept so that a benchmark can count
    what the blocking rules generate apart from what the scoring keeps."""

    def __init__(self, linker, prior: float, records: int):
        self.linker = linker
        self.prior = prior
        self.records = records

    def sql(self, query: str):
        return self.linker._db_api._execute_sql_against_backend(query)


def deterministic_prior(linker, records: int) -> float:
    """The probability that two random records are one person, estimated on
    the data being deduplicated (Splink's
    ``estimate_probability_two_random_records_match``): the pairs that share
    an identity document or a phone/identifier, or a name key and a full date
    of birth, over all pairs, divided by the share of true pairs those rules
    find (``DETERMINISTIC_RECALL``)."""
    from splink import block_on

    rules = [
        block_on("docs", arrays_to_explode=["docs"]),
        block_on("ids", arrays_to_explode=["ids"]),
        "list_has_any(l.nkeys, r.nkeys) AND l.dob = r.dob AND length(l.dob) = 10",
    ]
    linker.training.estimate_probability_two_random_records_match(rules, recall=DETERMINISTIC_RECALL)
    return float(linker._settings_obj._probability_two_random_records_match)


# The share of true pairs the deterministic rules above find, counted on
# generated data with known truth (20,000 entities, seed 1: 6,741 of 19,751
# true pairs; the benchmark runs on seed 99). Real registries, where documents are recorded more often,
# would give a higher share: then the prior is overestimated, which errs
# towards proposing more pairs for review.
DETERMINISTIC_RECALL = 0.34


def score_all(table: pa.Table, matcher, *, threads: int = 2, floor: float | None = -10.0,
              prior: float | None = None) -> Scored:
    """Block, score and term-frequency-adjust every pair of ``table`` (see ``Scored``).

    ``prior``: the probability that two random records match; by default
    estimated on ``table`` itself (``deterministic_prior``) rather than the
    pair prior of screening or a prior rescaled from the training data.
    Pairs whose unadjusted weight is below ``floor`` are not kept (None: all are).
    """
    from splink import Linker, SettingsCreator

    db = _connection(threads)
    connection = db._con if hasattr(db, "_con") else db.con
    connection.register("raw_features", table)
    _key_frequencies(connection, "raw_features")
    connection.unregister("raw_features")
    records = table.num_rows
    settings = SettingsCreator(
        link_type="dedupe_only",
        unique_id_column_name="unique_id",
        comparisons=_comparisons(matcher.params),
        blocking_rules_to_generate_predictions=_dedupe_blocking_rules(),
        probability_two_random_records_match=prior or matcher.prior_for(records),
        retain_matching_columns=False,
        retain_intermediate_calculation_columns=True,
    )
    linker = Linker(db.register("features"), settings, log_level=logging.WARNING)
    if prior is None:
        prior = deterministic_prior(linker, records)
    predictions = linker.inference.predict(threshold_match_weight=floor)  # None: every blocked pair
    connection.execute(f"CREATE OR REPLACE TABLE scored AS SELECT *, 1 / (1 + pow(2, -weight)) AS probability "
                       f"FROM ({_tf_sql(matcher, records, predictions.physical_name)})")
    predictions.drop_table_from_database_and_remove_from_cache()
    return Scored(linker, prior, records)


def clusters_of(scored: Scored, threshold: float) -> list[set[str]]:
    """Connected components of the pairs at ``threshold`` or above (Splink's clustering)."""
    from splink.clustering import cluster_pairwise_predictions_at_threshold

    db = scored.linker._db_api
    edges = scored.sql(f"SELECT unique_id_l, unique_id_r, probability AS match_probability FROM scored "
                       f"WHERE probability >= {threshold!r}").fetch_arrow_table()
    nodes = scored.sql("SELECT DISTINCT unique_id FROM (SELECT unique_id_l AS unique_id FROM scored "
                       f"WHERE probability >= {threshold!r} UNION ALL SELECT unique_id_r FROM scored "
                       f"WHERE probability >= {threshold!r})").fetch_arrow_table()
    frame = cluster_pairwise_predictions_at_threshold(nodes, edges, db, "unique_id",
                                                      threshold_match_probability=threshold)
    rows = db._execute_sql_against_backend(
        f"SELECT list(unique_id) FROM {frame.physical_name} GROUP BY cluster_id HAVING count(*) > 1").fetchall()
    return [set(row[0]) for row in rows]


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
