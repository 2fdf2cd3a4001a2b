"""The officers' pages of the public side: the triage queue of their agency's
public reports, the public list (publish / take off), statistics."""
from datetime import timedelta

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.db.models import Sum
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy as _l
from django.views.decorators.http import require_POST

from liaison.registry.models import Identifier

from . import counters, services, triage
from .models import (
    Category,
    CheckedIdentifier,
    DailyCount,
    PublicReport,
    PublishedIdentifier,
)


class PublishForm(forms.Form):
    category = forms.ChoiceField(label=_l("Kind of scam"), choices=Category.choices)
    message = forms.CharField(label=_l("Short public message (optional)"), required=False, max_length=300)


@login_required
def queue(request):
    reports = services.reports_for(request.user).select_related("agency")
    state = request.GET.get("status", PublicReport.Status.RECEIVED)
    if state in PublicReport.Status.values:
        reports = reports.filter(status=state)
    return render(request, "public/officer_queue.html", {
        "reports": reports[:200], "state": state, "states": PublicReport.Status.choices})


@login_required
def report(request, pk):
    item = get_object_or_404(services.reports_for(request.user).select_related("agency"), pk=pk)
    own = item.agency_id == request.user.agency_id
    if request.method == "POST":
        action = request.POST.get("action")
        try:
            if action == "message":
                services.send_message(request.user, item, request.POST.get("message", ""))
                messages.success(request, _("Your message is now on the reporter's status page."))
            elif action in ("confirm", "merge"):
                triage.confirm(request.user, item, into=_posted_records(request.POST),
                               person=_posted_id(request.POST.get("person", "new")))
                messages.success(request, _("Confirmed."))
            elif action == "reject":
                services.reject(request.user, item, request.POST.get("reason", ""))
                messages.success(request, _("Not taken further."))
            elif action == "join":
                other = services.reports_for(request.user).filter(
                    reference=request.POST.get("other", "").strip().upper(), agency_id=request.user.agency_id).first()
                if other is None:
                    raise ValueError(_("No report of your agency has this reference."))
                triage.join(request.user, item, other)
                messages.success(request, _("Joined to %(ref)s.") % {"ref": other.reference})
        except (services.NotAllowed, ValueError) as exc:
            messages.error(request, str(exc))
        return redirect("public:officer_report", pk=item.pk)
    # The holding agency of a hit is never sent here (its notice points at its own person).
    hits = item.hits.select_related("holding_agency") if own or item.hits.filter(
        consular_agency_id=request.user.agency_id).exists() else []
    may_triage = services.may_triage(request.user, item)
    deciding = may_triage and item.status == PublicReport.Status.RECEIVED
    registry_person = None
    if own and item.person_id:
        from liaison.matching.services import judgeable_persons

        registry_person = judgeable_persons(request.user).filter(pk=item.person_id).first()
    return render(request, "public/officer_report.html", {
        "report": item, "own": own, "may_triage": may_triage, "deciding": deciding,
        # Another agency's officer (a consul told of a hit) sees no registry record of this agency.
        "choices": triage.identifier_choices(request.user, item) if own else [],
        "identifiers": [] if own else item.identifiers.all(), "attachments": item.attachments.all(),
        "same_persons": triage.same_person_options(request.user, item) if deciding else [],
        "registry_person": registry_person,
        "hits": [{"agency": h.holding_agency.short_name, "band": services._band_label(h.band)} for h in hits],
    })


def _posted_id(value):
    """A record id from the decision form; "new" (or nothing) is None."""
    if value in ("", "new", None):
        return None
    try:
        return int(value)
    except (TypeError, ValueError):
        raise ValueError(_("This choice is not valid: reload the page and choose again.")) from None


def _posted_records(post):
    """{report link id: registry identifier id, or None for a new record} from the radio buttons."""
    return {_posted_id(key.removeprefix("record-")): _posted_id(value)
            for key, value in post.items() if key.startswith("record-")}


@login_required
def public_list(request):
    rows = PublishedIdentifier.objects.filter(owner_id=request.user.agency_id).select_related("published_by")
    return render(request, "public/officer_list.html", {"rows": rows[:500]})


@login_required
def publish(request, pk):
    identifier = Identifier.objects.visible_to(request.user).filter(pk=pk).first()
    if identifier is None or not services.may_publish(request.user, identifier):
        raise Http404
    form = PublishForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        services.publish(request.user, identifier, form.cleaned_data["category"], form.cleaned_data["message"])
        messages.success(request, _("Published: the public check now shows that your agency lists it."))
        return redirect("public:list")
    return render(request, "public/officer_publish.html", {"identifier": identifier, "form": form,
                                                          "listing": services.live_listing(identifier)})


@login_required
@require_POST
def retract(request, pk):
    listing = get_object_or_404(PublishedIdentifier, pk=pk, owner_id=request.user.agency_id)
    try:
        services.retract(request.user, listing)
        messages.success(request, _("Taken off the public list."))
    except services.NotAllowed as exc:
        messages.error(request, str(exc))
    return redirect("public:list")


@login_required
def statistics(request):
    counters.flush()  # this process's counts of the last second too (the other workers' follow within it)
    since = timezone.localdate() - timedelta(days=13)
    counts = {}
    for row in DailyCount.objects.filter(day__gte=since).order_by("-day", "metric", "language"):
        counts.setdefault(row.day, []).append(row)
    top = (CheckedIdentifier.objects.filter(day__gte=since).values("kind", "normalized")
           .annotate(total=Sum("count")).order_by("-total", "normalized")[:20])
    return render(request, "public/officer_statistics.html", {"days": sorted(counts.items(), reverse=True), "top": top})
