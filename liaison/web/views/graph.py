"""The link-analysis page: a record and what links to it, drawn as a graph.

The neighbourhood is gathered hop by hop, each hop costing a fixed number of
queries (relationships, event participations, then one visibility check and
one load per record type through ``related.resolve``), so a record with
hundreds of links draws as fast as one with three.

What the user may not see follows the detail pages exactly:

* a relationship the user can see whose other end they cannot is drawn as a
  grey "a record you cannot see", with no link and no id, and is never
  expanded. Every such end is its own node, even when two relationships point
  to the same hidden record: merging them would tell the user that two
  visible links meet at one hidden person;
* participations come with their event: only events the user can see, and
  only their participants the user can see (as on the event page);
* a protected person whose identity the user may not read is labelled
  "Protected identity" (``related.label_of``).
"""
from dataclasses import dataclass, field

from django.contrib.contenttypes.models import ContentType
from django.db.models import Q
from django.shortcuts import render
from django.utils.translation import gettext as _

from liaison.names import is_rtl
from liaison.operations.models import Event, Operation, Participant
from liaison.registry.models import Identifier, Organisation, Person, Relationship, Site, Source
from liaison.sharing.visibility import reveal_protected
from liaison.web.graphlayout import radial_layout

from . import related
from .common import MODELS, NotVisible, get_visible, url_for, web_view

MAX_NODES = 150
MAX_DEPTH = 2
LABEL_CHARS = 24  # longer names are cut in the drawing; the table and tooltip keep them whole
EDGE_LABELS_UP_TO = 60  # beyond this the drawing names no line; the table below does
SPACING = 150.0  # about the width of a cut label at the CSS font size

# CSS class suffix of each record type (shape and colour come from liaison.css).
SHAPES = {Person: "person", Organisation: "organisation", Site: "site", Identifier: "identifier",
          Event: "event", Operation: "operation", Source: "source"}


@dataclass(eq=False)
class Node:
    key: tuple  # (content type id, pk); ("hidden", n) for an end the user may not see
    hop: int
    ref: related.Ref
    shape: str = "hidden"
    x: float = 0.0
    y: float = 0.0
    centre: bool = False

    @property
    def label(self):
        return self.ref.label if self.ref.visible else _("a record you cannot see")

    @property
    def short_label(self):
        # An identifier's kind is in its shape and tooltip; its value is what tells it apart.
        text = self.ref.record.normalized if isinstance(self.ref.record, Identifier) else self.label
        return text if len(text) <= LABEL_CHARS else text[: LABEL_CHARS - 1] + "…"

    @property
    def rtl(self):
        return self.ref.visible and is_rtl(self.label)


@dataclass(eq=False)
class Edge:
    source: Node  # subject of the relationship, or the person taking part
    target: Node
    label: str
    dates: tuple = ("", "")
    detail: str = ""
    url: str = ""  # the relationship's own page
    participation: bool = False
    mid: tuple = field(default=(0.0, 0.0))


def _parse_depth(raw):
    """(depth, error): 1 or 2 hops; anything else falls back to 1 with a message saying why."""
    if raw in (None, ""):
        return 1, ""
    try:
        depth = int(raw)
    except ValueError:
        depth = 0
    if 1 <= depth <= MAX_DEPTH:
        return depth, ""
    return 1, _("“%(value)s” is not a depth this page can draw: choose 1 or 2 hops. Showing 1 hop.") % {"value": raw[:20]}


class _Gatherer:
    """Breadth-first walk over relationships and participations, visible parts only."""

    def __init__(self, user, centre):
        self.user = user
        self.nodes = {}
        self.edges = []
        self.seen_edges = set()
        self.truncated = False
        self._hidden = 0
        ct = ContentType.objects.get_for_model(centre)
        label = str(centre)
        if isinstance(centre, Person) and not reveal_protected(centre, user):
            # As on the person's own page (including its access log entry).
            label = _("Protected identity")
        ref = related.Ref(visible=True, label=label, url=url_for(centre), record=centre,
                          kind=str(type(centre)._meta.verbose_name))
        self.centre = self._add((ct.id, centre.pk), 0, ref)
        self.centre.centre = True

    def _add(self, key, hop, ref):
        node = Node(key=key, hop=hop, ref=ref)
        if ref.visible:
            node.shape = SHAPES.get(type(ref.record), "other")
        self.nodes[key] = node
        return node

    def walk(self, depth):
        frontier = [self.centre]
        for hop in range(1, depth + 1):
            frontier = self._expand(frontier, hop)
            if not frontier:
                break

    def _expand(self, frontier, hop):
        """Add the links of ``frontier`` (visible nodes only); return the new visible nodes."""
        found = self._relationships(frontier) + self._participations(frontier)
        new_keys = [end for _kind, _item, _near, end in found if end not in self.nodes]
        resolved = related.resolve(self.user, new_keys)
        added = []
        for kind, item, near, end in found:
            if (kind, item.pk) in self.seen_edges:
                continue
            ref = resolved.get(end)
            if end in self.nodes:
                far = self.nodes[end]
            elif len(self.nodes) >= MAX_NODES:
                self.truncated = True
                continue
            elif ref.visible:
                far = self._add(end, hop, ref)
                added.append(far)
            else:
                self._hidden += 1
                far = self._add(("hidden", self._hidden), hop, ref)
            self.seen_edges.add((kind, item.pk))
            self.edges.append(self._edge(kind, item, near, far))
        return added

    def _relationships(self, frontier):
        keys = {node.key for node in frontier}
        by_type = {}
        for ct_id, pk in keys:
            by_type.setdefault(ct_id, set()).add(pk)
        q = Q()
        for ct_id, ids in by_type.items():
            q |= Q(subject_type_id=ct_id, subject_id__in=ids) | Q(object_type_id=ct_id, object_id__in=ids)
        found = []
        for rel in Relationship.objects.visible_to(self.user).filter(q).order_by("kind", "id"):
            subject, obj = (rel.subject_type_id, rel.subject_id), (rel.object_type_id, rel.object_id)
            for near, far in ((subject, obj), (obj, subject)):
                if near in keys:
                    found.append(("rel", rel, self.nodes[near], far))
        return found

    def _participations(self, frontier):
        person_ct = ContentType.objects.get_for_model(Person).id
        event_ct = ContentType.objects.get_for_model(Event).id
        people = [n.key[1] for n in frontier if n.key[0] == person_ct]
        events = [n.key[1] for n in frontier if n.key[0] == event_ct]
        if not people and not events:
            return []
        rows = Participant.objects.filter(
            Q(person_id__in=people, event__in=Event.objects.visible_to(self.user))
            | Q(event_id__in=events, person__in=Person.objects.visible_to(self.user))
        ).select_related("event").order_by("event__date", "id")
        keys = {node.key for node in frontier}
        found = []
        for p in rows:
            person, event = (person_ct, p.person_id), (event_ct, p.event_id)
            if person in keys:
                found.append(("part", p, self.nodes[person], event))
            if event in keys:
                found.append(("part", p, self.nodes[event], person))
        return found

    def _edge(self, kind, item, near, far):
        if kind == "part":
            person, event = (near, far) if near.shape == "person" else (far, near)
            return Edge(source=person, target=event, participation=True,
                        label=_("took part: %(role)s") % {"role": item.get_role_display().lower()},
                        dates=(item.event.date, item.event.date_end))
        subject_first = (item.subject_type_id, item.subject_id) == near.key
        source, target = (near, far) if subject_first else (far, near)
        return Edge(source=source, target=target, label=item.get_kind_display(), dates=(item.start, item.end),
                    detail=item.detail, url=url_for(item))


def _place(nodes, edges):
    """Give every node its position; return the drawing's (x, y, width, height).

    The layout works on indices into ``nodes`` (the centre is 0), ordered by
    hop, type and label, then by the order the walk found them in.
    """
    index = {node.key: i for i, node in enumerate(nodes)}
    layout = radial_layout(
        range(len(nodes)), [(index[e.source.key], index[e.target.key]) for e in edges], 0, spacing=SPACING,
        key=lambda i: (nodes[i].hop, nodes[i].shape, str(nodes[i].label), i),
    )
    for i, node in enumerate(nodes):
        node.x, node.y = layout.positions[i]
    for edge in edges:
        edge.mid = ((edge.source.x + edge.target.x) / 2, (edge.source.y + edge.target.y) / 2)
    # Room for the labels beside and under the outermost nodes.
    return layout.bounds(margin_x=SPACING * 0.6, margin_y=50)


@web_view
def graph(request, slug, pk):
    model = MODELS.get(slug)
    if model not in SHAPES:
        raise NotVisible()
    centre = get_visible(model.objects.all(), request.user, pk)
    depth, depth_error = _parse_depth(request.GET.get("depth"))
    gatherer = _Gatherer(request.user, centre)
    gatherer.walk(depth)
    nodes = list(gatherer.nodes.values())
    edges = gatherer.edges
    x, y, width, height = _place(nodes, edges)
    return render(request, "web/graph.html", {
        "record": centre, "slug": slug, "centre": gatherer.centre,
        "nodes": nodes, "edges": edges, "edge_labels": len(edges) <= EDGE_LABELS_UP_TO,
        "depth": depth, "depth_error": depth_error,
        "truncated": gatherer.truncated, "max_nodes": MAX_NODES,
        "viewbox": f"{x:.0f} {y:.0f} {width:.0f} {height:.0f}", "width": f"{width:.0f}", "height": f"{height:.0f}",
        "detail_url": url_for(centre),
    })
