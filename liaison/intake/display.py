"""A proposed fact told in the reviewer's language (issue 14).

No translation engine runs offline here, so a Chinese analyst cannot have a
Thai report translated. What they can judge is the *fact*: its kind, date,
places, countries, figures and roles, which the extractor already holds as
codes and numbers. This module words those in the reviewer's language, with
names romanised beside their native script, to sit next to the quoted
evidence. The evidence itself stays as written: it is the source.
"""
from django.utils.translation import get_language
from django.utils.translation import gettext as _

from liaison.core import localefmt
from liaison.core.i18n import current_reader
from liaison.core.templatetags.liaison_i18n import partial_date_text, romanisation_for_reader
from liaison.operations.models import Event, Figure, Participant

def country_name(code):
    return localefmt.country_name(code, get_language() or "en") or str(code)


def _label(choices, value):
    try:
        return str(choices(value).label)
    except ValueError:
        return str(value)


def figures_in_words(data):
    """ "more than 70,000 suspects, 160 cases" in the reader's language."""
    qualifiers = data.get("qualifiers") or {}
    return _(", ").join(Figure.in_words(value, qualifiers.get(category, ""), category)
                        for category, value in (data.get("counts") or {}).items())


def name_with_romanisation(name):
    roman = romanisation_for_reader(name, current_reader().language)
    return _("%(name)s (%(romanised)s)") % {"name": name, "romanised": roman} if roman else name


def event_kind(data):
    return _label(Event.Kind, data.get("type") or "other")


def event_summary(data):
    """ "Handover: 571 suspects — Muse" in the reader's language."""
    details = [d for d in (figures_in_words(data), ", ".join(data.get("places") or [])) if d]
    if data.get("operation"):
        details.append(data["operation"])
    if not details:
        return event_kind(data)
    return _("%(kind)s: %(details)s") % {"kind": event_kind(data), "details": " — ".join(details)}


def person_summary(data):
    role = data.get("role")
    if not role:
        return name_with_romanisation(data.get("name", ""))
    return _("%(name)s (%(role)s)") % {"name": name_with_romanisation(data.get("name", "")),
                                       "role": _label(Participant.Role, role).lower()}


def fact_rows(kind, data):
    """(label, value) rows: the proposed fact, every word in the reader's language."""
    if kind == "event":
        rows = [
            (_("Kind"), event_kind(data)),
            (_("Date"), partial_date_text(data.get("date")) or "—"),
            (_("Figures"), figures_in_words(data) or "—"),
            (_("Countries"), ", ".join(country_name(c) for c in data.get("countries") or []) or "—"),
            (_("Places"), "; ".join(data.get("places") or []) or "—"),
        ]
        if data.get("operation"):
            rows.append((_("Operation"), data["operation"]))
        for person in data.get("persons") or []:
            rows.append((_label(Participant.Role, person.get("role") or "other"),
                         name_with_romanisation(person.get("name", ""))))
        return rows
    rows = [(_("Name"), name_with_romanisation(data.get("name", "")))]
    if data.get("role"):
        rows.append((_("Role"), _label(Participant.Role, data["role"])))
    return rows
