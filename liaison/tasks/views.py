"""Pages of background jobs, under /tasks/.

- ``/tasks/<id>/``: one job's progress. A ``<progress>`` bar; with JavaScript it polls
  ``/tasks/<id>/status`` (tasks/progress.js), without it the page reloads itself every
  few seconds (``<meta http-equiv="refresh">``) until the job is finished.
- ``/tasks/<id>/status``: the job's state as JSON (no personal data: counts, state,
  the officer's error text, the link to open when done).
- ``/tasks/``: the agency administrator's list of the agency's jobs, failed ones first.

A job exists only for the officer who started it and their agency's administrators
(``services.runs_visible_to``): for everyone else it is a 404, the same answer as
for a job that does not exist, so an id tells nothing.
"""
from django.contrib.auth.decorators import login_required
from django.http import Http404, JsonResponse
from django.shortcuts import get_object_or_404, render
from django.urls import NoReverseMatch, reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET

from liaison.tasks import services
from liaison.tasks.models import TaskRun

REFRESH_SECONDS = 3
LIST_LIMIT = 200


def stage_label(run):
    if run.state == TaskRun.State.QUEUED:
        return _("Waiting for a worker to start the job…")
    if run.state == TaskRun.State.FAILED:
        return _("The job failed.")
    if run.state == TaskRun.State.DONE:
        return _("Finished.")
    return {
        "checking": _("Checking every row…"),
        "saving": _("Saving the persons (all or none)…"),
        "matching": _("Looking for matches with records already in Liaison…"),
        "text": _("Reading the document's text…"),
        "language": _("Recognising the language…"),
        "propose": _("Finding the facts it states…"),
    }.get(run.stage, _("Working…"))


def result_link(run):
    """Where to go when the job is done: the source an import created, the document taken in."""
    if run.kind == TaskRun.Kind.INTAKE and run.params.get("document"):
        return reverse("intake:document", args=[run.params["document"]])
    if run.state != TaskRun.State.DONE or run.kind != TaskRun.Kind.IMPORT_PERSONS or not run.result.get("source"):
        return ""
    try:
        return reverse("web:detail", args=["sources", run.result["source"]])
    except NoReverseMatch:
        return ""


def summary(run):
    if run.kind == TaskRun.Kind.IMPORT_PERSONS and run.state == TaskRun.State.DONE:
        return _("%(n)s persons imported from %(file)s.") % {"n": run.result.get("imported", 0),
                                                             "file": run.params.get("filename", "")}
    return ""


def _run_for(request, pk):
    return get_object_or_404(services.runs_visible_to(request.user), pk=pk)


@login_required
@require_GET
def run_detail(request, pk):
    run = _run_for(request, pk)
    context = {"run": run, "stage": stage_label(run), "link": result_link(run), "summary": summary(run),
               "refresh": 0 if run.finished else REFRESH_SECONDS}
    return render(request, "tasks/run_detail.html", context)


@login_required
@require_GET
def run_status(request, pk):
    run = _run_for(request, pk)
    response = JsonResponse({
        "state": run.state, "finished": run.finished, "done": run.done if run.state != run.State.DONE else run.total,
        "total": run.total, "percent": run.percent, "stage": stage_label(run), "summary": summary(run),
        "errors": run.error_lines() if run.state == run.State.FAILED else [], "link": result_link(run),
    })
    response["Cache-Control"] = "no-store"
    return response


@login_required
@require_GET
def run_list(request):
    if not services.may_list(request.user):
        raise Http404
    runs = TaskRun.objects.filter(agency_id=request.user.agency_id).select_related("user")
    show = request.GET.get("show", "failed")
    if show == "failed":
        runs = runs.filter(state=TaskRun.State.FAILED)
    rows = list(runs.order_by("-created_at", "-id")[:LIST_LIMIT])
    return render(request, "tasks/run_list.html", {"rows": rows, "show": show, "limit": LIST_LIMIT})
