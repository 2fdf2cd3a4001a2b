"""Forms of the registry pages: the person-list import."""
from django import forms
from django.template.defaultfilters import filesizeformat
from django.utils.translation import gettext_lazy as _

from liaison.core.models import TLP, Distribution
from liaison.sharing.models import Agency

MAX_IMPORT_BYTES = 5 * 1024 * 1024


class ImportUploadForm(forms.Form):
    file = forms.FileField(
        label=_("Person list (CSV or Excel .xlsx)"),
        help_text=_("First row: column titles. Only “name” is required. At most %(size)s.")
        % {"size": filesizeformat(MAX_IMPORT_BYTES)},
    )
    distribution = forms.ChoiceField(label=_("Who may see the imported persons"), choices=Distribution.choices,
                                     initial=Distribution.OWNER)
    share_with = forms.ModelMultipleChoiceField(
        label=_("Share with (for “named agencies”)"), queryset=Agency.objects.none(), required=False,
    )
    tlp = forms.ChoiceField(label=_("TLP"), choices=TLP.choices, initial=TLP.AMBER)

    def __init__(self, *args, user=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["share_with"].queryset = Agency.objects.exclude(pk=getattr(user, "agency_id", None)).order_by("short_name")

    def clean_file(self):
        upload = self.cleaned_data["file"]
        if upload.size > MAX_IMPORT_BYTES:
            raise forms.ValidationError(
                _("The file is %(size)s; the limit is %(limit)s. Split the list into smaller files.")
                % {"size": filesizeformat(upload.size), "limit": filesizeformat(MAX_IMPORT_BYTES)}
            )
        name = upload.name.lower()
        if not name.endswith((".csv", ".txt", ".xlsx")):
            raise forms.ValidationError(
                _("%(name)s is neither a CSV nor an Excel (.xlsx) file. Older .xls files: save them as .xlsx first.")
                % {"name": upload.name}
            )
        return upload

    def clean(self):
        data = super().clean()
        if data.get("distribution") == Distribution.SHARED and not data.get("share_with"):
            self.add_error("share_with", _("Choose at least one agency to share with, or another distribution."))
        return data
