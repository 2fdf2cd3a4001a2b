"""Deduplication of N generated persons with Splink/DuckDB (2 threads): time and peak memory.

    .venv/bin/python bench/match_dedupe.py --entities 400000   # about 1,000,000 records

Generating the records is timed apart. Prints records, pairs, clusters,
pairwise precision/recall against the generator's truth, seconds and peak
resident memory (ru_maxrss).
"""
from __future__ import annotations

import argparse
import resource
import time

from _match_common import prf  # noqa: F401  (puts the repository on sys.path)

from liaison.linkage import Matcher
from liaison.linkage.generate import population
from liaison.linkage.splink_backend import many_features, predict


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--entities", type=int, default=400_000)
    parser.add_argument("--threshold", type=float, default=0.9)
    parser.add_argument("--seed", type=int, default=99)
    parser.add_argument("--backend", choices=["duckdb", "spark"], default="duckdb",
                        help="spark: Splink on a local Spark session (local[2], 2 GB driver)")
    args = parser.parse_args()
    start = time.perf_counter()
    records, truth, _ = population(args.entities, seed=args.seed)
    generated = time.perf_counter()
    rows = many_features(records, workers=2)
    featured = time.perf_counter()
    if args.backend == "spark":  # session start-up (a JVM, ~6 s) is counted
        from liaison.linkage.spark_backend import predict as spark_predict

        pairs, clusters = spark_predict(rows, Matcher.default(), threshold=args.threshold, threads=2)
    else:
        pairs, clusters = predict(rows, Matcher.default(), threshold=args.threshold, threads=2)
    done = time.perf_counter()
    true_pairs = 0
    groups: dict[str, int] = {}
    for record in records:
        groups[truth[record.id]] = groups.get(truth[record.id], 0) + 1
    true_pairs = sum(n * (n - 1) // 2 for n in groups.values())
    tp = sum(1 for a, b, *_ in pairs if truth[a] == truth[b])
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(f"records {len(records):,}  generate {generated - start:.0f} s (not counted)")
    print(f"dedupe: features {featured - generated:.0f} s + Splink predict and cluster {done - featured:.0f} s "
          f"= {done - generated:.0f} s; peak memory {peak:,.0f} MB")
    print(f"pairs >= {args.threshold}: {len(pairs):,}  clusters {len(clusters):,}  "
          f"precision {tp / max(1, len(pairs)):.3f}  recall {tp / max(1, true_pairs):.3f}")


if __name__ == "__main__":
    main()
