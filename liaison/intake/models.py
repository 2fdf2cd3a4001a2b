"""Documents taken in, their processing stages, and the facts proposed from them.

A document is working material of the agency that took it in: it is never
shared (what is shared is what an analyst accepts into the registry, under
that record's own marking). So the visibility rule here is the narrowest
one: the owner agency only, decided by ``visible_to`` below through the same
``user_agency_id`` as the registry's rule (inactive or anonymous users see
nothing).
"""
from django.conf import settings
from django.contrib.contenttypes.fields import GenericForeignKey
from django.contrib.contenttypes.models import ContentType
from django.db import models
from django.utils.translation import gettext_lazy as _

from liaison.core.fields import PartialDateField
from liaison.registry.models import Source
from liaison.sharing.visibility import user_agency_id


class DocumentQuerySet(models.QuerySet):
    def visible_to(self, user):
        """Only the documents of the user's own agency."""
        agency_id = user_agency_id(user)
        return self.filter(owner_id=agency_id) if agency_id else self.none()


class Stage(models.TextChoices):
    """The stages in the order they run; ``review`` ends when every proposal is decided."""

    STORED = "stored", _("stored")
    TEXT = "text", _("text extracted")
    LANGUAGE = "language", _("language")
    PROPOSE = "propose", _("facts proposed")
    REVIEW = "review", _("reviewed")


STAGE_ORDER = [Stage.STORED, Stage.TEXT, Stage.LANGUAGE, Stage.PROPOSE, Stage.REVIEW]


class Document(models.Model):
    class Kind(models.TextChoices):
        PASTED = "pasted", _("pasted text")
        TXT = "txt", _("text file")
        HTML = "html", _("web page")
        PDF = "pdf", _("PDF")
        DOCX = "docx", _("Word document")

    owner = models.ForeignKey("sharing.Agency", on_delete=models.PROTECT, related_name="+", verbose_name=_("agency"))
    uploaded_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                    related_name="+", verbose_name=_("taken in by"))
    title = models.CharField(_("title"), max_length=500, blank=True)
    original_filename = models.CharField(_("file name"), max_length=255, blank=True)
    kind = models.CharField(_("kind"), max_length=10, choices=Kind.choices)
    source_kind = models.CharField(_("kind of source"), max_length=20, choices=Source.Kind.choices,
                                   default=Source.Kind.NEWS)
    content_hash = models.CharField(max_length=64, editable=False)
    size = models.PositiveIntegerField(_("size in bytes"), default=0)
    # The original bytes in the database, not in a file: storing is then one
    # transaction, so a failed upload can never leave a file without its row.
    raw = models.BinaryField(editable=False)
    text = models.TextField(_("text"), blank=True)
    language = models.CharField(_("language"), max_length=10, blank=True)
    language_confidence = models.FloatField(null=True, blank=True)
    published = PartialDateField(_("published"))
    warnings = models.JSONField(default=list, blank=True)
    source = models.ForeignKey(Source, null=True, blank=True, on_delete=models.SET_NULL, related_name="+",
                               verbose_name=_("registry source"))
    created_at = models.DateTimeField(_("taken in"), auto_now_add=True)

    objects = DocumentQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("document")
        constraints = [models.UniqueConstraint(fields=["owner", "content_hash"], name="document_unique_per_agency")]

    def __str__(self):
        return self.title or self.original_filename or _("Document #%(id)s") % {"id": self.pk}


class StageStatus(models.Model):
    class State(models.TextChoices):
        PENDING = "pending", _("pending")
        OK = "ok", _("done")
        FAILED = "failed", _("failed")

    document = models.ForeignKey(Document, on_delete=models.CASCADE, related_name="stages")
    stage = models.CharField(_("stage"), max_length=10, choices=Stage.choices)
    state = models.CharField(_("state"), max_length=10, choices=State.choices, default=State.PENDING)
    message = models.TextField(_("message"), blank=True)
    attempt = models.PositiveIntegerField(_("attempts"), default=0)
    started_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("stage")
        constraints = [models.UniqueConstraint(fields=["document", "stage"], name="one_status_per_stage")]

    def __str__(self):
        return f"{self.get_stage_display()}: {self.get_state_display()}"

    @property
    def order(self):
        return STAGE_ORDER.index(self.stage)


class ProposedFactQuerySet(models.QuerySet):
    def visible_to(self, user):
        agency_id = user_agency_id(user)
        return self.filter(document__owner_id=agency_id) if agency_id else self.none()

    def undecided(self):
        return self.filter(status=ProposedFact.Status.PROPOSED)


class ProposedFact(models.Model):
    class Kind(models.TextChoices):
        EVENT = "event", _("event")
        PERSON = "person", _("person")
        OPERATION = "operation", _("operation")
        SITE = "site", _("site")

    class Status(models.TextChoices):
        PROPOSED = "proposed", _("waiting for review")
        ACCEPTED = "accepted", _("accepted")
        EDITED = "edited", _("accepted with changes")
        REJECTED = "rejected", _("rejected")

    document = models.ForeignKey(Document, on_delete=models.CASCADE, related_name="proposals")
    kind = models.CharField(_("kind"), max_length=10, choices=Kind.choices)
    position = models.PositiveIntegerField(default=0)
    # ``original`` is what the extractor proposed, ``data`` what was accepted
    # (equal unless the analyst edited): the difference is the audit's detail.
    original = models.JSONField(default=dict)
    data = models.JSONField(default=dict)
    evidence = models.TextField(_("evidence"), blank=True)
    evidence_start = models.PositiveIntegerField(null=True, blank=True)
    evidence_end = models.PositiveIntegerField(null=True, blank=True)
    confidence = models.FloatField(_("confidence"), null=True, blank=True)
    status = models.CharField(_("status"), max_length=10, choices=Status.choices, default=Status.PROPOSED)
    reviewer = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                 related_name="+", verbose_name=_("reviewer"))
    decided_at = models.DateTimeField(_("decided"), null=True, blank=True)
    reason = models.CharField(_("reason"), max_length=500, blank=True)
    record_type = models.ForeignKey(ContentType, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    record_id = models.PositiveBigIntegerField(null=True, blank=True)
    record = GenericForeignKey("record_type", "record_id")
    record_created = models.BooleanField(default=False, help_text="True: accepting created the record; "
                                         "False: it added a citation to an existing one.")
    created_at = models.DateTimeField(auto_now_add=True)

    objects = ProposedFactQuerySet.as_manager()

    class Meta:
        ordering = ["document", "position", "id"]
        verbose_name = _("proposed fact")
        indexes = [models.Index(fields=["status", "document"])]

    def __str__(self):
        return f"{self.get_kind_display()} #{self.pk}"

    @property
    def is_decided(self):
        return self.status != self.Status.PROPOSED
