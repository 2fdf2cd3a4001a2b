"""Extraction speed and memory on one core, for ~3 KB reports in every language.

    .venv/bin/python bench/extraction_bench.py [--reports 600] [--size 3000]

Reports are built from the texts of tests/data/extraction (each repeated up to
``--size`` characters, so every report has the shape of a real one: several
events, dates, places, figures). Start-up (lingua's models, compiling the
lexicons) is timed apart: it is paid once per process. Prints reports/second
overall and per language, and the traced Python memory after growing batches:
if extraction kept anything per report, the figure would grow with the batch.
No database, no network.
"""
from __future__ import annotations

import argparse
import gc
import os
import statistics
import sys
import time
import tracemalloc
from collections import defaultdict
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
DATA = ROOT / "tests" / "data" / "extraction"


def corpus(size: int) -> list[tuple[str, str]]:
    from liaison.text import detect_language

    reports = []
    for path in sorted(DATA.glob("*.txt")):
        base = path.read_text(encoding="utf-8").strip()
        text = base
        while len(text) < size:
            text += "\n\n" + base
        reports.append((detect_language(base)[0] or "?", text[: max(size, len(base))]))
    return reports


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--reports", type=int, default=600, help="reports to extract in the timed run")
    parser.add_argument("--size", type=int, default=3000, help="characters per report")
    args = parser.parse_args()
    if hasattr(os, "sched_setaffinity"):
        os.sched_setaffinity(0, {min(os.sched_getaffinity(0))})  # one core

    t0 = time.perf_counter()
    from liaison.text import extract_report

    reports = corpus(args.size)
    for _, text in reports:  # warm-up: lingua models, regex compilation, gazetteer
        extract_report(text)
    startup = time.perf_counter() - t0

    per_lang = defaultdict(list)
    cpu_start = time.process_time()
    start = time.perf_counter()
    for i in range(args.reports):
        lang, text = reports[i % len(reports)]
        t = time.perf_counter()
        extract_report(text, doc_id=str(i))
        per_lang[lang].append(time.perf_counter() - t)
    elapsed = time.perf_counter() - start
    cpu = time.process_time() - cpu_start

    print(f"reports: {args.reports} x ~{args.size} chars, {len(reports)} distinct texts, one core")
    print(f"start-up (models, lexicons, first pass): {startup:.2f} s")
    print(f"throughput: {args.reports / elapsed:.1f} reports/s   mean {1000 * elapsed / args.reports:.1f} ms/report"
          " (wall clock)")
    print(f"            {args.reports / cpu:.1f} reports/s   mean {1000 * cpu / args.reports:.1f} ms/report"
          " (CPU time of this process: what a free core would give when the machine is shared)")
    print(f"{'language':<10}{'reports':>8}{'median ms':>11}{'p95 ms':>9}")
    for lang in sorted(per_lang):
        times = sorted(per_lang[lang])
        p95 = times[min(len(times) - 1, int(0.95 * len(times)))]
        print(f"{lang:<10}{len(times):>8}{1000 * statistics.median(times):>11.1f}{1000 * p95:>9.1f}")

    gc.collect()
    tracemalloc.start()
    baseline = tracemalloc.get_traced_memory()[0]
    print("memory (traced Python heap after the batch, garbage collected):")
    done = 0
    for batch in (100, 400, 1600):
        while done < batch:
            lang, text = reports[done % len(reports)]
            extract_report(text, doc_id=str(done))
            done += 1
        gc.collect()
        current, peak = tracemalloc.get_traced_memory()
        print(f"  after {batch:>5} reports: {(current - baseline) / 1024:8.1f} KiB retained, peak {peak / 1024:8.1f} KiB")
    tracemalloc.stop()


if __name__ == "__main__":
    main()
