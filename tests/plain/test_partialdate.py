import pytest

from liaison.partialdate import PartialDate, PartialDateError


@pytest.mark.parametrize("text,precision", [("2023", "year"), ("2023-11", "month"), ("2023-11-18", "day"), ("--11-18", "month-day")])
def test_round_trip(text, precision):
    d = PartialDate.parse(text)
    assert d.isoformat() == text and d.precision == precision


@pytest.mark.parametrize("text,message", [
    ("2023-13", "Month 13 does not exist"),
    ("2023-02-30", "Day 30 does not exist"),
    ("18/11/2023", "is not a date"),
    ("", "is not a date"),
])
def test_errors_say_what_is_wrong(text, message):
    with pytest.raises(PartialDateError, match=message):
        PartialDate.parse(text)


def test_29_february_without_year_is_allowed():
    assert PartialDate.parse("--02-29").display() == "29 February (year not stated)"


def test_display_is_no_more_precise_than_the_source():
    assert PartialDate.parse("2023-11").display() == "November 2023"
    assert PartialDate.parse("2023").display() == "2023"
