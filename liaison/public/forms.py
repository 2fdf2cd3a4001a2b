"""The public forms: plain words, limits on every field, errors in the reader's language."""
from __future__ import annotations

from functools import lru_cache

from django import forms
from django.utils.choices import BaseChoiceIterator
from django.utils.html import conditional_escape, format_html
from django.utils.safestring import mark_safe
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy as _l
from django_countries import countries

from liaison.partialdate import PartialDate, PartialDateError
from liaison.requests import filecheck
from liaison.scamcheck.identifiers import find_identifiers

from . import abuse
from .answers import MAX_CHARS

MAX_FILE_BYTES = 5 * 1024 * 1024
MAX_FILES = 5
FILE_TYPES = ("jpg", "jpeg", "png", "pdf", "txt")
PHOTO_TYPES = ("jpg", "jpeg", "png")
MAX_IDENTIFIERS = 20
CURRENCIES = ["", "USD", "THB", "VND", "KHR", "LAK", "MMK", "IDR", "MYR", "PHP", "CNY", "SGD", "USDT"]


def country_choices():
    """Every country, named in the reader's language (CLDR: Lao and Burmese too)
    and in the order a reader of that language expects."""
    from django.utils.translation import get_language

    return _Choices(_country_choices(get_language() or "en"))


class _Choices(BaseChoiceIterator):
    """Choices already in Django's normal form (pairs of value and text), handed over as
    they are: Django normalises a plain list again, pair by pair, whenever a field's
    choices are set, a millisecond for every report form built (the page and the POST)."""

    def __init__(self, choices):
        self.choices = choices

    def __iter__(self):
        return iter(self.choices)

    def __len__(self):
        return len(self.choices)


@lru_cache(maxsize=16)
def _country_choices(language):
    # Cached per language: naming and collating 250 countries on every form
    # page doubled the report page's cost (bench/public_bench.py).
    from liaison.core.localefmt import country_name, sorted_for_reader

    named = [(code, country_name(code, language) or name) for code, name in countries]
    return (("", "—"), *sorted_for_reader(named, key=lambda item: item[1], language=language))


class CountrySelect(forms.Select):
    """A ``<select>`` of every country, its options written in Python.

    Django's Select renders each option through two templates (the option and its
    attributes): the 250 countries of a report form took three quarters of the form
    page's CPU, and the page is what every reporter loads first (bench/README.md, public
    side). This writes the markup of Django's select.html, select_option.html and
    attrs.html for a flat list of choices (tests/public/test_speed_paths.py compares the
    two); grouped choices go to Django's templates."""

    def render(self, name, value, attrs=None, renderer=None):
        choices = list(self.choices)
        if any(isinstance(label, (list, tuple)) for _value, label in choices):
            return super().render(name, value, attrs, renderer)
        wanted = set(self.format_value(value))
        parts = [format_html('<select name="{}"{}>', name, _attributes(self.build_attrs(self.attrs, attrs)))]
        selected = False
        for option, label in choices:
            option = "" if option is None else str(option)
            chosen = option in wanted and (self.allow_multiple_selected or not selected)
            selected = selected or chosen
            parts.append(f'\n  <option value="{conditional_escape(option)}"{" selected" if chosen else ""}>'
                         f'{conditional_escape(label)}</option>\n')
        parts.append(mark_safe("\n</select>"))
        return mark_safe("".join(parts))


def _attributes(attrs):
    """Django's attrs.html: `` name="value"``, a bare name for True, nothing for False."""
    return mark_safe("".join(
        format_html(" {}", name) if value is True else format_html(' {}="{}"', name, value)
        for name, value in attrs.items() if value is not False))


class MultipleFileInput(forms.ClearableFileInput):
    allow_multiple_selected = True


class MultipleFileField(forms.FileField):
    """Several files in one field (Django's documented recipe)."""

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("widget", MultipleFileInput)
        super().__init__(*args, **kwargs)

    def clean(self, data, initial=None):
        single = super().clean
        if isinstance(data, (list, tuple)):
            return [single(d, initial) for d in data if d]
        return [single(data, initial)] if data else []


class Honeypot(forms.Form):
    """A field people never see (hidden by the style sheet) and robots fill in."""
    website = forms.CharField(required=False, label=_l("Leave this empty"),
                              widget=forms.TextInput(attrs={"autocomplete": "off", "tabindex": "-1"}))

    def clean(self):
        data = super().clean()
        if data.get("website"):
            # Shown above the form: the field itself is out of sight.
            raise forms.ValidationError(_("This form could not be sent. Please try again."), code="honeypot")
        return data


class WorkMixin(forms.Form):
    """The proof of work: the browser fills ``nonce`` (public/pow.js)."""
    challenge = forms.CharField(widget=forms.HiddenInput, required=False)
    nonce = forms.CharField(widget=forms.HiddenInput, required=False, max_length=20)

    def clean(self):
        data = super().clean()
        if not abuse.check_work(data.get("challenge"), data.get("nonce")):
            raise forms.ValidationError(_(
                "Your browser did not finish the safety check. This page needs JavaScript switched on: switch it "
                "on, wait until the button says “Send”, and send again. Or call a hotline below."), code="pow")
        return data


class CheckForm(Honeypot):
    text = forms.CharField(
        label=_l("Paste a message or job offer, or write a phone number, bank account, link or handle"),
        max_length=MAX_CHARS, widget=forms.Textarea(attrs={"rows": 5, "dir": "auto"}),
        error_messages={"required": _l("Write or paste something to check."),
                        "max_length": _l("This is too long: at most %(limit_value)d characters.")})


def _check_files(files, types):
    if len(files) > MAX_FILES:
        raise forms.ValidationError(_("At most %(n)d files.") % {"n": MAX_FILES})
    for upload in files:
        ext = upload.name.rsplit(".", 1)[-1].lower() if "." in upload.name else ""
        if ext not in types:
            raise forms.ValidationError(_("“%(name)s” cannot be sent: only %(types)s files.") % {
                "name": upload.name, "types": ", ".join(types)})
        if upload.size > MAX_FILE_BYTES:
            raise forms.ValidationError(_("“%(name)s” is too large: at most %(mb)d MB.") % {
                "name": upload.name, "mb": MAX_FILE_BYTES // (1024 * 1024)})
        head = upload.read(8192)
        upload.seek(0)
        try:
            filecheck.check(upload.name, head, upload.size)
        except filecheck.FileRefused as exc:
            raise forms.ValidationError(_("“%(name)s” is not what its name says, or cannot be read.") % {
                "name": upload.name}) from exc
    return files


class ReportBase(WorkMixin, Honeypot):
    country = forms.ChoiceField(label=_l("The country you live in"), required=False, widget=CountrySelect)
    contact = forms.CharField(label=_l("How can the police reach you? (optional: phone, e-mail)"), required=False,
                              max_length=300)

    def __init__(self, *args, language="en", **kwargs):
        super().__init__(*args, **kwargs)
        self.language = language
        self.fields["country"].choices = country_choices()


class ScamReportForm(ReportBase):
    what_happened = forms.CharField(
        label=_l("What happened?"), max_length=MAX_CHARS, widget=forms.Textarea(attrs={"rows": 6, "dir": "auto"}),
        error_messages={"required": _l("Tell us in a few words what happened.")})
    identifiers = forms.CharField(
        label=_l("Phone numbers, accounts, links or handles they used (one a line)"), required=False,
        max_length=3000, widget=forms.Textarea(attrs={"rows": 3, "dir": "ltr"}))
    money_lost = forms.DecimalField(label=_l("Money lost (if any)"), required=False, min_value=0, max_digits=14,
                                    decimal_places=2)
    currency = forms.ChoiceField(label=_l("Currency"), required=False, choices=[(c, c or "—") for c in CURRENCIES])
    files = MultipleFileField(label=_l("Screenshots or chat exports (optional: JPG, PNG, PDF, TXT; 5 MB each)"),
                              required=False)
    checked_text = forms.CharField(widget=forms.HiddenInput, required=False, max_length=MAX_CHARS)

    def clean_identifiers(self):
        from .lang import scamcheck_code

        found, bad = [], []
        for line in self.cleaned_data.get("identifiers", "").splitlines():
            line = line.strip()
            if not line:
                continue
            ids = find_identifiers(line, scamcheck_code(self.language))
            if not ids:
                bad.append(line)
            found.extend((i.kind, i.value, i.text) for i in ids)
        if bad:
            raise forms.ValidationError(_(
                "We could not read “%(line)s” as a phone number, account, link or handle. Write phone numbers "
                "with + and the country code, for example +855 12 345 678.") % {"line": bad[0][:80]})
        if len(found) > MAX_IDENTIFIERS:
            raise forms.ValidationError(_("At most %(n)d numbers, accounts or handles.") % {"n": MAX_IDENTIFIERS})
        return found

    def clean_files(self):
        return _check_files(self.cleaned_data.get("files") or [], FILE_TYPES)


class MissingReportForm(ReportBase):
    relative_names = forms.CharField(
        label=_l("Their name, as you write it (other spellings or nicknames on new lines)"), max_length=1000,
        widget=forms.Textarea(attrs={"rows": 3, "dir": "auto"}),
        error_messages={"required": _l("Write at least one name.")})
    birth_date = forms.CharField(label=_l("Date of birth (a year alone is fine: 1998, or 1998-04, or 1998-04-21)"),
                                 required=False, max_length=10)
    nationality = forms.ChoiceField(label=_l("Their nationality"), required=False, widget=CountrySelect)
    last_place = forms.CharField(label=_l("Last place you know they were"), required=False, max_length=300)
    relative_contact = forms.CharField(label=_l("The phone number or account they used"), required=False,
                                       max_length=300)
    recruiter = forms.CharField(label=_l("Who offered them the job or took them there?"), required=False,
                                max_length=300)
    what_happened = forms.CharField(label=_l("Anything else we should know"), required=False, max_length=MAX_CHARS,
                                    widget=forms.Textarea(attrs={"rows": 4, "dir": "auto"}))
    photo = forms.FileField(label=_l("A photo of them (optional: JPG or PNG, 5 MB)"), required=False)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["nationality"].choices = country_choices()

    def clean_birth_date(self):
        value = self.cleaned_data.get("birth_date", "").strip()
        if not value:
            return ""
        try:
            return PartialDate.parse(value).isoformat()
        except PartialDateError as exc:
            raise forms.ValidationError(_("Write the date as a year (1998), year-month (1998-04) or "
                                          "year-month-day (1998-04-21).")) from exc

    def clean_photo(self):
        photo = self.cleaned_data.get("photo")
        if photo:
            _check_files([photo], PHOTO_TYPES)
        return photo


class StatusForm(forms.Form):
    reference = forms.CharField(label=_l("Reference"), max_length=20)
    code = forms.CharField(label=_l("Secret code"), max_length=20)
