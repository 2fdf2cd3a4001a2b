"""The figures a reader may see, as rows for ``charts.figures_svg`` and tables.

Every row is one figure of one event as its source stated it (never a sum:
see ``liaison/web/views/figures.py`` and ``charts``), read only from events
``filter_visible`` lets the reader see. Grouping never uses a record the
reader cannot see: a phase is named only when its operation is visible (as on
the event page), an event is placed in a country by its own fields (countries
involved, from, to), never by its site's country. Retracted events count for
nobody, their owner included.
"""
from __future__ import annotations

from functools import lru_cache

from django.db.models import Q
from django.utils.translation import gettext as _

from liaison.analysis.charts import BY, CATEGORY_COLOURS
from liaison.core.i18n import current_reader
from liaison.core.localefmt import country_name, format_partial, sort_key
from liaison.operations.models import Event, Figure, Operation, Phase
from liaison.partialdate import PartialDate, PartialDateError

LATER = 1  # sort keys start with 0, or LATER for "not stated" groups, which come last


def _pk(value):
    return getattr(value, "pk", value)


def visible_events(user, *, operation=None, phase=None, country=None):
    """Events ``user`` may see, narrowed to an operation, a phase and/or a
    country (ISO code or Country). An operation or phase of an operation the
    user cannot see narrows to nothing (it does not exist for them)."""
    # A retracted event is withdrawn as wrong: its owner (the one reader who still
    # sees it) does not count its figures either.
    events = Event.objects.visible_to(user).filter(retracted_at__isnull=True)
    if operation is not None:
        if not Operation.objects.visible_to(user).filter(pk=_pk(operation)).exists():
            return events.none()
        events = events.filter(operation_id=_pk(operation))
    if phase is not None:
        phase_obj = phase if isinstance(phase, Phase) else Phase.objects.filter(pk=phase).first()
        if phase_obj is None or not Operation.objects.visible_to(user).filter(pk=phase_obj.operation_id).exists():
            return events.none()
        events = events.filter(phase_id=phase_obj.pk)
    if country is not None:
        code = str(getattr(country, "code", country)).upper()
        involved = Event.countries.through.objects.filter(country_id=code).values("event_id")
        events = events.filter(Q(pk__in=involved) | Q(from_country_id=code) | Q(to_country_id=code))
    return events


@lru_cache(maxsize=4096)
def _month_of(date, date_end, cumulative):
    """ "2023-11" for an event's month, or "" when its date has no year and month.
    A running total is placed at the end of its period when the source gives it."""
    for text in ((date_end, date) if cumulative else (date,)):
        try:
            d = PartialDate.parse(text) if text else None
        except PartialDateError:
            d = None
        if d is not None and d.year and d.month:
            return f"{d.year:04d}-{d.month:02d}"
    return ""


def figure_rows(user, *, operation=None, phase=None, country=None, by="phase"):
    """Rows ``{"label", "value", "qualifier", "category"}`` (+ ``detail``: the
    event's title, ``event_id``, ``cumulative``, ``date``, ``sort``), one per
    figure of the events ``user`` may see, grouped by ``by`` ("phase",
    "country", "category" or "month") and sorted for the chart: phases by
    number, months in time, countries in the reader's collation, then each
    group's figures by category and size. An event involving three countries
    puts its figure under each of them (each bar is still that one figure)."""
    return figure_rows_by(user, (by,), operation=operation, phase=phase, country=country)[by]


def figure_rows_by(user, bys, *, operation=None, phase=None, country=None):
    """``{by: rows}`` for several groupings of the same figures, read once (a dashboard draws two charts)."""
    for by in bys:
        if by not in BY:
            raise ValueError(f"by must be one of {', '.join(BY)}")
    events = visible_events(user, operation=operation, phase=phase, country=country)
    figures = list(
        Figure.objects.filter(event__in=events).values(
            "value", "qualifier", "category", "event_id", "event__title", "event__date", "event__date_end",
            "event__is_cumulative", "event__phase__number", "event__phase__name", "event__operation_id",
            "event__operation__name",
        ).order_by("event__date", "event_id", "id")
    )
    reader = current_reader()
    order = {code: i for i, code in enumerate(CATEGORY_COLOURS)}
    out = {}
    for by in bys:
        groups = _groups(user, figures, by, reader) if figures else None
        rows = []
        for f in figures:
            for sort, label in groups(f):
                rows.append({
                    "label": label, "value": f["value"], "qualifier": f["qualifier"], "category": f["category"],
                    "detail": f["event__title"], "event_id": f["event_id"], "cumulative": f["event__is_cumulative"],
                    "date": f["event__date"], "sort": sort,
                })
        rows.sort(key=lambda r: (r["sort"], order.get(r["category"], 99), -r["value"], r["event_id"]))
        out[by] = rows
    return out


def _groups(user, figures, by, reader):
    """A function giving each figure's [(sort key, label)] for ``by``. Labels and
    sort keys are made once per group, not per figure (ICU formats and collation
    keys cost tens of microseconds each: seconds at a country's ten thousand figures)."""
    collate = lru_cache(maxsize=None)(lambda text: sort_key(text, reader.language))
    if by == "category":
        labels = dict(Figure.Category.choices)
        order = {code: i for i, code in enumerate(Figure.Category.values)}
        return lambda f: [((0, order.get(f["category"], 99)), str(labels.get(f["category"], f["category"])))]
    if by == "month":
        undated = [((LATER, ""), _("No month and year given"))]

        @lru_cache(maxsize=None)  # one ICU formatting per month, not per figure
        def named(key):
            return [((0, key), format_partial(int(key[:4]), int(key[5:]), None, reader))]

        def month(f):
            key = _month_of(f["event__date"], f["event__date_end"], f["event__is_cumulative"])
            return named(key) if key else undated
        return month
    if by == "phase":
        visible_ops = set(
            Operation.objects.visible_to(user)
            .filter(pk__in={f["event__operation_id"] for f in figures if f["event__operation_id"]})
            .values_list("pk", flat=True)
        )
        several = len({f["event__operation_id"] for f in figures if f["event__operation_id"] in visible_ops}) > 1

        def phase(f):
            number = f["event__phase__number"]
            if number is None or f["event__operation_id"] not in visible_ops:
                return [((LATER, b"", 0), _("Not assigned to a phase"))]
            label = f["event__phase__name"] or _("Phase %(n)s") % {"n": number}
            if several and not f["event__phase__name"]:
                label = f"{f['event__operation__name']} – {label}"
            op_key = collate(f["event__operation__name"]) if several else b""
            return [((0, op_key, number), label)]
        return phase
    # by == "country": the event's own countries (involved, from, to), named in the reader's language.
    ids = {f["event_id"] for f in figures}
    codes = {}
    involved = Event.countries.through.objects.filter(event_id__in=ids).values_list("event_id", "country_id")
    for event_id, code in involved:
        codes.setdefault(event_id, set()).add(code)
    for event_id, src, dst in Event.objects.filter(pk__in=ids).values_list("pk", "from_country_id", "to_country_id"):
        codes.setdefault(event_id, set()).update(c for c in (src, dst) if c)

    @lru_cache(maxsize=None)
    def named(code):
        name = country_name(code, reader.language) or code
        return (0, collate(name)), name

    def country(f):
        found = codes.get(f["event_id"])
        if not found:
            return [((LATER, b""), _("No country given"))]
        return sorted(named(code) for code in found)
    return country
