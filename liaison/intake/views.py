"""Intake pages: take a document in, follow its stages, review its proposed facts.

Thin views: querysets start from ``visible_to`` (another agency's document is
a 404), writes go through ``services`` and ``review``.
"""
import re

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.db.models import Count, Prefetch, Q
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from liaison.web.views.common import url_for, web_view

from . import display, review, services
from .forms import REVIEW_FORMS, QueueFilter, RejectForm, UploadForm
from .models import Document, ProposedFact, Stage, StageStatus

PAGE_SIZE = 50
JOB_REFRESH_SECONDS = 3  # the document page reloads itself while its stages run (no script needed)


def _document(user, pk):
    try:
        return Document.objects.visible_to(user).get(pk=pk)
    except (Document.DoesNotExist, ValueError, TypeError):
        raise Http404 from None


def _proposal(user, pk):
    try:
        return ProposedFact.objects.visible_to(user).select_related("document").get(pk=pk)
    except (ProposedFact.DoesNotExist, ValueError, TypeError):
        raise Http404 from None


def _require_editor(user):
    if not getattr(user, "can_edit", False):
        raise PermissionDenied


def _stages(document):
    by_stage = {s.stage: s for s in document.stages.all()}
    return [by_stage.get(stage) or StageStatus(document=document, stage=stage) for stage in
            [Stage.STORED, Stage.TEXT, Stage.LANGUAGE, Stage.PROPOSE, Stage.REVIEW]]


@web_view
def document_list(request):
    documents = (
        Document.objects.visible_to(request.user).defer("raw", "text")
        .annotate(waiting=Count("proposals", filter=Q(proposals__status=ProposedFact.Status.PROPOSED)))
        .prefetch_related(Prefetch("stages", queryset=StageStatus.objects.order_by("id")))
        .select_related("uploaded_by").order_by("-created_at", "-id")
    )
    page = Paginator(documents, PAGE_SIZE).get_page(request.GET.get("page"))
    rows = [(document, _stages(document)) for document in page.object_list]
    return render(request, "intake/document_list.html", {"page": page, "rows": rows})


@web_view
@require_http_methods(["GET", "POST"])
def upload(request):
    _require_editor(request.user)
    form = UploadForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        upload = form.cleaned_data.get("file")
        try:
            if upload:
                result = services.store(agency=request.user.agency, user=request.user, data=upload.read(),
                                        filename=upload.name, source_kind=form.cleaned_data["source_kind"])
            else:
                result = services.store(agency=request.user.agency, user=request.user, text=form.cleaned_data["text"],
                                        source_kind=form.cleaned_data["source_kind"])
        except services.IntakeError as exc:
            form.add_error(None, str(exc))
        else:
            if result.created:
                run, _created = services.start_stages(result.document, request.user)
                _say_how_it_went(request, run, result.document, result.message,
                                 _("Stored, but “%(stage)s” failed: %(reason)s"))
            else:
                messages.info(request, result.message)
            return redirect("intake:document", pk=result.document.pk)
    return render(request, "intake/upload.html", {"form": form}, status=400 if form.errors else 200)


@web_view
def document_detail(request, pk):
    document = _document(request.user, pk)
    proposals = list(document.proposals.select_related("reviewer", "record_type"))
    return render(request, "intake/document_detail.html", {
        "document": document, "stages": _stages(document), "proposals": proposals,
        "can_edit": request.user.can_edit,
        "runnable": [str(s) for s in services.RUNNABLE],
        "job": services.active_run(document), "refresh_seconds": JOB_REFRESH_SECONDS,
    })


@web_view
@require_POST
def rerun(request, pk, stage):
    _require_editor(request.user)
    document = _document(request.user, pk)
    if stage not in services.RUNNABLE:
        raise Http404
    if services.active_run(document) is not None:
        # A second job would replace the proposals the first is writing: one at a time.
        messages.info(request, _("Liaison is still reading this document. Wait until the stages below are done, "
                                 "then run a stage again if you need to."))
        return redirect("intake:document", pk=document.pk)
    run, _created = services.start_stages(document, request.user, start=stage)
    _say_how_it_went(request, run, document,
                     _("“%(stage)s” ran again, and the stages after it.") % {"stage": Stage(stage).label},
                     _("“%(stage)s” failed: %(reason)s"))
    return redirect("intake:document", pk=document.pk)


def _say_how_it_went(request, run, document, success, failed):
    """The message after asking for the stages: their outcome when the job is already over (no
    broker: it ran before this answer), else that the document page fills in as they finish."""
    run.refresh_from_db(fields=["state"])
    if run.state == run.State.DONE:
        messages.success(request, success)
    elif run.state == run.State.FAILED:
        failure = services.failed_stage(document)
        if failure is not None:
            messages.error(request, failed % {"stage": failure.get_stage_display(), "reason": failure.message})
        else:
            messages.error(request, run.error)
    else:
        messages.info(request, _("Liaison is reading the document now: the stages below fill in as they "
                                 "finish. You can leave this page and come back."))


@web_view
def queue(request):
    user = request.user
    filters = QueueFilter(request.GET or None, user=user)
    proposals = (ProposedFact.objects.visible_to(user).undecided().select_related("document")
                 .defer("document__raw", "document__text").order_by("document__created_at", "document_id", "position"))
    if filters.is_valid():
        if filters.cleaned_data.get("document"):
            proposals = proposals.filter(document=filters.cleaned_data["document"])
        if filters.cleaned_data.get("language"):
            proposals = proposals.filter(document__language=filters.cleaned_data["language"])
        if filters.cleaned_data.get("kind"):
            proposals = proposals.filter(kind=filters.cleaned_data["kind"])
    page = Paginator(proposals, PAGE_SIZE).get_page(request.GET.get("page"))
    rows = [(p, summary(p)) for p in page.object_list]
    return render(request, "intake/queue.html", {"page": page, "rows": rows, "filters": filters,
                                                 "filtered": bool(request.GET.get("document") or request.GET.get("language")
                                                                  or request.GET.get("kind"))})


def summary(proposal):
    """One line saying what the proposal states, for the queue and the document page."""
    data = proposal.data
    if proposal.kind == ProposedFact.Kind.EVENT:
        return display.event_summary(data)  # in the reviewer's language, whatever the report's
    if proposal.kind == ProposedFact.Kind.PERSON:
        return display.person_summary(data)
    return display.name_with_romanisation(data.get("name", ""))


def _highlight(document, proposal):
    """(before, evidence, after) of the document's text around the proposal's evidence."""
    text = document.text
    start, end = proposal.evidence_start, proposal.evidence_end
    if start is None or end is None or not 0 <= start < end <= len(text):
        return text, "", ""
    return text[:start], text[start:end], text[end:]


def _next_url(proposal):
    following = (ProposedFact.objects.filter(document_id=proposal.document_id).undecided()
                 .exclude(pk=proposal.pk).order_by("position").first())
    if following is not None:
        return reverse("intake:review", args=[following.pk]) + "#evidence"
    return reverse("intake:document", args=[proposal.document_id])


ACCEPTING = re.compile(r"accept(_new|:[0-9]{1,18})?")


def _accepted_message(record, created, user):
    if created:
        return _("Accepted: created %(record)s.") % {"record": record}
    if record.owner_id == user.agency_id:
        return _("Accepted: added this report as a source of %(record)s.") % {"record": record}
    # Only when the other agency's record already cites this very report (review.accept).
    return _("Accepted: “%(record)s”, a record of %(agency)s, already cites this report.") % {
        "record": record, "agency": record.owner.short_name}


@web_view
@require_http_methods(["GET", "POST"])
def review_fact(request, pk):
    user = request.user
    proposal = _proposal(user, pk)
    document = proposal.document
    matches = (review.matching_events(user, proposal.data, text=document.text, evidence=proposal.evidence)
               if proposal.kind == ProposedFact.Kind.EVENT else [])
    form_class = REVIEW_FORMS[proposal.kind]
    decision = request.POST.get("decision", "") if request.method == "POST" else ""
    accepting = bool(ACCEPTING.fullmatch(decision))
    form = form_class(request.POST if accepting else None, proposal=proposal, matches=matches)
    reject_form = RejectForm(request.POST if decision == "reject" else None)
    status, elsewhere = 200, None
    if decision:
        _require_editor(user)
        try:
            if accepting and form.is_valid():
                # "accept_new": as a new record of the user's agency; "accept:<id>": on that (own) event.
                target = {"accept": form.cleaned_data.get("target") or None, "accept_new": "new"}.get(
                    decision, decision.partition(":")[2])
                record, created = review.accept(proposal, user, data=form.to_data(), target=target)
                messages.success(request, _accepted_message(record, created, user))
                return redirect(_next_url(proposal))
            if decision == "ask_owner":
                record, draft = review.ask_owner(proposal, user, request.POST.get("owner_record"))
                messages.success(request, _(
                    "Nothing was added to “%(record)s”. Draft request %(ref)s asks %(agency)s to add your report: "
                    "check it, then send it.") % {"record": record, "ref": draft.reference,
                                                  "agency": record.owner.short_name})
                return redirect("requests:detail", pk=draft.pk)
            if decision == "reject" and reject_form.is_valid():
                review.reject(proposal, user, reason=reject_form.cleaned_data["reason"])
                messages.success(request, _("Rejected."))
                return redirect(_next_url(proposal))
            status = 400
        except review.OwnedElsewhere as exc:
            # Not a mistake in the form: say what happened and what can be done instead.
            elsewhere, status = exc, 409
        except review.ReviewError as exc:
            form.add_error(None, str(exc))
            status = 400
    before, evidence, after = _highlight(document, proposal)
    return render(request, "intake/review.html", {
        "proposal": proposal, "document": document, "form": form, "reject_form": reject_form,
        "before": before, "evidence": evidence, "after": after, "matches": matches,
        "record_url": url_for(proposal.record) if proposal.record_id else "",
        "summary": summary(proposal), "can_edit": user.can_edit,
        "figures": display.figures_in_words(proposal.data) if proposal.kind == ProposedFact.Kind.EVENT else "",
        "fact_rows": display.fact_rows(proposal.kind, proposal.data),
        "elsewhere": elsewhere,
        "own_matches": [event for _score, event in matches if event.owner_id == user.agency_id],
    }, status=status)
