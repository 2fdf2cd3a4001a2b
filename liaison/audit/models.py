"""The audit trail: every share, un-share, retraction, protected-field read and
export, hash-chained so that tampering is evident (``liaison audit verify``).
"""
from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class AuditEntry(models.Model):
    class Action(models.TextChoices):
        SHARE = "share", _("Shared")
        UNSHARE = "unshare", _("Un-shared")
        DISTRIBUTION = "distribution", _("Distribution changed")
        RETRACT = "retract", _("Retracted")
        RESTORE = "restore", _("Retraction withdrawn")
        READ_PROTECTED = "read_protected", _("Protected fields read")
        EXPORT = "export", _("Exported")
        MARKING = "marking", _("Marking changed")
        ASSIGN = "assign", _("Officer assigned to an operation")
        UNASSIGN = "unassign", _("Officer left an operation")
        INGEST = "ingest", _("Document taken in")
        REVIEW = "review", _("Proposed fact reviewed")
        REQUEST = "request", _("Cross-border request step")
        MERGE = "merge", _("Persons merged")
        SPLIT = "split", _("Merge undone")
        MATCH_REJECT = "match_reject", _("Candidate match rejected")
        WATCHLIST_HIT = "watchlist_hit", _("Watchlist hit notified")
        WATCHLIST_ADD = "watchlist_add", _("Put on the watchlist")
        WATCHLIST_REMOVE = "watchlist_remove", _("Taken off the watchlist")
        WATCHLIST_PROBING = "watchlist_probing", _("Possible probing of the watchlist: hits held back")
        STATUS_PROPOSAL = "status_proposal", _("Status proposed to the owner, or decided")
        LOGIN = "login", _("Signed in")
        LOGOUT = "logout", _("Signed out")
        LOGIN_FAILED = "login_failed", _("Sign-in failed")
        CREDENTIALS_RESET = "credentials_reset", _("Password or second factor reset")
        ACCOUNT = "account", _("Account changed")
        PUBLIC_LIST = "public_list", _("Public list: identifier published or taken off")
        PUBLIC_TRIAGE = "public_triage", _("Public report confirmed, joined or rejected")
        PUBLIC_MESSAGE = "public_message", _("Message sent to a member of the public")
        PUBLIC_HIT = "public_hit", _("Missing-relative report matched a record")
        SCREENING = "screening", _("Travellers screened")
        SCREENING_HIT = "screening_hit", _("Screening hit notified")
        SCREENING_PROBING = "screening_probing", _("Possible probing by screening: hits held back")
        INTEROP_EXPORT = "interop_export", _("Exported for another system (STIX, TAXII, MISP, FtM)")
        INTEROP_IMPORT = "interop_import", _("Imported from another system (STIX, TAXII, MISP, FtM)")

    seq = models.PositiveBigIntegerField(unique=True, editable=False)
    at = models.DateTimeField(editable=False)
    action = models.CharField(max_length=20, choices=Action.choices)
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    actor_name = models.CharField(max_length=150)
    actor_agency = models.ForeignKey("sharing.Agency", null=True, on_delete=models.SET_NULL, related_name="+")
    owner_agency = models.ForeignKey(
        "sharing.Agency", null=True, on_delete=models.SET_NULL, related_name="audit_entries",
        help_text=_("The agency owning the record concerned; its administrators see the entry."),
    )
    record_type = models.CharField(max_length=100, blank=True)
    record_id = models.PositiveBigIntegerField(null=True)
    detail = models.JSONField(default=dict)
    prev_hash = models.CharField(max_length=64, editable=False)
    hash = models.CharField(max_length=64, editable=False)

    class Meta:
        ordering = ["seq"]
        indexes = [models.Index(fields=["owner_agency", "seq"]), models.Index(fields=["record_type", "record_id"])]

    def chained_fields(self):
        """What the hash covers. Foreign keys by id and name copies, so the
        chain stays verifiable after a user or agency is renamed or deleted."""
        return {
            "seq": self.seq,
            "at": self.at.isoformat(),
            "action": self.action,
            "actor_id": self.actor_id,
            "actor_name": self.actor_name,
            "actor_agency_id": self.actor_agency_id,
            "owner_agency_id": self.owner_agency_id,
            "record_type": self.record_type,
            "record_id": self.record_id,
            "detail": self.detail,
        }


class ChainHead(models.Model):
    """One row, locked while an entry is appended, so that concurrent writers
    cannot both chain onto the same predecessor."""

    id = models.PositiveSmallIntegerField(primary_key=True, default=1)
    seq = models.PositiveBigIntegerField(default=0)
    hash = models.CharField(max_length=64)
