"""Splink on Spark: deduplication for what outgrows one machine.

Plain Python, no Django. Same features (``splink_backend.arrow_table``),
same comparison levels, same blocking rules and the same m/u parameters as
the DuckDB backend, so both find the same pairs with the same weights (with
``jaro_winkler="exact"``, the default; with Splink's jar UDF a name pair near
a level threshold can fall the other side, see ``_JW_SPARK``); only the
engine differs. ``comparisons.py`` writes each level once in DuckDB SQL;
this module derives the Spark SQL from it (sqlglot, which Splink itself
uses) plus a small rewrite layer for what sqlglot does not translate (see
``to_spark_sql``).

Spark runs wherever the caller's ``SparkSession`` runs (a cluster, or
``local_session()`` here: local mode, offline, no UI). ``damerau_levenshtein`` (and
``jaro_winkler`` if asked for) are the Scala UDFs of the jar shipped inside
the splink package; ``local_session`` puts that jar on the class path and
``SparkAPI`` registers them.
"""
from __future__ import annotations

import logging
import os
import shutil
import sys
import tempfile
from typing import Sequence

import pyarrow as pa

from .comparisons import COMPARISONS
from .records import Features, PersonRecord
from .splink_backend import _START_M, SCHEMA, _blocking_rules, arrow_table, many_features



# --- DuckDB SQL -> Spark SQL ------------------------------------------------------------------

class SparkTranslationError(ValueError):
    """A comparison level's DuckDB SQL has no Spark equivalent here."""


def _type_of_column(name: str) -> str | None:
    """'list', 'string', 'int' for a feature column (``names_l``, ``dob_r``...)."""
    base = name[:-2] if name.endswith(("_l", "_r")) else name
    if base not in SCHEMA.names:
        return None
    field_type = SCHEMA.field(base).type
    if pa.types.is_list(field_type):
        inner = field_type.value_type
        return "list<list<string>>" if pa.types.is_list(inner) else "list<string>"
    if pa.types.is_string(field_type):
        return "string"
    return "int"


def _element(list_type: str | None) -> str | None:
    if list_type and list_type.startswith("list<"):
        return list_type[5:-1]
    return None


def _rewrite(node, env: dict[str, str], jw: str = "exact"):
    """A Spark form of the DuckDB expression tree ``node`` (sqlglot), with
    ``env`` the types of the lambda variables in scope.

    sqlglot reads DuckDB's ``len`` and ``length`` as one node (Length); Spark
    needs ``size`` for lists and ``length`` for strings, so the type of the
    argument is worked out from the feature schema (``SCHEMA``) and the
    lambdas (``list_transform(toks_l, a -> ...)``: ``a`` is an element of
    ``toks``). The other rewrites are one function for another:

    * ``list_has_any(a, b)``: sqlglot writes ``a && b``, which Spark reads as
      a boolean AND; ``arrays_overlap(a, b)`` is the Spark function (same
      result on lists without NULL elements, which the features never hold).
    * ``list_bool_or(l)`` / ``list_bool_and(l)``: no Spark function; a list of
      booleans' ``array_max`` / ``array_min`` is the same, NULL for an empty
      list and NULLs skipped, like DuckDB's.
    * ``jaro_winkler_similarity(x, y)``: the same algorithm in Spark SQL (``_JW_SPARK``),
      or with ``jw="jar"`` Splink's UDF ``jaro_winkler`` (close, not equal).
    * ``damerau_levenshtein``: Splink's UDF of the same name (from its jar).
    """
    from sqlglot import exp

    def typeof(n) -> str | None:
        if isinstance(n, exp.Paren):
            return typeof(n.this)
        if isinstance(n, exp.Identifier):
            return env.get(n.name)
        if isinstance(n, exp.Column):
            if not n.table and n.name in env:
                return env[n.name]
            return _type_of_column(n.name)
        if isinstance(n, exp.Case):
            branches = [typeof(i.args.get("true")) for i in n.args.get("ifs", [])]
            if n.args.get("default") is not None:
                branches.append(typeof(n.args["default"]))
            known = {t for t in branches if t}
            return known.pop() if len(known) == 1 else None
        if isinstance(n, exp.ArrayFilter):
            return typeof(n.this)
        if isinstance(n, exp.Literal):
            return "string" if n.is_string else "number"
        return None

    if isinstance(node, (exp.Transform, exp.ArrayFilter)) and isinstance(node.expression, exp.Lambda):
        lam = node.expression
        inner = _element(typeof(node.this))
        scope = dict(env)
        for param in lam.expressions:
            if inner is None:
                raise SparkTranslationError(
                    f"Cannot tell what the elements of “{node.this.sql('duckdb')}” are (lambda “{param.name}”).")
            scope[param.name] = inner
        node.set("this", _rewrite(node.this, env, jw))
        lam.set("this", _rewrite(lam.this, scope, jw))
        return node

    for key, value in list(node.args.items()):
        if isinstance(value, exp.Expression):
            node.set(key, _rewrite(value, env, jw))
        elif isinstance(value, list):
            node.set(key, [_rewrite(v, env, jw) if isinstance(v, exp.Expression) else v for v in value])

    if isinstance(node, exp.Length):
        kind = typeof(node.this)
        if kind and kind.startswith("list<"):
            return exp.Anonymous(this="ARRAY_SIZE", expressions=[node.this])
        if kind == "string":
            return node
        raise SparkTranslationError(
            f"Cannot tell whether “{node.this.sql('duckdb')}” is a list or a string (in len/length).")
    if isinstance(node, exp.ArrayOverlaps):
        return exp.Anonymous(this="ARRAYS_OVERLAP", expressions=[node.this, node.expression])
    if isinstance(node, exp.JarowinklerSimilarity):
        return _jaro_winkler(node.this, node.expression, jw)
    if isinstance(node, exp.Anonymous):
        name = node.name.lower()
        if name == "list_bool_or":
            return exp.ArrayMax(this=node.expressions[0])
        if name == "list_bool_and":
            return exp.ArrayMin(this=node.expressions[0])
        if name not in _SPARK_UDFS:
            raise SparkTranslationError(f"The DuckDB function “{node.name}” has no Spark translation here.")
    return node


# Jaro-Winkler as DuckDB computes it (rapidfuzz's algorithm), in Spark SQL.
# Splink's jar has a ``jaro_winkler`` UDF (Apache Commons Text), but it halves
# the transpositions without rounding down, so its scores differ from DuckDB's
# (and from the Python scorer's rapidfuzz) for about one pair of names in
# eight, enough to move some pairs across the 0.92 and 0.80 level thresholds.
# Python UDFs are not allowed inside Spark's lambdas (the tokens are compared
# in ``transform``/``filter``), so the algorithm is written with Spark's own
# higher-order functions: exact and needs nothing on the cluster. Interpreted,
# it is slow alone (~0.3 ms a call against microseconds for the jar), but at
# 20,000 records the whole run took 11 s against 10 s with the jar, so it is
# the default (``jaro_winkler="exact"``); ``"jar"`` picks the jar's UDF.
#   w = max(len)/2 - 1; each character of s1 takes the first unmatched equal
#   character of s2 within w; t = floor(mismatches in matched order / 2);
#   jaro = (m/l1 + m/l2 + (m-t)/m)/3, 0 when m = 0 (two empty strings too, as in DuckDB);
#   above 0.7, + prefix(<=4) * 0.1 * (1 - jaro).
_JW_SPARK = """ELEMENT_AT(TRANSFORM(ARRAY(NAMED_STRUCT(
  's1', {x}, 's2', {y}, 'l1', CHAR_LENGTH({x}), 'l2', CHAR_LENGTH({y}),
  'w', GREATEST(CAST(FLOOR(GREATEST(CHAR_LENGTH({x}), CHAR_LENGTH({y})) / 2) AS INT) - 1, 0))),
 jw_c -> ELEMENT_AT(TRANSFORM(ARRAY(AGGREGATE(
   FILTER(SEQUENCE(0, jw_c.l1), jw_i -> jw_i > 0),
   NAMED_STRUCT('f', ARRAY_REPEAT(FALSE, jw_c.l1 + jw_c.l2 + 1), 'm', ''),
   (jw_acc, jw_i) -> ELEMENT_AT(TRANSFORM(ARRAY(ARRAY_MIN(FILTER(
       SEQUENCE(GREATEST(1, jw_i - jw_c.w), GREATEST(1, jw_i - jw_c.w, LEAST(jw_c.l2, jw_i + jw_c.w))),
       jw_k -> NOT ELEMENT_AT(jw_acc.f, jw_k) AND SUBSTRING(jw_c.s2, jw_k, 1) = SUBSTRING(jw_c.s1, jw_i, 1)))),
     jw_j -> IF(jw_j IS NULL, jw_acc, NAMED_STRUCT(
       'f', TRANSFORM(jw_acc.f, (jw_v, jw_n) -> jw_v OR jw_n + 1 = jw_j),
       'm', CONCAT(jw_acc.m, SUBSTRING(jw_c.s1, jw_i, 1))))), 1))),
  jw_s -> ELEMENT_AT(TRANSFORM(ARRAY(NAMED_STRUCT(
     'm', CHAR_LENGTH(jw_s.m),
     't', CAST(FLOOR(SIZE(FILTER(FILTER(SEQUENCE(0, CHAR_LENGTH(jw_s.m)), jw_k -> jw_k > 0),
       jw_k -> SUBSTRING(jw_s.m, jw_k, 1) <> SUBSTRING(ARRAY_JOIN(TRANSFORM(FILTER(SEQUENCE(0, jw_c.l2), jw_n -> jw_n > 0),
         jw_n -> IF(ELEMENT_AT(jw_s.f, jw_n), SUBSTRING(jw_c.s2, jw_n, 1), NULL)), ''), jw_k, 1))) / 2) AS INT),
     'p', ARRAY_POSITION(TRANSFORM(SEQUENCE(1, 5), jw_k -> jw_k > LEAST(jw_c.l1, jw_c.l2, 4)
       OR SUBSTRING(jw_c.s1, jw_k, 1) <> SUBSTRING(jw_c.s2, jw_k, 1)), TRUE) - 1)),
   jw_r -> CASE WHEN jw_r.m = 0 THEN 0.0D
     ELSE ELEMENT_AT(TRANSFORM(ARRAY((jw_r.m / jw_c.l1 + jw_r.m / jw_c.l2 + (jw_r.m - jw_r.t) / jw_r.m) / 3.0D),
       jw_jaro -> IF(jw_jaro > 0.7D, jw_jaro + jw_r.p * 0.1D * (1.0D - jw_jaro), jw_jaro)), 1) END), 1)), 1)), 1)"""


def _jaro_winkler(x, y, how: str):
    from sqlglot import exp, parse_one

    if how == "jar":
        return exp.Anonymous(this="JARO_WINKLER", expressions=[x, y])
    if how != "exact":
        raise ValueError(f"Unknown Jaro-Winkler “{how}”: use “exact” or “jar”.")
    return parse_one(_JW_SPARK.format(x=x.sql("spark"), y=y.sql("spark")), read="spark")


# Functions sqlglot leaves untouched that exist in Spark (Splink's jar UDFs and our rewrites).
_SPARK_UDFS = {"array_size", "arrays_overlap", "jaro_winkler", "damerau_levenshtein"}


def to_spark_sql(duckdb_sql: str, *, jaro_winkler: str = "exact") -> str:
    """The Spark SQL of one comparison level written for DuckDB.

    Raises ``SparkTranslationError`` naming what it cannot translate, so a
    level added to ``comparisons.py`` in DuckDB-only SQL fails here, before
    Spark runs, rather than deep inside a Spark job.
    """
    import sqlglot

    if duckdb_sql.strip().upper() == "ELSE":
        return duckdb_sql
    tree = sqlglot.parse_one(duckdb_sql, read="duckdb")
    return _rewrite(tree, {}, jaro_winkler).sql(dialect="spark")


def _comparisons(params: dict | None, jaro_winkler: str = "exact"):
    """``splink_backend._comparisons`` with each level's SQL in Spark's dialect."""
    from splink.comparison_library import CustomComparison

    result = []
    for comparison in COMPARISONS:
        levels = [{"sql_condition": to_spark_sql(comparison.null_sql, jaro_winkler=jaro_winkler), "label_for_charts": "missing",
                   "is_null_level": True}]
        for index, level in enumerate(comparison.levels):
            entry = {"sql_condition": to_spark_sql(level.sql, jaro_winkler=jaro_winkler), "label_for_charts": level.key}
            if params is not None:
                entry["m_probability"] = params[comparison.name][index]["m"]
                entry["u_probability"] = params[comparison.name][index]["u"]
            else:
                entry["m_probability"] = _START_M[comparison.name][index]
            levels.append(entry)
        result.append(CustomComparison(comparison_levels=levels, output_column_name=comparison.name,
                                       comparison_description=comparison.description))
    return result


# --- Spark sessions ---------------------------------------------------------------------------

def local_session(*, cores: int = 2, memory: str = "2g", shuffle_partitions: int = 4, app_name: str = "liaison-linkage"):
    """A Spark session in local mode, offline: bound to 127.0.0.1, no web UI,
    few shuffle partitions (the default 200 is for clusters and costs seconds
    per step on small data), with Splink's similarity jar on the class path."""
    os.environ.setdefault("SPARK_LOCAL_IP", "127.0.0.1")
    os.environ.setdefault("PYSPARK_PYTHON", sys.executable)
    os.environ.setdefault("PYSPARK_DRIVER_PYTHON", sys.executable)
    from pyspark.sql import SparkSession
    from splink.backends.spark import similarity_jar_location

    return (
        SparkSession.builder.master(f"local[{int(cores)}]").appName(app_name)
        .config("spark.jars", similarity_jar_location())
        .config("spark.driver.memory", memory)
        .config("spark.driver.host", "127.0.0.1")
        .config("spark.driver.bindAddress", "127.0.0.1")
        .config("spark.ui.enabled", "false")
        .config("spark.ui.showConsoleProgress", "false")
        .config("spark.sql.shuffle.partitions", str(int(shuffle_partitions)))
        .config("spark.default.parallelism", str(int(cores)))
        .config("spark.sql.execution.arrow.pyspark.enabled", "true")
        .config("spark.sql.session.timeZone", "UTC")
        .getOrCreate()
    )


def _active_session():
    from pyspark.sql import SparkSession

    try:
        return SparkSession.active()
    except Exception:  # pyspark raises its own error class when there is none
        return None


_OUR_CHECKPOINT_DIRS: set[str] = set()


def _checkpoint_dir(spark) -> str | None:
    found = spark.sparkContext._jsc.sc().getCheckpointDir()
    return None if found.isEmpty() else str(found.get())


def _scratch_checkpoint_dir(spark) -> str | None:
    """A fresh temporary checkpoint directory for this call, unless the
    session has one of its own (a cluster's, to be kept). Splink writes its
    intermediate tables there as Parquet: Spark's cache ("persist") does not
    cut the lineage, and the connected-components loop of the clustering
    then grows plans until the driver runs out of memory (seen at 20,000
    records with 2 GB)."""
    current = _checkpoint_dir(spark)
    # Spark puts its own sub-directory (a UUID) under the one it is given
    if current is not None and not any(d in current for d in _OUR_CHECKPOINT_DIRS):
        return None
    scratch = tempfile.mkdtemp(prefix="liaison-spark-")
    spark.sparkContext.setCheckpointDir(scratch)
    _OUR_CHECKPOINT_DIRS.add(scratch)
    return scratch


def _linker(spark, table: pa.Table, params: dict, prior: float, jaro_winkler: str = "exact"):
    from splink import Linker, SettingsCreator, SparkAPI

    # intermediate tables as Parquet under the checkpoint directory (Splink's default)
    db = SparkAPI(spark_session=spark, break_lineage_method="parquet",
                  num_partitions_on_repartition=int(spark.conf.get("spark.sql.shuffle.partitions")))
    if not spark.catalog.functionExists("damerau_levenshtein"):
        from splink.backends.spark import similarity_jar_location

        raise RuntimeError("Splink's similarity functions are missing from this Spark session: start it with "
                           f"spark.jars={similarity_jar_location()} (as local_session() does).")
    frame = db.register(spark.createDataFrame(table))
    settings = SettingsCreator(
        link_type="dedupe_only",
        unique_id_column_name="unique_id",
        comparisons=_comparisons(params, jaro_winkler),
        blocking_rules_to_generate_predictions=_blocking_rules(),
        probability_two_random_records_match=prior,
        retain_matching_columns=False,
        retain_intermediate_calculation_columns=True,
    )
    return Linker(frame, settings, log_level=logging.WARNING)


def predict(records: Sequence[PersonRecord] | Sequence[Features], matcher, *, threshold: float,
            spark=None, threads: int | None = None, jaro_winkler: str = "exact"):
    """Pairs above ``threshold`` (ids and the match weight of each comparison)
    and the clusters they form, as ``splink_backend.predict`` but on Spark.

    ``spark`` is the session to run in; without it the active session is
    used, and without one a local session is started for this call and
    stopped after it (a JVM costs seconds to start: callers deduplicating
    more than once should pass their own).

    ``jaro_winkler="exact"`` (default) computes DuckDB's Jaro-Winkler in
    Spark SQL (the same levels guaranteed); ``"jar"`` uses Splink's Scala
    UDF, a little faster, not equal to DuckDB's (see ``_JW_SPARK``).
    """
    if records and not isinstance(records[0], Features):
        rows = many_features(records, workers=threads or 2)
    else:
        rows = list(records)
    session = spark or _active_session()
    own = session is None
    if own:
        session = local_session(cores=threads or 2)
    linker = None
    scratch = _scratch_checkpoint_dir(session)
    try:
        linker = _linker(session, arrow_table(rows), matcher.params, matcher.prior_for(len(rows)), jaro_winkler)
        predictions = linker.inference.predict(threshold_match_probability=threshold)
        weights = ", ".join(f"mw_{c.name}" for c in COMPARISONS)
        pairs = [tuple(row) for row in session.sql(
            f"SELECT unique_id_l, unique_id_r, {weights} FROM {predictions.physical_name}").collect()]
        clusters_frame = linker.clustering.cluster_pairwise_predictions_at_threshold(predictions, threshold)
        clusters = [set(row[0]) for row in session.sql(
            f"SELECT collect_list(unique_id) FROM {clusters_frame.physical_name} "
            "GROUP BY cluster_id HAVING count(*) > 1").collect()]
        return pairs, clusters
    finally:
        if own:
            session.stop()
        elif linker is not None:
            # the caller's session lives on: drop Splink's views
            _drop_splink_tables(session)
        if scratch:
            shutil.rmtree(scratch, ignore_errors=True)


def _drop_splink_tables(spark) -> None:
    for table in spark.catalog.listTables():
        if table.isTemporary and table.name.startswith("__splink"):
            spark.catalog.dropTempView(table.name)
