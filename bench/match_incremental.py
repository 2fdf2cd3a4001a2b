"""Incremental matching: one new person against blocked candidates, in Python.

    .venv/bin/python bench/match_incremental.py [--candidates 50] [--reps 300]

Each repetition takes a new generated person (names not seen before, so the
transliteration cache is cold for it) and calls Matcher.candidates against a
pool of --candidates records that share a name key with it or are random.
Prints p50 / p95 / max in milliseconds (target: < 100 ms).
"""
from __future__ import annotations

import argparse
import statistics
import time

from _match_common import prf  # noqa: F401  (puts the repository on sys.path)

from liaison.linkage import Matcher
from liaison.linkage.generate import population


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--candidates", type=int, default=50)
    parser.add_argument("--reps", type=int, default=300)
    args = parser.parse_args()
    records, _, _ = population(args.reps * 2 + args.candidates * 4, seed=21)
    matcher = Matcher.default()
    pool = records[: args.candidates]
    news = records[-args.reps:]
    matcher.candidates(news[0], pool)  # import and load parameters once
    times = []
    for new in news:
        start = time.perf_counter()
        matcher.candidates(new, pool)
        times.append((time.perf_counter() - start) * 1000)
    times.sort()
    print(f"candidates() for 1 new person vs {args.candidates}: p50 {statistics.median(times):.2f} ms  "
          f"p95 {times[int(len(times) * 0.95)]:.2f} ms  max {times[-1]:.2f} ms  ({args.reps} reps)")


if __name__ == "__main__":
    main()
