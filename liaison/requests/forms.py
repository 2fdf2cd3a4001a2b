"""The request forms: common fields plus the type's own, built from ``kinds``
so that a type's fields and their checks are defined once."""

from django import forms
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from liaison.core.models import TLP
from liaison.operations.models import Operation
from liaison.registry.models import Person
from liaison.requests import kinds
from liaison.sharing.models import Agency
from liaison.sharing.visibility import protected_visible_q
from liaison.web import pickers
from liaison.web.widgets import MultiPickField, Picker


def person_choices(user, queryset=None):
    """(id, label) of persons ``user`` can see, protected identities masked
    unless the user may read them (one query)."""
    qs = queryset if queryset is not None else Person.objects.visible_to(user)
    readable = set(qs.filter(protected_visible_q(Person, user)).values_list("pk", flat=True))
    rows = qs.order_by("sort_name", "id").values_list("pk", "display_name", "protection")
    return [
        (pk, name if (not protection or pk in readable) else _("Protected identity #%(id)s") % {"id": pk})
        for pk, name, protection in rows
    ]


def type_field(f):
    label, help_text = _(f.label), _(f.help) if f.help else ""
    common = {"label": label, "help_text": help_text, "required": False}
    if f.type == kinds.LONGTEXT:
        return forms.CharField(widget=forms.Textarea(attrs={"rows": 4, "dir": "auto"}), **common)
    if f.type == kinds.DATE:
        return forms.CharField(widget=forms.DateInput(attrs={"type": "date"}), **common)
    if f.type == kinds.CHOICE:
        return forms.ChoiceField(choices=[("", "—")] + [(c, _(lbl)) for c, lbl in f.choices], **common)
    if f.type == kinds.BOOL:
        return forms.BooleanField(**common)
    return forms.CharField(widget=forms.TextInput(attrs={"dir": "auto"}), **common)


class RequestForm(forms.Form):
    """Create or change a draft of one request type."""

    title = forms.CharField(label=gettext_lazy("Title"), max_length=300, widget=forms.TextInput(attrs={"dir": "auto"}))
    to_agency = forms.ModelChoiceField(
        label=gettext_lazy("Agency you are asking"), queryset=Agency.objects.none(), widget=Picker
    )
    body = forms.CharField(
        label=gettext_lazy("Details"), required=False, widget=forms.Textarea(attrs={"rows": 5, "dir": "auto"})
    )
    # A search box over every person the user may see (liaison.web.pickers),
    # not a list of all of them to Ctrl-click through.
    persons = MultiPickField(
        source=pickers.SOURCES["persons"],
        label=gettext_lazy("Persons concerned"),
        help_text=gettext_lazy("Type part of a name, or a record number, and choose; you can choose several."),
        required=False,
        coerce=int,
    )
    tlp = forms.ChoiceField(
        label=gettext_lazy("Marking"),
        choices=TLP.choices,
        initial=TLP.AMBER,
        help_text=gettext_lazy("How the requested agency may use this request and the persons " "shared with it."),
    )
    include_protected = forms.BooleanField(
        label=gettext_lazy("Reveal protected identities"),
        required=False,
        help_text=gettext_lazy("Also share the identities of victims and witnesses among the persons."),
    )
    operation = forms.TypedChoiceField(
        label=gettext_lazy("Operation"), required=False, coerce=int, empty_value=None, widget=Picker
    )
    version = forms.IntegerField(widget=forms.HiddenInput, required=False)

    def __init__(self, *args, kind, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.kind, self.user = kinds.get(kind), user
        self.fields["to_agency"].queryset = Agency.objects.exclude(pk=user.agency_id).order_by("short_name")
        self.fields["to_agency"].label_from_instance = lambda a: f"{a.short_name} – {a.name}"
        self.fields["persons"].for_user(user)
        ops = Operation.objects.visible_to(user).order_by("name").values_list("pk", "name")
        self.fields["operation"].choices = [("", "—")] + list(ops)
        self.type_names = []
        for f in self.kind.fields:
            name = f"f_{f.name}"
            self.fields[name] = type_field(f)
            if f.required:
                self.fields[name].widget.attrs["aria-required"] = "true"
                needed = _("Needed to send the request.")
                self.fields[name].help_text = f"{self.fields[name].help_text} {needed}".strip()
            self.type_names.append(name)

    def main_fields(self):
        return [self[n] for n in ("title", "to_agency", "body")]

    def type_fields(self):
        return [self[n] for n in self.type_names]

    def other_fields(self):
        return [self[n] for n in ("persons", "operation", "tlp", "include_protected")]

    def clean(self):
        data = super().clean()
        raw = {f.name: data.get(f"f_{f.name}") for f in self.kind.fields}
        try:
            data["type_fields"] = kinds.validate(
                self.kind.code, raw, persons=len(data.get("persons") or ()), partial=True
            )
        except kinds.FieldErrors as exc:
            for name, message in exc.rendered(_).items():
                self.add_error(f"f_{name}" if f"f_{name}" in self.fields else None, message)
        return data

    @classmethod
    def initial_for(cls, request):
        initial = {
            "title": request.title,
            "to_agency": request.to_agency_id,
            "body": request.body,
            "persons": list(request.person_links.values_list("person_id", flat=True)),
            "tlp": request.tlp,
            "include_protected": request.include_protected,
            "operation": request.operation_id,
            "version": request.version,
        }
        initial.update({f"f_{k}": v for k, v in (request.fields or {}).items()})
        return initial


class StepForm(forms.Form):
    """One step of the life cycle: the version the officer saw, a reason, and
    for a handover or repatriation what actually happened."""

    version = forms.IntegerField(widget=forms.HiddenInput)
    reason = forms.CharField(
        label=gettext_lazy("Reason"), required=False, widget=forms.Textarea(attrs={"rows": 2, "dir": "auto"})
    )
    date = forms.CharField(
        label=gettext_lazy("Date it happened"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    place = forms.CharField(label=gettext_lazy("Place"), required=False, widget=forms.TextInput(attrs={"dir": "auto"}))
    persons = forms.TypedMultipleChoiceField(
        label=gettext_lazy("Persons handed over or repatriated"),
        required=False,
        coerce=int,
        widget=forms.CheckboxSelectMultiple,
    )

    def __init__(self, *args, person_options=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["persons"].choices = list(person_options)


class CommentForm(forms.Form):
    text = forms.CharField(
        label=gettext_lazy("Comment"), required=False, widget=forms.Textarea(attrs={"rows": 3, "dir": "auto"})
    )
    file = forms.FileField(
        label=gettext_lazy("Attach a file"),
        required=False,
        help_text=gettext_lazy("PDF, image (PNG, JPEG), Word or Excel document, text or CSV; " "at most 10 MB."),
    )


class EndpointForm(forms.Form):
    url = forms.URLField(
        label=gettext_lazy("Address of your case system"),
        max_length=500,
        help_text=gettext_lazy("Deliveries are posted to this address only (https, public addresses)."),
    )
    description = forms.CharField(label=gettext_lazy("Description"), max_length=200, required=False)

    def clean_url(self):
        """Refuses internal addresses now, so the administrator hears it at once
        (deliveries check again at each send: DNS answers change)."""
        from liaison.requests import egress, webhooks

        url = self.cleaned_data["url"]
        try:
            webhooks.check_address(url)
        except egress.AddressRefused as exc:
            raise forms.ValidationError(_(exc.reason)) from None
        return url
