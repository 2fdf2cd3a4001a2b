"""Searchable pickers: a plain ``<select>`` that ``web/picker.js`` turns into a
search box (Tom Select, vendored under static/vendor/tom-select), so that an
officer types a few letters instead of scrolling or Ctrl-clicking through
hundreds of rows. Each option shows a second line (status, nationality, owner
agency...) to tell apart records with the same name.

Two kinds:

- local (``Picker()``, ``MultiPicker()``): every option is in the page and the
  search runs in the browser; for short lists (agencies, groups, officers).
- remote (``PickField`` / ``MultiPickField`` with a ``liaison.web.pickers``
  source): the page lists the first few hundred options, the browser asks
  ``web:pick`` for the rest as the officer types. The field checks every
  submitted value against what the user may see, so a value typed into a
  forged request is refused like a value that does not exist.

Without JavaScript each stays a working ``<select>``.
"""
from django import forms
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from liaison.web import pickers


class PickerMixin:
    template_name = "web/widgets/picker.html"
    source = None  # a liaison.web.pickers source: options are fetched as the user types
    user = None
    truncated = False  # more options exist than the page lists

    def get_context(self, name, value, attrs):
        context = super().get_context(name, value, attrs)
        attrs = context["widget"]["attrs"]
        attrs["data-picker"] = "remote" if self.source else "local"
        if self.source:
            attrs["data-picker-url"] = reverse("web:pick", args=[self.source.kind])
        attrs.setdefault("data-picker-placeholder", str(_("Type to search…")))
        attrs["data-picker-empty"] = str(_("Nothing found."))
        attrs["data-picker-loading"] = str(_("Searching…"))
        attrs["data-picker-remove"] = str(_("Remove"))
        context["widget"]["truncated"] = self.truncated
        context["widget"]["first"] = pickers.FIRST
        return context

    def optgroups(self, name, value, attrs=None):
        groups = super().optgroups(name, value, attrs)
        if self.source is not None and self.user is not None:
            # A value chosen earlier but not among the options the page lists
            # (found by searching): show it, labelled as the user may see it.
            listed = {str(option["value"]) for _group, options, _index in groups for option in options}
            missing = [v for v in value if v not in ("", None) and str(v) not in listed]
            if missing:
                for option in self.source.chosen(self.user, missing):
                    index = len(groups)
                    groups.append((None, [self.create_option(name, option.value, option.label, True, index)], index))
        return groups

    def create_option(self, name, value, label, selected, index, subindex=None, attrs=None):
        option = super().create_option(name, value, label, selected, index, subindex, attrs)
        detail = getattr(label, "detail", "")
        if detail:
            option["attrs"]["data-detail"] = detail
        return option


class Picker(PickerMixin, forms.Select):
    pass


class MultiPicker(PickerMixin, forms.SelectMultiple):
    pass


class SourceFieldMixin:
    """A choice field whose options come from a ``liaison.web.pickers`` source,
    for one user (``for_user``, called by the form)."""

    def __init__(self, *, source, **kwargs):
        self.source = source
        self.user = None
        super().__init__(**kwargs)
        self.widget.source = source

    def for_user(self, user):
        self.user = user
        self.widget.user = user
        self.choices = self._first  # a callable: evaluated only when the page is drawn
        return self

    def _first(self):
        grouped = {}
        for option in self.source.first(self.user, pickers.FIRST + 1):
            grouped.setdefault(option.group, []).append((option.value, option.label))
        self.widget.truncated = any(len(options) > pickers.FIRST for options in grouped.values())
        flat = grouped.pop("", [])[: pickers.FIRST]
        return [*self._empty(), *flat, *((group, options[: pickers.FIRST]) for group, options in grouped.items())]

    def _empty(self):
        return []

    def valid_values(self, values):
        """Of ``values``, those the user may choose (one query per kind of record)."""
        if self.user is None:
            return set()
        return {option.value for option in self.source.chosen(self.user, values)}


class PickField(SourceFieldMixin, forms.TypedChoiceField):
    widget = Picker

    def _empty(self):
        return [("", "—")]

    def validate(self, value):
        forms.Field.validate(self, value)
        if value not in self.empty_values and str(value) not in self.valid_values([value]):
            raise forms.ValidationError(self.error_messages["invalid_choice"], code="invalid_choice", params={"value": value})


class MultiPickField(SourceFieldMixin, forms.TypedMultipleChoiceField):
    widget = MultiPicker

    def validate(self, value):
        if self.required and not value:
            raise forms.ValidationError(self.error_messages["required"], code="required")
        allowed = self.valid_values(value)
        for v in value:
            if str(v) not in allowed:
                raise forms.ValidationError(self.error_messages["invalid_choice"], code="invalid_choice", params={"value": v})
