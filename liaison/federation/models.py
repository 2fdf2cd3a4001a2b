"""Nodes, where agencies are homed, the outbox per peer, replicas and the exchange log.

- ``Node``: a Liaison deployment (this one included) known by configuration: name, base URL,
  Ed25519 public key. This node's private key is in the settings (``FEDERATION_PRIVATE_KEY``).
- ``AgencyHome``: which node homes an agency. An agency with no home is homed here: a single
  node needs no configuration, and no query of the registry changes.
- ``OutboxEntry``: one record to bring up to date on one peer. What is sent is the record's
  state when the entry is first tried (frozen then: a retry sends the same signed bytes).
- ``OutboxBatch``: up to ``FEDERATION_BATCH`` entries of one peer, in sequence order, sent as one
  signed envelope (definitions once). The envelope is frozen when the batch is formed, so a
  retry sends the very same bytes and the peer skips what it applied already.
- ``SentRecord``: the records a peer may hold, so that an edit, unshare or retraction of them
  reaches it.
- ``Replica``: on the receiving side, the copy of a peer's record and the last sequence applied
  (a late or repeated delivery never undoes a newer one).
- ``ExchangeEntry``: every delivery sent or received, readable by the administrators of the
  agencies concerned.
"""
import uuid

from django.contrib.contenttypes.models import ContentType
from django.db import models
from django.utils.translation import gettext_lazy as _


class Node(models.Model):
    name = models.SlugField(_("name"), max_length=50, unique=True)
    base_url = models.URLField(_("base URL"), max_length=500, blank=True,
                               help_text=_("Where the node answers, e.g. https://liaison.mps.example/"))
    public_key = models.CharField(_("public key"), max_length=64, help_text=_("Ed25519, base64 of 32 bytes."))

    class Meta:
        ordering = ["name"]
        verbose_name = _("node")
        verbose_name_plural = _("nodes")

    def __str__(self):
        return self.name


class AgencyHome(models.Model):
    agency = models.OneToOneField("sharing.Agency", on_delete=models.CASCADE, related_name="federation_home",
                                  verbose_name=_("agency"))
    node = models.ForeignKey(Node, on_delete=models.PROTECT, related_name="homes", verbose_name=_("node"))

    def __str__(self):
        return f"{self.agency.short_name} @ {self.node.name}"


class OutboxBatch(models.Model):
    peer = models.ForeignKey(Node, on_delete=models.CASCADE, related_name="outbox_batches")
    created_at = models.DateTimeField(auto_now_add=True)
    body = models.BinaryField(default=b"")  # the signed envelope, frozen when the batch is formed
    attempts = models.PositiveIntegerField(default=0)
    next_attempt_at = models.DateTimeField(null=True, blank=True)
    last_error = models.CharField(max_length=500, blank=True)
    delivered_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        indexes = [models.Index(fields=["peer", "delivered_at", "id"])]


class OutboxEntry(models.Model):
    peer = models.ForeignKey(Node, on_delete=models.CASCADE, related_name="outbox")
    # The envelope it travels in (empty: not yet sent, it still absorbs later changes of its record).
    batch = models.ForeignKey(OutboxBatch, null=True, blank=True, on_delete=models.SET_NULL, related_name="entries")
    delivery_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    content_type = models.ForeignKey(ContentType, on_delete=models.CASCADE, related_name="+")
    object_id = models.PositiveBigIntegerField()
    created_at = models.DateTimeField(auto_now_add=True)
    # The signed bytes, frozen at the first attempt (empty: never tried, still absorbs new changes).
    body = models.BinaryField(blank=True, default=b"")
    attempts = models.PositiveIntegerField(default=0)
    next_attempt_at = models.DateTimeField(null=True, blank=True)
    last_error = models.CharField(max_length=500, blank=True)
    delivered_at = models.DateTimeField(null=True, blank=True)
    refused = models.BooleanField(default=False)

    class Meta:
        indexes = [models.Index(fields=["peer", "delivered_at", "id"]),
                   models.Index(fields=["content_type", "object_id"])]


class SentRecord(models.Model):
    peer = models.ForeignKey(Node, on_delete=models.CASCADE, related_name="+")
    content_type = models.ForeignKey(ContentType, on_delete=models.CASCADE, related_name="+")
    object_id = models.PositiveBigIntegerField()

    class Meta:
        constraints = [models.UniqueConstraint(fields=["content_type", "object_id", "peer"], name="one_sent_record_per_peer")]


class Replica(models.Model):
    peer = models.ForeignKey(Node, on_delete=models.CASCADE, related_name="+")
    stix_id = models.CharField(max_length=200)
    content_type = models.ForeignKey(ContentType, on_delete=models.CASCADE, related_name="+")
    object_id = models.PositiveBigIntegerField(null=True, blank=True)  # empty once withdrawn and deleted
    sequence = models.BigIntegerField(default=0)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["peer", "stix_id"], name="one_replica_per_peer_object")]


class ExchangeEntry(models.Model):
    class Direction(models.TextChoices):
        OUT = "out", _("Sent")
        IN = "in", _("Received")

    class Action(models.TextChoices):
        UPSERT = "upsert", _("Shared or updated")
        WITHDRAW = "withdraw", _("Withdrawn (unshared)")
        RETRACT = "retract", _("Retracted")
        MESSAGE = "message", _("Request step or notice")

    class Status(models.TextChoices):
        DELIVERED = "delivered", _("Delivered")
        ACCEPTED = "accepted", _("Accepted")
        DUPLICATE = "duplicate", _("Already received")
        STALE = "stale", _("Older than what was received")
        REFUSED = "refused", _("Refused")
        FAILED = "failed", _("Failed, will retry")

    at = models.DateTimeField(_("when"), auto_now_add=True)
    direction = models.CharField(_("direction"), max_length=3, choices=Direction.choices)
    peer = models.ForeignKey(Node, on_delete=models.CASCADE, related_name="+", verbose_name=_("node"))
    delivery_id = models.UUIDField(_("delivery"))
    sequence = models.BigIntegerField(default=0)
    action = models.CharField(_("action"), max_length=10, choices=Action.choices)
    stix_id = models.CharField(_("STIX id"), max_length=200, blank=True)
    owner = models.ForeignKey("sharing.Agency", null=True, blank=True, on_delete=models.SET_NULL, related_name="+",
                              verbose_name=_("owner agency"))
    recipients = models.ManyToManyField("sharing.Agency", blank=True, related_name="+", verbose_name=_("recipients"))
    status = models.CharField(_("status"), max_length=10, choices=Status.choices)
    detail = models.CharField(_("detail"), max_length=500, blank=True)

    class Meta:
        ordering = ["-id"]
        indexes = [models.Index(fields=["direction", "peer", "delivery_id"])]
        constraints = [models.UniqueConstraint(
            fields=["direction", "peer", "delivery_id"], condition=models.Q(status="accepted"),
            name="one_accepted_delivery")]


class OutgoingMessage(models.Model):
    """A request step or a notice for an agency homed on a peer, frozen when it happened (in the step's
    transaction) and sent through the outbox like a record (an ``OutboxEntry`` pointing at it), so it
    travels in order with the records, signed, retried, applied once (``liaison.federation.messages``)."""

    created_at = models.DateTimeField(auto_now_add=True)
    kind = models.CharField(max_length=20)
    speaker = models.CharField(max_length=50, blank=True)  # the agency (homed here) it speaks for
    addressee = models.CharField(max_length=50)  # the agency (homed on the peer) it is for
    record = models.CharField(max_length=200)  # what it is about, e.g. "request:<uid>"
    payload = models.JSONField(default=dict)


class FederatedRequest(models.Model):
    """A cross-border request whose other party is homed on another node: the same request on both
    nodes (``uid``), each holding its own row; ``peer`` is the other party's node. Steps travel as
    messages (``liaison.federation.messages``) carrying the version they were taken on."""

    request = models.OneToOneField("requests.Request", on_delete=models.CASCADE, related_name="federated")
    uid = models.UUIDField(default=uuid.uuid4, editable=False)
    peer = models.ForeignKey(Node, on_delete=models.PROTECT, related_name="+")
    # The reference the other node gives the request (its REQ- number differs from this node's).
    peer_reference = models.CharField(max_length=20, blank=True)
    # Persons of the request that travelled as a reference only (not shared with the addressee).
    withheld_persons = models.PositiveIntegerField(default=0)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["uid", "peer"], name="one_federated_request_per_peer")]


class RemoteMatchQuery(models.Model):
    """A "do you hold this person?" asked by an agency of another node (on the asked node), or asked of a
    peer (on the asking node): who asked, when, and the answer given, so that a retry of the same
    question (``query_id``) gets the same answer and makes no second hit notice."""

    class Direction(models.TextChoices):
        OUT = "out", _("Asked")
        IN = "in", _("Answered")

    direction = models.CharField(max_length=3, choices=Direction.choices)
    peer = models.ForeignKey(Node, on_delete=models.CASCADE, related_name="+")
    query_id = models.UUIDField()
    agency = models.ForeignKey("sharing.Agency", on_delete=models.CASCADE, related_name="+")
    officer = models.CharField(max_length=150, blank=True)
    at = models.DateTimeField(auto_now_add=True)
    answer = models.JSONField(default=dict)

    class Meta:
        ordering = ["-at", "-id"]
        constraints = [models.UniqueConstraint(fields=["direction", "peer", "query_id"], name="one_remote_match_query")]
