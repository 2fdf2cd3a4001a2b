"""JSON forms of registry and operations records.

Every record shows its marking (owner, distribution, TLP, handling, accuracy,
synthetic, retracted) so that whoever reads it through the API also reads how
it may be used. Owner and author are never taken from the request body: the
viewset sets them from the logged-in user.
"""
import copy

from django.core.exceptions import ValidationError as DjangoValidationError
from django.db.models import ManyToManyField
from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from liaison.core.fields import PartialDateField as ModelPartialDateField
from liaison.core.models import Country
from liaison.operations.models import Case, CrimeType, Event, Figure, Operation, Participant, Phase
from liaison.registry.models import (
    Citation, Identifier, IdentityDocument, Nationality, Organisation, Person, PersonName,
    PersonStatus, Relationship, Site, Source,
)
from liaison.sharing.models import Agency
from liaison.sharing.visibility import can_see_protected, with_citation_text_withheld

from .fields import (
    AgencyShortNameField, CountryField, PartialDateField, RecordRefField, VisibleRelatedField,
    hidden_ref, person_label, record_ref, request_user,
)

MARKING_FIELDS = [
    "owner", "distribution", "tlp", "handling", "handling_note", "accuracy", "is_synthetic",
    "retracted", "retracted_at", "retraction_reason", "notes", "created_at", "updated_at",
]


class BaseSerializer(serializers.ModelSerializer):
    """Partial dates, country codes, and the model's own ``clean()`` rules."""

    serializer_field_mapping = {
        **serializers.ModelSerializer.serializer_field_mapping,
        ModelPartialDateField: PartialDateField,
    }
    serializer_related_field = VisibleRelatedField

    def build_relational_field(self, field_name, relation_info):
        field_class, kwargs = super().build_relational_field(field_name, relation_info)
        model = relation_info.related_model
        kwargs.pop("queryset", None)
        if model is Country:
            return CountryField, kwargs
        if model is Agency:
            return serializers.PrimaryKeyRelatedField, {**kwargs, "queryset": Agency.objects.all()}
        if hasattr(model.objects, "visible_to"):
            return VisibleRelatedField, {**kwargs, "model": model}
        raise NotImplementedError(f"Declare {field_name} explicitly: {model.__name__} has no visible_to")

    def validate(self, attrs):
        attrs = super().validate(attrs)
        self.run_model_clean(attrs)
        return attrs

    def run_model_clean(self, attrs):
        """Apply the model's ``clean()`` to the would-be record, errors per field."""
        model = self.Meta.model
        instance = copy.copy(self.instance) if self.instance is not None else model()
        concrete = {f.name for f in model._meta.concrete_fields}
        for name, value in attrs.items():
            if name in concrete:
                setattr(instance, name, value)
        try:
            instance.clean()
        except DjangoValidationError as exc:
            raise serializers.ValidationError(serializers.as_serializer_error(exc)) from exc
        # clean() may compute fields (an identifier's canonical form); keep them.
        self._cleaned_instance = instance


def _withhold_citation_text(serializer, obj, data):
    """Blank the quoted words and location of a citation of a protected person
    whose identity the reader may not read (visibility.withheld_citations_q):
    they name her as surely as her name. Querysets carry ``text_withheld``;
    a citation loaded otherwise (just written) is asked about directly."""
    withheld = getattr(obj, "text_withheld", None)
    if withheld is None and obj.pk:
        withheld = with_citation_text_withheld(Citation.objects.filter(pk=obj.pk), request_user(serializer)).values_list(
            "text_withheld", flat=True).first()
    if withheld:
        data["evidence"] = data["location"] = ""
    return data


class CitationBriefSerializer(serializers.ModelSerializer):
    source = serializers.SerializerMethodField()

    class Meta:
        model = Citation
        fields = ["id", "source", "evidence", "location"]

    def to_representation(self, obj):
        return _withhold_citation_text(self, obj, super().to_representation(obj))

    @extend_schema_field({"type": "object"})
    def get_source(self, obj):
        return {**record_ref(obj.source), "reliability": obj.source.reliability}


class RecordSerializer(BaseSerializer):
    """Base for owned records: marking, retraction, visible citations."""

    owner = AgencyShortNameField()
    retracted = serializers.BooleanField(source="is_retracted", read_only=True)
    citations = serializers.SerializerMethodField()

    @extend_schema_field(CitationBriefSerializer(many=True))
    def get_citations(self, obj):
        citations = getattr(obj, "visible_citations", None)
        if citations is None:  # not prefetched (just created): ask visibility directly
            user = request_user(self)
            citations = with_citation_text_withheld(
                obj.citations.filter(source__in=Source.objects.visible_to(user)).select_related("source"), user)
        return CitationBriefSerializer(citations, many=True, context=self.context).data

    def create(self, validated_data):
        from liaison.sharing.services import audit_initial_marking

        children = {name: validated_data.pop(name) for name in self.nested_children() if name in validated_data}
        instance = super().create(validated_data)
        for name, items in children.items():
            sync_children(instance, name, items)
        audit_initial_marking(request_user(self), instance)
        return instance

    def update(self, instance, validated_data):
        from .sharing import apply_marking

        # Marking changes take the one audited, role-checked path of the marking action.
        apply_marking(request_user(self), instance, validated_data)
        children = {name: validated_data.pop(name) for name in self.nested_children() if name in validated_data}
        instance = super().update(instance, validated_data)
        for name, items in children.items():
            sync_children(instance, name, items)
        return instance

    def nested_children(self):
        return getattr(self.Meta, "nested", ())


def sync_children(parent, related_name, items):
    """Make ``parent.<related_name>`` exactly ``items``.

    Items with an ``id`` update that row, items without one are added, rows
    not listed are removed (first, so that a replaced nationality does not
    collide with the one it replaces).
    """
    manager = getattr(parent, related_name)
    fk_name = manager.field.name
    existing = {child.pk: child for child in manager.all()}
    kept = {item["id"] for item in items if item.get("id") is not None}
    unknown = kept - set(existing)
    if unknown:
        raise serializers.ValidationError(
            {related_name: [_("Entry %(id)s is not part of this record.") % {"id": sorted(unknown)[0]}]}
        )
    for pk, child in existing.items():
        if pk not in kept:
            child.delete()
    for item in items:
        item = dict(item)
        pk = item.pop("id", None)
        child = existing[pk] if pk is not None else manager.model(**{fk_name: parent})
        m2m = {k: item.pop(k) for k in list(item) if isinstance(child._meta.get_field(k), ManyToManyField)}
        for key, value in item.items():
            setattr(child, key, value)
        child.save()
        for key, value in m2m.items():
            getattr(child, key).set(value)
    if hasattr(parent, "_prefetched_objects_cache"):
        parent._prefetched_objects_cache.pop(related_name, None)


def unique_in_list(items, key, message):
    seen = set()
    for item in items:
        value = key(item)
        if value in seen:
            raise serializers.ValidationError(message)
        seen.add(value)


# --- reference data ---------------------------------------------------------

class CountrySerializer(serializers.ModelSerializer):
    name = serializers.CharField(source="__str__", read_only=True)

    class Meta:
        model = Country
        fields = ["code", "name"]


class AgencyBriefSerializer(serializers.ModelSerializer):
    class Meta:
        model = Agency
        fields = ["id", "short_name", "name"]


class AgencySerializer(serializers.ModelSerializer):
    parent = AgencyBriefSerializer(read_only=True)
    children = AgencyBriefSerializer(many=True, read_only=True)
    country = serializers.CharField(source="country_id", read_only=True, allow_null=True)

    class Meta:
        model = Agency
        fields = ["id", "short_name", "name", "native_name", "kind", "country", "is_member", "parent", "children"]


# --- registry -----------------------------------------------------------------

class SourceSerializer(RecordSerializer):
    class Meta:
        model = Source
        fields = ["id", "title", "kind", "language", "publisher", "published", "url", "reference", "text",
                  "content_hash", "reliability", *MARKING_FIELDS, "citations"]
        read_only_fields = ["content_hash", "retracted_at", "retraction_reason"]


class CitationSerializer(BaseSerializer):
    source = VisibleRelatedField(model=Source)
    record = RecordRefField("record")

    class Meta:
        model = Citation
        fields = ["id", "source", "record", "evidence", "location"]

    def to_representation(self, obj):
        return _withhold_citation_text(self, obj, super().to_representation(obj))


class PersonNameSerializer(BaseSerializer):
    id = serializers.IntegerField(required=False)
    direction = serializers.CharField(read_only=True)

    class Meta:
        model = PersonName
        fields = ["id", "full_name", "kind", "script", "language", "direction"]
        extra_kwargs = {"full_name": {"trim_whitespace": True}}


class NationalitySerializer(BaseSerializer):
    id = serializers.IntegerField(required=False)

    class Meta:
        model = Nationality
        fields = ["id", "country", "acquired", "acquired_on", "status", "status_since"]
        validators = []  # (person, country) is checked on the whole list by PersonSerializer


class IdentityDocumentSerializer(BaseSerializer):
    id = serializers.IntegerField(required=False)

    class Meta:
        model = IdentityDocument
        fields = ["id", "kind", "number", "country", "issued_on", "expires_on", "is_fraudulent"]


class PersonStatusSerializer(BaseSerializer):
    id = serializers.IntegerField(required=False)

    class Meta:
        model = PersonStatus
        fields = ["id", "status", "date", "country", "note", "event"]


class PersonSerializer(RecordSerializer):
    """A person with names, nationalities, documents and statuses in one body.

    For a protected person (victim, witness, informant) whose identity the
    user's agency was not granted, names, documents and birth data are
    withheld: the response says ``"protected": true`` and lists in
    ``protected_fields`` which of them exist.
    """

    # Free-text notes about a victim or informant name them more often than not.
    PROTECTED = {"names": [], "documents": [], "birth_date": "", "birth_place": "", "display_name": None, "notes": ""}

    names = PersonNameSerializer(many=True, required=False)
    nationalities = NationalitySerializer(many=True, required=False)
    documents = IdentityDocumentSerializer(many=True, required=False)
    statuses = PersonStatusSerializer(many=True, required=False)
    protected = serializers.SerializerMethodField()
    protected_fields = serializers.SerializerMethodField()

    class Meta:
        model = Person
        nested = ("names", "nationalities", "documents", "statuses")
        fields = ["id", "display_name", "names", "sex", "birth_date", "birth_place", "protection", "protected",
                  "protected_fields", "nationalities", "documents", "statuses", *MARKING_FIELDS, "citations"]
        read_only_fields = ["display_name", "retracted_at", "retraction_reason"]

    def validate_names(self, names):
        if self.instance is None and not names:
            raise serializers.ValidationError(_("Give at least one name."))
        return names

    def validate_nationalities(self, items):
        unique_in_list(items, lambda i: i["country"].pk, _("Each country can be listed only once."))
        return items

    def validate(self, attrs):
        if self.instance is None and not attrs.get("names"):
            raise serializers.ValidationError({"names": [_("Give at least one name.")]})
        return super().validate(attrs)

    def can_see_identity(self, obj):
        if not obj.protection:
            return True
        allowed = getattr(obj, "protected_ok", None)
        return can_see_protected(obj, request_user(self)) if allowed is None else bool(allowed)

    @extend_schema_field(serializers.BooleanField())
    def get_protected(self, obj):
        return not self.can_see_identity(obj)

    @extend_schema_field(serializers.ListField(child=serializers.CharField()))
    def get_protected_fields(self, obj):
        return []  # filled in by to_representation, which has the values at hand

    def to_representation(self, obj):
        data = super().to_representation(obj)
        if data["protected"]:
            data["protected_fields"] = [name for name in self.PROTECTED if data.get(name)]
            data.update(copy.deepcopy(self.PROTECTED))
            data["protection"] = None  # even the kind (informant…) is part of the identity
            # A status note is free text like ``notes``: "<her name> rescued at..."
            # (issue 10, second attack). The status itself is no identity and stays.
            for status in data.get("statuses") or []:
                status["note"] = ""
        return data


class OrganisationSerializer(RecordSerializer):
    class Meta:
        model = Organisation
        fields = ["id", "name", "aliases", "kind", "country", "area", *MARKING_FIELDS, "citations"]
        read_only_fields = ["retracted_at", "retraction_reason"]


class SiteSerializer(RecordSerializer):
    class Meta:
        model = Site
        fields = ["id", "name", "aliases", "kind", "country", "admin_area", "locality", "latitude", "longitude",
                  "status", "status_since", "operator", *MARKING_FIELDS, "citations"]
        read_only_fields = ["retracted_at", "retraction_reason"]


class IdentifierSerializer(RecordSerializer):
    class Meta:
        model = Identifier
        fields = ["id", "kind", "value", "normalized", "country", "label", *MARKING_FIELDS, "citations"]
        read_only_fields = ["normalized", "retracted_at", "retraction_reason"]

    def validate(self, attrs):
        attrs = super().validate(attrs)
        if self.instance is not None:  # creating a duplicate returns the existing one (IdentifierViewSet)
            normalized = self._cleaned_instance.normalized
            twin = Identifier.objects.visible_to(request_user(self)).filter(
                owner_id=self.instance.owner_id, kind=self._cleaned_instance.kind, normalized=normalized,
            ).exclude(pk=self.instance.pk).first()
            if twin is not None:
                raise serializers.ValidationError({"value": [
                    _("Your agency already has this identifier as record #%(id)s.") % {"id": twin.pk}]})
        return attrs


class RelationshipSerializer(RecordSerializer):
    subject = RecordRefField("subject")
    object = RecordRefField("object")

    class Meta:
        model = Relationship
        fields = ["id", "subject", "kind", "object", "start", "end", "detail", *MARKING_FIELDS, "citations"]
        read_only_fields = ["retracted_at", "retraction_reason"]

    def run_model_clean(self, attrs):
        attrs = dict(attrs)
        for side in ("subject", "object"):
            if side in attrs:
                target = attrs.pop(side)
                attrs[f"{side}_type"] = _content_type(target)
                attrs[f"{side}_id"] = target.pk
        super().run_model_clean(attrs)


def _content_type(obj):
    from django.contrib.contenttypes.models import ContentType

    return ContentType.objects.get_for_model(obj)


# --- operations -----------------------------------------------------------------

class PhaseSerializer(BaseSerializer):
    operation = VisibleRelatedField(model=Operation, shown_by_parent=True)

    class Meta:
        model = Phase
        fields = ["id", "operation", "number", "name", "start", "end", "description"]


class OperationSerializer(RecordSerializer):
    phases = PhaseSerializer(many=True, read_only=True)
    crime_types = serializers.ListField(child=serializers.ChoiceField(choices=CrimeType.choices), required=False)

    class Meta:
        model = Operation
        fields = ["id", "name", "native_name", "description", "crime_types", "lead_agency", "agencies", "countries",
                  "start", "end", "phases", *MARKING_FIELDS, "citations"]
        read_only_fields = ["retracted_at", "retraction_reason"]


class CaseSerializer(RecordSerializer):
    phase = VisibleRelatedField(model=Phase, through=("operation", Operation), required=False, allow_null=True)

    class Meta:
        model = Case
        fields = ["id", "reference", "title", "crime_type", "status", "operation", "phase", "opened",
                  *MARKING_FIELDS, "citations"]
        read_only_fields = ["retracted_at", "retraction_reason"]

    def validate(self, attrs):
        attrs = super().validate(attrs)
        phase = attrs.get("phase", getattr(self.instance, "phase", None))
        operation = attrs.get("operation", getattr(self.instance, "operation", None))
        if phase is not None and operation is not None and phase.operation_id != operation.pk:
            raise serializers.ValidationError({"phase": [_("This phase belongs to another operation.")]})
        return attrs


class FigureSerializer(BaseSerializer):
    id = serializers.IntegerField(required=False)

    class Meta:
        model = Figure
        fields = ["id", "category", "value", "qualifier", "note"]


class ParticipantSerializer(BaseSerializer):
    id = serializers.IntegerField(required=False)
    person = VisibleRelatedField(model=Person, shown_by_parent=True)

    class Meta:
        model = Participant
        fields = ["id", "person", "role", "note"]
        validators = []  # checked on the whole list by EventSerializer

    def to_representation(self, obj):
        data = super().to_representation(obj)
        # person_visible / person_protected_ok: annotated by EventViewSet; a
        # participant just written names a person the writer was shown.
        # The note is free text about the person ("<name>, 17, from ..."): it goes
        # wherever the person's name goes, so a hidden or withheld person's note
        # is withheld with the name (issue 10, second attack).
        if not getattr(obj, "person_visible", True):
            data["person"] = hidden_ref()
            data["note"] = ""
            return data
        person = obj.person
        if hasattr(obj, "person_protected_ok"):
            person.protected_ok = obj.person_protected_ok
        label = person_label(person, request_user(self))
        data["person"] = record_ref(person, label)
        if person.protection and label != str(person):
            data["note"] = ""
        return data


class EventSerializer(RecordSerializer):
    phase = VisibleRelatedField(model=Phase, through=("operation", Operation), required=False, allow_null=True)
    figures = FigureSerializer(many=True, required=False)
    participants = ParticipantSerializer(many=True, required=False)

    class Meta:
        model = Event
        nested = ("figures", "participants")
        fields = ["id", "kind", "title", "date", "date_end", "place", "site", "countries", "from_country",
                  "to_country", "agencies", "operation", "phase", "case", "is_cumulative", "description",
                  "figures", "participants", *MARKING_FIELDS, "citations"]
        read_only_fields = ["retracted_at", "retraction_reason"]

    def validate_participants(self, items):
        unique_in_list(items, lambda i: (i["person"].pk, i["role"]),
                       _("The same person is listed twice in the same role."))
        return items

    def validate(self, attrs):
        phase = attrs.get("phase", getattr(self.instance, "phase", None))
        if phase is not None and attrs.get("operation", getattr(self.instance, "operation", None)) is None:
            attrs["operation"] = phase.operation  # a phase implies its operation
        return super().validate(attrs)


# --- history and search ------------------------------------------------------

class ChangeSerializer(serializers.Serializer):
    field = serializers.CharField()
    old = serializers.JSONField(allow_null=True)
    new = serializers.JSONField(allow_null=True)
    withheld = serializers.BooleanField(help_text=_("The values exist but are not shown to your agency."))


class HistoryEntrySerializer(serializers.Serializer):
    when = serializers.DateTimeField()
    type = serializers.ChoiceField(choices=["created", "changed", "deleted"])
    agency = serializers.CharField(allow_null=True)
    user = serializers.CharField(allow_null=True, help_text=_("Only shown for your own agency's officers."))
    reason = serializers.CharField(allow_null=True)
    changes = ChangeSerializer(many=True)


class SearchHitSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    type = serializers.CharField()
    label = serializers.CharField()
    owner = serializers.CharField()


class PersonSearchHitSerializer(SearchHitSerializer):
    same_person_as = serializers.IntegerField(
        allow_null=True,
        help_text=_("Listed under this person of the results: both are records of one person (a confirmed match)."),
    )


class SearchResultsSerializer(serializers.Serializer):
    query = serializers.CharField()
    total = serializers.IntegerField()
    persons = PersonSearchHitSerializer(many=True)
    organisations = SearchHitSerializer(many=True)
    sites = SearchHitSerializer(many=True)
    identifiers = SearchHitSerializer(many=True)
