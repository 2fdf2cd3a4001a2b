"""The plain graph algorithms of link analysis (liaison/analysis/graphs.py): no database."""
import xml.etree.ElementTree as ET

import networkx as nx
import pytest

from liaison.analysis import graphs
from liaison.analysis.graphs import Link


def adjacency(pairs, hidden=()):
    """An ``expand`` function over an undirected edge list; ``hidden`` nodes are ends the reader cannot see."""
    calls = []

    def expand(keys):
        calls.append(set(keys))
        out = []
        for i, (x, y) in enumerate(pairs):
            for near, far in ((x, y), (y, x)):
                if near in keys:
                    out.append(Link(f"e{i}", near, None if far in hidden else far, "relationship", "", outgoing=near == x))
        return out

    expand.calls = calls
    return expand


def test_path_is_found_from_both_ends_and_is_shortest():
    pairs = [("a", "x1"), ("x1", "x2"), ("x2", "x3"), ("x3", "b"), ("a", "y"), ("y", "b")]
    result = graphs.bidirectional_search("a", "b", adjacency(pairs))
    assert result.hops == 2 and result.paths == [["a", "y", "b"]]
    assert set(result.links) == {("a", "y"), ("y", "b")}


def test_all_shortest_paths_up_to_the_limit_in_a_stable_order():
    pairs = [("a", m) for m in "pqrs"] + [(m, "b") for m in "pqrs"]
    result = graphs.bidirectional_search("a", "b", adjacency(pairs), max_paths=3)
    assert result.paths == [["a", "p", "b"], ["a", "q", "b"], ["a", "r", "b"]]


def test_paths_agree_with_networkx_on_a_random_graph():
    graph = nx.gnm_random_graph(300, 600, seed=3)
    pairs = [(f"n{x}", f"n{y}") for x, y in graph.edges]
    for x, y in [(0, 1), (5, 77), (10, 200), (42, 299)]:
        result = graphs.bidirectional_search(f"n{x}", f"n{y}", adjacency(pairs), max_hops=8)
        try:
            expected = nx.shortest_path_length(graph, x, y)
        except nx.NetworkXNoPath:
            expected = None
        if expected is None or expected > 8:
            assert result.hops is None
        else:
            assert result.hops == expected
            for path in result.paths:
                assert len(path) == expected + 1
                assert all(graph.has_edge(int(p[1:]), int(q[1:])) for p, q in zip(path, path[1:]))


def test_a_hidden_end_is_never_a_stepping_stone():
    # The only route runs through "secret", which the reader cannot see.
    pairs = [("a", "secret"), ("secret", "b")]
    result = graphs.bidirectional_search("a", "b", adjacency(pairs, hidden={"secret"}))
    assert result.hops is None and result.paths == []
    assert "secret" not in str(result.links)


def test_search_stops_at_max_hops_and_says_so():
    pairs = [("a", "1"), ("1", "2"), ("2", "3"), ("3", "4"), ("4", "b")]
    result = graphs.bidirectional_search("a", "b", adjacency(pairs), max_hops=4)
    assert result.hops is None and result.stopped == "max_hops"
    assert graphs.bidirectional_search("a", "b", adjacency(pairs), max_hops=5).hops == 5


def test_expanding_the_smaller_side_spares_the_hub():
    hub_links = [("hub", f"m{i}") for i in range(1000)]
    expand = adjacency(hub_links + [("b", "m7")])
    result = graphs.bidirectional_search("hub", "b", expand)
    assert result.paths == [["hub", "m7", "b"]]
    # One node at a time on either side: the hub's thousand members were never expanded.
    assert all(len(keys) <= 1 for keys in expand.calls)


def test_frontier_limit_stops_the_search():
    pairs = [("a", f"m{i}") for i in range(50)] + [(f"m{i}", f"k{i}") for i in range(50)]
    pairs += [("b", f"z{i}") for i in range(60)]
    result = graphs.bidirectional_search("a", "b", adjacency(pairs), max_frontier=40)
    assert result.stopped == "frontier" and result.paths == []


def test_same_node_is_a_path_of_no_hops():
    assert graphs.bidirectional_search("a", "a", adjacency([])).hops == 0


@pytest.mark.parametrize("start,end,date_from,date_to,point,kept", [
    ("2023", "", "2024", "2024", False, True),  # still going on
    ("2023", "", "2024", "2024", True, False),  # an event of 2023
    ("2023-11", "2023-12", "2024-01", "", False, False),
    ("2023-11", "2023-12", "2023-12-31", "", False, True),
    ("", "", "2020", "2021", False, True),  # undated: kept
    ("--11-18", "", "2020", "2021", True, True),  # a day without a year: kept
    ("2025-03-02", "", "", "2025-03-01", True, False),
    ("2025-03", "", "", "2025-03-01", True, True),  # March 2025 may include the 1st
])
def test_period_keeps_what_may_fall_in_it(start, end, date_from, date_to, point, kept):
    assert graphs.in_period(start, end, date_from, date_to, point=point) is kept


def test_page_of_links_is_ranked_and_counts_all():
    links = [Link(f"r{i}", "a", f"p:{i}", "relationship", rank=(i % 3, -i)) for i in range(10)]
    page, total = graphs.page_links(links, offset=0, limit=4)
    assert total == 10 and [link.id for link in page] == ["r9", "r6", "r3", "r0"]
    page2, _ = graphs.page_links(links, offset=4, limit=4)
    assert not {link.id for link in page} & {link.id for link in page2}


def test_key_members_rank_the_bridge_first_and_are_stable():
    # Two cliques joined through "bridge".
    left = [(f"l{i}", f"l{j}") for i in range(5) for j in range(i + 1, 5)]
    right = [(f"r{i}", f"r{j}") for i in range(5) for j in range(i + 1, 5)]
    edges = left + right + [("l0", "bridge"), ("bridge", "r0")]
    nodes = sorted({n for e in edges for n in e} | {"alone"})
    ranking = graphs.key_members(nodes, edges, top=3)
    assert ranking[0]["node"] == "bridge"
    assert {r["node"] for r in ranking[1:]} == {"l0", "r0"}
    assert "alone" not in [r["node"] for r in graphs.key_members(nodes, edges, top=50)]
    assert graphs.key_members(list(reversed(nodes)), list(reversed(edges)), top=3) == ranking


def test_large_pictures_are_sampled_and_still_find_the_bridge():
    graph = nx.connected_caveman_graph(60, 10)  # 600 nodes: past SAMPLE_OVER
    edges = [(f"n{x}", f"n{y}") for x, y in graph.edges]
    nodes = [f"n{n}" for n in graph.nodes]
    first = graphs.key_members(nodes, edges, top=5)
    assert first == graphs.key_members(nodes, edges, top=5)  # seeded
    assert len(first) == 5


def test_communities_split_two_cliques_and_are_seeded():
    left = [(f"l{i}", f"l{j}") for i in range(6) for j in range(i + 1, 6)]
    right = [(f"r{i}", f"r{j}") for i in range(4) for j in range(i + 1, 4)]
    edges = left + right + [("l0", "r0")]
    nodes = sorted({n for e in edges for n in e} | {"alone"})
    groups = graphs.communities(nodes, edges)
    assert {groups[f"l{i}"] for i in range(6)} == {0}  # the larger one is community 0
    assert {groups[f"r{i}"] for i in range(4)} == {1}
    assert "alone" not in groups
    assert groups == graphs.communities(list(reversed(nodes)), edges)


def test_graphml_is_valid_and_keeps_scripts_and_attributes():
    nodes = [{"id": "person:1", "label": "明国平", "tlp": "GREEN", "protected": True},
             {"id": "identifier:2", "label": "+959123456789", "tlp": "AMBER", "url": None}]
    edges = [{"id": "r5", "source": "person:1", "target": "identifier:2", "label": "uses phone", "tlp": "AMBER"}]
    text = graphs.to_graphml(nodes, edges, graph_attributes={"marking": "TLP:AMBER"})
    ET.fromstring(text.encode())  # well-formed
    graph = nx.parse_graphml(text)
    assert graph.nodes["person:1"]["label"] == "明国平" and graph.nodes["person:1"]["protected"] is True
    assert graph.graph["marking"] == "TLP:AMBER"
    assert list(graph.edges(data="label")) == [("person:1", "identifier:2", "uses phone")]
