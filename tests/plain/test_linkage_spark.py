"""The Spark backend (Splink on Spark, local mode) finds what the DuckDB one finds.

One local Spark session for the module (starting a JVM costs seconds), stopped
at the end. Offline: local[2], bound to 127.0.0.1, no UI.
"""
import duckdb
import pytest

from liaison.linkage import Matcher, dedupe, spark_backend, splink_backend
from liaison.linkage.comparisons import COMPARISONS
from liaison.linkage.generate import population
from liaison.linkage.spark_backend import SparkTranslationError, to_spark_sql

THRESHOLD = 0.5


@pytest.fixture(scope="module")
def spark():
    session = spark_backend.local_session(cores=2, memory="1g", shuffle_partitions=4)
    yield session
    session.stop()


def _capture(module, monkeypatch):
    """Keep the raw output of ``module.predict`` (pairs with the per-field
    match weights Splink computed) while ``dedupe`` runs it."""
    seen = {}
    real = module.predict

    def recording(*args, **kwargs):
        seen["raw"] = real(*args, **kwargs)
        return seen["raw"]

    monkeypatch.setattr(module, "predict", recording)
    return seen


@pytest.fixture(scope="module")
def both(spark):
    records, truth, _ = population(160, seed=31)
    matcher = Matcher.default()
    with pytest.MonkeyPatch.context() as mp:
        raw_duckdb = _capture(splink_backend, mp)
        raw_spark = _capture(spark_backend, mp)
        duck = dedupe(records, threshold=THRESHOLD, backend="duckdb", matcher=matcher)
        sprk = dedupe(records, threshold=THRESHOLD, backend="spark", matcher=matcher)
    return records, duck, sprk, raw_duckdb["raw"], raw_spark["raw"]


def test_spark_finds_the_same_pairs_and_entities_as_duckdb(both):
    records, duck, sprk, _, _ = both
    assert 200 <= len(records) <= 400
    assert len(duck.pairs) > 30 and len(duck.clusters) > 20
    assert {(a, b) for a, b, _ in sprk.pairs} == {(a, b) for a, b, _ in duck.pairs}
    assert sorted(map(sorted, sprk.clusters)) == sorted(map(sorted, duck.clusters))
    spark_scores = {(a, b): s for a, b, s in sprk.pairs}
    for a, b, score in duck.pairs:
        assert spark_scores[(a, b)].levels == score.levels, (a, b)
        assert abs(spark_scores[(a, b)].probability - score.probability) < 1e-9


def test_spark_computes_the_same_match_weight_per_field(both):
    _, _, _, raw_duckdb, raw_spark = both
    duck = {(a, b): weights for a, b, *weights in raw_duckdb[0]}
    sprk = {(a, b): weights for a, b, *weights in raw_spark[0]}
    assert duck.keys() == sprk.keys()
    compared = 0
    for key, weights in duck.items():
        for name, d, s in zip([c.name for c in COMPARISONS], weights, sprk[key]):
            assert abs(d - s) < 1e-6, (key, name, d, s)
            compared += 1
    assert compared == len(duck) * len(COMPARISONS)


def test_exact_jaro_winkler_in_spark_sql_equals_duckdb(spark):
    """``jaro_winkler="exact"`` gives DuckDB's scores to the last bit, where
    Splink's jar (Commons Text) does not: ``nsr tarq``/``chang song yan``
    is 0.512 in DuckDB and 0.470 in the jar."""
    records, _, _ = population(80, seed=32)
    names = sorted({n for r in records for n in splink_backend.features(r).names})
    pairs = [(x, y) for i, x in enumerate(names) for y in names[i:i + 12]]
    pairs += [("nsr tarq", "chang song yan"), ("", ""), ("a", ""), ("abc", "bca"), ("x", "abcdefghijk")]
    connection = duckdb.connect()
    connection.execute("CREATE TABLE p (x VARCHAR, y VARCHAR)")
    connection.executemany("INSERT INTO p VALUES (?, ?)", pairs)
    expected = {(x, y): s for x, y, s in connection.execute(
        "SELECT x, y, jaro_winkler_similarity(x, y) FROM p").fetchall()}
    spark.createDataFrame(pairs, "x string, y string").createOrReplaceTempView("jw_pairs")
    exact = to_spark_sql("jaro_winkler_similarity(x, y)", jaro_winkler="exact")
    got = {(r[0], r[1]): r[2] for r in spark.sql(f"SELECT x, y, {exact} FROM jw_pairs").collect()}
    assert len(got) > 500
    assert all(abs(got[k] - expected[k]) < 1e-12 for k in expected), [
        (k, got[k], expected[k]) for k in expected if abs(got[k] - expected[k]) >= 1e-12][:5]


def test_duckdb_list_functions_become_their_spark_equivalents():
    assert to_spark_sql("len(names_l) = 0 OR len(names_r) = 0") == "ARRAY_SIZE(names_l) = 0 OR ARRAY_SIZE(names_r) = 0"
    assert to_spark_sql("length(dob_l) = 10") == "LENGTH(dob_l) = 10"
    # sqlglot alone writes ``NOT a && b``, which Spark would read as (NOT a) AND b
    assert to_spark_sql("NOT list_has_any(lkeys_l, lkeys_r)") == "NOT ARRAYS_OVERLAP(lkeys_l, lkeys_r)"
    nested = to_spark_sql("list_bool_or(list_transform(toks_l, a -> len(list_filter(a, x -> length(x) > 1)) > 0))")
    assert nested == "ARRAY_MAX(TRANSFORM(toks_l, a -> ARRAY_SIZE(FILTER(a, x -> LENGTH(x) > 1)) > 0))"
    assert to_spark_sql("jaro_winkler_similarity(x, y)", jaro_winkler="jar") == "JARO_WINKLER(x, y)"


def test_sql_spark_cannot_run_is_refused_with_its_name():
    with pytest.raises(SparkTranslationError, match="list_unique"):
        to_spark_sql("list_unique(names_l) > 1")
    with pytest.raises(SparkTranslationError, match="list or a string"):
        to_spark_sql("len(unknown_column_l) = 0")


def test_every_comparison_level_translates():
    for comparison in COMPARISONS:
        for sql in [comparison.null_sql] + [level.sql for level in comparison.levels]:
            assert "list_" not in to_spark_sql(sql).lower(), sql


def test_each_run_writes_to_a_fresh_scratch_directory_removed_after_it(both, spark):
    first = spark_backend._scratch_checkpoint_dir(spark)
    second = spark_backend._scratch_checkpoint_dir(spark)
    assert first and second and first != second
    assert second in spark_backend._checkpoint_dir(spark)
    for directory in (first, second):
        spark_backend.shutil.rmtree(directory)
    # the run of the ``both`` fixture cleaned up after itself
    leftovers = [d for d in spark_backend._OUR_CHECKPOINT_DIRS if spark_backend.os.path.exists(d)]
    assert leftovers == []
