"""Placing timeline items on a proportional axis (plain Python, no Django).

A partial date covers a period: "2023" is the whole year, "2023-11" the month,
"2023-11-18" the day. An item is drawn over the period its date covers, so
an event known only to the year shows as a band over that year rather than a
point pretending to a day. Dates without a year ("--11-18") cannot be placed
and are listed apart, as are items with no date at all.

Positions are whole percents of the axis: the page draws them with CSS classes
(``tl-s<start>`` and ``tl-w<width>`` in ``analysis/timeline.css``) because the
site's Content-Security-Policy forbids inline ``style`` attributes.
"""
from __future__ import annotations

import calendar
import datetime as dt
import math
from dataclasses import dataclass, field

from liaison.core import localefmt
from liaison.core.localefmt import format_partial
from liaison.partialdate import PartialDate, PartialDateError


def period(text):
    """(first day, last day) a stored partial date covers, or None when it has no year."""
    if not text:
        return None
    try:
        d = PartialDate.parse(str(text))
    except PartialDateError:
        return None
    if d.year is None:
        return None
    if d.day:
        day = dt.date(d.year, d.month, d.day)
        return day, day
    if d.month:
        return dt.date(d.year, d.month, 1), dt.date(d.year, d.month, calendar.monthrange(d.year, d.month)[1])
    return dt.date(d.year, 1, 1), dt.date(d.year, 12, 31)


@dataclass
class Span:
    """What the axis needs of an item: its start and end (stored partial dates
    or ``datetime.date``/``datetime``), whether an unknown end means "still
    running" (``open_end``: a phase with a start and no end), and where it was
    placed (``placed`` is False when it cannot be)."""

    start: object = ""
    end: object = ""
    open_end: bool = False
    placed: bool = False
    open_start: bool = False
    first: dt.date | None = None
    last: dt.date | None = None
    pos: int = 0
    width: int = 0


def _bounds(value):
    if isinstance(value, dt.datetime):
        value = value.date()
    if isinstance(value, dt.date):
        return value, value
    return period(value)


@dataclass
class Axis:
    first: dt.date | None = None
    last: dt.date | None = None
    ticks: list = field(default_factory=list)  # (percent, label)

    @property
    def empty(self):
        return self.first is None


def place(spans, reader=None):
    """Give each of ``spans`` its ``pos`` and ``width`` (whole percents) on one
    axis from the earliest to the latest date among them; returns the ``Axis``
    with its ticks (years, or months for a range under two years) labelled in
    the reader's calendar and digits. A span with only an end runs from the
    axis start (``open_start``); one with ``open_end`` and no end runs to the
    axis end."""
    known = []
    for span in spans:
        start, end = _bounds(span.start), _bounds(span.end)
        span.placed = start is not None or end is not None
        if not span.placed:
            continue
        span.first = start[0] if start else None
        span.last = end[1] if end else (None if span.open_end else start[1])
        span.open_start = start is None
        known += [d for d in (span.first, span.last) if d]
    placed = [s for s in spans if s.placed]
    if not placed:
        return Axis()
    first, last = min(known), max(known)
    total = (last - first).days + 1
    for span in placed:
        span.first = span.first or first
        span.last = span.last or last
        pos = min(99, math.floor((span.first - first).days / total * 100))
        width = max(1, math.ceil(((span.last - span.first).days + 1) / total * 100))
        span.pos, span.width = pos, min(width, 100 - pos)
    return Axis(first, last, _ticks(first, last, total, reader))


def _ticks(first, last, total, reader):
    ticks = []
    if (last - first).days > 730:
        step = max(1, math.ceil((last.year - first.year + 1) / 10))
        for year in range(first.year, last.year + 1, step):
            day = max(dt.date(year, 1, 1), first)
            ticks.append((math.floor((day - first).days / total * 100), format_partial(year, reader=reader)))
    else:
        year, month = first.year, first.month
        months = (last.year - first.year) * 12 + last.month - first.month + 1
        step = max(1, math.ceil(months / 8))
        for index in range(0, months, step):
            y, m = year + (month - 1 + index) // 12, (month - 1 + index) % 12 + 1
            day = max(dt.date(y, m, 1), first)
            ticks.append((math.floor((day - first).days / total * 100), _short_month(y, m, reader)))
    return [(min(pos, 99), label) for pos, label in ticks]


def _short_month(year, month, reader):
    """ "Nov 2023", "พ.ย. 2566": a tick needs the short month name (never a number)."""
    reader = reader or localefmt.current_reader()
    return localefmt._format(localefmt._epoch_seconds_of_day(dt.date(year, month, 1)), "yMMM", reader)
