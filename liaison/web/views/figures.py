"""Figures as the sources report them, event by event: never added up.

Reports overlap: the 571 suspects handed over at Muse on 18 November are part
of the 31,000 handed over since September, and a phase's results restate its
raids. Adding figures of different events would invent numbers nobody stated
("more than 70,571 suspects"), so pages list each event's own figures.
"""
from liaison.operations.models import Event


def as_reported(events):
    """``(event, figures)`` for each event that states figures, phase by phase, then by date."""
    rows = [(event, list(event.figures.all())) for event in events]
    rows = [(event, figures) for event, figures in rows if figures]
    rows.sort(key=lambda row: (row[0].phase.number if row[0].phase_id else 10**6, row[0].date or "", row[0].pk))
    return rows


def events_with_figures(user, **filters):
    return (
        Event.objects.visible_to(user).filter(**filters)
        .select_related("phase").prefetch_related("figures").order_by("date", "id")
    )
