"""Deduplication of N generated persons with Splink/DuckDB (2 threads): time, memory, recall at each stage.

    .venv/bin/python bench/match_dedupe.py --entities 580000   # about 1,000,000 records

Generating the records is timed apart. Prints seconds per stage, peak
resident memory (ru_maxrss), and against the generator's truth:

* blocking: the share of true pairs the blocking rules generate at all,
  per rule (the first rule that generates a pair counts it);
* scoring: pairs at ``--threshold`` or above, their precision and recall, and
  the share of the *blocked* true pairs the scoring keeps;
* clustering: the same after connected components (every two records of a
  cluster count as a predicted pair);
* the estimated prior against the true share of matching pairs.

``--weights`` also prints precision/recall at other probability thresholds.
``--backend spark`` runs ``spark_backend.predict`` (blocking rules and
priors of the shared path, no stage figures).
"""
from __future__ import annotations

import argparse
import resource
import time

import pyarrow as pa
from _match_common import prf  # noqa: F401  (puts the repository on sys.path)

from liaison.linkage import Matcher
from liaison.linkage.generate import population
from liaison.linkage.splink_backend import clusters_of, feature_table, many_features, score_all


def _pairs_in_clusters(clusters: list[set[str]], truth: dict[str, str]) -> tuple[int, int]:
    predicted = correct = 0
    for cluster in clusters:
        members = sorted(cluster)
        predicted += len(members) * (len(members) - 1) // 2
        entities: dict[str, int] = {}
        for member in members:
            entities[truth[member]] = entities.get(truth[member], 0) + 1
        correct += sum(n * (n - 1) // 2 for n in entities.values())
    return predicted, correct


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--entities", type=int, default=580_000)
    parser.add_argument("--threshold", type=float, default=0.9)
    parser.add_argument("--seed", type=int, default=99)
    parser.add_argument("--weights", action="store_true", help="precision/recall at other thresholds too")
    parser.add_argument("--backend", choices=["duckdb", "spark"], default="duckdb",
                        help="spark: Splink on a local Spark session (local[2], 2 GB driver)")
    args = parser.parse_args()
    start = time.perf_counter()
    records, truth, _ = population(args.entities, seed=args.seed)
    sizes: dict[str, int] = {}
    for record in records:
        sizes[truth[record.id]] = sizes.get(truth[record.id], 0) + 1
    true_pairs = sum(n * (n - 1) // 2 for n in sizes.values())
    generated = time.perf_counter()
    if args.backend == "spark":  # session start-up (a JVM, ~6 s) is counted
        from liaison.linkage.spark_backend import predict as spark_predict

        rows = many_features(records, workers=2)
        pairs, clusters = spark_predict(rows, Matcher.default(), threshold=args.threshold, threads=2)
        tp = sum(1 for a, b, *_ in pairs if truth[a] == truth[b])
        print(f"records {len(records):,}; spark {time.perf_counter() - generated:.0f} s; pairs {len(pairs):,} "
              f"precision {tp / max(1, len(pairs)):.3f} recall {tp / max(1, true_pairs):.3f}")
        return
    table = feature_table(records, workers=2)
    featured = time.perf_counter()
    scored = score_all(table, Matcher.default(), threads=2, floor=None)  # all, for the blocking recall
    scored_at = time.perf_counter()
    clusters = clusters_of(scored, args.threshold)
    done = time.perf_counter()
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024

    connection = scored.linker._db_api._con
    connection.register("truth", pa.table({"unique_id": list(truth), "entity": list(truth.values())}))
    connection.execute("""CREATE TABLE labelled AS SELECT s.match_key, s.probability, l.entity = r.entity AS good
        FROM scored s JOIN truth l ON l.unique_id = s.unique_id_l JOIN truth r ON r.unique_id = s.unique_id_r""")
    blocked, blocked_true = connection.execute("SELECT count(*), count(*) FILTER (good) FROM labelled").fetchone()
    per_rule = connection.execute(
        "SELECT match_key, count(*) FILTER (good) FROM labelled GROUP BY 1 ORDER BY 1").fetchall()
    predicted, correct = connection.execute(
        f"SELECT count(*), count(*) FILTER (good) FROM labelled WHERE probability >= {args.threshold}").fetchone()
    in_clusters, correct_in_clusters = _pairs_in_clusters(clusters, truth)
    expected_prior = true_pairs / (len(records) * (len(records) - 1) / 2)

    print(f"records {len(records):,}, true pairs {true_pairs:,}; generate {generated - start:.0f} s (not counted)")
    print(f"dedupe: features {featured - generated:.0f} s + block, score, adjust {scored_at - featured:.0f} s "
          f"+ cluster {done - scored_at:.0f} s = {done - generated:.0f} s; peak memory {peak:,.0f} MB")
    print(f"prior estimated {scored.prior:.3g} (true share of matching pairs {expected_prior:.3g})")
    print(f"blocking: {blocked:,} pairs, blocking recall {blocked_true / true_pairs:.3f}; "
          "true pairs per rule: " + ", ".join(f"{k}: {n:,}" for k, n in per_rule))
    print(f"scoring, probability >= {args.threshold}: {predicted:,} pairs, precision {correct / max(1, predicted):.3f} "
          f"recall {correct / true_pairs:.3f} (keeps {correct / max(1, blocked_true):.3f} of the blocked true pairs)")
    print(f"clustering: {len(clusters):,} clusters, {in_clusters:,} pairs within them, "
          f"precision {correct_in_clusters / max(1, in_clusters):.3f} recall {correct_in_clusters / true_pairs:.3f}")
    if args.weights:
        for threshold in (0.5, 0.8, 0.95, 0.99, 0.999):
            n, good = connection.execute(
                f"SELECT count(*), count(*) FILTER (good) FROM labelled WHERE probability >= {threshold}").fetchone()
            print(f"  probability >= {threshold}: {n:,} pairs, precision {good / max(1, n):.3f} "
                  f"recall {good / true_pairs:.3f}")


if __name__ == "__main__":
    main()
