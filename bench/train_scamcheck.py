#!/usr/bin/env python
"""Train the scam checker's classifier and write liaison/scamcheck/data/classifier.npz.

    .venv/bin/python bench/train_scamcheck.py [--data-dir ../shared/data] [--out PATH]

Data: UCI SMS Spam Collection + Mishra & Soni SMS phishing (English, deduplicated),
plus the examples written for Liaison in ten languages (weighted x2: they are the
only non-English text). Never the Indonesian or Thai scam-SMS sets (reserved for
checking Liaison from outside).
"""
import argparse
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
sys.path.insert(0, str(Path(__file__).resolve().parent))

from _scamcheck_data import SHARED, mishra, not_in, uci, written

from liaison.scamcheck.model import WEIGHTS, Classifier

WRITTEN_WEIGHT = 2.0


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--data-dir", type=Path, default=SHARED)
    parser.add_argument("--out", type=Path, default=WEIGHTS)
    args = parser.parse_args()
    english = uci(args.data_dir)
    english += not_in(mishra(args.data_dir), english)
    ours = written()
    texts = [t for t, _ in english] + [t for t, _, _ in ours]
    labels = [y for _, y in english] + [y for _, y, _ in ours]
    weights = [1.0] * len(english) + [WRITTEN_WEIGHT] * len(ours)
    start = time.perf_counter()
    model = Classifier.train(texts, labels, sample_weight=weights, meta={
        "trained_on": ["sms_spam_collection", "sms_phishing_mishra_soni", "written_examples.csv"],
        "rows": len(texts), "positive": sum(labels)})
    model.save(args.out)
    print(f"trained on {len(texts)} texts ({sum(labels)} scam/spam; {len(ours)} written for Liaison) "
          f"in {time.perf_counter() - start:.1f} s -> {args.out} ({args.out.stat().st_size / 1e6:.2f} MB)")


if __name__ == "__main__":
    main()
