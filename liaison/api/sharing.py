"""Sharing actions on every owned record type, through the API.

The rules live in ``liaison.sharing.services`` (the same calls the sharing
page makes); this module only translates HTTP to those calls and their
refusals to status codes: a broken rule is 400, a missing right 403, a record
the user cannot see 404.
"""
from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import extend_schema
from rest_framework import permissions, serializers, status
from rest_framework.decorators import action
from rest_framework.exceptions import NotFound, PermissionDenied, ValidationError
from rest_framework.response import Response

from liaison.core.models import TLP, Distribution, Handling
from liaison.operations.models import Operation, Phase
from liaison.sharing import services
from liaison.sharing.models import Agency, Share, SharingGroup


class ShareSerializer(serializers.ModelSerializer):
    recipient = serializers.SerializerMethodField()
    created_by = serializers.SlugRelatedField(slug_field="username", read_only=True)

    class Meta:
        model = Share
        fields = ["id", "recipient", "agency", "group", "operation", "phase", "include_protected", "created_by", "created_at"]

    def get_recipient(self, obj) -> str:
        return str(obj.recipient)


class ShareRequestSerializer(serializers.Serializer):
    agencies = serializers.PrimaryKeyRelatedField(queryset=Agency.objects.all(), many=True, required=False)
    groups = serializers.PrimaryKeyRelatedField(queryset=SharingGroup.objects.all(), many=True, required=False)
    operations = serializers.PrimaryKeyRelatedField(queryset=Operation.objects.none(), many=True, required=False)
    phases = serializers.PrimaryKeyRelatedField(queryset=Phase.objects.none(), many=True, required=False)
    include_protected = serializers.BooleanField(default=False)

    def __init__(self, *args, user=None, **kwargs):
        super().__init__(*args, **kwargs)
        if user is not None:
            # Operations are records too: only visible ones can be named.
            visible = Operation.objects.visible_to(user)
            self.fields["operations"].child_relation.queryset = visible
            self.fields["phases"].child_relation.queryset = Phase.objects.filter(operation__in=visible)


class UnshareRequestSerializer(serializers.Serializer):
    share = serializers.IntegerField()


class MarkingRequestSerializer(serializers.Serializer):
    distribution = serializers.ChoiceField(choices=Distribution.choices, required=False)
    tlp = serializers.ChoiceField(choices=TLP.choices, required=False)
    handling = serializers.ChoiceField(choices=Handling.choices, required=False)


class RetractRequestSerializer(serializers.Serializer):
    reason = serializers.CharField(max_length=500)


def _run(call):
    try:
        return call()
    except services.SharingError as exc:
        raise ValidationError({"detail": str(exc)})
    except PermissionError as exc:
        raise PermissionDenied(str(exc))
    except services.NotFound:
        raise NotFound(_("No such record."))


def apply_marking(user, record, validated_data):
    """A PUT or PATCH of a record that changes its distribution, TLP, handling
    code or restriction goes through the marking action, with its role check
    (403 for an analyst), its TLP rules (400) and its audit entry. Repeating
    the current values changes nothing and needs no right."""
    changes = services.marking_changes(record, validated_data)
    for field in services.MARKING_FIELDS:
        validated_data.pop(field, None)
    if changes:
        _run(lambda: services.set_marking(user, record, **changes))
    return changes


class SharingActionsMixin:
    """``shares``, ``share``, ``unshare``, ``marking``, ``retract``, ``restore`` on a record."""

    def _record(self):
        # Visibility only: the sharing rules decide who may act, not OwnerAgencyOrReadOnly.
        record = self.filter_queryset(self.get_queryset()).filter(pk=self.kwargs["pk"]).first()
        if record is None:
            raise NotFound(_("No such record."))
        return record

    @extend_schema(responses=ShareSerializer(many=True), filters=False)
    @action(detail=True, methods=["get"], pagination_class=None, filter_backends=[],
            permission_classes=[permissions.IsAuthenticated])
    def shares(self, request, pk=None):
        """Who this record is shared with (owner agency only)."""
        record = self._record()
        if record.owner_id != request.user.agency_id:
            raise PermissionDenied(_("Only the owner agency sees who a record is shared with."))
        return Response(ShareSerializer(services.recipients_of(record), many=True).data)

    @extend_schema(request=ShareRequestSerializer, responses=ShareSerializer(many=True), filters=False)
    @action(detail=True, methods=["post"], filter_backends=[], permission_classes=[permissions.IsAuthenticated])
    def share(self, request, pk=None):
        """Share with agencies, sharing groups, operation or phase teams (liaison officers)."""
        record = self._record()
        body = ShareRequestSerializer(data=request.data, user=request.user)
        body.is_valid(raise_exception=True)
        created = _run(lambda: services.share(request.user, record, **body.validated_data))
        return Response(ShareSerializer(created, many=True).data, status=status.HTTP_201_CREATED if created else status.HTTP_200_OK)

    @extend_schema(request=UnshareRequestSerializer, responses={204: None}, filters=False)
    @action(detail=True, methods=["post"], filter_backends=[], permission_classes=[permissions.IsAuthenticated])
    def unshare(self, request, pk=None):
        """Withdraw one share: the recipient stops seeing the record at once."""
        record = self._record()
        body = UnshareRequestSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        share = next((s for s in services.recipients_of(record) if s.pk == body.validated_data["share"]), None)
        if share is None:
            raise ValidationError({"share": [_("No such share of this record.")]})
        _run(lambda: services.unshare(request.user, share))
        return Response(status=status.HTTP_204_NO_CONTENT)

    @extend_schema(request=MarkingRequestSerializer, responses=MarkingRequestSerializer, filters=False)
    @action(detail=True, methods=["post"], filter_backends=[], permission_classes=[permissions.IsAuthenticated])
    def marking(self, request, pk=None):
        """Change distribution, TLP marking or handling code (owner's liaison officers)."""
        record = self._record()
        body = MarkingRequestSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        _run(lambda: services.set_marking(request.user, record, **body.validated_data))
        return Response({"distribution": record.distribution, "tlp": record.tlp, "handling": record.handling})

    @extend_schema(request=RetractRequestSerializer, responses={204: None}, filters=False)
    @action(detail=True, methods=["post"], filter_backends=[], permission_classes=[permissions.IsAuthenticated])
    def retract(self, request, pk=None):
        """Retract: every recipient stops seeing the record at once."""
        record = self._record()
        body = RetractRequestSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        _run(lambda: services.retract(request.user, record, body.validated_data["reason"]))
        return Response(status=status.HTTP_204_NO_CONTENT)

    @extend_schema(request=None, responses={204: None}, filters=False)
    @action(detail=True, methods=["post"], filter_backends=[], permission_classes=[permissions.IsAuthenticated])
    def restore(self, request, pk=None):
        """Withdraw a retraction."""
        record = self._record()
        _run(lambda: services.restore(request.user, record))
        return Response(status=status.HTTP_204_NO_CONTENT)
