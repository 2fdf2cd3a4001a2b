"""`liaison match score PAIRS.csv`: CSV of pairs in, same rows with probability and why out."""
import csv
import io
import sys

import pytest
from django.core.management import CommandError, call_command


def run(*args):
    out = io.StringIO()
    call_command("match", "score", *args, stdout=out)
    return list(csv.DictReader(io.StringIO(out.getvalue())))


def test_scores_pairs_keeps_extra_columns_and_explains(tmp_path):
    path = tmp_path / "pairs.csv"
    path.write_text(
        "\ufeffleft_name,right_name,left_dob,right_dob,case\n"
        "明学昌,Ming Xuechang,1975,1975-03-04,boss\n"
        "陈志,陈智,,,homophone\n"
        "Nguyễn Văn Thành,Pol Pot,1980-01-01,1925-05-19,stranger\n",
        encoding="utf-8",
    )
    rows = run(str(path))
    assert [r["case"] for r in rows] == ["boss", "homophone", "stranger"]
    assert float(rows[0]["probability"]) > 0.9 > 0.5 > float(rows[1]["probability"])
    assert float(rows[2]["probability"]) < 0.01
    assert rows[0]["why"].startswith("name: same name in pinyin")
    assert "dob:" in rows[2]["why"]


def test_reads_standard_input(monkeypatch, tmp_path):
    path = tmp_path / "in.csv"
    path.write_text("left_name,right_name\nHun Manet,ហ៊ុន ម៉ាណែត\n", encoding="utf-8")
    with open(path, encoding="utf-8") as handle:
        monkeypatch.setattr(sys, "stdin", handle)
        rows = run("-")
    assert float(rows[0]["probability"]) > 0.5


def test_missing_column_and_missing_file_are_named(tmp_path):
    path = tmp_path / "bad.csv"
    path.write_text("left_name,other\nA,B\n", encoding="utf-8")
    with pytest.raises(CommandError, match="right_name"):
        run(str(path))
    with pytest.raises(CommandError, match="does not exist"):
        run(str(tmp_path / "nope.csv"))
