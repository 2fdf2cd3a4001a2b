"""Sharing in templates: who may use "Share…" and "Retract", and the audit
trail's entries as sentences an officer reads, not as stored data."""
from django import template
from django.apps import apps
from django.template.defaultfilters import filesizeformat
from django.urls import NoReverseMatch, reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from liaison.core.models import TLP, Distribution, Handling
from liaison.sharing import services

register = template.Library()


@register.filter
def may_share(record, user):
    """``{% if record|may_share:user %}``: offer "Share…" only to those whom
    ``services.share`` would let share it (the rule lives there)."""
    return services.may_share(user, record)


@register.filter
def may_retract(record, user):
    return services.may_retract(user, record)


# The audit trail -------------------------------------------------------------------

# The keys the services write into an entry's details (liaison/*/services.py),
# with the words an officer reads. A key not listed here is still shown, named
# after itself: an entry is never left out.
LABELS = {
    "agencies": gettext_lazy("Agencies"),
    "groups": gettext_lazy("Sharing groups"),
    "operations": gettext_lazy("Operation teams"),
    "phases": gettext_lazy("Phase teams"),
    "include_protected": gettext_lazy("Protected identities revealed"),
    "onward": gettext_lazy("Shared on by a recipient agency"),
    "recipient": gettext_lazy("Recipient"),
    "old": gettext_lazy("Before"),
    "new": gettext_lazy("After"),
    "reason": gettext_lazy("Reason"),
    "protection": gettext_lazy("Protected as"),
    "model": gettext_lazy("Records"),
    "rows": gettext_lazy("Rows"),
    "description": gettext_lazy("Description"),
    "officer": gettext_lazy("Officer"),
    "phase": gettext_lazy("Phase"),
    "filename": gettext_lazy("File"),
    "size": gettext_lazy("Size"),
    "sha256": gettext_lazy("Fingerprint (SHA-256)"),
    "decision": gettext_lazy("Decision"),
    "document": gettext_lazy("Document"),
    "kind": gettext_lazy("Kind"),
    "registry_record": gettext_lazy("Registry record"),
    "created": gettext_lazy("New record created"),
    "step": gettext_lazy("Step"),
    "reference": gettext_lazy("Reference"),
    "to_agency": gettext_lazy("Requested agency"),
    "from_status": gettext_lazy("Status before"),
    "to_status": gettext_lazy("Status after"),
    "status": gettext_lazy("Status"),
    "date": gettext_lazy("Date"),
    "country": gettext_lazy("Country"),
    "proposed_by": gettext_lazy("Proposed by"),
    "url": gettext_lazy("Address"),
    "pair": gettext_lazy("Candidate match"),
    "probability": gettext_lazy("Match probability"),
    "entity": gettext_lazy("Identity cluster"),
    "reopened_pairs": gettext_lazy("Candidate matches reopened"),
    "hit": gettext_lazy("Watchlist hit"),
    "other_agency": gettext_lazy("Other agency"),
    "score": gettext_lazy("Score"),
    "note": gettext_lazy("Note"),
    "fields": gettext_lazy("Weight of each field"),
    "other_person": gettext_lazy("Other person (record number)"),
    "changes": gettext_lazy("Changes"),
    "distribution": gettext_lazy("Distribution"),
    "tlp": gettext_lazy("TLP marking"),
    "handling": gettext_lazy("Handling code"),
    "handling_note": gettext_lazy("Handling restriction"),
}

# Flags worth a line only when set ("shared on by a recipient": no, says nothing).
ONLY_WHEN_TRUE = {"onward"}

# Stored codes shown by their label.
CHOICES = {
    "distribution": dict(Distribution.choices),
    "old": dict(Distribution.choices),
    "new": dict(Distribution.choices),
    "tlp": dict(TLP.choices),
    "handling": dict(Handling.choices),
}


def _protection_labels():
    return dict(apps.get_model("registry", "Person").Protection.choices)


def _model_name(label, plural=False):
    try:
        model = apps.get_model(label)
    except (LookupError, ValueError):
        return label
    return str(model._meta.verbose_name_plural if plural else model._meta.verbose_name)


def label_of_key(key):
    return str(LABELS.get(key) or key.replace("_", " ").capitalize())


def readable(key, value):
    """One detail value as text; "" when there is nothing to say."""
    if value is None or value == "" or value == [] or value == {}:
        return ""
    if isinstance(value, bool):
        return _("yes") if value else _("no")
    if key in CHOICES and isinstance(value, str):
        return str(CHOICES[key].get(value, value))
    if key == "protection" and isinstance(value, str):
        return str(_protection_labels().get(value, value))
    if key == "model" and isinstance(value, str):
        return _model_name(value, plural=True)
    if key == "size" and isinstance(value, int):
        return filesizeformat(value)
    if key == "probability" and isinstance(value, (int, float)):
        return f"{value:.0%}"
    if isinstance(value, list):
        return ", ".join(filter(None, (readable(key, v) for v in value)))
    if isinstance(value, dict):
        return "; ".join(filter(None, (_pair(k, v) for k, v in value.items())))
    return str(value)


def _change(key, value):
    """A change stored as [before, after] reads "before → after"."""
    if isinstance(value, list) and len(value) == 2 and not any(isinstance(v, (list, dict)) for v in value):
        return f"{readable(key, value[0]) or '—'} → {readable(key, value[1]) or '—'}"
    return readable(key, value)


def _pair(key, value):
    text = _change(key, value)
    return f"{label_of_key(key)}: {text}" if text else ""


@register.filter
def audit_details(entry):
    """(label, text) pairs of an entry's details, empty ones left out."""
    detail = entry.detail if isinstance(entry.detail, dict) else {"detail": entry.detail}
    pairs = []
    for key, value in detail.items():
        if key == "changes" and isinstance(value, dict):
            # A marking change: one line per field changed.
            pairs += [(label_of_key(k), _change(k, v)) for k, v in value.items() if _change(k, v)]
        elif key == "new" and "old" in detail:
            continue  # shown with "old"
        elif key == "old" and "new" in detail:
            pairs.append((label_of_key("distribution"), _change("distribution", [value, detail["new"]])))
        elif key in ONLY_WHEN_TRUE and value is False:
            continue
        else:
            text = readable(key, value)
            if text:
                pairs.append((label_of_key(key), text))
    return pairs


_WEB_SLUGS = {
    "registry.person": "persons", "registry.organisation": "organisations", "registry.site": "sites",
    "registry.identifier": "identifiers", "registry.relationship": "relationships", "registry.source": "sources",
    "operations.operation": "operations", "operations.case": "cases", "operations.event": "events",
}


@register.simple_tag
def audit_record(entry):
    """{"kind", "number", "url"} of the record an entry is about, or None when
    it is about no single record (an export, a new webhook address)."""
    if not entry.record_type or entry.record_id is None:
        return None
    url = ""
    slug = _WEB_SLUGS.get(entry.record_type)
    try:
        if slug:
            url = reverse("web:detail", args=[slug, entry.record_id])
        elif entry.record_type == "requests.request":
            url = reverse("requests:detail", args=[entry.record_id])
    except NoReverseMatch:
        url = ""
    return {"kind": _model_name(entry.record_type).capitalize(), "number": f"#{entry.record_id}", "url": url}
