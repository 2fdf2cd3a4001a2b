"""Forms of the login steps and of the API-token page."""
from django import forms
from django.contrib.auth.forms import AuthenticationForm
from django.core.exceptions import ValidationError
from django.utils.text import format_lazy
from django.utils.translation import gettext_lazy as _

from liaison.sharing.tokens import MAX_DAYS, ApiToken


class PasswordForm(AuthenticationForm):
    error_messages = {
        # Same message for an unknown user and a wrong password: no hint which.
        "invalid_login": _(
            "The username or the password is wrong. Both are case-sensitive. "
            "After several failed attempts, signing in is blocked for a while."
        ),
        "inactive": _("This account is disabled. Ask your agency administrator."),
    }


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
