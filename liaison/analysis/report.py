"""Operation reports: a PDF of an operation or one of its phases, for one reader.

What goes in is what the reader may see, read through the one visibility layer
(``liaison.sharing.visibility``): the operation, its events with their figures
and sources, the sites they happened at, the persons taking part by status, the
cases. A protected identity (victim, witness, informant) is printed only when
the reader may read it, as on the person page, and each one printed is an entry
in the access log; quoted evidence that would name a withheld person is blanked
(``citations_for``). Each item carries its own marking (portion marking).

The marking of the whole report, in the header and footer of every page, is the
most restrictive of the items printed: a TLP:AMBER event inside a TLP:GREEN
operation makes the report TLP:AMBER, because the report now holds AMBER
information and whoever receives the file reads the banner, not each line. The
handling code is likewise the highest (H0 < H1 < H2 < H3), and every
owner-defined restriction (H3) is repeated on the first page. Items marked
TLP:RED are printed (the reader may read them and the CSV export carries them
too), and then the whole file is TLP:RED; ``max_tlp`` leaves out items above a
level to make a report one can pass on (e.g. a TLP:GREEN version).

The public version is built for an anonymous reader, exactly what the public
"published figures" page shows (``liaison.operations.views.published_figures``):
public events, their figures and public sources, no person and no case; the
operation is named only if it is public itself. It is TLP:CLEAR by construction
(only TLP:CLEAR records can be public).

Every download is audited like a CSV export (``liaison.sharing.exports``): one
"exported" entry per owner agency whose records are in the file.

The figures, chart, map and timeline come from the other parts of the analysis
app (``figures.figure_rows``, ``charts.figures_svg``, ``geo.map_svg``,
``timeline_views.timeline_items``); a part that is missing leaves its section out.
"""
from __future__ import annotations

import re
import unicodedata
from collections import Counter, defaultdict
from dataclasses import dataclass, field

from django.contrib.auth.models import AnonymousUser
from django.contrib.contenttypes.models import ContentType
from django.contrib.staticfiles import finders
from django.db import transaction
from django.db.models import Prefetch
from django.template.loader import render_to_string
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from liaison.audit import log as audit
from liaison.audit.models import AuditEntry
from liaison.core.i18n import reading_as
from liaison.core.models import TLP, Handling
from liaison.operations.models import Case, Event, Figure, Operation, Participant
from liaison.registry.models import Citation, Nationality, Person, PersonStatus, Site, Source
from liaison.sharing.exports import TLP_ORDER, strictest
from liaison.sharing.models import Agency
from liaison.sharing.visibility import citations_for

HANDLING_ORDER = [Handling.H0, Handling.H1, Handling.H2, Handling.H3]
# A report is read on paper: past these, the rest is counted, not printed (the
# reader narrows to a phase). Counts are of records the reader may see only.
MAX_EVENTS = 400
MAX_PERSONS = 600
MAX_CASES = 200
# The timeline repeats the events; past this many items it keeps what the event
# list does not show (phases, site statuses, requests) and the events are read
# in date order in their own section.
TIMELINE_LIMIT = 120
# The chart at its own size in CSS px (the page is 673 px wide inside its margins):
# at most CHART_BARS bars (the largest; the table gives every figure), so that
# the picture fits on one page whatever the number of groups.
CHART_WIDTH = 660
CHART_BARS = 18
# WeasyPrint draws CSS counters in these styles (CSS Counter Styles 3), so the
# page numbers use the digits the reader reads the rest of the report in.
DIGIT_COUNTER_STYLES = {"THAI": "thai", "KHMER": "khmer", "LAO": "lao", "MYANMAR": "myanmar"}
TLP_COLOURS = {  # FIRST TLP 2.0: colour on black
    TLP.CLEAR: "#FFFFFF", TLP.GREEN: "#33FF00", TLP.AMBER: "#FFC000", TLP.AMBER_STRICT: "#FFC000", TLP.RED: "#FF2B2B",
}


class ReportNotAllowed(Exception):
    """The operation (or phase) is not one the reader may see."""


@dataclass
class PersonLine:
    person: Person
    label: str
    identity: bool
    roles: list
    status: object
    nationalities: list


@dataclass
class EventLine:
    event: Event
    site: object
    figures: list
    citations: list
    participants: list  # (label, role label, note, identity shown)


@dataclass
class Report:
    operation: Operation
    phase: object
    public: bool
    reader: object
    language: str
    made_at: object
    title: str
    operation_named: bool = True
    events: list = field(default_factory=list)
    persons_by_status: list = field(default_factory=list)
    cases: list = field(default_factory=list)
    sources: list = field(default_factory=list)  # citations of the operation and phase
    figure_rows: list = field(default_factory=list)
    figures_by: str = "category"
    chart_svg: str = ""
    map_svg: str = ""
    map_places: list = field(default_factory=list)
    timeline: list = field(default_factory=list)
    timeline_without_events: bool = False
    left_out: dict = field(default_factory=dict)
    records: list = field(default_factory=list)  # every OwnedRecord printed: marking and audit
    revealed: list = field(default_factory=list)  # protected persons whose identity is printed
    max_tlp: str = ""
    extra_tlps: list = field(default_factory=list)  # markings of printed items that are no OwnedRecord (requests)

    @property
    def tlp(self):
        return strictest([r.tlp for r in self.records] + self.extra_tlps)

    @property
    def handling(self):
        codes = {r.handling for r in self.records}
        for code in reversed(HANDLING_ORDER):
            if code in codes:
                return code
        return Handling.H0

    @property
    def restrictions(self):
        """Owner-defined restrictions (H3 notes) of the items printed, each once, with its owner."""
        seen = {}
        for r in self.records:
            if r.handling == Handling.H3 and r.handling_note:
                seen.setdefault((r.owner_id, r.handling_note), r)
        return [(r.owner.short_name, note) for (_owner, note), r in seen.items()]

    @property
    def tlp_label(self):
        return dict(TLP.choices)[self.tlp]

    @property
    def handling_label(self):
        return str(dict(Handling.choices)[self.handling])


# Building ---------------------------------------------------------------------

def build(user, operation, phase=None, public=False, *, max_tlp=None):
    """The report's content for ``user`` (a ``Report``); nothing is written.

    Call inside the reader's language (``render_pdf`` does). ``max_tlp`` leaves
    out items marked above that level (never the operation itself: a report of
    an operation marked above it is refused)."""
    reader = AnonymousUser() if public else user
    if operation.retracted_at is not None or not Operation.objects.visible_to(user).filter(pk=operation.pk).exists():
        raise ReportNotAllowed  # a retracted operation is read in Liaison, with its notice, not printed
    if phase is not None and phase.operation_id != operation.pk:
        raise ReportNotAllowed
    if max_tlp and max_tlp not in TLP_ORDER:
        raise ValueError(max_tlp)
    allowed_tlp = TLP_ORDER[: TLP_ORDER.index(max_tlp) + 1] if max_tlp and not public else None
    if allowed_tlp and operation.tlp not in allowed_tlp:
        raise ReportNotAllowed
    operation_named = (not public) or Operation.objects.visible_to(reader).filter(pk=operation.pk).exists()
    report = Report(
        operation=operation, phase=phase, public=public, reader=user, language=translation.get_language(),
        made_at=timezone.now(), title=_title(operation, phase, public, operation_named),
        operation_named=operation_named, max_tlp=max_tlp or "",
    )
    if operation_named:
        report.records.append(operation)

    def narrowed(queryset):
        # A retracted record is withdrawn: its owner still sees it in Liaison (with
        # the notice), but it is not printed for anyone to pass on.
        queryset = queryset.visible_to(reader).filter(retracted_at__isnull=True)
        return queryset.filter(tlp__in=allowed_tlp) if allowed_tlp else queryset

    scope = {"operation": operation} if phase is None else {"operation": operation, "phase": phase}
    _events(report, reader, narrowed, scope)
    if operation_named:
        report.sources = _sources(reader, narrowed, [operation] + ([phase] if phase is not None else []))
        report.records += [c.source for c in report.sources]
    if not public:
        _persons(report, reader, narrowed)
        cases = list(narrowed(Case.objects.filter(**scope)).select_related("owner", "phase").order_by("opened", "id")[: MAX_CASES + 1])
        if len(cases) > MAX_CASES:
            report.left_out["cases"] = narrowed(Case.objects.filter(**scope)).count() - MAX_CASES
            cases = cases[:MAX_CASES]
        report.cases = cases
        report.records += cases
    _figures_chart_map_timeline(report, reader, narrowed, scope)
    return report


def _title(operation, phase, public, named):
    if not named:
        return _("Published figures")
    if phase is None:
        return str(operation)
    return _("%(operation)s – phase %(number)s") % {"operation": operation, "number": phase.number}


def _events(report, reader, narrowed, scope):
    events = list(
        narrowed(Event.objects.filter(**scope))
        .select_related("owner", "phase", "from_country", "to_country")
        .prefetch_related(Prefetch("figures", queryset=Figure.objects.order_by("category", "id")), "countries", "agencies")
        .order_by("date", "id")[: MAX_EVENTS + 1]
    )
    if len(events) > MAX_EVENTS:
        report.left_out["events"] = narrowed(Event.objects.filter(**scope)).count() - MAX_EVENTS
        events = events[:MAX_EVENTS]
    # A linked site is named only when the reader may see it in its own right (as on the event page).
    sites = {s.pk: s for s in narrowed(Site.objects.filter(pk__in={e.site_id for e in events if e.site_id})).select_related("owner", "country")}
    event_ct = ContentType.objects.get_for_model(Event)
    cites = defaultdict(list)
    for c in citations_for(reader, Citation.objects.filter(
            content_type=event_ct, object_id__in=[e.pk for e in events], source__in=narrowed(Source.objects.all()),
    ).select_related("source__owner").order_by("id")):
        cites[c.object_id].append(c)
    report.events = [
        EventLine(event=e, site=sites.get(e.site_id), figures=list(e.figures.all()), citations=cites.get(e.pk, []),
                  participants=[])
        for e in events
    ]
    report.records += events + list(sites.values()) + [c.source for e in report.events for c in e.citations]


def _sources(reader, narrowed, records):
    """Citations of the operation (and phase) whose source the reader may see."""
    out = []
    for record in records:
        out += citations_for(reader, Citation.objects.filter(
            content_type=ContentType.objects.get_for_model(record), object_id=record.pk,
            source__in=narrowed(Source.objects.all()),
        ).select_related("source__owner").order_by("id"))
    return out


def _persons(report, reader, narrowed):
    """The persons taking part in the printed events, grouped by their current status."""
    from liaison.web.views.related import label_of, with_identity_flag

    events = {line.event.pk: line for line in report.events}
    visible = narrowed(Person.objects.all())
    participations = list(
        Participant.objects.filter(event_id__in=list(events), person__in=visible)
        .order_by("event_id", "id")
    )
    person_ids = {p.person_id for p in participations}
    persons = {
        p.pk: p for p in with_identity_flag(
            Person.objects.filter(pk__in=person_ids).select_related("owner"), reader,
        ).prefetch_related(
            Prefetch("statuses", queryset=PersonStatus.objects.select_related("country")),
            Prefetch("nationalities", queryset=Nationality.objects.select_related("country")),
        )[: MAX_PERSONS + 1]
    }
    if len(persons) > MAX_PERSONS:
        report.left_out["persons"] = len(person_ids) - MAX_PERSONS
        persons = dict(list(persons.items())[:MAX_PERSONS])
    roles = defaultdict(list)
    for part in participations:
        person = persons.get(part.person_id)
        if person is None:
            continue
        label = label_of(person)
        withheld = person.protection and not person.identity_readable
        # Free text about a withheld victim ("<name>, 17, ...") goes with her name.
        events[part.event_id].participants.append((label, part.get_role_display(), "" if withheld else part.note, not withheld))
        role = part.get_role_display()
        if role not in roles[person.pk]:
            roles[person.pk].append(role)
    groups = defaultdict(list)
    for person in persons.values():
        status = person.current_status
        groups[status.status if status else ""].append(PersonLine(
            person=person, label=label_of(person), identity=not person.protection or person.identity_readable,
            roles=roles[person.pk], status=status, nationalities=[n.country for n in person.nationalities.all()],
        ))
        if person.protection and person.identity_readable:
            report.revealed.append(person)
    order = [code for code, _label in PersonStatus.Status.choices]
    labels = dict(PersonStatus.Status.choices)
    report.persons_by_status = [
        (str(labels[code]) if code else _("No status recorded"), groups[code])
        for code in order + [""] if groups.get(code)
    ]
    report.records += list(persons.values())


def _figures_chart_map_timeline(report, reader, narrowed, scope):
    """The sections the other parts of the analysis app draw. Each reads through
    the visibility layer for ``reader``; what they return is narrowed again to
    the items this report prints (``max_tlp``, the length limits), so that the
    chart and the timeline never hold more than the marking covers. A part that
    is not installed leaves its section out."""
    phase = scope.get("phase")
    printed = {line.event.pk for line in report.events}
    try:
        from liaison.analysis import charts, figures as figures_part
    except ImportError:
        charts = figures_part = None
    if figures_part is not None:
        report.figures_by = "phase" if phase is None else "category"
        if report.operation_named:
            rows = figures_part.figure_rows(reader, operation=report.operation, phase=phase, by=report.figures_by)
        else:
            # The public version of an operation that is not public: its public
            # events' figures, by category (phases belong to the operation).
            report.figures_by = "category"
            rows = _category_rows(report.events)
        report.figure_rows = [row for row in rows if row.get("event_id") in printed]
        if report.figure_rows:
            svg = charts.figures_svg(report.figure_rows, by=report.figures_by, width=CHART_WIDTH, height=240,
                                     max_bars=CHART_BARS)
            report.chart_svg = svg_text_as_html(svg)
    _map(report)
    _timeline(report, reader, narrowed, phase, printed)


def svg_text_as_html(svg):
    """The chart's SVG with its ``<text>`` taken out and set as HTML over it.

    Why: WeasyPrint draws SVG text one character at a time, unshaped, so Thai,
    Khmer, Lao and Burmese labels fall apart (vowel marks beside their
    consonants). HTML text is laid out by Pango and shaped in every script. The
    picture keeps its size in px (no scaling), so a label placed at the SVG's
    x/y (baseline) lands where matplotlib put it. Inline styles: for the PDF
    only, never served under the Content-Security-Policy. ``liaison.analysis.geo
    .map_html`` does the same for the map. If the SVG is not what we expect,
    it is returned as it is."""
    import xml.etree.ElementTree as ET
    from html import escape

    ns = "{http://www.w3.org/2000/svg}"
    try:
        root = ET.fromstring(svg)
        width, height = float(root.get("width", "").rstrip("px")), float(root.get("height", "").rstrip("px"))
    except (ET.ParseError, ValueError):
        return svg
    labels = []
    for parent in root.iter():
        for node in [child for child in parent if child.tag == f"{ns}text"]:
            text = "".join(node.itertext()).strip()
            transform = node.get("transform", "")
            if transform and not re.fullmatch(r"rotate\(-?0 [-\d.]+ [-\d.]+\)", transform):
                continue  # rotated text stays in the picture
            parent.remove(node)
            if not text:
                continue
            size = float((node.get("font-size") or "11").rstrip("px"))
            x, y = float(node.get("x", 0)), float(node.get("y", 0))
            anchor = node.get("text-anchor", "start")
            if anchor == "end":
                place = f"right:{width - x:.1f}px;text-align:right"
            elif anchor == "middle":
                place = f"left:{x - 150:.1f}px;width:300px;text-align:center"
            else:
                place = f"left:{x:.1f}px"
            weight = "font-weight:700;" if node.get("font-weight") in ("700", "bold") else ""
            colour = node.get("fill") or "#1d2430"
            labels.append(
                f'<span dir="auto" style="position:absolute;top:{y - 1.02 * size:.1f}px;{place};font-size:{size:g}px;'
                f'line-height:{1.25 * size:.1f}px;{weight}color:{escape(colour)};white-space:nowrap">{escape(text)}</span>'
            )
    ET.register_namespace("", ns[1:-1])  # see _weasyprint
    picture = ET.tostring(root, encoding="unicode")
    return (f'<div class="chart-figure" style="position:relative;width:{width:g}px;height:{height:g}px">'
            f'{picture}{"".join(labels)}</div>')


def _category_rows(lines):
    """Rows as ``figures.figure_rows(by="category")`` makes them, from the printed events."""
    labels = dict(Figure.Category.choices)
    order = {code: i for i, code in enumerate(Figure.Category.values)}
    rows = [
        {"label": str(labels.get(f.category, f.category)), "value": f.value, "qualifier": f.qualifier,
         "category": f.category, "detail": line.event.title, "event_id": line.event.pk,
         "cumulative": line.event.is_cumulative, "date": line.event.date, "sort": (0, order.get(f.category, 99))}
        for line in lines for f in line.figures
    ]
    rows.sort(key=lambda r: (r["sort"], -r["value"], r["event_id"]))
    return rows


def _timeline(report, reader, narrowed, phase, printed):
    try:
        from liaison.analysis.timeline_views import timeline_items
    except ImportError:
        return
    from django.urls import reverse

    from liaison.requests.models import Request

    sites = {reverse("web:detail", args=["sites", line.site.pk]) for line in report.events if line.site is not None}
    requests = {}
    if phase is None and report.operation_named:
        found = Request.objects.visible_to(reader).filter(operation=report.operation)
        if report.max_tlp:
            found = found.filter(tlp__in=TLP_ORDER[: TLP_ORDER.index(report.max_tlp) + 1])
        requests = {reverse("requests:detail", args=[r.pk]): r for r in found}
    kept = []
    for item in timeline_items(reader, report.operation, phase):
        if item.kind == "phase" and report.operation_named:
            kept.append(item)
        elif item.kind == "event" and getattr(item.record, "pk", None) in printed:
            kept.append(item)
        elif item.kind == "site" and item.url in sites:
            kept.append(item)
        elif item.kind == "request" and item.url in requests:
            kept.append(item)
            report.extra_tlps.append(requests[item.url].tlp)
    if len(kept) > TIMELINE_LIMIT:
        report.timeline_without_events = True
        kept = [item for item in kept if item.kind != "event"]
    if len(kept) > TIMELINE_LIMIT:
        report.left_out["timeline"] = len(kept) - TIMELINE_LIMIT
        kept = kept[:TIMELINE_LIMIT]
    report.timeline = kept


def _map(report):
    """The printed sites with coordinates, drawn by ``geo.map_svg``."""
    try:
        from liaison.analysis import geo
    except ImportError:
        return
    places = {}
    for line in report.events:
        site = line.site
        if site is not None and site.latitude is not None and site.longitude is not None:
            places.setdefault(site.pk, site)
    report.map_places = sorted(places.values(), key=lambda s: (s.country_id, s.name))
    if report.map_places:
        points = [
            {"lat": float(s.latitude), "lon": float(s.longitude), "label": s.name, "kind": s.kind, "status": s.status}
            for s in report.map_places
        ]
        legend = {code: str(label) for code, label in Site.Status.choices
                  if any(s.status == code for s in report.map_places)}
        # map_html, not map_svg: WeasyPrint draws SVG text glyph by glyph, unshaped
        # (Thai, Khmer, Burmese break); map_html sets the labels as HTML over the picture.
        draw = getattr(geo, "map_html", None) or geo.map_svg
        report.map_svg = draw(points, width=640, height=420, legend=legend, title=_("Map"))


# Rendering ---------------------------------------------------------------------

def css_string(text):
    """``text`` as a CSS string literal: quotes, backslashes, line breaks and
    angle brackets escaped, so no record text can end the string or the sheet."""
    out = []
    for ch in str(text):
        if ch in '"\\<>&' or ch in "\n\r\f" or unicodedata.category(ch) == "Cc":
            out.append("\\%X " % ord(ch))
        else:
            out.append(ch)
    return '"' + "".join(out) + '"'


def page_counter_style():
    """The CSS counter style writing numbers as the reader reads them (native digits or decimal)."""
    from liaison.core.i18n import current_reader
    from liaison.core.localefmt import format_number

    digit = format_number(7, current_reader())[:1]
    if digit.isdigit() and not digit.isascii():
        script = unicodedata.name(digit, "").split(" ")[0]
        return DIGIT_COUNTER_STYLES.get(script, "decimal")
    return "decimal"


def page_number_content(style):
    """The CSS ``content`` of "page 3 of 20" in the reader's language: the
    translated sentence split around its two numbers, which CSS counts."""
    sentence = _("page %(page)s of %(pages)s")
    parts = re.split(r"(%\(page\)s|%\(pages\)s)", sentence)
    out = []
    for part in parts:
        if part == "%(page)s":
            out.append(f"counter(page, {style})")
        elif part == "%(pages)s":
            out.append(f"counter(pages, {style})")
        elif part:
            out.append(css_string(part))
    return " ".join(out)


def margin_css(report, made_line):
    """The margin boxes of every page: marking and handling at top and bottom,
    who made the report and when, and "page 3 of 20"."""
    marking = report.tlp_label
    colour = TLP_COLOURS[report.tlp]
    # A public report carries no handling code: "law-enforcement use only" on a
    # press release would be false, and everything in it is public.
    right = _("Public version") if report.public else report.handling_label
    bottom = marking if report.public else f"{marking} · {report.handling}"
    return f"""
@page {{
  @top-left {{ content: {css_string(marking)}; color: {colour}; }}
  @top-right {{ content: {css_string(right)}; }}
  @bottom-left {{ content: {css_string(bottom)}; color: {colour}; }}
  @bottom-center {{ content: {css_string(made_line)}; }}
  @bottom-right {{ content: {page_number_content(page_counter_style())}; }}
}}
"""


def made_by(user, public=False):
    """Who made the report: the officer and agency; for the public version the
    agency only (an officer's name has no place in a press release)."""
    if user is None or not getattr(user, "pk", None):
        return ""
    if public:
        return user.agency.name if getattr(user, "agency_id", None) else ""
    name = user.get_full_name() if hasattr(user, "get_full_name") else ""
    who = f"{name} ({user.get_username()})" if name else user.get_username()
    if getattr(user, "agency_id", None):
        who += f", {user.agency.short_name}"
    return who


def _refuse_fetch(url, *args, **kwargs):
    """WeasyPrint's URL fetcher: nothing is fetched. The stylesheet is handed in
    as text and charts and maps are inline SVG; a reference in record text (it is
    escaped anyway) or in an SVG must not read a local file or call a server."""
    if url.startswith("data:"):
        from weasyprint.urls import default_url_fetcher

        return default_url_fetcher(url, *args, **kwargs)
    raise ValueError("external resources are not fetched in reports")


def _weasyprint():
    """WeasyPrint's HTML and CSS, imported so that the charts keep working.

    Why: importing WeasyPrint runs ``register_namespace("", "")`` on
    ElementTree's process-wide prefix map (weasyprint/pdf/metadata.py), which
    drops the SVG default namespace ``liaison.analysis.charts`` registers: every
    chart serialised afterwards in the process (pages included) would come out
    as ``<ns0:svg>``, which browsers and WeasyPrint do not draw. The SVG
    registration is put back after the import."""
    import xml.etree.ElementTree as ET

    from weasyprint import CSS, HTML

    ET.register_namespace("", "http://www.w3.org/2000/svg")
    ET.register_namespace("xlink", "http://www.w3.org/1999/xlink")
    return CSS, HTML


def render(report):
    """The PDF (bytes) of a built report. Call inside the reader's language."""
    CSS, HTML = _weasyprint()

    from liaison.core.localefmt import format_datetime

    made_at = format_datetime(report.made_at)
    who = made_by(report.reader, report.public)
    made_line = (_("Made %(when)s by %(who)s") % {"when": made_at, "who": who}) if who else made_at
    html = render_to_string("analysis/report_pdf.html", {
        "report": report, "made_at": made_at, "made_by": who, "made_line": made_line,
        "language": translation.get_language(), "language_bidi": translation.get_language_bidi(),
        "tlp_order": TLP_ORDER,
    })
    stylesheet = finders.find("analysis/report.css")
    document = HTML(string=html, url_fetcher=_refuse_fetch, base_url="about:blank")
    return document.write_pdf(stylesheets=[CSS(filename=stylesheet, url_fetcher=_refuse_fetch),
                                           CSS(string=margin_css(report, made_line), url_fetcher=_refuse_fetch)])


def record_download(user, report):
    """Audit a download as the CSV exports are: one "exported" entry per owner
    agency whose records are in the file, and one access-log entry per protected
    identity printed (as on the person page)."""
    per_owner = Counter(r.owner_id for r in {(type(r), r.pk): r for r in report.records}.values())
    detail = {
        "model": "analysis.operation_report", "operation": report.operation.pk,
        "phase": report.phase.number if report.phase is not None else None, "public": report.public,
        "marking": report.tlp, "language": report.language,
        # Stored, so in one language for every reader of the trail (as the CSV exports' descriptions).
        "description": "public operation report (PDF)" if report.public else "operation report (PDF)",
    }
    with transaction.atomic():
        for owner_id, count in sorted(per_owner.items()):
            audit.record(AuditEntry.Action.EXPORT, user, None, owner_agency=Agency(pk=owner_id), rows=count, **detail)
        for person in report.revealed:
            audit.record(AuditEntry.Action.READ_PROTECTED, user, person, protection=person.protection,
                         description="operation report (PDF)")


def render_pdf(user, operation, phase=None, public=False, *, language=None, max_tlp=None, audited=True):
    """The report of ``operation`` (or its ``phase``) for ``user`` as PDF bytes, in
    ``language`` (default: the active one) with ``user``'s calendar, digits and
    time zone; audited. ``ReportNotAllowed`` if ``user`` may not see the operation."""
    return render_pdf_and_report(user, operation, phase, public, language=language, max_tlp=max_tlp, audited=audited)[0]


def render_pdf_and_report(user, operation, phase=None, public=False, *, language=None, max_tlp=None, audited=True):
    _weasyprint()  # before the chart is drawn: see _weasyprint
    with reading_as(user, language or translation.get_language()):
        report = build(user, operation, phase, public, max_tlp=max_tlp)
        pdf = render(report)
    if audited:
        record_download(user, report)
    return pdf, report


