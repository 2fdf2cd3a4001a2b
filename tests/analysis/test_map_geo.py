"""The map's plain module (liaison/analysis/geo.py): viewport parsing, grid clusters and
the map picture of the PDF report. No database."""
import json
import random
import re

import pytest

from liaison.analysis import geo


def test_a_leaflet_bbox_is_read_and_wrapped_longitudes_clamped():
    box = geo.parse_bbox("97.5,20.25,101,24")
    assert box == geo.BBox(97.5, 20.25, 101.0, 24.0)
    assert box.contains(22, 99) and not box.contains(25, 99)
    # A map panned round the world sends longitudes past 180.
    assert geo.parse_bbox("170,-10,190,10").east == 180.0


@pytest.mark.parametrize("text, words", [
    (None, "Say which part of the map"),
    ("", "Say which part of the map"),
    ("1,2,3", "four numbers"),
    ("a,b,c,d", "four numbers"),
    ("1,2,3,nan", "four numbers"),
    ("1,2,3,inf", "four numbers"),
    ("0,-95,10,10", "latitude"),
    ("0,10,10,5", "south edge"),
    ("20,0,10,10", "west edge"),
    ("0,0,1000,10", "longitude"),
])
def test_a_wrong_bbox_is_refused_with_a_message_an_officer_can_act_on(text, words):
    with pytest.raises(geo.MapQueryError) as exc:
        geo.parse_bbox(text)
    assert words in str(exc.value)
    assert exc.value.message  # the msgid, translated where it is shown


def test_zoom_is_read_or_derived_from_the_box():
    assert geo.parse_zoom("7") == 7
    assert geo.parse_zoom("20") == geo.MAX_ZOOM  # a browser zoomed past the last level
    for wrong in ("seven", "30", "2.5"):
        with pytest.raises(geo.MapQueryError):
            geo.parse_zoom(wrong)
    with pytest.raises(geo.MapQueryError):
        geo.parse_zoom("-1")
    wide, narrow = geo.parse_zoom(None, geo.BBox(60, -10, 140, 40)), geo.parse_zoom(None, geo.BBox(98, 20, 99, 21))
    assert 0 <= wide < narrow <= geo.MAX_ZOOM
    # One more zoom level: cells half as wide.
    assert geo.cell_size(6) == pytest.approx(geo.cell_size(5) / 2)


def test_grid_clusters_count_every_point_once_with_their_statuses():
    points = [{"lat": 16.63, "lon": 98.51, "status": "active", "kind": "compound", "type": "site"},
              {"lat": 16.64, "lon": 98.52, "status": "raided", "kind": "compound", "type": "site"},
              {"lat": 16.64, "lon": 98.52, "kind": "raid", "type": "event"},
              {"lat": 10.61, "lon": 103.53, "status": "closed", "kind": "casino", "type": "site"}]
    clusters = geo.grid_clusters(points, zoom=6)
    assert [c.count for c in clusters] == [3, 1]
    myawaddy = clusters[0]
    assert dict(myawaddy.statuses) == {"active": 1, "raided": 1}
    assert dict(myawaddy.types) == {"site": 2, "event": 1}
    assert 16.63 <= myawaddy.lat <= 16.64 and myawaddy.south == 16.63 and myawaddy.north == 16.64
    feature = myawaddy.as_feature()
    assert feature["properties"]["type"] == "cluster" and feature["properties"]["sites"] == 2
    # Zoomed in far enough, the two compounds part.
    assert len(geo.grid_clusters(points, zoom=14)) == 3


def test_clusters_of_many_points_add_up_and_cells_do_not_move_when_panning():
    rng = random.Random(7)
    points = [{"lat": rng.uniform(5, 25), "lon": rng.uniform(95, 110), "status": rng.choice(["active", "closed"])}
              for _ in range(20_000)]
    clusters = geo.grid_clusters(points, zoom=5)
    assert sum(c.count for c in clusters) == 20_000
    assert sum(sum(c.statuses.values()) for c in clusters) == 20_000
    assert len(clusters) < 200
    # The grid is the world's, not the viewport's: a point's cell depends on the zoom only.
    size = geo.cell_size(5)
    assert geo.cell_of(16.63, 98.51, size) == geo.cell_of(16.63, 98.51, size)


def test_rows_grouped_by_the_database_merge_per_cell():
    rows = [
        {"cx": 3, "cy": 1, "count": 2, "lat": 16.0, "lon": 98.0, "west": 97.9, "east": 98.1, "south": 15.9, "north": 16.1,
         "status": "active", "kind": "compound", "type": "site"},
        {"cx": 3, "cy": 1, "count": 2, "lat": 17.0, "lon": 99.0, "west": 98.9, "east": 99.1, "south": 16.9, "north": 17.1,
         "status": "raided", "kind": "compound", "type": "site"},
        {"cx": 5, "cy": 1, "count": 1, "lat": 10.0, "lon": 103.0, "west": 103, "east": 103, "south": 10, "north": 10,
         "kind": "", "type": "event"},
    ]
    first, second = geo.merge_cell_counts(rows)
    assert (first.count, first.lat, first.lon) == (4, 16.5, 98.5)
    assert dict(first.statuses) == {"active": 2, "raided": 2} and dict(first.kinds) == {"compound": 4}
    assert (first.west, first.north) == (97.9, 17.1)
    assert second.count == 1 and dict(second.types) == {"event": 1}


POINTS = [
    {"lat": 23.69, "lon": 98.76, "label": "Laukkaing <compound>", "status": "closed", "kind": "compound"},
    {"lat": 16.70, "lon": 98.51, "label": "Mae Sot crossing", "status": "active", "kind": "crossing"},
    {"lat": 10.62, "lon": 103.52, "label": "สีหนุวิลล์", "status": "raided", "kind": "raid"},
]


def test_map_svg_draws_country_outlines_and_every_point_with_its_label():
    svg = geo.map_svg(POINTS, width=640, height=480, legend={"active": "Active", "closed": "Closed"}, title="Jingyao")
    assert svg.startswith("<svg") and svg.endswith("</svg>")
    countries = re.search(r'<g class="countries"[^>]*>(.*?)</g>', svg).group(1)
    assert countries.count("<path") >= 5  # Myanmar, Thailand, Laos, Cambodia, Viet Nam, China...
    assert svg.count('<circle class="point"') == 1  # the compound; the crossing is a diamond, the raid a triangle
    assert svg.count('<path class="point"') == 2
    # Labels are text (a browser shapes every script), escaped.
    assert "Laukkaing &lt;compound&gt;</text>" in svg and "<compound>" not in svg
    assert "สีหนุวิลล์</text>" in svg and "Active</text>" in svg
    assert "<title>Jingyao</title>" in svg
    # Small enough for a PDF: outlines cut to the picture, not every country whole.
    assert len(svg) < 250_000
    # Presentation attributes only: valid under a CSP that refuses inline styles.
    assert "<style" not in svg and "style=" not in svg


def test_a_small_box_shows_administrative_areas_and_a_wide_one_does_not():
    near = geo.map_svg(POINTS[:1], bbox=(97, 22, 100, 25))
    assert re.search(r'<g class="admin-areas"[^>]*><path', near)
    wide = geo.map_svg(POINTS, bbox=(60, -15, 150, 45))
    assert not re.search(r'<g class="admin-areas"', wide)
    bare = geo.map_svg(POINTS, outlines=False)
    assert "countries" not in bare and bare.count('class="point"') == 3


def test_overlapping_labels_are_left_out_not_drawn_over_each_other():
    crowd = [{"lat": 16.7, "lon": 98.5 + i * 0.001, "label": f"Compound block {i}", "status": "active", "kind": "compound"}
             for i in range(6)]
    svg = geo.map_svg(crowd, bbox=(90, 5, 110, 25), outlines=False)
    assert svg.count('<circle class="point"') == 6
    assert 1 <= len(re.findall(r'fill="#1b2631">Compound block', svg)) < 6


def test_map_html_puts_the_words_in_html_for_weasyprint():
    html = geo.map_html(POINTS, width=600, height=400, legend={"raided": "บุกค้นแล้ว"})
    assert html.startswith('<div class="liaison-map-figure"') and "<svg" in html
    assert "<text" not in html  # WeasyPrint's SVG text is not shaped: labels are HTML
    assert '<span dir="auto"' in html and "สีหนุวิลล์</span>" in html and "บุกค้นแล้ว" in html
    assert "Laukkaing &lt;compound&gt;" in html


def test_the_region_file_holds_the_admin_areas_of_every_country_of_the_centres():
    topology = json.loads(geo.ADMIN_AREAS.read_text(encoding="utf-8"))
    areas = topology["objects"]["admin1"]["geometries"]
    countries = {a["properties"]["country"] for a in areas}
    assert countries == {"MM", "TH", "KH", "LA", "VN", "CN", "MY", "PH", "ID"}
    names = {a["properties"]["name"] for a in areas}
    assert {"Kayin", "Shan", "Tak", "Bokeo", "Yunnan"} <= names
    assert "Heilongjiang" not in names  # only the south of China
    shapes = geo.admin_area_shapes()
    assert len(shapes) == len(areas)
