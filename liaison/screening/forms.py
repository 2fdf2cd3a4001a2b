from django import forms
from django.utils.translation import gettext_lazy as _

from liaison.core.models import Country
from liaison.web.widgets import Picker

PLACE_HELP = _("Where you screen, e.g. “Mae Sot border checkpoint”: the agency of a hit is told.")


class TravellerForm(forms.Form):
    """One traveller at a checkpoint: names in any script, a date of birth as far as known, nationality, document."""

    name = forms.CharField(label=_("Name as on the document"), max_length=300,
                           widget=forms.TextInput(attrs={"dir": "auto", "autocomplete": "off"}))
    other_names = forms.CharField(
        label=_("Other names or spellings"), required=False, max_length=1000,
        help_text=_("In any script, separated by “;” (e.g. the name in Chinese or Thai script)."),
        widget=forms.TextInput(attrs={"dir": "auto", "autocomplete": "off"}))
    birth_date = forms.CharField(label=_("Date of birth"), required=False, max_length=20,
                                 help_text=_("DD/MM/YYYY, YYYY-MM-DD, or only the year; empty if unknown."),
                                 widget=forms.TextInput(attrs={"inputmode": "numeric", "autocomplete": "off"}))
    nationality = forms.ModelChoiceField(label=_("Nationality"), queryset=Country.objects.all(), required=False,
                                         widget=Picker)
    document = forms.CharField(label=_("Passport or document number"), required=False, max_length=40,
                               widget=forms.TextInput(attrs={"autocomplete": "off"}))
    place = forms.CharField(label=_("Screening post"), required=False, max_length=200, help_text=PLACE_HELP)

    def values(self):
        data = self.cleaned_data
        return {"name": data["name"], "other_names": data["other_names"], "birth_date": data["birth_date"],
                "nationality": data["nationality"].pk if data.get("nationality") else "", "document": data["document"]}


class ManifestForm(forms.Form):
    file = forms.FileField(label=_("Manifest (CSV or XLSX)"))
    place = forms.CharField(label=_("Screening post"), required=False, max_length=200, help_text=PLACE_HELP)
