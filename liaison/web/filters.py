"""Filters of the list pages (django-filter).

Every FilterSet is applied to a queryset already narrowed by
``visible_to(user)``; choices that list other records (operations, agencies)
are narrowed the same way in ``__init__`` so a filter never names a record the
user may not see.
"""
import django_filters as df
from django.core.exceptions import ValidationError
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from liaison import names
from liaison.partialdate import PartialDate, PartialDateError
from liaison.core.models import Country
from liaison.operations.models import Case, CrimeType, Event, Operation
from liaison.registry.models import Identifier, Organisation, Person, PersonName, PersonStatus, Site, Source
from liaison.sharing.models import Agency
from liaison.sharing.visibility import protected_visible_q


def _partial_date(value):
    try:
        PartialDate.parse(value)
    except PartialDateError as exc:
        raise ValidationError(str(exc)) from exc


class _UserFilterSet(df.FilterSet):
    def __init__(self, *args, user=None, **kwargs):
        self.user = user
        super().__init__(*args, **kwargs)


class PersonFilter(_UserFilterSet):
    name = df.CharFilter(label=_("Name contains"), method="filter_name")
    # No DISTINCT: one nationality per person and country (a unique constraint),
    # and DISTINCT would make PostgreSQL sort every match instead of walking
    # the (display_name, id) index for one page.
    nationality = df.ModelChoiceFilter(
        label=_("Nationality"), queryset=Country.objects.all(), field_name="nationalities__country", distinct=False
    )
    status = df.ChoiceFilter(label=_("Current status"), choices=PersonStatus.Status.choices, method="filter_status")
    owner = df.ModelChoiceFilter(label=_("Owner agency"), queryset=Agency.objects.all())
    is_synthetic = df.BooleanFilter(label=_("Synthetic"))

    class Meta:
        model = Person
        fields = ["name", "nationality", "status", "owner", "is_synthetic"]

    def nationality_chosen(self):
        """Whether the list is narrowed to one nationality (the view then orders by its copy of the name)."""
        return self.is_bound and self.is_valid() and self.form.cleaned_data.get("nationality") is not None

    def filter_name(self, queryset, name, value):
        key = names.search_key(value)
        if not key:
            return queryset
        # A protected identity is searchable only by those allowed to read it:
        # otherwise a name typed into the filter would confirm a victim's record.
        readable = Q(protection="") | protected_visible_q(Person, self.user)
        # IN, not join + DISTINCT (see nationality above): a person is listed once however many names match.
        matching = PersonName.objects.filter(search_key__contains=key).values("person_id")
        return queryset.filter(readable, pk__in=matching)

    def filter_status(self, queryset, name, value):
        # The current status is the latest by date (then id), as Person.current_status computes it.
        from django.db.models import OuterRef, Subquery

        latest = PersonStatus.objects.filter(person=OuterRef("pk")).order_by("-date", "-id").values("status")[:1]
        return queryset.annotate(_current_status=Subquery(latest)).filter(_current_status=value)


class OrganisationFilter(_UserFilterSet):
    class Meta:
        model = Organisation
        fields = ["kind", "country"]


class SiteFilter(_UserFilterSet):
    class Meta:
        model = Site
        fields = ["country", "status", "kind"]


class IdentifierFilter(_UserFilterSet):
    value = df.CharFilter(label=_("Value contains"), method="filter_value")

    class Meta:
        model = Identifier
        fields = ["kind", "value"]

    def filter_value(self, queryset, name, value):
        value = value.strip()
        return queryset.filter(Q(normalized__icontains=value) | Q(value__icontains=value))


class OperationFilter(_UserFilterSet):
    name = df.CharFilter(label=_("Name contains"), method="filter_name")
    country = df.ModelChoiceFilter(label=_("Country"), queryset=Country.objects.all(), field_name="countries", distinct=True)

    class Meta:
        model = Operation
        fields = ["name", "country"]

    def filter_name(self, queryset, name, value):
        return queryset.filter(Q(name__icontains=value) | Q(native_name__icontains=value))


class CaseFilter(_UserFilterSet):
    status = df.ChoiceFilter(label=_("Status"), choices=Case.Status.choices)
    crime_type = df.ChoiceFilter(label=_("Crime type"), choices=CrimeType.choices)
    operation = df.ModelChoiceFilter(label=_("Operation"), queryset=Operation.objects.none())
    reference = df.CharFilter(label=_("Reference contains"), lookup_expr="icontains")

    class Meta:
        model = Case
        fields = ["status", "crime_type", "operation", "reference"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.filters["operation"].queryset = Operation.objects.visible_to(self.user)


class EventFilter(_UserFilterSet):
    operation = df.ModelChoiceFilter(label=_("Operation"), queryset=Operation.objects.none())
    country = df.ModelChoiceFilter(label=_("Country"), queryset=Country.objects.all(), field_name="countries", distinct=True)
    date_from = df.CharFilter(label=_("From (YYYY-MM-DD)"), method="filter_date_from", validators=[_partial_date])
    date_to = df.CharFilter(label=_("Until (YYYY-MM-DD)"), method="filter_date_to", validators=[_partial_date])

    class Meta:
        model = Event
        fields = ["kind", "operation", "country", "date_from", "date_to"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.filters["operation"].queryset = Operation.objects.visible_to(self.user)

    def filter_date_from(self, queryset, name, value):
        # An event dated "2023-12" overlaps "from 2023-12-01": its date is a prefix of the bound.
        prefixes = {value[:4], value[:7]}
        return queryset.filter(Q(date__gte=value) | Q(date__in=prefixes)).exclude(date__startswith="--")

    def filter_date_to(self, queryset, name, value):
        # Partial dates sort as text: "2023" and "2023-11" are <= "2023-11-30"; "2023-11-05"
        # is inside "until 2023-11" through the prefix. Dates without a year cannot be placed.
        return queryset.filter(Q(date__lte=value) | Q(date__startswith=value)).exclude(date="").exclude(date__startswith="--")


class SourceFilter(_UserFilterSet):
    language = df.CharFilter(label=_("Language code"), lookup_expr="iexact")

    class Meta:
        model = Source
        fields = ["language", "kind"]

