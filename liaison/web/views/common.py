"""What every page of the web UI shares: access rules, error pages, links.

Access follows ``liaison.sharing.visibility``: a record the user may not see
does not exist (404, with a retraction notice when it was withdrawn after the
user read it); a record they can see but not change answers 403 with a page
that says why.
"""
from functools import wraps

from django.contrib.auth.decorators import login_required
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import PermissionDenied
from django.db import DataError
from django.http import Http404
from django.shortcuts import render
from django.urls import reverse
from django.utils.translation import gettext as _

from liaison.operations.models import Case, Event, Operation
from liaison.registry.models import Identifier, Organisation, Person, Relationship, Site, Source
from liaison.sharing.visibility import mark_seen, retraction_notice

# URL slug of each record type with a page of its own.
SLUGS = {
    Person: "persons",
    Organisation: "organisations",
    Site: "sites",
    Identifier: "identifiers",
    Operation: "operations",
    Case: "cases",
    Event: "events",
    Source: "sources",
    Relationship: "relationships",
}
MODELS = {slug: model for model, slug in SLUGS.items()}
# Record types whose links can be drawn as a graph; urls.py routes only these.
GRAPHED = ("persons", "organisations", "sites", "identifiers", "operations", "events")


class NotVisible(Http404):
    """Http404 that remembers which record was asked for, for the retraction notice."""

    def __init__(self, model=None, pk=None):
        super().__init__()
        self.model, self.pk = model, pk


class NotOwner(PermissionDenied):
    pass


def web_view(view):
    """login_required, plus the UI's own 404 and 403 pages.

    The second-factor check the auth engineer adds wraps here too, so every
    page gets it without each view knowing.
    """

    @login_required
    @wraps(view)
    def wrapper(request, *args, **kwargs):
        try:
            return view(request, *args, **kwargs)
        except NotVisible as exc:
            retracted = retraction_notice(exc.model, exc.pk, request.user) if exc.model else None
            return render(request, "web/not_found.html", {"retracted_at": retracted}, status=404)
        except (Http404, OverflowError, DataError):
            # A 30-digit id in an address or a filter is no record, not a server fault.
            return render(request, "web/not_found.html", {}, status=404)
        except NotOwner as exc:
            return render(request, "web/forbidden.html", {"reason": str(exc)}, status=403)
        except PermissionDenied:
            return render(
                request, "web/forbidden.html",
                {"reason": _("Your account is not allowed to create or change records. Ask your agency administrator.")},
                status=403,
            )

    return wrapper


def get_visible(queryset, user, pk):
    """The record ``pk`` of ``queryset`` if ``user`` may see it, else NotVisible (404)."""
    model = queryset.model
    try:
        record = queryset.visible_to(user).get(pk=pk)
    except (model.DoesNotExist, ValueError, TypeError, OverflowError, DataError):
        raise NotVisible(model, pk) from None
    if hasattr(record, "owner_id"):
        mark_seen(record, user)
    return record


def require_editor(user):
    if not getattr(user, "can_edit", False):
        raise PermissionDenied


def get_editable(queryset, user, pk):
    """The record if ``user``'s agency owns it; 404 if invisible, 403 if visible but not theirs."""
    require_editor(user)
    record = get_visible(queryset, user, pk)
    if record.owner_id != user.agency_id:
        raise NotOwner(
            _("This record belongs to %(agency)s. Only that agency can change it; ask them to correct it, "
              "or add your own record and cite your source.") % {"agency": record.owner}
        )
    return record


def url_for(record):
    slug = SLUGS.get(type(record))
    return reverse("web:detail", args=[slug, record.pk]) if slug else ""


def ct_of(model_or_record):
    return ContentType.objects.get_for_model(model_or_record)
