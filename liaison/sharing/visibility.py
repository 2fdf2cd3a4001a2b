"""The single place where Liaison decides which records a user may see.

Every read path (API, pages, search, counts, dashboards, graph, history,
exports) narrows its queryset with ``filter_visible`` via
``Model.objects.visible_to(user)``. A record outside that set does not exist
for the user: views answer 404, never 403.
"""
from django.contrib.contenttypes.models import ContentType
from django.db.models import Exists, OuterRef, Q

from liaison.core.models import Distribution


def user_agency_id(user):
    if user is None or not user.is_authenticated or not user.is_active:
        return None
    return user.agency_id


def filter_visible(queryset, user):
    """``queryset`` narrowed to the records ``user`` may see."""
    from liaison.sharing.models import Share

    agency_id = user_agency_id(user)
    public = Q(distribution=Distribution.PUBLIC, retracted_at__isnull=True)
    if agency_id is None:
        return queryset.filter(public)

    agency = user.agency
    shares = Share.objects.filter(
        content_type=ContentType.objects.get_for_model(queryset.model),
        object_id=OuterRef("pk"),
    ).filter(Q(agency_id=agency_id) | Q(group__members=agency_id))
    received = Q(distribution=Distribution.SHARED) & Exists(shares)
    if agency.is_member:
        received |= Q(distribution=Distribution.MEMBERS)
    others = (received | Q(distribution=Distribution.PUBLIC)) & Q(retracted_at__isnull=True)
    return queryset.filter(Q(owner_id=agency_id) | others)


def is_visible(record, user):
    return filter_visible(type(record).objects.filter(pk=record.pk), user).exists()
