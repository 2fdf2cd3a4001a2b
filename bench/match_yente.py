"""UN-sanctions pairs and synthetic non-matches (OpenSanctions yente fixtures).

    .venv/bin/python bench/match_yente.py [--data ../shared/data] [--seed 5]

Matches: row i of positives_un_untreated.csv with row i of
positives_un_treated.csv (the same person after typos, "SURNAME, Given"
reordering and some perturbed dates of birth), 683 pairs. Non-matches: each
untreated person paired with the most similar-looking person (Jaro-Winkler of
the normalised names) among 300 drawn at random from negatives_global.csv,
683 pairs. Name, date of birth and nationality are scored through `liaison
match score`'s code path, threshold 0.5.
"""
from __future__ import annotations

import csv
import random

from _match_common import data_parser, prf, score_rows
from rapidfuzz.distance import JaroWinkler

from liaison.names import normalise_name


def read(path):
    with open(path, encoding="utf-8") as handle:
        return list(csv.DictReader(handle))


def main() -> None:
    parser = data_parser(__doc__)
    parser.add_argument("--seed", type=int, default=5)
    args = parser.parse_args()
    folder = args.data / "opensanctions_yente_fixtures"
    untreated = read(folder / "positives_un_untreated.csv")
    treated = read(folder / "positives_un_treated.csv")
    negatives = read(folder / "negatives_global.csv")
    rng = random.Random(args.seed)
    rows, labels = [], []

    def pair(a, b, label):
        rows.append({"left_name": a["full_name"], "right_name": b["full_name"],
                     "left_dob": a["date_of_birth"], "right_dob": b["date_of_birth"],
                     "left_country": a["nationality"], "right_country": b["nationality"]})
        labels.append(label)

    for a, b in zip(untreated, treated):
        pair(a, b, True)
    for a in untreated:
        key = normalise_name(a["full_name"])
        sample = rng.sample(negatives, 300)
        best = max(sample, key=lambda n: JaroWinkler.similarity(key, normalise_name(n["full_name"])))
        pair(a, best, False)
    scored = score_rows(rows)
    predicted = [float(r["probability"]) >= 0.5 for r in scored]
    p, r, f1, tp, fp, fn = prf(labels, predicted)
    print(f"yente UN fixtures: pairs {len(rows)}  precision {p:.3f}  recall {r:.3f}  F1 {f1:.3f}  "
          f"(tp {tp} fp {fp} fn {fn})")


if __name__ == "__main__":
    main()
