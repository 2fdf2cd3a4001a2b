"""Timeline pages: an operation's (or one phase's) and a person's.

The items come from ``liaison.analysis.timeline`` (every record through the
visibility layer); ``timeline_items`` is re-exported here for the PDF report.
A page shows at most ``PAGE_LIMIT`` items, the latest, and says how many
more there are (an operation with thousands of events stays readable).
"""
from django.shortcuts import render

from liaison.analysis.timeline import person_timeline_items, timeline_items  # noqa: F401 (the report's entry point)
from liaison.operations.models import Operation, Phase
from liaison.registry.models import Person
from liaison.sharing.visibility import reveal_protected
from liaison.web.views.common import NotVisible, get_visible, web_view

PAGE_LIMIT = 400


@web_view
def operation_timeline(request, pk):
    op = get_visible(Operation.objects.all(), request.user, pk)
    phases = list(Phase.objects.filter(operation=op).order_by("number"))
    phase = None
    wanted = request.GET.get("phase", "")
    if wanted:
        phase = next((p for p in phases if str(p.number) == wanted), None)
        if phase is None:
            raise NotVisible()
    return render(request, "analysis/timeline_page.html", {
        "operation": op, "phases": phases, "phase": phase,
        "timeline": timeline_items(request.user, op, phase, limit=PAGE_LIMIT),
    })


@web_view
def person_timeline(request, pk):
    person = get_visible(Person.objects.all(), request.user, pk)
    identity = reveal_protected(person, request.user)
    return render(request, "analysis/timeline_page.html", {
        "person": person, "identity": identity,
        "timeline": person_timeline_items(request.user, person, limit=PAGE_LIMIT),
    })
