"""``POST /api/public/check``: the check page's answer as JSON, for apps and partners.

No authentication (the public page asks none either) and so no session and no
CSRF; rate-limited per client address and per identifier like the page."""
from django.utils import translation
from django.utils.translation import gettext as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework import serializers
from rest_framework.permissions import AllowAny
from rest_framework.response import Response
from rest_framework.views import APIView

from . import abuse, answers, services
from .lang import CODES, _match


class CheckIn(serializers.Serializer):
    text = serializers.CharField(max_length=answers.MAX_CHARS, trim_whitespace=True)
    language = serializers.CharField(required=False, default="en", max_length=10)


class PublicCheck(APIView):
    authentication_classes = []
    permission_classes = [AllowAny]
    throttle_classes = []

    @extend_schema(
        request=CheckIn,
        responses={
            200: OpenApiResponse(OpenApiTypes.OBJECT, description="The check page's answer: level, signs, identifiers."),
            400: OpenApiResponse(OpenApiTypes.OBJECT, description="No text, or text too long."),
            429: OpenApiResponse(OpenApiTypes.OBJECT, description="Too many checks from this address or of this identifier."),
        },
        auth=[],
    )
    def post(self, request):
        language = _match(request.data.get("language") if hasattr(request.data, "get") else None) or "en"
        with translation.override(language):
            if not abuse.allow_address(request, "check"):
                return Response({"detail": _("Too many tries from your connection. Wait a few minutes and try "
                                             "again.")}, status=429)
            data = CheckIn(data=request.data)
            if not data.is_valid():
                return Response({"detail": _("Send JSON with a “text” to check (at most %(n)d characters) and "
                                             "an optional “language” (%(codes)s).") % {
                    "n": answers.MAX_CHARS, "codes": ", ".join(sorted(CODES))}}, status=400)
            result = answers.answer(data.validated_data["text"], language)
            for item in result["identifiers"]:
                if not abuse.hit("identifier", f"{item['kind']}:{item['value']}"):
                    return Response({"detail": _("Too many tries from your connection. Wait a few minutes and "
                                                 "try again.")}, status=429)
            services.count("api_check_" + result["mode"], language)
            services.count_checked([(i["kind"], i["value"]) for i in result["identifiers"]])
            return Response(answers.to_json(result))


check = PublicCheck.as_view()
