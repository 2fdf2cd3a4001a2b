"""Model fields for values the registry needs and Django lacks."""
from django.core.exceptions import ValidationError
from django.db import models

from liaison.partialdate import PartialDate, PartialDateError


class PartialDateField(models.CharField):
    """A date as precise as the source: ``YYYY``, ``YYYY-MM``, ``YYYY-MM-DD`` or ``--MM-DD``.

    Stored as that text, which sorts chronologically for dates with a year and
    keeps the database portable (SQLite and PostgreSQL alike).
    """

    description = "Partial date (YYYY, YYYY-MM, YYYY-MM-DD or --MM-DD)"

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("max_length", 10)
        kwargs.setdefault("blank", True)
        kwargs.setdefault("default", "")
        super().__init__(*args, **kwargs)

    def deconstruct(self):
        name, path, args, kwargs = super().deconstruct()
        for key, value in (("max_length", 10), ("blank", True), ("default", "")):
            if kwargs.get(key) == value:
                kwargs.pop(key)
        return name, path, args, kwargs

    def to_python(self, value):
        if isinstance(value, PartialDate):
            return value.isoformat()
        value = super().to_python(value)
        if value in (None, ""):
            return value
        try:
            return PartialDate.parse(value).isoformat()
        except PartialDateError as exc:
            raise ValidationError(str(exc), code="invalid_partial_date") from exc

    def get_prep_value(self, value):
        if isinstance(value, PartialDate):
            value = value.isoformat()
        return super().get_prep_value(value)

    def validate(self, value, model_instance):
        super().validate(value, model_instance)
        self.to_python(value)
