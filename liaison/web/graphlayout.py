"""Concentric layout for the link-analysis graph: the record in the middle,
its direct links on the first ring(s), their links further out.

Plain Python on purpose (no Django, no graph library): it is a few dozen lines,
runs in microseconds for the 150 nodes a page may show, and is unit-tested
without a database.

Guarantees the view relies on:

* deterministic: the same nodes and edges give the same positions, whatever
  order they are given in (nodes are ordered by their ``key``);
* no two nodes closer than ``spacing``: each hop level gets one circle, or
  several when one would be too wide ("tracks"), each at least ``spacing``
  further out than the last, each holding only as many nodes as its
  circumference allows;
* nodes stay near what links them to the centre: each node sits in the order
  of its parent's angle, so links cross less.
"""
import math
from collections import deque
from dataclasses import dataclass, field

START_ANGLE = -math.pi / 2  # first node of each track at the top


@dataclass
class Layout:
    positions: dict = field(default_factory=dict)  # node -> (x, y), centre at (0, 0)
    hops: dict = field(default_factory=dict)  # node -> hop distance from the centre
    radius: float = 0.0  # of the outermost track

    def bounds(self, margin_x=0.0, margin_y=0.0):
        """(min x, min y, width, height) of all positions, plus the margins on each side."""
        xs = [x for x, _y in self.positions.values()] or [0.0]
        ys = [y for _x, y in self.positions.values()] or [0.0]
        return (min(xs) - margin_x, min(ys) - margin_y,
                max(xs) - min(xs) + 2 * margin_x, max(ys) - min(ys) + 2 * margin_y)


def hop_distances(nodes, edges, centre):
    """Breadth-first hop distance from ``centre``; edges count in both directions.

    Nodes not connected to the centre get one more than the largest distance,
    so they are drawn outside rather than dropped.
    """
    nodes = list(nodes)
    neighbours = {node: set() for node in nodes}
    for a, b in edges:
        if a in neighbours and b in neighbours and a != b:
            neighbours[a].add(b)
            neighbours[b].add(a)
    hops = {centre: 0}
    queue = deque([centre])
    while queue:
        node = queue.popleft()
        for other in neighbours.get(node, ()):
            if other not in hops:
                hops[other] = hops[node] + 1
                queue.append(other)
    outer = max(hops.values()) + 1
    for node in nodes:
        hops.setdefault(node, outer)
    return hops, neighbours


def _min_radius(count, spacing):
    """The smallest circle on which ``count`` nodes are at least ``spacing`` apart."""
    if count <= 1:
        return 0.0
    # Neighbours on a circle are 2 r sin(pi / n) apart.
    return spacing / (2 * math.sin(math.pi / count))


def _track_capacity(radius, spacing):
    """How many nodes fit on a circle of ``radius`` at least ``spacing`` apart."""
    half = spacing / (2 * radius)
    if half >= 1:
        return 1
    # The epsilon keeps rounding from admitting one node too many.
    return max(1, int(math.pi / math.asin(half) + 1e-9))


def _tracks(count, inner, spacing):
    """Radii and sizes of the circles for one hop level of ``count`` nodes.

    Two ways to share the nodes out are tried and the one whose outermost
    circle is smallest wins (fewer circles on a tie): an even split over one,
    two, three… circles (small levels: one circle, widened as needed, reads
    better than a crowded circle plus a lonely second one), and filling each
    circle to capacity before the next (large levels: outer circles hold more).
    """
    candidates = []
    for n_tracks in range(1, count + 1):
        sizes = [count // n_tracks + (1 if i >= n_tracks - count % n_tracks else 0) for i in range(n_tracks)]
        radii, radius = [], inner
        for size in sizes:
            radius = max(radius + spacing, _min_radius(size, spacing))
            radii.append(radius)
        candidates.append((radii[-1], n_tracks, radii, sizes))
    radii, sizes, radius, left = [], [], inner, count
    while left:
        radius += spacing
        size = min(left, _track_capacity(radius, spacing))
        radii.append(radius)
        sizes.append(size)
        left -= size
    candidates.append((radii[-1], len(radii), radii, sizes))
    _outer, _n, radii, sizes = min(candidates, key=lambda c: (c[0], c[1]))
    return radii, sizes


def radial_layout(nodes, edges, centre, *, spacing=80.0, key=repr):
    """Positions for ``nodes`` (hashable ids) around ``centre``.

    ``edges`` are pairs of node ids (direction ignored; unknown ids ignored).
    ``spacing`` is the smallest distance between any two nodes and between
    successive circles. ``key`` orders nodes that are otherwise equal, and
    makes the result independent of the input order.
    """
    nodes = sorted(set(nodes) | {centre}, key=key)
    hops, neighbours = hop_distances(nodes, edges, centre)
    layout = Layout(positions={centre: (0.0, 0.0)}, hops=hops)
    angle_of = {centre: 0.0}
    radius = 0.0
    for level in range(1, max(hops.values()) + 1):
        ring = [node for node in nodes if hops[node] == level]

        def parent_angle(node, level=level):
            # The angle (from the top, clockwise) of the first-placed parent.
            parents = [p for p in neighbours[node] if hops.get(p) == level - 1 and p in angle_of]
            return min((angle_of[p] for p in parents), default=math.tau)

        ring.sort(key=lambda node: (parent_angle(node), key(node)))
        radii, sizes = _tracks(len(ring), radius, spacing)
        if level > 1:
            # Offer every place the circles have room for, so that a sparse
            # level can put each node near its parent instead of spreading
            # them evenly all round.
            sizes = [max(size, _track_capacity(r, spacing)) for r, size in zip(radii, sizes)]
        slots = []
        for track, (r, size) in enumerate(zip(radii, sizes)):
            step = math.tau / size
            offset = step / 2 if track % 2 else 0.0  # alternate circles turned half a step
            slots += [(offset + i * step, track, r) for i in range(size)]
        slots.sort()
        wanted = _wanted_angles(ring, parent_angle, math.tau / sizes[0]) if level > 1 else None
        for node, (turn, _track, r) in zip(ring, _assign(slots, wanted, len(ring))):
            angle = START_ANGLE + turn
            layout.positions[node] = (round(r * math.cos(angle), 2), round(r * math.sin(angle), 2))
            angle_of[node] = turn
        radius = radii[-1]
    layout.radius = radius
    return layout


def _wanted_angles(ring, parent_angle, step):
    """Where each node of ``ring`` (sorted by parent angle) would ideally go:
    siblings centred on their parent, one ``step`` apart."""
    wanted, i = [], 0
    while i < len(ring):
        base = parent_angle(ring[i])
        j = i
        while j < len(ring) and parent_angle(ring[j]) == base:
            j += 1
        count = j - i
        wanted += [base + (k - (count - 1) / 2) * step for k in range(count)]
        i = j
    return wanted


def _assign(slots, wanted, count):
    """``count`` of ``slots`` (sorted by angle), in order.

    Without ``wanted``: the first ``count`` (the level fills its circles
    evenly). With it: for each node in turn, the free slot closest to its
    wanted angle that still leaves enough slots for the nodes after it, so
    nodes keep their order round the circle and stay near their parents.
    """
    if wanted is None:
        return slots[:count]
    chosen, last = [], -1
    for i, angle in enumerate(wanted):
        latest = len(slots) - (count - i)
        best = min(range(last + 1, latest + 1), key=lambda j: (_circular(slots[j][0], angle), j))
        chosen.append(slots[best])
        last = best
    return chosen


def _circular(a, b):
    d = abs(a - b) % math.tau
    return min(d, math.tau - d)
