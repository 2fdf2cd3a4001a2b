"""Forms of the interchange page: what to export, in which format, for whom; a file to import."""
from django import forms
from django.utils.translation import gettext_lazy as _

from liaison.interop.subjects import SubjectSource
from liaison.web.widgets import PickField, Picker

STIX, MISP, FTM = "stix", "misp", "ftm"
FORMATS = [(STIX, _("STIX 2.1 bundle")), (MISP, _("MISP event")), (FTM, _("FollowTheMoney entities"))]


class ExportForm(forms.Form):
    format = forms.ChoiceField(label=_("Format"), choices=FORMATS, widget=forms.RadioSelect, initial=STIX)
    subject = PickField(source=SubjectSource(), label=_("What"), help_text=_(
        "An event (with its persons and their identifiers), an operation (with its cases and events) or a source "
        "list such as a handover list (the records citing it). A MISP event is made from an event."))
    recipient = forms.ModelChoiceField(label=_("Recipient agency"), queryset=None, required=False, widget=Picker,
                                       help_text=_(
        "Optional. Only what this agency may also see leaves, TLP:AMBER included. Without one, TLP:AMBER goes only "
        "to your own agency and no protected identity leaves."))

    def __init__(self, user, *args, **kwargs):
        from liaison.sharing.models import Agency

        super().__init__(*args, **kwargs)
        self.user = user
        self.fields["subject"].for_user(user)
        self.fields["recipient"].queryset = Agency.objects.order_by("short_name")

    def clean(self):
        data = super().clean()
        if data.get("format") == MISP and data.get("subject") and not str(data["subject"]).startswith("event:"):
            self.add_error("subject", _("A MISP event is made from an event: pick an event."))
        return data

    def record(self):
        """The event, operation or source picked (one the user may see: the field checked it)."""
        return SubjectSource.record(self.user, self.cleaned_data["subject"])


class ImportForm(forms.Form):
    format = forms.ChoiceField(label=_("Format"), choices=FORMATS, widget=forms.RadioSelect, initial=STIX)
    file = forms.FileField(label=_("File"), help_text=_(
        "A STIX 2.1 bundle (.json), a MISP event (.json) or FollowTheMoney entities (one JSON object a line). "
        "All or nothing: a file with any problem imports nothing, and every problem is listed."))
    list_name = forms.CharField(label=_("List name (FollowTheMoney)"), required=False, max_length=200, help_text=_(
        "The persons of a FollowTheMoney file are put on your agency's watchlist with this reason; empty: the "
        "file's name."))
