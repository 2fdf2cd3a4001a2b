"""``POST /api/screen``: one traveller or ``{"travellers": [...]}``, hit / no-hit for each.

Same authentication as the rest of the API (a read-write token, or a session
that passed the second factor). A hit names the agency to contact, the band,
the fields that agreed and the reference to quote; ``record`` is the person's
id only when the caller may read that record anyway, else null.
"""
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from drf_spectacular.utils import OpenApiExample, extend_schema
from rest_framework import permissions, serializers, status
from rest_framework.response import Response
from rest_framework.views import APIView

from liaison.screening import services
from liaison.screening.manifest import MAX_TRAVELLERS, check_traveller
from liaison.screening.models import Screening


class TravellerSerializer(serializers.Serializer):
    names = serializers.ListField(child=serializers.CharField(), required=False,
                                  help_text=gettext_lazy("The names in any script (or give one as “name”)."))
    name = serializers.CharField(required=False)
    birth_date = serializers.CharField(required=False, allow_blank=True,
                                       help_text=gettext_lazy("YYYY-MM-DD, DD/MM/YYYY, YYYY-MM or YYYY; empty if unknown."))
    nationality = serializers.CharField(required=False, allow_blank=True,
                                        help_text=gettext_lazy("ISO code (TH, THA) or country name."))
    document = serializers.CharField(required=False, allow_blank=True,
                                     help_text=gettext_lazy("Passport or travel document number."))
    sex = serializers.CharField(required=False, allow_blank=True)


class ScreenRequestSerializer(TravellerSerializer):
    travellers = TravellerSerializer(many=True, required=False,
                                     help_text=gettext_lazy("Several travellers at once (instead of one)."))
    place = serializers.CharField(required=False, allow_blank=True,
                                  help_text=gettext_lazy("The screening post, e.g. “Mae Sot border checkpoint”."))


class FieldSerializer(serializers.Serializer):
    field = serializers.CharField()
    label = serializers.CharField()


class HitSerializer(serializers.Serializer):
    reference = serializers.CharField(help_text=gettext_lazy("Quote it to the agency to contact."))
    agency = serializers.CharField(help_text=gettext_lazy("Short name of the agency to contact."))
    agency_name = serializers.CharField()
    band = serializers.ChoiceField(choices=["strong", "possible"])
    band_label = serializers.CharField()
    fields_agreed = FieldSerializer(many=True)
    record = serializers.IntegerField(allow_null=True, help_text=gettext_lazy(
        "The person's id, only when your agency may read that record; else null."))


class ResultSerializer(serializers.Serializer):
    line = serializers.IntegerField(help_text=gettext_lazy("1 for the first traveller sent."))
    names = serializers.ListField(child=serializers.CharField())
    hit = serializers.BooleanField()
    hits = HitSerializer(many=True)


class ScreenResponseSerializer(serializers.Serializer):
    screening = serializers.IntegerField()
    travellers = serializers.IntegerField()
    hits = serializers.IntegerField()
    results = ResultSerializer(many=True)


class ScreenView(APIView):
    """Screen travellers against every agency's watchlist."""

    permission_classes = [permissions.IsAuthenticated]

    @extend_schema(
        operation_id="screen_travellers",
        request=ScreenRequestSerializer,
        responses={200: ScreenResponseSerializer},
        examples=[
            OpenApiExample("One traveller", value={"names": ["MING XUE CHANG", "明学昌"], "birth_date": "1955",
                                                   "nationality": "MM", "place": "Mae Sot"}),
            OpenApiExample("A list", value={"travellers": [{"name": "Sok Dara", "birth_date": "12/03/1990"},
                                                           {"name": "สมชาย ใจดี"}], "place": "Mae Sot"}),
        ],
    )
    def post(self, request):
        if not services.may_screen(request.user):
            return Response({"detail": _("Your account cannot screen travellers. Ask your agency administrator for "
                                         "the border screening role.")}, status=status.HTTP_403_FORBIDDEN)
        data = request.data
        if not isinstance(data, dict):
            return self._bad(_("Send a JSON object: one traveller, or {\"travellers\": [...]}."))
        many = "travellers" in data
        entries = data.get("travellers") if many else [data]
        if not isinstance(entries, list) or not entries:
            return self._bad(_("“travellers” must be a non-empty list of travellers."))
        if len(entries) > MAX_TRAVELLERS:
            return self._bad(_("At most %(max)s travellers can be screened at once.") % {"max": MAX_TRAVELLERS})
        travellers, errors = [], []
        for line, entry in enumerate(entries, start=1):
            if not isinstance(entry, dict):
                errors.append({"line": line, "problems": [_("a traveller must be a JSON object")]})
                continue
            traveller, problems = check_traveller(entry, line)
            if problems:
                errors.append({"line": line, "problems": problems})
            travellers.append(traveller)
        if errors:
            return Response({"detail": _("Nothing was screened: correct the travellers listed."), "errors": errors},
                            status=status.HTTP_400_BAD_REQUEST)
        place = data.get("place") if isinstance(data.get("place"), str) else ""
        try:
            run, _answers = services.screen(request.user, travellers, kind=Screening.Kind.API, place=place)
        except services.NotAllowed as exc:
            return Response({"detail": str(exc)}, status=status.HTTP_403_FORBIDDEN)
        rows = services.answer_rows(request.user, run)
        results = [{"line": r["line"], "names": r["names"], "hit": r["hit"], "hits": r["hits"]} for r in rows]
        results.sort(key=lambda r: r["line"])  # in the order sent
        return Response({"screening": run.pk, "travellers": run.travellers, "hits": run.hits, "results": results})

    @staticmethod
    def _bad(message):
        return Response({"detail": message, "errors": []}, status=status.HTTP_400_BAD_REQUEST)
