"""REST API of the matching app (mounted at /api/matching/): candidate pairs and
their decisions, identity clusters and splits, watchlist hit notices.

Same rules as the pages: a pair is listed only when the user may see both
persons; a hit notice shows the user's own record and the other agency, never
the other record.
"""
from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import OpenApiParameter, extend_schema, extend_schema_field
from rest_framework import mixins, permissions, serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.exceptions import NotFound, PermissionDenied, ValidationError
from rest_framework.response import Response

from liaison.matching import services
from liaison.matching.models import CandidatePair, Entity, EntityMember, HitNotice
from liaison.registry.models import Person


class PersonRefSerializer(serializers.ModelSerializer):
    owner = serializers.SlugRelatedField(slug_field="short_name", read_only=True)

    class Meta:
        model = Person
        fields = ["id", "display_name", "owner"]


class CandidateSerializer(serializers.ModelSerializer):
    person_a = PersonRefSerializer(read_only=True)
    person_b = PersonRefSerializer(read_only=True)
    fields = serializers.DictField(child=serializers.FloatField(), read_only=True,
                                   help_text=_("Match weight of each field (log2 Bayes factor)."))
    why = serializers.ListField(child=serializers.CharField(), read_only=True)

    class Meta:
        model = CandidatePair
        fields = ["id", "person_a", "person_b", "probability", "match_weight", "fields", "why", "status", "found_by",
                  "created_at", "updated_at", "decided_at", "note"]
        read_only_fields = fields


class DecisionSerializer(serializers.Serializer):
    note = serializers.CharField(required=False, allow_blank=True, max_length=500, default="")


class MergeSerializer(DecisionSerializer):
    confirm_conflicting_statuses = serializers.BooleanField(
        required=False, default=False,
        help_text=_("Merge even though the two records disagree on the person's current status "
                    "(for example deceased in one, repatriated in the other)."),
    )


class SplitSerializer(serializers.Serializer):
    person = serializers.IntegerField(help_text=_("The person to take out of the cluster."))
    note = serializers.CharField(required=False, allow_blank=True, max_length=500, default="")


class EntitySerializer(serializers.ModelSerializer):
    members = serializers.SerializerMethodField()

    class Meta:
        model = Entity
        fields = ["id", "created_at", "members"]

    @extend_schema_field(PersonRefSerializer(many=True))
    def get_members(self, entity):
        return PersonRefSerializer([m.person for m in entity.visible], many=True).data


class HitNoticeSerializer(serializers.Serializer):
    """A hit from the user's agency's side: its own record, the other agency, the band."""

    id = serializers.IntegerField()
    role = serializers.ChoiceField(
        choices=["watched", "matched"],
        help_text=_("watched: your watchlisted record was matched; matched: your record matched another agency's watchlist."),
    )
    own_person = serializers.IntegerField()
    other_agency = serializers.CharField()
    band = serializers.ChoiceField(
        choices=HitNotice.Band.choices,
        help_text=_("strong: several details agree; possible: fewer do. The matcher's score is never given: "
                    "its digits would tell of the other agency's record."),
    )
    message = serializers.CharField()
    created_at = serializers.DateTimeField()
    updated_at = serializers.DateTimeField()
    details_requested = serializers.BooleanField()

    def to_representation(self, notice):
        agency_id = self.context["request"].user.agency_id
        own_id, other, role = notice.side(agency_id)
        return {
            "id": notice.pk, "role": role, "own_person": own_id, "other_agency": other.short_name,
            "band": notice.band, "message": notice.message_for(agency_id),
            "created_at": serializers.DateTimeField().to_representation(notice.created_at),
            "updated_at": serializers.DateTimeField().to_representation(notice.updated_at),
            "details_requested": notice.request_of(agency_id)[0] is not None,
        }


def _decision(call):
    try:
        return call()
    except services.NotFound as exc:
        raise NotFound(str(exc)) from None
    except services.NotAllowed as exc:
        raise PermissionDenied(str(exc)) from None
    except services.MatchingError as exc:
        raise ValidationError({"detail": str(exc)}) from None


class CandidateViewSet(viewsets.ReadOnlyModelViewSet):
    """Candidate matches between persons you may see, one of them your agency's, most probable first.

    ``?status=open`` (default), ``merged``, ``rejected`` or ``all``.
    """

    serializer_class = CandidateSerializer
    permission_classes = [permissions.IsAuthenticated]
    filter_backends = []

    def get_queryset(self):
        wanted = self.request.query_params.get("status", CandidatePair.Status.OPEN)
        if self.action != "list" or wanted == "all":
            wanted = None
        elif wanted not in CandidatePair.Status.values:
            raise ValidationError({"status": _("Use open, merged, rejected or all.")})
        # The list is the agency's queue (pairs it may decide); one pair by id may be any visible pair.
        pairs = services.decidable_pairs if self.action == "list" else services.visible_pairs
        return (pairs(self.request.user, status=wanted)
                .select_related("person_a__owner", "person_b__owner").order_by("-probability", "id"))

    @extend_schema(parameters=[OpenApiParameter("status", str, enum=[*CandidatePair.Status.values, "all"],
                                                description="Which pairs: open (default), merged, rejected or all.")])
    def list(self, request, *args, **kwargs):
        return super().list(request, *args, **kwargs)

    @extend_schema(request=MergeSerializer, responses=CandidateSerializer)
    @action(detail=True, methods=["post"])
    def merge(self, request, pk=None):
        """Confirm: same person. Both records join one identity cluster (audited; undo with split).
        Records that disagree on the person's current status need ``confirm_conflicting_statuses``."""
        pair = self.get_object()
        body = MergeSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        _decision(lambda: services.merge(request.user, pair, body.validated_data["note"],
                                         confirm_statuses=body.validated_data["confirm_conflicting_statuses"]))
        pair.refresh_from_db()
        return Response(CandidateSerializer(pair).data)

    @extend_schema(request=DecisionSerializer, responses=CandidateSerializer)
    @action(detail=True, methods=["post"])
    def reject(self, request, pk=None):
        """Different persons: never proposed again (audited)."""
        pair = self.get_object()
        body = DecisionSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        _decision(lambda: services.reject(request.user, pair, body.validated_data["note"]))
        pair.refresh_from_db()
        return Response(CandidateSerializer(pair).data)


class EntityViewSet(mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    """Identity clusters: only the members you may see are listed."""

    serializer_class = EntitySerializer
    permission_classes = [permissions.IsAuthenticated]
    filter_backends = []
    queryset = Entity.objects.none()

    def get_object(self):
        entity = _decision(lambda: services.get_entity(self.request.user, self.kwargs["pk"]))
        judgeable = services.judgeable_persons(self.request.user).values("pk")
        entity.visible = list(services.visible_members(self.request.user, entity).filter(person__in=judgeable)
                              .select_related("person__owner"))
        return entity

    @extend_schema(request=SplitSerializer, responses=EntitySerializer)
    @action(detail=True, methods=["post"])
    def split(self, request, pk=None):
        """Take one person out of the cluster (undo a merge; audited, history kept)."""
        entity = self.get_object()
        body = SplitSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        member = next((m for m in entity.visible if m.person_id == body.validated_data["person"]), None)
        if member is None:
            raise ValidationError({"person": _("This person is not a member of the cluster.")})
        _decision(lambda: services.split(request.user, member, body.validated_data["note"]))
        live = set(EntityMember.objects.filter(pk__in=[m.pk for m in entity.visible], removed_at__isnull=True)
                   .values_list("pk", flat=True))
        entity.visible = [m for m in entity.visible if m.pk in live]
        return Response(EntitySerializer(entity).data, status=status.HTTP_200_OK)


class HitNoticeViewSet(viewsets.ReadOnlyModelViewSet):
    """Watchlist hits of your agency, from its own side only."""

    serializer_class = HitNoticeSerializer
    permission_classes = [permissions.IsAuthenticated]
    filter_backends = []

    def get_queryset(self):
        return services.notices_for(self.request.user).select_related("watched_agency", "matched_agency")

    @extend_schema(request=None, responses=HitNoticeSerializer)
    @action(detail=True, methods=["post"], url_path="request-details")
    def request_details(self, request, pk=None):
        """Ask the other agency for details (a draft request of kind hit_details). Liaison officers only."""
        notice = self.get_object()
        if not getattr(request.user, "can_share", False):
            raise PermissionDenied(_("Only liaison officers can ask another agency for details."))
        notice = _decision(lambda: services.request_details(request.user, notice))
        return Response(HitNoticeSerializer(notice, context={"request": request}).data)
