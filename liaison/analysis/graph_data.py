"""Link analysis from the database: neighbourhoods, paths and shared identifiers
of records, as one reader may see them.

Everything goes through ``filter_visible`` (``liaison.sharing.visibility``):
every link model (``Relationship``; ``Participant``, ``Event.site``,
``Event.operation``, ``Site.operator`` through their records; identifiers of
the same value) and every record at the far end of a link. The rules follow
the link-analysis page (``liaison/web/views/graph.py``) exactly:

* a relationship the reader may see whose other end they may not see is a
  grey "a record you cannot see", with no id, no type, no link, and is never
  expanded nor followed. Each such end is its own node ("hidden:r<relationship
  id>"), even when two relationships point to the same hidden record;
* every other kind of link (a person taking part in an event, an event at a
  site or in an operation, a site's operator, two identifiers of the same
  value) is shown only when the reader may see both of its records, as the
  event page shows only the participants the reader may see;
* a protected person whose identity the reader may not read is labelled
  "Protected identity" (the centre of a picture writes an access-log entry,
  as the person page does). Identifiers and links of such a person are
  already withheld by ``filter_visible``.

Counts ("+4,800 more"), rankings, paths and key members are computed only over
what passed these rules, so they say nothing of what the reader may not see.
With a type filter, hidden ends are left out altogether: keeping them under
"organisations only" would tell their type.

Limits keep a hub usable: at most ``limit`` links of each expanded node (the
best ranked: visible ends first, then the kind of link, the latest first),
the rest behind a "+N more" handle that pages through them; at most
``max_nodes`` records per answer; and at most ``MAX_SCAN`` links read per
answer (past it, further nodes are left unexpanded, each with its handle).

Paths (``shortest_path``) are searched from both ends at once over visible
links between visible records only: an invisible record is never a stepping
stone, so a path found (or not found) tells nothing about records the reader
may not see. The algorithm is ``graphs.bidirectional_search``.
"""
from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from functools import lru_cache

from django.contrib.contenttypes.models import ContentType
from django.db import connection
from django.db.models import BooleanField, Q, Value, When
from django.db.models import Case as SqlCase
from django.db.models.expressions import RawSQL
from django.urls import get_script_prefix, reverse
from django.utils.text import capfirst
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from liaison import identifiers as idf
from liaison.analysis import graphs
from liaison.analysis.graphs import Link
from liaison.core.localefmt import format_number
from liaison.core.templatetags.liaison_i18n import partial_date_text
from liaison.operations.models import Case, Event, Operation, Participant
from liaison.partialdate import PartialDate, PartialDateError
from liaison.ops.replica import read_connection
from liaison.registry.models import Identifier, Organisation, Person, Relationship, Site
from liaison.sharing.visibility import filter_visible, protected_visible_q, reveal_protected

KINDS = {"person": Person, "organisation": Organisation, "site": Site, "identifier": Identifier,
         "event": Event, "operation": Operation, "case": Case}
KIND_OF = {model: kind for kind, model in KINDS.items()}
# What the pages call them in their addresses: "persons:12" works as well as "person:12".
ALIASES = {"persons": "person", "organisations": "organisation", "sites": "site", "identifiers": "identifier",
           "events": "event", "operations": "operation", "cases": "case"}
# Where a node may start a picture (the record types with a page of their own and links).
STARTABLE = ("person", "organisation", "site", "identifier", "event", "operation")

DEFAULT_LIMIT = 200
MAX_LIMIT = 1000
MAX_NODES = 500
MAX_HOPS = 2
MAX_SCAN = 60_000  # links read per answer; a chunk of the frontier is never cut in two
CHUNK = 500  # nodes per round of queries (SQLite's and PostgreSQL's parameter limits stay far)
VISIBILITY_CHUNK = 1000  # ids per filter_visible query (see Reader._visible_ids)
EXPAND_CHUNK = 100  # frontier nodes read at a time by a neighbourhood, so a full picture stops early
PATH_MAX_HOPS = 4
PATH_MAX_FRONTIER = 20_000

FAMILY_ORDER = {"relationship": 0, "participation": 1, "same_value": 2, "operator": 3, "site": 4, "operation": 5}
KIND_ORDER = {k: i for i, k in enumerate([
    "leads", "member_of", "family_of", "associate_of", "uses_phone", "holds_account", "uses_handle", "owns",
    "operates", "works_at", "held_at", "victim_of", "related_to"])}
# Identifier kinds whose canonical forms mean the same thing (E.164 numbers).
VALUE_FAMILY = {idf.WHATSAPP: idf.PHONE}


class InvalidNode(ValueError):
    """A node key that names no record type this analysis draws."""


class NotVisible(LookupError):
    """The record does not exist, or the reader may not see it: the same answer for both."""


def parse_node(text):
    """(kind, pk) of "person:12" (also "persons:12", or a picker's "<content type id>:12")."""
    try:
        kind, pk = str(text).strip().split(":")
        pk = int(pk)
    except (TypeError, ValueError):
        raise InvalidNode(text) from None
    kind = ALIASES.get(kind.lower(), kind.lower())
    if kind.isdigit():
        try:
            model = ContentType.objects.get_for_id(int(kind)).model_class()
        except ContentType.DoesNotExist:
            raise InvalidNode(text) from None
        kind = KIND_OF.get(model)
    if kind not in KINDS or pk <= 0 or pk > 2 ** 63 - 1:
        raise InvalidNode(text)
    return kind, pk


def key_of(kind, pk):
    return f"{kind}:{pk}"


def parse_period(date_from, date_to):
    """Both ends of a period as stored partial dates ("2023", "2023-11"), checked; ValueError says why."""
    out = []
    for value in (date_from, date_to):
        value = (value or "").strip()
        if value:
            try:
                parsed = PartialDate.parse(value)
            except PartialDateError:
                raise ValueError(_("“%(value)s” is not a date: write a year (2023), a month (2023-11) or a day "
                                   "(2023-11-18).") % {"value": value[:20]}) from None
            if parsed.year is None:
                raise ValueError(_("A period needs dates with a year."))
            value = parsed.isoformat()
        out.append(value)
    return tuple(out)


@lru_cache(maxsize=64)
def _choice_labels(language):
    """Every choice label this module shows, translated once per language (``language`` is the cache key)."""
    def labels(choices):
        return {code: str(label) for code, label in choices}

    return {
        "organisation": labels(Organisation.Kind.choices),
        "site": labels(Site.Kind.choices),
        "site_status": labels(Site.Status.choices),
        "identifier": labels(Identifier._meta.get_field("kind").choices),
        "event": labels(Event.Kind.choices),
        "relationship": labels(Relationship.Kind.choices),
        "role": {code: label.lower() for code, label in labels(Participant.Role.choices).items()},
    }


def labels():
    return _choice_labels(get_language())


@lru_cache(maxsize=64)
def _url_prefix(slug, script_prefix):  # script_prefix: part of the cache key
    return reverse("web:detail", args=[slug, 1])[:-2]


def detail_url(slug, pk):
    """The record's page, as ``reverse("web:detail")`` gives it (without a reverse per node)."""
    return f"{_url_prefix(slug, get_script_prefix())}{pk}/"


def _ct_ids():
    return {kind: ContentType.objects.get_for_model(model).id for kind, model in KINDS.items()}


def _date_rank(text):
    """Latest first: a sort key that puts later partial dates before earlier ones, undated last."""
    digits = (text or "")[:10].replace("-", "")
    if len(digits) < 4 or not digits[:4].isdigit():
        return 0
    return -int(digits.ljust(8, "0"))


def _chunks(items, size=CHUNK):
    items = list(items)
    for i in range(0, len(items), size):
        yield items[i:i + size]


@dataclass
class Filters:
    """What the reader asked to see: record types (empty: all) and a period (partial dates)."""

    types: frozenset = frozenset()
    date_from: str = ""
    date_to: str = ""

    def keeps(self, link, far_kind):
        if self.types and (far_kind is None or far_kind not in self.types):
            return False
        return graphs.in_period(link.start, link.end, self.date_from, self.date_to,
                                point=link.family != "relationship")


NO_FILTERS = Filters()


@dataclass
class Picture:
    """An answer: nodes and edges as JSON-ready dicts, and the handles of nodes with more links."""

    nodes: dict = field(default_factory=dict)  # key -> node dict, in the order added
    edges: dict = field(default_factory=dict)  # id -> edge dict
    more: dict = field(default_factory=dict)  # key -> {"total", "shown", "next_offset", "remaining", "label"}
    truncated: bool = False

    def as_json(self):
        return {"nodes": list(self.nodes.values()), "edges": list(self.edges.values()),
                "more": [{"node": k, **v} for k, v in self.more.items()], "truncated": self.truncated}


class Reader:
    """One reader's view of the graph, for one request: what they may see, read
    once per record (visibility and label in the same query), and the links of
    any set of nodes, through ``filter_visible``."""

    def __init__(self, user):
        self.user = user
        self.ct = _ct_ids()
        self.kind_of_ct = {ct: kind for kind, ct in self.ct.items()}
        self.rows = {}  # key -> dict (visible record) or None (not visible / no such record)
        self.scanned = 0  # links read
        self._statements = {}  # (model, fields) -> visibility statement built once (see _select_visible)

    # --- Records ---------------------------------------------------------------------------------------------------

    def visible(self, keys):
        """Load the rows of ``keys`` not loaded yet; return the subset the reader may see."""
        missing = defaultdict(list)
        for key in keys:
            if key not in self.rows:
                kind, pk = key.split(":")
                missing[kind].append(int(pk))
        for kind, ids in missing.items():
            for chunk in _chunks(ids, VISIBILITY_CHUNK):
                found = self._load(kind, chunk)
                for pk in chunk:
                    self.rows[key_of(kind, pk)] = found.get(pk)
        return {key for key in keys if self.rows.get(key) is not None}

    def _load(self, kind, ids):
        model = KINDS[kind]
        fields = ("pk", "owner_id", "owner__short_name", "tlp", "handling", "retracted_at") + {
            "person": ("display_name", "protection", "identity_readable"),
            "organisation": ("name", "kind"),
            "site": ("name", "kind", "status"),
            "identifier": ("kind", "normalized", "label"),
            "event": ("title", "kind", "date", "date_end"),
            "operation": ("name",),
            "case": ("reference", "title"),
        }[kind]
        rows = {}
        for values in self._select_visible(model, ids, fields):
            row = dict(zip(fields, values))
            if kind == "person":
                row["readable"] = bool(row["identity_readable"])
            rows[row["pk"]] = row
        return rows

    def _select_visible(self, model, ids, fields):
        """``fields`` of the rows of ``model`` among ``ids`` that pass ``filter_visible`` (per row).

        On PostgreSQL the ids travel as one array parameter, and the statement
        ``filter_visible`` built is kept for the rest of the request: a hub's
        neighbourhood asks the same question of a dozen batches of ids, and
        building the visibility query in the ORM cost more than running it.
        Only the array of ids changes between batches.
        """
        def queryset(id_filter):
            qs = model.objects.filter(id_filter)
            if model is Person and "identity_readable" in fields:
                qs = qs.annotate(identity_readable=SqlCase(
                    When(Q(protection="") | protected_visible_q(Person, self.user), then=Value(True)),
                    default=Value(False), output_field=BooleanField()))
            return filter_visible(qs, self.user, per_row=True).order_by().values_list(*fields)

        if connection.vendor != "postgresql":
            return list(queryset(Q(pk__in=list(ids))))
        key = (model, fields)
        if key not in self._statements:
            marker = [0]
            sql, params = queryset(Q(pk__in=RawSQL("SELECT unnest(%s::bigint[])", (marker,)))).query.sql_with_params()
            self._statements[key] = (sql, list(params), [i for i, p in enumerate(params) if p is marker])
        sql, params, slots = self._statements[key]
        params = list(params)
        for slot in slots:
            params[slot] = list(ids)
        with read_connection(model).cursor() as cursor:  # the replica on a replica read (ops/replica.py)
            cursor.execute(sql, params)
            return cursor.fetchall()

    def node(self, key, centre=False):
        """The JSON of a visible record's node."""
        row = self.rows[key]
        kind, pk = key.split(":")
        model = KINDS[kind]
        names = labels()
        label, detail, protected = "", "", False
        if kind == "person":
            protected = not row["readable"]
            label = _("Protected identity") if protected else (row["display_name"] or _("Person #%(id)s") % {"id": pk})
            detail = str(capfirst(model._meta.verbose_name))
        elif kind == "organisation":
            label, detail = row["name"], names["organisation"].get(row["kind"], "")
        elif kind == "site":
            label = row["name"]
            detail = " · ".join([names["site"].get(row["kind"], ""), names["site_status"].get(row["status"], "")])
        elif kind == "identifier":
            label = row["normalized"]
            detail = " · ".join(p for p in [names["identifier"].get(row["kind"], ""), row["label"]] if p)
        elif kind == "event":
            label = row["title"]
            detail = " · ".join(p for p in [names["event"].get(row["kind"], ""), partial_date_text(row["date"])] if p)
        elif kind == "operation":
            label, detail = row["name"], str(capfirst(model._meta.verbose_name))
        elif kind == "case":
            label, detail = f"{row['reference']} – {row['title']}", str(capfirst(model._meta.verbose_name))
        slug = {"person": "persons", "organisation": "organisations", "site": "sites", "identifier": "identifiers",
                "event": "events", "operation": "operations", "case": "cases"}[kind]
        data = {"id": key, "kind": kind, "label": label, "detail": detail, "owner": row["owner__short_name"],
                "tlp": row["tlp"], "handling": row["handling"], "url": detail_url(slug, pk)}
        if kind == "identifier":
            data["value"] = row["normalized"]
            data["value_kind"] = VALUE_FAMILY.get(row["kind"], row["kind"])
        if kind in ("event",):
            data["date"] = row["date"]
        if protected:
            data["protected"] = True
        if row["retracted_at"]:
            data["retracted"] = True  # only its owner still sees a retracted record
        if centre:
            data["centre"] = True
        return data

    # --- Links -----------------------------------------------------------------------------------------------------

    def links(self, keys):
        """near key -> every visible link of each node in ``keys`` (visible nodes), far ends checked.

        A link whose far end the reader may not see is kept (``far`` None) only
        for relationships; other families need both ends visible.
        """
        by_kind = defaultdict(list)
        for key in keys:
            kind, pk = key.split(":")
            by_kind[kind].append(int(pk))
        raw = []
        for chunk in _chunks([(k, pk) for k, ids in by_kind.items() for pk in ids]):
            grouped = defaultdict(list)
            for kind, pk in chunk:
                grouped[kind].append(pk)
            raw += self._relationships(grouped)
            raw += self._participations(grouped)
            raw += self._record_fields(grouped)
            raw += self._same_values(grouped)
        self.scanned += len(raw)
        visible = self.visible({far for _link, far in raw if far is not None})
        out = defaultdict(list)
        for (lid, near, family, kind, start, end, outgoing, tlp), far in raw:
            if far is not None and far in visible:
                hidden = 0
            elif family == "relationship":
                hidden, far = 1, None
            else:
                continue
            rank = (hidden, FAMILY_ORDER[family], KIND_ORDER.get(kind, 50), _date_rank(start or end))
            out[near].append(Link(lid, near, far, family, kind, start, end, outgoing, rank, tlp))
        return out

    def _relationships(self, grouped):
        q = Q()
        for kind, ids in grouped.items():
            ct = self.ct[kind]
            q |= Q(subject_type_id=ct, subject_id__in=ids) | Q(object_type_id=ct, object_id__in=ids)
        if not q:
            return []
        # The candidates by the (type, id) indexes of both ends, then their
        # visibility by id (``_visible_ids``); nothing of an invisible one is kept.
        rows = list(Relationship.objects.filter(q).order_by().values_list(
            "id", "kind", "subject_type_id", "subject_id", "object_type_id", "object_id", "start", "end", "tlp"))
        seen = self._visible_ids(Relationship, [row[0] for row in rows])
        wanted = {key_of(kind, pk) for kind, ids in grouped.items() for pk in ids}
        out = []
        for rid, kind, st, sid, ot, oid, start, end, tlp in rows:
            if rid not in seen:
                continue
            subject = key_of(self.kind_of_ct[st], sid) if st in self.kind_of_ct else None
            obj = key_of(self.kind_of_ct[ot], oid) if ot in self.kind_of_ct else None
            for near, far, outgoing in ((subject, obj, True), (obj, subject, False)):
                if near in wanted:
                    # An end of a type this analysis does not draw counts as one the reader cannot see.
                    out.append((_raw(f"r{rid}", near, "relationship", kind, start, end, outgoing, tlp), far))
        return out

    def _visible_ids(self, model, ids):
        """Of ``ids``, those of ``model`` the reader may see: ``filter_visible`` on
        batches of ``VISIBILITY_CHUNK`` ids. At a million persons PostgreSQL then
        probes the share and person indexes row by row (milliseconds) instead of
        hashing every share of the type first (hundreds of milliseconds)."""
        seen = set()
        for chunk in _chunks(sorted(set(ids)), VISIBILITY_CHUNK):
            seen.update(pk for (pk,) in self._select_visible(model, chunk, ("pk",)))
        return seen

    def _participations(self, grouped):
        out = []
        if grouped.get("person"):
            for pid, person, event, role, date, date_end in Participant.objects.filter(
                    person_id__in=grouped["person"]).order_by().values_list(
                    "id", "person_id", "event_id", "role", "event__date", "event__date_end"):
                out.append((_raw(f"p{pid}", key_of("person", person), "participation", role, date, date_end, True),
                            key_of("event", event)))
        if grouped.get("event"):
            for pid, person, event, role, date, date_end in Participant.objects.filter(
                    event_id__in=grouped["event"]).order_by().values_list(
                    "id", "person_id", "event_id", "role", "event__date", "event__date_end"):
                out.append((_raw(f"p{pid}", key_of("event", event), "participation", role, date, date_end, False),
                            key_of("person", person)))
        return out

    def _record_fields(self, grouped):
        """Links that are fields of a record: an event's site and operation, a site's operator."""
        out = []
        if grouped.get("event"):
            for eid, site, operation, date, date_end in Event.objects.filter(pk__in=grouped["event"]).order_by() \
                    .values_list("id", "site_id", "operation_id", "date", "date_end"):
                near = key_of("event", eid)
                if site:
                    out.append((_raw(f"s{eid}", near, "site", "", date, date_end, True), key_of("site", site)))
                if operation:
                    out.append((_raw(f"o{eid}", near, "operation", "", date, date_end, True),
                                key_of("operation", operation)))
        if grouped.get("site"):
            for eid, site, date, date_end in Event.objects.filter(site_id__in=grouped["site"]).order_by() \
                    .values_list("id", "site_id", "date", "date_end"):
                out.append((_raw(f"s{eid}", key_of("site", site), "site", "", date, date_end, False),
                            key_of("event", eid)))
            for sid, operator in Site.objects.filter(pk__in=grouped["site"], operator__isnull=False).order_by() \
                    .values_list("id", "operator_id"):
                out.append((_raw(f"x{sid}", key_of("site", sid), "operator", "", "", "", True),
                            key_of("organisation", operator)))
        if grouped.get("operation"):
            for eid, operation, date, date_end in Event.objects.filter(operation_id__in=grouped["operation"]) \
                    .order_by().values_list("id", "operation_id", "date", "date_end"):
                out.append((_raw(f"o{eid}", key_of("operation", operation), "operation", "", date, date_end,
                                 False), key_of("event", eid)))
        if grouped.get("organisation"):
            for sid, operator in Site.objects.filter(operator_id__in=grouped["organisation"]).order_by() \
                    .values_list("id", "operator_id"):
                out.append((_raw(f"x{sid}", key_of("organisation", operator), "operator", "", "", "", False),
                            key_of("site", sid)))
        return out

    def _same_values(self, grouped):
        """Identifiers of the same canonical value held as separate records (one per agency).

        The near identifiers are visible and loaded (only visible nodes are
        expanded), so their values are known; the candidates of the same value
        are read by the value's index alone and pass ``filter_visible`` with
        every other far end (``links``), in the one identifier query of the round.
        """
        ids = grouped.get("identifier")
        if not ids:
            return []
        near = []
        for pk in ids:
            row = self.rows.get(key_of("identifier", pk))
            if row is not None:
                near.append((pk, row["kind"], row["normalized"]))
        candidates = defaultdict(list)
        for oid, kind, normalized in Identifier.objects.filter(
                normalized__in={normalized for _pk, _kind, normalized in near}).order_by() \
                .values_list("id", "kind", "normalized"):
            candidates[(VALUE_FAMILY.get(kind, kind), normalized)].append(oid)
        out = []
        for nid, kind, normalized in near:
            for oid in candidates.get((VALUE_FAMILY.get(kind, kind), normalized), ()):
                if oid != nid:
                    low, high = sorted((nid, oid))
                    out.append((_raw(f"v{low}-{high}", key_of("identifier", nid), "same_value", "", "", "",
                                     nid == low), key_of("identifier", oid)))
        return out

    def edge(self, link):
        """The JSON of a link (far end visible, or the placeholder of a hidden one)."""
        far = link.far if link.far is not None else hidden_key(link)
        source, target = (link.near, far) if link.outgoing else (far, link.near)
        data = {"id": link.id, "source": source, "target": target, "family": link.family, "kind": link.kind,
                "label": link_label(link), "start": link.start, "end": link.end,
                "dates": dates_text(link)}
        if link.tlp:
            data["tlp"] = link.tlp
        if link.family == "relationship":
            data["url"] = detail_url("relationships", link.id[1:])
        return data


def hidden_key(link):
    """The node of "a record you cannot see" at the end of one relationship: its own, never shared."""
    return f"hidden:{link.id}"


def hidden_node(link):
    return {"id": hidden_key(link), "kind": "hidden", "label": _("a record you cannot see")}


def _raw(lid, near, family, kind, start, end, outgoing, tlp=""):
    """A link as read, before its far end's visibility is known (a plain tuple: a hub makes thousands)."""
    return (lid, near, family, kind, start, end, outgoing, tlp)


def link_label(link):
    if link.family == "relationship":
        return labels()["relationship"].get(link.kind, link.kind)
    if link.family == "participation":
        role = labels()["role"].get(link.kind, link.kind)
        return _("took part: %(role)s") % {"role": role}
    if link.family == "site":
        return _("took place at")
    if link.family == "operation":
        return _("part of the operation")
    if link.family == "operator":
        return _("operated by")
    return _("same value")


def dates_text(link):
    start, end = partial_date_text(link.start), partial_date_text(link.end)
    if link.family != "relationship":
        return f"{start} – {end}" if end else start
    if start or end:
        return f"{start or '…'} – {end or '…'}"
    return ""


def more_label(remaining):
    return ngettext("+%(count)s more link", "+%(count)s more links", remaining) % {"count": format_number(remaining)}


# --- Entry points ----------------------------------------------------------------------------------------------------

def _start(reader, node):
    """The key of a visible start node, or NotVisible."""
    if isinstance(node, str):
        kind, pk = parse_node(node)
    elif isinstance(node, tuple):
        kind, pk = node
    else:
        kind, pk = KIND_OF[type(node)], node.pk
    key = key_of(kind, pk)
    if not reader.visible({key}):
        raise NotVisible(key)
    return key


def reveal_start(reader, key):
    """As on the person's own page: showing a protected identity to someone who
    may read it writes an access-log entry; who may not reads "Protected identity"."""
    kind, pk = key.split(":")
    if kind == "person" and reader.rows[key]["protection"]:
        reveal_protected(Person.objects.get(pk=pk), reader.user)


def neighbourhood(user, node, hops=2, limit=DEFAULT_LIMIT, *, offset=0, filters=NO_FILTERS, max_nodes=MAX_NODES,
                  reader=None):
    """The picture around ``node`` ("person:12", (kind, pk) or a record) to ``hops`` links.

    At most ``limit`` links of each expanded node, best ranked first, from
    ``offset`` for the start node (paging its "+N more" handle); at most
    ``max_nodes`` records in all. Raises ``NotVisible`` for a record the reader
    may not see, exactly as for one that does not exist.
    """
    reader = reader or Reader(user)
    hops = max(1, min(int(hops), MAX_HOPS))
    limit = max(1, min(int(limit), MAX_LIMIT))
    offset = max(0, int(offset))
    centre = _start(reader, node)
    reveal_start(reader, centre)
    picture = Picture()
    picture.nodes[centre] = reader.node(centre, centre=True)
    frontier = [centre]
    for hop in range(1, hops + 1):
        frontier = _expand(reader, picture, frontier, limit, offset if hop == 1 else 0, filters, max_nodes)
        if not frontier:
            break
    return picture


def _expand(reader, picture, frontier, limit, offset, filters, max_nodes):
    """Add the best links of every node of ``frontier`` to ``picture``; return the nodes added.

    The frontier is read in chunks, best ranked nodes first; once the picture
    is full (``max_nodes``) or ``MAX_SCAN`` links were read, the rest of the
    frontier is left unexpanded (the answer says ``truncated``; the analyst
    expands any of them on demand).
    """
    added = []
    for chunk in _chunks(frontier, EXPAND_CHUNK):
        if len(picture.nodes) >= max_nodes or reader.scanned > MAX_SCAN:
            picture.truncated = True
            break
        links = reader.links(chunk)
        for near in chunk:
            kept = [link for link in links.get(near, ()) if filters.keeps(link, _kind(link.far))]
            page, total = graphs.page_links(kept, offset, limit)
            shown = 0
            for link in page:
                if link.id in picture.edges:
                    shown += 1
                    continue
                if link.far is None:
                    if len(picture.nodes) >= max_nodes:
                        picture.truncated = True
                        break
                    picture.nodes[hidden_key(link)] = hidden_node(link)
                elif link.far not in picture.nodes:
                    if len(picture.nodes) >= max_nodes:
                        picture.truncated = True
                        break
                    picture.nodes[link.far] = reader.node(link.far)
                    added.append(link.far)
                picture.edges[link.id] = reader.edge(link)
                shown += 1
            remaining = max(0, total - offset - shown)
            if remaining or offset:
                picture.more[near] = {"total": total, "shown": shown, "next_offset": offset + shown,
                                      "remaining": remaining, "label": more_label(remaining) if remaining else ""}
    return added


def _kind(key):
    return key.split(":")[0] if key else None


def expand(user, node, limit=DEFAULT_LIMIT, *, offset=0, filters=NO_FILTERS):
    """One node's links, a page at a time: what "expand" and "+N more" fetch."""
    return neighbourhood(user, node, hops=1, limit=limit, offset=offset, filters=filters,
                         max_nodes=min(MAX_LIMIT, limit) + 1)


def shortest_path(user, a, b, max_hops=PATH_MAX_HOPS, *, max_paths=3, reader=None):
    """Shortest paths of at most ``max_hops`` links between two visible records.

    Only links between records the reader may see are followed (see the module
    docstring). Returns a dict: "paths" (lists of node keys), "hops" (None when
    none was found), "stopped" (why the search ended without a path:
    "max_hops", "frontier" or "exhausted") and the "nodes" and "edges" of the
    paths as JSON. Raises ``NotVisible`` if either end may not be seen.
    """
    reader = reader or Reader(user)
    start, goal = _start(reader, a), _start(reader, b)
    max_hops = max(1, min(int(max_hops), PATH_MAX_HOPS))

    def step(keys):
        found = reader.links(keys)
        return [link for near in keys for link in found.get(near, ())]

    result = graphs.bidirectional_search(start, goal, step, max_hops=max_hops, max_frontier=PATH_MAX_FRONTIER,
                                         max_paths=max_paths)
    picture = Picture()
    for path in result.paths:
        for key in path:
            if key not in picture.nodes:
                picture.nodes[key] = reader.node(key, centre=key == start)
        for x, y in zip(path, path[1:]):
            link = result.links[(x, y)]
            picture.edges.setdefault(link.id, reader.edge(link))
    return {"paths": result.paths, "hops": result.hops, "stopped": result.stopped, **picture.as_json()}


# --- Shared identifiers and addresses --------------------------------------------------------------------------------

HOLDER_KINDS = ("person", "organisation")


def shared_identifiers(user, nodes, *, limit=50, reader=None):
    """Records that share an identifier value or an address with ``nodes``.

    For each identifier among ``nodes``, or linked to one of them by a
    relationship the reader may see: every identifier record of the same
    canonical value the reader may see (each agency holds its own record of a
    number), and the persons and organisations linked to any of them. For each
    site a person among ``nodes`` is linked to (works at, held at): the other
    persons linked to it. Only groups with at least two holders are returned;
    everything in them passed ``filter_visible``, so a holder the reader may not
    see is neither listed nor counted.

    Returns {"groups": [...], "nodes": [...], "edges": [...]} (the records and
    links of the groups, to draw them).
    """
    reader = reader or Reader(user)
    starts = [_start(reader, node) for node in nodes]
    picture = Picture()
    identifiers = {key for key in starts if key.startswith("identifier:")}
    sites = defaultdict(set)  # site -> the start persons linked to it
    others = [key for key in starts if not key.startswith("identifier:")]
    if others:
        for near, links in reader.links(others).items():
            for link in links:
                if link.family != "relationship" or link.far is None:
                    continue
                if link.far.startswith("identifier:"):
                    identifiers.add(link.far)
                elif link.far.startswith("site:") and near.startswith("person:"):
                    sites[link.far].add(near)
    groups = []
    if identifiers:
        groups += _identifier_groups(reader, picture, identifiers, limit)
    if sites:
        groups += _site_groups(reader, picture, sites, limit)
    groups.sort(key=lambda g: (not g["across_agencies"], -g["holders_total"], g["title"]))
    return {"groups": groups, **picture.as_json()}


def _identifier_groups(reader, picture, identifiers, limit):
    ids = [int(key.split(":")[1]) for key in identifiers]
    values = defaultdict(set)  # (family, value) -> identifier keys
    for _pk, kind, normalized in Identifier.objects.filter(pk__in=ids).order_by().values_list("pk", "kind",
                                                                                             "normalized"):
        values.setdefault((VALUE_FAMILY.get(kind, kind), normalized), set())
    same = filter_visible(Identifier.objects.filter(normalized__in={v for _f, v in values}), reader.user,
                          per_row=True).order_by("pk").values_list("pk", "kind", "normalized")
    for pk, kind, normalized in same:
        group_key = (VALUE_FAMILY.get(kind, kind), normalized)
        if group_key in values:
            values[group_key].add(key_of("identifier", pk))
    every = {key for keys in values.values() for key in keys}
    reader.visible(every)
    links = reader.links(sorted(every))
    kind_labels = labels()["identifier"]
    groups = []
    for (family, value), keys in sorted(values.items()):
        holders = {}
        for key in sorted(keys):
            for link in sorted(links.get(key, ()), key=lambda l: (l.rank, l.id)):
                if link.family == "relationship" and link.far and _kind(link.far) in HOLDER_KINDS:
                    holders.setdefault(link.far, (key, link))
        if len(holders) < 2:
            continue
        shown = sorted(holders.items(), key=lambda item: (reader.rows[item[0]]["owner__short_name"], item[0]))[:limit]
        for key in keys:
            picture.nodes.setdefault(key, reader.node(key))
        for near in keys:
            for link in links.get(near, ()):
                if link.family == "same_value" and link.far in keys:
                    picture.edges.setdefault(link.id, reader.edge(link))
        members = []
        for holder, (via, link) in shown:
            picture.nodes.setdefault(holder, reader.node(holder))
            picture.edges.setdefault(link.id, reader.edge(link))
            members.append({"node": holder, "via": via, "label": picture.nodes[holder]["label"],
                            "owner": picture.nodes[holder]["owner"], "relation": link_label(link),
                            "url": picture.nodes[holder]["url"]})
        agencies = sorted({reader.rows[h]["owner__short_name"] for h in holders})
        groups.append(_group(
            "identifier", f"{kind_labels.get(family, family)} {value}", sorted(keys), members, len(holders), agencies,
            kind_label=str(kind_labels.get(family, family)), value=value))
    return groups


def _site_groups(reader, picture, sites, limit):
    links = reader.links(sorted(sites))
    groups = []
    for site, starters in sorted(sites.items()):
        holders = {}
        for link in sorted(links.get(site, ()), key=lambda l: (l.rank, l.id)):
            if link.family == "relationship" and link.far and link.far.startswith("person:"):
                holders.setdefault(link.far, link)
        if len(holders) < 2:
            continue
        ordered = sorted(holders.items(), key=lambda item: (item[0] not in starters,
                                                            reader.rows[item[0]]["owner__short_name"], item[0]))
        picture.nodes.setdefault(site, reader.node(site))
        members = []
        for holder, link in ordered[:limit]:
            picture.nodes.setdefault(holder, reader.node(holder))
            picture.edges.setdefault(link.id, reader.edge(link))
            members.append({"node": holder, "via": site, "label": picture.nodes[holder]["label"],
                            "owner": picture.nodes[holder]["owner"], "relation": link_label(link),
                            "url": picture.nodes[holder]["url"]})
        agencies = sorted({reader.rows[h]["owner__short_name"] for h in holders})
        groups.append(_group("site", picture.nodes[site]["label"], [site], members, len(holders), agencies,
                             kind_label=str(Site._meta.verbose_name)))
    return groups


def _group(kind, title, records, members, total, agencies, **extra):
    if kind == "identifier":
        summary = ngettext("%(count)s record holds this %(what)s", "%(count)s records hold this %(what)s", total)
    else:
        summary = ngettext("%(count)s person is linked to this site", "%(count)s persons are linked to this site",
                           total)
    summary = summary % {"count": format_number(total), "what": extra.get("kind_label", "").lower()}
    if len(agencies) > 1:
        summary += " · " + ngettext("%(count)s agency: %(names)s", "%(count)s agencies: %(names)s", len(agencies)) % {
            "count": format_number(len(agencies)), "names": ", ".join(agencies)}
    return {"kind": kind, "title": title, "records": records, "holders": members, "holders_total": total,
            "agencies": agencies, "across_agencies": len(agencies) > 1, "summary": summary, **extra}


# --- Key members, communities, export of what is shown ---------------------------------------------------------------

MAX_ANALYSED = 3000


def induced(user, keys, *, reader=None):
    """The visible records among ``keys`` and the visible links between them.

    Keys of records the reader may not see (or that do not exist, or are not
    keys at all) are dropped without a word, so a forged list learns nothing.
    "hidden:r<id>" keys are kept as placeholders when relationship <id> is
    visible, one end is among the visible records and the other is not visible.
    Returns (reader, node keys, links).
    """
    reader = reader or Reader(user)
    wanted, hidden = set(), set()
    for key in list(keys)[:MAX_ANALYSED]:
        if isinstance(key, str) and key.startswith("hidden:"):
            hidden.add(key[len("hidden:"):])
            continue
        try:
            wanted.add(key_of(*parse_node(key)))
        except InvalidNode:
            continue
    nodes = reader.visible(wanted)
    links = reader.links(sorted(nodes))
    kept, placeholders = {}, set()
    for near in sorted(nodes):
        for link in links.get(near, ()):
            if link.far is None:
                if link.id in hidden:
                    kept.setdefault(link.id, link)
                    placeholders.add(hidden_key(link))
            elif link.far in nodes:
                kept.setdefault(link.id, link)
    ordered = sorted(nodes) + sorted(placeholders)
    return reader, ordered, list(kept.values())


def analyse(user, keys, *, top=10):
    """Key members (betweenness, then degree) and communities (Louvain) of the
    visible records among ``keys`` and the visible links between them. Hidden
    placeholders take no part: a ranking cannot lean on what the reader may not see."""
    reader, nodes, links = induced(user, [k for k in keys if not str(k).startswith("hidden:")])
    members = graphs.key_members(nodes, links, top=top)
    groups = graphs.communities(nodes, links)
    for member in members:
        member["label"] = reader.node(member["node"])["label"]
    return {"key_members": members, "communities": groups, "count": len(set(groups.values()))}


def export(user, keys, fmt="graphml"):
    """(strictest TLP, file text) of what is shown: the visible records among
    ``keys`` and the links between them, each with its marking. One audit entry
    per owner agency whose records are in the file, as for CSV exports."""
    from collections import Counter

    from liaison.audit import log as audit
    from liaison.audit.models import AuditEntry
    from liaison.sharing.exports import strictest
    from liaison.sharing.models import Agency

    reader, nodes, links = induced(user, keys)
    node_data, owners = [], Counter()
    for key in nodes:
        if key.startswith("hidden:"):
            node_data.append({"id": key, "kind": "hidden", "label": _("a record you cannot see")})
            continue
        data = reader.node(key)
        data.pop("centre", None)
        node_data.append(data)
        owners[reader.rows[key]["owner_id"]] += 1
    edge_data = [reader.edge(link) for link in links]
    marking = strictest([n["tlp"] for n in node_data if n.get("tlp")] + [e["tlp"] for e in edge_data if e.get("tlp")])
    banner = _("TLP:%(marking)s — exported from Liaison by %(user)s (%(agency)s)") % {
        "marking": marking, "user": user.get_username(), "agency": user.agency.short_name if user.agency_id else "-"}
    handling = any(n.get("handling", "H0") != "H0" for n in node_data)
    if handling:
        banner += _("; some rows carry handling restrictions (see the handling column)")
    for owner_id, count in owners.items():
        audit.record(AuditEntry.Action.EXPORT, user, None, owner_agency=Agency(pk=owner_id),
                     model="analysis.graph", rows=count, description=f"link analysis ({fmt})")
    if fmt == "json":
        import json

        return marking, json.dumps({"marking": f"TLP:{marking}", "banner": banner, "nodes": node_data,
                                    "edges": edge_data}, ensure_ascii=False, indent=1)
    return marking, graphs.to_graphml(node_data, edge_data, graph_attributes={"marking": f"TLP:{marking}",
                                                                               "banner": banner})
