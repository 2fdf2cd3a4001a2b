"""OpenSanctions name-matching benchmark (nomenklatura name_bench), person pairs.

    .venv/bin/python bench/match_opensanctions.py [--data ../shared/data] [--all-schemas]

Scores every pair through `liaison match score`'s code path, threshold 0.5 on
`probability`; prints precision, recall, F1 (OpenSanctions' own best: F1 0.796
on all pairs, 0.747 on persons) and the result on 明学昌 / Ming Xuechang.
"""
from __future__ import annotations

import csv
from collections import defaultdict

from _match_common import data_parser, prf, score_rows


def main() -> None:
    parser = data_parser(__doc__)
    parser.add_argument("--all-schemas", action="store_true", help="also companies, vessels...")
    parser.add_argument("--errors", type=int, default=0, help="print this many errors")
    args = parser.parse_args()
    path = args.data / "opensanctions_name_bench" / "cases.csv"
    with open(path, encoding="utf-8") as handle:
        cases = [c for c in csv.DictReader(handle) if args.all_schemas or c["schema"] == "Person"]
    rows = [{"left_name": c["name1"], "right_name": c["name2"]} for c in cases]
    scored = score_rows(rows)
    labels = [c["is_match"] == "true" for c in cases]
    predicted = [float(r["probability"]) >= 0.5 for r in scored]
    p, r, f1, tp, fp, fn = prf(labels, predicted)
    print(f"pairs {len(cases)}  precision {p:.3f}  recall {r:.3f}  F1 {f1:.3f}  (tp {tp} fp {fp} fn {fn})")
    groups = defaultdict(lambda: ([], []))
    for case, y, yhat in zip(cases, labels, predicted):
        groups[case["case_group"]][0].append(y)
        groups[case["case_group"]][1].append(yhat)
    for group, (ys, ps) in sorted(groups.items()):
        print(f"  {group:15s} pairs {len(ys):4d}  F1 {prf(ys, ps)[2]:.3f}")
    probe = score_rows([{"left_name": "明学昌", "right_name": "Ming Xuechang"}])[0]
    print(f"明学昌 / Ming Xuechang: probability {probe['probability']} ({probe['why']})")
    shown = 0
    for case, y, yhat, row in zip(cases, labels, predicted, scored):
        if y != yhat and shown < args.errors:
            shown += 1
            print(("FN" if y else "FP"), case["name1"], "|", case["name2"], "|", row["probability"], row["why"])


if __name__ == "__main__":
    main()
