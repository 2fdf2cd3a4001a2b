"""The file-only commands run on a machine with no configuration at all.

Evaluators and analysts run ``liaison extract`` and ``liaison match score`` on
files, with no SECRET_KEY and no database; they must work there, and must not
create a database either.
"""
import csv
import io
import json
import os
import subprocess
import sys
from pathlib import Path

SEED = Path(__file__).parent / "data" / "extraction" / "001_2a236e6fe0d4676a.txt"


def run_liaison(*args, cwd):
    env = {k: v for k, v in os.environ.items() if k not in {"SECRET_KEY", "DEBUG", "DJANGO_SETTINGS_MODULE"}}
    env["DATABASE_URL"] = f"sqlite:///{cwd}/liaison.sqlite3"
    return subprocess.run([sys.executable, "-m", "liaison.cli", *args], cwd=cwd, env=env,
                          capture_output=True, text=True, timeout=120)


def test_extract_without_configuration(tmp_path):
    result = run_liaison("extract", str(SEED), "--format", "jsonl", cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    report = json.loads(result.stdout.splitlines()[0])
    assert report["id"] == SEED.stem and report["language"] == "fr"
    assert any(e["type"] == "handover" and e["counts"].get("suspects") == 571 for e in report["events"])
    assert not (tmp_path / "liaison.sqlite3").exists(), "an offline command created a database"


def test_match_score_without_configuration(tmp_path):
    pairs = tmp_path / "pairs.csv"
    pairs.write_text("left_name,right_name\n明学昌,Ming Xuechang\n明学昌,Somchai Jaidee\n", encoding="utf-8")
    result = run_liaison("match", "score", str(pairs), cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    rows = list(csv.DictReader(io.StringIO(result.stdout)))
    assert [r["right_name"] for r in rows] == ["Ming Xuechang", "Somchai Jaidee"]
    assert float(rows[0]["probability"]) > 0.5 > float(rows[1]["probability"])
    assert rows[0]["why"]


def test_other_commands_still_require_a_secret_key(tmp_path):
    result = run_liaison("check", cwd=tmp_path)
    assert result.returncode != 0
    assert "SECRET_KEY is not set" in result.stderr
