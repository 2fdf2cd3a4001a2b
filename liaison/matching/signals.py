"""Incremental matching on arrival, and the mark that a person's keys are stale.

Any save of a person or of its names, nationalities, documents or statuses
schedules one matching run of that person after the transaction commits
(``services.schedule``).

Every ORM write that changes what ``matching.records.load`` reads of a person
(the person, its names, nationalities, documents, statuses, the links to its
identifiers and those identifiers, their markings and retraction) also deletes
the person's ``KeyedPerson`` row in the writer's own transaction: one DELETE
by primary key. Arrival matching writes the row back in its own transaction;
if it fails or is skipped (an import above ``services.ARRIVAL_LIMIT``), the
person stays without a row and the next ``liaison match run`` keys and
matches it.

Bulk loads (``bulk_create``: the importer, the COPY loader, federation's bulk
receiving, the synthetic demo) send no signals and write no row: their persons
are "to key" by construction, and ``liaison match run`` picks them up.
"""
from django.db.models.signals import post_delete, post_save


def mark_stale(person_ids):
    """The keys of ``person_ids`` are no longer current: the next run keys and matches them again."""
    from liaison.matching.models import KeyedPerson

    ids = [pk for pk in person_ids if pk is not None]
    if len(ids) == 1:
        KeyedPerson.objects.filter(pk=ids[0]).delete()
    elif ids:
        KeyedPerson.objects.filter(pk__in=ids).delete()


def _person_saved(sender, instance, created=False, raw=False, **kwargs):
    if not created:  # a new person has no row yet: nothing to delete
        mark_stale([instance.pk])
    if not raw:
        from liaison.matching.services import schedule

        schedule(instance.pk)


def _child_changed(sender, instance, raw=False, **kwargs):
    mark_stale([instance.person_id])
    if not raw:
        from liaison.matching.services import schedule

        schedule(instance.person_id)


def _person_types():
    from django.contrib.contenttypes.models import ContentType

    from liaison.registry.models import Identifier, Person

    return ContentType.objects.get_for_model(Person).pk, ContentType.objects.get_for_model(Identifier).pk


def _link_changed(sender, instance, **kwargs):
    """A link between a person and an identifier: the identifier is one of the person's keys."""
    person_ct, identifier_ct = _person_types()
    ends = {(instance.subject_type_id, instance.object_type_id): instance.subject_id,
            (instance.object_type_id, instance.subject_type_id): instance.object_id}
    person_id = ends.get((person_ct, identifier_ct))
    if person_id is not None:
        mark_stale([person_id])


def _persons_linked_to(identifier_id):
    """The persons linked to the identifier, as a subquery (either end of the link)."""
    from django.db.models import Q

    from liaison.registry.models import Relationship

    person_ct, identifier_ct = _person_types()
    links = Relationship.objects.filter(
        Q(subject_type_id=person_ct, object_type_id=identifier_ct, object_id=identifier_id)
        | Q(object_type_id=person_ct, subject_type_id=identifier_ct, subject_id=identifier_id))
    return links.values_list("subject_id", "object_id", "subject_type_id")


def _identifier_changed(sender, instance, created=False, **kwargs):
    """An identifier's canonical form or marking: a key of every person linked to it."""
    if created:  # no link to it yet
        return
    person_ct, _identifier_ct = _person_types()
    mark_stale([s if st == person_ct else o for s, o, st in _persons_linked_to(instance.pk)])


def _sharing_changed(sender, record, action, **kwargs):
    """Markings and retraction are written with ``update()`` (no post_save): a person's
    distribution, or its identifiers' and links', decides which identifiers count."""
    from liaison.registry.models import Identifier, Person, Relationship

    if isinstance(record, Person):
        mark_stale([record.pk])
    elif isinstance(record, Relationship):
        _link_changed(Relationship, record)
    elif isinstance(record, Identifier):
        _identifier_changed(Identifier, record)


def _listed(sender, instance, created=False, **kwargs):
    """A person newly on the watchlist: its hits are made by matching it again (arrival
    matching does it at once; if that fails, the next run does)."""
    if created:
        mark_stale([instance.person_id])


def connect():
    from liaison.matching.models import WatchlistEntry
    from liaison.registry.models import Identifier, IdentityDocument, Nationality, Person, PersonName, PersonStatus, Relationship
    from liaison.sharing.signals import sharing_changed

    post_save.connect(_person_saved, sender=Person, dispatch_uid="matching-person")
    for model in (PersonName, Nationality, IdentityDocument, PersonStatus):
        post_save.connect(_child_changed, sender=model, dispatch_uid=f"matching-{model.__name__}-save")
        post_delete.connect(_child_changed, sender=model, dispatch_uid=f"matching-{model.__name__}-delete")
    post_save.connect(_link_changed, sender=Relationship, dispatch_uid="matching-Relationship-save")
    post_delete.connect(_link_changed, sender=Relationship, dispatch_uid="matching-Relationship-delete")
    post_save.connect(_identifier_changed, sender=Identifier, dispatch_uid="matching-Identifier-save")
    post_delete.connect(_identifier_changed, sender=Identifier, dispatch_uid="matching-Identifier-delete")
    post_save.connect(_listed, sender=WatchlistEntry, dispatch_uid="matching-WatchlistEntry-save")
    sharing_changed.connect(_sharing_changed, dispatch_uid="matching-sharing-changed")
