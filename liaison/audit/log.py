"""Appending to and verifying the audit trail."""
import json

from django.db import transaction
from django.utils import timezone

from liaison.audit import chain
from liaison.audit.models import AuditEntry, ChainHead


def record(action, user, record=None, owner_agency=None, **detail):
    """Append one entry to the chain; returns it. Runs in the caller's transaction
    (or its own), so an action and its audit entry commit or fail together."""
    with transaction.atomic():
        ChainHead.objects.get_or_create(id=1, defaults={"seq": 0, "hash": chain.GENESIS})
        head = ChainHead.objects.select_for_update().get(id=1)
        entry = AuditEntry(
            seq=head.seq + 1,
            at=timezone.now(),
            action=action,
            actor=user if getattr(user, "pk", None) else None,
            actor_name=user.get_username() if getattr(user, "pk", None) else "system",
            actor_agency_id=getattr(user, "agency_id", None),
            owner_agency_id=owner_agency.pk if owner_agency else getattr(record, "owner_id", None),
            record_type=record._meta.label_lower if record is not None else "",
            record_id=record.pk if record is not None else None,
            detail=detail,
            prev_hash=head.hash,
        )
        # Round-trip through JSON so the hash covers what the database returns.
        entry.detail = json.loads(chain.canonical(entry.detail))
        entry.hash = chain.link_hash(entry.prev_hash, entry.chained_fields())
        entry.save()
        head.seq, head.hash = entry.seq, entry.hash
        head.save(update_fields=["seq", "hash"])
    return entry


def verify():
    """None if the chain is intact, else (seq, reason) of the first broken link."""
    entries = (
        (e.seq, e.prev_hash, e.hash, e.chained_fields()) for e in AuditEntry.objects.order_by("seq").iterator(chunk_size=2000)
    )
    broken = chain.first_break(entries)
    if broken:
        return broken
    head = ChainHead.objects.filter(id=1).first()
    last = AuditEntry.objects.order_by("-seq").first()
    if head and head.seq and (last is None or last.seq != head.seq):
        return (last.seq + 1 if last else 1), f"the chain should end at entry {head.seq}: the latest entries were removed"
    return None
