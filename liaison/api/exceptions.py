"""One shape for every API error, and no error that tells records apart.

An unknown id and an id the user may not see get the same 404 body; a
validation error is always 400 with messages per field.
"""
from django.db.models import ProtectedError
from django.http import Http404
from django.utils.translation import gettext_lazy as _
from rest_framework import exceptions, status
from rest_framework.response import Response
from rest_framework.views import exception_handler as drf_exception_handler

NOT_FOUND = _("No such record.")


def exception_handler(exc, context):
    if isinstance(exc, (Http404, exceptions.NotFound)):
        # DRF would echo Django's message ("No Person matches the given query.").
        exc = exceptions.NotFound(NOT_FOUND)
    if isinstance(exc, ProtectedError):
        return Response(
            {"detail": _("This record is still used by other records (for example as a source or a site); "
                         "remove those links first, or retract it instead.")},
            status=status.HTTP_409_CONFLICT,
        )
    return drf_exception_handler(exc, context)
