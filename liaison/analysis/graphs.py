"""Graph algorithms of link analysis, on plain node keys and edge lists.

Plain Python with networkx, no Django and no database: the database layer
(``graph_data``) decides which records and links the reader may see and hands
this module only those, so nothing here can reach a record the reader may not
see. Node keys are strings ("person:12"); an edge is any object with ``id``,
``source`` and ``target`` (``Link`` below), or a ``(source, target)`` pair.

What is here and why it is not networkx alone:

* ``bidirectional_search``: networkx wants the whole graph in memory; the
  registry's graph is millions of links, so the search asks the caller for the
  links of a whole frontier at a time (one round of queries per hop, not one
  per node) and stops at ``max_hops`` or when a frontier grows past
  ``max_frontier``. The explored part then goes to networkx for the paths.
* ``key_members`` and ``communities``: networkx's degree, betweenness (sampled
  past ``SAMPLE_OVER`` nodes, seeded, so a large picture answers in time and
  the same picture always gives the same ranking) and Louvain (seeded).
* ``in_period``: a link's partial dates ("2023", "2023-11", "--11-18")
  against a period, without pretending to more precision than the record has.
"""
from __future__ import annotations

import io
import random
from dataclasses import dataclass, field
from typing import NamedTuple

import networkx as nx

SAMPLE_OVER = 400  # betweenness is exact up to this many nodes, sampled beyond
SAMPLE_SIZE = 200  # pivots of the sampled betweenness
SEED = 17


class Link(NamedTuple):
    """One link as the reader may see it: ``far`` is None for "a record you cannot see".

    A named tuple, not a dataclass: a hub's neighbourhood makes tens of
    thousands of them per answer, and tuples are several times cheaper to build.
    """

    id: str
    near: str
    far: str | None
    family: str  # relationship, participation, site, operation, operator, same_value
    kind: str = ""
    start: str = ""
    end: str = ""
    outgoing: bool = True  # near is the relationship's subject (or the person taking part)
    rank: tuple = ()
    tlp: str = ""  # a relationship's own marking (other links are marked by their records)

    @property
    def source(self):
        return self.near if self.outgoing else self.far

    @property
    def target(self):
        return self.far if self.outgoing else self.near


# --- Periods ---------------------------------------------------------------------------------------------------------

def _bounds(text):
    """(lowest, highest) full dates a partial date may stand for; None when it has no year."""
    text = (text or "").strip()
    if len(text) < 4 or not text[:4].isdigit():
        return None  # blank, or "--11-18": a day of an unknown year
    parts = text.split("-")
    year = parts[0]
    month = parts[1] if len(parts) > 1 and parts[1] else None
    day = parts[2] if len(parts) > 2 and parts[2] else None
    low = f"{year}-{month or '01'}-{day or '01'}"
    high = f"{year}-{month or '12'}-{day or '31'}"
    return low, high


def in_period(start, end, date_from="", date_to="", *, point=False):
    """Whether a link dated ``start``–``end`` may fall in the period ``date_from``–``date_to``.

    Dates are partial ("2023", "2023-11", "2023-11-18"); "2023" counts as any
    day of 2023. A link with no start and no end (or only days without a year)
    cannot be placed, so it is kept: the period filter hides what is known to
    lie outside, never what is merely undated. A relationship with a start and
    no end is still going on (``point=False``); an event with no end is one day
    (``point=True``).
    """
    if not date_from and not date_to:
        return True
    first, last = _bounds(start), _bounds(end)
    if first is None and last is None:
        return True
    low = first[0] if first else None
    if last:
        high = last[1]
    elif point and first:
        high = first[1]
    else:
        high = None
    period_low = (_bounds(date_from) or (None, None))[0]
    period_high = (_bounds(date_to) or (None, None))[1]
    if period_high and low and low > period_high:
        return False
    if period_low and high and high < period_low:
        return False
    return True


# --- Paging the links of one node ------------------------------------------------------------------------------------

def page_links(links, offset=0, limit=200):
    """(the links of one node to show, how many there are in all), best ranked first.

    ``links`` carry a ``rank`` tuple the database layer computed from what the
    reader may see (visible ends first, then the kind of link, latest first).
    """
    ordered = sorted(links, key=lambda link: (link.rank, link.id))
    return ordered[offset:offset + limit], len(ordered)


# --- Shortest paths --------------------------------------------------------------------------------------------------

@dataclass
class SearchResult:
    paths: list = field(default_factory=list)  # lists of node keys, a first, b last
    links: dict = field(default_factory=dict)  # (node, node) -> Link, for the steps of the paths
    hops: int | None = None  # length of the shortest path, None if not found
    explored: int = 0  # nodes reached on both sides
    stopped: str = ""  # "", "max_hops", "frontier" (a frontier grew past max_frontier), "exhausted"


def bidirectional_search(a, b, expand, *, max_hops=4, max_frontier=50_000, max_paths=5):
    """Shortest paths between node keys ``a`` and ``b`` of at most ``max_hops`` links.

    ``expand(keys)`` returns the ``Link``s of every node in ``keys`` (a set);
    links whose ``far`` is None (an end the reader may not see) are never
    followed. The smaller frontier is expanded each round, so a hub on one
    side costs one round, not the whole search. Returns up to ``max_paths``
    shortest paths in a stable order.
    """
    result = SearchResult()
    if a == b:
        result.paths, result.hops = [[a]], 0
        return result
    dist = ({a: 0}, {b: 0})
    frontier = ({a}, {b})
    found = nx.Graph()  # the links seen between consecutive levels, both sides
    steps = {}
    meet = set()
    done = [0, 0]  # levels expanded on each side
    while not meet:
        if done[0] + done[1] >= max_hops:
            result.stopped = "max_hops"
            break
        if not frontier[0] or not frontier[1]:
            result.stopped = "exhausted"
            break
        side = 0 if len(frontier[0]) <= len(frontier[1]) else 1
        if len(frontier[side]) > max_frontier:
            result.stopped = "frontier"
            break
        here, there = dist[side], dist[1 - side]
        level = done[side]
        nxt = set()
        for link in expand(set(frontier[side])):
            if link.far is None or link.near not in frontier[side]:
                continue
            far = link.far
            if far in here and here[far] <= level:
                continue  # already nearer on this side
            here.setdefault(far, level + 1)
            if here[far] == level + 1:
                nxt.add(far)
                pair = (link.near, far)
                if not found.has_edge(*pair):
                    found.add_edge(*pair)
                    steps[frozenset(pair)] = link
                if far in there:
                    meet.add(far)
        done[side] += 1
        frontier = (nxt, frontier[1]) if side == 0 else (frontier[0], nxt)
    result.explored = len(dist[0]) + len(dist[1])
    if not meet:
        return result
    result.stopped = ""
    # Keep the meeting nodes at the least total distance, and only the links
    # that lie on a shortest path (between levels of each side).
    total = min(dist[0][m] + dist[1][m] for m in meet)
    result.hops = total
    meet = sorted(m for m in meet if dist[0][m] + dist[1][m] == total)
    paths = []
    for m in meet:
        for left in _walks_back(found, dist[0], m, a, max_paths):
            for right in _walks_back(found, dist[1], m, b, max_paths):
                paths.append(list(reversed(left)) + right[1:])
                if len(paths) >= max_paths * 4:
                    break
    unique = sorted({tuple(p) for p in paths})[:max_paths]
    result.paths = [list(p) for p in unique]
    for path in result.paths:
        for x, y in zip(path, path[1:]):
            result.links[(x, y)] = steps[frozenset((x, y))]
    return result


def _walks_back(found, dist, node, origin, limit):
    """Up to ``limit`` walks from ``node`` down the levels of ``dist`` to ``origin`` (node first)."""
    walks = [[node]]
    for _ in range(dist[node]):
        longer = []
        for walk in walks:
            tip = walk[-1]
            below = sorted(n for n in found.neighbors(tip) if dist.get(n) == dist[tip] - 1)
            longer += [walk + [n] for n in below]
        walks = longer[:limit]
    return [w for w in walks if w[-1] == origin]


# --- Key members and communities -------------------------------------------------------------------------------------

def _graph(nodes, edges):
    graph = nx.Graph()
    graph.add_nodes_from(nodes)
    for edge in edges:
        source, target = (edge.source, edge.target) if hasattr(edge, "source") else edge
        if source in graph and target in graph and source != target:
            graph.add_edge(source, target)
    return graph


def key_members(nodes, edges, *, top=10, seed=SEED):
    """The ``top`` nodes by betweenness (who lies between the others), then degree.

    Returns dicts {node, degree, betweenness} best first. Betweenness is exact
    up to ``SAMPLE_OVER`` nodes and estimated from ``SAMPLE_SIZE`` seeded
    pivots beyond, so a picture of thousands of nodes still answers in well
    under a second and twice the same picture gives the same ranking.
    """
    graph = _graph(nodes, edges)
    if not graph:
        return []
    k = SAMPLE_SIZE if graph.number_of_nodes() > SAMPLE_OVER else None
    betweenness = nx.betweenness_centrality(graph, k=k, seed=random.Random(seed) if k else None, normalized=True)
    degree = dict(graph.degree())
    ranked = sorted(graph.nodes, key=lambda n: (-round(betweenness[n], 9), -degree[n], n))
    return [{"node": n, "degree": degree[n], "betweenness": round(betweenness[n], 4)} for n in ranked[:top]
            if degree[n] > 0]


def communities(nodes, edges, *, seed=SEED, resolution=1.0):
    """Node -> community number, by Louvain (seeded), largest community 0.

    Nodes without links are left out (each would be a community of one).
    """
    graph = _graph(nodes, edges)
    graph.remove_nodes_from([n for n, d in list(graph.degree()) if d == 0])
    if not graph:
        return {}
    found = nx.community.louvain_communities(graph, seed=seed, resolution=resolution)
    ordered = sorted((sorted(group) for group in found), key=lambda group: (-len(group), group[0]))
    return {node: number for number, group in enumerate(ordered) for node in group}


# --- Export ----------------------------------------------------------------------------------------------------------

def to_graphml(nodes, edges, *, graph_attributes=None):
    """GraphML text (UTF-8) of ``nodes`` (dicts with an "id") and ``edges``
    (dicts with "id", "source", "target"); every other str/int/float/bool value
    becomes a GraphML attribute. Written by networkx, read by Gephi, yEd, i2."""
    graph = nx.MultiDiGraph(**{k: v for k, v in (graph_attributes or {}).items() if _plain(v)})
    for node in nodes:
        graph.add_node(node["id"], **{k: v for k, v in node.items() if k != "id" and _plain(v)})
    for edge in edges:
        graph.add_edge(edge["source"], edge["target"], key=edge["id"],
                       **{k: v for k, v in edge.items() if k not in ("source", "target") and _plain(v)})
    out = io.BytesIO()
    nx.write_graphml(graph, out, encoding="utf-8")
    return out.getvalue().decode("utf-8")


def _plain(value):
    return isinstance(value, (str, int, float, bool)) and value is not None
