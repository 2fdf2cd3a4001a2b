"""Exports and bulk downloads: CSV of what the user may see, marked and audited.

Every row carries its record's TLP marking and handling code, the file opens with
the most restrictive marking it contains, protected fields are withheld unless the
user may see them, and every export is an audit entry for each owner agency whose
records left the system in it.

A row names another record (an operation, a site's operator, a relationship's
ends) only when the reader may see that record in its own right, as the pages
do: otherwise blank, or "a record you cannot see" where the page says so, and
never its id. Every cell goes through ``safe_cell`` so that no text typed by an
officer opens as a spreadsheet formula.
"""
import csv
import io
from collections import Counter

from django.contrib.contenttypes.models import ContentType
from django.db import transaction
from django.db.models import prefetch_related_objects
from django.utils.formats import number_format
from django.utils.translation import gettext as _

from liaison.audit import log as audit
from liaison.audit.models import AuditEntry
from liaison.core.models import TLP
from liaison.sharing.models import Agency, Share
from liaison.sharing.visibility import protected_visible_q, reaches, visible_keys

TLP_ORDER = [TLP.CLEAR, TLP.GREEN, TLP.AMBER, TLP.AMBER_STRICT, TLP.RED]
MARKING_COLUMNS = ["owner", "distribution", "tlp", "handling", "handling_note", "accuracy", "synthetic"]
MAX_EXPORT_ROWS = 100_000

# OWASP "CSV injection": Excel and LibreOffice read a cell starting with one of
# these as a formula (=HYPERLINK(...) sends the row to another server; full-width
# forms are folded to ASCII by some spreadsheets). A leading single quote makes
# the cell text; the officer still reads the value as typed.
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r", "\uff1d", "\uff0b", "\uff0d", "\uff20")


def safe_cell(value):
    """``value`` as a CSV cell no spreadsheet runs: text that could start a
    formula gets a leading quote. Numbers stay numbers (-98.5 is no formula)."""
    if isinstance(value, str) and value.startswith(FORMULA_STARTS):
        return "'" + value
    return value


def write_rows(out, rows):
    """Write ``rows`` to the file-like ``out`` as CSV, every cell through ``safe_cell``."""
    writer = csv.writer(out)
    for row in rows:
        writer.writerow([safe_cell(cell) for cell in row])


def strictest(tlps):
    present = set(tlps)
    for level in reversed(TLP_ORDER):
        if level in present:
            return level
    return TLP.CLEAR


def hidden_label():
    # The words the pages use for a link to a record the reader may not see.
    return _("a record you cannot see")


def _visible_ids(model, ids, user):
    ids = {pk for pk in ids if pk is not None}
    if not ids:
        return set()
    return set(model.objects.visible_to(user).filter(pk__in=ids).values_list("pk", flat=True))


def _protected_grants(model, ids, user):
    """Ids of protected records whose protected fields ``user`` may see (one query)."""
    agency_id = getattr(user, "agency_id", None)
    if agency_id is None or not ids:
        return set()
    return set(
        Share.objects.filter(
            content_type=ContentType.objects.get_for_model(model), object_id__in=ids, include_protected=True
        )
        .filter(reaches(user))
        .values_list("object_id", flat=True)
    )


def person_rows(queryset, user):
    from liaison.registry.models import Person

    # sort_name is blank for every protected identity: ordering by the name
    # itself would tell the reader where a withheld name falls alphabetically.
    people = list(
        queryset.select_related("owner")
        .prefetch_related("names", "nationalities__country", "statuses__country")
        .order_by("sort_name", "id")[:MAX_EXPORT_ROWS]
    )
    granted = _protected_grants(Person, [p.pk for p in people if p.protection], user)
    header = ["id", "name", "other_names", "sex", "birth_date", "nationalities", "current_status", "protected"] + MARKING_COLUMNS
    rows = []
    revealed = []
    for p in people:
        visible = not p.protection or p.owner_id == user.agency_id or p.pk in granted
        if visible and p.protection:
            revealed.append(p)
        names = [n.full_name for n in p.names.all()]
        status = p.current_status
        rows.append(
            [
                p.pk,
                names[0] if (visible and names) else ("" if visible else _("[protected identity withheld]")),
                " | ".join(names[1:]) if visible else "",
                p.sex,
                p.birth_date if visible else "",
                " ".join(n.country_id for n in p.nationalities.all()),
                str(status) if status else "",
                (p.get_protection_display() if visible else _("protected")) if p.protection else "",
            ]
            + _marking(p)
        )
    # As on the person page (reveal_protected): every protected identity shown
    # is an entry in the access log, here one per person in the file.
    with transaction.atomic():
        for p in revealed:
            audit.record(AuditEntry.Action.READ_PROTECTED, user, p, protection=p.protection, description="CSV export")
    return header, rows, people


# Columns that name other records or child rows, per model ---------------------
# Each takes the loaded records and the reader, and returns (header, row function).

def _codes(countries):
    return " ".join(sorted(c.pk for c in countries))


def _names(related, ids):
    return {pk: str(record) for pk, record in related.objects.filter(pk__in=ids).in_bulk().items()}


def _country_column(records, user):
    return ["country"], lambda r: [r.country_id or ""]


def _figures_text(figures):
    """"suspects: more than 70,000; victims: 160", in the reader's language."""
    parts = []
    for f in figures:
        qualifier = f"{f.get_qualifier_display()} " if f.qualifier else ""
        parts.append(f"{f.get_category_display().lower()}: {qualifier}{number_format(f.value, force_grouping=True)}")
    return "; ".join(parts)


def _operation_and_phase(records, user):
    """Operation and phase names, only for operations the reader may see."""
    from liaison.operations.models import Operation

    visible = _visible_ids(Operation, (r.operation_id for r in records), user)
    operations = _names(Operation, visible)
    prefetch_related_objects([r for r in records if r.operation_id in visible and r.phase_id], "phase__operation")

    def cells(r):
        if r.operation_id not in visible:
            return ["", ""]
        return [operations[r.operation_id], str(r.phase) if r.phase_id else ""]

    return cells


def _event_columns(records, user):
    from liaison.operations.models import Case
    from liaison.registry.models import Site

    prefetch_related_objects(records, "figures", "countries", "agencies")
    operation_and_phase = _operation_and_phase(records, user)
    sites = _names(Site, _visible_ids(Site, (r.site_id for r in records), user))
    cases = _names(Case, _visible_ids(Case, (r.case_id for r in records), user))
    header = ["figures", "countries", "from_country", "to_country", "agencies", "site", "operation", "phase", "case"]
    return header, lambda r: [
        _figures_text(r.figures.all()),
        _codes(r.countries.all()),
        r.from_country_id or "",
        r.to_country_id or "",
        " ".join(sorted(a.short_name for a in r.agencies.all())),
        sites.get(r.site_id, ""),
        *operation_and_phase(r),
        cases.get(r.case_id, ""),
    ]


def _case_columns(records, user):
    return ["operation", "phase"], _operation_and_phase(records, user)


def _operation_columns(records, user):
    prefetch_related_objects(records, "countries", "agencies", "lead_agency")
    return ["countries", "lead_agency", "agencies"], lambda r: [
        _codes(r.countries.all()),
        r.lead_agency.short_name if r.lead_agency_id else "",
        " ".join(sorted(a.short_name for a in r.agencies.all())),
    ]


def _site_columns(records, user):
    from liaison.registry.models import Organisation

    operators = _names(Organisation, _visible_ids(Organisation, (r.operator_id for r in records), user))
    return ["country", "operator"], lambda r: [
        r.country_id or "",
        "" if r.operator_id is None else operators.get(r.operator_id, hidden_label()),
    ]


def _relationship_columns(records, user):
    """Both ends as the relationship page shows them: type, id and name of a
    visible end; of an invisible one only "a record you cannot see"."""
    from liaison.registry.models import Person

    refs = {(r.subject_type_id, r.subject_id) for r in records} | {(r.object_type_id, r.object_id) for r in records}
    seen = visible_keys(user, refs)
    by_type = {}
    for ct_id, pk in seen:
        by_type.setdefault(ct_id, set()).add(pk)
    labels = {}
    for ct_id, ids in by_type.items():
        model = ContentType.objects.get_for_id(ct_id).model_class()
        readable = None
        if model is Person:
            readable = set(Person.objects.filter(pk__in=ids).filter(protected_visible_q(Person, user)).values_list("pk", flat=True))
        for pk, record in model.objects.filter(pk__in=ids).in_bulk().items():
            protected = model is Person and record.protection and pk not in readable
            labels[(ct_id, pk)] = (model._meta.model_name, pk, _("Protected identity") if protected else str(record))

    def end(key):
        if key not in labels:
            return ["", "", hidden_label()]
        return list(labels[key])

    header = ["subject_type", "subject_id", "subject", "object_type", "object_id", "object"]
    return header, lambda r: end((r.subject_type_id, r.subject_id)) + end((r.object_type_id, r.object_id))


EXTRA_COLUMNS = {
    "operations.event": _event_columns,
    "operations.case": _case_columns,
    "operations.operation": _operation_columns,
    "registry.site": _site_columns,
    "registry.organisation": _country_column,
    "registry.identifier": _country_column,
    "registry.relationship": _relationship_columns,
}
# Plain (non-relation) fields left out of every export: internal keys, long
# texts, and the raw ids of a relationship's ends (given by _relationship_columns).
SKIPPED_FIELDS = {
    "search_key", "sort_name", "text", "notes", "created_at", "updated_at", "retracted_at", "retraction_reason",
    "is_synthetic", "content_hash", "subject_id", "object_id",
}


def _plain(value):
    if isinstance(value, list):  # JSON lists such as an operation's crime types
        return " ".join(str(v) for v in value)
    return value


def generic_rows(queryset, user):
    model = queryset.model
    fields = [
        f for f in model._meta.concrete_fields
        if not f.is_relation and f.name not in SKIPPED_FIELDS and f.name not in MARKING_COLUMNS
    ]
    records = list(queryset.select_related("owner")[:MAX_EXPORT_ROWS])
    extra = EXTRA_COLUMNS.get(model._meta.label_lower)
    extra_header, extra_cells = extra(records, user) if extra else ([], lambda r: [])
    header = [f.name for f in fields] + extra_header + MARKING_COLUMNS
    rows = [[_plain(getattr(r, f.attname)) for f in fields] + extra_cells(r) + _marking(r) for r in records]
    return header, rows, records


def _marking(record):
    return [
        record.owner.short_name, record.distribution, record.tlp, record.handling, record.handling_note, record.accuracy,
        "yes" if record.is_synthetic else "",
    ]


def export_csv(queryset, user, description=""):
    """(filename-safe marking, CSV text) of ``queryset.visible_to(user)``; audited."""
    from liaison.registry.models import Person

    queryset = queryset.visible_to(user)
    header, rows, records = (person_rows if queryset.model is Person else generic_rows)(queryset, user)
    marking = strictest(r.tlp for r in records)
    out = io.StringIO()
    # The banner is in the exporting officer's language; the column names are the
    # import format's, the same in every language, so a file can be read back.
    out.write("# " + _("TLP:%(marking)s — exported from Liaison by %(user)s (%(agency)s)") % {
        "marking": marking, "user": user.get_username(), "agency": user.agency.short_name if user.agency_id else "-"})
    if any(r.handling != "H0" for r in records):
        out.write(_("; some rows carry handling restrictions (see the handling column)"))
    out.write("\n")
    write_rows(out, [header, *rows])
    per_owner = Counter(r.owner_id for r in records)
    for owner_id, count in per_owner.items():
        audit.record(
            AuditEntry.Action.EXPORT, user, None, owner_agency=Agency(pk=owner_id),
            model=queryset.model._meta.label_lower, rows=count, description=description[:200],
        )
    return marking, out.getvalue()
