"""``POST /api/public/check``: the check page's answer as JSON, for apps and partners.

No authentication (the public page asks none either) and so no session and no
CSRF; rate-limited per client address and per identifier like the page."""
import re

from django.utils import translation
from django.utils.translation import gettext as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework import serializers
from rest_framework.permissions import AllowAny
from rest_framework.response import Response
from rest_framework.validators import ProhibitSurrogateCharactersValidator
from rest_framework.views import APIView

from . import abuse, answers, services
from .lang import CODES, _match


class CheckIn(serializers.Serializer):
    text = serializers.CharField(max_length=answers.MAX_CHARS, trim_whitespace=True)
    language = serializers.CharField(required=False, default="en", max_length=10)


class _Surrogates(ProhibitSurrogateCharactersValidator):
    """DRF's check for lone surrogates (same rule, message and code) by one regular
    expression instead of a Python generator over every character: that took a tenth
    of the CPU of a 1 KB text check (bench/README.md, public side)."""

    _FOUND = re.compile(r"[\ud800-\udfff]")

    def __call__(self, value):
        found = self._FOUND.search(str(value))
        if found:
            raise serializers.ValidationError(self.message.format(code_point=ord(found.group())), code=self.code)


def _fields():
    """The serializer's fields, built once: ``CheckIn(data=...)`` deep-copies them on every
    check (a tenth of a lean check's time); the rules stay CheckIn's, which the schema shows."""
    fields = CheckIn().fields
    for field in fields.values():
        field.validators = [_Surrogates() if type(v) is ProhibitSurrogateCharactersValidator else v
                            for v in field.validators]
    return fields


_FIELDS = _fields()


def _validated(data):
    """The validated fields of ``data`` as ``CheckIn`` would give them, or None if invalid."""
    if not hasattr(data, "get"):
        return None
    try:
        return {name: field.run_validation(field.get_value(data)) for name, field in _FIELDS.items()}
    except serializers.ValidationError:
        return None


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
        status, payload, language = answer_check(request.data, abuse.client_address(request))
        response = Response(payload, status=status)
        response["Content-Language"] = language
        return response


def language_of(data):
    """The reader's language named in a check's body, English otherwise (a number or a
    list there is no language: an answer in English, not a server error)."""
    asked = data.get("language") if hasattr(data, "get") else None
    return (_match(asked) if isinstance(asked, str) else None) or "en"


def _too_many():
    return 429, {"detail": _("Too many tries from your connection. Wait a few minutes and try again.")}


def answer_check(data, address):
    """(HTTP status, JSON body, language) for a check request's parsed body ``data`` from
    client ``address``: the one implementation, for this view and for the lean path that
    serves the same URL under gunicorn (``fastpath``).

    Limits: the address first (an address over its limit is answered 429 whatever it
    sent), then every identifier in the text. A lone identifier, the commonest check, is
    known before anything is looked up, so the address and the identifier are counted in
    one round trip to Redis (``abuse.hit_gated``: the identifier only when the address is
    within its limit, as before); a text's identifiers are known only once it is read,
    which waits until the address is counted."""
    language = language_of(data)
    with translation.override(language):
        valid = _validated(data)
        single = answers.single_identifier(valid["text"], language) if valid is not None else None
        if single is not None:
            if not abuse.hit_gated("check", address, "identifier", [f"{single.kind}:{single.value}"]):
                return (*_too_many(), language)
            result = answers.answer(valid["text"], language, single=single)
        else:
            if not abuse.hit("check", address):
                return (*_too_many(), language)
            if valid is None:
                return 400, {"detail": _("Send JSON with a “text” to check (at most %(n)d characters) and an "
                                         "optional “language” (%(codes)s).") % {
                                             "n": answers.MAX_CHARS, "codes": ", ".join(sorted(CODES))}}, language
            result = answers.answer(valid["text"], language, single=None)
            if not abuse.hit_all("identifier", [f"{i['kind']}:{i['value']}" for i in result["identifiers"]]):
                return (*_too_many(), language)
        services.count_check("api_check_" + result["mode"], language,
                             [(i["kind"], i["value"]) for i in result["identifiers"]])
        return 200, answers.to_json(result), language


check = PublicCheck.as_view()
