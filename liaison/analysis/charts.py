"""Charts of reported figures, drawn on the server as SVG with matplotlib.

No database here: ``figures_svg`` takes rows (``liaison.analysis.figures.figure_rows``
makes them from the records a reader may see) and returns an ``<svg>`` element
that pages inline and the PDF report embeds.

Why on the server, as SVG: the same picture serves the page, the PDF
(WeasyPrint draws SVG) and a phone, with no script and no library in the
browser; text stays ``<text>`` (``svg.fonttype = "none"``), so the browser or
WeasyPrint shapes Thai, Khmer, Burmese and Arabic with the page's own fonts,
and every number is written in the reader's digits and format.

Why the output is rewritten (``_for_html``): matplotlib writes its colours as
``style="fill: …"`` attributes and a ``<style>`` element, which the site's
Content-Security-Policy (``style-src 'self'``, no inline styles) forbids in a
page. The same values are legal SVG *presentation attributes*
(``fill="…"``), which no policy blocks, so each declaration is moved into one.
Element ids get a prefix of the chart's own, so two charts inlined in one page
never share a clip path or hatch pattern.

Why one bar per stated figure, never a sum: reports overlap (the 571 suspects
handed over at Muse are part of the 31,000 handed over since September; a
phase's results restate its raids), so adding figures of different events
would state numbers nobody reported ("more than 70,571"). Each bar is one
figure as its source gave it, its qualifier kept ("more than 70,000");
running totals (``Event.is_cumulative``) are hatched and named in the legend.
"""
from __future__ import annotations

import hashlib
import io
import logging
import re
import warnings
import xml.etree.ElementTree as ET
from html import escape

from django.core.cache import caches
from django.utils.translation import gettext as _

from liaison.core.i18n import current_reader
from liaison.core.localefmt import format_number

BY = ("phase", "country", "category", "month")
# Okabe–Ito: told apart by readers with any common colour-vision deficiency.
CATEGORY_COLOURS = {
    "suspects": "#0072B2", "leaders": "#D55E00", "fugitives": "#CC79A7", "victims": "#E69F00",
    "people": "#56B4E9", "cases": "#009E73", "sites": "#F0E442", "deaths": "#000000", "sentenced": "#999999",
}
OTHER_COLOUR = "#5b6577"
INK, MUTED, LINE = "#1d2430", "#5b6577", "#d7dce4"
# The font matplotlib measures text with: the one it ships, so always there, and one
# font only (a fallback list of the page's Noto fonts made each label 5 times slower
# to measure). The SVG names no font: the page's own fonts draw and shape every
# script, and every text is anchored (start, end), so the measure only sizes the
# patch behind a label written inside its bar.
FONTS = ["DejaVu Sans"]
MAX_BARS = 60
CACHE_SECONDS = 600
cache = caches["default"]  # the process's memory (settings.CACHES), never Redis: see _cache_key
UNIT_PX = 15  # one row of text; a bar with its name above takes 1.95 rows

SVG_NS, XLINK_NS = "http://www.w3.org/2000/svg", "http://www.w3.org/1999/xlink"
ET.register_namespace("", SVG_NS)
ET.register_namespace("xlink", XLINK_NS)
# CSS declarations matplotlib writes that are also SVG presentation attributes.
PRESENTATION = {
    "fill", "fill-opacity", "fill-rule", "stroke", "stroke-width", "stroke-opacity", "stroke-linecap",
    "stroke-linejoin", "stroke-miterlimit", "stroke-dasharray", "stroke-dashoffset", "opacity", "font-size",
    "font-weight", "font-style", "text-anchor", "dominant-baseline", "clip-path", "display", "visibility",
}


def qualified_number(value, qualifier):
    """ "more than 70,000", "มากกว่า ๗๐,๐๐๐": the figure as the source gave it, in
    the reader's language and digits (the category is the bar's colour)."""
    from liaison.operations.models import Figure

    number = format_number(value, current_reader())
    if not qualifier:
        return number
    words = dict(Figure.Qualifier.choices).get(qualifier, qualifier)
    # Translators: a figure on a chart bar, e.g. "more than 70,000" (qualifier = "more than").
    return _("%(qualifier)s %(number)s") % {"qualifier": words, "number": number}


def category_label(code):
    from liaison.operations.models import Figure

    return str(dict(Figure.Category.choices).get(code, code))


def _short(text, limit):
    text = " ".join(str(text or "").split())
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "…"


def _lines(rows, by, max_bars):
    """Rows to draw, top to bottom: ("group", label) headers and ("bar", row) bars.

    Groups keep the order of their first row (the caller sorted them: phases by
    number, months in time); within a group, bars by category, then largest first.
    Beyond ``max_bars`` only the largest figures are drawn (the caller says how
    many are left out)."""
    order = {code: i for i, code in enumerate(CATEGORY_COLOURS)}
    kept = rows
    if len(rows) > max_bars:
        ranked = sorted(range(len(rows)), key=lambda i: -int(rows[i]["value"]))[:max_bars]
        keep = set(ranked)
        kept = [row for i, row in enumerate(rows) if i in keep]
    groups = {}
    for row in kept:
        groups.setdefault(str(row["label"]), []).append(row)
    lines = []
    for label, members in groups.items():
        lines.append(("group", label))
        members.sort(key=lambda r: (order.get(r.get("category"), 99), -int(r["value"])))
        lines += [("bar", row) for row in members]
    return lines, len(rows) - len(kept)


def _bar_name(row, by):
    """A bar's name: its event under a category heading, else "Suspects · <event>"."""
    if by == "category":
        return row.get("detail") or category_label(row.get("category"))
    if row.get("detail"):
        return f"{category_label(row.get('category'))} · {row['detail']}"
    return category_label(row.get("category"))


def _tooltip(row):
    words = qualified_number(row["value"], row.get("qualifier", ""))
    text = f"{words} — {category_label(row.get('category'))}"
    if row.get("detail"):
        text = f"{row['detail']}: {text}"
    if row.get("cumulative"):
        text += " (" + _("running total") + ")"
    return text


def _text_colour(fill):
    """Black or white, whichever reads on ``fill`` (WCAG relative luminance)."""
    rgb = [int(fill[i : i + 2], 16) / 255 for i in (1, 3, 5)]
    lin = [c / 12.92 if c <= 0.03928 else ((c + 0.055) / 1.055) ** 2.4 for c in rgb]
    return "#000000" if 0.2126 * lin[0] + 0.7152 * lin[1] + 0.0722 * lin[2] > 0.25 else "#ffffff"


def figures_svg(rows, *, by, title="", width=720, height=320, max_bars=MAX_BARS) -> str:
    """An ``<svg>`` bar chart of ``rows`` (dicts with ``label``, ``value``,
    ``qualifier``, ``category``; optional ``detail``, the event's title, and
    ``cumulative``), one horizontal bar per row, grouped under each ``label``.

    ``by`` ("phase", "country", "category" or "month") names the grouping:
    with "category" each bar is named by its ``detail``, otherwise by its
    category. ``height`` is a minimum: the chart grows with its rows. The
    result is safe to inline in HTML (every text is escaped) and is sized by
    its ``viewBox`` (CSS may set ``width: 100%``)."""
    if by not in BY:
        raise ValueError(f"by must be one of {', '.join(BY)}")
    rows = [row for row in rows if row.get("value") is not None]
    if not rows:
        return _empty_svg(title, width)
    key = _cache_key(rows, by, title, width, height, max_bars)
    svg = cache.get(key)
    if svg is None:
        lines, left_out = _lines(rows, by, max_bars)
        text = _draw(lines, by, title, width, height, left_out)
        titles = {f"bar{i}": _tooltip(item) for i, (kind, item) in enumerate(lines) if kind == "bar"}
        svg = _for_html(text, title or _("Figures as reported"), titles)
        cache.set(key, svg, CACHE_SECONDS)
    return svg


def _cache_key(rows, by, title, width, height, max_bars):
    """The chart's key in the process's own memory cache: a digest of everything
    drawn (the rows as given, the reader's language, digits and calendar), so a
    reader is only ever given a picture of rows they were given themselves, and
    opening a dashboard again costs no drawing (a tenth to half a second each).
    Never a shared cache (Redis): pictures of records stay in the process."""
    from django.utils.translation import get_language

    reader = current_reader()
    drawn = [(str(r["label"]), int(r["value"]), r.get("qualifier") or "", r.get("category") or "",
              str(r.get("detail") or ""), bool(r.get("cumulative"))) for r in rows]
    digest = hashlib.sha256(repr((drawn, by, str(title), width, height, max_bars, get_language(), reader.language,
                                  reader.digits, reader.calendar)).encode("utf-8")).hexdigest()
    return f"analysis-chart:{digest}"


def _layout(lines):
    """Vertical positions (in rows of ``UNIT_PX``) of each line: a group's name on
    its own row; each bar under its own name, so names may use the chart's
    whole width (a phone) instead of a margin beside the bars."""
    cursor, out = 0.0, []
    for kind, _item in lines:
        if kind == "group":
            out.append((cursor + 0.55, None))
            cursor += 1.2
        else:
            out.append((cursor + 0.45, cursor + 1.3))  # (name, bar centre)
            cursor += 1.95
    return out, cursor


def _draw(lines, by, title, width, height, left_out):
    # matplotlib only here: its import (~1 s) is paid by the pages that draw.
    import matplotlib
    from matplotlib.figure import Figure as MplFigure
    from matplotlib.patches import Patch
    from matplotlib.ticker import FuncFormatter, MaxNLocator
    from matplotlib.transforms import blended_transform_factory

    reader = current_reader()
    values = [int(item["value"]) for kind, item in lines if kind == "bar"]
    largest = max(values) or 1
    positions, rows = _layout(lines)
    categories = list(dict.fromkeys(item.get("category") for kind, item in lines if kind == "bar"))
    cumulative = any(item.get("cumulative") for kind, item in lines if kind == "bar")
    legend_cols = max(1, min(len(categories) + cumulative, width // 190))
    legend_rows = -(-(len(categories) + cumulative) // legend_cols)
    # Margins in pixels, laid out here rather than by matplotlib's layout engine
    # (which draws everything once more to measure it: half the time of a chart).
    top_px = 8 + (28 if title else 0)
    note = 16 if left_out else 0
    bottom = 30 + 19 * legend_rows + 6 + note
    height = max(height, int(rows * UNIT_PX) + top_px + bottom)
    chars = max(24, int(width) // 7)
    rc = {
        "svg.fonttype": "none", "svg.hashsalt": "liaison-charts", "font.family": "sans-serif",
        "font.sans-serif": FONTS, "font.size": 12, "text.parse_math": False, "axes.edgecolor": LINE,
        "xtick.color": MUTED, "hatch.linewidth": 1.2,
    }
    with matplotlib.rc_context(rc), warnings.catch_warnings():
        warnings.simplefilter("ignore")  # "Glyph missing from font": the page's fonts draw the text.
        logging.getLogger("matplotlib.font_manager").setLevel(logging.ERROR)
        fig = MplFigure(figsize=(width / 72, height / 72), dpi=72)
        ax = fig.add_axes((10 / width, bottom / height, 1 - 20 / width, 1 - (top_px + bottom) / height))
        names = blended_transform_factory(ax.transAxes, ax.transData)
        bars = []
        for index, ((kind, item), (name_y, bar_y)) in enumerate(zip(lines, positions)):
            if kind == "group":
                ax.text(0, name_y, _short(item, chars), transform=names, va="center", ha="left",
                        fontweight="bold", fontsize=12.5, color=INK)
                continue
            ax.text(0, name_y, _short(_bar_name(item, by), chars), transform=names, va="center", ha="left",
                    fontsize=11, color=MUTED)
            colour = CATEGORY_COLOURS.get(item.get("category"), OTHER_COLOUR)
            value = int(item["value"])
            bars.append((index, bar_y, value, colour, bool(item.get("cumulative"))))
            words = qualified_number(value, item.get("qualifier", ""))
            if value > 0.55 * largest:
                # On a solid patch of the bar's colour: the hatching of a running total would cross it.
                ax.text(value - largest * 0.01, bar_y, words, va="center", ha="right", color=_text_colour(colour),
                        fontweight="bold", bbox={"facecolor": colour, "linewidth": 0, "pad": 1.5})
            else:
                ax.text(value + largest * 0.01, bar_y, words, va="center", ha="left", color=INK)
        # One call for every bar (a call per bar cost a tenth of the chart's time).
        drawn = ax.barh([b[1] for b in bars], [b[2] for b in bars], height=0.72, color=[b[3] for b in bars],
                        linewidth=0)
        for (index, _y, _value, _colour, running), bar in zip(bars, drawn.patches):
            bar.set_gid(f"bar{index}")
            if running:
                bar.set_hatch("///")
                bar.set_edgecolor("#ffffff")
        ax.set_yticks([])
        ax.set_ylim(rows + 0.1, 0)
        ax.set_xlim(0, largest * 1.03)
        ax.xaxis.set_major_formatter(FuncFormatter(lambda v, _pos: format_number(int(v), reader) if v >= 0 else ""))
        ax.xaxis.set_major_locator(MaxNLocator(nbins=max(2, int(width) // 150), integer=True))
        ax.grid(axis="x", color=LINE, linewidth=0.8)
        ax.set_axisbelow(True)
        for side in ("top", "right"):
            ax.spines[side].set_visible(False)
        if title:
            fig.text(4 / width, 1 - 6 / height, _short(title, chars + 10), va="top", ha="left", fontweight="bold",
                     fontsize=14, color=INK)
        handles = [Patch(facecolor=CATEGORY_COLOURS.get(c, OTHER_COLOUR), label=category_label(c)) for c in categories]
        if cumulative:
            handles.append(Patch(facecolor=MUTED, edgecolor="#ffffff", hatch="///", linewidth=0,
                                 label=_("running total (not added to other figures)")))
        fig.legend(handles=handles, loc="lower left", bbox_to_anchor=(0, (4 + note) / height), ncols=legend_cols,
                   frameon=False, fontsize=11, borderaxespad=0, borderpad=0)
        if left_out:
            note_text = _("Only the %(shown)s largest figures are drawn; %(more)s smaller ones are not.")
            fig.text(4 / width, 3 / height, note_text % {
                "shown": format_number(len(values), reader), "more": format_number(left_out, reader)},
                fontsize=10, color=MUTED)
        out = io.StringIO()
        fig.savefig(out, format="svg", metadata={"Date": None, "Creator": None, "Format": None, "Type": None})
    return out.getvalue()


def _empty_svg(title, width):
    message = escape(_("No figures you can see."))
    heading = escape(title or _("Figures as reported"))
    return (f'<svg xmlns="{SVG_NS}" class="chart" role="img" direction="ltr" viewBox="0 0 {int(width)} 60" '
            f'width="{int(width)}" height="60"><title>{heading}</title>'
            f'<text x="8" y="36" font-size="13" fill="{MUTED}">{message}</text></svg>')


_DECL = re.compile(r"\s*([-a-z]+)\s*:\s*([^;]+?)\s*(?:;|$)")
_URL_REF = re.compile(r"url\(#([^)]+)\)")


def _for_html(svg_text, title, bar_titles):
    """matplotlib's SVG made fit to inline under the site's CSP (see the module's
    docstring): styles become presentation attributes, fonts are the page's,
    ids are prefixed, bars get a ``<title>`` (the tooltip and what a screen reader says)."""
    root = ET.fromstring(svg_text.encode("utf-8"))
    prefix = "c" + hashlib.sha1(svg_text.encode("utf-8")).hexdigest()[:8] + "-"
    q = lambda tag: f"{{{SVG_NS}}}{tag}"  # noqa: E731
    for parent in list(root.iter()):
        for child in list(parent):
            if child.tag in (q("metadata"), q("style")):
                parent.remove(child)
    # What the removed <style> said for every element, now inherited from the root.
    root.set("stroke-linejoin", "round")
    root.set("stroke-linecap", "butt")
    href = f"{{{XLINK_NS}}}href"
    for element in root.iter():
        style = element.attrib.pop("style", None)
        if style:
            for name, value in _DECL.findall(style):
                if name in PRESENTATION:
                    element.set(name, value.strip())
        if "id" in element.attrib:
            element.set("id", prefix + element.get("id"))
        for name, value in list(element.attrib.items()):
            if "url(#" in value:
                element.set(name, _URL_REF.sub(lambda m: f"url(#{prefix}{m.group(1)})", value))
        if element.get(href, "").startswith("#"):
            element.set(href, "#" + prefix + element.get(href)[1:])
    for element in root.iter(q("g")):
        gid = (element.get("id") or "")[len(prefix):]
        if gid in bar_titles:
            tooltip = ET.Element(q("title"))
            tooltip.text = bar_titles[gid]
            element.insert(0, tooltip)
    heading = ET.Element(q("title"))
    heading.text = title
    root.insert(0, heading)
    width, height = root.get("viewBox").split()[2:]
    root.set("width", width)
    root.set("height", height)
    root.set("class", "chart")
    root.set("role", "img")
    # The chart is drawn left to right whatever the page's direction: in an Arabic
    # page, text anchored at its "start" would otherwise run off the left edge.
    # (Each label's own words still read right to left: that is the text's bidi.)
    root.set("direction", "ltr")
    return ET.tostring(root, encoding="unicode")
