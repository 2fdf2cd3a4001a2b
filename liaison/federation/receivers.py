"""What federation listens to: sharing actions (``liaison.sharing.signals``) and edits of a
replicated record or of its child rows (names, nationalities, documents, statuses). Each writes
outbox entries in the transaction of the change; nothing is sent from here (``push`` sends)."""
from django.db.models.signals import post_delete, post_save
from django.dispatch import receiver

from liaison.federation import services
from liaison.sharing.signals import sharing_changed


@receiver(sharing_changed)
def _on_sharing_changed(sender, record, action, **kwargs):
    services.enqueue(record)


def _on_person_saved(sender, instance, raw=False, **kwargs):
    if raw or not services.enabled():
        return
    services.enqueue(instance, check_all_peers=False)


def _on_child_saved(sender, instance, raw=False, **kwargs):
    if raw or not services.enabled() or services.applying_envelope():
        return  # (a peer's envelope writes only copies of the peer's records: nothing to send back)
    from liaison.registry.models import Person

    person = Person.objects.filter(pk=instance.person_id).first()
    if person is not None:
        services.enqueue(person, check_all_peers=False)


def _connect():
    from liaison.registry.models import IdentityDocument, Nationality, Person, PersonName, PersonStatus

    post_save.connect(_on_person_saved, sender=Person, dispatch_uid="federation-person-saved")
    post_delete.connect(_on_person_saved, sender=Person, dispatch_uid="federation-person-deleted")
    for model in (PersonName, Nationality, IdentityDocument, PersonStatus):
        post_save.connect(_on_child_saved, sender=model, dispatch_uid=f"federation-{model.__name__}-saved")
        post_delete.connect(_on_child_saved, sender=model, dispatch_uid=f"federation-{model.__name__}-deleted")


_connect()
