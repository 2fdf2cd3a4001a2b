"""Who may write through the API.

Reading is decided by visibility alone (querysets from ``visible_to``: what a
user may not see is a 404). Writing needs an editing role, and changing or
deleting a record needs to belong to the agency that owns it.
"""
from django.utils.translation import gettext_lazy as _
from rest_framework import permissions


def owner_agency(obj):
    """The agency that decides about ``obj``: its owner, or its parent record's."""
    for path in ("owner", "operation.owner", "record.owner"):
        node = obj
        for part in path.split("."):
            node = getattr(node, part, None)
            if node is None:
                break
        if node is not None:
            return node
    return None


class CanEditOrReadOnly(permissions.BasePermission):
    message = _(
        "Your account can only read the registry. Ask your agency administrator for the analyst "
        "or liaison officer role to add or change records."
    )

    def has_permission(self, request, view):
        if request.method in permissions.SAFE_METHODS:
            return True
        return bool(getattr(request.user, "can_edit", False))


class OwnerAgencyOrReadOnly(permissions.BasePermission):
    """Only the owner agency changes a record others can see."""

    def has_object_permission(self, request, view, obj):
        if request.method in permissions.SAFE_METHODS:
            return True
        owner = owner_agency(obj)
        if owner is not None and owner.pk == request.user.agency_id:
            return True
        self.message = _("Only the owner agency (%(agency)s) can change this record.") % {
            "agency": owner.short_name if owner else "?"
        }
        return False
