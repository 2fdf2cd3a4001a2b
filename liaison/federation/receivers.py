"""What federation listens to: sharing actions (``liaison.sharing.signals``), edits of a
replicated record or of its child rows (names, nationalities, documents, statuses, figures,
participants, phases) and agencies joining or leaving a sharing group. Each writes
outbox entries in the transaction of the change; nothing is sent from here (``push`` sends)."""
from django.db.models.signals import post_delete, post_save
from django.dispatch import receiver

from liaison.federation import services
from liaison.federation.nodes import _replicated
from liaison.sharing.signals import sharing_changed


@receiver(sharing_changed)
def _on_sharing_changed(sender, record, action, **kwargs):
    services.enqueue(record)


def _on_record_saved(sender, instance, raw=False, **kwargs):
    if raw or not services.enabled():
        return
    services.enqueue(instance, check_all_peers=False)


# Child rows written with their record, and the field naming it.
CHILDREN = {"registry.personname": "person", "registry.nationality": "person", "registry.identitydocument": "person",
            "registry.personstatus": "person", "operations.figure": "event", "operations.participant": "event",
            "operations.phase": "operation"}


def _on_child_saved(sender, instance, raw=False, **kwargs):
    if raw or not services.enabled() or services.applying_envelope():
        return  # (a peer's envelope writes only copies of the peer's records: nothing to send back)
    field = sender._meta.get_field(CHILDREN[sender._meta.label_lower])
    parent = field.related_model.objects.filter(pk=getattr(instance, field.attname)).first()
    if parent is not None:
        services.enqueue(parent, check_all_peers=False)


def _on_group_members_changed(sender, instance, action, reverse, pk_set, **kwargs):
    """An agency joins or leaves a sharing group: the records shared with the group reach (or no
    longer reach) the peers homing it. Withdrawn from an agency that left, sent to one that joined."""
    from django.contrib.contenttypes.models import ContentType

    from liaison.sharing.models import Share, SharingGroup

    if action not in ("post_add", "post_remove", "post_clear") or not services.enabled():
        return
    groups = [instance.pk] if not reverse else list(pk_set or ())
    if reverse and action == "post_clear":
        groups = list(SharingGroup.objects.values_list("pk", flat=True))  # an agency left every group
    shared = Share.objects.filter(group_id__in=groups).values_list("content_type_id", "object_id").distinct()
    by_type = {}
    for ct_id, pk in shared:
        by_type.setdefault(ct_id, set()).add(pk)
    for ct_id, pks in by_type.items():
        model = ContentType.objects.get_for_id(ct_id).model_class()
        if model in _replicated():
            for record in model.objects.filter(pk__in=pks).order_by("pk"):
                services.enqueue(record)


def _connect():
    from django.apps import apps
    from django.db.models.signals import m2m_changed

    from liaison.sharing.models import SharingGroup

    for model in _replicated():
        post_save.connect(_on_record_saved, sender=model, dispatch_uid=f"federation-{model.__name__}-saved")
        post_delete.connect(_on_record_saved, sender=model, dispatch_uid=f"federation-{model.__name__}-deleted")
    for label in CHILDREN:
        model = apps.get_model(label)
        post_save.connect(_on_child_saved, sender=model, dispatch_uid=f"federation-{model.__name__}-saved")
        post_delete.connect(_on_child_saved, sender=model, dispatch_uid=f"federation-{model.__name__}-deleted")
    m2m_changed.connect(_on_group_members_changed, sender=SharingGroup.members.through,
                        dispatch_uid="federation-group-members")


_connect()
