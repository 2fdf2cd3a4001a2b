"""``liaison ingest PATH... --agency CODE``: one line per file, non-zero exit when a file failed."""
from io import StringIO

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from liaison.intake.models import Document

RAID = "Police raided a scam compound in Myawaddy on 2025-03-04 and arrested 214 suspects.\n"


def run(*args):
    out = StringIO()
    call_command("ingest", *args, stdout=out)
    return out.getvalue()


def test_files_are_stored_once_and_each_gets_a_line(tmp_path, desk):
    (tmp_path / "a.txt").write_text(RAID, encoding="utf-8")
    (tmp_path / "b.html").write_text(f"<html><body><p>{RAID}</p></body></html>", encoding="utf-8")
    (tmp_path / "README.md").write_text("# notes", encoding="utf-8")
    out = run(str(tmp_path / "a.txt"), str(tmp_path / "b.html"), str(tmp_path / "README.md"), "--agency", "CN-TEST",
              "--user", "cn_analyst")
    lines = out.strip().splitlines()
    assert lines[0].startswith(f"{tmp_path / 'a.txt'}: stored")
    assert lines[2] == f"{tmp_path / 'README.md'}: skipped: not a format Liaison reads (.txt, .html, .pdf, .docx)"
    assert lines[-1] == "2 stored, 0 already known, 0 failed, 1 skipped."
    assert Document.objects.filter(owner=desk.cn).count() == 2
    assert Document.objects.get(original_filename="a.txt").uploaded_by == desk.analyst

    again = run(str(tmp_path), "--agency", "CN-TEST")  # a directory is walked
    assert f"{tmp_path / 'a.txt'}: already known: This document was already taken in on" in again
    assert again.strip().endswith("0 stored, 2 already known, 0 failed, 1 skipped.")
    assert Document.objects.count() == 2


def test_a_failing_file_is_named_with_its_stage_and_the_exit_status_is_non_zero(tmp_path, desk):
    (tmp_path / "good.txt").write_text(RAID, encoding="utf-8")
    (tmp_path / "photo.txt").write_bytes(b"\x89PNG\r\n\x1a\n\x00\x00\x00" + bytes(range(256)))
    (tmp_path / "empty.txt").write_bytes(b"")
    out = StringIO()
    with pytest.raises(CommandError) as caught:
        call_command("ingest", str(tmp_path), "--agency", "CN-TEST", stdout=out)
    assert caught.value.returncode == 1
    assert str(caught.value) == "1 stored, 0 already known, 2 failed, 0 skipped."
    text = out.getvalue()
    assert f"{tmp_path / 'photo.txt'}: stored as document" in text
    assert "but failed at stage “text extracted” because This is not a text document: it contains binary data" in text
    assert f"{tmp_path / 'empty.txt'}: failed at stage “stored” because The document is empty." in text
    assert Document.objects.count() == 2


def test_unknown_agency_or_user_of_another_agency_is_refused(tmp_path, desk):
    (tmp_path / "a.txt").write_text(RAID, encoding="utf-8")
    with pytest.raises(CommandError, match="No agency has the short name “XX”"):
        run(str(tmp_path / "a.txt"), "--agency", "XX")
    with pytest.raises(CommandError, match="“mm_analyst” is not an officer of CN-TEST"):
        run(str(tmp_path / "a.txt"), "--agency", "CN-TEST", "--user", "mm_analyst")
    assert not Document.objects.exists()
