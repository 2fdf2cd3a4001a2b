"""The public list, public reports and the identifiers they name.

A ``PublishedIdentifier`` is the only registry fact the public ever reads: an
officer of the owner agency puts one of its identifiers on the public list on
purpose (audited) and may take it off again (retracted, kept for the record).

A ``PublicReport`` is what a member of the public sent. It belongs to the
agency configured for the reporter's country (``PUBLIC_REPORT_AGENCIES``), is
TLP:AMBER, and its contact details are protected: only that agency's officers
read them. The reporter sees it again only through the reference and the
secret code, and only the message an officer chose to send.

``ReportedIdentifier`` is one row per identifier however many reports name it
(a number reported a hundred times is one identifier with a hundred reports).
"""
import hashlib
import hmac
import secrets

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from liaison import identifiers as idf
from liaison.core.fields import PartialDateField
from liaison.core.i18n import translated_choices
from liaison.core.models import TLP


class Category(models.TextChoices):
    JOB_LURE = "job_lure", _("fake job offer / trafficking lure")
    INVESTMENT = "investment", _("investment or crypto scam")
    ROMANCE = "romance", _("romance scam")
    FAKE_AUTHORITY = "fake_authority", _("fake police, bank or government")
    SHOPPING = "shopping", _("fake shop or delivery")
    PRIZE_LOAN = "prize_loan", _("prize or loan scam")
    MONEY_MULE = "money_mule", _("account used to move scam money")
    OTHER = "other", _("other scam")


class PublishedIdentifierQuerySet(models.QuerySet):
    def live(self):
        return self.filter(retracted_at__isnull=True)


class PublishedIdentifier(models.Model):
    identifier = models.ForeignKey("registry.Identifier", on_delete=models.PROTECT, related_name="+")
    owner = models.ForeignKey("sharing.Agency", on_delete=models.PROTECT, related_name="+", verbose_name=_("agency"))
    # Copied from the identifier when published: the public list never joins the registry.
    kind = models.CharField(_("kind"), max_length=20, choices=translated_choices(idf.KINDS))
    normalized = models.CharField(_("canonical form"), max_length=500)
    category = models.CharField(_("kind of scam"), max_length=20, choices=Category.choices)
    message = models.CharField(_("short public message"), max_length=300, blank=True)
    published_at = models.DateTimeField(_("published"), auto_now_add=True)
    published_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    retracted_at = models.DateTimeField(_("taken off the list"), null=True, blank=True)
    retracted_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                     related_name="+")

    objects = PublishedIdentifierQuerySet.as_manager()

    class Meta:
        ordering = ["-published_at", "-id"]
        verbose_name = _("published identifier")
        indexes = [models.Index(fields=["normalized", "kind"])]
        constraints = [models.UniqueConstraint(fields=["identifier"], condition=models.Q(retracted_at__isnull=True),
                                               name="one_live_listing_per_identifier")]

    def __str__(self):
        return f"{self.get_kind_display()}: {self.normalized}"


def _digest(code):
    # The code is 60 random bits chosen by the server, not a password a person
    # picks: a keyed hash is enough, and a slow one would only slow the status page.
    return hmac.new(settings.SECRET_KEY.encode(), code.strip().upper().encode(), hashlib.sha256).hexdigest()


_ALPHABET = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"  # no 0/O or 1/I to misread on a phone


def _random(n):
    return "".join(secrets.choice(_ALPHABET) for _ in range(n))


class PublicReport(models.Model):
    class Kind(models.TextChoices):
        SCAM = "scam", _("scam")
        MISSING = "missing", _("missing or captive relative")

    class Status(models.TextChoices):
        RECEIVED = "received", _("received, not yet read")
        CONFIRMED = "confirmed", _("confirmed by an officer")
        MERGED = "merged", _("joined to another report")
        REJECTED = "rejected", _("not taken further")

    reference = models.CharField(_("reference"), max_length=20, unique=True, editable=False)
    code_hash = models.CharField(max_length=64, editable=False)
    kind = models.CharField(_("kind"), max_length=10, choices=Kind.choices)
    status = models.CharField(_("status"), max_length=10, choices=Status.choices, default=Status.RECEIVED)
    country = models.CharField(_("reporter's country"), max_length=2, blank=True)
    language = models.CharField(_("language"), max_length=10, blank=True)
    agency = models.ForeignKey("sharing.Agency", null=True, on_delete=models.PROTECT, related_name="+",
                               verbose_name=_("agency"))
    tlp = models.CharField(_("TLP"), max_length=12, choices=TLP.choices, default=TLP.AMBER)
    # What happened (scam) or the circumstances (missing relative), in the reporter's words.
    what_happened = models.TextField(_("what happened"), blank=True)
    checked_text = models.TextField(_("message the reporter checked"), blank=True)
    money_lost = models.DecimalField(_("money lost"), max_digits=14, decimal_places=2, null=True, blank=True)
    currency = models.CharField(_("currency"), max_length=3, blank=True)
    contact = models.CharField(_("reporter's contact (protected)"), max_length=300, blank=True)
    # Missing or captive relative: names as the family writes them (NFC), one a line.
    relative_names = models.TextField(_("names"), blank=True)
    birth_date = PartialDateField(_("date of birth"))
    nationality = models.CharField(_("nationality"), max_length=2, blank=True)
    last_place = models.CharField(_("last known place"), max_length=300, blank=True)
    relative_contact = models.CharField(_("phone or handle they used"), max_length=300, blank=True)
    recruiter = models.CharField(_("who recruited them"), max_length=300, blank=True)
    # The officers' side.
    public_message = models.TextField(_("message to the reporter"), blank=True)
    public_message_at = models.DateTimeField(null=True, blank=True)
    reason = models.CharField(_("reason"), max_length=500, blank=True)
    merged_into = models.ForeignKey("self", null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    # What triage made of a missing-relative report in the registry: the person (new, or
    # one a hit found) and the source its records cite. The report, with the
    # reporter's contact, stays here: nothing of the contact is copied over.
    person = models.ForeignKey("registry.Person", null=True, blank=True, on_delete=models.SET_NULL, related_name="+",
                               verbose_name=_("registry person"))
    source = models.ForeignKey("registry.Source", null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    decided_at = models.DateTimeField(null=True, blank=True)
    decided_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                   related_name="+")
    created_at = models.DateTimeField(_("received"), auto_now_add=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("public report")
        indexes = [models.Index(fields=["agency", "status", "created_at"])]

    def __str__(self):
        return self.reference

    @classmethod
    def new_reference(cls):
        while True:
            reference = f"R-{_random(4)}-{_random(4)}"
            if not cls.objects.filter(reference=reference).exists():
                return reference

    def set_code(self):
        """A fresh secret code; stored hashed, returned once to show the reporter."""
        code = f"{_random(4)}-{_random(4)}-{_random(4)}"
        self.code_hash = _digest(code)
        return code

    def code_matches(self, code):
        return hmac.compare_digest(self.code_hash, _digest(code or ""))

    @property
    def names(self):
        return [n for n in self.relative_names.splitlines() if n.strip()]


class ReportedIdentifier(models.Model):
    kind = models.CharField(_("kind"), max_length=20, choices=translated_choices(idf.KINDS))
    normalized = models.CharField(_("canonical form"), max_length=500)
    reports = models.ManyToManyField(PublicReport, related_name="identifiers", through="ReportLink")

    class Meta:
        ordering = ["kind", "normalized"]
        constraints = [models.UniqueConstraint(fields=["kind", "normalized"], name="one_reported_identifier")]

    def __str__(self):
        return f"{self.get_kind_display()}: {self.normalized}"


class ReportLink(models.Model):
    report = models.ForeignKey(PublicReport, on_delete=models.CASCADE)
    identifier = models.ForeignKey(ReportedIdentifier, on_delete=models.CASCADE)
    as_written = models.CharField(max_length=500, blank=True)
    # The registry identifier triage merged it into (or created); set on arrival when the
    # report's agency already attached the same value to one (``AttachedIdentifier``).
    record = models.ForeignKey("registry.Identifier", null=True, blank=True, on_delete=models.SET_NULL,
                               related_name="+")

    class Meta:
        constraints = [models.UniqueConstraint(fields=["report", "identifier"], name="one_link_per_report_identifier")]


class AttachedIdentifier(models.Model):
    """The registry identifier an agency's triage last attached a reported value to.

    Per agency: one agency's choice (a record it may see) is nobody else's. Later
    reports to that agency naming the same value attach to the same record on
    arrival. ``kind`` is the family (a WhatsApp number is a phone number)."""

    agency = models.ForeignKey("sharing.Agency", on_delete=models.CASCADE, related_name="+")
    kind = models.CharField(max_length=20, choices=translated_choices(idf.KINDS))
    normalized = models.CharField(max_length=500)
    record = models.ForeignKey("registry.Identifier", on_delete=models.CASCADE, related_name="+")
    attached_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    attached_at = models.DateTimeField(auto_now=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["agency", "kind", "normalized"],
                                               name="one_attached_record_per_agency_value")]


class Attachment(models.Model):
    report = models.ForeignKey(PublicReport, on_delete=models.CASCADE, related_name="attachments")
    file = models.FileField(upload_to="public/%Y/%m/")
    name = models.CharField(max_length=200)
    content_type = models.CharField(max_length=100)
    size = models.PositiveIntegerField()
    is_photo = models.BooleanField(default=False)


class PublicHit(models.Model):
    """A missing-relative report matched a registry person (the matching module's scorer).

    Told, like a watchlist hit, to the agency holding the person and to the
    consular agency of the relative's nationality; each is shown only the other
    agency and the band, never the score nor the other side's record."""

    report = models.ForeignKey(PublicReport, on_delete=models.CASCADE, related_name="hits")
    person = models.ForeignKey("registry.Person", on_delete=models.CASCADE, related_name="+")
    holding_agency = models.ForeignKey("sharing.Agency", on_delete=models.CASCADE, related_name="+")
    consular_agency = models.ForeignKey("sharing.Agency", null=True, on_delete=models.SET_NULL, related_name="+")
    score = models.FloatField()
    band = models.CharField(max_length=10)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["report", "person"], name="one_public_hit_per_person")]


class DailyCount(models.Model):
    """Statistics of the public pages: how many checks and reports a day, by language.
    Counts only: never the text that was checked."""

    day = models.DateField()
    metric = models.CharField(max_length=20)
    language = models.CharField(max_length=10, blank=True)
    count = models.PositiveIntegerField(default=0)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["day", "metric", "language"], name="one_daily_count")]


class CheckedIdentifier(models.Model):
    """How often an identifier was checked on a day (the most-checked list of the statistics page)."""

    day = models.DateField()
    kind = models.CharField(max_length=20)
    normalized = models.CharField(max_length=500)
    count = models.PositiveIntegerField(default=0)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["day", "kind", "normalized"], name="one_checked_identifier")]
