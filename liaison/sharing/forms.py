"""Forms of the login steps, the API-token page, the sharing page and the
agency administrators' pages (officers, operation team, audit trail)."""
from django import forms
from django.contrib.auth.forms import AuthenticationForm
from django.core.exceptions import ValidationError
from django.utils.text import format_lazy
from django.utils.translation import gettext_lazy as _

from liaison.core.models import TLP, Distribution, Handling
from liaison.sharing.models import Agency, Role, SharingGroup, User
from liaison.sharing.tokens import MAX_DAYS, ApiToken
from liaison.web.pickers import Label
from liaison.web.widgets import MultiPicker, Picker


class PasswordForm(AuthenticationForm):
    error_messages = {
        # Same message for an unknown user and a wrong password: no hint which.
        "invalid_login": _(
            "The username or the password is wrong. Both are case-sensitive. "
            "After several failed attempts, signing in is blocked for a while."
        ),
        "inactive": _("This account is disabled. Ask your agency administrator."),
        "unconfirmed": _("This account was set up by the platform administrator and waits for an administrator "
                         "of your agency to confirm it. Ask them; you can sign in once they have."),
    }

    def confirm_login_allowed(self, user):
        super().confirm_login_allowed(user)
        if user.awaits_agency_confirmation:
            raise forms.ValidationError(self.error_messages["unconfirmed"], code="unconfirmed")


class CodeForm(forms.Form):
    code = forms.CharField(
        label=_("Code"),
        max_length=20,
        help_text=_("The 6-digit code your authenticator app shows now, or one of your recovery codes."),
        widget=forms.TextInput(attrs={"autocomplete": "one-time-code", "autofocus": True, "dir": "ltr",
                                      "inputmode": "text", "spellcheck": "false", "autocapitalize": "off"}),
    )


class EnrolForm(forms.Form):
    code = forms.CharField(
        label=_("Code from the app"),
        max_length=10,
        help_text=_("After adding Liaison to your app, type the 6-digit code it shows."),
        widget=forms.TextInput(attrs={"autocomplete": "one-time-code", "inputmode": "numeric", "dir": "ltr"}),
    )


class TokenCreateForm(forms.Form):
    name = forms.CharField(label=_("Name"), max_length=100, help_text=_("What the token is for, e.g. “nightly export”."))
    scope = forms.ChoiceField(
        label=_("Scope"), choices=ApiToken.Scope.choices, initial=ApiToken.Scope.READ,
        help_text=_("Give write access only to programs that must change data."),
    )
    days = forms.IntegerField(
        label=_("Valid for (days)"), min_value=1, max_value=MAX_DAYS, initial=90,
        help_text=format_lazy(_("Between 1 and {max} days."), max=MAX_DAYS),
    )

    def __init__(self, *args, user, **kwargs):
        self.user = user
        super().__init__(*args, **kwargs)

    def save(self):
        try:
            return ApiToken.issue(self.user, self.cleaned_data["name"], self.cleaned_data["scope"], self.cleaned_data["days"])
        except ValidationError as error:
            self.add_error(None, error)
            return None, None


# The sharing page ---------------------------------------------------------------

def agency_label(agency):
    country = agency.country.name if agency.country_id else _("International")
    return Label(f"{agency.short_name} – {agency.name}", f"{country} · {agency.get_kind_display()}")


def _phase_label(phase):
    text = _("%(operation)s – phase %(number)s") % {"operation": phase.operation.name, "number": phase.number}
    return Label(f"{text}: {phase.name}" if phase.name else text, phase.operation.owner.short_name)


class ShareForm(forms.Form):
    """Whom to share a record with: searchable pickers of agencies, sharing
    groups and the operation teams the officer can see."""

    agencies = forms.ModelMultipleChoiceField(
        queryset=Agency.objects.none(), required=False, label=_("Agencies"), widget=MultiPicker,
        help_text=_("Type part of the agency's name, short name or country."),
    )
    groups = forms.ModelMultipleChoiceField(
        queryset=SharingGroup.objects.none(), required=False, label=_("Sharing groups"), widget=MultiPicker,
        help_text=_("Every member agency of the group sees the record."),
    )
    operations = forms.ModelMultipleChoiceField(
        queryset=None, required=False, label=_("Operation teams"), widget=MultiPicker,
        help_text=_("Officers assigned to the operation see the record while they are assigned."),
    )
    phases = forms.ModelMultipleChoiceField(
        queryset=None, required=False, label=_("Phase teams"), widget=MultiPicker,
        help_text=_("Officers assigned to the phase (or to its whole operation) see the record while they are assigned."),
    )
    include_protected = forms.BooleanField(
        required=False, label=_("Also reveal protected identities (victims, witnesses, informants)")
    )

    def __init__(self, *args, record, user, **kwargs):
        from liaison.operations.models import Operation, Phase

        super().__init__(*args, **kwargs)
        agencies = self.fields["agencies"]
        agencies.queryset = Agency.objects.exclude(pk=record.owner_id).select_related("country").order_by("short_name")
        agencies.label_from_instance = agency_label
        groups = self.fields["groups"]
        groups.queryset = SharingGroup.objects.prefetch_related("members").order_by("name")
        groups.label_from_instance = lambda g: Label(g.name, ", ".join(sorted(a.short_name for a in g.members.all())))
        operations = Operation.objects.visible_to(user).select_related("owner")
        self.fields["operations"].queryset = operations.order_by("name", "id")
        self.fields["operations"].label_from_instance = lambda o: Label(o.name, o.owner.short_name)
        self.fields["phases"].queryset = (
            Phase.objects.filter(operation__in=operations).select_related("operation__owner")
            .order_by("operation__name", "number")
        )
        self.fields["phases"].label_from_instance = _phase_label
        if record.tlp == TLP.RED:
            # TLP:RED goes to named agencies only (services.share): offer nothing else.
            for name in ("groups", "operations", "phases"):
                del self.fields[name]
            self.fields["agencies"].help_text = _("TLP:RED records go only to named agencies.")
        if user.agency_id != record.owner_id:
            del self.fields["include_protected"]  # only the owner grants protected fields


class MarkingForm(forms.Form):
    distribution = forms.ChoiceField(choices=Distribution.choices, label=_("Distribution"))
    tlp = forms.ChoiceField(choices=TLP.choices, label=_("TLP marking"))
    handling = forms.ChoiceField(choices=Handling.choices, label=_("Handling code"))


class RetractForm(forms.Form):
    reason = forms.CharField(
        max_length=500, label=_("Why is it retracted?"),
        help_text=_("Recipients are told that the record was retracted, not why."),
        widget=forms.Textarea(attrs={"rows": 2, "dir": "auto"}),
    )


# Agency administrators ----------------------------------------------------------

class AgencyUserForm(forms.ModelForm):
    roles = forms.MultipleChoiceField(
        choices=[c for c in Role.choices if c[0] != Role.PLATFORM_ADMIN], widget=forms.CheckboxSelectMultiple,
        label=_("Roles"),
        help_text=_("Viewers read; analysts also add and change records; liaison officers also share them; "
                    "administrators manage the officers of the agency."),
    )

    class Meta:
        model = User
        fields = ["username", "first_name", "last_name", "email", "roles", "is_active"]
        widgets = {"first_name": forms.TextInput(attrs={"dir": "auto"}), "last_name": forms.TextInput(attrs={"dir": "auto"})}


def role_names(user):
    labels = dict(Role.choices)
    return [str(labels.get(role, role)) for role in user.roles or []]


class AssignForm(forms.Form):
    officer = forms.ModelChoiceField(queryset=User.objects.none(), label=_("Officer"), widget=Picker)
    phase = forms.ModelChoiceField(
        queryset=None, required=False, label=_("Phase"), empty_label=_("Whole operation"),
        help_text=_("“Whole operation” assigns the officer to every phase."),
    )

    def __init__(self, *args, operation, user, **kwargs):
        super().__init__(*args, **kwargs)
        officer = self.fields["officer"]
        officer.queryset = User.objects.filter(agency_id=user.agency_id, is_active=True).order_by("username")
        officer.label_from_instance = lambda u: Label(
            u.get_username(), " · ".join(filter(None, [u.get_full_name(), ", ".join(role_names(u))]))
        )
        self.fields["phase"].queryset = operation.phases.all()


class AuditFilter(forms.Form):
    """The filters of the audit trail: what was done, by whom, between which days."""

    action = forms.ChoiceField(label=_("Action"), required=False, widget=Picker)
    officer = forms.ChoiceField(label=_("Officer"), required=False, widget=Picker)
    since = forms.DateField(label=_("From"), required=False, widget=forms.DateInput(attrs={"type": "date"}))
    until = forms.DateField(label=_("To"), required=False, widget=forms.DateInput(attrs={"type": "date"}))

    def __init__(self, *args, actions, officers, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["action"].choices = [("", _("Any action")), *actions]
        self.fields["officer"].choices = [("", _("Any officer")), *((name, name) for name in officers)]

    def clean(self):
        data = super().clean()
        if data.get("since") and data.get("until") and data["since"] > data["until"]:
            self.add_error("until", _("The end date is before the start date."))
        return data


class ReadingPreferencesForm(forms.ModelForm):
    """How an officer reads Liaison: language, calendar, digits, time zone (issue 14).
    The language is also what their e-mails and inbox notices are written in."""

    class Meta:
        model = User
        fields = ["preferred_language", "date_calendar", "digits", "time_zone"]
        labels = {"preferred_language": _("Language")}
        help_texts = {
            "preferred_language": _("Pages, e-mails and inbox notices are written in this language."),
            "date_calendar": _("For Thai: years of the Buddhist era or of the Gregorian calendar."),
            "digits": _("For Thai, Khmer, Lao and Burmese."),
        }

    def __init__(self, *args, **kwargs):
        from django.conf import settings

        from liaison.core.i18n import TIME_ZONES

        super().__init__(*args, **kwargs)
        self.fields["preferred_language"] = forms.ChoiceField(
            label=_("Language"), choices=settings.LANGUAGES, help_text=self.Meta.help_texts["preferred_language"],
            # Each language is named in itself ("English", "ไทย"): names, not text to translate.
            widget=forms.Select(attrs={"translate": "no"}))
        self.fields["time_zone"] = forms.ChoiceField(label=_("Time zone"), choices=TIME_ZONES, required=False,
                                                     help_text=_("Times on pages and in e-mails are shown in it."))
