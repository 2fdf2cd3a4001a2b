"""Which replicated records name other records in what is sent, so that a record goes after the
records it names (a link after both its ends, an event after its site, operation, case and
participants, a site after its operator).

Why it matters: the receiving node imports a delivery alone (``liaison.interop.stix``'s importer
finds a named record among the copies it holds); a link that arrives before one of its ends is
not imported, and nothing would send it again. So when a record's state for a peer changes
(shared, unshared, retracted...), the records that name it are queued again behind it, and a
record that names others is always queued at the back (``outbox.enqueue``).
"""
from django.contrib.contenttypes.models import ContentType
from django.db.models import Q


def names_others(record):
    """Whether what is sent of ``record`` names other records (it must then go after them)."""
    from liaison.operations.models import Event
    from liaison.registry.models import Relationship, Site

    return isinstance(record, (Relationship, Event, Site))


def dependents(record):
    """The records whose objects name ``record``: links with it at one end, events at its site, of
    its operation or case or with it as a participant, sites it operates."""
    from liaison.operations.models import Case, Event, Operation
    from liaison.registry.models import Organisation, Person, Relationship, Site

    ct = ContentType.objects.get_for_model(type(record))
    found = list(Relationship.objects.filter(Q(subject_type=ct, subject_id=record.pk) | Q(object_type=ct, object_id=record.pk))
                 .order_by("pk"))
    events = {Site: Q(site_id=record.pk), Operation: Q(operation_id=record.pk), Case: Q(case_id=record.pk),
              Person: Q(participants__person_id=record.pk)}
    if type(record) in events:
        found += list(Event.objects.filter(events[type(record)]).distinct().order_by("pk"))
    if type(record) is Organisation:
        found += list(Site.objects.filter(operator_id=record.pk).order_by("pk"))
    return found
