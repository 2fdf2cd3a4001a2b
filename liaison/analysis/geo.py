"""Plain Python (no Django): the map's viewport, its clusters and its picture.

- ``parse_bbox`` / ``parse_zoom`` read what the browser's map sends (Leaflet's
  "west,south,east,north") and refuse anything else with a message an officer can
  read (``MapQueryError``; the messages are marked with ``gettext_noop`` and
  translated where they are shown).
- ``cell_size`` / ``grid_clusters`` / ``merge_cell_counts``: grid clustering on the
  server. Past ``MAX_POINTS`` points in a viewport, the browser gets one marker per
  grid cell with its counts by status and kind instead of every point, so 50,000
  sites answer as fast as 50. The grid is fixed to the world (cells of a zoom level
  never move when the map is panned), about ``CLUSTER_PIXELS`` on screen.
  Hand-written rather than a library (supercluster is JavaScript; Python ports need
  every point in memory): the counting itself is a GROUP BY in the database
  (``liaison.analysis.map_views``), and what is left here is a few lines.
- ``map_svg``: the map as an SVG string for the PDF operation report (WeasyPrint):
  country outlines from the vendored world-atlas (Natural Earth, public domain) and
  first-level administrative areas (``static/analysis/admin1-sea.topo.json``),
  decoded with pytopojson, in Web Mercator like the map on screen; points coloured
  by status, labels as ``<text>`` so that WeasyPrint shapes Thai, Khmer or Burmese.
"""
from __future__ import annotations

import json
import math
from collections import Counter
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from xml.sax.saxutils import escape

from liaison.translatable import gettext_noop

HERE = Path(__file__).resolve().parent
WORLD_ATLAS = HERE / "static" / "vendor" / "world-atlas" / "countries-50m.json"
ADMIN_AREAS = HERE / "static" / "analysis" / "admin1-sea.topo.json"

MAX_POINTS = 500  # more points than this in a viewport: clusters instead
CLUSTER_PIXELS = 64  # a cluster cell's side on screen
MAX_ZOOM = 18
# The region the centres work in (west, south, east, north): the map's first view.
REGION = (90.0, -11.0, 128.0, 30.0)
MAX_LATITUDE = 85.0511287798  # Web Mercator's limit


class MapQueryError(ValueError):
    """A map request that cannot be answered; ``message`` is a ``gettext_noop`` msgid."""

    def __init__(self, message, **params):
        super().__init__(message % params if params else message)
        self.message, self.params = message, params


@dataclass(frozen=True)
class BBox:
    west: float
    south: float
    east: float
    north: float

    def contains(self, lat, lon):
        return self.south <= lat <= self.north and self.west <= lon <= self.east

    def intersects(self, other):
        return not (other.west > self.east or other.east < self.west or other.south > self.north or other.north < self.south)

    def padded(self, fraction=0.08, minimum=0.5):
        """Grown by ``fraction`` of its size each side (at least ``minimum`` degrees overall)."""
        dx = max(self.east - self.west, minimum) * fraction + max(0.0, minimum - (self.east - self.west)) / 2
        dy = max(self.north - self.south, minimum) * fraction + max(0.0, minimum - (self.north - self.south)) / 2
        return BBox(max(-180.0, self.west - dx), max(-MAX_LATITUDE, self.south - dy),
                    min(180.0, self.east + dx), min(MAX_LATITUDE, self.north + dy))

    def as_list(self):
        return [self.west, self.south, self.east, self.north]


def parse_bbox(text):
    """``"west,south,east,north"`` in degrees (Leaflet's ``toBBoxString()``) -> ``BBox``.

    Longitudes beyond ±180 (a map panned round the world) are clamped; a box whose
    west lies east of its east, or a latitude off the globe, is refused."""
    if text is None or not str(text).strip():
        raise MapQueryError(gettext_noop("Say which part of the map to show: west, south, east and north, in degrees."))
    parts = str(text).split(",")
    try:
        if len(parts) != 4:
            raise ValueError
        west, south, east, north = (float(p) for p in parts)
    except ValueError:
        raise MapQueryError(gettext_noop(
            "The map area must be four numbers separated by commas: west, south, east, north (in degrees).")) from None
    if not all(math.isfinite(v) for v in (west, south, east, north)):
        raise MapQueryError(gettext_noop(
            "The map area must be four numbers separated by commas: west, south, east, north (in degrees)."))
    if not (-90 <= south <= 90 and -90 <= north <= 90):
        raise MapQueryError(gettext_noop("A latitude must be between -90 and 90 degrees."))
    if not (-540 <= west <= 540 and -540 <= east <= 540):
        raise MapQueryError(gettext_noop("A longitude must be between -180 and 180 degrees."))
    if south > north:
        raise MapQueryError(gettext_noop("The south edge of the map area is north of its north edge."))
    if west > east:
        raise MapQueryError(gettext_noop("The west edge of the map area is east of its east edge."))
    return BBox(max(-180.0, west), south, min(180.0, east), north)


def parse_zoom(text, bbox=None):
    """The map's zoom level (0–18). Without one, the level at which ``bbox`` fills
    about 1,000 pixels, so that a caller who gives only a box still gets clusters."""
    if text in (None, ""):
        if bbox is None:
            return 5
        span = max(bbox.east - bbox.west, 1e-6)
        return max(0, min(MAX_ZOOM, int(math.log2(360 * 1000 / 256 / span))))
    try:
        zoom = int(text)
    except (TypeError, ValueError):
        raise MapQueryError(gettext_noop("The zoom level must be a whole number from 0 to %(max)s."), max=MAX_ZOOM) from None
    if not 0 <= zoom <= MAX_ZOOM + 4:
        raise MapQueryError(gettext_noop("The zoom level must be a whole number from 0 to %(max)s."), max=MAX_ZOOM)
    return min(zoom, MAX_ZOOM)


def cell_size(zoom):
    """A cluster cell's side in degrees at ``zoom``: ``CLUSTER_PIXELS`` on screen
    (a tile of 256 pixels spans 360° / 2**zoom)."""
    return CLUSTER_PIXELS * 360.0 / (256 * 2 ** zoom)


def cell_of(lat, lon, size):
    return math.floor(lon / size), math.floor(lat / size)


@dataclass
class Cluster:
    """Points that fall in one grid cell: where they are on average, and how many of what."""

    cell: tuple
    count: int = 0
    sum_lat: float = 0.0
    sum_lon: float = 0.0
    statuses: Counter = field(default_factory=Counter)
    kinds: Counter = field(default_factory=Counter)
    types: Counter = field(default_factory=Counter)
    west: float = 180.0
    south: float = 90.0
    east: float = -180.0
    north: float = -90.0

    @property
    def lat(self):
        return self.sum_lat / self.count if self.count else 0.0

    @property
    def lon(self):
        return self.sum_lon / self.count if self.count else 0.0

    def add(self, lat, lon, *, count=1, status="", kind="", type="", bounds=None):
        self.count += count
        self.sum_lat += lat * count
        self.sum_lon += lon * count
        if status:
            self.statuses[status] += count
        if kind:
            self.kinds[kind] += count
        if type:
            self.types[type] += count
        west, south, east, north = bounds or (lon, lat, lon, lat)
        self.west, self.south = min(self.west, west), min(self.south, south)
        self.east, self.north = max(self.east, east), max(self.north, north)

    def as_feature(self):
        return {
            "type": "Feature",
            "geometry": {"type": "Point", "coordinates": [round(self.lon, 6), round(self.lat, 6)]},
            "properties": {
                "type": "cluster", "count": self.count,
                "sites": self.types.get("site", 0), "events": self.types.get("event", 0),
                "statuses": dict(self.statuses), "kinds": dict(self.kinds),
                "bounds": [round(v, 6) for v in (self.west, self.south, self.east, self.north)],
            },
        }


def grid_clusters(points, zoom):
    """``points`` (dicts with ``lat``, ``lon`` and optionally ``status``, ``kind``,
    ``type``) grouped by grid cell at ``zoom``, largest first."""
    size = cell_size(zoom)
    cells = {}
    for p in points:
        key = cell_of(p["lat"], p["lon"], size)
        cluster = cells.get(key) or cells.setdefault(key, Cluster(key))
        cluster.add(p["lat"], p["lon"], status=p.get("status", ""), kind=p.get("kind", ""), type=p.get("type", ""))
    return sorted(cells.values(), key=lambda c: (-c.count, c.cell))


def merge_cell_counts(rows):
    """Clusters from rows the database grouped by cell: dicts with ``cx``, ``cy``,
    ``count``, ``lat`` and ``lon`` (the group's means), ``west/south/east/north``,
    and optionally ``status``, ``kind``, ``type``. Largest first."""
    cells = {}
    for row in rows:
        key = (int(row["cx"]), int(row["cy"]))
        cluster = cells.get(key) or cells.setdefault(key, Cluster(key))
        cluster.add(float(row["lat"]), float(row["lon"]), count=int(row["count"]), status=row.get("status") or "",
                    kind=row.get("kind") or "", type=row.get("type") or "",
                    bounds=tuple(float(row[k]) for k in ("west", "south", "east", "north")))
    return sorted(cells.values(), key=lambda c: (-c.count, c.cell))


# --- the picture ------------------------------------------------------------------------------

STATUS_COLOURS = {
    "active": "#c0392b", "raided": "#d35400", "closed": "#566573", "unknown": "#909497", "": "#1f4e79",
}
SITE_KINDS = {"compound", "den", "casino", "office", "crossing", "other"}
FONTS = "Noto Sans, Noto Sans CJK SC, Noto Sans Thai, Noto Sans Khmer, Noto Sans Myanmar, Noto Sans Lao, sans-serif"


@dataclass
class _Shape:
    """One area of an outline layer: rings of (lon, lat) and their bounding box."""

    name: str
    rings: list
    bbox: BBox
    ring_boxes: list


def _shapes(path, obj):
    from pytopojson import feature

    topology = json.loads(Path(path).read_text(encoding="utf-8"))
    shapes = []
    for f in feature.Feature()(topology, obj)["features"]:
        geometry = f.get("geometry")
        if not geometry:
            continue
        polygons = geometry["coordinates"] if geometry["type"] == "MultiPolygon" else [geometry["coordinates"]]
        rings = [[(float(x), float(y)) for x, y in ring] for polygon in polygons for ring in polygon]
        xs = [x for ring in rings for x, _y in ring]
        ys = [y for ring in rings for _x, y in ring]
        if xs:
            boxes = [BBox(min(x for x, _y in r), min(y for _x, y in r), max(x for x, _y in r), max(y for _x, y in r))
                     for r in rings]
            shapes.append(_Shape((f.get("properties") or {}).get("name") or "", rings,
                                 BBox(min(xs), min(ys), max(xs), max(ys)), boxes))
    return shapes


@lru_cache(maxsize=2)
def country_shapes(path=WORLD_ATLAS):
    """The world's countries (Natural Earth 1:50m via world-atlas), decoded once per process."""
    return _shapes(path, "countries")


@lru_cache(maxsize=2)
def admin_area_shapes(path=ADMIN_AREAS):
    """First-level administrative areas of the region, decoded once per process."""
    return _shapes(path, "admin1")


class _Projection:
    """Web Mercator fitted into width × height (the box's aspect kept, centred)."""

    def __init__(self, bbox, width, height):
        self.x0, self.x1 = self._x(bbox.west), self._x(bbox.east)
        self.y0, self.y1 = self._y(bbox.north), self._y(bbox.south)
        span_x, span_y = max(self.x1 - self.x0, 1e-9), max(self.y1 - self.y0, 1e-9)
        self.k = min(width / span_x, height / span_y)
        self.dx = (width - span_x * self.k) / 2
        self.dy = (height - span_y * self.k) / 2

    @staticmethod
    def _x(lon):
        return math.radians(lon)

    @staticmethod
    def _y(lat):
        lat = max(-MAX_LATITUDE, min(MAX_LATITUDE, lat))
        return -math.log(math.tan(math.pi / 4 + math.radians(lat) / 2))

    def __call__(self, lon, lat):
        return (self._x(lon) - self.x0) * self.k + self.dx, (self._y(lat) - self.y0) * self.k + self.dy

    def invert(self, x, y):
        lon = math.degrees((x - self.dx) / self.k + self.x0)
        lat = math.degrees(2 * math.atan(math.exp(-((y - self.dy) / self.k + self.y0))) - math.pi / 2)
        return lon, lat

    def covered(self, width, height):
        """The (west, south, east, north) the whole picture shows."""
        west, north = self.invert(0, 0)
        east, south = self.invert(width, height)
        return BBox(max(-180.0, west), max(-MAX_LATITUDE, south), min(180.0, east), min(MAX_LATITUDE, north))


def _clip(points, rect):
    """Sutherland–Hodgman: a closed ring of (x, y) cut to ``rect`` (x0, y0, x1, y1).

    Without it every country the map touches is drawn whole (all of China for a map
    of Shan State), which made the SVG ten times larger and WeasyPrint slower."""
    x0, y0, x1, y1 = rect
    edges = (
        (lambda p: p[0] >= x0, lambda a, b: (x0, a[1] + (b[1] - a[1]) * (x0 - a[0]) / (b[0] - a[0]))),
        (lambda p: p[0] <= x1, lambda a, b: (x1, a[1] + (b[1] - a[1]) * (x1 - a[0]) / (b[0] - a[0]))),
        (lambda p: p[1] >= y0, lambda a, b: (a[0] + (b[0] - a[0]) * (y0 - a[1]) / (b[1] - a[1]), y0)),
        (lambda p: p[1] <= y1, lambda a, b: (a[0] + (b[0] - a[0]) * (y1 - a[1]) / (b[1] - a[1]), y1)),
    )
    for inside, cross in edges:
        if not points:
            break
        out, prev = [], points[-1]
        for cur in points:
            if inside(cur):
                if not inside(prev):
                    out.append(cross(prev, cur))
                out.append(cur)
            elif inside(prev):
                out.append(cross(prev, cur))
            prev = cur
        points = out
    return points


def _ring_path(ring, project, rect, tolerance=0.5):
    """One ring as SVG path data: projected, cut to ``rect``, and with points closer
    than ``tolerance`` pixels to the previous one dropped."""
    out, last = [], None
    for x, y in _clip([project(lon, lat) for lon, lat in ring], rect):
        point = (round(x, 1), round(y, 1))
        if last is not None and abs(point[0] - last[0]) < tolerance and abs(point[1] - last[1]) < tolerance:
            continue
        out.append(point)
        last = point
    if len(out) < 3:
        return ""
    return "M" + "L".join(f"{x:g},{y:g}" for x, y in out) + "Z"


def _layer(shapes, bbox, project, rect, tolerance=0.5):
    paths = []
    for shape in shapes:
        if not shape.bbox.intersects(bbox):
            continue
        d = "".join(_ring_path(ring, project, rect, tolerance) for ring, ring_box in zip(shape.rings, shape.ring_boxes)
                    if ring_box.intersects(bbox))
        if d:
            paths.append(f'<path d="{d}"/>')
    return paths


def _fit(points, bbox):
    if bbox is not None:
        return bbox if isinstance(bbox, BBox) else BBox(*map(float, bbox))
    located = [(p["lat"], p["lon"]) for p in points]
    if not located:
        return BBox(*REGION)
    lats, lons = [lat for lat, _lon in located], [lon for _lat, lon in located]
    return BBox(min(lons), min(lats), max(lons), max(lats)).padded(0.15, minimum=3.0)


def _text_width(text, size):
    # Wide scripts (Han, Hangul, kana) take about one em a character, others about half.
    return sum(size if ord(ch) >= 0x2E80 else size * 0.55 for ch in text)


def _picture(points, width, height, bbox, outlines, title):
    """What both pictures share: the SVG without any text, and where each label goes
    ((x, y, anchor, text), overlapping labels left out)."""
    box = _fit(points, bbox)
    project = _Projection(box, width, height)
    # What is drawn: the box as it fills the picture (wider or taller than asked), with a margin.
    view = project.covered(width, height).padded(0.05, minimum=0)
    rect = (-10, -10, width + 10, height + 10)
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {width} {height}" width="{width}" height="{height}" '
        f'role="img" class="liaison-map" overflow="hidden" font-family="{FONTS}" font-size="11">',
    ]
    # Presentation attributes, not a <style> element: the same picture is valid inside
    # a page whose Content-Security-Policy refuses inline styles, and in WeasyPrint.
    if title:
        parts.append(f"<title>{escape(title)}</title>")
    parts.append(f'<defs><clipPath id="map-clip"><rect x="0" y="0" width="{width}" height="{height}"/></clipPath></defs>')
    parts.append(f'<rect fill="#eaf2f8" x="0" y="0" width="{width}" height="{height}"/>')
    parts.append('<g clip-path="url(#map-clip)">')
    if outlines:
        try:
            countries = country_shapes()
        except OSError:
            countries = []  # world-atlas not vendored (make vendor-static): points on a plain sea
        parts.append('<g class="countries" fill="#fbfaf5" stroke="#7b7d7d" stroke-width="0.8" stroke-linejoin="round">')
        parts.extend(_layer(countries, view, project, rect))
        parts.append("</g>")
        if view.east - view.west <= 30:
            try:
                areas = admin_area_shapes()
            except OSError:
                areas = []
            parts.append('<g class="admin-areas" fill="none" stroke="#a6acaf" stroke-width="0.5" stroke-dasharray="2 2">')
            # Thin dashed lines under the points: two pixels of detail are plenty (and a
            # fifth of the size of the 1:10m source at full detail).
            parts.extend(_layer(areas, view, project, rect, tolerance=2.0))
            parts.append("</g>")
    placed, symbols, labels = [], [], []
    for p in sorted(points, key=lambda p: (-p["lat"], p["lon"])):
        x, y = project(p["lon"], p["lat"])
        if not (-5 <= x <= width + 5 and -5 <= y <= height + 5):
            continue
        colour = STATUS_COLOURS.get(p.get("status") or "", STATUS_COLOURS["unknown"])
        kind = p.get("kind") or ""
        if kind == "crossing":
            symbols.append(f'<path class="point" fill="{colour}" d="M{x:.1f},{y - 6:.1f}l6,6l-6,6l-6,-6Z"/>')
        elif kind and kind not in SITE_KINDS:
            symbols.append(f'<path class="point" fill="{colour}" d="M{x:.1f},{y - 6:.1f}l5.5,10h-11Z"/>')
        else:
            symbols.append(f'<circle class="point" fill="{colour}" cx="{x:.1f}" cy="{y:.1f}" r="5"/>')
        label = str(p.get("label") or "").strip()
        if not label:
            continue
        w, h = _text_width(label, 11), 13
        for lx, anchor in ((x + 8, "start"), (x - 8, "end")):
            left = lx if anchor == "start" else lx - w
            box_ = (left, y - h / 2, left + w, y + h / 2)
            if box_[0] < 0 or box_[2] > width:
                continue
            if any(not (box_[2] < b[0] or box_[0] > b[2] or box_[3] < b[1] or box_[1] > b[3]) for b in placed):
                continue
            placed.append(box_)
            labels.append((lx, y, anchor, label, w))
            break
    parts.append('<g class="points" stroke="#fff" stroke-width="1.2">')
    parts.extend(symbols)
    parts.append("</g></g>")
    return parts, labels


def _legend_rows(legend):
    return [(status, str(text)) for status, text in (legend or {}).items()]


def map_svg(points, *, width=800, height=500, bbox=None, outlines=True, legend=None, title=""):
    """The map as an SVG string: country outlines (and administrative areas when the
    box is small enough to read them) and ``points``, dicts with ``lat``, ``lon``,
    ``label``, ``status`` and ``kind``.

    ``bbox``: a ``BBox`` or (west, south, east, north); by default the points' extent
    with a margin (the region when there are none). Labels that would overlap another
    are left out rather than drawn over it (the point stays). ``legend``: optional
    ``{status: translated label}`` drawn in the lower left corner; ``title`` an
    accessible name. Colours are by status, the shape by kind (a diamond for border
    crossings, a triangle for anything that is not a site, such as an event).

    Labels are ``<text>``: browsers shape every script in it, but WeasyPrint's SVG
    renderer draws text letter by letter, which breaks Thai, Khmer, Burmese, Lao and
    Arabic. For a PDF, ``map_html`` draws the same map with its words as HTML."""
    parts, labels = _picture(points, width, height, bbox, outlines, title)
    parts.pop()  # reopen the clipped group for the labels
    parts.append('</g><g class="labels" direction="ltr">')
    for lx, y, anchor, label, _w in labels:
        text = escape(label)
        attrs = f'x="{lx:.1f}" y="{y + 4:.1f}" text-anchor="{anchor}"'
        parts.append(f'<text {attrs} stroke="#fff" stroke-width="3" stroke-linejoin="round" fill="#fff">{text}</text>'
                     f'<text {attrs} fill="#1b2631">{text}</text>')
    parts.append("</g></g>")
    rows = _legend_rows(legend)
    if rows:
        lw = max(_text_width(text, 11) for _s, text in rows) + 34
        lh = 18 * len(rows) + 8
        top = height - lh - 8
        parts.append(f'<g class="legend"><rect x="8" y="{top}" width="{lw:.0f}" height="{lh}" rx="3" fill="#fff" '
                     f'fill-opacity="0.85" stroke="#a6acaf"/>')
        for i, (status, text) in enumerate(rows):
            cy = top + 13 + 18 * i
            colour = STATUS_COLOURS.get(status, STATUS_COLOURS["unknown"])
            parts.append(f'<circle fill="{colour}" stroke="#fff" cx="20" cy="{cy}" r="5"/>')
            parts.append(f'<text x="32" y="{cy + 4}" fill="#1b2631">{escape(text)}</text>')
        parts.append("</g>")
    parts.append("</svg>")
    return "".join(parts)


def map_html(points, *, width=800, height=500, bbox=None, outlines=True, legend=None, title=""):
    """The same map for WeasyPrint: the SVG without text, inside a box of that size,
    with the labels and the legend as absolutely placed HTML, which WeasyPrint lays
    out with Pango (shaped in every script). Inline ``style`` attributes: for a PDF
    only, never for a page served under the Content-Security-Policy."""
    parts, labels = _picture(points, width, height, bbox, outlines, title)
    parts.append("</svg>")
    out = [f'<div class="liaison-map-figure" style="position:relative;width:{width}px;height:{height}px;'
           f'font-family:{FONTS};font-size:11px;line-height:13px;color:#1b2631">', "".join(parts)]
    for lx, y, anchor, label, w in labels:
        left = lx if anchor == "start" else lx - w
        align = "left" if anchor == "start" else "right"
        out.append(f'<span dir="auto" style="position:absolute;left:{left - 2:.1f}px;top:{y - 7:.1f}px;width:{w + 4:.1f}px;'
                   f'text-align:{align};white-space:nowrap;background:rgba(255,255,255,0.7)">{escape(label)}</span>')
    rows = _legend_rows(legend)
    if rows:
        out.append('<div style="position:absolute;left:8px;bottom:8px;background:rgba(255,255,255,0.85);'
                   'border:1px solid #a6acaf;border-radius:3px;padding:3px 6px">')
        for status, text in rows:
            colour = STATUS_COLOURS.get(status, STATUS_COLOURS["unknown"])
            out.append(f'<div><span style="display:inline-block;width:9px;height:9px;border-radius:5px;'
                       f'background:{colour};margin-right:5px"></span><span dir="auto">{escape(text)}</span></div>')
        out.append("</div>")
    out.append("</div>")
    return "".join(out)
