#!/usr/bin/env python
"""Cross-dataset figures of the scam checker (never in-domain only).

    .venv/bin/python bench/scamcheck_eval.py [--data-dir ../shared/data]

1. Train the classifier on UCI SMS Spam, test on the Mishra & Soni rows whose text
   is not in UCI; 2. the reverse. Each is reported for the classifier alone
   (p >= 0.5) and for the full check (classifier + warning signs, level medium or
   high, i.e. score >= 0.40). 3. The examples written for Liaison, per language,
   scored by a classifier trained on the two English sets only: they were written
   by us, so these are a sanity check per language, not a recall figure.
The Indonesian and Thai scam-SMS sets are not read (reserved for outside checks).
"""
import argparse
import sys
from collections import defaultdict
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
sys.path.insert(0, str(Path(__file__).resolve().parent))

from _scamcheck_data import SHARED, mishra, not_in, uci, written

from liaison.scamcheck import MEDIUM, combine
from liaison.scamcheck.model import Classifier
from liaison.scamcheck.signs import signs
from liaison.text.langid import detect_language


def prf(truth, predicted):
    tp = sum(1 for t, p in zip(truth, predicted) if t and p)
    fp = sum(1 for t, p in zip(truth, predicted) if not t and p)
    fn = sum(1 for t, p in zip(truth, predicted) if t and not p)
    precision = tp / (tp + fp) if tp + fp else 0.0
    recall = tp / (tp + fn) if tp + fn else 0.0
    f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
    return precision, recall, f1


def full_scores(model, texts):
    probabilities = model.probability(texts)
    out = []
    for text, p in zip(texts, probabilities):
        lang, _ = detect_language(text)
        out.append(combine(float(p), signs().find(text, lang)))
    return probabilities, out


def cross(name, train, test):
    model = Classifier.train([t for t, _ in train], [y for _, y in train])
    texts, truth = [t for t, _ in test], [y for _, y in test]
    probabilities, scores = full_scores(model, texts)
    print(f"\n{name}: train {len(train)} ({sum(y for _, y in train)} positive), "
          f"test {len(test)} ({sum(truth)} positive)")
    for label, predicted in (("classifier p>=0.5", [p >= 0.5 for p in probabilities]),
                             ("check score>=0.40", [s >= MEDIUM for s in scores])):
        precision, recall, f1 = prf(truth, predicted)
        print(f"  {label:<18} precision {precision:.3f}  recall {recall:.3f}  F1 {f1:.3f}")
    return model


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--data-dir", type=Path, default=SHARED)
    args = parser.parse_args()
    a, b = uci(args.data_dir), mishra(args.data_dir)
    cross("UCI -> Mishra rows not in UCI", a, not_in(b, a))
    cross("Mishra -> UCI rows not in Mishra", b, not_in(a, b))
    both = a + not_in(b, a)
    model = Classifier.train([t for t, _ in both], [y for _, y in both])
    ours = written()
    _, scores = full_scores(model, [t for t, _, _ in ours])
    per = defaultdict(lambda: [0, 0, 0, 0])  # scam caught, scam total, ham kept low, ham total
    for (_, y, lang), score in zip(ours, scores):
        if y:
            per[lang][0] += score >= MEDIUM
            per[lang][1] += 1
        else:
            per[lang][2] += score < MEDIUM
            per[lang][3] += 1
    print("\nWritten for Liaison (classifier trained on UCI + Mishra only; our own examples, NOT a recall figure)")
    print("  language  scams medium/high  harmless low")
    for lang in sorted(per):
        c, n, k, m = per[lang]
        print(f"  {lang:<8}  {c}/{n:<16} {k}/{m}")


if __name__ == "__main__":
    main()
