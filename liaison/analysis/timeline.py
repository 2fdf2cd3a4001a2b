"""What happened when, for an operation or a person, as a reader may see it.

Operation: its phases (spans), its events, the status changes of the sites
those events took place at, and the milestones of the cross-border requests
filed under it. Person: their statuses, the events they took part in, and the
requests naming them. Every record comes through the one visibility layer:
events and sites through ``filter_visible`` (a site is shown only when visible
in its own right, as on the event page), requests only to the two agencies
party to them (``Request.objects.visible_to``), a protected person's notes
only to readers of her identity (as on the person page). Retracted records
are left out for every reader, their owner included (they were withdrawn).

``timeline_items`` and ``person_timeline_items`` return plain ``Item``s in
order; ``timeline_axis.place`` lays them on a proportional axis.
"""
from __future__ import annotations

from dataclasses import dataclass, field

from django.urls import reverse
from django.utils.translation import gettext as _

from liaison.analysis import timeline_axis
from liaison.core.i18n import current_reader
from liaison.operations.models import Event, Operation, Participant, Phase
from liaison.registry.models import Person, PersonStatus, Site
from liaison.requests.models import Request, Status as RequestStatus
from liaison.sharing.visibility import can_see_protected

# Items of the same date: phases first, then what happened, then paperwork.
KIND_ORDER = {"phase": 0, "event": 1, "participation": 1, "status": 2, "site": 3, "request": 4}


@dataclass
class Item:
    """One line of a timeline. ``start``/``end`` are stored partial dates
    ("2023", "2023-11", "--11-18"); ``moment`` a datetime (request milestones).
    ``record`` is the event, for its marking badges; ``phase`` its phase number."""

    kind: str
    title: str
    start: str = ""
    end: str = ""
    moment: object = None
    note: str = ""
    link: tuple = ()  # (URL name, args): reversed only for the items shown
    record: object = None
    phase: int | None = None
    open_end: bool = False
    span: timeline_axis.Span = field(default_factory=timeline_axis.Span)

    @property
    def placed(self):
        return self.span.placed

    @property
    def url(self):
        return reverse(self.link[0], args=self.link[1]) if self.link else ""

    @property
    def fuzzy(self):
        """A single date known only to the month or the year (drawn as a pale band)."""
        return self.moment is None and not self.end and not self.open_end and len(self.start or "") in (4, 7)

    @property
    def when(self):
        """The date as precise as it is known, in the reader's language: "Nov 2023", "2023 – …"."""
        from liaison.core.templatetags.liaison_i18n import day, partial_date_text

        if self.moment is not None:
            return day(self.moment)
        text = partial_date_text(self.start) or ("…" if self.end else "")
        if self.end:
            text += " – " + partial_date_text(self.end)
        elif self.open_end:
            text += " – …"
        return text or _("date not known")

    def __str__(self):
        text = f"{self.when}: {self.title}"
        return f"{text} ({self.note})" if self.note else text

    def sort_key(self):
        if self.span.placed:
            return (0, self.span.first.isoformat(), KIND_ORDER.get(self.kind, 9), self.title)
        # Not on the axis: by phase, then the month and day a yearless date gives.
        return (1, self.phase if self.phase is not None else 10**6, KIND_ORDER.get(self.kind, 9),
                self.start or "~", self.title)


@dataclass
class Timeline:
    items: list
    axis: timeline_axis.Axis
    left_out: int = 0

    def __iter__(self):
        return iter(self.items)

    def __len__(self):
        return len(self.items)

    @property
    def placed(self):
        return [item for item in self.items if item.placed]

    @property
    def unplaced(self):
        return [item for item in self.items if not item.placed]


def lay_out(items, limit=None):
    """``items`` placed on one axis and sorted; beyond ``limit``, the latest are kept."""
    for item in items:
        item.span = timeline_axis.Span(start=item.moment or item.start, end=item.end, open_end=item.open_end)
    axis = timeline_axis.place([item.span for item in items], current_reader())
    items.sort(key=Item.sort_key)
    left_out = 0
    if limit is not None and len(items) > limit:
        left_out = len(items) - limit
        placed = [i for i in items if i.placed]
        keep = set(map(id, placed[-limit:])) if len(placed) >= limit else set(map(id, items[:limit]))
        items = [i for i in items if id(i) in keep]
        axis = timeline_axis.place([item.span for item in items], current_reader())
    return Timeline(items, axis, left_out)


def _kind_labels():
    """Event kinds in the reader's language, translated once (``get_kind_display``
    translates every choice on each call: a tenth of a second per thousand events)."""
    return {code: str(label) for code, label in Event.Kind.choices}


def _event_item(event, visible_ops, kinds, note_extra=""):
    phase = event.phase if event.phase_id and event.operation_id in visible_ops else None
    parts = [kinds.get(event.kind, event.kind)]
    if phase is not None:
        parts.append(_("phase %(n)s") % {"n": phase.number})
    if event.is_cumulative:
        parts.append(_("running total"))
    if note_extra:
        parts.insert(0, note_extra)
    return Item(
        kind="event", title=event.title, start=event.date, end=event.date_end if event.is_cumulative else "",
        note=" · ".join(str(p) for p in parts), link=("web:detail", ["events", event.pk]),
        record=event, phase=phase.number if phase is not None else None,
    )


def _request_items(requests):
    labels = dict(RequestStatus.choices)
    items = []
    for req in requests:
        url = ("requests:detail", [req.pk])
        title = f"{req.reference} – {req.title}"
        milestones = [(req.sent_at, _("Request sent to %(agency)s") % {"agency": req.to_agency.short_name}),
                      (req.acknowledged_at, _("Request acknowledged"))]
        if req.closed_at:
            closed = _("Request closed: %(status)s") % {"status": labels.get(req.status, req.status)}
            milestones.append((req.closed_at, closed))
        for moment, note in milestones:
            if moment:
                items.append(Item(kind="request", title=title, moment=moment, note=note, link=url))
    return items


def _site_items(user, site_ids):
    """The statuses of the visible sites among ``site_ids`` over time, from their
    history: one item per status, from the ``status_since`` the owner gave to
    the next status's (the current one runs on); undated when none was given."""
    sites = Site.objects.visible_to(user).filter(pk__in=site_ids, retracted_at__isnull=True)
    visible = {s.pk: s for s in sites}
    labels = dict(Site.Status.choices)
    changes = {}
    rows = (Site.history.filter(id__in=list(visible)).order_by("id", "history_date", "history_id")
            .values_list("id", "status", "status_since"))
    for site_id, status, since in rows:
        states = changes.setdefault(site_id, [])
        if not states or states[-1] != (status, since or ""):
            states.append((status, since or ""))
    items = []
    for site_id, states in changes.items():
        site = visible[site_id]
        url = ("web:detail", ["sites", site.pk])
        for index, (status, since) in enumerate(states):
            following = states[index + 1][1] if index + 1 < len(states) else ""
            current = index + 1 == len(states)
            items.append(Item(
                kind="site", title=site.name, start=since, end=following if since else "",
                open_end=bool(since) and current,
                note=_("Site status: %(status)s") % {"status": labels.get(status, status)}, link=url,
            ))
    return items


def timeline_items(user, operation, phase=None, *, limit=None):
    """The timeline of ``operation`` (a visible Operation or its id), or of one
    of its phases, for ``user``: a ``Timeline`` (``items`` in order, ``axis``,
    ``left_out``). Nothing of an operation the user may not see."""
    op_id = getattr(operation, "pk", operation)
    if not Operation.objects.visible_to(user).filter(pk=op_id).exists():
        return lay_out([])
    phases = Phase.objects.filter(operation_id=op_id).order_by("number")
    phase_id = getattr(phase, "pk", phase)
    if phase_id is not None:
        phases = phases.filter(pk=phase_id)
    items = [
        Item(kind="phase", title=p.name or _("Phase %(n)s") % {"n": p.number}, start=p.start, end=p.end,
             note=_("Phase %(n)s") % {"n": p.number} if p.name else "", phase=p.number,
             open_end=bool(p.start and not p.end))
        for p in phases
    ]
    events = (Event.objects.visible_to(user).filter(operation_id=op_id, retracted_at__isnull=True)
              .select_related("phase"))
    if phase_id is not None:
        events = events.filter(phase_id=phase_id)
    events = list(events)
    kinds = _kind_labels()
    items += [_event_item(e, {op_id}, kinds) for e in events]
    items += _site_items(user, {e.site_id for e in events if e.site_id})
    if phase_id is None:
        requests = Request.objects.visible_to(user).filter(operation_id=op_id).select_related("to_agency")
        items += _request_items(requests)
    return lay_out(items, limit)


def person_timeline_items(user, person, *, limit=None):
    """The timeline of a visible ``person``: statuses, events they took part in
    (visible ones), requests naming them (to the parties). Notes are shown only
    to readers of a protected person's identity, as on the person page."""
    if not Person.objects.visible_to(user).filter(pk=person.pk).exists():
        return lay_out([])
    identity = not person.protection or can_see_protected(person, user)
    items = []
    for status in PersonStatus.objects.filter(person=person).select_related("country"):
        note = status.note if identity else ""
        items.append(Item(kind="status", title=str(status), start=status.date, note=note))
    visible_events = Event.objects.visible_to(user).filter(retracted_at__isnull=True)
    participations = list(Participant.objects.filter(person=person, event__in=visible_events)
                          .select_related("event__phase"))
    visible_ops = set(Operation.objects.visible_to(user).filter(
        pk__in={p.event.operation_id for p in participations if p.event.operation_id}).values_list("pk", flat=True))
    kinds = _kind_labels()
    for p in participations:
        item = _event_item(p.event, visible_ops, kinds, note_extra=p.get_role_display())
        item.kind = "participation"
        items.append(item)
    requests = (Request.objects.visible_to(user).filter(person_links__person=person)
                .select_related("to_agency").distinct())
    items += _request_items(requests)
    return lay_out(items, limit)
