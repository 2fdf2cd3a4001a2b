"""The manifest reader: CSV and XLSX, every problem with its line, all or nothing. No database."""
import pytest

from liaison.screening.manifest import ManifestRefused, check_traveller, parse_manifest, parse_rows

from .conftest import as_csv, as_xlsx

ROWS = [
    ["Name", "Other names", "Date of birth", "Nationality", "Passport", "Sex", "Seat"],
    ["MING XUE CHANG", "明学昌; Ming Xuechang", "14/03/1955", "MMR", "md 123-456", "M", "12A"],
    ["สมชาย ใจดี", "", "1980", "Thailand", "", "", "12B"],
    ["Nguyễn Văn An", "", "", "VN", "", "f", ""],
]


@pytest.mark.parametrize("encode,filename", [(as_csv, "manifest.csv"), (as_xlsx, "manifest.xlsx")])
def test_csv_and_xlsx_read_alike(encode, filename):
    manifest = parse_manifest(encode(ROWS), filename)
    assert manifest.errors == [] and manifest.ok
    first, thai, viet = manifest.travellers
    assert (first.line, first.names, first.birth_date, first.nationality, first.document, first.sex) == (
        2, ["MING XUE CHANG", "明学昌", "Ming Xuechang"], "1955-03-14", "MM", "MD123456", "male")
    assert (thai.names, thai.birth_date, thai.nationality) == (["สมชาย ใจดี"], "1980", "TH")
    assert (viet.line, viet.birth_date, viet.sex) == (4, "", "female")
    assert manifest.warnings == ["Columns not used: Seat"]


def test_every_bad_line_is_named_and_nothing_is_screened():
    rows = [["name", "dob", "nationality", "document", "sex"],
            ["Ok Person", "1990-01-01", "KH", "", ""],
            ["", "1990", "", "", ""],
            ["Bad Date", "31/02/1990", "", "", ""],
            ["", "", "", "", ""],  # an empty row is skipped, its line number kept for the next
            ["Bad Country", "", "Atlantis", "#12", "q"]]
    manifest = parse_rows(rows)
    assert not manifest.ok
    assert manifest.errors == [
        "Line 3: the name is empty",
        "Line 4: date of birth “31/02/1990” is not a date: use YYYY-MM-DD, DD/MM/YYYY, YYYY-MM or YYYY, or leave it empty",
        "Line 6: nationality “Atlantis” is not a country code or country name",
        "Line 6: document number “#12” is not a document number (4 to 20 letters and digits)",
        "Line 6: sex “q” is not one of male, female, other",
    ]


def test_a_file_without_a_name_column_or_travellers_is_refused():
    assert parse_rows([["passport", "dob"], ["X1234", "1990"]]).errors[0].startswith("Line 1: no “name” column")
    assert parse_rows([["name"]]).errors == ["The manifest lists no traveller."]
    assert parse_rows([]).errors == ["The file is empty."]
    with pytest.raises(ManifestRefused, match="not UTF-8"):
        parse_manifest("name\nSomchaï\n".encode("latin-1"), "manifest.csv")


def test_one_traveller_from_the_api_or_the_checkpoint():
    traveller, problems = check_traveller({"names": ["陈志华", "Chen Zhihua"], "birth_date": "1979-05", "document": "E 1234 5678"})
    assert problems == [] and (traveller.names, traveller.birth_date, traveller.document) == (
        ["陈志华", "Chen Zhihua"], "1979-05", "E12345678")
    assert check_traveller({"names": "not a list", "name": ""})[1] == ["the name is empty"]
    assert check_traveller({"names": [1, 2]})[1][0] == "the names must be text"
