"""Query-string filters for the list endpoints (django-filter).

Filters only ever narrow a queryset that already went through ``visible_to``.
Filtering on a withheld field (a protected person's names) would reveal it by
its matches, so the name filter skips persons whose identity is withheld.
"""
import django_filters as df
from django import forms
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from liaison import identifiers as idf
from liaison import names
from liaison.partialdate import PartialDate, PartialDateError
from liaison.operations.models import Case, Event, Operation
from liaison.registry.models import Identifier, Organisation, Person, PersonStatus, Relationship, Site, Source


class PartialDateFormField(forms.CharField):
    def to_python(self, value):
        value = super().to_python(value)
        if not value:
            return value
        try:
            return PartialDate.parse(value).isoformat()
        except PartialDateError as exc:
            raise forms.ValidationError(str(exc)) from exc


class PartialDateFilter(df.CharFilter):
    field_class = PartialDateFormField


class OwnerFilterSet(df.FilterSet):
    owner = df.CharFilter(field_name="owner__short_name", lookup_expr="iexact", label=_("owner agency (short name)"))
    is_synthetic = df.BooleanFilter()
    distribution = df.CharFilter()
    tlp = df.CharFilter()


class PersonFilter(OwnerFilterSet):
    nationality = df.CharFilter(method="filter_nationality", label=_("nationality (country code)"))
    status = df.ChoiceFilter(choices=PersonStatus.Status.choices, method="filter_status",
                             label=_("has ever had this status"))
    name = df.CharFilter(method="filter_name", label=_("name contains (any script)"))

    class Meta:
        model = Person
        fields = ["sex", "owner", "is_synthetic", "distribution", "tlp"]

    def filter_nationality(self, queryset, name, value):
        return queryset.filter(nationalities__country_id=value.upper()).distinct()

    def filter_status(self, queryset, name, value):
        return queryset.filter(statuses__status=value).distinct()

    def filter_name(self, queryset, name, value):
        key = names.search_key(value)
        if not key:
            return queryset
        # ``protected_ok`` is annotated by the viewset from visibility.protected_visible_q.
        return queryset.filter(Q(protection="") | Q(protected_ok=True), names__search_key__contains=key).distinct()


class IdentifierFilter(OwnerFilterSet):
    normalized = df.CharFilter(method="filter_normalized", label=_("identifier, in any common writing"))

    class Meta:
        model = Identifier
        fields = ["kind", "country", "owner", "is_synthetic"]

    def filter_normalized(self, queryset, name, value):
        kind = self.data.get("kind")
        forms = {value.strip()}
        if kind:
            try:
                forms.add(idf.normalize(kind, value))
            except idf.IdentifierError:
                pass
        else:
            forms.update(form for _kind, form in idf.guess_kinds(value))
        return queryset.filter(normalized__in=forms)


def record_id_filter(field_name):
    # A number, not a ModelChoiceFilter: that one answers "not a valid choice"
    # only for ids that do not exist, which would tell invisible ids apart.
    return df.NumberFilter(field_name=f"{field_name}_id")


class SiteFilter(OwnerFilterSet):
    operator = record_id_filter("operator")

    class Meta:
        model = Site
        fields = ["country", "status", "kind", "owner", "is_synthetic"]


class EventFilter(OwnerFilterSet):
    country = df.CharFilter(method="filter_country", label=_("country involved (code)"))
    date_from = PartialDateFilter(field_name="date", lookup_expr="gte",
                                  label=_("on or after (YYYY, YYYY-MM or YYYY-MM-DD)"))
    date_to = PartialDateFilter(method="filter_date_to", label=_("on or before (YYYY, YYYY-MM or YYYY-MM-DD)"))
    operation = record_id_filter("operation")
    phase = record_id_filter("phase")
    case = record_id_filter("case")
    site = record_id_filter("site")

    class Meta:
        model = Event
        fields = ["kind", "owner", "is_synthetic"]

    def filter_country(self, queryset, name, value):
        code = value.upper()
        return queryset.filter(
            Q(countries__code=code) | Q(from_country_id=code) | Q(to_country_id=code) | Q(site__country_id=code)
        ).distinct()

    def filter_date_to(self, queryset, name, value):
        # Partial dates sort as text, so "2024-03" sorts before "2024-03-31",
        # which is still in March.
        return queryset.filter(Q(date__lte=value) | Q(date__startswith=value)).exclude(date="").exclude(
            date__startswith="--")


class CitationFilter(df.FilterSet):
    source = record_id_filter("source")
    record_type = df.CharFilter(field_name="content_type__model", label=_("record type (person, site…)"))
    record_id = df.NumberFilter(field_name="object_id")


class PhaseFilter(df.FilterSet):
    operation = record_id_filter("operation")
    number = df.NumberFilter()


class CaseFilter(OwnerFilterSet):
    operation = record_id_filter("operation")
    phase = record_id_filter("phase")

    class Meta:
        model = Case
        fields = ["status", "crime_type", "owner", "is_synthetic"]


class RelationshipFilter(OwnerFilterSet):
    subject_type = df.CharFilter(field_name="subject_type__model")
    subject_id = df.NumberFilter()
    object_type = df.CharFilter(field_name="object_type__model")
    object_id = df.NumberFilter()

    class Meta:
        model = Relationship
        fields = ["kind", "owner", "is_synthetic"]


class SourceFilter(OwnerFilterSet):
    class Meta:
        model = Source
        fields = ["kind", "language", "reliability", "owner", "is_synthetic"]


class OrganisationFilter(OwnerFilterSet):
    class Meta:
        model = Organisation
        fields = ["kind", "country", "owner", "is_synthetic"]


class OperationFilter(OwnerFilterSet):
    class Meta:
        model = Operation
        fields = ["lead_agency", "owner", "is_synthetic"]
