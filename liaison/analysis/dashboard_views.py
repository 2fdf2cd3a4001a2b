"""Dashboards: one per operation, one per country.

Every figure, count and list is read through the visibility layer: the
charts from ``figures.figure_rows`` (events ``filter_visible`` lets the reader
see), persons by status over visible persons only (protected ones counted as
the person list shows them: a row with a status, no name), sites by status
over visible sites. A record the reader cannot see changes no number here;
a retracted one changes none either, for its owner too.
"""
from django.db.models import Count, Q
from django.http import Http404
from django.shortcuts import render
from django.urls import NoReverseMatch, reverse
from django.utils.safestring import mark_safe
from django.utils.translation import gettext as _

from liaison.analysis import charts
from liaison.analysis.figures import figure_rows_by, visible_events
from liaison.analysis.timeline import timeline_items
from liaison.core.i18n import current_reader
from liaison.core.localefmt import sort_key
from liaison.core.models import Country
from liaison.operations.models import Figure, Operation, Participant, Phase
from liaison.registry.models import Person, PersonStatus, Site
from liaison.sharing.visibility import filter_visible
from liaison.web.views.common import get_visible, web_view

TABLE_LIMIT = 100
CHART_WIDTH = 440
CHART_BARS = 40  # a page draws two charts; the largest 40 figures each (about 0.3 s)
TIMELINE_LIMIT = 100  # the timeline page shows up to 400
PER_ROW_LIMIT = 5000


def optional_url(name, *args, query=""):
    """The address of another analysis part's page, or "" while it does not exist."""
    try:
        return reverse(name, args=args) + query
    except NoReverseMatch:
        return ""


def charts_of(user, titles, **scope):
    """One chart (and table) per grouping in ``titles`` ({by: title}), from one read of the figures."""
    grouped = figure_rows_by(user, tuple(titles), **scope)
    return [chart(grouped[by], by, title) for by, title in titles.items()]


def chart(rows, by, title):
    """The SVG chart of ``rows`` and the rows for its table (at most ``TABLE_LIMIT``)."""
    # Drawn narrow, to read on a phone; CSS lets it grow up to 1.4 times on a desk.
    svg = charts.figures_svg(rows, by=by, title=title, width=CHART_WIDTH, height=160, max_bars=CHART_BARS)
    shown = rows[:TABLE_LIMIT]
    for row in shown:
        row["words"] = Figure.in_words(row["value"], row["qualifier"], row["category"])
    # mark_safe: every text in the SVG was escaped by ElementTree (charts._for_html).
    return {"svg": mark_safe(svg), "rows": shown, "more": max(0, len(rows) - TABLE_LIMIT), "by": by}


def persons_by_status(user, events):
    """[(status label, n)] of the visible persons taking part in ``events`` or
    whose status an event of them set, each counted once under their current
    status (the latest by date, as ``Person.current_status``); then the total."""
    involved = set(Participant.objects.filter(event__in=events).values_list("person_id", flat=True))
    involved |= set(PersonStatus.objects.filter(event__in=events).values_list("person_id", flat=True))
    if len(involved) <= PER_ROW_LIMIT:
        # An operation involves hundreds of persons, not a million: the visibility
        # rule tested per row (an index probe each) instead of hashing every share
        # of persons to the user first (1 s at a million persons; bench/timeline_bench.py).
        persons = filter_visible(Person.objects.filter(pk__in=sorted(involved)), user, per_row=True)
    else:
        persons = Person.objects.visible_to(user).filter(
            Q(pk__in=Participant.objects.filter(event__in=events).values("person_id"))
            | Q(pk__in=PersonStatus.objects.filter(event__in=events).values("person_id")))
    visible = list(persons.filter(retracted_at__isnull=True).values_list("pk", flat=True))
    latest = {}
    for person_id, status, date, pk in (PersonStatus.objects.filter(person_id__in=visible)
                                        .values_list("person_id", "status", "date", "id")):
        key = (date or "", pk)
        if person_id not in latest or key > latest[person_id][0]:
            latest[person_id] = (key, status)
    total = len(visible)
    counts = {}
    for _key, status in latest.values():
        counts[status] = counts.get(status, 0) + 1
    labels = dict(PersonStatus.Status.choices)
    rows = [(str(labels.get(code, code)), code, counts[code]) for code in PersonStatus.Status.values if code in counts]
    without = total - len(latest)
    if without:
        rows.append((_("No status recorded"), "", without))
    return rows, total


@web_view
def operation_dashboard(request, pk):
    user = request.user
    op = get_visible(Operation.objects.select_related("owner", "lead_agency").prefetch_related("countries"), user, pk)
    events = visible_events(user, operation=op)
    status_rows, persons_total = persons_by_status(user, events)
    ctx = {
        "operation": op,
        "phases": list(Phase.objects.filter(operation=op).order_by("number")),
        "charts": charts_of(user, {"phase": _("Figures by phase"), "category": _("Figures by category")},
                            operation=op),
        "timeline": timeline_items(user, op, limit=TIMELINE_LIMIT),
        "status_rows": status_rows,
        "persons_total": persons_total,
        "events_total": events.count(),
        "links": [link for link in [
            (_("Operation page"), reverse("web:detail", args=["operations", op.pk])),
            (_("Timeline"), reverse("analysis:operation-timeline", args=[op.pk])),
            (_("Map"), optional_url("analysis:map", query=f"?operation={op.pk}")),
            (_("Link analysis"), optional_url("analysis:graph", query=f"?start=operation:{op.pk}")),
            (_("Report (PDF)"), optional_url("analysis:report", op.pk)),
        ] if link[1]],
    }
    return render(request, "analysis/timeline_operation_dashboard.html", ctx)


@web_view
def country_dashboard(request, code):
    user = request.user
    country = Country.objects.filter(code=code.upper()).first()
    if country is None:
        raise Http404
    sites = (Site.objects.visible_to(user).filter(country=country, retracted_at__isnull=True)
             .values("status").annotate(n=Count("id")).order_by("status"))
    labels = dict(Site.Status.choices)
    by_status = {row["status"]: row["n"] for row in sites}
    reader = current_reader()
    operations = sorted(Operation.objects.visible_to(user).filter(countries=country).order_by("id"),
                        key=lambda op: sort_key(op.name, reader.language))
    ctx = {
        "country": country,
        "charts": charts_of(user, {"month": _("Figures by month"), "category": _("Figures by category")},
                            country=country),
        "site_rows": [(str(labels[code]), code, by_status[code]) for code in Site.Status.values if code in by_status],
        "sites_total": sum(by_status.values()),
        "operations": operations,
        "events_total": visible_events(user, country=country).count(),
    }
    return render(request, "analysis/timeline_country_dashboard.html", ctx)


@web_view
def country_index(request):
    """Countries that the reader's visible events, sites or operations name."""
    user = request.user
    codes = set(Site.objects.visible_to(user).values_list("country_id", flat=True).distinct())
    codes |= set(Operation.objects.visible_to(user).values_list("countries", flat=True).distinct())
    events = visible_events(user)
    codes |= set(events.values_list("countries", flat=True).distinct())
    codes.discard(None)
    reader = current_reader()
    countries = sorted(Country.objects.filter(code__in=codes), key=lambda c: sort_key(str(c), reader.language))
    operations = sorted(Operation.objects.visible_to(user), key=lambda op: sort_key(op.name, reader.language))
    return render(request, "analysis/timeline_dashboards.html", {"countries": countries, "operations": operations})
