"""The registry: persons, organisations, sites, identifiers, relationships and
the sources every fact cites.
"""
import hashlib

from django.contrib.contenttypes.fields import GenericForeignKey
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Case, F, Value, When
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from liaison import identifiers as idf
from liaison import names
from liaison.core.fields import PartialDateField
from liaison.core.i18n import translated_choices
from liaison.core.models import OwnedRecord


class Source(OwnedRecord):
    """A document facts come from: a news report, a bulletin, an embassy note."""

    class Kind(models.TextChoices):
        NEWS = "news", _("News report")
        OFFICIAL = "official", _("Official statement")
        POLICE_REPORT = "police_report", _("Police report")
        INTELLIGENCE = "intelligence", _("Intelligence report")
        HANDOVER_LIST = "handover_list", _("Handover list")
        TESTIMONY = "testimony", _("Testimony")
        OTHER = "other", _("Other")

    class Reliability(models.TextChoices):
        A = "A", _("A – no doubt about authenticity, trustworthiness and competence")
        B = "B", _("B – source has proved reliable in most instances")
        C = "C", _("C – source has proved unreliable in most instances")
        X = "X", _("X – reliability cannot be assessed")

    title = models.CharField(_("title"), max_length=500)
    kind = models.CharField(_("kind"), max_length=20, choices=Kind.choices, default=Kind.NEWS)
    language = models.CharField(_("language"), max_length=10, blank=True, help_text=_("ISO 639-1 code, e.g. id, fr, ar."))
    publisher = models.CharField(_("publisher"), max_length=200, blank=True)
    published = PartialDateField(_("published"))
    url = models.URLField(_("address"), max_length=1000, blank=True)
    reference = models.CharField(_("reference"), max_length=200, blank=True, help_text=_("File name or document number."))
    text = models.TextField(_("full text"), blank=True)
    content_hash = models.CharField(max_length=64, blank=True, db_index=True, editable=False)
    reliability = models.CharField(_("reliability"), max_length=1, choices=Reliability.choices, default=Reliability.X)

    class Meta:
        ordering = ["-published", "title"]
        verbose_name = _("source")

    def __str__(self):
        return self.title

    def save(self, *args, **kwargs):
        self.content_hash = hashlib.sha256(self.text.encode("utf-8")).hexdigest() if self.text else ""
        super().save(*args, **kwargs)


class Citation(models.Model):
    """A record cites a source, with the words of the source that state it."""

    source = models.ForeignKey(Source, on_delete=models.PROTECT, related_name="citations_made")
    content_type = models.ForeignKey(ContentType, on_delete=models.CASCADE)
    object_id = models.PositiveBigIntegerField()
    record = GenericForeignKey("content_type", "object_id")
    evidence = models.TextField(_("quoted evidence"), blank=True)
    location = models.CharField(_("location in source"), max_length=100, blank=True, help_text=_("Page, paragraph or character offsets."))
    history = HistoricalRecords()

    class Meta:
        indexes = [models.Index(fields=["content_type", "object_id"])]
        verbose_name = _("citation")

    def __str__(self):
        return f"{self.source}: {self.evidence[:80]}"


class Person(OwnedRecord):
    class Sex(models.TextChoices):
        MALE = "male", _("Male")
        FEMALE = "female", _("Female")
        OTHER = "other", _("Other")
        UNKNOWN = "", _("Unknown")

    class Protection(models.TextChoices):
        NONE = "", _("None")
        VICTIM = "victim", _("Victim")
        WITNESS = "witness", _("Witness")
        INFORMANT = "informant", _("Informant")

    sex = models.CharField(_("sex"), max_length=10, choices=Sex.choices, blank=True, default="")
    birth_date = PartialDateField(_("date of birth"))
    birth_place = models.CharField(_("place of birth"), max_length=200, blank=True)
    protection = models.CharField(
        _("protected identity"), max_length=10, choices=Protection.choices, blank=True, default="",
        help_text=_("Victims, witnesses and informants: their identity is shown only to the owner and agencies granted it."),
    )
    # Denormalised for lists and sorting: the primary name, kept in step by PersonName.save().
    display_name = models.CharField(_("name"), max_length=300, blank=True, editable=False, db_index=True)
    # What every list, choice, export and API ordering sorts persons by: the
    # name, except that a protected identity sorts as "" for everyone (its
    # owner included). Sorting by the real name let a reader place a withheld
    # victim between two names of their own and recover it letter by letter
    # (issue 10). Computed by the database, so no write path (forms, API, the
    # importer's bulk_create, the COPY loader) can leave it stale.
    sort_name = models.GeneratedField(
        expression=Case(When(protection="", then=F("display_name")), default=Value("")),
        output_field=models.CharField(max_length=300),
        db_persist=True,
        verbose_name=_("name"),
    )

    class Meta:
        ordering = ["sort_name", "id"]
        verbose_name = _("person")
        verbose_name_plural = _("persons")

    def __str__(self):
        return self.display_name or _("Person #%(id)s") % {"id": self.pk}

    @property
    def current_status(self):
        statuses = sorted(self.statuses.all(), key=lambda s: (s.date or "", s.id))
        return statuses[-1] if statuses else None


class PersonName(models.Model):
    class Kind(models.TextChoices):
        PRIMARY = "primary", _("Primary")
        ALIAS = "alias", _("Alias")
        TRANSLITERATION = "transliteration", _("Transliteration")
        NICKNAME = "nickname", _("Nickname")
        BIRTH = "birth", _("Birth name")

    person = models.ForeignKey(Person, on_delete=models.CASCADE, related_name="names")
    full_name = models.CharField(_("name as written"), max_length=300)
    kind = models.CharField(_("kind"), max_length=20, choices=Kind.choices, default=Kind.PRIMARY)
    script = models.CharField(_("script"), max_length=4, blank=True, help_text=_("ISO 15924; detected when left empty."))
    language = models.CharField(_("language"), max_length=10, blank=True, help_text=_("BCP 47, e.g. zh, my, km, vi."))
    search_key = models.CharField(max_length=300, editable=False, db_index=True)
    history = HistoricalRecords()

    class Meta:
        ordering = ["id"]
        verbose_name = _("name")
        indexes = [models.Index(fields=["person", "kind"])]

    def __str__(self):
        return self.full_name

    @property
    def direction(self):
        return "rtl" if self.script in names.RTL_SCRIPTS else "ltr"

    def clean(self):
        if not names.nfc(self.full_name):
            raise ValidationError({"full_name": _("A name cannot be empty.")})

    def save(self, *args, **kwargs):
        self.full_name = names.nfc(self.full_name)
        self.script = self.script or names.detect_script(self.full_name)
        self.search_key = names.search_key(self.full_name)
        super().save(*args, **kwargs)
        primary = self.person.names.filter(kind=self.Kind.PRIMARY).order_by("id").first() or self.person.names.order_by("id").first()
        if primary and self.person.display_name != primary.full_name:
            Person.objects.filter(pk=self.person_id).update(display_name=primary.full_name)
            self.person.display_name = primary.full_name


class Nationality(models.Model):
    class Acquired(models.TextChoices):
        BIRTH = "birth", _("By birth")
        NATURALISATION = "naturalisation", _("Naturalisation")
        INVESTMENT = "investment", _("Investment / purchase")
        MARRIAGE = "marriage", _("Marriage")
        UNKNOWN = "unknown", _("Unknown")

    class Status(models.TextChoices):
        HELD = "held", _("Held")
        REVOCATION_REQUESTED = "revocation_requested", _("Revocation requested")
        REVOKED = "revoked", _("Revoked")

    person = models.ForeignKey(Person, on_delete=models.CASCADE, related_name="nationalities")
    country = models.ForeignKey("core.Country", on_delete=models.PROTECT, related_name="+")
    acquired = models.CharField(_("acquired by"), max_length=20, choices=Acquired.choices, default=Acquired.UNKNOWN)
    acquired_on = PartialDateField(_("acquired on"))
    status = models.CharField(_("status"), max_length=25, choices=Status.choices, default=Status.HELD)
    status_since = PartialDateField(_("status since"))
    # The person's sort_name, copied here so that "persons of nationality X in
    # name order" is one index walk, (country, sort_name, person), instead of
    # reading every person of that nationality to sort them (2.3 s at a million
    # persons: bench/README.md). Written by database triggers (migration 0010)
    # on every insert and update of a nationality and whenever the person's
    # sort_name changes, so no write path (form, API, importer, COPY loader,
    # queryset.update) can leave it stale; like Person.sort_name it is blank
    # for a protected identity, so ordering by it reveals no withheld name.
    sort_name = models.CharField(max_length=300, blank=True, default="", editable=False)
    # sort_name is in the history too: simple-history reads an excluded field
    # back with one query per history row, on every person page.
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("nationality")
        verbose_name_plural = _("nationalities")
        constraints = [models.UniqueConstraint(fields=["person", "country"], name="one_nationality_per_country")]

    def __str__(self):
        return f"{self.country} ({self.get_status_display()})"


class IdentityDocument(models.Model):
    class Kind(models.TextChoices):
        PASSPORT = "passport", _("Passport")
        NATIONAL_ID = "national_id", _("National identity card")
        RESIDENCE = "residence", _("Residence permit")
        DRIVING = "driving", _("Driving licence")
        TRAVEL = "travel", _("Travel document")
        OTHER = "other", _("Other")

    person = models.ForeignKey(Person, on_delete=models.CASCADE, related_name="documents")
    kind = models.CharField(_("kind"), max_length=20, choices=Kind.choices, default=Kind.PASSPORT)
    number = models.CharField(_("number"), max_length=60)
    country = models.ForeignKey("core.Country", null=True, blank=True, on_delete=models.PROTECT, related_name="+", verbose_name=_("issued by"))
    issued_on = PartialDateField(_("issued"))
    expires_on = PartialDateField(_("expires"))
    is_fraudulent = models.BooleanField(_("fraudulently obtained"), default=False)
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("identity document")
        indexes = [models.Index(fields=["number"])]

    def __str__(self):
        return f"{self.get_kind_display()} {self.number}"


class PersonStatus(models.Model):
    """A person's status from a date on: the list of them is the person's history."""

    class Status(models.TextChoices):
        WANTED = "wanted", _("Wanted")
        FUGITIVE = "fugitive", _("Fugitive")
        ARRESTED = "arrested", _("Arrested")
        DETAINED = "detained", _("Detained")
        IN_CUSTODY = "in_custody", _("In custody")
        CONVICTED = "convicted", _("Convicted")
        RELEASED = "released", _("Released")
        DECEASED = "deceased", _("Deceased")
        RESCUED = "rescued", _("Rescued")
        REPATRIATED = "repatriated", _("Repatriated")
        MISSING = "missing", _("Missing")
        CAPTIVE = "captive", _("Held captive")

    person = models.ForeignKey(Person, on_delete=models.CASCADE, related_name="statuses")
    status = models.CharField(_("status"), max_length=20, choices=Status.choices)
    date = PartialDateField(_("since"))
    country = models.ForeignKey(
        "core.Country", null=True, blank=True, on_delete=models.PROTECT, related_name="+",
        verbose_name=_("country"), help_text=_("For custody and detention: the country holding the person."),
    )
    note = models.CharField(_("note"), max_length=500, blank=True)
    event = models.ForeignKey("operations.Event", null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    history = HistoricalRecords()

    class Meta:
        ordering = ["date", "id"]
        verbose_name = _("status")
        verbose_name_plural = _("statuses")

    def __str__(self):
        text = self.get_status_display()
        if self.country_id:
            text = f"{text} ({self.country})"
        return text


class Organisation(OwnedRecord):
    class Kind(models.TextChoices):
        CRIME_GROUP = "crime_group", _("Crime group")
        FAMILY = "family", _("Crime family")
        FRONT_COMPANY = "front_company", _("Front company")
        COMPOUND_OPERATOR = "compound_operator", _("Compound operator")
        ARMED_GROUP = "armed_group", _("Armed group / militia")
        OTHER = "other", _("Other")

    name = models.CharField(_("name"), max_length=300)
    aliases = models.TextField(_("other names"), blank=True, help_text=_("One per line, in any script."))
    kind = models.CharField(_("kind"), max_length=20, choices=Kind.choices, default=Kind.CRIME_GROUP)
    country = models.ForeignKey("core.Country", null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    area = models.CharField(_("area of activity"), max_length=200, blank=True)
    search_key = models.TextField(editable=False, blank=True)

    class Meta:
        ordering = ["name"]
        verbose_name = _("organisation")

    def __str__(self):
        return self.name

    def save(self, *args, **kwargs):
        self.name = names.nfc(self.name)
        self.aliases = "\n".join(names.nfc(line) for line in self.aliases.splitlines() if line.strip())
        self.search_key = "\n".join(names.search_key(n) for n in [self.name, *self.aliases.splitlines()])
        super().save(*args, **kwargs)

    @property
    def alias_list(self):
        return [line for line in self.aliases.splitlines() if line]


class Site(OwnedRecord):
    class Kind(models.TextChoices):
        COMPOUND = "compound", _("Scam compound")
        DEN = "den", _("Scam den")
        CASINO = "casino", _("Casino")
        OFFICE = "office", _("Office")
        CROSSING = "crossing", _("Border crossing")
        OTHER = "other", _("Other")

    class Status(models.TextChoices):
        ACTIVE = "active", _("Active")
        RAIDED = "raided", _("Raided")
        CLOSED = "closed", _("Closed")
        UNKNOWN = "unknown", _("Unknown")

    name = models.CharField(_("name"), max_length=300)
    aliases = models.TextField(_("other names"), blank=True)
    kind = models.CharField(_("kind"), max_length=20, choices=Kind.choices, default=Kind.COMPOUND)
    country = models.ForeignKey("core.Country", on_delete=models.PROTECT, related_name="+", verbose_name=_("country"))
    admin_area = models.CharField(_("administrative area"), max_length=200, blank=True, help_text=_("State, province or special zone, e.g. Kokang SAZ, Preah Sihanouk."))
    locality = models.CharField(_("locality"), max_length=200, blank=True)
    latitude = models.DecimalField(_("latitude"), max_digits=9, decimal_places=6, null=True, blank=True)
    longitude = models.DecimalField(_("longitude"), max_digits=9, decimal_places=6, null=True, blank=True)
    status = models.CharField(_("status"), max_length=10, choices=Status.choices, default=Status.ACTIVE)
    status_since = PartialDateField(_("status since"))
    operator = models.ForeignKey(Organisation, null=True, blank=True, on_delete=models.SET_NULL, related_name="sites", verbose_name=_("operated by"))
    search_key = models.TextField(editable=False, blank=True)

    class Meta:
        ordering = ["name"]
        verbose_name = _("site")

    def __str__(self):
        return self.name

    def clean(self):
        super().clean()
        errors = {}
        if self.latitude is not None and not -90 <= self.latitude <= 90:
            errors["latitude"] = _("Latitude must be between -90 and 90.")
        if self.longitude is not None and not -180 <= self.longitude <= 180:
            errors["longitude"] = _("Longitude must be between -180 and 180.")
        if (self.latitude is None) != (self.longitude is None):
            errors["longitude" if self.longitude is None else "latitude"] = _("Give both latitude and longitude, or neither.")
        if errors:
            raise ValidationError(errors)

    def save(self, *args, **kwargs):
        self.name = names.nfc(self.name)
        self.aliases = "\n".join(names.nfc(line) for line in self.aliases.splitlines() if line.strip())
        self.search_key = "\n".join(names.search_key(n) for n in [self.name, self.locality, *self.aliases.splitlines()] if n)
        super().save(*args, **kwargs)


class Identifier(OwnedRecord):
    """A phone, account, wallet, domain, URL, handle or e-mail address.

    Stored once per owner agency under its canonical form; entering it again
    finds the existing record (see ``IdentifierQuerySet.get_or_create_normalized``).
    Uniqueness is per owner on purpose: a registry-wide unique constraint would
    tell one agency that another holds the identifier.
    """

    kind = models.CharField(_("kind"), max_length=20, choices=translated_choices(idf.KINDS))
    value = models.CharField(_("as entered"), max_length=500)
    normalized = models.CharField(_("canonical form"), max_length=500, editable=False)
    country = models.ForeignKey("core.Country", null=True, blank=True, on_delete=models.PROTECT, related_name="+", verbose_name=_("country"))
    label = models.CharField(_("label"), max_length=200, blank=True, help_text=_("Bank name, network (TRC20), platform…"))

    class Meta:
        ordering = ["kind", "normalized"]
        verbose_name = _("identifier")
        constraints = [models.UniqueConstraint(fields=["owner", "kind", "normalized"], name="identifier_unique_per_owner")]
        indexes = [models.Index(fields=["normalized"])]

    def __str__(self):
        return f"{self.get_kind_display()}: {self.normalized}"

    def clean(self):
        super().clean()
        try:
            self.normalized = idf.normalize(self.kind, self.value, self.country_id)
        except idf.IdentifierError as exc:
            raise ValidationError({"value": str(exc)}) from exc

    def save(self, *args, **kwargs):
        self.normalized = idf.normalize(self.kind, self.value, self.country_id)
        if self.kind in (idf.PHONE, idf.WHATSAPP) and not self.country_id:
            self.country_id = idf.phone_region(self.normalized)
        super().save(*args, **kwargs)


class Relationship(OwnedRecord):
    """A typed, dated link between any two records, with its sources."""

    class Kind(models.TextChoices):
        MEMBER_OF = "member_of", _("member of")
        LEADS = "leads", _("leads")
        WORKS_AT = "works_at", _("works at")
        OPERATES = "operates", _("operates")
        USES_PHONE = "uses_phone", _("uses phone")
        USES_HANDLE = "uses_handle", _("uses handle")
        HOLDS_ACCOUNT = "holds_account", _("holds account")
        OWNS = "owns", _("owns")
        RELATED_TO = "related_to", _("related to")
        FAMILY_OF = "family_of", _("family of")
        VICTIM_OF = "victim_of", _("victim of")
        HELD_AT = "held_at", _("held at")
        ASSOCIATE_OF = "associate_of", _("associate of")

    kind = models.CharField(_("kind"), max_length=20, choices=Kind.choices)
    subject_type = models.ForeignKey(ContentType, on_delete=models.PROTECT, related_name="+")
    subject_id = models.PositiveBigIntegerField()
    subject = GenericForeignKey("subject_type", "subject_id")
    object_type = models.ForeignKey(ContentType, on_delete=models.PROTECT, related_name="+")
    object_id = models.PositiveBigIntegerField()
    object = GenericForeignKey("object_type", "object_id")
    start = PartialDateField(_("from"))
    end = PartialDateField(_("until"))
    detail = models.CharField(_("detail"), max_length=300, blank=True, help_text=_("e.g. “son of”, “chief accountant”."))

    class Meta:
        ordering = ["kind", "id"]
        verbose_name = _("relationship")
        indexes = [
            models.Index(fields=["subject_type", "subject_id"]),
            models.Index(fields=["object_type", "object_id"]),
        ]

    def __str__(self):
        # Not the two ends' names: either end may be invisible, or a protected
        # identity, to whoever reads this label.
        return f"{self.get_kind_display()} #{self.pk}"

    def clean(self):
        super().clean()
        if self.subject_type_id == self.object_type_id and self.subject_id == self.object_id:
            raise ValidationError(_("A record cannot be linked to itself."))
        if self.start and self.end and self.start[:1] != "-" and self.end[:1] != "-" and self.end < self.start:
            raise ValidationError({"end": _("The end is before the start.")})
