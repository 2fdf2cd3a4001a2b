"""Serializer fields the registry needs: partial dates, references that must be
visible to the user, and typed references to any record.

A reference the user may not see is answered exactly like one that does not
exist ("No such record."), so a write can never be used to probe for records.
"""
from django.utils.translation import gettext_lazy as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from liaison.core.models import Country
from liaison.operations.models import Case, Event, Operation
from liaison.partialdate import PartialDate, PartialDateError
from liaison.registry.models import Identifier, Organisation, Person, Site, Source

NO_SUCH_RECORD = _("No such record.")
HIDDEN_LABEL = _("a record you cannot see")

# The record types a relationship or a citation can point at, by API name.
RECORD_TYPES = {
    "person": Person,
    "organisation": Organisation,
    "site": Site,
    "identifier": Identifier,
    "source": Source,
    "operation": Operation,
    "case": Case,
    "event": Event,
}


def request_user(field):
    request = field.context.get("request")
    return getattr(request, "user", None)


@extend_schema_field({"type": "string", "pattern": r"^(\d{4}(-\d{2}(-\d{2})?)?|--\d{2}-\d{2})?$",
                      "example": "2023-11"})
class PartialDateField(serializers.CharField):
    """A date as precise as the source: YYYY, YYYY-MM, YYYY-MM-DD or --MM-DD."""

    def __init__(self, **kwargs):
        kwargs.setdefault("allow_blank", True)
        kwargs.setdefault("required", False)
        kwargs.setdefault("help_text", _("YYYY, YYYY-MM, YYYY-MM-DD, or --MM-DD when the year is unknown."))
        super().__init__(**kwargs)

    def to_internal_value(self, data):
        text = super().to_internal_value(data)
        if not text:
            return ""
        try:
            return PartialDate.parse(text).isoformat()
        except PartialDateError as exc:
            raise serializers.ValidationError(str(exc), code="invalid_partial_date") from exc


class VisibleRelatedField(serializers.PrimaryKeyRelatedField):
    """A foreign key that only accepts records the requesting user may see."""

    default_error_messages = {
        "does_not_exist": NO_SUCH_RECORD,
        "incorrect_type": _("Give the record's number (id)."),
    }

    def __init__(self, model=None, through=None, shown_by_parent=False, **kwargs):
        # ``through``: for child rows (phases), the parent model whose visible
        # set decides, e.g. ("operation", Operation). ``shown_by_parent``: the
        # reference needs no check on output, because the row is only ever
        # reached through it (a phase's operation) or the serializer writes
        # its own visibility-checked form of it (an event's participants).
        self.model, self.through, self.shown_by_parent = model, through, shown_by_parent
        super().__init__(**kwargs)

    def to_representation(self, value):
        # An invisible operation, phase, operator or event is answered as null,
        # never by its id: the id alone tells that it exists, and how many records
        # were made before it (issue 10). One query per distinct record and
        # request, memoised in the serializer context.
        pk = super().to_representation(value)
        if pk is None or self.shown_by_parent:
            return pk
        cache = self.context.setdefault("_visible_refs", {}) if isinstance(self.context, dict) else {}
        key = (self.model, pk)
        if key not in cache:
            wanted = self._ids_on_page() | {pk}
            seen = set(self.get_queryset().filter(pk__in=wanted).values_list("pk", flat=True))
            cache.update({(self.model, i): i in seen for i in wanted})
        return pk if cache[key] else None

    def _ids_on_page(self):
        """For a list, every id this field holds on the page: one query a page, not a row."""
        parent, root = self.parent, self.root
        instances = getattr(root, "instance", None)
        if parent is not getattr(root, "child", None) or not isinstance(instances, (list, tuple)):
            return set()
        try:
            attname = parent.Meta.model._meta.get_field(self.source).attname
        except Exception:  # a source that is not a model field: no batching, still correct
            return set()
        return {getattr(o, attname, None) for o in instances} - {None}

    def get_queryset(self):
        user = request_user(self)
        if self.through:
            name, parent = self.through
            return self.model.objects.filter(**{f"{name}__in": parent.objects.visible_to(user)})
        return self.model.objects.visible_to(user)


class CountryField(serializers.PrimaryKeyRelatedField):
    """An ISO 3166-1 alpha-2 country code; reference data, visible to all."""

    default_error_messages = {
        "does_not_exist": _("“{pk_value}” is not a country code (ISO 3166-1, e.g. MM, KH, TH)."),
        "incorrect_type": _("Give a two-letter country code, e.g. MM."),
    }

    def __init__(self, **kwargs):
        kwargs.setdefault("queryset", Country.objects.all())
        kwargs.setdefault("pk_field", serializers.CharField())
        super().__init__(**kwargs)

    def to_internal_value(self, data):
        return super().to_internal_value(data.upper() if isinstance(data, str) else data)


def record_ref(obj, label=None):
    """The JSON form of a link to a record the user may see."""
    return {"visible": True, "type": obj._meta.model_name, "id": obj.pk, "label": label or str(obj)}


def hidden_ref():
    return {"visible": False, "label": str(HIDDEN_LABEL)}


def person_label(person, user):
    """A person's name, or a neutral label when their identity is withheld."""
    from liaison.sharing.visibility import can_see_protected

    if person.protection:
        allowed = getattr(person, "protected_ok", None)
        if allowed is None:
            allowed = can_see_protected(person, user)
        if not allowed:
            return str(_("Protected person #%(id)s") % {"id": person.pk})
    return str(person)


RECORD_REF_SCHEMA = {
    "type": "object",
    "properties": {
        "visible": {"type": "boolean", "readOnly": True},
        "type": {"type": "string", "enum": sorted(RECORD_TYPES)},
        "id": {"type": "integer"},
        "label": {"type": "string", "readOnly": True},
    },
    "required": ["type", "id"],
}


@extend_schema_field(RECORD_REF_SCHEMA)
class RecordRefField(serializers.Field):
    """A link to any registry record: ``{"type": "person", "id": 12}`` on input.

    On output, a record the user may not see becomes
    ``{"visible": false, "label": "a record you cannot see"}``: the viewset
    prefetches the reference through ``visible_to``, so an invisible target
    arrives here as ``None``.
    """

    default_error_messages = {
        "invalid": _('Give the record as {{"type": …, "id": …}}.'),
        "unknown_type": _("Unknown record type “{type}”; use one of: {types}."),
        "no_such_record": NO_SUCH_RECORD,
    }

    def get_attribute(self, instance):
        return instance  # the whole row: we need the type and id even when the target is hidden

    def __init__(self, gfk_name, **kwargs):
        self.gfk_name = gfk_name
        super().__init__(**kwargs)

    def to_representation(self, instance):
        target = getattr(instance, self.gfk_name)
        if target is None:
            return hidden_ref()
        label = person_label(target, request_user(self)) if isinstance(target, Person) else None
        return record_ref(target, label)

    def to_internal_value(self, data):
        if not isinstance(data, dict) or "type" not in data or "id" not in data:
            self.fail("invalid")
        if not isinstance(data["type"], str):
            self.fail("invalid")
        model = RECORD_TYPES.get(data["type"])
        if model is None:
            self.fail("unknown_type", type=data["type"], types=", ".join(sorted(RECORD_TYPES)))
        try:
            pk = int(data["id"])
        except (TypeError, ValueError):
            self.fail("invalid")
        if not 0 < pk < 2**63:
            self.fail("no_such_record")
        target = model.objects.visible_to(request_user(self)).filter(pk=pk).first()
        if target is None:
            self.fail("no_such_record")
        return target


@extend_schema_field(OpenApiTypes.STR)
class AgencyShortNameField(serializers.RelatedField):
    """An agency by its short name (MPS, CNP…), read-only."""

    def __init__(self, **kwargs):
        kwargs["read_only"] = True
        super().__init__(**kwargs)

    def to_representation(self, value):
        return value.short_name
