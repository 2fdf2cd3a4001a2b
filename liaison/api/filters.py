"""Query-string filters for the list endpoints (django-filter).

Filters only ever narrow a queryset that already went through ``visible_to``.
Filtering on a withheld field (a protected person's names) would reveal it by
its matches, so the name filter skips persons whose identity is withheld.
"""
import django_filters as df
from django import forms
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _

from liaison import identifiers as idf
from liaison import names
from liaison.partialdate import PartialDate, PartialDateError
from liaison.operations.models import Case, Event, Operation, Phase
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
        # No DISTINCT: one nationality per person and country (a unique constraint).
        # ``name`` (the sort key of ``?ordering=name``, the default) becomes the
        # copy on the joined nationality: the same value, but ordered by it
        # PostgreSQL walks (country, sort_name, person) and stops after the page
        # instead of sorting every person of that nationality (migration registry 0010).
        queryset = queryset.filter(nationalities__country_id=value.upper())
        if "name" in queryset.query.annotations:
            queryset = queryset.annotate(name=F("nationalities__sort_name"))
        return queryset

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


MAX_ID = 2**63 - 1  # the largest id a bigint column holds; beyond it no record exists


def _valid_id(value):
    return value is not None and value == int(value) and 0 < value <= MAX_ID


def _reader(filterset):
    return getattr(getattr(filterset, "request", None), "user", None)


class _ReferenceFilter(df.NumberFilter):
    """A filter by the id of another record: an id no record can have (too large,
    not whole) gives an empty list, as does one the reader may not see."""

    def filter(self, qs, value):
        if value in (None, ""):
            return qs
        if not _valid_id(value):
            return qs.none()
        # ``narrow``: each subclass says how its reference is checked.
        return self.narrow(qs, int(value), _reader(self.parent))


class VisibleRecordFilter(_ReferenceFilter):
    """Filter by a referenced record (``?operation=7``) that the reader may see.

    A number, not a ModelChoiceFilter: that one answers "not a valid choice"
    only for ids that do not exist, which would tell invisible ids apart. And an
    id the reader may not see gives an empty list, like one that does not
    exist: filtering by a hidden site used to list the visible links that meet
    there, confirming the site and what it touches (issue 10).
    """

    def __init__(self, *args, model, through=None, **kwargs):
        # Not ``self.model``: django-filter sets that to the filterset's own model.
        self.record_model, self.through = model, through
        super().__init__(*args, **kwargs)

    def narrow(self, qs, pk, user):
        if self.through:
            name, parent = self.through
            referenced = self.record_model.objects.filter(**{f"{name}__in": parent.objects.visible_to(user)})
        else:
            referenced = self.record_model.objects.visible_to(user)
        if not referenced.filter(pk=pk).exists():
            return qs.none()
        return qs.filter(**{self.field_name: pk})


def record_id_filter(field_name, model, through=None):
    return VisibleRecordFilter(field_name=f"{field_name}_id", model=model, through=through)


class RecordEndFilter(_ReferenceFilter):
    """``subject_id`` / ``object_id`` of a relationship, or ``record_id`` of a
    citation: only ends the reader may see narrow the list (see above); the type
    comes from the matching ``*_type`` parameter when given, else any type."""

    def __init__(self, *args, type_param, type_field, **kwargs):
        self.type_param, self.type_field = type_param, type_field
        super().__init__(*args, **kwargs)

    def narrow(self, qs, pk, user):
        from django.contrib.contenttypes.models import ContentType

        from liaison.api.fields import RECORD_TYPES

        wanted = (self.parent.data.get(self.type_param) or "").lower()
        models = [m for name, m in RECORD_TYPES.items() if not wanted or name == wanted]
        types = [ContentType.objects.get_for_model(m) for m in models if m.objects.visible_to(user).filter(pk=pk).exists()]
        if not types:
            return qs.none()
        return qs.filter(**{self.field_name: pk, f"{self.type_field}__in": types})


class SiteFilter(OwnerFilterSet):
    operator = record_id_filter("operator", Organisation)

    class Meta:
        model = Site
        fields = ["country", "status", "kind", "owner", "is_synthetic"]


class EventFilter(OwnerFilterSet):
    country = df.CharFilter(method="filter_country", label=_("country involved (code)"))
    date_from = PartialDateFilter(field_name="date", lookup_expr="gte",
                                  label=_("on or after (YYYY, YYYY-MM or YYYY-MM-DD)"))
    date_to = PartialDateFilter(method="filter_date_to", label=_("on or before (YYYY, YYYY-MM or YYYY-MM-DD)"))
    operation = record_id_filter("operation", Operation)
    phase = record_id_filter("phase", Phase, through=("operation", Operation))
    case = record_id_filter("case", Case)
    site = record_id_filter("site", Site)

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
    source = record_id_filter("source", Source)
    record_type = df.CharFilter(field_name="content_type__model", label=_("record type (person, site…)"))
    record_id = RecordEndFilter(field_name="object_id", type_param="record_type", type_field="content_type")


class PhaseFilter(df.FilterSet):
    operation = record_id_filter("operation", Operation)
    number = df.NumberFilter()


class CaseFilter(OwnerFilterSet):
    operation = record_id_filter("operation", Operation)
    phase = record_id_filter("phase", Phase, through=("operation", Operation))

    class Meta:
        model = Case
        fields = ["status", "crime_type", "owner", "is_synthetic"]


class RelationshipFilter(OwnerFilterSet):
    subject_type = df.CharFilter(field_name="subject_type__model")
    subject_id = RecordEndFilter(type_param="subject_type", type_field="subject_type")
    object_type = df.CharFilter(field_name="object_type__model")
    object_id = RecordEndFilter(type_param="object_type", type_field="object_type")

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
