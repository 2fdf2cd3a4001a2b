"""Forms of the intake pages: taking a document in, and reviewing a proposed fact.

The review forms show a proposal's data as fields the analyst may change
before accepting; ``to_data()`` turns them back into the proposal's format.
"""
from django import forms
from django.utils.translation import gettext_lazy as _

from liaison.operations.models import Event, Figure, Participant
from liaison.registry.models import Source
from liaison.text.documents import MAX_BYTES, human_size

from .models import Document, ProposedFact


class UploadForm(forms.Form):
    text = forms.CharField(
        label=_("Paste the report's text"), required=False,
        widget=forms.Textarea(attrs={"rows": 10, "dir": "auto"}),
    )
    file = forms.FileField(
        label=_("…or choose a file"), required=False,
        help_text=_("Text (.txt), web page (.html), PDF with text or Word (.docx); at most %(size)s.")
        % {"size": human_size(MAX_BYTES)},
    )
    source_kind = forms.ChoiceField(label=_("Kind of source"), choices=Source.Kind.choices, initial=Source.Kind.NEWS)

    def clean_file(self):
        upload = self.cleaned_data.get("file")
        if upload and upload.size > MAX_BYTES:
            raise forms.ValidationError(_("The file is %(size)s; the limit is %(limit)s. Split it into smaller files.")
                                        % {"size": human_size(upload.size), "limit": human_size(MAX_BYTES)})
        return upload

    def clean(self):
        data = super().clean()
        has_text = bool((data.get("text") or "").strip())
        if has_text and data.get("file"):
            raise forms.ValidationError(_("Paste a text or choose a file, not both."))
        if not has_text and not data.get("file") and not self.errors:
            raise forms.ValidationError(_("Paste the report's text or choose a file."))
        return data


class QueueFilter(forms.Form):
    document = forms.ModelChoiceField(label=_("Document"), queryset=Document.objects.none(), required=False,
                                      empty_label=_("all documents"))
    language = forms.ChoiceField(label=_("Language"), required=False)
    kind = forms.ChoiceField(label=_("Kind"), required=False,
                             choices=[("", _("all kinds"))] + list(ProposedFact.Kind.choices))

    def __init__(self, *args, user=None, **kwargs):
        super().__init__(*args, **kwargs)
        visible = Document.objects.visible_to(user)
        self.fields["document"].queryset = visible.filter(proposals__status=ProposedFact.Status.PROPOSED).distinct().only(
            "pk", "title", "original_filename")
        languages = sorted(set(visible.exclude(language="").values_list("language", flat=True).distinct()))
        self.fields["language"].choices = [("", _("all languages"))] + [(code, code) for code in languages]


def _split(text, separators=";\n"):
    for sep in separators[1:]:
        text = text.replace(sep, separators[0])
    return [part.strip() for part in text.split(separators[0]) if part.strip()]


class RejectForm(forms.Form):
    reason = forms.CharField(label=_("Reason (optional)"), required=False, max_length=500)


def _role_label(code):
    try:
        return str(Participant.Role(code).label).lower()
    except ValueError:
        return code


class EventReviewForm(forms.Form):
    """An event proposal's fields; figures are one value and one qualifier per category."""

    target = forms.ChoiceField(label=_("Record it as"), required=False)
    type = forms.ChoiceField(label=_("Kind of event"), choices=Event.Kind.choices)
    title = forms.CharField(label=_("Title"), max_length=300)
    date = forms.CharField(label=_("Date"), required=False, max_length=10,
                           help_text=_("YYYY, YYYY-MM, YYYY-MM-DD, or --MM-DD when the report gives no year."))
    countries = forms.CharField(label=_("Countries (ISO codes)"), required=False,
                                help_text=_("Separated by commas, e.g. MM, CN."))
    places = forms.CharField(label=_("Places"), required=False, help_text=_("As written; separated by semicolons."),
                             widget=forms.TextInput(attrs={"dir": "auto"}))
    agencies = forms.CharField(label=_("Agencies"), required=False, help_text=_("As written; separated by semicolons."),
                               widget=forms.TextInput(attrs={"dir": "auto"}))
    operation = forms.CharField(label=_("Operation"), required=False, widget=forms.TextInput(attrs={"dir": "auto"}))
    persons = forms.CharField(label=_("Persons"), required=False, widget=forms.Textarea(attrs={"rows": 3, "dir": "auto"}),
                              help_text=_("One per line: name | role (%(roles)s)."))

    def __init__(self, *args, proposal=None, matches=(), **kwargs):
        data = proposal.data if proposal else {}
        initial = {
            "type": data.get("type", "other"), "title": data.get("title", ""), "date": data.get("date", ""),
            "countries": ", ".join(data.get("countries") or []), "places": "; ".join(data.get("places") or []),
            "agencies": "; ".join(data.get("agencies") or []), "operation": data.get("operation") or "",
            "persons": "\n".join(f"{p['name']} | {p['role']}" for p in data.get("persons") or []),
            "target": str(matches[0][1].pk) if matches else "new",
        }
        for category in Figure.Category.values:
            initial[f"count_{category}"] = (data.get("counts") or {}).get(category)
            initial[f"qualifier_{category}"] = (data.get("qualifiers") or {}).get(category, "")
        kwargs.setdefault("initial", initial)
        super().__init__(*args, **kwargs)
        # Roles in the reviewer's own words (English codes are understood too).
        self.fields["persons"].help_text = self.fields["persons"].help_text % {
            "roles": ", ".join(str(label).lower() for label in Participant.Role.labels)}
        if not self.is_bound:
            self.initial["persons"] = "\n".join(
                f"{p['name']} | {_role_label(p['role'])}" for p in data.get("persons") or [])
        self.fields["target"].choices = [("new", _("a new event"))] + [
            (str(event.pk), _("the same event as “%(title)s” (%(owner)s)") % {"title": event.title,
                                                                                  "owner": event.owner.short_name})
            for _score, event in matches
        ]
        for value, label in Figure.Category.choices:
            self.fields[f"count_{value}"] = forms.IntegerField(label=label, required=False, min_value=0)
            self.fields[f"qualifier_{value}"] = forms.ChoiceField(
                label=_("%(category)s: how exact") % {"category": label}, required=False,
                choices=Figure.Qualifier.choices)

    def figure_rows(self):
        return [(self[f"count_{value}"], self[f"qualifier_{value}"]) for value in Figure.Category.values]

    def main_fields(self):
        return [self[name] for name in ("target", "type", "title", "date", "countries", "places", "agencies",
                                        "operation", "persons")]

    def clean_persons(self):
        persons = []
        roles = {value: value for value in Participant.Role.values}
        roles.update({str(label).lower(): value for value, label in Participant.Role.choices})
        for number, line in enumerate((self.cleaned_data.get("persons") or "").splitlines(), start=1):
            if not line.strip():
                continue
            name, _sep, role = line.partition("|")
            role = role.strip().lower() or "other"
            if role not in roles:
                raise forms.ValidationError(_("Line %(n)s: “%(role)s” is not a role; use one of %(roles)s.") % {
                    "n": number, "role": role,
                    "roles": ", ".join(str(label).lower() for label in Participant.Role.labels)})
            persons.append({"name": " ".join(name.split()), "role": roles[role]})
        return persons

    def to_data(self):
        d = self.cleaned_data
        counts = {c: d[f"count_{c}"] for c in Figure.Category.values if d.get(f"count_{c}") is not None}
        return {
            "type": d["type"], "title": d["title"], "date": d.get("date", "").strip(),
            "countries": [c.strip().upper() for c in (d.get("countries") or "").split(",") if c.strip()],
            "places": _split(d.get("places") or ""), "agencies": _split(d.get("agencies") or ""),
            "operation": " ".join((d.get("operation") or "").split()), "counts": counts,
            "qualifiers": {c: d[f"qualifier_{c}"] for c in counts if d.get(f"qualifier_{c}")},
            "persons": d.get("persons") or [],
        }


class PersonReviewForm(forms.Form):
    name = forms.CharField(label=_("Name as written"), max_length=300, widget=forms.TextInput(attrs={"dir": "auto"}))
    role = forms.ChoiceField(label=_("Role in the report"), choices=Participant.Role.choices)

    def __init__(self, *args, proposal=None, matches=(), **kwargs):
        kwargs.setdefault("initial", dict(proposal.data) if proposal else {})
        super().__init__(*args, **kwargs)

    def main_fields(self):
        return list(self)

    def to_data(self):
        return {"name": self.cleaned_data["name"], "role": self.cleaned_data["role"]}


class OperationReviewForm(forms.Form):
    name = forms.CharField(label=_("Name"), max_length=200, widget=forms.TextInput(attrs={"dir": "auto"}))

    def __init__(self, *args, proposal=None, matches=(), **kwargs):
        self._countries = list((proposal.data if proposal else {}).get("countries") or [])
        kwargs.setdefault("initial", {"name": (proposal.data if proposal else {}).get("name", "")})
        super().__init__(*args, **kwargs)

    def main_fields(self):
        return list(self)

    def to_data(self):
        return {"name": self.cleaned_data["name"], "countries": self._countries}


class SiteReviewForm(forms.Form):
    name = forms.CharField(label=_("Name"), max_length=300, widget=forms.TextInput(attrs={"dir": "auto"}))
    country = forms.CharField(label=_("Country (ISO code)"), max_length=2)
    locality = forms.CharField(label=_("Locality"), max_length=200, required=False)

    def __init__(self, *args, proposal=None, matches=(), **kwargs):
        kwargs.setdefault("initial", dict(proposal.data) if proposal else {})
        super().__init__(*args, **kwargs)

    def main_fields(self):
        return list(self)

    def to_data(self):
        return {"name": self.cleaned_data["name"], "country": self.cleaned_data["country"].upper(),
                "locality": self.cleaned_data.get("locality", "")}


REVIEW_FORMS = {
    ProposedFact.Kind.EVENT: EventReviewForm,
    ProposedFact.Kind.PERSON: PersonReviewForm,
    ProposedFact.Kind.OPERATION: OperationReviewForm,
    ProposedFact.Kind.SITE: SiteReviewForm,
}
