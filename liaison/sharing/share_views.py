"""Pages where liaison officers decide who sees a record, and where agency
administrators manage their officers and read their agency's audit trail.

Thin views: every rule lives in ``services`` (sharing) and ``visibility``.
"""
import re

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.contrib.contenttypes.models import ContentType
from django.core.paginator import Paginator
from django.db import transaction
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.cache import add_never_cache_headers
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from liaison.audit.models import AuditEntry
from liaison.core.models import OwnedRecord
from liaison.sharing import services
from liaison.sharing.forms import AgencyUserForm, AssignForm, AuditFilter, MarkingForm, RetractForm, ShareForm, role_names
from liaison.sharing.models import Role, Share, User
from liaison.sharing.visibility import mark_seen, retraction_notice


def posted_id(request, name):
    """The id posted as ``name``, or 404: a form field holding anything but ASCII
    digits ("abc", "1.5", "²") is a missing record, not a server error."""
    value = request.POST.get(name, "")
    if not re.fullmatch(r"[0-9]{1,18}", value):
        raise Http404
    return int(value)


def shareable_model(label):
    """The OwnedRecord model named by "app_label.model", else 404."""
    try:
        app_label, model = label.split(".", 1)
        model_class = ContentType.objects.get_by_natural_key(app_label, model).model_class()
    except (ValueError, ContentType.DoesNotExist):
        raise Http404
    if model_class is None or not issubclass(model_class, OwnedRecord):
        raise Http404
    return model_class


def get_visible_or_404(request, model_class, pk):
    record = model_class.objects.visible_to(request.user).select_related("owner").filter(pk=pk).first()
    if record is None:
        retracted_at = retraction_notice(model_class, pk, request.user)
        if retracted_at:
            return None, render(request, "sharing/retracted.html", {"retracted_at": retracted_at}, status=404)
        raise Http404
    mark_seen(record, request.user)
    return record, None


@login_required
@require_http_methods(["GET", "POST"])
def record_sharing(request, label, pk):
    model_class = shareable_model(label)
    record, response = get_visible_or_404(request, model_class, pk)
    if response:
        return response
    is_owner = request.user.agency_id == record.owner_id
    share_form = ShareForm(record=record, user=request.user)
    marking_form = MarkingForm(initial={"distribution": record.distribution, "tlp": record.tlp, "handling": record.handling})
    retract_form = RetractForm()
    if request.method == "POST":
        action = request.POST.get("action")
        try:
            if action == "share":
                share_form = ShareForm(request.POST, record=record, user=request.user)
                if share_form.is_valid():
                    data = share_form.cleaned_data  # a TLP:RED or onward share has fewer fields
                    created = services.share(
                        request.user, record, data["agencies"], data.get("groups", ()),
                        include_protected=data.get("include_protected", False),
                        operations=data.get("operations", ()), phases=data.get("phases", ()),
                    )
                    messages.success(request, _("Shared with %(n)d new recipient(s).") % {"n": len(created)} if created else _("Those recipients already had this record."))
                    return redirect(request.path)
            elif action == "unshare":
                share_obj = get_object_or_404(
                    Share, pk=posted_id(request, "share"), content_type=ContentType.objects.get_for_model(model_class), object_id=record.pk
                )
                services.unshare(request.user, share_obj)
                messages.success(request, _("Share withdrawn: the recipient no longer sees this record."))
                return redirect(request.path)
            elif action == "marking":
                marking_form = MarkingForm(request.POST)
                if marking_form.is_valid():
                    services.set_marking(request.user, record, **marking_form.cleaned_data)
                    messages.success(request, _("Distribution and marking saved."))
                    return redirect(request.path)
            elif action == "retract":
                retract_form = RetractForm(request.POST)
                if retract_form.is_valid():
                    if request.POST.get("confirm") != "yes" and services.may_retract(request.user, record):
                        # Retracting takes the record from every recipient at once: ask first,
                        # saying how many lose it. (Anyone else gets the service's refusal below.)
                        return render(request, "sharing/retract_confirm.html", {
                            "record": record, "record_label": _label(model_class, record, request.user), "label": label,
                            "reason": retract_form.cleaned_data["reason"],
                            "recipients": len(services.recipients_of(record)),
                        })
                    services.retract(request.user, record, retract_form.cleaned_data["reason"])
                    messages.success(request, _("Retracted: no recipient sees this record any more."))
                    return redirect(request.path)
            elif action == "restore":
                services.restore(request.user, record)
                messages.success(request, _("Retraction withdrawn."))
                return redirect(request.path)
            else:
                messages.error(request, _("Unknown action."))
        except services.SharingError as exc:
            messages.error(request, str(exc))
        except PermissionError as exc:
            messages.error(request, str(exc))
        except services.NotFound:
            raise Http404
    return render(
        request,
        "sharing/record_sharing.html",
        {
            "record": record,
            "record_label": _label(model_class, record, request.user),
            "record_url": _url(record),
            "label": label,
            "is_owner": is_owner,
            "can_share": services.may_share(request.user, record),
            "can_retract": services.may_retract(request.user, record),
            "recipients": services.recipients_of(record) if is_owner else [],
            "share_form": share_form,
            "marking_form": marking_form,
            "retract_form": retract_form,
        },
    )


def _label(model_class, record, user):
    """The record's name as ``user`` may read it ("Protected identity" otherwise)."""
    from liaison.web.views.related import label_of, with_identity_flag

    if model_class.__name__ == "Person":
        record = with_identity_flag(model_class.objects.filter(pk=record.pk), user).get()
    return label_of(record)


def _url(record):
    from liaison.web.views.common import url_for

    return url_for(record)


def _require_agency_admin(user):
    if not (user.agency_id and user.has_role(Role.AGENCY_ADMIN)):
        raise Http404


@login_required
def agency_users(request):
    _require_agency_admin(request.user)
    users = User.objects.filter(agency_id=request.user.agency_id).order_by("username")
    rows = [(u, role_names(u)) for u in users]
    return render(request, "sharing/agency_users.html", {"rows": rows, "agency": request.user.agency})


@login_required
@require_http_methods(["GET", "POST"])
def agency_user_edit(request, pk=None):
    _require_agency_admin(request.user)
    # Only users of the administrator's own agency exist here: others are 404.
    instance = get_object_or_404(User, pk=pk, agency_id=request.user.agency_id) if pk else None
    form = AgencyUserForm(request.POST or None, instance=instance, initial={"roles": instance.roles if instance else [Role.VIEWER]})
    if instance is not None and instance.pk == request.user.pk:
        # Nobody gives themselves roles or switches their own account off: another
        # administrator of the agency does (disabled fields ignore what is posted).
        for name in ("roles", "is_active"):
            form.fields[name].disabled = True
    from liaison.sharing import accounts

    before = accounts.snapshot(instance) if instance is not None else None
    if request.method == "POST" and form.is_valid():
        with transaction.atomic():
            user = form.save(commit=False)
            user.agency_id = request.user.agency_id
            user.roles = form.cleaned_data["roles"]
            if instance is None:
                # No password chosen by the administrator: the officer sets their
                # own through a one-time link, shown once on this response (never
                # in a flash message, which travels in a cookie).
                user.set_unusable_password()
            user.save()
            if before is None:
                accounts.audit_account(request.user, user, "created", account=accounts.snapshot(user))
            else:
                accounts.audit_account(request.user, user, "updated", before=before)
        if instance is None:
            response = render(request, "sharing/agency_user_created.html", {
                "officer": user, "link": request.build_absolute_uri(accounts.setup_path(user)),
                "days": accounts.setup_link_days(),
            })
            add_never_cache_headers(response)
            return response
        messages.success(request, _("Saved."))
        return redirect("agency-users")
    return render(request, "sharing/agency_user_form.html", {"form": form, "instance": instance})


def _act_on_officer(request, pk, act, done):
    """An agency administrator's audited act on one officer of their own agency
    (``act(actor, target)`` from ``accounts``; never on their own account)."""
    _require_agency_admin(request.user)
    target = get_object_or_404(User, pk=pk, agency_id=request.user.agency_id)
    try:
        act(request.user, target)
    except PermissionError as exc:
        messages.error(request, str(exc))
    else:
        messages.success(request, done % {"user": target.username})
    return redirect("agency-users")


@login_required
@require_http_methods(["POST"])
def agency_user_confirm(request, pk):
    """Confirm an account the platform administrator created, moved here or reset."""
    from liaison.sharing import accounts

    return _act_on_officer(request, pk, accounts.confirm_account, _("%(user)s is confirmed and can sign in."))


@login_required
@require_http_methods(["POST"])
def agency_user_reset_otp(request, pk):
    from liaison.sharing import accounts

    return _act_on_officer(request, pk, accounts.reset_second_factor,
                           _("Second factor reset: %(user)s enrols a new authenticator at next login."))


@login_required
def agency_audit(request):
    """The trail of what was done to the agency's records, newest first, filtered
    by action, officer and days; each entry's details as readable text
    (sharing/templatetags/sharing_tags.py), never as stored."""
    _require_agency_admin(request.user)
    entries = AuditEntry.objects.filter(owner_agency_id=request.user.agency_id)
    officers = entries.order_by("actor_name").values_list("actor_name", flat=True).distinct()
    filters = AuditFilter(request.GET or None, actions=AuditEntry.Action.choices, officers=list(officers))
    if filters.is_valid():
        data = filters.cleaned_data
        if data["action"]:
            entries = entries.filter(action=data["action"])
        if data["officer"]:
            entries = entries.filter(actor_name=data["officer"])
        if data["since"]:
            entries = entries.filter(at__date__gte=data["since"])
        if data["until"]:
            entries = entries.filter(at__date__lte=data["until"])
    elif filters.is_bound:
        entries = entries.none()
    entries = entries.select_related("actor_agency").order_by("-seq")
    page = Paginator(entries, 50).get_page(request.GET.get("page"))
    return render(request, "sharing/agency_audit.html", {"page": page, "filters": filters})


EXPORTABLE = {
    "persons": "registry.person",
    "organisations": "registry.organisation",
    "sites": "registry.site",
    "identifiers": "registry.identifier",
    "relationships": "registry.relationship",
    "sources": "registry.source",
    "operations": "operations.operation",
    "events": "operations.event",
    "cases": "operations.case",
}


@login_required
def export(request, kind):
    """CSV download of every record of ``kind`` the user may see (marked, audited)."""
    from django.http import HttpResponse

    from liaison.sharing.exports import export_csv

    if kind not in EXPORTABLE:
        raise Http404
    model_class = shareable_model(EXPORTABLE[kind])
    marking, text = export_csv(model_class.objects.all(), request.user, description=f"{kind} list")
    response = HttpResponse(text, content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="liaison-{kind}-TLP-{marking.replace("+", "-")}.csv"'
    return response


@login_required
@require_http_methods(["GET", "POST"])
def operation_team(request, pk):
    """Who is assigned to a joint operation; agency administrators assign their own officers."""
    from liaison.operations.models import Operation
    from liaison.sharing.models import OperationAssignment

    operation = get_object_or_404(Operation.objects.visible_to(request.user), pk=pk)
    is_admin = bool(request.user.agency_id and request.user.has_role(Role.AGENCY_ADMIN))
    form = AssignForm(request.POST or None, operation=operation, user=request.user) if is_admin else None
    if request.method == "POST" and is_admin:
        try:
            if request.POST.get("action") == "end":
                assignment = get_object_or_404(
                    OperationAssignment, pk=posted_id(request, "assignment"), operation=operation,
                    user__agency_id=request.user.agency_id,
                )
                services.end_assignment(request.user, assignment)
                messages.success(request, _("%(user)s left the operation and no longer sees what was shared with it.") % {"user": assignment.user})
                return redirect(request.path)
            if form.is_valid():
                services.assign(request.user, form.cleaned_data["officer"], operation, form.cleaned_data["phase"])
                messages.success(request, _("Assigned."))
                return redirect(request.path)
        except (PermissionError, services.SharingError) as exc:
            messages.error(request, str(exc))
    assignments = (
        OperationAssignment.objects.filter(operation=operation, left_at__isnull=True)
        .select_related("user__agency", "phase")
        .order_by("user__agency__name", "user__username")
    )
    return render(
        request, "sharing/operation_team.html",
        {"operation": operation, "assignments": assignments, "form": form, "my_agency": request.user.agency_id},
    )
