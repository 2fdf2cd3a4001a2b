"""Exports and bulk downloads: CSV of what the user may see, marked and audited.

Every row carries its record's TLP marking and handling code, the file opens with
the most restrictive marking it contains, protected fields are withheld unless the
user may see them, and every export is an audit entry for each owner agency whose
records left the system in it.
"""
import csv
import io
from collections import Counter

from django.contrib.contenttypes.models import ContentType

from liaison.audit import log as audit
from liaison.audit.models import AuditEntry
from liaison.core.models import TLP
from liaison.sharing.models import Agency, Share
from liaison.sharing.visibility import reaches

TLP_ORDER = [TLP.CLEAR, TLP.GREEN, TLP.AMBER, TLP.AMBER_STRICT, TLP.RED]
MARKING_COLUMNS = ["owner", "distribution", "tlp", "handling", "accuracy", "synthetic"]
MAX_EXPORT_ROWS = 100_000


def strictest(tlps):
    present = set(tlps)
    for level in reversed(TLP_ORDER):
        if level in present:
            return level
    return TLP.CLEAR


def _protected_grants(model, ids, user):
    """Ids of protected records whose protected fields ``user`` may see (one query)."""
    agency_id = getattr(user, "agency_id", None)
    if agency_id is None:
        return set()
    return set(
        Share.objects.filter(
            content_type=ContentType.objects.get_for_model(model), object_id__in=ids, include_protected=True
        )
        .filter(reaches(user))
        .values_list("object_id", flat=True)
    )


def person_rows(queryset, user):
    people = list(
        queryset.select_related("owner").prefetch_related("names", "nationalities__country", "statuses__country")[:MAX_EXPORT_ROWS]
    )
    granted = _protected_grants(type(people[0]) if people else None, [p.pk for p in people if p.protection], user) if people else set()
    header = ["id", "name", "other_names", "sex", "birth_date", "nationalities", "current_status", "protected"] + MARKING_COLUMNS
    rows = []
    for p in people:
        visible = not p.protection or p.owner_id == user.agency_id or p.pk in granted
        names = [n.full_name for n in p.names.all()]
        status = p.current_status
        rows.append(
            [
                p.pk,
                names[0] if (visible and names) else ("[protected identity withheld]" if not visible else ""),
                " | ".join(names[1:]) if visible else "",
                p.sex,
                p.birth_date if visible else "",
                " ".join(n.country_id for n in p.nationalities.all()),
                str(status) if status else "",
                (p.get_protection_display() if visible else "protected") if p.protection else "",
            ]
            + _marking(p)
        )
    return header, rows, people


def generic_rows(queryset, user):
    model = queryset.model
    fields = [
        f for f in model._meta.concrete_fields
        if not f.is_relation and f.name not in {"search_key", "text", "notes"} and f.name not in MARKING_COLUMNS
        and f.name not in {"created_at", "updated_at", "retracted_at", "retraction_reason", "is_synthetic"}
    ]
    records = list(queryset.select_related("owner")[:MAX_EXPORT_ROWS])
    header = [f.name for f in fields] + MARKING_COLUMNS
    rows = [[getattr(r, f.attname) for f in fields] + _marking(r) for r in records]
    return header, rows, records


def _marking(record):
    return [record.owner.short_name, record.distribution, record.tlp, record.handling, record.accuracy, "yes" if record.is_synthetic else ""]


def export_csv(queryset, user, description=""):
    """(filename-safe marking, CSV text) of ``queryset.visible_to(user)``; audited."""
    from liaison.registry.models import Person

    queryset = queryset.visible_to(user)
    header, rows, records = (person_rows if queryset.model is Person else generic_rows)(queryset, user)
    marking = strictest(r.tlp for r in records)
    out = io.StringIO()
    out.write(f"# TLP:{marking} — exported from Liaison by {user.get_username()} ({user.agency.short_name if user.agency_id else '-'})")
    if any(r.handling != "H0" for r in records):
        out.write("; some rows carry handling restrictions (see the handling column)")
    out.write("\n")
    writer = csv.writer(out)
    writer.writerow(header)
    writer.writerows(rows)
    per_owner = Counter(r.owner_id for r in records)
    for owner_id, count in per_owner.items():
        audit.record(
            AuditEntry.Action.EXPORT, user, None, owner_agency=Agency(pk=owner_id),
            model=queryset.model._meta.label_lower, rows=count, description=description[:200],
        )
    return marking, out.getvalue()
