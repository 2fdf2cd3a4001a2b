"""Intake of a large batch: does memory stay flat over ``liaison ingest`` of 10,000 reports?

    .venv/bin/python bench/intake_bench.py --files 10000
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/liaison_bench .venv/bin/python bench/intake_bench.py

Generates N distinct synthetic reports (seeded; seven languages; .txt and
.html) in a temporary directory, migrates a fresh database (a temporary
SQLite file by default; with DATABASE_URL, that PostgreSQL database is
DROPPED and re-created, ``test``/``liaison_dev``/``postgres`` refused), then
runs ``liaison ingest DIR --agency BENCH`` as a child process and samples its
resident memory (VmRSS from /proc) while it works. Every file goes through
every stage (store, text, language, facts proposed).

Printed: files/s, RSS after 10 %, 50 % and 100 % of the files, the peak, and
the growth between 10 % and the end per 1,000 files: flat memory means that
growth stays near zero whatever N is.
"""
from __future__ import annotations

import argparse
import os
import random
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

ROOT = Path(__file__).resolve().parent.parent
PROTECTED_DATABASES = {"test", "liaison_dev", "postgres", "template0", "template1"}

PLACES = ["Muse", "Myawaddy", "Shwe Kokko", "Sihanoukville", "Bavet", "Poipet", "Tachileik", "Laukkaing", "Kunming",
          "Mae Sot", "Golden Triangle", "Phnom Penh"]
TEMPLATES = {
    "en": "Police in {place} raided a scam compound on {day} {month_en} and arrested {n} suspects; {m} victims were "
          "rescued, officials said in bulletin {ref}.",
    "fr": "Le {day} {month_fr}, les autorités de {place} ont remis {n} suspects à la Chine, selon le communiqué {ref}.",
    "id": "Polisi menahan {n} tersangka dalam penggerebekan di {place} pada {day} {month_id}, menurut laporan {ref}.",
    "zh": "{month_zh}月{day}日，警方在{place}捣毁诈骗窝点，抓获犯罪嫌疑人{n}名，解救受害者{m}名（通报{ref}）。",
    "th": "ตำรวจบุกค้นแหล่งแก๊งคอลเซ็นเตอร์ที่{place} จับกุมผู้ต้องสงสัย {n} คน และช่วยเหลือเหยื่อ {m} คน ตามรายงาน {ref}",
    "vi": "Ngày {day} tháng {month_zh}, công an {place} đã bắt giữ {n} nghi phạm lừa đảo và giải cứu {m} nạn nhân, "
          "theo thông báo {ref}.",
    "ar": "أعلنت الشرطة في {place} اعتقال {n} مشتبهاً بهم وإنقاذ {m} ضحية في مركز احتيال، وفق البيان {ref}.",
}
MONTHS_EN = "January February March April May June July August September October November December".split()
MONTHS_FR = "janvier février mars avril mai juin juillet août septembre octobre novembre décembre".split()
MONTHS_ID = "Januari Februari Maret April Mei Juni Juli Agustus September Oktober November Desember".split()
FILLER = {
    "en": "The operation was coordinated with neighbouring countries. Investigations continue.",
    "fr": "L'opération a été coordonnée avec les pays voisins. L'enquête se poursuit.",
    "id": "Operasi tersebut dikoordinasikan dengan negara-negara tetangga. Penyelidikan masih berlanjut.",
    "zh": "此次行动与周边国家协调开展，调查仍在进行中。",
    "th": "ปฏิบัติการนี้ประสานงานกับประเทศเพื่อนบ้าน การสืบสวนยังดำเนินต่อไป",
    "vi": "Chiến dịch được phối hợp với các nước láng giềng. Cuộc điều tra vẫn đang tiếp tục.",
    "ar": "تم تنسيق العملية مع الدول المجاورة. ولا تزال التحقيقات جارية.",
}


def report(rng, i):
    lang = list(TEMPLATES)[i % len(TEMPLATES)]
    month = rng.randrange(12)
    values = {"place": rng.choice(PLACES), "day": rng.randint(1, 28), "n": rng.randint(3, 3000),
              "m": rng.randint(1, 400), "ref": f"{i:06d}", "month_en": MONTHS_EN[month], "month_fr": MONTHS_FR[month],
              "month_id": MONTHS_ID[month], "month_zh": month + 1}
    body = TEMPLATES[lang].format(**values) + "\n\n" + " ".join([FILLER[lang]] * rng.randint(2, 12))
    return lang, body


def generate(directory, count, seed=7):
    rng = random.Random(seed)
    for i in range(count):
        lang, body = report(rng, i)
        if i % 5 == 4:
            (directory / f"r{i:06d}-{lang}.html").write_text(
                f"<html><head><title>Bulletin {i}</title></head><body><nav>Home | News</nav><article><p>"
                + body.replace("\n\n", "</p><p>") + "</p></article><footer>© Example</footer></body></html>",
                encoding="utf-8")
        else:
            (directory / f"r{i:06d}-{lang}.txt").write_text(body, encoding="utf-8")


def rss_kb(pid):
    try:
        with open(f"/proc/{pid}/status") as status:
            for line in status:
                if line.startswith("VmRSS:"):
                    return int(line.split()[1])
    except FileNotFoundError:
        return None
    return None


def reset_postgres(url):
    import psycopg

    parts = urlsplit(url)
    name = parts.path.lstrip("/")
    if name in PROTECTED_DATABASES:
        sys.exit(f"Refusing to drop the database “{name}”: name a throw-away database such as liaison_bench.")
    admin = urlunsplit(parts._replace(path="/postgres"))
    with psycopg.connect(admin, autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        conn.execute(f"CREATE DATABASE \"{name}\" TEMPLATE template0 ENCODING 'UTF8' LC_COLLATE 'C.UTF-8' LC_CTYPE 'C.UTF-8'")


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--files", type=int, default=10_000)
    parser.add_argument("--interval", type=float, default=0.5, help="seconds between memory samples")
    args = parser.parse_args()

    work = Path(tempfile.mkdtemp(prefix="intake-bench-"))
    reports = work / "reports"
    reports.mkdir()
    env = {**os.environ, "SECRET_KEY": "bench-only-key", "LIAISON_VAR_DIR": str(work), "PYTHONUNBUFFERED": "1",
           "DEBUG": "0", "LOG_LEVEL": "ERROR"}
    if env.get("DATABASE_URL"):
        reset_postgres(env["DATABASE_URL"])
        database = "PostgreSQL " + urlsplit(env["DATABASE_URL"]).path.lstrip("/")
    else:
        database = f"SQLite {work / 'liaison.sqlite3'}"
    liaison = [str(ROOT / ".venv" / "bin" / "liaison")]

    started = time.perf_counter()
    generate(reports, args.files)
    generated = time.perf_counter() - started
    subprocess.run([*liaison, "migrate", "-v", "0"], env=env, check=True, cwd=ROOT, stdout=subprocess.DEVNULL)
    subprocess.run([*liaison, "shell", "-c",
                    "from liaison.sharing.models import Agency; Agency.objects.get_or_create(short_name='BENCH', "
                    "defaults={'name': 'Benchmark agency'})"], env=env, check=True, cwd=ROOT,
                   stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)

    log_path = work / "ingest.log"
    samples = []  # (files done, rss kB): a few hundred pairs at most, whatever N
    with open(log_path, "wb") as log:
        t0 = time.perf_counter()
        child = subprocess.Popen([*liaison, "ingest", str(reports), "--agency", "BENCH"], env=env, cwd=ROOT,
                                 stdout=log, stderr=subprocess.STDOUT)
        with open(log_path, "rb") as progress:
            done = 0
            while child.poll() is None:
                time.sleep(args.interval)
                done += progress.read().count(b"\n")
                kb = rss_kb(child.pid)
                if kb:
                    samples.append((done, kb))
        elapsed = time.perf_counter() - t0
    tail = log_path.read_text(encoding="utf-8", errors="replace").strip().splitlines()
    summary = tail[-1] if tail else ""
    failures = [line for line in tail[:-1] if ": failed" in line or "but failed at stage" in line]

    def rss_at(fraction):
        wanted = args.files * fraction
        for files, kb in samples:
            if files >= wanted:
                return kb / 1024
        return samples[-1][1] / 1024 if samples else float("nan")

    first, last = rss_at(0.10), rss_at(1.0)
    peak = max((kb for _f, kb in samples), default=0) / 1024
    span = max(1, args.files * 0.9) / 1000
    print(f"database                 {database}")
    print(f"files                    {args.files:,} (generated in {generated:.1f} s)")
    print(f"ingest                   {elapsed:.1f} s, {args.files / elapsed:.1f} files/s (exit {child.returncode})")
    print(f"summary                  {summary}")
    print(f"RSS after 10 %           {first:.1f} MB")
    print(f"RSS after 50 %           {rss_at(0.5):.1f} MB")
    print(f"RSS at the end           {last:.1f} MB")
    print(f"RSS peak                 {peak:.1f} MB")
    print(f"growth 10 % → end        {last - first:+.1f} MB ({(last - first) / span:+.2f} MB per 1,000 files)")
    print(f"memory samples           {len(samples)}")
    if failures:
        print(f"first failures           {failures[:3]}")
    print(f"work directory           {work}")


if __name__ == "__main__":
    main()
