"""REST API of the intake: submit a document (text or file), read its stages and proposals.

Documents are the agency's own working material: the queryset is the
owner-only ``visible_to``, so another agency's document is a 404 like an
unknown id. Submitting stores and processes the document at once; the same
bytes again answer 200 with the existing document instead of 201.
"""
from django.db.models import Prefetch
from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import extend_schema
from rest_framework import mixins, permissions, serializers, status, viewsets
from rest_framework.exceptions import ValidationError
from rest_framework.parsers import FormParser, MultiPartParser
from rest_framework.response import Response

from liaison.api.parsers import SafeJSONParser
from liaison.api.permissions import CanEditOrReadOnly
from liaison.registry.models import Source
from liaison.text.documents import MAX_BYTES, human_size

from . import services
from .models import Document, ProposedFact, StageStatus


class StageSerializer(serializers.ModelSerializer):
    class Meta:
        model = StageStatus
        fields = ["stage", "state", "message", "attempt", "started_at", "finished_at"]


class ProposalSerializer(serializers.ModelSerializer):
    class Meta:
        model = ProposedFact
        fields = ["id", "kind", "status", "data", "original", "evidence", "evidence_start", "evidence_end",
                  "confidence", "decided_at", "reason"]


class DocumentSerializer(serializers.ModelSerializer):
    stages = serializers.SerializerMethodField()
    proposals = ProposalSerializer(many=True, read_only=True)
    warnings = serializers.SerializerMethodField()

    class Meta:
        model = Document
        fields = ["id", "title", "original_filename", "kind", "source_kind", "content_hash", "size", "language",
                  "published", "created_at", "warnings", "stages", "proposals"]

    def get_stages(self, document) -> list[dict]:
        order = {s: i for i, s in enumerate(["stored", "text", "language", "propose", "review"])}
        rows = sorted(document.stages.all(), key=lambda s: order.get(s.stage, 9))
        return StageSerializer(rows, many=True).data

    def get_warnings(self, document) -> list[str]:
        return [str(w.get("message", "")) for w in document.warnings or [] if isinstance(w, dict)]


class DocumentSubmitSerializer(serializers.Serializer):
    text = serializers.CharField(required=False, allow_blank=True, trim_whitespace=False,
                                 help_text=_("The report's text; or send ``file`` instead."))
    file = serializers.FileField(required=False, help_text=_("A .txt, .html, .pdf or .docx file (multipart)."))
    source_kind = serializers.ChoiceField(choices=Source.Kind.choices, required=False, default=Source.Kind.NEWS)

    def validate(self, data):
        has_text = bool((data.get("text") or "").strip())
        if has_text == bool(data.get("file")):
            raise ValidationError(_("Send either “text” or “file”, exactly one of them, with content."))
        upload = data.get("file")
        if upload is not None and upload.size > MAX_BYTES:
            raise ValidationError({"file": _("The file is %(size)s; the limit is %(limit)s.")
                                   % {"size": human_size(upload.size), "limit": human_size(MAX_BYTES)}})
        return data


class DocumentViewSet(mixins.CreateModelMixin, mixins.ListModelMixin, mixins.RetrieveModelMixin,
                      viewsets.GenericViewSet):
    """Documents your agency took in, with each stage's state and the proposed facts."""

    permission_classes = [permissions.IsAuthenticated, CanEditOrReadOnly]
    serializer_class = DocumentSerializer
    parser_classes = [SafeJSONParser, MultiPartParser, FormParser]
    filter_backends = []

    def get_queryset(self):
        return (Document.objects.visible_to(self.request.user).defer("raw")
                .prefetch_related("stages", Prefetch("proposals", queryset=ProposedFact.objects.order_by("position", "id")))
                .order_by("-created_at", "-id"))

    def get_serializer_class(self):
        return DocumentSubmitSerializer if self.action == "create" else DocumentSerializer

    @extend_schema(request=DocumentSubmitSerializer, responses={200: DocumentSerializer, 201: DocumentSerializer})
    def create(self, request, *args, **kwargs):
        """Submit a document: it is stored, then its text read, its language detected and its facts proposed
        by a background job; read the document again for its stages (each with its state) while they run."""
        submit = DocumentSubmitSerializer(data=request.data)
        submit.is_valid(raise_exception=True)
        data = submit.validated_data
        user = request.user
        try:
            if data.get("file"):
                result = services.store(agency=user.agency, user=user, data=data["file"].read(),
                                        filename=data["file"].name or "", source_kind=data["source_kind"])
            else:
                result = services.store(agency=user.agency, user=user, text=data["text"],
                                        source_kind=data["source_kind"])
        except services.IntakeError as exc:
            raise ValidationError({"detail": str(exc)}) from None
        if result.created:
            # As a background job (liaison.tasks); without a broker it has run by now.
            services.start_stages(result.document, user)
        document = self.get_queryset().get(pk=result.document.pk)
        body = DocumentSerializer(document, context=self.get_serializer_context()).data
        if not result.created:
            body = {**body, "message": result.message}
        return Response(body, status=status.HTTP_201_CREATED if result.created else status.HTTP_200_OK)
