"""A record's change history (django-simple-history) in a form people read.

Officers of other agencies are named only by their agency: who works on what
in a partner agency is not ours to publish. A protected person's withheld
fields stay withheld in their history too.
"""
from liaison.registry.models import Person
from liaison.sharing.visibility import can_see_protected

TYPES = {"+": "created", "~": "changed", "-": "deleted"}
# Derived or bookkeeping columns: their changes say nothing to a reader.
NOISE = ["updated_at", "search_key", "content_hash", "created_at", "created_by"]
PROTECTED_PERSON_FIELDS = {"display_name", "birth_date", "birth_place", "protection", "notes"}


def history_entries(record, user):
    withheld = set()
    if isinstance(record, Person) and record.protection and not can_see_protected(record, user):
        withheld = PROTECTED_PERSON_FIELDS
    versions = list(record.history.select_related("history_user__agency").order_by("-history_date", "-history_id"))
    entries = []
    for index, version in enumerate(versions):
        previous = versions[index + 1] if index + 1 < len(versions) else None
        changes = []
        if previous is not None and version.history_type == "~":
            excluded = [f for f in NOISE if hasattr(version, f)]
            delta = version.diff_against(previous, excluded_fields=excluded)
            for change in delta.changes:
                hidden = change.field in withheld
                changes.append({
                    "field": change.field,
                    "old": None if hidden else change.old,
                    "new": None if hidden else change.new,
                    "withheld": hidden,
                })
        author = version.history_user
        same_agency = author is not None and author.agency_id is not None and author.agency_id == user.agency_id
        entries.append({
            "when": version.history_date,
            "type": TYPES.get(version.history_type, version.history_type),
            "agency": author.agency.short_name if author is not None and author.agency_id else None,
            "user": author.get_username() if same_agency else None,
            "reason": version.history_change_reason,
            "changes": changes,
        })
    return entries
