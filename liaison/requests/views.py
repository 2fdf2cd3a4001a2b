"""Pages of the request desk. Thin: every query starts from
``Request.objects.visible_to(user)``, every write is a call to ``services``."""

import datetime as dt
import re

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.db import transaction
from django.db.models import Count, Exists, IntegerField, OuterRef, Q, Subquery
from django.db.models.functions import Coalesce
from django.http import FileResponse, Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.cache import add_never_cache_headers
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext
from django.views.decorators.http import require_POST

from liaison.operations.models import Event, Operation
from liaison.registry.models import Person
from liaison.requests import kinds, lifecycle, services, stats
from liaison.requests.forms import CommentForm, EndpointForm, RequestForm, StepForm, person_choices
from liaison.requests.models import (
    Attachment,
    Notification,
    Request,
    RequestPerson,
    Status,
    StatusProposal,
    WebhookDelivery,
    WebhookEndpoint,
)
from liaison.sharing.models import Role
from liaison.tasks import once
from liaison.web.views.common import web_view

PAGE_SIZE = 50


def _get(user, pk, *, for_update=False):
    """The request ``pk`` if ``user``'s agency is a party to it, else 404."""
    # Not the operation nor the event: they are the other agency's records,
    # shown only if visible to the user (see _detail_context).
    qs = Request.objects.visible_to(user).select_related("from_agency__country", "to_agency__country", "created_by")
    try:
        return qs.get(pk=pk)
    except (Request.DoesNotExist, ValueError, TypeError):
        raise Http404 from None


def _require_party(user):
    if not getattr(user, "agency_id", None):
        raise Http404


@web_view
def desk(request):
    """Incoming and outgoing requests, filtered by box, status, type, country and due date."""
    user = request.user
    _require_party(user)
    me = user.agency_id
    qs = Request.objects.visible_to(user)
    box = request.GET.get("box", "")
    if box == "incoming":
        qs = qs.filter(to_agency_id=me)
    elif box == "outgoing":
        qs = qs.filter(from_agency_id=me)
    status = request.GET.get("status", "")
    if status == "open":
        qs = qs.filter(status__in=lifecycle.OPEN)
    elif status in Status.values:
        qs = qs.filter(status=status)
    kind = request.GET.get("kind", "")
    if kind in kinds.KINDS:
        qs = qs.filter(kind=kind)
    country = request.GET.get("country", "").upper()[:2]
    if country:
        qs = qs.filter(
            Q(from_agency_id=me, to_agency__country_id=country) | Q(to_agency_id=me, from_agency__country_id=country)
        )
    due = request.GET.get("due", "")
    now = timezone.now()
    if due == "overdue":
        qs = qs.filter(status__in=lifecycle.OPEN, due_at__lt=now)
    elif due == "week":
        qs = qs.filter(status__in=lifecycle.OPEN, due_at__gte=now, due_at__lt=now + dt.timedelta(days=7))
    order = "due_at" if due else "-updated_at"
    # Persons the user can see only: the others are counted nowhere.
    visible_links = (
        RequestPerson.objects.filter(request=OuterRef("pk"))
        .filter(Exists(Person.objects.visible_to(user).filter(pk=OuterRef("person_id"))))
        .order_by()
        .values("request")
        .annotate(n=Count("pk"))
        .values("n")
    )
    qs = (
        qs.select_related("from_agency", "to_agency")
        .annotate(n_persons=Coalesce(Subquery(visible_links, output_field=IntegerField()), 0))
        .order_by(order, "-id")
    )
    page = Paginator(qs, PAGE_SIZE).get_page(request.GET.get("page"))
    mine = Request.objects.visible_to(user)
    counts = mine.aggregate(
        incoming=Count("pk", filter=Q(to_agency_id=me, status__in=lifecycle.OPEN)),
        outgoing=Count("pk", filter=Q(from_agency_id=me, status__in=lifecycle.OPEN)),
        overdue=Count("pk", filter=Q(status__in=lifecycle.OPEN, due_at__lt=now)),
    )
    from liaison.core.models import Country

    country_codes = {
        c for pair in mine.values_list("from_agency__country_id", "to_agency__country_id").distinct() for c in pair if c
    }
    return render(
        request,
        "requests/desk.html",
        {
            "page": page,
            "counts": counts,
            "box": box,
            "status": status,
            "kind": kind,
            "country": country,
            "due": due,
            "statuses": Status.choices,
            "kinds": [(k.code, _(k.label)) for k in kinds.KINDS.values()],
            "countries": Country.objects.filter(code__in=country_codes).order_by("name"),
            "now": now,
            "filtered": any((box, status, kind, country, due)),
            "me": me,
        },
    )


@web_view
def choose_kind(request):
    if not getattr(request.user, "can_edit", False):
        raise PermissionDenied
    return render(
        request,
        "requests/choose.html",
        {"kinds": [(k, _(k.label), _(k.description) if k.description else "") for k in kinds.KINDS.values()]},
    )


def _form_page(request, form, title, req=None, status=200, error=""):
    return render(
        request, "requests/form.html", {"form": form, "title": title, "req": req, "error": error}, status=status
    )


@web_view
def new(request, kind):
    user = request.user
    if kind not in kinds.KINDS:
        raise Http404
    if not getattr(user, "can_edit", False):
        raise PermissionDenied
    spec = kinds.KINDS[kind]
    title = _("New request: %(kind)s") % {"kind": _(spec.label)}
    form = once.add_token(RequestForm(request.POST or None, kind=kind, user=user))
    if request.method == "POST" and form.is_valid():
        d = form.cleaned_data
        try:
            with transaction.atomic():
                # A second POST of this form (double click, resent page) opens the first draft.
                claim = once.claim(request)
                if claim.repeated:
                    return claim.redirect(request)
                req = services.create_request(user, kind=kind, operation=d["operation"], **_draft_fields(d))
                claim.done(reverse("requests:detail", args=[req.pk]))
        except services.RequestError as exc:
            _errors_to_form(form, exc)
            return _form_page(request, form, title, status=exc.status, error=str(exc))
        messages.success(request, _("Draft %(ref)s saved. Check it, then send it.") % {"ref": req.reference})
        return redirect("requests:detail", pk=req.pk)
    return _form_page(request, form, title, status=400 if form.errors else 200)


def _draft_fields(data):
    """What the request form says of a draft, as the services take it (creating and changing alike)."""
    return {
        "to_agency": data["to_agency"],
        "title": data["title"],
        "body": data["body"],
        "persons": data["persons"],
        "fields": data["type_fields"],
        "tlp": data["tlp"],
        "include_protected": data["include_protected"],
    }


def _errors_to_form(form, exc):
    for name, message in (exc.errors or {}).items():
        target = name if name in form.fields else (f"f_{name}" if f"f_{name}" in form.fields else None)
        form.add_error(target, message)


@web_view
def edit(request, pk):
    user = request.user
    req = _get(user, pk)
    if not lifecycle.may_edit(req.status, req.side_for(user), user.roles):
        raise PermissionDenied
    title = _("Change draft %(ref)s") % {"ref": req.reference}
    form = RequestForm(request.POST or None, kind=req.kind, user=user, initial=RequestForm.initial_for(req))
    if request.method == "POST" and form.is_valid():
        d = form.cleaned_data
        try:
            services.update_request(user, req, version=d["version"], **_draft_fields(d))
        except services.RequestError as exc:
            _errors_to_form(form, exc)
            return _form_page(request, form, title, req, status=exc.status, error=str(exc))
        messages.success(request, _("Saved."))
        return redirect("requests:detail", pk=req.pk)
    return _form_page(request, form, title, req, status=400 if form.errors else 200)


def _detail_context(request, req):
    user = request.user
    side = req.side_for(user)
    visible = Person.objects.visible_to(user).filter(pk__in=req.person_links.values("person_id"))
    options = person_choices(user, visible)
    persons = visible.prefetch_related("statuses__country").order_by("sort_name", "id")
    labels = dict(options)
    person_rows = [(p, labels.get(p.pk, ""), p.current_status) for p in persons]
    actions = lifecycle.allowed_actions(req.status, side, user.roles if user.is_active else ())
    step_forms = []
    for action in actions:
        form = StepForm(
            initial={"version": req.version, "persons": [pk for pk, _l in options]},
            person_options=options,
            auto_id=f"id_{action}_%s",
        )
        step_forms.append(
            {
                "action": action,
                "label": ACTION_BUTTONS[action],
                "form": form,
                "needs_reason": lifecycle.needs_reason(action, req.status),
                "records_event": action in ("fulfil", "partly_fulfil") and bool(req.kind_spec.effect),
            }
        )
    return {
        "req": req,
        "side": side,
        "person_rows": person_rows,
        # The requester's operation and the recorded event are records like
        # any other: shown only to those who may see them (one query each).
        "operation": Operation.objects.visible_to(user).filter(pk=req.operation_id).first()
        if req.operation_id
        else None,
        "event": Event.objects.visible_to(user).filter(pk=req.event_id).first() if req.event_id else None,
        "fields": [
            (_(f.label), _(v) if f.type == kinds.CHOICE and v else v, f.type)
            for f, v in kinds.display(req.kind, req.fields)
        ],
        "steps": _step_rows(req),
        "comments": req.comments.select_related("author", "author_agency").prefetch_related("attachments"),
        "step_forms": step_forms,
        "comment_form": CommentForm(),
        "may_edit": lifecycle.may_edit(req.status, side, user.roles),
        "may_comment": lifecycle.may_comment(req.status, side, user.roles),
        **_proposal_context(user, StatusProposal.objects.filter(request=req)),
    }


def _proposal_context(user, proposals):
    """The proposed statuses among ``proposals`` that ``user`` may see, as rows
    (proposal, person label): those their agency must decide, and those it
    proposed to others. Protected identities read as on every other page."""
    rows = list(
        StatusProposal.objects.visible_to(user)
        .filter(pk__in=proposals.values("pk"))
        .select_related("person", "owner", "proposed_by", "country", "request")
        .order_by("-created_at", "-id")
    )
    labels = dict(person_choices(user, Person.objects.filter(pk__in={p.person_id for p in rows}))) if rows else {}
    me = user.agency_id
    # The request and the event are named only to those who may see them.
    parties = set(
        Request.objects.visible_to(user).filter(pk__in={p.request_id for p in rows}).values_list("pk", flat=True)
    )
    events = set(
        Event.objects.visible_to(user).filter(pk__in={p.event_id for p in rows if p.event_id}).values_list("pk", flat=True)
    )
    for p in rows:
        p.person_label = labels.get(p.person_id, "")
        p.shown_request = p.request if p.request_id in parties else None
        p.shown_event_id = p.event_id if p.event_id in events else None
    to_decide = [p for p in rows if p.owner_id == me and p.state == StatusProposal.State.PENDING]
    return {
        "proposals_to_decide": to_decide,
        "proposals_decided": [p for p in rows if p.owner_id == me and p.state != StatusProposal.State.PENDING],
        "proposals_sent": [p for p in rows if p.proposed_by_id == me and p.owner_id != me],
        "may_decide": bool(to_decide) and getattr(user, "can_edit", False),
    }


STEP_LABELS = {
    "create": gettext_lazy("Drafted"),
    "edit": gettext_lazy("Draft changed"),
    "comment": gettext_lazy("Comment"),
    "send": gettext_lazy("Sent"),
    "acknowledge": gettext_lazy("Acknowledged"),
    "start": gettext_lazy("Work started"),
    "fulfil": gettext_lazy("Fulfilled"),
    "partly_fulfil": gettext_lazy("Partly fulfilled"),
    "refuse": gettext_lazy("Refused"),
    "withdraw": gettext_lazy("Withdrawn"),
}


def _step_rows(req):
    labels = dict(Status.choices)
    rows = []
    for s in req.steps.select_related("actor", "actor_agency"):
        change = f"{labels.get(s.from_status, '—')} → {labels.get(s.to_status)}" if s.from_status != s.to_status else ""
        rows.append(
            (
                s.at,
                s.actor.get_username() if s.actor else "",
                s.actor_agency.short_name if s.actor_agency else "",
                STEP_LABELS.get(s.action, s.action),
                change,
                s.reason,
            )
        )
    return rows


ACTION_BUTTONS = {
    "send": gettext_lazy("Send"),
    "acknowledge": gettext_lazy("Acknowledge"),
    "start": gettext_lazy("Start work"),
    "fulfil": gettext_lazy("Fulfilled"),
    "partly_fulfil": gettext_lazy("Partly fulfilled"),
    "refuse": gettext_lazy("Refuse"),
    "withdraw": gettext_lazy("Withdraw"),
}


@web_view
def detail(request, pk):
    req = _get(request.user, pk)
    return render(request, "requests/detail.html", _detail_context(request, req))


def _refused(request, req, exc):
    ctx = _detail_context(request, req)
    ctx["error"] = str(exc)
    ctx["error_list"] = [m for m in (exc.errors or {}).values() if m != str(exc)]
    return render(request, "requests/detail.html", ctx, status=exc.status)


@web_view
@require_POST
def step(request, pk, action):
    user = request.user
    req = _get(user, pk)
    visible = Person.objects.visible_to(user).filter(pk__in=req.person_links.values("person_id"))
    form = StepForm(request.POST, person_options=person_choices(user, visible))
    if not form.is_valid():
        return _refused(request, req, services.BadInput(_("The form was incomplete: reload the page and try again.")))
    d = form.cleaned_data
    # The person boxes are only on the fulfilment form of handovers and repatriations.
    records_event = action in ("fulfil", "partly_fulfil") and bool(req.kind_spec.effect)
    fulfilment = {"date": d["date"], "place": d["place"], "persons": d["persons"] if records_event else None}
    try:
        services.transition(user, req, action, version=d["version"], reason=d["reason"], fulfilment=fulfilment)
    except services.RequestError as exc:
        req = _get(user, pk)
        if _repeat_of_own_step(req, user, action, d["version"]):
            # The same step sent twice (a double click, a resent page): the first one did it.
            messages.info(request, _("%(ref)s is already %(status)s: you sent this step twice, it was taken once.")
                          % {"ref": req.reference, "status": req.get_status_display().lower()})
            return redirect("requests:detail", pk=req.pk)
        return _refused(request, req, exc)
    messages.success(
        request, _("%(ref)s is now %(status)s.") % {"ref": req.reference, "status": req.get_status_display().lower()}
    )
    _tell_outcome(request, getattr(req, "outcome", None))
    return redirect("requests:detail", pk=req.pk)


def _repeat_of_own_step(req, user, action, version):
    """Whether the step refused now is the one this officer took from this very version:
    the request moved exactly one version on, and its last step is theirs and this action."""
    try:
        version = int(version)
    except (TypeError, ValueError):
        return False
    if req.version != version + 1:
        return False
    last = req.steps.order_by("-at", "-id").values("action", "actor_id").first()
    return bool(last and last["action"] == action and last["actor_id"] == user.pk)


def _tell_outcome(request, outcome):
    """Say what fulfilling wrote and what it only proposed (issue 10, item 7)."""
    if not outcome:
        return
    if outcome.get("applied"):
        messages.success(
            request,
            ngettext(
                "The new status was written on %(n)s person your agency owns.",
                "The new status was written on the %(n)s persons your agency owns.",
                outcome["applied"],
            )
            % {"n": outcome["applied"]},
        )
    for agency, n in sorted((outcome.get("proposed") or {}).items()):
        messages.info(
            request,
            ngettext(
                "%(n)s person is a record of %(agency)s: only they can change it, so the new status was sent to "
                "them as a proposal to accept or decline.",
                "%(n)s persons are records of %(agency)s: only they can change them, so the new status was sent "
                "to them as a proposal to accept or decline.",
                n,
            )
            % {"n": n, "agency": agency},
        )


@web_view
@require_POST
def comment(request, pk):
    user = request.user
    req = _get(user, pk)
    form = CommentForm(request.POST, request.FILES)
    form.is_valid()
    try:
        services.add_comment(user, req, form.cleaned_data.get("text", ""), [request.FILES.get("file")])
    except services.RequestError as exc:
        return _refused(request, req, exc)
    messages.success(request, _("Comment added."))
    return redirect(reverse("requests:detail", args=[req.pk]) + "#thread")


@web_view
def attachment(request, pk):
    """Served only to the two agencies, always as a download, never rendered."""
    item = (
        Attachment.objects.filter(pk=pk, request__in=Request.objects.visible_to(request.user))
        .select_related("request")
        .first()
    )
    if item is None:
        raise Http404
    response = FileResponse(
        item.file.open("rb"), as_attachment=True, filename=item.name, content_type=item.content_type
    )
    response["X-Content-Type-Options"] = "nosniff"
    response["Content-Security-Policy"] = "default-src 'none'; sandbox"
    return response


@web_view
def inbox(request):
    user = request.user
    _require_party(user)
    notes = Notification.for_user(user)
    if request.method == "POST":
        # ASCII digits only: str.isdigit() also accepts "²", which int() refuses.
        given = request.POST.getlist("read")
        ids = [int(i) for i in given if re.fullmatch(r"[0-9]{1,18}", i)]
        # No choice means all of them; a choice that names nothing valid, none.
        chosen = notes.filter(pk__in=ids) if given else notes.exclude(read_by=user)
        for note in chosen:
            note.read_by.add(user)
        messages.success(request, _("Marked as read."))
        return redirect("requests:inbox")
    read = Notification.read_by.through.objects.filter(notification_id=OuterRef("pk"), user_id=user.pk)
    qs = notes.annotate(is_read=Exists(read)).order_by("-created_at", "-id")
    page = Paginator(qs, PAGE_SIZE).get_page(request.GET.get("page"))
    return render(request, "requests/inbox.html", {"page": page, "unread": notes.exclude(read_by=user).count()})


@web_view
def proposals(request):
    """Statuses other agencies propose for the agency's records, to accept or
    decline in one click, and those the agency proposed to others."""
    user = request.user
    _require_party(user)
    if request.method == "POST":
        return _decide(request)
    mine = StatusProposal.objects.filter(Q(owner_id=user.agency_id) | Q(proposed_by_id=user.agency_id))
    ctx = _proposal_context(user, mine)
    # Decided ones: the latest only, the page is a worklist, not an archive.
    ctx["proposals_decided"] = ctx["proposals_decided"][:PAGE_SIZE]
    ctx["proposals_sent"] = ctx["proposals_sent"][:PAGE_SIZE]
    return render(request, "requests/proposals.html", ctx)


def _decide(request):
    user = request.user
    decision = request.POST.get("decision", "")
    # ASCII digits only: str.isdigit() also accepts "²", which int() refuses.
    ids = [int(i) for i in request.POST.getlist("proposal") if re.fullmatch(r"[0-9]{1,18}", i)]
    back = reverse("requests:proposals")
    # Back to the request's page when the decision was taken there.
    wanted = request.POST.get("request", "")
    req = (
        Request.objects.visible_to(user).filter(pk=int(wanted)).first()
        if re.fullmatch(r"[0-9]{1,18}", wanted)
        else None
    )
    if req is not None:
        back = reverse("requests:detail", args=[req.pk]) + "#proposals"
    if decision not in ("accept", "decline") or not ids:
        messages.error(request, _("Choose a proposal and whether to accept or decline it."))
        return redirect(back)
    try:
        decided = services.decide_proposals(user, ids, accept=decision == "accept")
    except services.RequestError as exc:
        messages.error(request, str(exc))
        return redirect(back)
    n = len(decided)
    messages.success(
        request,
        (
            ngettext(
                "Accepted: the new status is now on %(n)s of your records.",
                "Accepted: the new status is now on %(n)s of your records.",
                n,
            )
            if decision == "accept"
            else ngettext(
                "Declined: %(n)s of your records keep their status.",
                "Declined: %(n)s of your records keep their status.",
                n,
            )
        )
        % {"n": n},
    )
    return redirect(back)


def _may_see_webhooks(user):
    return bool(getattr(user, "agency_id", None)) and user.has_role(Role.AGENCY_ADMIN, Role.LIAISON_OFFICER)


@web_view
def webhook_log(request):
    user = request.user
    if not _may_see_webhooks(user):
        raise Http404
    form = EndpointForm(request.POST or None) if user.has_role(Role.AGENCY_ADMIN) else None
    if request.method == "POST":
        if form is None:
            raise PermissionDenied
        if form.is_valid():
            try:
                _endpoint, secret = services.add_endpoint(
                    user, form.cleaned_data["url"], form.cleaned_data["description"]
                )
            except services.BadInput as exc:
                form.add_error("url", str(exc))
            else:
                # Shown in this very answer, never through messages (stored in
                # a cookie by default) nor a redirect, and kept out of caches.
                response = _webhook_page(request, user, EndpointForm(), new_secret=secret)
                add_never_cache_headers(response)
                return response
    return _webhook_page(request, user, form)


def _webhook_page(request, user, form, new_secret=""):
    endpoints = WebhookEndpoint.objects.filter(agency_id=user.agency_id).order_by("id")
    deliveries = (
        WebhookDelivery.objects.filter(endpoint__agency_id=user.agency_id)
        .select_related("endpoint", "request")
        .prefetch_related("tries")
        .order_by("-created_at", "-id")
    )
    page = Paginator(deliveries, PAGE_SIZE).get_page(request.GET.get("page"))
    return render(
        request,
        "requests/webhooks.html",
        {"endpoints": endpoints, "page": page, "form": form, "new_secret": new_secret},
        status=400 if form is not None and form.errors else 200,
    )


@web_view
def statistics(request):
    user = request.user
    _require_party(user)
    visible = Request.objects.visible_to(user)
    rows = visible.filter(status__in=lifecycle.DONE, sent_at__isnull=False, closed_at__isnull=False).values_list(
        "kind", "from_agency__country_id", "to_agency__country_id", "sent_at", "closed_at"
    )
    by_kind, by_pair = stats.median_days(rows)
    kind_labels = {k.code: _(k.label) for k in kinds.KINDS.values()}
    # Only persons the user can see are counted (a count is a disclosure too).
    awaiting = stats.awaiting_by_country(
        RequestPerson.objects.filter(
            request__in=visible.filter(kind="repatriation", status__in=lifecycle.OPEN),
            person__in=Person.objects.visible_to(user),
        ).values_list("request__to_agency__country_id", "request__from_agency__country_id", "person_id")
    )
    from liaison.core.models import Country

    names = {c.code: str(c) for c in Country.objects.all()}
    return render(
        request,
        "requests/stats.html",
        {
            "by_kind": [(kind_labels.get(k, k), v) for k, v in by_kind],
            "by_pair": [(names.get(a, a or "—"), names.get(b, b or "—"), v) for (a, b), v in by_pair],
            "awaiting": [
                (names.get(held, held or "—"), names.get(home, home or "—"), n) for (held, home), n in awaiting
            ],
        },
    )
