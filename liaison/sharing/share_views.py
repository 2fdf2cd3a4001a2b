"""Pages where liaison officers decide who sees a record, and where agency
administrators manage their officers and read their agency's audit trail.

Thin views: every rule lives in ``services`` (sharing) and ``visibility``.
"""
import secrets

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.contrib.contenttypes.models import ContentType
from django.core.paginator import Paginator
from django.db import transaction
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy as _l
from django.views.decorators.http import require_http_methods

from liaison.audit.models import AuditEntry
from liaison.core.models import TLP, Distribution, Handling, OwnedRecord
from liaison.sharing import services
from liaison.sharing.models import Agency, Role, Share, SharingGroup, User
from liaison.sharing.visibility import retraction_notice


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
    return record, None


class ShareForm(forms.Form):
    agencies = forms.ModelMultipleChoiceField(queryset=Agency.objects.none(), required=False, label=_l("Agencies"))
    groups = forms.ModelMultipleChoiceField(queryset=SharingGroup.objects.none(), required=False, label=_l("Sharing groups"))
    operations = forms.ModelMultipleChoiceField(
        queryset=None, required=False, label=_l("Operation teams"),
        help_text=_l("Officers assigned to the operation see the record while they are assigned."),
    )
    phases = forms.ModelMultipleChoiceField(queryset=None, required=False, label=_l("Phase teams"))
    include_protected = forms.BooleanField(
        required=False, label=_l("Also reveal protected identities (victims, witnesses, informants)")
    )

    def __init__(self, *args, record, user, **kwargs):
        from liaison.operations.models import Operation, Phase

        super().__init__(*args, **kwargs)
        self.fields["agencies"].queryset = Agency.objects.exclude(pk=record.owner_id).select_related("country")
        self.fields["groups"].queryset = SharingGroup.objects.all()
        operations = Operation.objects.visible_to(user)
        self.fields["operations"].queryset = operations
        self.fields["phases"].queryset = Phase.objects.filter(operation__in=operations).select_related("operation")


class MarkingForm(forms.Form):
    distribution = forms.ChoiceField(choices=Distribution.choices, label=_l("Distribution"))
    tlp = forms.ChoiceField(choices=TLP.choices, label=_l("TLP marking"))
    handling = forms.ChoiceField(choices=Handling.choices, label=_l("Handling code"))


class RetractForm(forms.Form):
    reason = forms.CharField(max_length=500, label=_l("Why is it retracted?"), widget=forms.Textarea(attrs={"rows": 2}))


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
                    created = services.share(
                        request.user, record, share_form.cleaned_data["agencies"], share_form.cleaned_data["groups"],
                        include_protected=share_form.cleaned_data["include_protected"],
                        operations=share_form.cleaned_data["operations"], phases=share_form.cleaned_data["phases"],
                    )
                    messages.success(request, _("Shared with %(n)d new recipient(s).") % {"n": len(created)} if created else _("Those recipients already had this record."))
                    return redirect(request.path)
            elif action == "unshare":
                share_obj = get_object_or_404(
                    Share, pk=request.POST.get("share"), content_type=ContentType.objects.get_for_model(model_class), object_id=record.pk
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
    from liaison.web.views.related import label_of, with_identity_flag

    if model_class.__name__ == "Person":
        record = with_identity_flag(model_class.objects.filter(pk=record.pk), request.user).select_related("owner").get()
    return render(
        request,
        "sharing/record_sharing.html",
        {
            "record": record,
            "record_label": label_of(record),
            "label": label,
            "is_owner": is_owner,
            "can_share": request.user.can_share and (is_owner or services.may_share_onward(record)),
            "recipients": services.recipients_of(record) if is_owner else [],
            "share_form": share_form,
            "marking_form": marking_form,
            "retract_form": retract_form,
        },
    )


def _require_agency_admin(user):
    if not (user.agency_id and user.has_role(Role.AGENCY_ADMIN)):
        raise Http404


class AgencyUserForm(forms.ModelForm):
    roles = forms.MultipleChoiceField(
        choices=[c for c in Role.choices if c[0] != Role.PLATFORM_ADMIN], widget=forms.CheckboxSelectMultiple, label=_l("Roles")
    )

    class Meta:
        model = User
        fields = ["username", "first_name", "last_name", "email", "roles", "is_active"]


@login_required
def agency_users(request):
    _require_agency_admin(request.user)
    users = User.objects.filter(agency_id=request.user.agency_id).order_by("username")
    return render(request, "sharing/agency_users.html", {"users": users, "agency": request.user.agency})


@login_required
@require_http_methods(["GET", "POST"])
def agency_user_edit(request, pk=None):
    _require_agency_admin(request.user)
    # Only users of the administrator's own agency exist here: others are 404.
    instance = get_object_or_404(User, pk=pk, agency_id=request.user.agency_id) if pk else None
    form = AgencyUserForm(request.POST or None, instance=instance, initial={"roles": instance.roles if instance else [Role.VIEWER]})
    temporary_password = None
    if request.method == "POST" and form.is_valid():
        with transaction.atomic():
            user = form.save(commit=False)
            user.agency_id = request.user.agency_id
            user.roles = form.cleaned_data["roles"]
            if instance is None:
                temporary_password = secrets.token_urlsafe(12)
                user.set_password(temporary_password)
            user.save()
        if temporary_password:
            messages.success(
                request,
                _("User %(user)s created. Give them this temporary password in person: %(password)s — they set up their second factor at first login.")
                % {"user": user.username, "password": temporary_password},
            )
        else:
            messages.success(request, _("Saved."))
        return redirect("agency-users")
    return render(request, "sharing/agency_user_form.html", {"form": form, "instance": instance})


@login_required
@require_http_methods(["POST"])
def agency_user_reset_otp(request, pk):
    _require_agency_admin(request.user)
    target = get_object_or_404(User, pk=pk, agency_id=request.user.agency_id)
    from django_otp import devices_for_user

    for device in list(devices_for_user(target, confirmed=None)):
        device.delete()
    messages.success(request, _("Second factor reset: %(user)s enrols a new authenticator at next login.") % {"user": target.username})
    return redirect("agency-users")


@login_required
def agency_audit(request):
    _require_agency_admin(request.user)
    entries = AuditEntry.objects.filter(owner_agency_id=request.user.agency_id).select_related("actor_agency").order_by("-seq")
    action = request.GET.get("action")
    if action in AuditEntry.Action.values:
        entries = entries.filter(action=action)
    page = Paginator(entries, 50).get_page(request.GET.get("page"))
    return render(request, "sharing/agency_audit.html", {"page": page, "actions": AuditEntry.Action.choices, "action": action})


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


class AssignForm(forms.Form):
    officer = forms.ModelChoiceField(queryset=User.objects.none(), label=_l("Officer"))
    phase = forms.ModelChoiceField(queryset=None, required=False, label=_l("Phase"), empty_label=_l("Whole operation"))

    def __init__(self, *args, operation, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["officer"].queryset = User.objects.filter(agency_id=user.agency_id, is_active=True).order_by("username")
        self.fields["phase"].queryset = operation.phases.all()


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
                    OperationAssignment, pk=request.POST.get("assignment"), operation=operation,
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
