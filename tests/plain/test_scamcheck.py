"""The message and offer checker (liaison/scamcheck): signs, identifiers, score, command line.

Plain Python, no database. Scores are never compared with hard-coded numbers:
the tests assert what a reader of the public page would notice (which signs,
where, in which language, which level).
"""
import csv
import io
import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from liaison.scamcheck import LANGUAGES, check, check_many
from liaison.scamcheck.cli import main as cli_main
from liaison.scamcheck.identifiers import find_identifiers
from liaison.scamcheck.signs import DATA, find_signs

WRITTEN = Path(DATA).parent / "written_examples.csv"
THAI = "\u0e00-\u0e7f"

THAI_OFFER = ("รับสมัครพนักงานบริการลูกค้า ทำงานที่ปอยเปต ประเทศกัมพูชา เงินเดือน 1,500 ดอลลาร์ "
              "ไม่ต้องมีประสบการณ์ ออกค่าตั๋วและทำวีซ่าให้ ติดต่อทางเทเลแกรม @hr_poipet_jobs ด่วน")


def _flag(result, code):
    return next(f for f in result.flags if f.code == code)


def test_thai_customer_service_offer_fires_hub_and_job_signs_with_thai_offsets():
    result = check(THAI_OFFER, language="th")
    assert {"known_hub", "scam_job_title", "high_pay_no_experience", "travel_paid"} <= set(result.codes)
    assert result.level == "high"
    hub, job = _flag(result, "known_hub"), _flag(result, "scam_job_title")
    assert [THAI_OFFER[s.start:s.end] for s in hub.spans] == ["ปอยเปต"]
    assert [THAI_OFFER[s.start:s.end] for s in job.spans] == ["บริการลูกค้า"]
    for flag in result.flags:
        assert any("\u0e00" <= ch <= "\u0e7f" for ch in flag.explanation), flag.code  # explained in Thai
        for span in flag.spans:
            assert THAI_OFFER[span.start:span.end] == span.text


def test_explanations_follow_the_reader_not_the_text():
    in_english = check(THAI_OFFER, language="en")
    assert set(in_english.codes) == set(check(THAI_OFFER, language="th").codes)
    assert all(not any("\u0e00" <= ch <= "\u0e7f" for ch in f.explanation) for f in in_english.flags)
    # no reader language given: the text's own language
    assert check(THAI_OFFER).language == "th"
    assert check(THAI_OFFER, language="xx").language == "th"


def _written(label):
    with open(WRITTEN, encoding="utf-8", newline="") as fh:
        return [r for r in csv.DictReader(fh) if r["label"] == label]


@pytest.mark.parametrize("lang", LANGUAGES)
def test_every_language_has_a_sign_that_fires_on_a_written_example(lang):
    rows = [r for r in _written("scam") if r["language"] == lang]
    assert rows, f"no written example in {lang}"
    english = json.loads(Path(DATA).read_text(encoding="utf-8"))["signs"]
    fired = [f for r in rows for f in find_signs(r["text"], lang, explain_in=lang)]
    assert fired
    for flag in fired:
        assert flag.explanation.strip()
        if lang != "en":
            assert flag.explanation != english[flag.code]["explain"]["en"]


def test_every_sign_is_explained_in_every_language():
    data = json.loads(Path(DATA).read_text(encoding="utf-8"))
    assert tuple(data["languages"]) == LANGUAGES
    for code, sign in data["signs"].items():
        assert sorted(sign["explain"]) == sorted(LANGUAGES), code
        assert all(text.strip() for text in sign["explain"].values()), code


@pytest.mark.parametrize("text", [
    "Mom, I'll be home at 6",
    "แม่ วันนี้หนูกลับบ้านหกโมงเย็นนะ",
    "Mẹ ơi, 6 giờ con về nhà.",
    "I deposited the cheque and the visa office opens at 9.",
])
def test_harmless_messages_score_low(text):
    result = check(text)
    assert result.level == "low"
    assert result.flags == []


def test_written_harmless_examples_score_below_written_scams_in_each_language():
    scams, harmless = _written("scam"), _written("ham")
    results = check_many([r["text"] for r in scams + harmless])
    for lang in LANGUAGES:
        worst_scam = min(r.score for r, row in zip(results, scams) if row["language"] == lang)
        riskiest_ham = max(r.score for r, row in zip(results[len(scams):], harmless) if row["language"] == lang)
        assert worst_scam > riskiest_ham, lang


@pytest.mark.parametrize("text,fires", [
    ("Salary 300 USD a month, come to work with us.", False),
    ("Salary 3,000 USD a month, come to work with us.", True),
    ("月薪2万，包吃住", True),
    ("เงินเดือน 9,000 บาท", False),
    ("เงินเดือน 80,000 บาท", True),
    ("Lương 30 triệu/tháng", True),
    ("I paid 3,000 USD for the car.", False),  # a big amount that is not pay
])
def test_pay_far_above_the_market(text, fires):
    assert ("high_pay_no_experience" in check(text).codes) is fires


def test_signs_only_raise_the_score():
    plain = check("We are hiring staff for our shop.")
    lured = check("We are hiring staff for our shop in Shwe Kokko. We keep your passport.")
    assert lured.score > plain.score
    assert {"known_hub", "passport_arranged"} <= set(lured.codes)


def test_identifiers_found_and_normalised_with_offsets():
    text = ("โทร ๐๘๑-๒๓๔-๕๖๗๘ หรือ +855 12 345 678, Telegram @hr_poipet_jobs, t.me/kk_jobs_2024, "
            "wa.me/85598765432, e-mail HR@Good-Jobs.COM, https://www.Good-Jobs.xyz/apply, "
            "USDT TRC20 TXyzAbCdEfGhJkLmNpQrStUvWxYz123456, IBAN DE89 3704 0044 0532 0130 00, "
            "โอนเข้าบัญชี 123-4-56789-0")
    found = find_identifiers(text, "th")
    got = {(f.kind, f.value) for f in found}
    assert {("phone", "+66812345678"), ("phone", "+85512345678"), ("telegram", "hr_poipet_jobs"),
            ("telegram", "kk_jobs_2024"), ("whatsapp", "+85598765432"), ("email", "hr@good-jobs.com"),
            ("url", "https://good-jobs.xyz/apply"), ("crypto_wallet", "TXyzAbCdEfGhJkLmNpQrStUvWxYz123456"),
            ("iban", "DE89370400440532013000"), ("bank_account", "1234567890")} <= got
    for f in found:
        assert text[f.start:f.end] == f.text
    assert [f.start for f in found] == sorted(f.start for f in found)
    # an amount of money is not a phone number
    assert find_identifiers("Salary 1 500 000 kip, 30.000.000 đồng", "lo") == []


def test_check_returns_identifiers_of_the_text():
    result = check(THAI_OFFER)
    assert [(i.kind, i.value) for i in result.identifiers] == [("telegram", "hr_poipet_jobs")]
    assert result.to_dict()["identifiers"][0]["value"] == "hr_poipet_jobs"


# --- liaison check messages ---------------------------------------------------

def _run(tmp_path, content: bytes, capsys):
    path = tmp_path / "messages.csv"
    path.write_bytes(content)
    code = cli_main(["messages", str(path)])
    out, err = capsys.readouterr()
    return code, out, err


def test_cli_prints_one_row_per_input_row_in_order(tmp_path, capsys):
    rows = [("Mom, I'll be home at 6", ""), (THAI_OFFER, "th"), ("", ""),
            ("Congratulations, you have won a prize! Pay the processing fee to claim it.", "en")]
    buf = io.StringIO()
    writer = csv.writer(buf)
    writer.writerow(["id", "text", "language"])
    for i, (text, lang) in enumerate(rows):
        writer.writerow([i, text, lang])
    code, out, err = _run(tmp_path, buf.getvalue().encode("utf-8"), capsys)
    assert code == 0, err
    lines = list(csv.reader(io.StringIO(out)))
    assert lines[0] == ["score", "level", "flags"]
    body = lines[1:]
    assert len(body) == len(rows)
    for score, level, flags in body:
        assert 0.0 <= float(score) <= 1.0
        assert level in ("low", "medium", "high")
    assert body[0][1] == "low" and body[0][2] == ""
    assert body[1][1] == "high" and "known_hub" in body[1][2].split(";")
    assert {"prize_or_loan", "upfront_fee"} <= set(body[3][2].split(";"))


@pytest.mark.parametrize("content,message", [
    (b"id,message\n1,hello\n", "no \u201ctext\u201d column"),
    ("text\nCảm ơn\n".encode("utf-16"), "not UTF-8"),
    (b"", "empty"),
    (b"\n \n", "empty"),
])
def test_cli_refuses_bad_input_with_a_clear_message(tmp_path, capsys, content, message):
    code, out, err = _run(tmp_path, content, capsys)
    assert code == 2
    assert message in err
    assert out == ""


def test_cli_missing_file(tmp_path, capsys):
    assert cli_main(["messages", str(tmp_path / "nope.csv")]) == 2
    assert "no such file" in capsys.readouterr().err


def test_liaison_command_needs_no_configuration(tmp_path):
    path = tmp_path / "m.csv"
    path.write_text("text\nMom, I'll be home at 6\n", encoding="utf-8")
    env = {k: v for k, v in os.environ.items()
           if k not in ("DJANGO_SETTINGS_MODULE", "DATABASE_URL", "SECRET_KEY")}
    liaison = Path(sys.executable).parent / "liaison"
    done = subprocess.run([str(liaison), "check", "messages", str(path)], check=False, capture_output=True,
                          text=True, env=env, timeout=120)
    assert done.returncode == 0, done.stderr
    assert done.stdout.splitlines()[0] == "score,level,flags"
    assert done.stdout.splitlines()[1].endswith(",low,")
