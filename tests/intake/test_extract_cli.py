"""`liaison extract` and `liaison eval extraction` as an analyst runs them (no database needed)."""
import json
from io import StringIO
from pathlib import Path

from django.core.management import call_command

DATA = Path(__file__).resolve().parent.parent / "data" / "extraction"
FR = DATA / "001_2a236e6fe0d4676a.txt"
EN = DATA / "003_48ffc7615be71e63.txt"


def run(*args):
    out, err = StringIO(), StringIO()
    code = 0
    try:
        call_command(*args, stdout=out, stderr=err)
    except SystemExit as exc:
        code = exc.code
    return code, out.getvalue(), err.getvalue()


def test_jsonl_one_object_per_file_in_the_format():
    code, out, err = run("extract", str(FR), str(EN), "--format", "jsonl")
    assert code == 0 and err == ""
    lines = out.strip().splitlines()
    assert len(lines) == 2
    first = json.loads(lines[0])
    assert list(first) == ["id", "language", "published", "events"]
    assert first["id"] == "001_2a236e6fe0d4676a" and first["language"] == "fr"
    assert any(e["counts"] == {"suspects": 571} and e["date"] == "--11-18" for e in first["events"])
    assert set(first["events"][0]) == {"type", "date", "countries", "places", "agencies", "operation", "counts",
                                       "qualifiers", "persons", "evidence"}


def test_pretty_json_is_a_list():
    code, out, _ = run("extract", str(FR), "--format", "json")
    data = json.loads(out)
    assert code == 0 and isinstance(data, list) and data[0]["id"] == FR.stem and "\n  " in out


def test_bad_files_are_named_and_the_others_still_processed(tmp_path):
    binary = tmp_path / "scan.txt"
    binary.write_bytes(b"%PDF-1.4\x00\x01\x02")
    empty = tmp_path / "empty.txt"
    empty.write_text("  \n")
    latin1 = tmp_path / "old.txt"
    latin1.write_bytes("Société".encode("latin-1"))
    code, out, err = run("extract", str(tmp_path / "missing.txt"), str(binary), str(empty), str(latin1), str(FR))
    assert code == 1
    assert "missing.txt: no such file" in err
    assert "scan.txt: is a binary file" in err
    assert "empty.txt: is empty" in err
    assert "old.txt: is not UTF-8 text" in err
    assert [json.loads(line)["id"] for line in out.strip().splitlines()] == [FR.stem]


def test_details_add_offsets_and_confidence():
    code, out, _ = run("extract", str(FR), "--details")
    ev = json.loads(out)["events"][0]
    text = FR.read_text(encoding="utf-8")
    assert text[ev["evidence_start"]:ev["evidence_end"]] == ev["evidence"] and 0 < ev["confidence"] <= 1


def test_unknown_backend_is_refused():
    code, _, err = run("extract", str(FR), "--backend", "nonexistent")
    assert code == 2 and "Unknown backend" in err


def test_eval_prints_fields_languages_and_overall():
    code, out, _ = run("eval", "extraction", str(DATA), "--glob", "0*.txt")
    assert code == 0
    assert "5 reports" in out
    for word in ("events", "counts", "persons", "published", "OVERALL", "fr", "id", "ar"):
        assert word in out
    overall = next(line for line in out.splitlines() if line.startswith("OVERALL")).split()
    assert float(overall[3]) >= 0.9


def test_eval_json_and_bad_folder(tmp_path):
    code, out, _ = run("eval", "extraction", str(DATA), "--glob", "0*.txt", "--json")
    data = json.loads(out)
    assert data["reports"] == 5 and set(data["fields"]) >= {"type", "date", "counts", "language"}
    code, _, err = run("eval", "extraction", str(tmp_path))
    assert code == 1 and "holds no FILE.txt" in err
    (tmp_path / "a.txt").write_text("Police arrested 3 suspects.")
    (tmp_path / "a.json").write_text("{not json")
    code, _, err = run("eval", "extraction", str(tmp_path))
    assert code == 1 and "a.json is not valid JSON" in err


def test_eval_scores_one_part_of_a_split_and_names_reports_without_text(tmp_path):
    for name in ("001_2a236e6fe0d4676a", "003_48ffc7615be71e63"):
        for suffix in (".txt", ".json"):
            (tmp_path / (name + suffix)).write_bytes((DATA / (name + suffix)).read_bytes())
    (tmp_path / "lost.json").write_text((DATA / "001_2a236e6fe0d4676a.json").read_text())
    (tmp_path / "split.json").write_text(json.dumps(
        {"dev": ["003_48ffc7615be71e63"], "heldout": ["001_2a236e6fe0d4676a", "lost"]}))
    code, out, err = run("eval", "extraction", str(tmp_path), "--split", "heldout")
    assert code == 0 and "1 reports" in out and "lost" in err and "heldout" in err
    assert "Report-level figures" in out and "figures_typed" in out
    code, out, _ = run("eval", "extraction", str(tmp_path), "--split", "dev", "--json")
    data = json.loads(out)
    assert data["reports"] == 1 and set(data["headline_by_language"]) == {"en"}
