"""Incremental matching on arrival: any save of a person or of its names,
nationalities, documents or statuses schedules one matching run of that
person after the transaction commits (``services.schedule``).

Bulk loads (``bulk_create``: the importer, the COPY loader, the synthetic
demo) send no signals; the importer calls the service itself, the others rely
on ``liaison match run``.
"""
from django.db.models.signals import post_delete, post_save


def _person_saved(sender, instance, raw=False, **kwargs):
    if not raw:
        from liaison.matching.services import schedule

        schedule(instance.pk)


def _child_changed(sender, instance, raw=False, **kwargs):
    if not raw:
        from liaison.matching.services import schedule

        schedule(instance.person_id)


def connect():
    from liaison.registry.models import IdentityDocument, Nationality, Person, PersonName, PersonStatus

    post_save.connect(_person_saved, sender=Person, dispatch_uid="matching-person")
    for model in (PersonName, Nationality, IdentityDocument, PersonStatus):
        post_save.connect(_child_changed, sender=model, dispatch_uid=f"matching-{model.__name__}-save")
        post_delete.connect(_child_changed, sender=model, dispatch_uid=f"matching-{model.__name__}-delete")
