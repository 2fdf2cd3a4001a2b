"""The synthetic Muse handover list (571 names) shipped in ``data/``.

Seed report 001 says Muse authorities handed 571 suspects to China on
18 November; no list was published, so ``data/handover_muse_synthetic.csv``
is invented, deterministic, and says so in its name and in every row's note.
Regenerate it with ``python -m liaison.demo.handover`` (same output each time).
"""
import csv
import io
import random
import string
from pathlib import Path

from liaison.demo import names_pool as pool

DATA_DIR = Path(__file__).resolve().parent / "data"
HANDOVER_CSV = DATA_DIR / "handover_muse_synthetic.csv"
BAD_CSV = DATA_DIR / "handover_bad_example.csv"
HEADER = ["name", "name_native", "sex", "birth_date", "nationality", "passport", "phone", "status", "status_date",
          "status_country", "note"]
NOTE = "Synthetic demonstration record – Muse handover list"


def rows(count=571, seed=1118):
    rng = random.Random(seed)
    out, seen = [], set()
    while len(out) < count:
        sex = rng.choice(["male", "male", "male", "female"])
        (fs, fl), (gs, gl) = rng.choice(pool.CHINESE_SURNAMES), rng.choice(pool.CHINESE_GIVEN[sex])
        burmese = rng.random() < 0.08
        if burmese:
            native, latin = rng.choice(pool.BURMESE_GIVEN[sex])
            nationality = "MM"
        else:
            native, latin, nationality = fs + gs, f"{fl.upper()} {gl}", "CN"
        year = rng.randint(1970, 2003)
        birth = rng.choice([str(year), f"{year}-{rng.randint(1, 12):02d}", f"{year}-{rng.randint(1, 12):02d}-{rng.randint(1, 28):02d}"])
        passport = "E" + "".join(rng.choice(string.digits) for _ in range(8)) if nationality == "CN" and rng.random() < 0.6 else ""
        phone = f"+86 13{rng.randint(0, 9)} {rng.randint(1000, 9999)} {rng.randint(1000, 9999)}" if rng.random() < 0.3 else ""
        key = (latin, birth, passport)
        if key in seen:
            continue
        seen.add(key)
        out.append([latin, native, sex, birth, nationality, passport, phone, "in custody", "--11-18", "CN", NOTE])
    return out


def csv_text(table=None):
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(HEADER)
    writer.writerows(table if table is not None else rows())
    return buffer.getvalue()


if __name__ == "__main__":
    HANDOVER_CSV.write_text(csv_text(), encoding="utf-8")
