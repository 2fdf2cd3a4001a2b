"""REST endpoints for requests (DRF): list, read, create and change drafts,
take steps and comment. The same services as the pages; a request of other
agencies is 404, an illegal step or a stale version 409."""

from drf_spectacular.utils import extend_schema
from rest_framework import mixins, serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.response import Response

from liaison.operations.models import Event, Operation
from liaison.registry.models import Person
from liaison.requests import services
from liaison.requests.models import Request


class RequestSerializer(serializers.ModelSerializer):
    reference = serializers.CharField(read_only=True)
    from_agency = serializers.SlugRelatedField(slug_field="short_name", read_only=True)
    to_agency = serializers.SlugRelatedField(slug_field="short_name", read_only=True)
    persons = serializers.SerializerMethodField()
    operation = serializers.SerializerMethodField()
    event = serializers.SerializerMethodField()
    is_overdue = serializers.BooleanField(read_only=True)

    class Meta:
        model = Request
        fields = [
            "id",
            "reference",
            "kind",
            "title",
            "body",
            "fields",
            "from_agency",
            "to_agency",
            "status",
            "status_reason",
            "tlp",
            "include_protected",
            "persons",
            "operation",
            "event",
            "version",
            "created_at",
            "sent_at",
            "acknowledged_at",
            "closed_at",
            "due_at",
            "is_overdue",
        ]
        read_only_fields = fields

    def get_persons(self, obj) -> list[int]:
        # Only the persons this user can see; the list is prefetched per page.
        visible = self.context.get("visible_person_ids")
        ids = [link.person_id for link in obj.person_links.all()]
        return [i for i in ids if visible is None or i in visible]

    # The requester's operation and the recorded event are records of their
    # own: their id is given only to users who may see them (sets computed
    # once per answer, see RequestViewSet.get_serializer_context).
    def get_operation(self, obj) -> int | None:
        return obj.operation_id if obj.operation_id in self.context.get("visible_operation_ids", ()) else None

    def get_event(self, obj) -> int | None:
        return obj.event_id if obj.event_id in self.context.get("visible_event_ids", ()) else None


class RequestWriteSerializer(serializers.Serializer):
    kind = serializers.CharField(required=False)
    to_agency = serializers.IntegerField(required=False, help_text="Id of the requested agency.")
    title = serializers.CharField(required=False, allow_blank=True)
    body = serializers.CharField(required=False, allow_blank=True)
    persons = serializers.ListField(child=serializers.IntegerField(), required=False)
    fields = serializers.DictField(required=False)
    tlp = serializers.CharField(required=False)
    include_protected = serializers.BooleanField(required=False)
    operation = serializers.IntegerField(required=False, allow_null=True)
    version = serializers.IntegerField(required=False, help_text="The version you read; required to change a draft.")


class StepSerializer(serializers.Serializer):
    action = serializers.CharField()
    version = serializers.IntegerField()
    reason = serializers.CharField(required=False, allow_blank=True, default="")
    date = serializers.CharField(required=False, allow_blank=True, default="")
    place = serializers.CharField(required=False, allow_blank=True, default="")
    persons = serializers.ListField(
        child=serializers.IntegerField(), required=False, default=None,
        help_text="Fulfilling a handover or repatriation: the persons concerned (default: all of them).",
    )


class CommentSerializer(serializers.Serializer):
    text = serializers.CharField()


def _error(exc):
    return Response({"detail": str(exc), "errors": exc.errors}, status=exc.status)


class RequestViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    serializer_class = RequestSerializer
    queryset = Request.objects.none()

    def get_queryset(self):
        return (
            Request.objects.visible_to(self.request.user)
            .select_related("from_agency", "to_agency")
            .prefetch_related("person_links")
            .order_by("-created_at", "-id")
        )

    def get_serializer_context(self):
        ctx = super().get_serializer_context()
        if getattr(self, "swagger_fake_view", False):
            return ctx
        user = self.request.user
        requests = Request.objects.visible_to(user)
        ctx["visible_person_ids"] = set(
            Person.objects.visible_to(user)
            .filter(pk__in=requests.values("person_links__person_id"))
            .values_list("pk", flat=True)
        )
        ctx["visible_operation_ids"] = set(
            Operation.objects.visible_to(user)
            .filter(pk__in=requests.filter(operation__isnull=False).values("operation_id"))
            .values_list("pk", flat=True)
        )
        ctx["visible_event_ids"] = set(
            Event.objects.visible_to(user)
            .filter(pk__in=requests.filter(event__isnull=False).values("event_id"))
            .values_list("pk", flat=True)
        )
        return ctx

    def _write_data(self):
        data = RequestWriteSerializer(data=self.request.data)
        data.is_valid(raise_exception=True)
        return data.validated_data

    @extend_schema(request=RequestWriteSerializer, responses={201: RequestSerializer})
    def create(self, request):
        d = self._write_data()
        try:
            req = services.create_request(
                request.user,
                kind=d.get("kind", ""),
                to_agency=d.get("to_agency"),
                title=d.get("title", ""),
                body=d.get("body", ""),
                persons=d.get("persons", ()),
                fields=d.get("fields"),
                tlp=d.get("tlp", "AMBER"),
                include_protected=d.get("include_protected", False),
                operation=d.get("operation"),
            )
        except services.RequestError as exc:
            return _error(exc)
        return Response(self.get_serializer(self.get_queryset().get(pk=req.pk)).data, status=status.HTTP_201_CREATED)

    @extend_schema(request=RequestWriteSerializer, responses={200: RequestSerializer})
    def partial_update(self, request, pk=None):
        req = self.get_object()
        d = self._write_data()
        try:
            services.update_request(
                request.user,
                req,
                version=d.get("version"),
                title=d.get("title"),
                body=d.get("body"),
                persons=d.get("persons"),
                fields=d.get("fields"),
                tlp=d.get("tlp"),
                include_protected=d.get("include_protected"),
                to_agency=d.get("to_agency"),
            )
        except services.RequestError as exc:
            return _error(exc)
        return Response(self.get_serializer(self.get_queryset().get(pk=req.pk)).data)

    @extend_schema(request=StepSerializer, responses={200: RequestSerializer})
    @action(detail=True, methods=["post"])
    def transition(self, request, pk=None):
        req = self.get_object()
        s = StepSerializer(data=request.data)
        s.is_valid(raise_exception=True)
        d = s.validated_data
        try:
            services.transition(
                request.user,
                req,
                d["action"],
                version=d["version"],
                reason=d["reason"],
                fulfilment={"date": d["date"], "place": d["place"], "persons": d["persons"]},
            )
        except services.RequestError as exc:
            return _error(exc)
        return Response(self.get_serializer(self.get_queryset().get(pk=req.pk)).data)

    @extend_schema(request=CommentSerializer, responses={201: None})
    @action(detail=True, methods=["post"])
    def comments(self, request, pk=None):
        req = self.get_object()
        s = CommentSerializer(data=request.data)
        s.is_valid(raise_exception=True)
        try:
            comment = services.add_comment(request.user, req, s.validated_data["text"])
        except services.RequestError as exc:
            return _error(exc)
        return Response({"id": comment.pk, "text": comment.text}, status=status.HTTP_201_CREATED)
