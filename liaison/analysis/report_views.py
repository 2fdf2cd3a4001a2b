"""Downloads of operation reports (PDF): liaison/analysis/report.py builds them.

Like every page, the operation and the phase are looked up through the
visibility layer (404 for one the reader may not see); the PDF is made in the
language the page is read in, audited, and never cached.
"""
from django.http import Http404, HttpResponse
from django.shortcuts import render
from django.utils.http import content_disposition_header
from django.utils.text import slugify

from liaison.analysis import report
from liaison.operations.models import Operation
from liaison.web.views.common import get_visible, web_view

MAX_LISTED = 300


@web_view
def operation_report(request, pk, number=None):
    operation = get_visible(
        Operation.objects.select_related("owner", "lead_agency").prefetch_related("countries", "agencies"),
        request.user, pk,
    )
    phase = None
    if number is not None:
        phase = operation.phases.filter(number=number).first()
        if phase is None:
            raise Http404
    public = request.GET.get("public") == "1"
    max_tlp = request.GET.get("max_tlp") or None
    if max_tlp not in (None, *report.TLP_ORDER):
        raise Http404
    try:
        pdf, built = report.render_pdf_and_report(
            request.user, operation, phase, public=public, language=request.LANGUAGE_CODE, max_tlp=max_tlp)
    except report.ReportNotAllowed:
        raise Http404 from None
    name = slugify(operation.name, allow_unicode=True) if built.operation_named else "published-figures"
    parts = [name or f"operation-{operation.pk}"]
    if phase is not None:
        parts.append(f"phase-{phase.number}")
    if public:
        parts.append("public")
    parts.append("TLP-" + built.tlp.replace("+", "-"))
    response = HttpResponse(pdf, content_type="application/pdf")
    response["Content-Disposition"] = content_disposition_header(True, "-".join(parts) + ".pdf")
    response["Cache-Control"] = "private, no-store"
    return response


@web_view
def report_index(request):
    """The operations the reader may see, with their phases: one link per report."""
    operations = list(
        Operation.objects.visible_to(request.user).prefetch_related("phases").order_by("name", "id")[: MAX_LISTED + 1]
    )
    return render(request, "analysis/report_index.html", {
        "operations": operations[:MAX_LISTED], "more": len(operations) > MAX_LISTED,
    })
