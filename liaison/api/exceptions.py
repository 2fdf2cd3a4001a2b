"""One shape for every API error, and no error that tells records apart.

An unknown id and an id the user may not see get the same 404 body; a
validation error is always 400 with messages per field.
"""
from django.db import DataError
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
        # One message whatever blocked the deletion (a share, a citation or a
        # request of another agency): which one it was is not the owner's to know.
        return Response(
            {"detail": _("This record cannot be deleted: it has been shared or is used by other records. "
                         "Retract it instead; it then disappears for every agency that received it.")},
            status=status.HTTP_409_CONFLICT,
        )
    if isinstance(exc, (OverflowError, DataError)):
        # A number too large for the database (an id of 30 digits) is bad input, not a server fault.
        return Response({"detail": _("A number in the request is too large.")}, status=status.HTTP_400_BAD_REQUEST)
    return drf_exception_handler(exc, context)
