#!/usr/bin/env python
"""Speed of the scam checker on one core: texts of about 1 KB per second.

    OMP_NUM_THREADS=1 .venv/bin/python bench/scamcheck_bench.py [--texts 2000]

Texts are built from the written examples and English SMS, joined up to ~1 KB
(a pasted job offer). Wall-clock rates depend on what else the machine runs; the
per-CPU-second rate is the one-core figure. Reports ``check`` one text at a time (the public page) and
``check_many`` in batches of 256 (``liaison check messages``). Target: >= 200/s.
"""
import argparse
import os
import random
import sys
import time
from pathlib import Path

os.environ.setdefault("OMP_NUM_THREADS", "1")
os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")
sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
sys.path.insert(0, str(Path(__file__).resolve().parent))

from _scamcheck_data import uci, written

from liaison.scamcheck import check, check_many


def texts_of_1kb(n, seed=7):
    rng = random.Random(seed)
    ours = [t for t, _, _ in written()]
    english = [t for t, _ in uci()]
    out = []
    for _ in range(n):
        pool = ours if rng.random() < 0.6 else english
        text = ""
        while len(text.encode("utf-8")) < 1024:
            text += rng.choice(pool) + "\n"
        out.append(text)
    return out


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--texts", type=int, default=2000)
    args = parser.parse_args()
    start = time.perf_counter()
    check("warm up: load the classifier, the signs and the language models")
    print(f"start-up {time.perf_counter() - start:.2f} s")
    texts = texts_of_1kb(args.texts)
    size = sum(len(t.encode("utf-8")) for t in texts) / len(texts)
    start, cpu = time.perf_counter(), time.process_time()
    latencies = []
    for text in texts:
        t0 = time.perf_counter()
        check(text)
        latencies.append(time.perf_counter() - t0)
    one, one_cpu = time.perf_counter() - start, time.process_time() - cpu
    latencies.sort()
    start, cpu = time.perf_counter(), time.process_time()
    for i in range(0, len(texts), 256):
        check_many(texts[i:i + 256])
    batch, batch_cpu = time.perf_counter() - start, time.process_time() - cpu
    print(f"{len(texts)} texts, mean {size:.0f} bytes")
    print(f"check() one at a time: {len(texts) / one:.0f} texts/s, p50 {latencies[len(texts) // 2] * 1000:.1f} ms, "
          f"p95 {latencies[int(len(texts) * 0.95)] * 1000:.1f} ms; {len(texts) / one_cpu:.0f} texts per CPU-second")
    print(f"check_many() batches of 256: {len(texts) / batch:.0f} texts/s; {len(texts) / batch_cpu:.0f} per CPU-second")


if __name__ == "__main__":
    main()
