"""Partial dates: as precise as the source states them, and no more.

Reports say "in 2023", "last November" or "on 18 November" without a year.
Inventing the missing parts would put false precision into the registry, so a
date is kept as one of ``YYYY``, ``YYYY-MM``, ``YYYY-MM-DD`` or ``--MM-DD``
(ISO 8601 style; the last form is a day whose year the source does not give).
The text form sorts chronologically among dates that have a year.

Plain Python, no Django: used by models, forms, the API and importers alike.
"""
from __future__ import annotations

import calendar
import re
from dataclasses import dataclass

_PATTERN = re.compile(r"^(?:(?P<year>\d{4})(?:-(?P<month>\d{2})(?:-(?P<day>\d{2}))?)?|--(?P<nm>\d{2})-(?P<nd>\d{2}))$")


class PartialDateError(ValueError):
    pass


@dataclass(frozen=True, order=False)
class PartialDate:
    year: int | None
    month: int | None = None
    day: int | None = None

    def __post_init__(self):
        if self.year is None and (self.month is None or self.day is None):
            raise PartialDateError("A date without a year needs a month and a day (--MM-DD).")
        if self.year is not None and not 1 <= self.year <= 9999:
            raise PartialDateError(f"Year {self.year} is out of range.")
        if self.day is not None and self.month is None:
            raise PartialDateError("A day needs a month.")
        if self.month is not None and not 1 <= self.month <= 12:
            raise PartialDateError(f"Month {self.month} does not exist.")
        if self.day is not None:
            # 29 February is valid when the year is unknown.
            last = calendar.monthrange(self.year or 2000, self.month)[1]
            if not 1 <= self.day <= last:
                raise PartialDateError(f"Day {self.day} does not exist in month {self.month}.")

    @classmethod
    def parse(cls, text: str) -> "PartialDate":
        value = (text or "").strip()
        match = _PATTERN.match(value)
        if not match:
            raise PartialDateError(
                f"“{value}” is not a date. Use YYYY, YYYY-MM, YYYY-MM-DD, or --MM-DD when the year is unknown."
            )
        if match["nm"]:
            return cls(None, int(match["nm"]), int(match["nd"]))
        return cls(
            int(match["year"]),
            int(match["month"]) if match["month"] else None,
            int(match["day"]) if match["day"] else None,
        )

    @property
    def precision(self) -> str:
        if self.year is None:
            return "month-day"
        if self.day is not None:
            return "day"
        if self.month is not None:
            return "month"
        return "year"

    def isoformat(self) -> str:
        if self.year is None:
            return f"--{self.month:02d}-{self.day:02d}"
        text = f"{self.year:04d}"
        if self.month:
            text += f"-{self.month:02d}"
        if self.day:
            text += f"-{self.day:02d}"
        return text

    def __str__(self) -> str:
        return self.isoformat()

    def display(self) -> str:
        """A human form that does not pretend to more precision than it has."""
        if self.year is None:
            return f"{self.day} {calendar.month_name[self.month]} (year not stated)"
        if self.day:
            return f"{self.day} {calendar.month_name[self.month]} {self.year}"
        if self.month:
            return f"{calendar.month_name[self.month]} {self.year}"
        return str(self.year)
