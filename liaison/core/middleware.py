"""Refuse oversized request bodies with 413 before any view reads them."""
from django.conf import settings
from django.http import JsonResponse
from django.utils import translation
from django.utils.formats import number_format
from django.utils.translation import gettext as _


class RequestSizeLimitMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        limit = settings.MAX_REQUEST_BODY_BYTES
        try:
            length = int(request.META.get("CONTENT_LENGTH") or 0)
        except ValueError:
            length = 0
        if length > limit:
            # Before LocaleMiddleware: the reader's language is read here from the browser.
            with translation.override(translation.get_language_from_request(request)):
                message = _("The request is too large (%(size)s bytes); the limit is %(limit)s bytes.") % {
                    "size": number_format(length, force_grouping=True),
                    "limit": number_format(limit, force_grouping=True)}
            return JsonResponse({"detail": message}, status=413)
        return self.get_response(request)
