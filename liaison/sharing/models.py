"""Agencies, users and their roles, sharing groups and shares.

Everything that decides *who* may see a record lives here; *how* it is applied
to a query lives in ``visibility.py``.
"""
from django.contrib.auth.models import AbstractUser
from django.contrib.contenttypes.fields import GenericForeignKey
from django.contrib.contenttypes.models import ContentType
from django.db import models
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords


class Agency(models.Model):
    """A ministry, police department, embassy or observer organisation.

    Agencies form a hierarchy (China's Ministry of Public Security → Yunnan
    Public Security Department → Dehong prefecture bureau). Each agency owns
    its records; hierarchy grants no visibility by itself.
    """

    class Kind(models.TextChoices):
        MINISTRY = "ministry", _("Ministry")
        POLICE = "police", _("Police / public security")
        IMMIGRATION = "immigration", _("Immigration")
        FOREIGN_MINISTRY = "foreign_ministry", _("Foreign ministry")
        EMBASSY = "embassy", _("Embassy or consulate")
        COORDINATION = "coordination", _("Coordination centre")
        OBSERVER = "observer", _("Observer organisation")
        OTHER = "other", _("Other")

    name = models.CharField(_("name"), max_length=200)
    native_name = models.CharField(_("name in its own language"), max_length=200, blank=True)
    short_name = models.CharField(_("short name"), max_length=40, unique=True)
    kind = models.CharField(_("kind"), max_length=20, choices=Kind.choices, default=Kind.POLICE)
    country = models.ForeignKey(
        "core.Country", null=True, blank=True, on_delete=models.PROTECT, verbose_name=_("country"),
        help_text=_("Empty for international organisations."),
    )
    parent = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.PROTECT, related_name="children", verbose_name=_("parent agency")
    )
    is_member = models.BooleanField(
        _("member agency"), default=True,
        help_text=_("Members see what is distributed to all members; observers see only what is shared with them."),
    )
    history = HistoricalRecords()

    class Meta:
        ordering = ["country__name", "name"]
        verbose_name = _("agency")
        verbose_name_plural = _("agencies")

    def __str__(self):
        return self.name

    def ancestors(self):
        chain, node = [], self.parent
        while node is not None and node not in chain:
            chain.append(node)
            node = node.parent
        return list(reversed(chain))


class Role(models.TextChoices):
    VIEWER = "viewer", _("Viewer")
    ANALYST = "analyst", _("Analyst")
    LIAISON_OFFICER = "liaison_officer", _("Liaison officer")
    AGENCY_ADMIN = "agency_admin", _("Agency administrator")
    PLATFORM_ADMIN = "platform_admin", _("Platform administrator")
    # Screens travellers against the watchlists (liaison/screening) and nothing else:
    # every other page and API refuses an account holding only this role.
    SCREENER = "screener", _("Border screening officer")


class User(AbstractUser):
    """An officer, analyst or administrator; belongs to exactly one agency.

    A platform administrator (``is_staff`` or ``is_superuser``: the accounts
    that reach /admin/) manages agencies and accounts and holds no agency, so
    the visibility rule gives them public records only. Were they allowed an
    agency, the administrator of the whole platform could read any agency's
    protected records by giving themselves that agency; the model, the admin
    form and a database constraint all refuse it.
    """

    agency = models.ForeignKey(
        Agency, null=True, blank=True, on_delete=models.PROTECT, related_name="users", verbose_name=_("agency")
    )
    roles = models.JSONField(_("roles"), default=list, blank=True)
    # The reader's language and how dates read (issue 14). Pages, e-mails and inbox
    # notices use these whoever caused them. Blank language: the browser's, which
    # is recorded here at the first sign-in (liaison.core.signals).
    preferred_language = models.CharField(_("preferred language"), max_length=10, blank=True)
    date_calendar = models.CharField(
        _("calendar for dates"), max_length=10, blank=True,
        choices=[("", _("The usual one for my language")), ("gregorian", _("Gregorian (2026)")),
                 ("buddhist", _("Buddhist era, as in Thailand (2569)"))],
    )
    digits = models.CharField(
        _("digits"), max_length=10, blank=True,
        choices=[("", _("The usual ones for my language")), ("latin", _("0 1 2 3")),
                 ("native", _("My language's own digits (๑ ១ ໑ ၁)"))],
    )
    time_zone = models.CharField(_("time zone"), max_length=40, blank=True)
    # Set when a platform administrator created or reset this account while its
    # agency has an administrator of its own: the account cannot sign in until that
    # administrator confirms it. Otherwise whoever holds the platform could make
    # themselves an officer of any agency with the set-up link they are shown
    # (issue 10: the platform administrator never holds an agency).
    awaits_agency_confirmation = models.BooleanField(_("awaits confirmation by its agency"), default=False)

    class Meta(AbstractUser.Meta):
        constraints = [
            models.CheckConstraint(
                condition=models.Q(agency__isnull=True) | models.Q(is_staff=False, is_superuser=False),
                name="platform_admin_holds_no_agency",
            ),
        ]

    @property
    def is_platform_admin(self):
        return bool(self.is_staff or self.is_superuser)

    def clean(self):
        super().clean()
        from django.core.exceptions import ValidationError

        if self.is_platform_admin:
            errors = {}
            if self.agency_id is not None:
                errors["agency"] = _(
                    "A platform administrator holds no agency: they manage accounts and agencies and see no "
                    "agency's records. Create a separate officer account for work inside an agency."
                )
            if any(role != Role.PLATFORM_ADMIN for role in self.roles or []):
                errors["roles"] = _("A platform administrator holds no agency role (viewer, analyst, liaison officer "
                                    "or agency administrator).")
            if errors:
                raise ValidationError(errors)

    def has_role(self, *roles):
        return any(role in (self.roles or []) for role in roles)

    @property
    def can_edit(self):
        return self.is_active and self.agency_id is not None and self.has_role(
            Role.ANALYST, Role.LIAISON_OFFICER, Role.AGENCY_ADMIN
        )

    @property
    def screening_only(self):
        """Holds the border screening role and no other: may screen, and reach no other page or API
        (``sharing.middleware``), and sees no record (``visibility.filter_visible``)."""
        return bool(self.roles) and set(self.roles) <= {Role.SCREENER}

    @property
    def can_screen(self):
        return self.is_active and self.agency_id is not None and self.has_role(
            Role.SCREENER, Role.ANALYST, Role.LIAISON_OFFICER
        )

    @property
    def can_share(self):
        return self.is_active and self.agency_id is not None and self.has_role(Role.LIAISON_OFFICER)


class SharingGroup(models.Model):
    """A named set of agencies that records can be shared with at once."""

    name = models.CharField(_("name"), max_length=200, unique=True)
    description = models.TextField(_("description"), blank=True)
    members = models.ManyToManyField(Agency, related_name="sharing_groups", verbose_name=_("member agencies"))
    history = HistoricalRecords()

    class Meta:
        ordering = ["name"]

    def __str__(self):
        return self.name


class Share(models.Model):
    """One grant of visibility of one record to one agency or sharing group.

    Only records whose distribution is "shared" are reached through shares;
    a share never widens visibility beyond what the distribution allows.
    """

    content_type = models.ForeignKey(ContentType, on_delete=models.CASCADE)
    object_id = models.PositiveBigIntegerField()
    record = GenericForeignKey("content_type", "object_id")
    agency = models.ForeignKey(Agency, null=True, blank=True, on_delete=models.CASCADE, related_name="shares_received")
    group = models.ForeignKey(SharingGroup, null=True, blank=True, on_delete=models.CASCADE, related_name="shares")
    operation = models.ForeignKey(
        "operations.Operation", null=True, blank=True, on_delete=models.CASCADE, related_name="shares_received",
        help_text=_("Officers assigned to this operation see the record while they are assigned."),
    )
    phase = models.ForeignKey(
        "operations.Phase", null=True, blank=True, on_delete=models.CASCADE, related_name="shares_received",
        help_text=_("Officers assigned to this phase (or to its whole operation) see the record."),
    )
    include_protected = models.BooleanField(
        _("include protected fields"), default=False,
        help_text=_("Also reveal the identities and contact details of victims, witnesses and informants."),
    )
    created_by = models.ForeignKey(User, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        indexes = [models.Index(fields=["content_type", "object_id"])]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(agency__isnull=False) | models.Q(group__isnull=False)
                | models.Q(operation__isnull=False) | models.Q(phase__isnull=False),
                name="share_has_recipient",
            ),
            # One share per record and recipient: withdrawing "the" share must end access.
            *[
                models.UniqueConstraint(
                    fields=["content_type", "object_id", recipient],
                    condition=models.Q(**{f"{recipient}__isnull": False}),
                    name=f"one_share_per_{recipient}",
                )
                for recipient in ("agency", "group", "operation", "phase")
            ],
        ]

    def __str__(self):
        return f"{self.record} → {self.recipient}"

    @property
    def recipient(self):
        return self.agency or self.group or self.phase or self.operation


class OperationAssignment(models.Model):
    """An officer assigned to a joint operation (or one of its phases).

    While assigned (``left_at`` empty) the officer sees what was shared with
    the operation or phase; the moment they leave it, they stop seeing it.
    """

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="assignments")
    operation = models.ForeignKey("operations.Operation", on_delete=models.CASCADE, related_name="assignments")
    phase = models.ForeignKey(
        "operations.Phase", null=True, blank=True, on_delete=models.CASCADE, related_name="assignments",
        help_text=_("Empty: the whole operation, all its phases."),
    )
    assigned_by = models.ForeignKey(User, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    assigned_at = models.DateTimeField(auto_now_add=True)
    left_at = models.DateTimeField(null=True, blank=True)
    history = HistoricalRecords()

    class Meta:
        ordering = ["operation", "phase", "user"]
        indexes = [models.Index(fields=["user", "left_at"])]

    def __str__(self):
        return f"{self.user} → {self.phase or self.operation}"


class RecordSeen(models.Model):
    """That an agency opened a record (its page, or its API detail), first when.

    A retraction notice ("this record was retracted on …; stop relying on it")
    is for former readers only: shown to an agency that had never opened the
    record, it told them that a record with that number existed (issue 10).
    """

    agency = models.ForeignKey(Agency, on_delete=models.CASCADE, related_name="+")
    content_type = models.ForeignKey("contenttypes.ContentType", on_delete=models.CASCADE, related_name="+")
    object_id = models.PositiveBigIntegerField()
    first_seen = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["agency", "content_type", "object_id"], name="one_seen_per_agency_record"),
        ]


# The API token model lives beside its authentication class; imported here so
# Django registers it with the sharing app.
from liaison.sharing.tokens import ApiToken  # noqa: E402,F401
from liaison.sharing.recovery import RecoveryCode, RecoveryCodeDevice  # noqa: E402,F401
