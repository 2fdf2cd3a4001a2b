"""Refuse oversized request bodies with 413 before any view reads them."""
from django.conf import settings
from django.http import JsonResponse


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
            message = f"The request is too large ({length:,} bytes); the limit is {limit:,} bytes."
            return JsonResponse({"detail": message}, status=413)
        return self.get_response(request)
