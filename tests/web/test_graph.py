"""The link-analysis graph: what it draws, what it withholds, what it costs.

The world (tests/web/world.py): China owns Ming Guoping, linked to the Ming
family, to a phone and to an owner-only suspect; Myanmar sees Guoping, the
family and the phone but not the suspect; the victim of the Muse handover is a
protected identity Myanmar may not read.
"""
import itertools
import math
import re
import time

import pytest
from django.test import Client
from django.urls import reverse

from liaison.operations.models import Event, Participant
from liaison.registry.models import Identifier, Organisation, Person
from liaison.web.graphlayout import hop_distances, radial_layout
from tests.factories import login, make_person, make_user
from tests.web.world import link
from tests.budgets import INBOX_BADGE


def graph_url(slug, pk, **params):
    url = reverse("web:graph", args=[slug, pk])
    return url + ("?" + "&".join(f"{k}={v}" for k, v in params.items()) if params else "")


def page(client, slug, record, **params):
    response = client.get(graph_url(slug, record.pk, **params))
    assert response.status_code == 200
    return response.content.decode()


def svg_of(html):
    return html[html.index("<svg class=\"graph-canvas\""):html.index("</svg>", html.index("graph-canvas"))]


def detail(slug, record):
    return reverse("web:detail", args=[slug, record.pk])


# --- The page -----------------------------------------------------------------------------------------------------

@pytest.mark.django_db
def test_person_graph_shows_organisation_phone_and_event(as_mm, world):
    html = page(as_mm, "persons", world.guoping)
    svg = svg_of(html)
    # Nodes are links to the records' pages, shaped by type.
    assert f'<a href="{detail("organisations", world.family)}">' in svg
    assert f'<a href="{detail("identifiers", world.phone)}">' in svg
    assert f'<a href="{detail("events", world.handover)}">' in svg
    assert "gnode-organisation" in svg and "gnode-identifier" in svg and "gnode-event" in svg
    assert ">Ming family<" in svg and "+8613800138000" in svg
    # Edge labels are the relationship kinds; the table repeats every edge.
    assert ">member of<" in svg and ">uses phone<" in svg and "took part: leader" in svg
    table = html[html.index('<table class="graph-edges"'):]
    assert table.count("<tr>") == 1 + 4  # header + family, phone, hidden suspect, handover
    assert "son of Ming Xuechang" in table
    # No inline style or script anywhere: the CSP would block them (static script files are fine).
    assert "style=" not in html and not re.search(r"<script(?![^>]*\bsrc=)", html)


@pytest.mark.django_db
def test_detail_pages_link_to_their_graph(as_mm, world):
    for slug, record in [("persons", world.guoping), ("organisations", world.family), ("events", world.handover)]:
        html = as_mm.get(detail(slug, record)).content.decode()
        assert f'href="{reverse("web:graph", args=[slug, record.pk])}">Show links as a graph' in html


@pytest.mark.django_db
def test_invisible_endpoint_is_a_grey_node_without_name_or_id(as_mm, world):
    html = page(as_mm, "persons", world.guoping)
    svg = svg_of(html)
    assert "Owner Only Suspect" not in html
    assert detail("persons", world.secret) not in html
    assert str(world.secret.pk) not in re.findall(r'/persons/(\d+)/', html)
    assert "gnode-hidden" in svg and "a record you cannot see" in svg
    hidden = svg[svg.index("gnode-hidden"):]
    hidden = hidden[:hidden.index("</g>")]
    assert "<title>a record you cannot see</title>" in hidden
    assert "href" not in hidden and " id=" not in hidden and "data-" not in hidden
    # China owns the suspect and sees the name.
    client = login(Client(), world.cn_user)
    assert "Owner Only Suspect" in page(client, "persons", world.guoping)


@pytest.mark.django_db
def test_protected_person_is_never_named_to_an_agency_without_the_grant(as_mm, world):
    # From the event, and from a person two hops away through it.
    for slug, record, depth in [("events", world.handover, 1), ("persons", world.guoping, 2)]:
        html = page(as_mm, slug, record, depth=depth)
        assert "Victim Real Name" not in html
        assert "Protected identity" in svg_of(html)
    # The protected person's own graph: visible record, withheld identity.
    html = page(as_mm, "persons", world.victim)
    assert "Victim Real Name" not in html and "<h1><span dir=\"auto\">Protected identity</span></h1>" in html
    # The owner reads it.
    client = login(Client(), world.cn_user)
    assert "Victim Real Name" in page(client, "events", world.handover)


@pytest.mark.django_db
def test_graph_of_an_invisible_record_is_404(as_mm, world):
    response = as_mm.get(graph_url("persons", world.secret.pk))
    assert response.status_code == 404
    assert "Owner Only Suspect" not in response.content.decode()
    assert as_mm.get(graph_url("persons", 987654)).status_code == 404


@pytest.mark.django_db
def test_graph_needs_login(client, world):
    response = client.get(graph_url("persons", world.guoping.pk))
    assert response.status_code == 302 and "/login/" in response["Location"]


@pytest.mark.django_db
def test_depth_two_reaches_neighbours_of_neighbours_but_not_through_hidden_nodes(as_mm, world):
    behind_secret = Organisation.objects.create(owner=world.cn, name="Behind The Secret", distribution="members")
    link(world.cn, world.secret, "member_of", behind_secret)
    one = page(as_mm, "persons", world.guoping)
    assert detail("persons", world.ming) not in one  # leads the family: two hops away
    two = page(as_mm, "persons", world.guoping, depth=2)
    assert detail("persons", world.ming) in svg_of(two)
    assert "Kokang compound 7" not in two  # a site's operator is not a relationship
    assert "Behind The Secret" not in two and detail("organisations", behind_secret) not in two


@pytest.mark.django_db
def test_two_links_to_one_hidden_record_are_not_shown_as_the_same_record(as_mm, world):
    link(world.cn, world.family, "associate_of", world.secret)
    svg = svg_of(page(as_mm, "persons", world.guoping, depth=2))
    assert svg.count('class="gnode gnode-hidden"') == 2


@pytest.mark.django_db
@pytest.mark.parametrize("raw", ["5", "0", "abc", "-1"])
def test_bad_depth_says_what_is_wrong_and_draws_one_hop(as_mm, world, raw):
    html = page(as_mm, "persons", world.guoping, depth=raw)
    assert f"“{raw}” is not a depth this page can draw: choose 1 or 2 hops." in html
    assert detail("persons", world.ming) not in html


@pytest.mark.django_db
def test_names_in_any_script_are_escaped_and_kept(as_cn, world):
    names = ["明国平", "สมชาย ใจดี", "محمد الأحمد", "<b>Nguyễn</b> & Co"]
    people = [make_person(world.cn, name, distribution="members") for name in names]
    for person in people:
        link(world.cn, person, "associate_of", world.guoping)
    html = page(as_cn, "persons", world.guoping)
    svg = svg_of(html)
    for name in ["明国平", "สมชาย ใจดี", "محمد الأحمد"]:
        assert f">{name}</text>" in svg
    assert 'direction="rtl" class="glabel">محمد الأحمد<' in svg
    assert "<b>Nguyễn</b>" not in html and "&lt;b&gt;Nguyễn&lt;/b&gt; &amp; Co" in html


@pytest.mark.django_db
def test_positions_are_plain_numbers_in_any_language(as_cn, world):
    as_cn.cookies["django_language"] = "id"  # writes 12,5 for twelve and a half
    svg = svg_of(page(as_cn, "persons", world.guoping))
    for value in re.findall(r' (?:x1|y1|x2|y2|x|y)="([^"]*)"', svg):
        float(value)  # "12,5" would be a French decimal the SVG cannot read


@pytest.mark.django_db
def test_large_neighbourhood_is_cut_at_the_cap_and_says_so(as_cn, world):
    from liaison.web.views.graph import MAX_NODES

    people = Person.objects.bulk_create(
        [Person(owner=world.cn, distribution="members", display_name=f"Bulk {i}") for i in range(MAX_NODES + 5)]
    )
    for person in people:
        link(world.cn, world.family, "member_of", person)
    html = page(as_cn, "organisations", world.family)
    assert svg_of(html).count('class="gnode ') == MAX_NODES
    assert f"This graph stops at {MAX_NODES} records" in html
    # Too many lines to name on the drawing: the table names them all.
    assert 'class="gedge-label"' not in html and "read the table below" in html
    assert html.count(">member of</a>") >= MAX_NODES - 3
    assert "This graph stops" not in page(as_cn, "persons", world.guoping)


@pytest.mark.django_db
@pytest.mark.parametrize("depth", [1, 2])
def test_query_count_does_not_grow_with_neighbours(client, world, depth, django_assert_max_num_queries):
    cn = world.cn
    for i in range(30):
        kind = ("person", "organisation", "identifier", "event")[i % 4]
        if kind == "person":
            other = make_person(cn, f"Neighbour {i}", distribution="members", protection="victim" if i % 8 == 0 else "")
            link(cn, other, "associate_of", world.guoping)
            link(cn, other, "member_of", world.family)
        elif kind == "organisation":
            other = Organisation.objects.create(owner=cn, name=f"Org {i}", distribution="members")
            link(cn, world.guoping, "member_of", other)
        elif kind == "identifier":
            other = Identifier.objects.create(owner=cn, kind="email", value=f"n{i}@example.org", distribution="members")
            link(cn, world.guoping, "uses_handle", other)
        else:
            other = Event.objects.create(owner=cn, kind="raid", title=f"Raid {i}", date="2023", distribution="members")
            Participant.objects.create(event=other, person=world.guoping, role="suspect")
    mm = login(client, make_user(world.mm))
    # Session, user, second factor, centre, then per hop: relationships,
    # participations, and a visibility check plus a load per record type.
    with django_assert_max_num_queries(22 + INBOX_BADGE):
        html = page(mm, "persons", world.guoping, depth=depth)
    assert svg_of(html).count('class="gnode ') >= 31
    assert all(f">Neighbour {i}<" in html for i in (4, 12, 20, 28))
    assert "Neighbour 0" not in html  # protected


# --- The layout (no database) ---------------------------------------------------------------------------------------

def star(n):
    return list(range(n + 1)), [(0, i) for i in range(1, n + 1)]


def closest_pair(positions):
    return min(math.dist(a, b) for a, b in itertools.combinations(positions.values(), 2))


def test_layout_puts_the_centre_in_the_middle_and_hops_on_rings():
    nodes = ["c", "a", "b", "a1", "b1"]
    edges = [("c", "a"), ("b", "c"), ("a", "a1"), ("b1", "b")]
    layout = radial_layout(nodes, edges, "c", spacing=50)
    assert layout.positions["c"] == (0.0, 0.0)
    assert layout.hops == {"c": 0, "a": 1, "b": 1, "a1": 2, "b1": 2}
    r = {n: math.hypot(*layout.positions[n]) for n in nodes}
    assert r["a"] == pytest.approx(50) and r["b"] == pytest.approx(50)
    assert r["a1"] == pytest.approx(100) and r["b1"] == pytest.approx(100)
    # A second-hop node sits on the side of its parent.
    assert math.dist(layout.positions["a1"], layout.positions["a"]) < math.dist(layout.positions["a1"], layout.positions["b"])


def test_layout_is_deterministic_whatever_the_input_order():
    nodes, edges = star(40)
    edges += [(i, 100 + i) for i in range(1, 41, 3)]
    nodes += [100 + i for i in range(1, 41, 3)]
    first = radial_layout(nodes, edges, 0).positions
    assert radial_layout(list(reversed(nodes)), list(reversed(edges)), 0).positions == first
    assert radial_layout(nodes, [(b, a) for a, b in edges], 0).positions == first


@pytest.mark.parametrize("n", [1, 2, 5, 12, 60, 149])
def test_layout_never_overlaps_up_to_150_nodes(n):
    nodes, edges = star(n)
    layout = radial_layout(nodes, edges, 0, spacing=90)
    assert len(layout.positions) == n + 1
    if n > 1:
        assert closest_pair(layout.positions) >= 90 - 0.05


def test_layout_of_150_nodes_two_hops_deep_is_fast_and_apart():
    nodes = list(range(150))
    edges = [(0, i) for i in range(1, 30)] + [(1 + i % 29, i) for i in range(30, 150)]
    started = time.perf_counter()
    layout = radial_layout(nodes, edges, 0, spacing=90)
    assert time.perf_counter() - started < 0.5
    assert closest_pair(layout.positions) >= 90 - 0.05
    # Every second-hop node is further out than every first-hop node.
    r = {i: math.hypot(*layout.positions[i]) for i in nodes}
    assert min(r[i] for i in range(30, 150)) > max(r[i] for i in range(1, 30))


def test_unconnected_nodes_are_drawn_outside_not_dropped():
    hops, _ = hop_distances(["c", "a", "lost"], [("c", "a")], "c")
    assert hops == {"c": 0, "a": 1, "lost": 2}
    layout = radial_layout(["c", "a", "lost"], [("c", "a"), ("x", "y")], "c")
    assert set(layout.positions) == {"c", "a", "lost"}


def test_second_hop_nodes_sit_beside_their_own_parent():
    nodes, edges = star(12)
    children = [(i, 100 + i) for i in range(1, 13) if i % 3]  # not every first-hop node has a child
    layout = radial_layout(nodes + [c for _p, c in children], edges + children, 0, spacing=150)
    for parent, child in children:
        nearest = min(range(1, 13), key=lambda i: math.dist(layout.positions[i], layout.positions[child]))
        assert nearest == parent
