"""Charts of reported figures (liaison.analysis.charts) and the timeline axis
(liaison.analysis.timeline_axis): no database."""
import datetime as dt
import xml.etree.ElementTree as ET

import pytest
from django.utils import translation

from liaison.analysis import timeline_axis
from liaison.analysis.charts import figures_svg, qualified_number
from liaison.core.localefmt import Reader, reading_as

SVG = "{http://www.w3.org/2000/svg}"
JINGYAO = [
    {"label": "Jingyao – phase 1", "value": 70000, "qualifier": "more_than", "category": "suspects",
     "detail": "Jingyao phase 1 results", "cumulative": True},
    {"label": "Jingyao – phase 1", "value": 160, "qualifier": "", "category": "cases", "cumulative": True},
    {"label": "Jingyao – phase 1", "value": 571, "qualifier": "", "category": "suspects", "detail": "Muse handover"},
]


def texts(svg):
    root = ET.fromstring(svg)
    return root, ["".join(t.itertext()) for t in root.iter(f"{SVG}text")]


def test_the_qualifier_stays_on_the_bar_in_english():
    with translation.override("en"), reading_as(Reader("en")):
        root, labels = texts(figures_svg(JINGYAO, by="phase", title="Figures by phase"))
    assert root.tag == f"{SVG}svg" and root.get("viewBox")
    assert "more than 70,000" in labels
    assert "571" in labels and "160" in labels
    assert "Figures by phase" in labels
    # One bar per stated figure, never their sum ("more than 70,571" nobody reported).
    assert not any("70,571" in text or "70,731" in text for text in labels)
    assert "running total (not added to other figures)" in labels
    # Each bar says what it is when hovered or read aloud.
    tooltips = ["".join(t.itertext()) for t in root.iter(f"{SVG}title")]
    assert any("Jingyao phase 1 results: more than 70,000" in t for t in tooltips)


def test_the_qualifier_and_digits_follow_a_thai_reader():
    with translation.override("th"), reading_as(Reader("th")):
        _root, labels = texts(figures_svg(JINGYAO, by="phase"))
        assert qualified_number(70000, "more_than") == "มากกว่า 70,000"
    assert "มากกว่า 70,000" in labels
    assert "ผู้ต้องสงสัย" in labels  # "Suspects" in Thai, as <text> the browser shapes
    with translation.override("th"), reading_as(Reader("th", digits="native")):
        _root, labels = texts(figures_svg(JINGYAO, by="phase"))
    assert "มากกว่า ๗๐,๐๐๐" in labels


def test_the_svg_obeys_the_pages_content_security_policy():
    """No inline style (CSP style-src 'self'), no script, ids unique to the chart."""
    rows = JINGYAO + [{"label": "<script>alert(1)</script> & co", "value": 5, "qualifier": "about",
                       "category": "victims", "detail": "$x$ and $y$"}]
    with translation.override("en"), reading_as(Reader("en")):
        svg = figures_svg(rows, by="category")
        other = figures_svg(JINGYAO, by="phase")
    root, labels = texts(svg)
    assert "style=" not in svg and "<style" not in svg
    assert root.get("direction") == "ltr"  # laid out left to right in an Arabic page too
    assert not list(root.iter(f"{SVG}script")) and "<script>" not in svg
    assert "<script>alert(1)</script> & co" in labels  # shown as text, escaped
    assert "$x$ and $y$" in labels  # not read as mathematics
    ids = {e.get("id") for e in root.iter() if e.get("id")}
    other_ids = {e.get("id") for e in ET.fromstring(other).iter() if e.get("id")}
    assert ids and not ids & other_ids
    assert all(e.get("fill") for e in root.iter(f"{SVG}text") if "about 5" in "".join(e.itertext()))


def test_no_rows_says_so_and_bad_grouping_is_refused():
    with translation.override("en"):
        assert "No figures you can see." in figures_svg([], by="month")
        with pytest.raises(ValueError):
            figures_svg(JINGYAO, by="agency")


def test_many_figures_keep_the_largest_and_say_how_many_are_left_out():
    rows = [{"label": f"2024-{m:02d}", "value": 10 * m + i, "qualifier": "", "category": "victims"}
            for m in range(1, 13) for i in range(8)]
    with translation.override("en"), reading_as(Reader("en")):
        _root, labels = texts(figures_svg(rows, by="month", max_bars=20))
    assert "127" in labels  # the largest stays
    assert "10" not in labels  # the smallest goes
    assert any("20 largest figures are drawn; 76 smaller ones are not." in text for text in labels)


def test_a_partial_date_covers_its_whole_period():
    assert timeline_axis.period("2023") == (dt.date(2023, 1, 1), dt.date(2023, 12, 31))
    assert timeline_axis.period("2024-02") == (dt.date(2024, 2, 1), dt.date(2024, 2, 29))
    assert timeline_axis.period("2023-11-18") == (dt.date(2023, 11, 18),) * 2
    assert timeline_axis.period("--11-18") is None  # no year: cannot be placed
    assert timeline_axis.period("") is None


def test_items_are_placed_in_proportion_and_yearless_ones_apart():
    year = timeline_axis.Span(start="2022")
    day = timeline_axis.Span(start="2023-07-02")
    running = timeline_axis.Span(start="2023-01", open_end=True)  # a phase still running
    ended = timeline_axis.Span(end="2022-06")  # only an end: from the axis start
    yearless = timeline_axis.Span(start="--11-18")
    with reading_as(Reader("en")):
        axis = timeline_axis.place([year, day, running, ended, yearless])
    assert axis.first == dt.date(2022, 1, 1) and axis.last == dt.date(2023, 7, 2)
    assert not yearless.placed
    assert (year.pos, day.pos) == (0, 99) and year.width == 67  # 365 of 548 days, rounded up
    assert running.pos == 66 and running.pos + running.width == 100
    assert ended.open_start and ended.pos == 0
    assert [label for _pos, label in axis.ticks][:2] == ["Jan 2022", "Apr 2022"]
    with reading_as(Reader("th")):
        axis = timeline_axis.place([timeline_axis.Span(start="2019"), timeline_axis.Span(start="2023")])
    assert [label for _pos, label in axis.ticks] == [f"พ.ศ. {y}" for y in range(2562, 2567)]  # Buddhist era
    assert timeline_axis.place([yearless]).empty
