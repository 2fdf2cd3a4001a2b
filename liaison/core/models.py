"""What every record of the registry shares: country reference data and the
``OwnedRecord`` base (owner agency, distribution, TLP marking, handling code,
accuracy grading, retraction, sources, history).
"""
from django.conf import settings
from django.contrib.contenttypes.fields import GenericRelation
from django.db import models
from django.utils.translation import gettext_lazy as _
from django_countries import countries
from simple_history.models import HistoricalRecords


class Country(models.Model):
    """An ISO 3166-1 country. Rows come from django-countries (data migration)."""

    code = models.CharField(_("ISO code"), max_length=2, primary_key=True)
    name = models.CharField(_("name"), max_length=100)

    class Meta:
        ordering = ["name"]
        verbose_name = _("country")
        verbose_name_plural = _("countries")

    def __str__(self):
        # The name in the reader's language (CLDR, every interface language),
        # falling back to the stored English name.
        from django.utils.translation import get_language

        from liaison.core.localefmt import country_name

        return country_name(self.code, get_language() or "en") or str(dict(countries).get(self.code, self.name))


class Distribution(models.TextChoices):
    """Who may see a record besides its owner (after MISP's distribution levels)."""

    OWNER = "owner", _("Owner agency only")
    SHARED = "shared", _("Named agencies, sharing groups or operations")
    MEMBERS = "members", _("All member agencies")
    PUBLIC = "public", _("Public")


class TLP(models.TextChoices):
    """Traffic Light Protocol 2.0."""

    CLEAR = "CLEAR", "TLP:CLEAR"
    GREEN = "GREEN", "TLP:GREEN"
    AMBER = "AMBER", "TLP:AMBER"
    AMBER_STRICT = "AMBER+STRICT", "TLP:AMBER+STRICT"
    RED = "RED", "TLP:RED"


class Handling(models.TextChoices):
    """Europol SIENA handling codes."""

    H0 = "H0", _("H0 – law-enforcement use only")
    H1 = "H1", _("H1 – not for use as evidence without the owner's permission")
    H2 = "H2", _("H2 – no onward sharing without the owner's permission")
    H3 = "H3", _("H3 – owner-defined restrictions")


class Accuracy(models.TextChoices):
    """The 4×4 grading of an item of information (with Source.reliability)."""

    KNOWN_TRUE = "1", _("1 – known to be true without reservation")
    KNOWN_PERSONALLY = "2", _("2 – known personally to the source")
    NOT_KNOWN_PERSONALLY = "3", _("3 – not known personally, corroborated")
    CANNOT_ASSESS = "4", _("4 – cannot be judged")


class OwnedRecord(models.Model):
    """An item of the registry: owned by one agency, which decides who sees it.

    Visibility is never decided here or in views: every read goes through
    ``liaison.sharing.visibility`` (the single place of enforcement), reached
    via ``Model.objects.visible_to(user)``.
    """

    owner = models.ForeignKey(
        "sharing.Agency", on_delete=models.PROTECT, related_name="+", verbose_name=_("owner agency")
    )
    distribution = models.CharField(
        _("distribution"), max_length=10, choices=Distribution.choices, default=Distribution.OWNER
    )
    tlp = models.CharField(_("TLP"), max_length=12, choices=TLP.choices, default=TLP.AMBER)
    handling = models.CharField(_("handling code"), max_length=2, choices=Handling.choices, default=Handling.H0)
    handling_note = models.CharField(_("owner-defined restriction"), max_length=500, blank=True)
    accuracy = models.CharField(
        _("accuracy"), max_length=1, choices=Accuracy.choices, default=Accuracy.CANNOT_ASSESS
    )
    is_synthetic = models.BooleanField(
        _("synthetic"), default=False, help_text=_("Invented demonstration data, not a real fact.")
    )
    notes = models.TextField(_("notes"), blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+", editable=False
    )
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)
    retracted_at = models.DateTimeField(_("retracted"), null=True, blank=True, editable=False)
    retraction_reason = models.CharField(_("retraction reason"), max_length=500, blank=True, editable=False)

    citations = GenericRelation("registry.Citation")
    history = HistoricalRecords(inherit=True)

    class Meta:
        abstract = True

    def clean(self):
        # The TLP rules hold for every way a record is written (forms, API,
        # import), not only for the sharing page.
        from django.core.exceptions import ValidationError

        from liaison.sharing.services import SharingError, check_marking

        try:
            check_marking(self.distribution, self.tlp)
        except SharingError as exc:
            raise ValidationError({"distribution": str(exc)}) from exc

    @property
    def is_retracted(self):
        return self.retracted_at is not None


class OwnedQuerySet(models.QuerySet):
    def visible_to(self, user, *, per_row=False):
        """Only the rows ``user`` may see; see ``liaison.sharing.visibility``
        (``per_row``: shares tested row by row, for queries that read few rows)."""
        from liaison.sharing.visibility import filter_visible

        return filter_visible(self, user, per_row=per_row)


OwnedRecord.add_to_class("objects", OwnedQuerySet.as_manager())
