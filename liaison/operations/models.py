"""Joint operations, their phases and cases, and the events they produce
(raids, arrests, rescues, handovers...) with their figures and participants.
"""
from django.core.exceptions import ValidationError
from django.db import models
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from liaison.core.fields import PartialDateField
from liaison.core.models import OwnedRecord


class CrimeType(models.TextChoices):
    TELECOM_FRAUD = "telecom_fraud", _("Telecom and internet fraud")
    ONLINE_GAMBLING = "online_gambling", _("Online gambling")
    TRAFFICKING = "human_trafficking", _("Human trafficking")
    FORCED_LABOUR = "forced_labour", _("Forced labour")
    KIDNAPPING = "kidnapping", _("Kidnapping and extortion")
    HOMICIDE = "homicide", _("Homicide and violent crime")
    DRUGS = "drugs", _("Drug trafficking")
    ARMS = "arms", _("Arms trafficking")
    SMUGGLING = "smuggling", _("Smuggling of migrants / goods")
    MONEY_LAUNDERING = "money_laundering", _("Money laundering")
    FRAUDULENT_NATIONALITY = "fraudulent_nationality", _("Fraudulently obtained nationality")
    OTHER = "other", _("Other")


class Operation(OwnedRecord):
    """A joint operation or campaign of several agencies, e.g. "Jingyao"."""

    name = models.CharField(_("name"), max_length=200)
    native_name = models.CharField(_("name in original language"), max_length=200, blank=True)
    description = models.TextField(_("description"), blank=True)
    crime_types = models.JSONField(_("crime types"), default=list, blank=True)
    lead_agency = models.ForeignKey("sharing.Agency", null=True, blank=True, on_delete=models.PROTECT, related_name="+", verbose_name=_("coordinating agency"))
    agencies = models.ManyToManyField("sharing.Agency", blank=True, related_name="operations", verbose_name=_("participating agencies"))
    countries = models.ManyToManyField("core.Country", blank=True, related_name="operations", verbose_name=_("countries"))
    start = PartialDateField(_("start"))
    end = PartialDateField(_("end"))

    class Meta:
        ordering = ["-start", "name"]
        verbose_name = _("operation")

    def __str__(self):
        return self.name

    def clean(self):
        super().clean()
        unknown = set(self.crime_types or []) - set(CrimeType.values)
        if unknown:
            raise ValidationError({"crime_types": _("Unknown crime type: %(types)s") % {"types": ", ".join(sorted(unknown))}})

    def get_crime_types_display(self):
        labels = dict(CrimeType.choices)
        return [labels.get(code, code) for code in self.crime_types or []]


class Phase(models.Model):
    operation = models.ForeignKey(Operation, on_delete=models.CASCADE, related_name="phases")
    number = models.PositiveSmallIntegerField(_("number"))
    name = models.CharField(_("name"), max_length=200, blank=True)
    start = PartialDateField(_("start"))
    end = PartialDateField(_("end"))
    description = models.TextField(_("description"), blank=True)
    history = HistoricalRecords()

    class Meta:
        ordering = ["operation", "number"]
        verbose_name = _("phase")
        constraints = [models.UniqueConstraint(fields=["operation", "number"], name="phase_number_unique")]

    def __str__(self):
        return self.name or _("%(operation)s – phase %(number)s") % {"operation": self.operation, "number": self.number}


class Case(OwnedRecord):
    class Status(models.TextChoices):
        OPEN = "open", _("Open")
        UNDER_INVESTIGATION = "investigation", _("Under investigation")
        PROSECUTION = "prosecution", _("Prosecution")
        CLOSED = "closed", _("Closed")

    reference = models.CharField(_("reference"), max_length=100)
    title = models.CharField(_("title"), max_length=300)
    crime_type = models.CharField(_("crime type"), max_length=30, choices=CrimeType.choices, default=CrimeType.TELECOM_FRAUD)
    status = models.CharField(_("status"), max_length=20, choices=Status.choices, default=Status.OPEN)
    operation = models.ForeignKey(Operation, null=True, blank=True, on_delete=models.SET_NULL, related_name="cases")
    phase = models.ForeignKey(Phase, null=True, blank=True, on_delete=models.SET_NULL, related_name="cases")
    opened = PartialDateField(_("opened"))

    class Meta:
        ordering = ["-opened", "reference"]
        verbose_name = _("case")

    def __str__(self):
        return f"{self.reference} – {self.title}"


class Event(OwnedRecord):
    class Kind(models.TextChoices):
        RAID = "raid", _("Raid")
        ARREST = "arrest", _("Arrest")
        DETENTION = "detention", _("Detention")
        RESCUE = "rescue", _("Rescue")
        HANDOVER = "handover", _("Handover")
        EXTRADITION = "extradition", _("Extradition")
        DEPORTATION = "deportation", _("Deportation")
        REPATRIATION = "repatriation", _("Repatriation")
        DEATH = "death", _("Death")
        SITE_CLOSURE = "site_closure", _("Site closure")
        SENTENCE = "sentence", _("Sentence")
        SANCTION = "sanction", _("Sanction")
        OPERATION_LAUNCH = "operation_launch", _("Operation launch")
        MEETING = "meeting", _("Meeting / review")
        OTHER = "other", _("Other")

    kind = models.CharField(_("kind"), max_length=20, choices=Kind.choices)
    title = models.CharField(_("title"), max_length=300)
    date = PartialDateField(_("date"))
    date_end = PartialDateField(_("until"), help_text=_("For cumulative figures: the period's end."))
    place = models.CharField(_("place"), max_length=200, blank=True, help_text=_("As written in the source, e.g. Muse, Kunming."))
    site = models.ForeignKey("registry.Site", null=True, blank=True, on_delete=models.SET_NULL, related_name="events")
    countries = models.ManyToManyField("core.Country", blank=True, related_name="events", verbose_name=_("countries involved"))
    from_country = models.ForeignKey("core.Country", null=True, blank=True, on_delete=models.PROTECT, related_name="+", verbose_name=_("from country"), help_text=_("Handovers, extraditions, repatriations: the sending country."))
    to_country = models.ForeignKey("core.Country", null=True, blank=True, on_delete=models.PROTECT, related_name="+", verbose_name=_("to country"))
    agencies = models.ManyToManyField("sharing.Agency", blank=True, related_name="events", verbose_name=_("agencies involved"))
    operation = models.ForeignKey(Operation, null=True, blank=True, on_delete=models.SET_NULL, related_name="events")
    phase = models.ForeignKey(Phase, null=True, blank=True, on_delete=models.SET_NULL, related_name="events")
    case = models.ForeignKey(Case, null=True, blank=True, on_delete=models.SET_NULL, related_name="events")
    is_cumulative = models.BooleanField(_("cumulative total"), default=False, help_text=_("The figures are a running total over a period, not one event."))
    description = models.TextField(_("description"), blank=True)

    class Meta:
        ordering = ["-date", "id"]
        verbose_name = _("event")

    def __str__(self):
        return self.title

    def clean(self):
        super().clean()
        if self.phase_id and self.operation_id and self.phase.operation_id != self.operation_id:
            raise ValidationError({"phase": _("This phase belongs to another operation.")})
        if self.phase_id and not self.operation_id:
            self.operation_id = self.phase.operation_id


class Figure(models.Model):
    """A figure stated for an event: "more than 70,000 suspects"."""

    class Category(models.TextChoices):
        SUSPECTS = "suspects", _("Suspects")
        LEADERS = "leaders", _("Leaders")
        FUGITIVES = "fugitives", _("Fugitives")
        VICTIMS = "victims", _("Victims")
        PEOPLE = "people", _("Other people")
        CASES = "cases", _("Cases")
        SITES = "sites", _("Sites")
        DEATHS = "deaths", _("Deaths")
        SENTENCED = "sentenced", _("Sentenced")

    class Qualifier(models.TextChoices):
        EXACT = "", _("exactly")
        MORE_THAN = "more_than", _("more than")
        AT_LEAST = "at_least", _("at least")
        ABOUT = "about", _("about")
        UP_TO = "up_to", _("up to")

    event = models.ForeignKey(Event, on_delete=models.CASCADE, related_name="figures")
    category = models.CharField(_("category"), max_length=12, choices=Category.choices)
    value = models.PositiveIntegerField(_("value"))
    qualifier = models.CharField(_("qualifier"), max_length=10, choices=Qualifier.choices, blank=True, default="")
    note = models.CharField(_("note"), max_length=200, blank=True, help_text=_("e.g. “Vietnamese nationals”."))
    history = HistoricalRecords()

    class Meta:
        ordering = ["event", "category"]
        verbose_name = _("figure")

    def __str__(self):
        return self.in_words(self.value, self.qualifier, self.category)

    @classmethod
    def in_words(cls, value, qualifier, category):
        """ "more than 70,000 suspects", "ผู้ต้องสงสัย 70,000 คน": in the reader's language
        and digits, the qualifier a source gave kept with its number. The one wording
        for records, the review queue and the figure pages."""
        from liaison.core.i18n import current_reader
        from liaison.core.localefmt import format_number

        labels = dict(cls.Category.choices)
        values = {"number": format_number(value, current_reader()),
                  "category": str(labels.get(category, category)).lower()}
        if qualifier:
            values["qualifier"] = dict(cls.Qualifier.choices).get(qualifier, qualifier)
            return _("%(qualifier)s %(number)s %(category)s") % values
        return _("%(number)s %(category)s") % values


class Participant(models.Model):
    class Role(models.TextChoices):
        SUSPECT = "suspect", _("Suspect")
        LEADER = "leader", _("Leader")
        VICTIM = "victim", _("Victim")
        OFFICIAL = "official", _("Official")
        WITNESS = "witness", _("Witness")
        OTHER = "other", _("Other")

    event = models.ForeignKey(Event, on_delete=models.CASCADE, related_name="participants")
    person = models.ForeignKey("registry.Person", on_delete=models.CASCADE, related_name="participations")
    role = models.CharField(_("role"), max_length=10, choices=Role.choices)
    note = models.CharField(_("note"), max_length=200, blank=True)
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("participant")
        constraints = [models.UniqueConstraint(fields=["event", "person", "role"], name="participant_unique")]

    def __str__(self):
        return f"{self.person} ({self.get_role_display()})"
