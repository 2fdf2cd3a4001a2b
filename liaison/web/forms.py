"""Forms of the web UI. Every choice of another record is narrowed to what the
user may see (``visible_to``), so a form never lists or accepts a record the
user does not know exists.
"""
from django import forms
from django.contrib.contenttypes.models import ContentType
from django.forms import BaseInlineFormSet, inlineformset_factory
from django.utils.translation import gettext_lazy as _

from liaison.operations.models import Case, CrimeType, Event, Figure, Operation, Phase
from liaison.registry.models import (
    Citation, Identifier, Nationality, Organisation, Person, PersonName, Relationship, Site, Source,
)
from liaison.sharing import services
from liaison.sharing.models import Agency
from liaison.web import pickers
from liaison.web.widgets import PickField

MARKING = ["distribution", "tlp", "handling", "handling_note", "accuracy", "is_synthetic", "notes"]
DATE_HELP = _("As precise as the source: YYYY, YYYY-MM, YYYY-MM-DD, or --MM-DD when the year is unknown.")


class UserForm(forms.ModelForm):
    """A ModelForm that knows the user, to narrow record choices to visible ones."""

    date_fields = ()

    def __init__(self, *args, user, **kwargs):
        self.user = user
        super().__init__(*args, **kwargs)
        for name in self.date_fields:
            if name in self.fields:
                self.fields[name].help_text = DATE_HELP
                self.fields[name].widget.attrs.setdefault("placeholder", "YYYY-MM-DD")
        if "notes" in self.fields:
            self.fields["notes"].widget.attrs["rows"] = 3
        self.marking_note = None
        if self.instance.pk is not None and not services.may_set_marking(user, self.instance):
            # Changing who may see a record is the marking action's, role-checked
            # and audited (sharing.services.set_marking); an analyst sees it read-only.
            # A disabled field ignores whatever is posted for it.
            for name in services.MARKING_FIELDS:
                if name in self.fields:
                    self.fields[name].disabled = True
            self.marking_note = _("Only a liaison officer of your agency can change the distribution, TLP marking, "
                                  "handling code and restriction of this record. You can change everything else.")

    def marking_changes(self):
        """The marking fields this submission changes on an existing record (for ``services.set_marking``)."""
        if self.instance.pk is None:
            return {}
        return {name: self.cleaned_data[name] for name in services.MARKING_FIELDS
                if name in self.fields and name in self.changed_data}

    def marking_fields(self):
        return [self[name] for name in MARKING if name in self.fields]

    def main_fields(self):
        return [self[name] for name in self.fields if name not in MARKING]


class PersonForm(UserForm):
    date_fields = ("birth_date",)

    class Meta:
        model = Person
        fields = ["sex", "birth_date", "birth_place", "protection", *MARKING]


class PersonNameForm(forms.ModelForm):
    class Meta:
        model = PersonName
        fields = ["full_name", "kind", "language", "script"]
        widgets = {"full_name": forms.TextInput(attrs={"dir": "auto", "size": 30})}


class NationalityForm(forms.ModelForm):
    class Meta:
        model = Nationality
        fields = ["country", "acquired", "acquired_on", "status", "status_since"]


NameFormSet = inlineformset_factory(
    Person, PersonName, form=PersonNameForm, extra=2, min_num=1, validate_min=True, can_delete=True
)
NationalityFormSet = inlineformset_factory(Person, Nationality, form=NationalityForm, extra=1, can_delete=True)


class OrganisationForm(UserForm):
    class Meta:
        model = Organisation
        fields = ["name", "aliases", "kind", "country", "area", *MARKING]
        widgets = {"name": forms.TextInput(attrs={"dir": "auto"}), "aliases": forms.Textarea(attrs={"dir": "auto", "rows": 3})}


class SiteForm(UserForm):
    date_fields = ("status_since",)

    class Meta:
        model = Site
        fields = ["name", "aliases", "kind", "country", "admin_area", "locality", "latitude", "longitude",
                  "status", "status_since", "operator", *MARKING]
        widgets = {"name": forms.TextInput(attrs={"dir": "auto"}), "aliases": forms.Textarea(attrs={"dir": "auto", "rows": 3})}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["operator"].queryset = Organisation.objects.visible_to(self.user)


class IdentifierForm(UserForm):
    class Meta:
        model = Identifier
        fields = ["kind", "value", "country", "label", *MARKING]
        help_texts = {"country": _("Needed for a phone number written without its country code.")}

    def clean(self):
        data = super().clean()
        # Model.clean (run after this) normalises; checking the duplicate here needs the
        # canonical form, so normalise once more and skip when the value is invalid.
        from liaison import identifiers as idf

        try:
            country = data.get("country")
            normalized = idf.normalize(data.get("kind"), data.get("value"), country.pk if country else None)
        except (idf.IdentifierError, TypeError):
            return data
        agency_id = self.instance.owner_id or self.user.agency_id
        clash = Identifier.objects.filter(owner_id=agency_id, kind=data.get("kind"), normalized=normalized).exclude(pk=self.instance.pk)
        if clash.exists():
            self.add_error("value", _("Your agency already has this identifier (%(value)s): open it instead of adding it again.") % {"value": normalized})
        return data


class EventForm(UserForm):
    date_fields = ("date", "date_end")

    class Meta:
        model = Event
        fields = ["kind", "title", "date", "date_end", "place", "site", "countries", "from_country", "to_country",
                  "agencies", "operation", "phase", "is_cumulative", "description", *MARKING]
        widgets = {"title": forms.TextInput(attrs={"dir": "auto", "size": 60}),
                   "countries": forms.SelectMultiple(attrs={"size": 6}),
                   "agencies": forms.SelectMultiple(attrs={"size": 6})}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        operations = Operation.objects.visible_to(self.user)
        self.fields["site"].queryset = Site.objects.visible_to(self.user)
        self.fields["operation"].queryset = operations
        self.fields["phase"].queryset = Phase.objects.filter(operation__in=operations).select_related("operation")
        self.fields["agencies"].queryset = Agency.objects.all()


class OperationForm(UserForm):
    # The model keeps crime types as a JSON list of codes; officers tick them.
    crime_types = forms.MultipleChoiceField(
        label=_("Crime types"), choices=CrimeType.choices, required=False, widget=forms.CheckboxSelectMultiple,
    )
    date_fields = ("start", "end")

    class Meta:
        model = Operation
        fields = ["name", "native_name", "description", "crime_types", "lead_agency", "agencies", "countries",
                  "start", "end", *MARKING]
        widgets = {"name": forms.TextInput(attrs={"dir": "auto", "size": 40}),
                   "native_name": forms.TextInput(attrs={"dir": "auto", "size": 40}),
                   "description": forms.Textarea(attrs={"dir": "auto", "rows": 5}),
                   "agencies": forms.SelectMultiple(attrs={"size": 6}),
                   "countries": forms.SelectMultiple(attrs={"size": 6})}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["lead_agency"].queryset = Agency.objects.all()
        self.fields["agencies"].queryset = Agency.objects.all()
        # A code stored by an import but unknown here stays ticked, so saving
        # reports it (Operation.clean) instead of dropping it without a word.
        known = set(CrimeType.values)
        unknown = [code for code in (self.instance.crime_types or []) if code not in known]
        if unknown:
            self.fields["crime_types"].choices = [*CrimeType.choices, *((code, code) for code in unknown)]


class PhaseForm(forms.ModelForm):
    class Meta:
        model = Phase
        fields = ["number", "name", "start", "end", "description"]
        widgets = {"number": forms.NumberInput(attrs={"min": 1, "style": "inline-size: 5em"}),
                   "name": forms.TextInput(attrs={"dir": "auto", "size": 20}),
                   "start": forms.TextInput(attrs={"placeholder": "YYYY-MM-DD", "size": 11, "title": DATE_HELP}),
                   "end": forms.TextInput(attrs={"placeholder": "YYYY-MM-DD", "size": 11, "title": DATE_HELP}),
                   "description": forms.Textarea(attrs={"dir": "auto", "rows": 2, "cols": 30})}


class BasePhaseFormSet(BaseInlineFormSet):
    def get_unique_error_message(self, unique_check):
        # Django's default names the fields ("operation and number"); officers need to know what to change.
        if "number" in unique_check:
            return _("Two phases have the same number. Give each phase of the operation its own number.")
        return super().get_unique_error_message(unique_check)

    def get_form_error(self):
        return _("This phase number is already used above.")


PhaseFormSet = inlineformset_factory(
    Operation, Phase, form=PhaseForm, formset=BasePhaseFormSet, extra=2, can_delete=True,
)


class CaseForm(UserForm):
    date_fields = ("opened",)

    class Meta:
        model = Case
        fields = ["reference", "title", "crime_type", "status", "operation", "phase", "opened", *MARKING]
        labels = {"operation": _("Operation"), "phase": _("Phase")}
        help_texts = {"phase": _("Leave empty when the case is not tied to one phase.")}
        widgets = {"reference": forms.TextInput(attrs={"dir": "auto", "size": 30}),
                   "title": forms.TextInput(attrs={"dir": "auto", "size": 60})}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        operations = Operation.objects.visible_to(self.user)
        self.fields["operation"].queryset = operations
        phases = self.fields["phase"]
        phases.queryset = Phase.objects.filter(operation__in=operations).select_related("operation")
        # Phases are often unnamed: each option says which operation it belongs to.
        phases.label_from_instance = phase_label

    def clean(self):
        data = super().clean()
        operation, phase = data.get("operation"), data.get("phase")
        if phase is not None and operation is None:
            data["operation"] = phase.operation
        elif phase is not None and phase.operation_id != operation.pk:
            self.add_error("phase", _(
                "This phase belongs to the operation “%(phase_operation)s”, not to “%(operation)s”. "
                "Choose a phase of %(operation)s, or leave the phase empty."
            ) % {"phase_operation": phase.operation.name, "operation": operation.name})
        return data


def phase_label(phase):
    label = _("%(operation)s – phase %(number)s") % {"operation": phase.operation.name, "number": phase.number}
    return f"{label}: {phase.name}" if phase.name else label


class FigureForm(forms.ModelForm):
    class Meta:
        model = Figure
        fields = ["qualifier", "value", "category", "note"]


FigureFormSet = inlineformset_factory(Event, Figure, form=FigureForm, extra=3, can_delete=True)


class SourceForm(UserForm):
    date_fields = ("published",)

    class Meta:
        model = Source
        fields = ["title", "kind", "language", "publisher", "published", "url", "reference", "reliability", "text", *MARKING]
        widgets = {"title": forms.TextInput(attrs={"dir": "auto", "size": 60}), "text": forms.Textarea(attrs={"dir": "auto", "rows": 12})}


class RelationshipForm(UserForm):
    """A link from the record the user came from (``anchor``) to another visible record."""

    DIRECTION = [("out", _("this record → the other record")), ("in", _("the other record → this record"))]
    direction = forms.ChoiceField(label=_("Direction"), choices=DIRECTION, initial="out")
    # Persons, organisations, sites and identifiers the user may see, searched
    # as the officer types (liaison.web.pickers): a list of them all ran to hundreds.
    target = PickField(
        source=pickers.SOURCES["link-targets"], label=_("Other record"),
        help_text=_("Type part of a name, a number or an identifier, and choose."),
    )
    date_fields = ("start", "end")

    class Meta:
        model = Relationship
        fields = ["kind", "start", "end", "detail", *MARKING]

    field_order = ["direction", "kind", "target", "start", "end", "detail"]

    def __init__(self, *args, anchor, **kwargs):
        self.anchor = anchor
        super().__init__(*args, **kwargs)
        self.fields["target"].for_user(self.user)

    def clean(self):
        data = super().clean()
        target = data.get("target")
        if target:
            ct_id, obj_id = (int(part) for part in target.split(":"))  # checked by PickField
            anchor_ct = ContentType.objects.get_for_model(self.anchor)
            if data.get("direction") == "in":
                self.instance.subject_type_id, self.instance.subject_id = ct_id, obj_id
                self.instance.object_type_id, self.instance.object_id = anchor_ct.pk, self.anchor.pk
            else:
                self.instance.subject_type_id, self.instance.subject_id = anchor_ct.pk, self.anchor.pk
                self.instance.object_type_id, self.instance.object_id = ct_id, obj_id
        return data


class CitationForm(forms.ModelForm):
    class Meta:
        model = Citation
        fields = ["source", "evidence", "location"]
        widgets = {"evidence": forms.Textarea(attrs={"dir": "auto", "rows": 4})}
        help_texts = {"evidence": _("Copy the words of the source that state the fact.")}

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["source"].queryset = Source.objects.visible_to(user)
        self.fields["evidence"].required = True

