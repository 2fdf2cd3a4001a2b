"""The map of sites and located events (issue 17): ``/analysis/map/`` and its data.

Everything on it comes from ``Site.objects.visible_to(user)`` and
``Event.objects.visible_to(user)`` (``liaison.sharing.visibility``): a site the reader
may not see is not drawn, not counted in a cluster and not in the time slider's range.
Retracted records are on nobody's map, their owner's included (as in the dashboards): a
withdrawn site is not a place to act on.
An event is placed at its site's coordinates, and only when the reader may see that
site too: placing it would otherwise show where a site they may not see lies.

Filters: operation and phase (the sites of the operation's events the reader may see;
an operation or phase they may not see answers like one that does not exist: nothing),
site status and kind (events too: only those at such sites), event type, a date range
for events, and ``at``, the time slider's day: each site with the status it had that
day (from its history, below), events up to that day.

Status over time: a site's history (django-simple-history) holds every version as
entered. Each version says "status S since E", E being its ``status_since`` when that
has a year, else the day the version was entered. A later version overrides earlier
ones from its E on, so the status on day D is that of the last version entered whose
E is on or before D; before the first such version the map says "no status recorded".
"""
from __future__ import annotations

import datetime
from dataclasses import dataclass, field, replace

import icu
from django.db.models import CharField, F, FloatField, Max, Min, OuterRef, Q, Subquery
from django.db.models.functions import Cast
from django.http import JsonResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET

from liaison.analysis import geo
from liaison.core.i18n import current_reader
from liaison.core.models import TLP
from liaison.core.templatetags.liaison_i18n import partial_date_text
from liaison.operations.models import Event, Operation, Phase
from liaison.partialdate import PartialDate, PartialDateError
from liaison.registry.models import Site
from liaison.ops.replica import read_connection
from liaison.translatable import gettext_noop
from liaison.web.views.common import web_view

NO_STATUS = "none"  # the time slider's day is before anything the site's history records
# The parameters as the filter form names them, for error messages.
FIELDS = {
    "operation": gettext_lazy("Operation"), "phase": gettext_lazy("Phase"), "status": gettext_lazy("Site status"),
    "kind": gettext_lazy("Kind of site"), "event_kind": gettext_lazy("Event type"), "date_from": gettext_lazy("Events from"),
    "date_to": gettext_lazy("Events until"), "at": gettext_lazy("Date on the time slider"), "show": gettext_lazy("Show"),
}


@dataclass
class MapFilters:
    operation: int | None = None
    phase: int | None = None
    statuses: list = field(default_factory=list)
    kinds: list = field(default_factory=list)
    event_kinds: list = field(default_factory=list)
    date_from: str = ""
    date_to: str = ""
    at: datetime.date | None = None
    sites: bool = True
    events: bool = True
    zoom: int | None = None


def _list(data, key):
    if hasattr(data, "getlist"):
        values = data.getlist(key)
    else:
        values = data.get(key) or []
        values = [values] if isinstance(values, str) else list(values)
    return [v for item in values for v in str(item).split(",") if v]


def _choices(data, key, allowed):
    values = _list(data, key)
    unknown = [v for v in values if v not in allowed]
    if unknown:
        raise geo.MapQueryError(gettext_noop("Unknown value for %(field)s: %(value)s."), field=key, value=unknown[0][:40])
    return values


def _id(data, key):
    value = data.get(key)
    if value in (None, ""):
        return None
    try:
        number = int(value)
    except (TypeError, ValueError):
        raise geo.MapQueryError(gettext_noop("%(field)s must be the number of a record."), field=key) from None
    if not 0 < number < 2**63:
        return -1  # no record has it: answers like one the reader may not see
    return number


def _partial(data, key):
    value = (data.get(key) or "").strip()
    if not value:
        return ""
    try:
        parsed = PartialDate.parse(value)
    except PartialDateError:
        raise geo.MapQueryError(gettext_noop("%(field)s must be a date written YYYY, YYYY-MM or YYYY-MM-DD."), field=key) from None
    if parsed.year is None:
        raise geo.MapQueryError(gettext_noop("%(field)s must be a date written YYYY, YYYY-MM or YYYY-MM-DD."), field=key)
    return parsed.isoformat()


def parse_filters(data):
    """``MapFilters`` from a query (a QueryDict or a plain dict); ``MapQueryError`` if any is wrong."""
    at = (data.get("at") or "").strip()
    try:
        at_day = datetime.date.fromisoformat(at) if at else None
    except ValueError:
        raise geo.MapQueryError(gettext_noop("%(field)s must be a date written YYYY-MM-DD."), field="at") from None
    show = _choices(data, "show", {"sites", "events"}) or ["sites", "events"]
    zoom = data.get("zoom")
    return MapFilters(
        operation=_id(data, "operation"), phase=_id(data, "phase"),
        statuses=_choices(data, "status", {*Site.Status.values, NO_STATUS}),
        kinds=_choices(data, "kind", set(Site.Kind.values)),
        event_kinds=_choices(data, "event_kind", set(Event.Kind.values)),
        date_from=_partial(data, "date_from"), date_to=_partial(data, "date_to"), at=at_day,
        sites="sites" in show, events="events" in show,
        zoom=geo.parse_zoom(zoom) if zoom not in (None, "") else None,
    )


# --- querysets ------------------------------------------------------------------------------


def _has_year(field):
    """A partial date with a year: not blank, not "--MM-DD"."""
    return ~Q(**{field: ""}) & ~Q(**{f"{field}__startswith": "--"})


def _versions_until(day):
    """The versions of every site that say a status on or before ``day`` (see the
    module's docstring), as a queryset of the history table. Written as two plain
    tests rather than one computed date per version: the day a version was entered
    is compared as a moment (before the next midnight, UTC as stored), so the database
    formats no date for each of tens of thousands of rows."""
    history = Site.history.model
    next_midnight = datetime.datetime.combine(day + datetime.timedelta(days=1), datetime.time.min, tzinfo=datetime.timezone.utc)
    dated = _has_year("status_since")
    return history.objects.exclude(history_type="-").filter(
        (dated & Q(status_since__lte=day.isoformat())) | (~dated & Q(history_date__lt=next_midnight)))


def status_on(day):
    """A subquery: the status of the site (OuterRef ``pk``) on ``day``, from its history,
    or NULL before the first version that says one. One index probe per site: the
    way for a page of points; ``_statuses_on`` reads the whole history once instead."""
    versions = _versions_until(day).filter(id=OuterRef("pk")).order_by("-history_date", "-history_id")
    return Subquery(versions.values("status")[:1], output_field=CharField())


def _statuses_on(day, among=None):
    """The status on ``day`` of every site, or of those whose ids ``among`` (an SQL
    expression) selects (columns ``id``, ``status``), one row per site: a window over
    the versions, read once. For the counts of a whole region (38,000 sites of 50,000,
    81,000 versions) PostgreSQL took less than half the time of one probe per site
    (``status_on``); for a page of points the probes are cheaper."""
    from django.db.models import Window
    from django.db.models.functions import RowNumber

    versions = _versions_until(day)
    if among is not None:
        versions = versions.filter(id__in=among)
    return (versions
            .annotate(rank=Window(RowNumber(), partition_by=[F("id")], order_by=[F("history_date").desc(), F("history_id").desc()]))
            .filter(rank=1).values("id", "status"))


def _in_box(bbox, prefix=""):
    return Q(**{f"{prefix}latitude__gte": bbox.south, f"{prefix}latitude__lte": bbox.north,
                f"{prefix}longitude__gte": bbox.west, f"{prefix}longitude__lte": bbox.east})


def _live(model, user, f):
    """``model.objects.visible_to(user)`` without retracted records, built once per ``f``
    and cloned by every query that starts from it (building the visibility filter is
    most of the Python time of a map request)."""
    cache = f.__dict__.setdefault("_live", {})
    key = (model, getattr(user, "pk", None))
    if key not in cache:
        cache[key] = model.objects.visible_to(user).filter(retracted_at__isnull=True).order_by()
    return cache[key]


def _scope(user, f):
    """What the chosen operation or phase asks of events: None when none is chosen,
    False when the chosen one is not visible to ``user`` or does not exist (the same
    answer either way: nothing), else a ``Q`` over events. Decided once per ``f``."""
    cache = f.__dict__.setdefault("_scopes", {})
    key = getattr(user, "pk", None)
    if key in cache:
        return cache[key]
    scope = None
    if f.operation is not None or f.phase is not None:
        operations = Operation.objects.visible_to(user)
        scope = Q()
        if f.operation is not None:
            scope &= Q(operation_id=f.operation)
            if not operations.filter(pk=f.operation).exists():
                scope = False
        if scope is not False and f.phase is not None:
            scope &= Q(phase_id=f.phase)
            if not Phase.objects.filter(pk=f.phase, operation__in=operations).exists():
                scope = False
    cache[key] = scope
    return scope


def sites_for(user, f, bbox=None):
    """The visible sites matching ``f`` (with coordinates in ``bbox`` when given),
    annotated with ``shown_status``: the status on ``f.at``, or now."""
    sites = _live(Site, user, f)
    if bbox is not None:
        sites = sites.filter(_in_box(bbox))
    if f.kinds:
        sites = sites.filter(kind__in=f.kinds)
    scope = _scope(user, f)
    if scope is False:
        return sites.none()
    if scope is not None:
        # The sites of the operation's events the reader may see (not retracted).
        tying = _live(Event, user, f).filter(scope, site__isnull=False)
        sites = sites.filter(pk__in=tying.values("site_id"))
    if f.at is not None:
        sites = sites.annotate(shown_status=status_on(f.at))
    else:
        sites = sites.annotate(shown_status=F("status"))
    if f.statuses:
        wanted = Q(shown_status__in=[s for s in f.statuses if s != NO_STATUS])
        if NO_STATUS in f.statuses:
            wanted |= Q(shown_status__isnull=True)
        sites = sites.filter(wanted)
    return sites


def _dated_until(field, value):
    """``field`` (a partial date) starts on or before ``value`` (YYYY[-MM[-DD]]); dates
    without a year cannot be placed and are left out (as in the events list's filter)."""
    return (Q(**{f"{field}__lte": value}) | Q(**{f"{field}__startswith": value})) & _has_year(field)


def _dated_from(field, value):
    """``field`` ends on or after ``value``: "2023-12" overlaps "from 2023-12-01"."""
    return (Q(**{f"{field}__gte": value}) | Q(**{f"{field}__in": {value[:4], value[:7]}})) & _has_year(field)


def _events_matching(user, f):
    """The visible, unretracted events that have a site and match the event filters
    (operation or phase, type, dates, the slider's day); where they are is not decided here."""
    events = _live(Event, user, f).filter(site__isnull=False)
    scope = _scope(user, f)
    if scope is False:
        return events.none()
    if scope is not None:
        events = events.filter(scope)
    if f.event_kinds:
        events = events.filter(kind__in=f.event_kinds)
    if f.date_from:
        events = events.filter(_dated_from("date", f.date_from))
    if f.date_to:
        events = events.filter(_dated_until("date", f.date_to))
    if f.at is not None:
        events = events.filter(_dated_until("date", f.at.isoformat()))
    return events


def events_for(user, f, bbox=None):
    """The visible events matching ``f`` that have a visible site with coordinates
    (in ``bbox`` when given). With a site status or kind chosen, only the events at
    such sites: the map shows the chosen sites and what happened there."""
    if f.kinds or f.statuses:
        located = sites_for(user, f, bbox)
    else:
        located = _live(Site, user, f)
        if bbox is not None:
            located = located.filter(_in_box(bbox))
    located = located.filter(latitude__isnull=False, longitude__isnull=False)
    events = _events_matching(user, f).filter(site__in=located.values("pk"))
    if bbox is not None:
        events = events.filter(_in_box(bbox, "site__"))  # lets the database use the sites' coordinates first
    return events


# --- the GeoJSON ----------------------------------------------------------------------------


def _float(field):
    return Cast(field, FloatField())


_AGGREGATES = ("COUNT(*) AS count, AVG(s.lat) AS lat, AVG(s.lon) AS lon, MIN(s.lon) AS west, MIN(s.lat) AS south, "
               "MAX(s.lon) AS east, MAX(s.lat) AS north")


def _cell_counts(user, f, bbox, size):
    """Sites and events per grid cell of ``size`` degrees (and per status and kind), in
    one statement: the matching sites in the box (``sites_for``) are read once, as a
    common table expression, and the matching events (``_events_matching``) are
    counted at those sites only. Both inner queries are the visibility layer's own;
    what is hand-written is the grouping around them. (Two ORM queries, one per layer,
    read the sites twice and took about twice as long at 50,000 sites.)"""
    on_day = f.at is not None
    # With the slider's day, the sites' statuses come from one pass over their versions
    # (``_statuses_on``), joined here, rather than one probe per site.
    base = f
    if on_day:
        base = replace(f, at=None, statuses=[])
        for cache in ("_live", "_scopes"):  # neither depends on the day or the statuses
            base.__dict__[cache] = f.__dict__.setdefault(cache, {})
    sites = sites_for(user, base, bbox).filter(latitude__isnull=False, longitude__isnull=False).annotate(
        lat=_float("latitude"), lon=_float("longitude")).values("pk", "shown_status", "kind", "lat", "lon")
    sites_sql, sites_params = sites.query.sql_with_params()
    prelude = ""
    if on_day:
        from django.db.models.expressions import RawSQL

        # The sites first (b), then their statuses (h), then both joined (s). Zoomed out,
        # most sites are in the box: all versions are read at once. Zoomed in, only the
        # versions of the sites in the box (one index probe each).
        prelude, prelude_params = f"b AS ({sites_sql}), ", sites_params
        among = RawSQL("SELECT b.pk FROM b", ()) if size < geo.cell_size(7) else None
        history_sql, history_params = _statuses_on(f.at, among).query.sql_with_params()
        wanted, wanted_params = "", []
        if f.statuses:
            named = [v for v in f.statuses if v != NO_STATUS]
            tests = [f"h.status IN ({', '.join(['%s'] * len(named))})"] if named else []
            if NO_STATUS in f.statuses:
                tests.append("h.status IS NULL")
            wanted, wanted_params = " WHERE " + " OR ".join(tests), named
        sites_sql = (f"SELECT b.pk AS pk, h.status AS shown_status, b.kind AS kind, b.lat AS lat, b.lon AS lon "
                     f"FROM b LEFT OUTER JOIN ({history_sql}) h ON h.id = b.pk{wanted}")
        sites_params = (*prelude_params, *history_params, *wanted_params)
    cells = "FLOOR(s.lon / %s) AS cx, FLOOR(s.lat / %s) AS cy"
    parts, params = [], []
    if f.sites:
        parts.append(f"SELECT 'site' AS type, {cells}, s.shown_status AS status, s.kind AS kind, {_AGGREGATES} "
                     "FROM s GROUP BY 2, 3, 4, 5")
        params += [size, size]
    if f.events:
        events_sql, events_params = _events_matching(user, f).values("site_id", "kind").query.sql_with_params()
        parts.append(f"SELECT 'event' AS type, {cells}, '' AS status, e.kind AS kind, {_AGGREGATES} "
                     f"FROM ({events_sql}) e INNER JOIN s ON s.pk = e.site_id GROUP BY 2, 3, 4, 5")
        params += [size, size, *events_params]
    if not parts:
        return [], []
    sql = f"WITH {prelude}s AS ({sites_sql}) " + " UNION ALL ".join(parts)
    with read_connection(sites.model).cursor() as cursor:  # the replica on a replica read (ops/replica.py)
        cursor.execute(sql, [*sites_params, *params])
        columns = [c[0] for c in cursor.description]
        rows = [dict(zip(columns, row)) for row in cursor.fetchall()]
    return [r for r in rows if r["type"] == "site"], [r for r in rows if r["type"] == "event"]


def _label(choices, value):
    return str(dict(choices).get(value, value or ""))


def _tlp(value):
    return dict(TLP.choices).get(value, value)


def _site_feature(row, f):
    status = row["shown_status"] or NO_STATUS
    return {
        "type": "Feature",
        "geometry": {"type": "Point", "coordinates": [float(row["longitude"]), float(row["latitude"])]},
        "properties": {
            "type": "site", "id": row["pk"], "name": row["name"], "kind": row["kind"],
            "kind_label": _label(Site.Kind.choices, row["kind"]),
            "status": status,
            "status_label": _label(Site.Status.choices, status) if status != NO_STATUS else _("No status recorded"),
            "since": partial_date_text(row["status_since"]) if f.at is None else "",
            "place": ", ".join(p for p in (row["locality"], row["admin_area"]) if p),
            "tlp": _tlp(row["tlp"]),
            "url": reverse("web:detail", args=["sites", row["pk"]]),
        },
    }


def _event_feature(row):
    return {
        "type": "Feature",
        "geometry": {"type": "Point", "coordinates": [float(row["site__longitude"]), float(row["site__latitude"])]},
        "properties": {
            "type": "event", "id": row["pk"], "title": row["title"], "kind": row["kind"],
            "kind_label": _label(Event.Kind.choices, row["kind"]),
            "date": partial_date_text(row["date"]), "site": row["site__name"], "site_id": row["site_id"],
            "tlp": _tlp(row["tlp"]),
            "url": reverse("web:detail", args=["events", row["pk"]]),
        },
    }


def map_features(user, bbox, filters):
    """The map's data for ``user``: a GeoJSON FeatureCollection of the visible sites and
    located events in ``bbox`` matching ``filters``.

    ``bbox``: a ``geo.BBox``, (west, south, east, north) or "west,south,east,north";
    ``filters``: a ``MapFilters``, or a dict / QueryDict of the data endpoint's
    parameters (operation, phase, status, kind, event_kind, date_from, date_to, at, show,
    zoom). Past ``geo.MAX_POINTS`` points the features are grid clusters
    (``"clustered": true``) with their counts by status, site kind and event type.
    Raises ``geo.MapQueryError`` for a wrong box or filter.

    Queries: one statement counting both layers per grid cell, then either the points
    (one query per layer) or nothing more, plus one count of the matching sites without
    coordinates.
    """
    if bbox is None or isinstance(bbox, str):
        bbox = geo.parse_bbox(bbox)
    elif not isinstance(bbox, geo.BBox):
        bbox = geo.parse_bbox(",".join(str(v) for v in bbox))
    f = filters if isinstance(filters, MapFilters) else parse_filters(filters)
    zoom = f.zoom if f.zoom is not None else geo.parse_zoom(None, bbox)
    size = geo.cell_size(zoom)
    result = {"type": "FeatureCollection", "features": [], "clustered": False, "zoom": zoom,
              "totals": {"sites": 0, "events": 0}, "unlocated_sites": 0, "bbox": bbox.as_list()}
    if _scope(user, f) is False:
        return result  # an operation or phase the reader may not see: as if it did not exist
    sites = sites_for(user, f, bbox)
    events = events_for(user, f, bbox)

    site_rows, event_rows = _cell_counts(user, f, bbox, size)
    totals = {"sites": sum(r["count"] for r in site_rows), "events": sum(r["count"] for r in event_rows)}
    clustered = totals["sites"] + totals["events"] > geo.MAX_POINTS
    if clustered:
        rows = [{**r, "status": r["status"] or NO_STATUS} for r in site_rows]
        rows += [{**r, "kind": ""} for r in event_rows]
        event_kinds = {}
        for r in event_rows:
            kinds = event_kinds.setdefault((int(r["cx"]), int(r["cy"])), {})
            kinds[r["kind"]] = kinds.get(r["kind"], 0) + r["count"]
        features = []
        for cluster in geo.merge_cell_counts(rows):
            feature = cluster.as_feature()
            feature["properties"]["event_kinds"] = event_kinds.get(cluster.cell, {})
            features.append(feature)
    else:
        features = []
        located = {}
        if f.sites:
            for row in sites.values("pk", "name", "kind", "status", "shown_status", "status_since", "latitude",
                                    "longitude", "locality", "admin_area", "tlp").order_by("name", "pk"):
                if row["latitude"] is not None and row["longitude"] is not None:
                    features.append(_site_feature(row, f))
                    located[row["pk"]] = row
        if f.events and f.sites:
            # The events at the sites just read: their visibility, filters and box are
            # decided already, so the events need no second pass over the sites.
            rows = (_events_matching(user, f).filter(site_id__in=list(located))
                    .values("pk", "title", "kind", "date", "site_id", "tlp").order_by("date", "pk"))
            for row in rows:
                where = located[row["site_id"]]
                features.append(_event_feature({**row, "site__name": where["name"], "site__latitude": where["latitude"],
                                                "site__longitude": where["longitude"]}))
        elif f.events:
            for row in events.values("pk", "title", "kind", "date", "site_id", "site__name", "site__latitude",
                                     "site__longitude", "tlp").order_by("date", "pk"):
                features.append(_event_feature(row))
    unlocated = sites_for(user, f).filter(Q(latitude__isnull=True) | Q(longitude__isnull=True)).count() if f.sites else 0
    result.update(features=features, clustered=clustered, totals=totals, unlocated_sites=unlocated)
    return result


# --- views ----------------------------------------------------------------------------------


def error_text(exc):
    """A ``MapQueryError`` in the reader's language, naming the field as the form does."""
    if not exc.params:
        return _(exc.message)
    params = {k: str(FIELDS.get(v, v)) if k == "field" else v for k, v in exc.params.items()}
    return _(exc.message) % params


def _error(exc):
    return JsonResponse({"error": error_text(exc)}, status=400)


@never_cache
@web_view
@require_GET
def map_data(request):
    try:
        return JsonResponse(map_features(request.user, request.GET.get("bbox"), request.GET))
    except geo.MapQueryError as exc:
        return _error(exc)


def _first_day(user):
    """The slider's first day: the earliest dated status or located event the reader may
    see (only records they may see decide it), else three years ago."""
    first_status = sites_for(user, MapFilters()).filter(_has_year("status_since")).aggregate(first=Min("status_since"))["first"]
    first_event = events_for(user, MapFilters()).filter(_has_year("date")).aggregate(first=Min("date"))["first"]
    candidates = [PartialDate.parse(v) for v in (first_status, first_event) if v]
    today = datetime.date.today()
    if not candidates:
        return today.replace(year=today.year - 3, day=1)
    first = min(datetime.date(d.year, d.month or 1, d.day or 1) for d in candidates)
    return min(first, today)


def _extent(sites):
    box = sites.filter(latitude__isnull=False, longitude__isnull=False).aggregate(
        west=Min("longitude"), east=Max("longitude"), south=Min("latitude"), north=Max("latitude"))
    if box["west"] is None:
        return None
    return geo.BBox(float(box["west"]), float(box["south"]), float(box["east"]), float(box["north"])).padded(0.2, 0.5)


def _texts():
    """The words map.js shows, translated here (there is no JavaScript catalogue)."""
    return {
        "statuses": {**{value: str(label) for value, label in Site.Status.choices}, NO_STATUS: _("No status recorded")},
        "event_kinds": {value: str(label) for value, label in Event.Kind.choices},
        "today": _("today"),
        "totals": _("On this part of the map: sites %(sites)s, events %(events)s."),
        "clustered": _("Too many to show one by one, so they are grouped by area: zoom in, or open a group, to see each record."),
        "nothing": _("No record you may see matches these filters on this part of the map."),
        "unlocated": _("Matching sites without coordinates, so not on the map: %(count)s."),
        "error": _("The map could not be loaded. Try again in a moment."),
        "open_site": _("Open the site's page"),
        "open_event": _("Open the event's page"),
        "since": _("since %(date)s"),
        "at_site": _("at %(site)s"),
        "cluster_title": _("Records here: %(count)s"),
        "events_here": _("Events here: %(count)s"),
        "more_events": _("And %(count)s more: the site's page lists them all."),
        "zoom_in": _("Zoom in"),
    }


@web_view
def map_page(request):
    user = request.user
    try:
        f = parse_filters(request.GET)
    except geo.MapQueryError:
        f = MapFilters()
    operations = list(Operation.objects.visible_to(user).order_by("name", "pk").values("pk", "name"))
    phases = list(Phase.objects.filter(operation__in=Operation.objects.visible_to(user))
                  .select_related("operation").order_by("operation__name", "operation_id", "number"))
    # The first view: the chosen site, the chosen operation's sites, or the region.
    view, focus = None, None
    site_id = _id(request.GET, "site") if (request.GET.get("site") or "").isdigit() else None
    if site_id:
        site = Site.objects.visible_to(user).filter(pk=site_id, latitude__isnull=False).first()
        if site is not None:
            focus = site.pk
            view = geo.BBox(float(site.longitude), float(site.latitude), float(site.longitude), float(site.latitude)).padded(0, 0.3)
    if view is None and (f.operation or f.phase):
        view = _extent(sites_for(user, MapFilters(operation=f.operation, phase=f.phase)))
    reader = current_reader()
    ctx = {
        "filters": f,
        "operations": operations,
        "phases": phases,
        "statuses": Site.Status.choices,
        "kinds": Site.Kind.choices,
        "event_kinds": Event.Kind.choices,
        "view": (view or geo.BBox(*geo.REGION)).as_list(),
        "focus": focus,
        "first_day": _first_day(user).isoformat(),
        "today": datetime.date.today().isoformat(),
        "locale_tag": icu.Locale(reader.icu_locale()).toLanguageTag(),
        "max_points": geo.MAX_POINTS,
        "texts": _texts(),
    }
    return render(request, "analysis/map.html", ctx)
