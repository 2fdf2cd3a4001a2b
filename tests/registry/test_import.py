"""Bulk import of person lists: what an officer uploading a handover list meets."""
import csv
import io

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from openpyxl import Workbook

from liaison.demo.handover import BAD_CSV, HANDOVER_CSV
from liaison.registry import importer
from liaison.registry.models import Citation, Identifier, Person, Relationship, Source
from liaison.sharing.models import Share
from tests.factories import make_agency, make_user

pytestmark = pytest.mark.django_db

HEADER = "name,name_native,sex,birth_date,nationality,passport,phone,status,status_date,note\n"


def csv_bytes(*lines, header=HEADER):
    return (header + "".join(line + "\n" for line in lines)).encode("utf-8")


def xlsx_bytes(text):
    book = Workbook()
    sheet = book.active
    for row in csv.reader(io.StringIO(text)):
        sheet.append(row)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


@pytest.fixture
def dehong():
    return make_agency("DH", "CN")


def test_handover_csv_of_571_rows_imports_every_person_with_its_line(dehong):
    data = HANDOVER_CSV.read_bytes()
    report = importer.validate(data, HANDOVER_CSV.name)
    assert report.ok, report.errors[:5]
    assert len(report.rows) == 571

    importer.import_persons(report, dehong)

    assert Person.objects.filter(owner=dehong).count() == 571
    source = Source.objects.get(owner=dehong, kind=Source.Kind.HANDOVER_LIST)
    assert source.title == "handover_muse_synthetic.csv" and len(source.content_hash) == 64
    first = Person.objects.get(names__full_name="LUO Jianhua", birth_date="1981-11-04")
    assert set(first.names.values_list("full_name", flat=True)) == {"LUO Jianhua", "罗建华"}
    assert first.nationalities.get().country_id == "CN"
    status = first.statuses.get()
    assert (status.status, status.date, status.country_id) == ("in_custody", "--11-18", "CN")
    citation = Citation.objects.get(object_id=first.pk, source=source)
    assert citation.location == "line 2 of handover_muse_synthetic.csv"
    assert citation.evidence in source.text
    phone = Identifier.objects.get(owner=dehong, normalized="+8613027665438")
    assert Relationship.objects.filter(kind="uses_phone", subject_id=first.pk, object_id=phone.pk).exists()


def test_xlsx_of_the_same_list_imports_571_persons(dehong):
    data = xlsx_bytes(HANDOVER_CSV.read_text(encoding="utf-8"))
    report = importer.validate(data, "handover.xlsx")
    assert report.ok, report.errors[:5]
    importer.import_persons(report, dehong)
    assert Person.objects.filter(owner=dehong).count() == 571
    assert Person.objects.filter(names__full_name="罗建华", birth_date="1981-11-04").exists()


def test_one_bad_row_imports_nothing_and_names_its_line(dehong):
    lines = HANDOVER_CSV.read_text(encoding="utf-8").splitlines()
    broken = lines[36].split(",")
    broken[3] = "1990-13"  # line 37 of the spreadsheet
    lines[36] = ",".join(broken)
    report = importer.validate("\n".join(lines).encode("utf-8"), "list.csv")

    assert report.errors == ["line 37: birth_date “1990-13” is not a date: month 13 does not exist"]
    with pytest.raises(importer.ImportRefused):
        importer.import_persons(report, dehong)
    assert not Person.objects.exists() and not Source.objects.exists()


def test_every_bad_row_of_the_bad_example_is_reported():
    report = importer.validate(BAD_CSV.read_bytes(), BAD_CSV.name)
    text = "\n".join(report.errors)
    assert "line 3: birth_date “1990-13” is not a date: month 13 does not exist" in text
    assert "line 4: the name is empty" in text
    assert "line 5: birth_date “1985-02-30” is not a date: day 30 does not exist in month 2" in text
    assert "line 5: nationality “Narnia” is not a country code or country name" in text
    assert "line 6: passport “E1”" in text and "line 6: phone:" in text and "line 6: status “released on bail”" in text
    assert "line 2" not in text


def test_a_failure_half_way_through_the_writes_rolls_everything_back(dehong, monkeypatch):
    report = importer.validate(csv_bytes("WANG Wei,王伟,male,1990,CN,,,,,", "LI Na,李娜,female,1991,CN,,,,,"), "l.csv")
    from liaison.registry import models

    def boom(*args, **kwargs):
        raise RuntimeError("disk full")

    monkeypatch.setattr(models.PersonStatus.objects, "bulk_create", boom)
    monkeypatch.setattr(models.Citation.objects, "bulk_create", boom)
    with pytest.raises(RuntimeError):
        importer.import_persons(report, dehong)
    assert not Person.objects.exists() and not Source.objects.exists()


def test_bom_is_accepted_and_semicolon_files_are_read():
    with_bom = b"\xef\xbb\xbf" + csv_bytes("NGUYỄN Văn An,,male,1990-04,Viet Nam,,,,,")
    report = importer.validate(with_bom, "bom.csv")
    assert report.ok, report.errors
    assert report.rows[0].name == "NGUYỄN Văn An" and report.rows[0].nationalities == ["VN"]

    semicolons = "name;birth_date;nationality\nສົມພອນ ພົມມະຈັນ;1988;Laos\n".encode("utf-8")
    report = importer.validate(semicolons, "semi.csv")
    assert report.ok, report.errors
    assert (report.rows[0].name, report.rows[0].nationalities) == ("ສົມພອນ ພົມມະຈັນ", ["LA"])


def test_a_file_in_a_local_encoding_is_refused_with_what_to_do():
    data = "name\n王伟\n".encode("gb18030")
    report = importer.validate(data, "gbk.csv")
    assert not report.ok
    assert "gbk.csv is not UTF-8 text" in report.errors[0] and "line 2" in report.errors[0]
    assert "CSV UTF-8" in report.errors[0]

    utf16 = "name\nWang Wei\n".encode("utf-16")
    assert "UTF-16" in importer.validate(utf16, "u16.csv").errors[0]


def test_missing_required_and_unknown_columns_are_named():
    report = importer.validate("full name x,pasport\nWang,E123\n".encode(), "cols.csv")
    assert "line 1: unknown column(s) “full name x”, “pasport”" in report.errors[0]
    assert "line 1: required column(s) missing: name" in report.errors[1]
    assert report.missing_columns == ["name"]


def test_empty_file_and_header_only_file_are_refused():
    assert importer.validate(b"", "empty.csv").errors == ["The file empty.csv is empty."]
    assert importer.validate(b"\xef\xbb\xbf\n\n", "blank.csv").errors == ["The file blank.csv is empty."]
    assert importer.validate(b"name,sex\n", "header.csv").errors == ["The file header.csv has a header but no rows."]


def test_duplicates_in_the_file_are_reported():
    report = importer.validate(csv_bytes(
        "WANG Wei,,male,1990,CN,E12345678,,,,",
        "Li Na,,female,,CN,,,,,",
        "wang wei,,male,1990,CN,E12345678,,,,",
        "Li Na,,female,,CN,,,,,",
    ), "dups.csv")
    assert report.errors == ["line 4: same name, birth date and passport as line 2 (duplicate row)"]
    assert report.warnings and report.warnings[0].startswith("line 5: same name as line 3")


def test_reimporting_the_same_file_is_refused_but_another_agency_may(dehong):
    data = csv_bytes("WANG Wei,王伟,male,1990,CN,,,,,")
    importer.import_persons(importer.validate(data, "a.csv"), dehong)
    with pytest.raises(importer.ImportRefused, match="already imported by DH"):
        importer.import_persons(importer.validate(b"\xef\xbb\xbf" + data, "renamed.csv"), dehong)
    assert Person.objects.count() == 1

    other = make_agency("MUSE", "MM")
    importer.import_persons(importer.validate(data, "a.csv"), other)
    assert Person.objects.count() == 2


def test_shared_import_is_visible_to_the_named_agency_only(dehong):
    mm, th = make_agency("MMP", "MM"), make_agency("THP", "TH")
    data = csv_bytes("WANG Wei,王伟,male,1990,CN,,+86 138 0013 8000,,,")
    importer.import_persons(importer.validate(data, "s.csv"), dehong, distribution="shared", share_with=[mm])
    assert Person.objects.visible_to(make_user(mm)).count() == 1
    assert Person.objects.visible_to(make_user(th)).count() == 0
    assert Identifier.objects.visible_to(make_user(mm)).count() == 1
    assert Share.objects.filter(agency=mm).count() >= 3  # source, person, phone, link


def test_names_are_stored_as_written_and_phone_uses_the_nationality():
    report = importer.validate(csv_bytes("  Nguyễn   Văn  An ,NGUYEN VAN AN;阮文安,M,--05-17,VN,,0912 345 678,rescued,2024-03,"), "v.csv")
    row = report.rows[0]
    assert row.name == "Nguyễn Văn An" and row.other_names == ["NGUYEN VAN AN", "阮文安"]
    assert (row.sex, row.birth_date, row.phone, row.status) == ("male", "--05-17", "+84912345678", "rescued")


# The command line ---------------------------------------------------------

def run(*args):
    out = io.StringIO()
    try:
        call_command("import_persons", *args, stdout=out)
    except CommandError as exc:
        return exc.returncode, out.getvalue() + str(exc)
    return 0, out.getvalue()


def test_cli_dry_run_import_and_refusals_have_distinct_exit_codes(dehong, tmp_path):
    user = make_user(dehong, username="dh.officer")
    code, out = run(str(HANDOVER_CSV), "--agency", "DH", "--dry-run")
    assert code == 0 and "571 rows ready to import" in out and not Person.objects.exists()

    code, out = run(str(HANDOVER_CSV), "--agency", "DH", "--user", "dh.officer", "--tlp", "GREEN")
    assert code == 0 and "571 persons imported" in out
    assert Person.objects.filter(owner=dehong, tlp="GREEN", created_by=user).count() == 571

    code, out = run(str(HANDOVER_CSV), "--agency", "DH")
    assert code == 1 and "already imported" in out
    code, out = run(str(HANDOVER_CSV), "--agency", "DH", "--dry-run")
    assert code == 1 and "already imported" in out

    code, out = run(str(BAD_CSV), "--agency", "DH")
    assert code == 1 and "line 3: birth_date “1990-13”" in out and "nothing was imported" in out

    assert run(str(tmp_path / "missing.csv"), "--agency", "DH")[0] == 2
    assert run(str(BAD_CSV), "--agency", "NOPE")[0] == 2
    assert Person.objects.count() == 571
