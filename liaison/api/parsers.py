"""The JSON parser every API view uses.

DRF's own parser turns malformed JSON into a 400 but lets a RecursionError
through, so a body of 100,000 nested brackets was a 500 with a traceback
(issue 10). Written here because the fix is three lines around DRF's parser.
"""
from django.utils.translation import gettext_lazy as _
from rest_framework.exceptions import ParseError
from rest_framework.parsers import JSONParser


class SafeJSONParser(JSONParser):
    def parse(self, stream, media_type=None, parser_context=None):
        try:
            return super().parse(stream, media_type, parser_context)
        except RecursionError:
            raise ParseError(_("The JSON is nested too deeply.")) from None
