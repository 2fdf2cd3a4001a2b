"""API endpoints over the registry and operations.

Every queryset starts from ``visible_to(request.user)`` (child rows through
their parent's visible set), so an invisible record is a 404 exactly like an
unknown id. Lists load related rows up front (no N+1; see the query-count
tests in tests/api/test_performance.py).
"""
from django.contrib.contenttypes.models import ContentType
from django.contrib.contenttypes.prefetch import GenericPrefetch
from django.db import IntegrityError, transaction
from django.db.models import ProtectedError
from django.db.models import (
    BooleanField, Exists, ExpressionWrapper, F, OuterRef, Prefetch, Q, Subquery,
)
from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import permissions, serializers as drf_serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.exceptions import PermissionDenied
from rest_framework.pagination import PageNumberPagination
from rest_framework.response import Response
from rest_framework.views import APIView

from liaison.core.models import Country
from liaison.operations.models import Case as CaseRecord
from liaison.operations.models import Event, Operation, Participant, Phase
from liaison.registry.models import (
    Citation, Identifier, Nationality, Organisation, Person, Relationship, Site, Source,
)
from liaison.registry.paging import CappedPaginator
from liaison.registry.search import search
from liaison.sharing.models import Agency, Share
from liaison.sharing.visibility import mark_seen, protected_visible_q, with_citation_text_withheld

from . import filters
from . import serializers as s
from .fields import RECORD_TYPES, person_label
from .history import history_entries
from .permissions import CanEditOrReadOnly, OwnerAgencyOrReadOnly
from .sharing import SharingActionsMixin


class Pagination(PageNumberPagination):
    """Pages of 50; ``count`` stops at 10,000 (``count_is_exact`` false), the pages do not."""

    page_size = 50
    page_size_query_param = "page_size"
    max_page_size = 200
    # An exact count of a million visible persons takes seconds (bench/README.md).
    django_paginator_class = CappedPaginator

    def get_paginated_response(self, data):
        response = super().get_paginated_response(data)
        response.data["count_is_exact"] = not self.page.paginator.count_is_capped
        return response

    def get_paginated_response_schema(self, schema):
        schema = super().get_paginated_response_schema(schema)
        schema["properties"]["count_is_exact"] = {
            "type": "boolean", "example": True,
            "description": "False when there are more results than `count` (counting stops at 10,000).",
        }
        schema["required"] = [*schema.get("required", []), "count_is_exact"]
        return schema


def visible_persons(user):
    """Persons ``user`` may see, marked with whether their identity is withheld."""
    allowed = ExpressionWrapper(protected_visible_q(Person, user), output_field=BooleanField())
    return Person.objects.visible_to(user).annotate(protected_ok=allowed)


def visible_records_querysets(user):
    """One visible queryset per record type, for prefetching generic links."""
    return [visible_persons(user) if model is Person else model.objects.visible_to(user)
            for model in RECORD_TYPES.values()]


def visible_record_q(user, prefix=""):
    """Rows whose generic link ``prefix`` (content_type/object_id) points at a visible record."""
    q = Q(pk__isnull=True)
    for model in RECORD_TYPES.values():
        q |= Q(**{f"{prefix}content_type": ContentType.objects.get_for_model(model),
                  f"{prefix}object_id__in": model.objects.visible_to(user).values("pk")})
    return q


class HistoryMixin:
    @extend_schema(responses=s.HistoryEntrySerializer(many=True), filters=False)
    @action(detail=True, methods=["get"], pagination_class=None, filter_backends=[])
    def history(self, request, pk=None):
        """Who changed this record, when, and which fields from what to what."""
        record = self.get_object()
        return Response(s.HistoryEntrySerializer(history_entries(record, request.user), many=True).data)


class ScopedViewSet(HistoryMixin, viewsets.ModelViewSet):
    permission_classes = [permissions.IsAuthenticated, CanEditOrReadOnly, OwnerAgencyOrReadOnly]
    pagination_class = Pagination

    def perform_update(self, serializer):
        with transaction.atomic():
            serializer.save()

    def perform_destroy(self, instance):
        # Deleting a record that other agencies may have seen is refused the
        # same way whether or not they cited it, linked it or named it in a
        # request: a 409 that appeared only when such a reference existed told
        # the owner about records it cannot see (issue 10). Such a record is
        # retracted instead, which hides it from every recipient.
        if getattr(instance, "distribution", "owner") != "owner" or Share.objects.filter(
            content_type=ContentType.objects.get_for_model(type(instance)), object_id=instance.pk
        ).exists():
            raise ProtectedError(_("shared record"), set())
        with transaction.atomic():
            instance.delete()


class RecordViewSet(SharingActionsMixin, ScopedViewSet):
    """An owned record type: created for the user's agency, changed only by it."""

    model = None
    ordering_fields = ["id", "created_at", "updated_at"]
    # Shares tested row by row (visibility.filter_visible): right for lists that
    # read a page and a count capped at 10,000 (see PersonViewSet).
    per_row_visibility = False

    def get_queryset(self):
        user = self.request.user
        citations = with_citation_text_withheld(
            Citation.objects.filter(source__in=Source.objects.visible_to(user)).select_related("source"), user)
        queryset = (
            self.model.objects.visible_to(user, per_row=self.per_row_visibility)
            .select_related("owner")
            .prefetch_related(Prefetch("citations", queryset=citations, to_attr="visible_citations"))
        )
        return self.optimize(queryset)

    def optimize(self, queryset):
        return queryset

    def get_object(self):
        record = super().get_object()
        if self.action == "retrieve":
            mark_seen(record, self.request.user)  # a former reader is told of a later retraction
        return record

    def perform_create(self, serializer):
        with transaction.atomic():
            serializer.save(owner=self.request.user.agency, created_by=self.request.user)


class CountryViewSet(viewsets.ReadOnlyModelViewSet):
    """ISO 3166 countries (reference data)."""

    queryset = Country.objects.all()
    serializer_class = s.CountrySerializer
    pagination_class = Pagination
    filterset_fields = ["code"]
    ordering_fields = ["code", "name"]


class AgencyViewSet(viewsets.ReadOnlyModelViewSet):
    """Member and observer agencies with their place in the hierarchy."""

    queryset = Agency.objects.select_related("parent", "country").prefetch_related("children")
    serializer_class = s.AgencySerializer
    pagination_class = Pagination
    filterset_fields = ["country", "kind", "is_member", "parent"]
    ordering_fields = ["short_name", "name", "id"]


class SourceViewSet(RecordViewSet):
    model = Source
    serializer_class = s.SourceSerializer
    filterset_class = filters.SourceFilter
    ordering_fields = RecordViewSet.ordering_fields + ["published", "title"]


class PersonViewSet(RecordViewSet):
    """Persons, with all their names, nationalities, documents and statuses."""

    model = Person
    serializer_class = s.PersonSerializer
    filterset_class = filters.PersonFilter
    # "name" sorts by the primary name, except that withheld names sort as empty.
    ordering_fields = RecordViewSet.ordering_fields + ["name"]
    ordering = ["name", "id"]
    # The list of one nationality: 1.4 s with the shares hashed, 9 ms row by row
    # at a million persons (bench/README.md).
    per_row_visibility = True

    def get_queryset(self):
        user = self.request.user
        return super().get_queryset().annotate(
            protected_ok=ExpressionWrapper(protected_visible_q(Person, user), output_field=BooleanField()),
        ).annotate(
            # ``?ordering=name`` sorts by the safe key (blank for protected identities).
            name=F("sort_name"),
        )

    def optimize(self, queryset):
        return queryset.prefetch_related(
            "names", "documents", "statuses", Prefetch("nationalities", queryset=Nationality.objects.order_by("id")),
        )


class OrganisationViewSet(RecordViewSet):
    model = Organisation
    serializer_class = s.OrganisationSerializer
    filterset_class = filters.OrganisationFilter
    ordering_fields = RecordViewSet.ordering_fields + ["name"]


class SiteViewSet(RecordViewSet):
    model = Site
    serializer_class = s.SiteSerializer
    filterset_class = filters.SiteFilter
    ordering_fields = RecordViewSet.ordering_fields + ["name", "status_since", "country"]


class IdentifierViewSet(RecordViewSet):
    """Phones, accounts, wallets, handles. Posting one again returns the existing record."""

    model = Identifier
    serializer_class = s.IdentifierSerializer
    filterset_class = filters.IdentifierFilter
    ordering_fields = RecordViewSet.ordering_fields + ["kind", "normalized"]

    @extend_schema(responses={200: s.IdentifierSerializer, 201: s.IdentifierSerializer})
    def create(self, request, *args, **kwargs):
        serializer = self.get_serializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        existing = self._existing(serializer)
        if existing is None:
            try:
                with transaction.atomic():
                    self.perform_create(serializer)
                return Response(serializer.data, status=status.HTTP_201_CREATED)
            except IntegrityError:  # the same identifier posted twice at once
                existing = self._existing(serializer)
                if existing is None:
                    raise
        return Response(self.get_serializer(existing).data, status=status.HTTP_200_OK)

    def _existing(self, serializer):
        # The owner's own records: always visible to it, retracted or not.
        return self.get_queryset().filter(
            owner_id=self.request.user.agency_id,
            kind=serializer.validated_data["kind"],
            normalized=serializer._cleaned_instance.normalized,
        ).first()


class RelationshipViewSet(RecordViewSet):
    """Typed links between any two records; a link to a record you cannot see says so."""

    model = Relationship
    serializer_class = s.RelationshipSerializer
    filterset_class = filters.RelationshipFilter
    ordering_fields = RecordViewSet.ordering_fields + ["kind", "start"]

    def optimize(self, queryset):
        user = self.request.user
        return queryset.prefetch_related(
            GenericPrefetch("subject", visible_records_querysets(user)),
            GenericPrefetch("object", visible_records_querysets(user)),
        )


class CitationViewSet(ScopedViewSet):
    """Which source supports which record, with the quoted words.

    A citation is seen when both its source and its record are; it is written
    by the agency owning the record it supports.
    """

    serializer_class = s.CitationSerializer
    filterset_class = filters.CitationFilter
    ordering_fields = ["id"]

    def get_queryset(self):
        user = self.request.user
        return (
            with_citation_text_withheld(Citation.objects.filter(source__in=Source.objects.visible_to(user)), user)
            .filter(visible_record_q(user))
            .select_related("source", "content_type")
            .prefetch_related(GenericPrefetch("record", visible_records_querysets(user)))
            .order_by("id")
        )

    def perform_create(self, serializer):
        record = serializer.validated_data["record"]
        if record.owner_id != self.request.user.agency_id:
            raise PermissionDenied(_("Only the owner agency (%(agency)s) can add sources to this record.")
                                   % {"agency": record.owner.short_name})
        with transaction.atomic():
            serializer.save()

    def perform_update(self, serializer):
        record = serializer.validated_data.get("record")
        if record is not None and record.owner_id != self.request.user.agency_id:
            raise PermissionDenied(_("Only the owner agency (%(agency)s) can add sources to this record.")
                                   % {"agency": record.owner.short_name})
        super().perform_update(serializer)


class OperationViewSet(RecordViewSet):
    model = Operation
    serializer_class = s.OperationSerializer
    filterset_class = filters.OperationFilter
    ordering_fields = RecordViewSet.ordering_fields + ["name", "start"]

    def optimize(self, queryset):
        return queryset.prefetch_related("phases", "agencies", "countries")


class PhaseViewSet(ScopedViewSet):
    """Phases of operations; written by the agency owning the operation."""

    serializer_class = s.PhaseSerializer
    filterset_class = filters.PhaseFilter
    ordering_fields = ["number", "start", "id"]

    def get_queryset(self):
        operations = Operation.objects.visible_to(self.request.user)
        return Phase.objects.filter(operation__in=operations).select_related("operation__owner")

    def _require_operation_owner(self, operation):
        if operation.owner_id != self.request.user.agency_id:
            raise PermissionDenied(_("Only the owner agency (%(agency)s) can change this operation.")
                                   % {"agency": operation.owner.short_name})

    def perform_create(self, serializer):
        self._require_operation_owner(serializer.validated_data["operation"])
        with transaction.atomic():
            serializer.save()

    def perform_update(self, serializer):
        # Moving a phase into another operation needs the target's owner too.
        self._require_operation_owner(serializer.validated_data.get("operation", serializer.instance.operation))
        super().perform_update(serializer)


class CaseViewSet(RecordViewSet):
    model = CaseRecord
    serializer_class = s.CaseSerializer
    filterset_class = filters.CaseFilter
    ordering_fields = RecordViewSet.ordering_fields + ["reference", "opened"]


class EventViewSet(RecordViewSet):
    model = Event
    serializer_class = s.EventSerializer
    filterset_class = filters.EventFilter
    ordering_fields = RecordViewSet.ordering_fields + ["date", "kind"]

    def optimize(self, queryset):
        # Annotations rather than a nested Prefetch(to_attr=...) on the person
        # foreign key, which Django then loads once more per row.
        persons = visible_persons(self.request.user).filter(pk=OuterRef("person_id"))
        participants = (
            Participant.objects.order_by("id").select_related("person")
            .annotate(person_visible=Exists(persons), person_protected_ok=Subquery(persons.values("protected_ok")))
        )
        return queryset.prefetch_related(
            "figures", "countries", "agencies", Prefetch("participants", queryset=participants),
        )


class SearchView(APIView):
    """Search every visible person, organisation, site and identifier by any name or number."""

    permission_classes = [permissions.IsAuthenticated]

    @extend_schema(
        parameters=[OpenApiParameter("q", str, required=True, description=_("A name in any script, or an identifier."))],
        responses=s.SearchResultsSerializer,
    )
    def get(self, request):
        query = request.query_params.get("q", "").strip()
        if not query:
            raise drf_serializers.ValidationError({"q": [_("Type a name or an identifier to search for.")]})
        results = search(request.user, query)
        # Persons are found by name; one whose names are withheld from this
        # user must not be found by them either.
        shown = set(visible_persons(request.user).filter(
            Q(protection="") | Q(protected_ok=True), pk__in=[p.pk for p in results.persons]
        ).values_list("pk", flat=True))
        persons = [p for p in results.persons if p.pk in shown]

        def hit(obj, label=None):
            return {"id": obj.pk, "type": obj._meta.model_name, "label": label or str(obj),
                    "owner": obj.owner.short_name}

        data = {
            "query": results.query,
            # A record of the same identity cluster is listed under the hit it belongs with.
            "persons": [dict(hit(p, person_label(p, request.user)),
                             same_person_as=p.cluster_lead.pk if getattr(p, "cluster_lead", None) else None)
                        for p in persons],
            "organisations": [hit(o) for o in results.organisations],
            "sites": [hit(x) for x in results.sites],
            "identifiers": [hit(i) for i in results.identifiers],
        }
        data["total"] = sum(len(data[k]) for k in ("persons", "organisations", "sites", "identifiers"))
        return Response(data)

