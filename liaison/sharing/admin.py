"""Django admin for platform administrators: agencies, sharing groups, accounts.

The platform administrator manages agencies and accounts and never holds an
agency (``User.clean`` and a database constraint), so the visibility rule
gives them public records only. Registry and operations records are
deliberately NOT registered: the admin site bypasses the visibility layer.

No admin page shows or edits a secret: django-otp's device admins (they show
authenticator keys and recovery codes) and django.contrib.auth's groups are
unregistered, the API-token and recovery-code models are never registered,
django-axes' attempt pages lose the typed form data, and the account page has
no password field and no "set password" form. Instead of setting a password,
the administrator *resets* an account (``accounts.reset_credentials``) and
gives the officer a one-time set-up link; nobody can reset their own account,
change their own agency, roles or administrator status here.
"""
from axes.admin import AccessAttemptAdmin as AxesAccessAttemptAdmin
from axes.models import AccessAttempt, AccessFailureLog, AccessLog
from django import forms
from django.contrib import admin, messages
from django.contrib.auth.models import Group
from django.db import transaction
from django.template.response import TemplateResponse
from django.utils.cache import patch_cache_control
from django.utils.translation import gettext, gettext_lazy as _
from django_otp.plugins.otp_static.models import StaticDevice
from django_otp.plugins.otp_totp.models import TOTPDevice
from simple_history.admin import SimpleHistoryAdmin

from liaison.sharing import accounts, otp
from liaison.sharing.models import Agency, Role, SharingGroup, User

# Sign-in logs of every officer (times, addresses, browsers) are the agencies' to
# read in their audit trail, not the platform's: only current lockouts (AccessAttempt,
# below) stay, so that the administrator can lift one.
for model in (TOTPDevice, StaticDevice, Group, AccessLog, AccessFailureLog):
    if admin.site.is_registered(model):
        admin.site.unregister(model)


@admin.register(Agency)
class AgencyAdmin(SimpleHistoryAdmin):
    list_display = ["name", "short_name", "kind", "country", "parent", "is_member"]
    list_filter = ["kind", "is_member", "country"]
    search_fields = ["name", "native_name", "short_name"]
    autocomplete_fields = ["parent"]


@admin.register(SharingGroup)
class SharingGroupAdmin(SimpleHistoryAdmin):
    list_display = ["name"]
    filter_horizontal = ["members"]


AGENCY_ROLES = [choice for choice in Role.choices if choice[0] != Role.PLATFORM_ADMIN]


class AccountForm(forms.ModelForm):
    """An account as the platform administrator sees it: no password field at all."""

    roles = forms.MultipleChoiceField(
        label=_("Roles in the agency"), choices=AGENCY_ROLES, required=False, widget=forms.CheckboxSelectMultiple,
    )
    is_platform_admin = forms.BooleanField(
        label=_("Platform administrator"), required=False,
        help_text=_("Manages agencies and accounts here. A platform administrator holds no agency and no agency "
                    "role, and sees no agency's records."),
    )

    class Meta:
        model = User
        fields = ["username", "first_name", "last_name", "email", "preferred_language", "agency", "roles",
                  "is_active"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if "roles" in self.fields:
            self.initial["roles"] = [r for r in self.instance.roles or [] if r != Role.PLATFORM_ADMIN]
        if "is_platform_admin" in self.fields:
            self.initial["is_platform_admin"] = self.instance.is_platform_admin

    def clean(self):
        data = super().clean()
        # Fields shown read-only (one's own account) keep the account's values.
        is_admin = data.get("is_platform_admin") if "is_platform_admin" in self.fields else self.instance.is_platform_admin
        # An agency on an administrator account is refused by User.clean (run next, with the flags set here).
        if is_admin and data.get("roles"):
            self.add_error("roles", _("A platform administrator holds no agency role: untick the roles."))
        if "is_platform_admin" in self.fields:
            # One switch for both flags: "staff but not superuser" has no meaning here.
            self.instance.is_staff = self.instance.is_superuser = bool(is_admin)
            if "roles" in self.fields:
                data["roles"] = [Role.PLATFORM_ADMIN] if is_admin else list(data.get("roles") or [])
        return data


@admin.register(User)
class UserAdmin(admin.ModelAdmin):
    form = AccountForm
    list_display = ["username", "agency", "roles", "is_platform_admin", "is_active", "last_login"]
    list_filter = ["agency", "is_active", "is_staff"]
    search_fields = ["username", "first_name", "last_name", "email"]
    ordering = ["username"]
    actions = ["reset_credentials"]
    fieldsets = [
        (None, {"fields": ["username", "first_name", "last_name", "email", "preferred_language"]}),
        (_("Agency and roles"), {"fields": ["agency", "roles", "is_platform_admin", "is_active"]}),
        (_("Sign-in"), {"fields": ["second_factor", "last_login", "date_joined"]}),
    ]
    always_readonly = ["second_factor", "last_login", "date_joined"]
    # What nobody changes about their own account: otherwise an administrator
    # could hand themselves an agency and read its records.
    own_readonly = ["agency", "roles", "is_platform_admin", "is_active"]

    @admin.display(boolean=True, description=_("Platform administrator"))
    def is_platform_admin(self, obj):
        return obj.is_platform_admin

    @admin.display(description=_("Second factor"))
    def second_factor(self, obj):
        if obj.pk is None:
            return "—"
        state = gettext("authenticator set up") if otp.has_authenticator(obj) else gettext(
            "no authenticator: sets one up at next sign-in")
        return gettext("%(state)s; %(left)d recovery codes left") % {"state": state, "left": otp.recovery_codes_left(obj)}

    def get_readonly_fields(self, request, obj=None):
        if obj is not None and obj.pk == request.user.pk:
            return [*self.always_readonly, *self.own_readonly]
        return self.always_readonly

    def has_delete_permission(self, request, obj=None):
        return super().has_delete_permission(request, obj) and not (obj is not None and obj.pk == request.user.pk)

    def save_model(self, request, obj, form, change):
        before = accounts.snapshot(User.objects.get(pk=obj.pk)) if change else None
        if not change:
            obj.set_unusable_password()  # the officer chooses it through the set-up link
        if not change or {"agency", "roles"} & set(form.changed_data):
            # A new account, or one moved to an agency or given roles there, works only
            # once an administrator of that agency confirms it (accounts.agency_must_confirm).
            obj.awaits_agency_confirmation = accounts.agency_must_confirm(request.user, obj)
        super().save_model(request, obj, form, change)
        if change:
            accounts.audit_account(request.user, obj, "updated", before=before)
        else:
            accounts.audit_account(request.user, obj, "created", account=accounts.snapshot(obj))

    def response_add(self, request, obj, post_url_continue=None):
        return self._setup_links(request, [(obj, accounts.setup_path(obj))], [], created=True)

    @admin.action(description=_("Reset password and second factor (gives a one-time set-up link)"))
    def reset_credentials(self, request, queryset):
        links, refused = [], []
        for user in queryset.order_by("username"):
            try:
                with transaction.atomic():
                    links.append((user, accounts.reset_credentials(request.user, user)))
            except PermissionError as exc:
                refused.append((user, str(exc)))
        if not links:
            for user, reason in refused:
                self.message_user(request, f"{user.get_username()}: {reason}", messages.ERROR)
            return None
        return self._setup_links(request, links, refused)

    def _setup_links(self, request, links, refused, created=False):
        """The set-up links, on a page that is shown once and never cached."""
        context = {
            **self.admin_site.each_context(request),
            "opts": self.model._meta,
            "title": gettext("New account: set-up link") if created else gettext("Accounts reset: set-up links"),
            "links": [(user, request.build_absolute_uri(path)) for user, path in links],
            "refused": refused,
            "created": created,
            "days": accounts.setup_link_days(),
        }
        response = TemplateResponse(request, "admin/sharing/user/setup_links.html", context)
        patch_cache_control(response, no_store=True, private=True)
        return response


# django-axes keeps the form data of every failed sign-in; on the code step
# that is the code typed, and a mistyped recovery code is nearly the real
# one. The settings mask it before it is stored; the page does not show it either.
if admin.site.is_registered(AccessAttempt):
    admin.site.unregister(AccessAttempt)

    @admin.register(AccessAttempt)
    class AccessAttemptAdmin(AxesAccessAttemptAdmin):
        fieldsets = [fieldset for fieldset in AxesAccessAttemptAdmin.fieldsets
                     if "post_data" not in fieldset[1]["fields"]]
        readonly_fields = [f for f in AxesAccessAttemptAdmin.readonly_fields if f not in ("get_data", "post_data")]
