"""Draw the held-out part of the real-report corpus (issue 12) and write split.json.

    python tools/split_real_reports.py            # writes tests/data/real_reports/split.json
    python tools/split_real_reports.py --check    # fails if split.json differs from a fresh draw

The draw is over story groups, not reports: reports that tell the same story (wire copy
across outlets and languages, the same event told again, a tally restated) share a group
and land on the same side, so the held-out part never holds a near copy of a development
report. Groups are shuffled with a fixed seed and taken in that order into the held-out
part while every language they touch stays within its quota (a quarter of that
language's reports, at least 4); a group that would overshoot any quota goes to
development. Nothing here looks at the texts, the annotations' difficulty or the
extractor's output.
"""
from __future__ import annotations

import argparse
import json
import math
import random
import sys
from collections import Counter
from pathlib import Path

SEED = 20260412
SHARE = 0.25
MIN_PER_LANGUAGE = 4
ROOT = Path(__file__).resolve().parent.parent / "tests" / "data" / "real_reports"

# Reports that tell the same story, grouped by hand from the annotations (shared events,
# figures, persons and places). Every report not listed is a group of its own.
GROUPS = {
    "chen_zhi_extradition": ["en_020", "fr_013", "fr_014", "fr_015", "fr_016", "fr_017", "zh_006"],
    "she_zhijiang_extradition": ["en_021", "en_022", "fr_018"],
    # The Bai reports also retell the Ming sentences, so both families form one group.
    "bai_and_ming_families": ["en_008", "en_009", "en_010", "en_011", "ar_021", "ar_022", "ar_023",
                              "id_023", "my_017", "zh_009", "zh_010"],
    "cyberjaya_680": ["en_023", "id_025", "id_026", "id_011"],
    "wni_28_from_cambodia": ["id_001", "id_007"],
    "bamban_raid": ["tl_013", "tl_014"],
    "hoa_lu_65": ["vi_002", "vi_009"],
    "korea_73_deported": ["ko_001", "ko_002", "ko_004"],
    # KK Park and Shwe Kokko raids, flight to Mae Sot and the junta's running totals,
    # October 2025 on; ar_001 tells both raids, and id_017 shares Kemlu's tally with id_003/id_006.
    "myanmar_crackdown_2025": ["ar_001", "ar_002", "ar_003", "ar_004", "ar_006", "ar_007", "ar_008",
                               "fr_004", "fr_019", "fr_020", "fr_021", "fr_022", "my_014", "ko_016",
                               "th_013", "th_014", "th_015", "th_016", "th_017",
                               "id_016", "id_017", "id_018", "id_020", "id_003", "id_006"],
    "myawaddy_chinese_flights_feb2025": ["fr_001", "fr_002", "fr_003", "fr_006", "en_004", "en_005"],
    "bgf_handover_260_feb2025": ["ms_003", "th_020"],
    "japanese_in_myawaddy_feb2025": ["ja_007", "ja_008", "ja_009", "ja_010", "ja_011"],
    "cambodia_indonesia_raids_2017": ["id_012", "id_013", "fr_012", "ar_012", "km_004"],
    "cambodia_61_deported_2017": ["ar_009", "ar_010", "ar_014"],
    "cambodia_89_deported_2018": ["ar_011", "fr_009"],
    "moroccans_in_myanmar": ["ar_017", "ar_018", "ar_019", "ar_020"],
    "manila_180_deported": ["en_013", "en_019"],
    "las_pinas_2724": ["en_014", "en_015"],
    "cambodia_crackdown_july2025": ["en_002", "en_007", "fr_010", "ja_006"],
    "wni_reports_jan2026": ["id_002", "id_004", "id_005"],
    "bandar_lampung_27": ["id_009", "id_010"],
    "japanese_19_april": ["ja_002", "ja_005"],
    "japanese_29_poipet": ["ja_003", "ja_004"],
    "luffy_group": ["ja_014", "ja_015", "ja_016"],
    "cambodia_deportations_2014_2015": ["km_005", "km_006", "km_007"],
    "korea_recruitment_fraud_30": ["km_016", "km_017"],
    "korean_student_death": ["ko_006", "ko_007", "ko_008"],
    "thai_16_shwe_kokko": ["th_007", "th_008", "th_010"],
    "myanmar_50619_handed_over": ["my_001", "my_015"],
    "daluo_920": ["my_005", "zh_001"],
    "yangon_airport_aug": ["zh_002", "zh_005"],
    "laos_462": ["zh_011", "zh_015"],
    "moc_bai_410": ["vi_003", "vi_015"],
    "malaysia_kln_releases_2022": ["ms_011", "ms_013", "ms_014", "id_019"],
    "malaysians_12_covid": ["ms_015", "ms_019"],
}


def report_ids() -> list[str]:
    return sorted(p.stem for p in (ROOT / "incoming").glob("*.json"))


def draw() -> dict:
    ids = report_ids()
    known = set(ids)
    grouped = [i for members in GROUPS.values() for i in members]
    missing = sorted(set(grouped) - known)
    twice = sorted(i for i, n in Counter(grouped).items() if n > 1)
    if missing or twice:
        raise SystemExit(f"group lists are wrong: missing {missing}, listed twice {twice}")
    groups = {name: sorted(members) for name, members in GROUPS.items()}
    for i in sorted(known - set(grouped)):
        groups[i] = [i]

    per_language = Counter(i.split("_")[0] for i in ids)
    quota = {lang: max(MIN_PER_LANGUAGE, math.ceil(SHARE * n)) for lang, n in per_language.items()}
    order = sorted(groups)
    random.Random(SEED).shuffle(order)

    held: Counter = Counter()
    heldout: list[str] = []
    for name in order:
        need = Counter(i.split("_")[0] for i in groups[name])
        if all(held[lang] + n <= quota[lang] for lang, n in need.items()):
            held.update(need)
            heldout.extend(groups[name])
    short = {lang: held[lang] for lang in per_language if held[lang] < min(MIN_PER_LANGUAGE, per_language[lang])}
    if short or len(heldout) < 60:
        raise SystemExit(f"draw too small: {len(heldout)} held out, short languages {short}")

    heldout = sorted(heldout)
    dev = sorted(known - set(heldout))
    counts = ", ".join(f"{lang} {held[lang]}/{per_language[lang]}" for lang in sorted(per_language))
    why = (f"Seeded draw (tools/split_real_reports.py, seed {SEED}) over {len(groups)} story groups: "
           f"reports telling the same story (wire copy across outlets and languages, restated events "
           f"and tallies) share a group and a side. Groups were taken in shuffled order into the "
           f"held-out part while each language stayed within a quota of a quarter of its reports "
           f"(at least {MIN_PER_LANGUAGE}); groups too large for a quota stay in development. Chosen "
           f"without looking at difficulty or at the extractor's output. Held out by language: {counts}. "
           f"Score the held-out part once, at the end, and report it separately.")
    return {"heldout": heldout, "dev": dev, "why": why}


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--check", action="store_true", help="compare with the existing split.json")
    args = parser.parse_args(argv)
    split = draw()
    text = json.dumps(split, ensure_ascii=False, indent=2) + "\n"
    target = ROOT / "split.json"
    if args.check:
        if not target.exists() or target.read_text(encoding="utf-8") != text:
            print("split.json differs from a fresh draw", file=sys.stderr)
            return 1
        return 0
    target.write_text(text, encoding="utf-8")
    print(f"{len(split['heldout'])} held out, {len(split['dev'])} development -> {target}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
