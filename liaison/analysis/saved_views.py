"""Saved searches: save a search or a list's filters, list them, rename, delete,
switch their alerts, and see the records they reported.

Each page shows only the user's own saved searches (another's is 404). The
records a saved search reported are shown again only if the user may still
see them (``web.views.related.resolve``): one withdrawn since is left out, not
counted.
"""
from urllib.parse import urlencode

from django.contrib import messages
from django.contrib.contenttypes.models import ContentType
from django.db import IntegrityError, transaction
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from liaison.analysis import saved_queries
from liaison.analysis.alerts import list_filterset
from liaison.analysis.models import SavedSearch, SavedSearchMatch
from liaison.web.views.common import web_view

# Records shown on a saved search's page (the latest reported first).
SHOWN_MATCHES = 100
# Saved searches per analyst: each is looked at whenever a record they could see
# is saved, so their number is bounded.
MAX_PER_USER = 100


def _require_agency(user):
    # Alerts go to an agency's inbox: an account without one (platform
    # administrators) has none, and sees public records only anyway.
    if not getattr(user, "agency_id", None):
        raise Http404


def _own(request, pk):
    _require_agency(request.user)
    return get_object_or_404(SavedSearch.objects.filter(owner=request.user), pk=pk)


def open_url(saved):
    """The search or list page that runs ``saved`` again."""
    if saved.kind == saved_queries.SEARCH:
        return f"{reverse('web:search')}?{urlencode({'q': saved.query})}"
    url = reverse("web:list", args=[saved.kind])
    return f"{url}?{saved.query}" if saved.query else url


def _list_title(kind):
    from liaison.web.views.pages import LISTS

    return str(LISTS[kind].title)


def describe(saved, user):
    """What ``saved`` looks for, as (label, value) pairs in the reader's language.
    The values are read through the list's own form, whose choices are narrowed
    to what ``user`` may see: a filter on a record no longer visible is not named."""
    if saved.kind == saved_queries.SEARCH:
        return [(_("Search"), saved.query)]
    filterset = list_filterset(saved, user, queryset=_empty(saved.kind))
    rows = [(_("List"), _list_title(saved.kind))]
    if not filterset.is_valid():
        rows.append((_("Filters"), _("Some of these filters no longer apply: this saved search finds nothing.")))
        return rows
    form = filterset.form
    for name, field in form.fields.items():
        value = form.cleaned_data.get(name)
        if value in (None, "", [], ()):
            continue
        choices = dict(getattr(field, "choices", ()) or ())
        if isinstance(value, bool):
            shown = _("Yes") if value else _("No")
        elif not hasattr(value, "pk") and value in choices:
            shown = str(choices[value])
        else:
            shown = str(value)
        rows.append((str(field.label or name), shown))
    if len(rows) == 1:
        rows.append((_("Filters"), _("none: every new record of this list")))
    return rows


def _empty(kind):
    from django.apps import apps

    return apps.get_model(saved_queries.LIST_MODELS[kind]).objects.none()


def _default_name(kind, query, rows):
    if kind == saved_queries.SEARCH:
        return query
    return " · ".join(value for _label, value in rows[:4])[:200]


@web_view
@require_POST
def saved_new(request):
    """Save the search or the list filters the user is looking at."""
    user = request.user
    _require_agency(user)
    kind = request.POST.get("kind", "")
    if kind not in saved_queries.KINDS:
        raise Http404
    raw = request.POST.get("query", "")
    if kind == saved_queries.SEARCH:
        query = saved_queries.clean_search_query(raw)
        if not query:
            messages.error(request, _("Type something to search for before saving the search."))
            return redirect("web:search")
    else:
        from liaison.web.views.pages import LISTS

        allowed = LISTS[kind].filterset.base_filters.keys()
        query = saved_queries.normalise_querystring(raw, allowed)
    saved = SavedSearch(owner=user, kind=kind, query=query)
    rows = describe(saved, user)
    if kind != saved_queries.SEARCH and not list_filterset(saved, user, queryset=_empty(kind)).is_valid():
        messages.error(request, _("These filters cannot be saved: correct them on the list first."))
        return redirect(open_url(saved))
    name = " ".join(request.POST.get("name", "").split())[:200] or _default_name(kind, query, rows)
    alerts = request.POST.get("alerts") == "1"
    existing = SavedSearch.objects.filter(owner=user, kind=kind, query=query).first()
    if existing is not None:
        changed = ["name"]
        existing.name = name
        if alerts and not existing.alerts:
            existing.alerts, existing.alerts_since = True, timezone.now()
            changed += ["alerts", "alerts_since"]
        existing.save(update_fields=changed)
        messages.success(request, _("You had already saved this search: it is now called “%(name)s”.") % {"name": name})
        return redirect(open_url(existing))
    if SavedSearch.objects.filter(owner=user).count() >= MAX_PER_USER:
        messages.error(request, _("You have %(count)s saved searches, the most one may keep: delete one you no longer "
                                  "need first.") % {"count": MAX_PER_USER})
        return redirect("analysis:saved")
    saved.name, saved.alerts = name, alerts
    try:
        with transaction.atomic():
            saved.save()
    except IntegrityError:  # the same search saved twice at once: one row is enough
        pass
    if alerts:
        messages.success(request, _("Saved as “%(name)s”. Your inbox will tell you when a new record you may see "
                                    "matches it.") % {"name": name})
    else:
        messages.success(request, _("Saved as “%(name)s”.") % {"name": name})
    return redirect(open_url(saved))


@web_view
def saved_list(request):
    _require_agency(request.user)
    searches = list(SavedSearch.objects.filter(owner=request.user).order_by("name", "id"))
    for saved in searches:
        saved.description = describe(saved, request.user)
        saved.open_url = open_url(saved)
    return render(request, "analysis/saved_list.html", {"searches": searches})


@web_view
def saved_detail(request, pk):
    """The records a saved search reported that the user may still see, latest first."""
    from liaison.web.views.related import resolve

    saved = _own(request, pk)
    reported = list(SavedSearchMatch.objects.filter(search=saved).order_by("-reported_at", "-id")
                    .values_list("content_type_id", "object_id", "reported_at")[:SHOWN_MATCHES])
    refs = resolve(request.user, [(ct, pk) for ct, pk, _at in reported])
    matches = []
    for ct_id, object_id, reported_at in reported:
        ref = refs[(ct_id, object_id)]
        if ref.visible:
            kind = ContentType.objects.get_for_id(ct_id).model_class()._meta.verbose_name
            matches.append({"ref": ref, "kind": str(kind).capitalize(), "reported_at": reported_at})
    return render(request, "analysis/saved_detail.html", {
        "saved": saved, "description": describe(saved, request.user), "open_url": open_url(saved), "matches": matches,
    })


@web_view
@require_POST
def saved_rename(request, pk):
    saved = _own(request, pk)
    name = " ".join(request.POST.get("name", "").split())[:200]
    if not name:
        messages.error(request, _("Give the saved search a name."))
    else:
        saved.name = name
        saved.save(update_fields=["name"])
        messages.success(request, _("Renamed “%(name)s”.") % {"name": name})
    return redirect("analysis:saved")


@web_view
@require_POST
def saved_alerts(request, pk):
    """Switch alerts on or off. Switched on again, only records new from now on are news."""
    saved = _own(request, pk)
    saved.alerts = request.POST.get("alerts") == "1"
    changed = ["alerts"]
    if saved.alerts:
        saved.alerts_since, saved.last_run = timezone.now(), None
        changed += ["alerts_since", "last_run"]
        messages.success(request, _("Alerts are on for “%(name)s”.") % {"name": saved.name})
    else:
        messages.success(request, _("Alerts are off for “%(name)s”.") % {"name": saved.name})
    saved.save(update_fields=changed)
    return redirect("analysis:saved")


@web_view
@require_POST
def saved_delete(request, pk):
    saved = _own(request, pk)
    name = saved.name
    saved.delete()
    messages.success(request, _("Deleted the saved search “%(name)s”.") % {"name": name})
    return redirect("analysis:saved")
