"""Link analysis pages: the picture (Cytoscape.js, analysis/graph.js) and the
JSON it asks for as the analyst works (expand, "+N more", path, shared
identifiers, key members, communities) and the export of what is shown.

Views are thin: ``graph_data`` reads everything through the visibility layer.
A record the reader may not see answers 404 exactly like one that does not
exist, in the page and in every JSON answer.
"""
from django import forms
from django.http import HttpResponse, JsonResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET, require_POST

from liaison.analysis import graph_data as gd
from liaison.web import pickers
from liaison.web.views.common import NotVisible, web_view
from liaison.web.widgets import PickField

TYPE_CHOICES = [
    ("person", gettext_lazy("Persons")),
    ("organisation", gettext_lazy("Organisations")),
    ("site", gettext_lazy("Sites")),
    ("identifier", gettext_lazy("Identifiers")),
    ("event", gettext_lazy("Events")),
    ("operation", gettext_lazy("Operations")),
]


class RecordForm(forms.Form):
    """A record to start from, or to find the path to: a searchable picker of
    persons, organisations, sites and identifiers the reader may see."""

    record = PickField(source=pickers.TargetSource(), required=False, label=gettext_lazy("Record"))

    def __init__(self, *args, user, label=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["record"].for_user(user)
        if label:
            self.fields["record"].label = label


def _strings():
    """The words graph.js shows, in the reader's language (data attributes: no inline script)."""
    return {
        "expand": _("Show its links"),
        "hide": _("Hide"),
        "pin": _("Pin in place"),
        "unpin": _("Unpin"),
        "open": _("Open the record"),
        "path-here": _("Path from the start to here"),
        "shared": _("Shared identifiers and addresses"),
        "hidden-record": _("a record you cannot see"),
        "hidden-help": _("A link you may see leads to a record you may not see. Ask its owner agency if you need it."),
        "loading": _("Loading…"),
        "failed": _("The server did not answer. Try again."),
        "no-path": _("No path of at most %(hops)s links between these records among what you may see."),
        "path-found": _("Links on the shortest path: %(hops)s"),
        "path-stopped": _("The search stopped: too many links to follow. Start from a less connected record."),
        "no-shared": _("No identifier or address shared with other records you may see."),
        "key-members": _("Key members"),
        "key-members-help": _("Records that lie between the others in what is shown (betweenness), then the most linked."),
        "links-count": _("links"),  # "links: 5"
        "communities-count": _("Groups found: %(count)s"),
        "nothing-selected": _("Choose a record in the picture to see what you can do with it."),
        "show-again": _("Show again"),
        "truncated": _("The picture stops at %(max)s records; open a record further out to see its own links."),
        "owner": _("Owner agency"),
        "choose-target": _("Choose the record to find the path to."),
        "protected": _("Protected identity"),
        "retracted": _("Retracted by the owner agency"),
    }


@web_view
@require_GET
def graph_page(request):
    """/analysis/graph/?start=person:12: the picture, drawn by analysis/graph.js."""
    start_text = request.GET.get("start") or request.GET.get("record") or ""
    start = None
    if start_text:
        try:
            kind, pk = gd.parse_node(start_text)
        except gd.InvalidNode:
            raise NotVisible() from None
        if kind not in gd.STARTABLE:
            raise NotVisible()
        reader = gd.Reader(request.user)
        key = gd.key_of(kind, pk)
        if not reader.visible({key}):
            raise NotVisible(gd.KINDS[kind], pk)
        gd.reveal_start(reader, key)  # a protected identity shown in the heading: access log, as on its page
        start = reader.node(key)
    context = {
        "start": start,
        "start_form": RecordForm(user=request.user, label=_("Start from")),
        "path_form": RecordForm(user=request.user, label=_("Find the path to"), prefix="path"),
        "types": TYPE_CHOICES,
        "strings": _strings(),
        "limit": gd.DEFAULT_LIMIT,
        "max_nodes": gd.MAX_NODES,
        "urls": {
            "neighbourhood": reverse("analysis:graph-neighbourhood"),
            "path": reverse("analysis:graph-path"),
            "shared": reverse("analysis:graph-shared"),
            "analyse": reverse("analysis:graph-analyse"),
            "export": reverse("analysis:graph-export"),
        },
    }
    if start:
        # The simple drawing (web/views/graph.py) of the same record, for browsers without JavaScript.
        context["drawing_url"] = reverse("web:graph", args=[start["kind"] + "s", start["id"].split(":")[1]])
    return render(request, "analysis/graph_page.html", context)


def _json_error(message, status):
    return JsonResponse({"error": str(message)}, status=status)


def _not_found():
    return _json_error(_("No such record, or not one you may see."), 404)


def _json_view(view):
    """login (via web_view's rules), and the same JSON 404 for every record the reader may not see."""

    @web_view
    def wrapper(request, *args, **kwargs):
        try:
            return view(request, *args, **kwargs)
        except (gd.NotVisible, gd.InvalidNode):
            return _not_found()
        except ValueError as exc:
            return _json_error(exc, 400)

    wrapper.__name__ = view.__name__
    wrapper.__doc__ = view.__doc__
    return wrapper


def _filters(params):
    types = frozenset(t for t in params.getlist("type") if t in gd.KINDS)
    date_from, date_to = gd.parse_period(params.get("from"), params.get("to"))
    return gd.Filters(types=types, date_from=date_from, date_to=date_to)


def _int(params, name, default, low, high):
    try:
        value = int(params.get(name, default))
    except (TypeError, ValueError):
        raise ValueError(_("“%(name)s” must be a whole number.") % {"name": name}) from None
    return max(low, min(value, high))


@_json_view
@require_GET
def neighbourhood(request):
    """The links of a node (``hops`` 1 or 2), a page at a time from ``offset``."""
    params = request.GET
    picture = gd.neighbourhood(
        request.user, params.get("node", ""),
        hops=_int(params, "hops", 1, 1, gd.MAX_HOPS),
        limit=_int(params, "limit", gd.DEFAULT_LIMIT, 1, gd.MAX_LIMIT),
        offset=_int(params, "offset", 0, 0, 10 ** 9),
        filters=_filters(params),
    )
    return JsonResponse(picture.as_json())


@_json_view
@require_GET
def path(request):
    """Shortest paths between ``from`` and ``to`` over what the reader may see."""
    params = request.GET
    result = gd.shortest_path(request.user, params.get("from", ""), params.get("to", ""),
                              max_hops=_int(params, "max_hops", gd.PATH_MAX_HOPS, 1, gd.PATH_MAX_HOPS))
    return JsonResponse(result)


@_json_view
@require_GET
def shared(request):
    """Records sharing an identifier value or an address with the ``node``s."""
    nodes = request.GET.getlist("node")[:20]
    if not nodes:
        raise ValueError(_("Choose a record."))
    return JsonResponse(gd.shared_identifiers(request.user, nodes))


@_json_view
@require_POST
def analyse(request):
    """Key members and communities of the records shown (POSTed as ``node``s)."""
    return JsonResponse(gd.analyse(request.user, request.POST.getlist("node")))


@_json_view
@require_POST
def export(request):
    """What is shown as GraphML or JSON: re-read through the visibility layer, marked, audited."""
    fmt = "json" if request.POST.get("format") == "json" else "graphml"
    marking, text = gd.export(request.user, request.POST.getlist("node"), fmt)
    response = HttpResponse(text, content_type="application/json; charset=utf-8" if fmt == "json"
                            else "application/graphml+xml; charset=utf-8")
    suffix = "json" if fmt == "json" else "graphml"
    response["Content-Disposition"] = f'attachment; filename="link-analysis-TLP-{marking}.{suffix}"'
    return response
