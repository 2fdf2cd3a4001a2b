"""Pages of border screening: the checkpoint (one traveller), the manifest upload and
its result, and, for the agency holding a watchlisted record, the hits on it.

A screener's pages show of a hit only the agency to contact, the band, the
fields that agreed and the reference; the hit pages (``hits``) are for the
watching agency and are refused to screening-only accounts by the middleware.
"""
from django.contrib import messages
from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _

from liaison.matching.display import FIELD_LABELS
from liaison.screening import services
from liaison.screening.forms import ManifestForm, TravellerForm
from liaison.screening.manifest import ManifestRefused, check_traveller, parse_manifest
from liaison.screening.models import Screening
from liaison.web.views.common import web_view

PAGE_SIZE = 50
# For the "working…" estimate of the manifest page only (a rough figure, on the
# low side: bench/screening_bench.py measured some 60 names/s at 20,000 watched).
ESTIMATED_NAMES_PER_SECOND = 50
MAX_UPLOAD_BYTES = 5 * 1024 * 1024


def _refuse(request):
    return render(request, "web/forbidden.html", {"reason": _(
        "Your account cannot screen travellers. Ask your agency administrator for the border screening role.")},
        status=403)


def _recent(request):
    return services.runs_for(request.user).filter(user=request.user)[:10]


@web_view
def checkpoint(request):
    if not services.may_screen(request.user):
        return _refuse(request)
    form = TravellerForm(request.POST or None, initial={"place": request.session.get("screening_place", "")})
    rows, errors = None, []
    if request.method == "POST" and form.is_valid():
        traveller, errors = check_traveller(form.values())
        if not errors:
            place = form.cleaned_data["place"]
            request.session["screening_place"] = place
            run, _answers = services.screen(request.user, [traveller], kind=Screening.Kind.CHECKPOINT, place=place)
            rows = services.answer_rows(request.user, run)
    return render(request, "screening/checkpoint.html", {
        "form": form, "rows": rows, "problems": errors, "recent": _recent(request)})


@web_view
def manifest(request):
    if not services.may_screen(request.user):
        return _refuse(request)
    form = ManifestForm(request.POST or None, request.FILES or None,
                        initial={"place": request.session.get("screening_place", "")})
    problems, warnings = [], []
    if request.method == "POST" and form.is_valid():
        upload = form.cleaned_data["file"]
        if upload.size > MAX_UPLOAD_BYTES:
            problems = [_("The file is larger than 5 MB: split the manifest.")]
        else:
            try:
                parsed = parse_manifest(upload.read(), upload.name)
            except ManifestRefused as exc:
                problems = [str(exc)]
            else:
                problems, warnings = parsed.errors, parsed.warnings
                if parsed.ok:
                    place = form.cleaned_data["place"]
                    request.session["screening_place"] = place
                    run, _answers = services.screen(request.user, parsed.travellers, kind=Screening.Kind.MANIFEST,
                                                    place=place, filename=upload.name)
                    for warning in warnings:
                        messages.warning(request, warning)
                    return redirect("screening:run", pk=run.pk)
    return render(request, "screening/manifest.html", {
        "form": form, "problems": problems, "warnings": warnings, "recent": _recent(request),
        "names_per_second": ESTIMATED_NAMES_PER_SECOND})


@web_view
def run_detail(request, pk):
    if not services.may_screen(request.user):
        return _refuse(request)
    run = services.runs_for(request.user).filter(pk=pk).first()
    if run is None:
        raise Http404
    rows = services.answer_rows(request.user, run)
    page = Paginator(rows, PAGE_SIZE).get_page(request.GET.get("page"))
    return render(request, "screening/run.html", {"run": run, "page": page, "rows": page.object_list})


@web_view
def hits(request):
    """The screening hits on the watchlist of the user's agency (the notices' pages)."""
    qs = services.hits_for_owner(request.user).select_related("screening__agency", "screening__user")
    page = Paginator(qs, PAGE_SIZE).get_page(request.GET.get("page"))
    return render(request, "screening/hits.html", {"page": page, "hits": page.object_list})


@web_view
def hit_detail(request, reference):
    hit = services.hits_for_owner(request.user).select_related("screening__agency", "screening__user").filter(
        reference=reference).first()
    if hit is None:
        raise Http404
    fields = [str(FIELD_LABELS.get(f, f)) for f in hit.fields_agreed]
    return render(request, "screening/hit.html", {"hit": hit, "fields": fields})
