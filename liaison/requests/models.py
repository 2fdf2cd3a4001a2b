"""Cross-border requests, their thread and attachments, the notifications they
raise and the webhook deliveries that let national case systems follow them.

A request is not an ``OwnedRecord``: it belongs to two agencies at once, the
requesting and the requested one, and to nobody else; ``visible_to`` below is
the one rule for it (platform administrators, who have no agency, see none).
"""

import uuid

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from liaison.core.models import TLP
from liaison.requests import kinds, lifecycle

L = lifecycle


class Status(models.TextChoices):
    DRAFT = L.DRAFT, _("Draft")
    SENT = L.SENT, _("Sent")
    ACKNOWLEDGED = L.ACKNOWLEDGED, _("Acknowledged")
    IN_PROGRESS = L.IN_PROGRESS, _("In progress")
    FULFILLED = L.FULFILLED, _("Fulfilled")
    PARTLY_FULFILLED = L.PARTLY_FULFILLED, _("Partly fulfilled")
    REFUSED = L.REFUSED, _("Refused")
    WITHDRAWN = L.WITHDRAWN, _("Withdrawn")


KIND_CHOICES = [(code, _(label)) for code, label in kinds.CHOICES]


class RequestQuerySet(models.QuerySet):
    def visible_to(self, user):
        """The requests ``user`` may see: those their agency sent or drafted, and
        those sent to it (a draft, even withdrawn, is the requester's alone). Nothing for users
        without an agency, platform administrators included."""
        agency_id = (
            getattr(user, "agency_id", None) if getattr(user, "is_authenticated", False) and user.is_active else None
        )
        if agency_id is None:
            return self.none()
        # The requested agency sees a request once it was sent, whatever became
        # of it since; a draft withdrawn before sending stays the requester's.
        return self.filter(Q(from_agency_id=agency_id) | Q(to_agency_id=agency_id, sent_at__isnull=False))

    def overdue(self, now=None):
        return self.filter(status__in=L.OPEN, due_at__lt=now or timezone.now())


class Request(models.Model):
    """One agency asking another for something: a handover, a record check, consular access..."""

    kind = models.CharField(_("type"), max_length=30, choices=KIND_CHOICES)
    title = models.CharField(_("title"), max_length=300)
    body = models.TextField(_("details"), blank=True)
    fields = models.JSONField(_("type-specific fields"), default=dict, blank=True)
    from_agency = models.ForeignKey(
        "sharing.Agency", on_delete=models.PROTECT, related_name="requests_sent", verbose_name=_("requesting agency")
    )
    to_agency = models.ForeignKey(
        "sharing.Agency", on_delete=models.PROTECT, related_name="requests_received", verbose_name=_("requested agency")
    )
    status = models.CharField(_("status"), max_length=20, choices=Status.choices, default=Status.DRAFT)
    status_reason = models.TextField(_("reason"), blank=True)
    tlp = models.CharField(
        _("marking"),
        max_length=12,
        choices=TLP.choices,
        default=TLP.AMBER,
        help_text=_("How the requested agency may use this request and the records shared with it."),
    )
    include_protected = models.BooleanField(
        _("reveal protected identities"),
        default=False,
        help_text=_("Also share the identities of victims and witnesses among the persons (your own records only)."),
    )
    persons = models.ManyToManyField("registry.Person", blank=True, through="RequestPerson", related_name="requests")
    operation = models.ForeignKey(
        "operations.Operation",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="requests",
        verbose_name=_("operation"),
    )
    event = models.ForeignKey(
        "operations.Event",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_("recorded event"),
        editable=False,
    )
    version = models.PositiveIntegerField(default=1, editable=False)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    sent_at = models.DateTimeField(null=True, blank=True)
    acknowledged_at = models.DateTimeField(null=True, blank=True)
    closed_at = models.DateTimeField(null=True, blank=True)
    due_at = models.DateTimeField(_("due"), null=True, blank=True)
    reminded_on = models.DateField(null=True, blank=True, editable=False)

    objects = RequestQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("request")
        indexes = [
            models.Index(fields=["to_agency", "status", "due_at"]),
            models.Index(fields=["from_agency", "status", "due_at"]),
        ]

    def __str__(self):
        return f"{self.reference} – {self.title}"

    @property
    def reference(self):
        return f"REQ-{self.pk:05d}" if self.pk else "REQ-new"

    @property
    def kind_spec(self):
        return kinds.KINDS.get(self.kind)

    @property
    def is_open(self):
        return self.status in L.OPEN

    @property
    def is_overdue(self):
        return self.is_open and self.due_at is not None and self.due_at < timezone.now()

    def side_for(self, user):
        return L.side_of(getattr(user, "agency_id", None), self.from_agency_id, self.to_agency_id)


class RequestPerson(models.Model):
    request = models.ForeignKey(Request, on_delete=models.CASCADE, related_name="person_links")
    person = models.ForeignKey("registry.Person", on_delete=models.PROTECT, related_name="+")

    class Meta:
        constraints = [models.UniqueConstraint(fields=["request", "person"], name="request_person_once")]


class Step(models.Model):
    """One entry of the request's history: created, sent, acknowledged, commented..."""

    request = models.ForeignKey(Request, on_delete=models.CASCADE, related_name="steps")
    action = models.CharField(max_length=20)
    from_status = models.CharField(max_length=20, blank=True)
    to_status = models.CharField(max_length=20, blank=True)
    reason = models.TextField(blank=True)
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    actor_agency = models.ForeignKey("sharing.Agency", null=True, on_delete=models.SET_NULL, related_name="+")
    at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["at", "id"]


class Comment(models.Model):
    request = models.ForeignKey(Request, on_delete=models.CASCADE, related_name="comments")
    author = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    author_agency = models.ForeignKey("sharing.Agency", null=True, on_delete=models.SET_NULL, related_name="+")
    text = models.TextField(_("comment"), blank=True)
    at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["at", "id"]


def attachment_path(instance, filename):
    # A random name without extension: nothing about the upload decides how
    # the file is stored or later served.
    return f"requests/{instance.request_id}/{uuid.uuid4().hex}"


class Attachment(models.Model):
    request = models.ForeignKey(Request, on_delete=models.CASCADE, related_name="attachments")
    comment = models.ForeignKey(Comment, null=True, blank=True, on_delete=models.CASCADE, related_name="attachments")
    file = models.FileField(upload_to=attachment_path, max_length=300)
    name = models.CharField(_("file name"), max_length=200)
    content_type = models.CharField(max_length=100)
    size = models.PositiveIntegerField()
    sha256 = models.CharField(max_length=64)
    uploaded_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    uploaded_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["uploaded_at", "id"]


class Notification(models.Model):
    """A line in an agency's inbox (or one officer's, when ``user`` is set)."""

    agency = models.ForeignKey("sharing.Agency", on_delete=models.CASCADE, related_name="notifications")
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.CASCADE, related_name="notifications"
    )
    kind = models.CharField(max_length=30, default="request")
    title = models.CharField(max_length=300)
    body = models.TextField(blank=True)
    # The notice in every interface language, {"th": [title, body], ...}, written
    # when it was made (liaison.requests.notifications.notify): each officer reads
    # it in their own language, whatever the language of the officer who acted.
    texts = models.JSONField(default=dict, blank=True)
    url = models.CharField(max_length=500, blank=True)
    created_at = models.DateTimeField(default=timezone.now)
    read_by = models.ManyToManyField(settings.AUTH_USER_MODEL, blank=True, related_name="+")

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["agency", "-created_at"])]

    def in_language(self, language=None):
        """(title, body) in ``language`` (default: the active one)."""
        from django.utils import translation

        language = language or translation.get_language() or settings.LANGUAGE_CODE
        found = (self.texts or {}).get(language)
        return (found[0], found[1]) if found else (self.title, self.body)

    @property
    def shown_title(self):
        return self.in_language()[0]

    @property
    def shown_body(self):
        return self.in_language()[1]

    @classmethod
    def for_user(cls, user):
        if not getattr(user, "agency_id", None):
            return cls.objects.none()
        return cls.objects.filter(agency_id=user.agency_id).filter(Q(user__isnull=True) | Q(user_id=user.pk))


class StatusProposalQuerySet(models.QuerySet):
    def visible_to(self, user):
        """The proposals of ``user``'s agency's records (to decide) and those its
        fulfilments made (to follow), on persons the user can still see: a
        proposal never names a person to anyone who may not see it."""
        from liaison.registry.models import Person

        agency_id = (
            getattr(user, "agency_id", None) if getattr(user, "is_authenticated", False) and user.is_active else None
        )
        if agency_id is None:
            return self.none()
        return self.filter(Q(owner_id=agency_id) | Q(proposed_by_id=agency_id)).filter(
            person__in=Person.objects.visible_to(user)
        )

    def pending(self):
        return self.filter(state=StatusProposal.State.PENDING)


class StatusProposal(models.Model):
    """A new status for a person, proposed to the person's owner agency by the
    agency that fulfilled a request (issue 10, item 7).

    Fulfilling a handover or repatriation writes statuses only onto the
    fulfilling agency's own records; for anybody else's record it files one of
    these instead, which the owner accepts (the status is written then, by the
    owner) or declines. The request is kept to show the proposal on its page to
    its two parties; an owner that is neither party is shown the proposal
    without the request (it may not see it).
    """

    class State(models.TextChoices):
        PENDING = "pending", _("Waiting for the owner")
        ACCEPTED = "accepted", _("Accepted")
        DECLINED = "declined", _("Declined")

    request = models.ForeignKey(Request, on_delete=models.CASCADE, related_name="status_proposals")
    person = models.ForeignKey("registry.Person", on_delete=models.CASCADE, related_name="+")
    owner = models.ForeignKey(
        "sharing.Agency", on_delete=models.CASCADE, related_name="+", verbose_name=_("owner agency")
    )
    proposed_by = models.ForeignKey(
        "sharing.Agency", on_delete=models.CASCADE, related_name="+", verbose_name=_("proposed by")
    )
    proposed_by_user = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    status = models.CharField(_("status"), max_length=20)
    date = models.CharField(_("since"), max_length=10, blank=True)
    country = models.ForeignKey("core.Country", null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    event = models.ForeignKey("operations.Event", null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    state = models.CharField(_("decision"), max_length=10, choices=State.choices, default=State.PENDING)
    created_at = models.DateTimeField(default=timezone.now)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    decided_at = models.DateTimeField(null=True, blank=True)
    person_status = models.ForeignKey(
        "registry.PersonStatus", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    objects = StatusProposalQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["owner", "state"])]

    def get_status_display(self):
        from liaison.registry.models import PersonStatus

        return PersonStatus.Status(self.status).label if self.status in PersonStatus.Status.values else self.status

    @property
    def label(self):
        """As a status reads on the person's page: "Repatriated (Vietnam)"."""
        text = str(self.get_status_display())
        return f"{text} ({self.country})" if self.country_id else text


class WebhookEndpoint(models.Model):
    """A national case system that follows an agency's requests."""

    agency = models.ForeignKey("sharing.Agency", on_delete=models.CASCADE, related_name="webhook_endpoints")
    url = models.URLField(_("address"), max_length=500)
    secret = models.CharField(_("signing secret"), max_length=200)
    description = models.CharField(_("description"), max_length=200, blank=True)
    is_active = models.BooleanField(_("active"), default=True)
    created_at = models.DateTimeField(auto_now_add=True)

    def __str__(self):
        return self.url


class WebhookDelivery(models.Model):
    class State(models.TextChoices):
        PENDING = "pending", _("Waiting")
        SENDING = "sending", _("Sending")
        DELIVERED = "delivered", _("Delivered")
        FAILED = "failed", _("Failed")

    endpoint = models.ForeignKey(WebhookEndpoint, on_delete=models.CASCADE, related_name="deliveries")
    request = models.ForeignKey(Request, null=True, on_delete=models.SET_NULL, related_name="+")
    event = models.CharField(max_length=40)
    payload = models.TextField()
    signature = models.CharField(max_length=100)
    state = models.CharField(max_length=10, choices=State.choices, default=State.PENDING)
    attempts = models.PositiveSmallIntegerField(default=0)
    next_attempt_at = models.DateTimeField(default=timezone.now)
    response_code = models.PositiveSmallIntegerField(null=True, blank=True)
    last_error = models.CharField(max_length=300, blank=True)
    created_at = models.DateTimeField(default=timezone.now)
    delivered_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["state", "next_attempt_at"])]


class WebhookAttempt(models.Model):
    """One try of a delivery: the log shows each, with the answer received."""

    delivery = models.ForeignKey(WebhookDelivery, on_delete=models.CASCADE, related_name="tries")
    at = models.DateTimeField(default=timezone.now)
    response_code = models.PositiveSmallIntegerField(null=True, blank=True)
    error = models.CharField(max_length=300, blank=True)

    # What the log page says of a failed try: coarse categories only, so the
    # log cannot serve as a port scanner's oracle (egress.CATEGORIES).
    ERROR_LABELS = {
        "refused": _("connection refused"),
        "timeout": _("timed out"),
        "tls": _("TLS error"),
        "not_found": _("host not found"),
        "not_allowed": _("address not allowed"),
        "failed": _("connection failed"),
    }

    class Meta:
        ordering = ["at", "id"]

    @property
    def error_label(self):
        """The category of the failure; anything else (rows written before the
        categories existed held raw socket errors) reads as "connection failed"."""
        return self.ERROR_LABELS.get(self.error, self.ERROR_LABELS["failed"])
