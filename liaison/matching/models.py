"""Candidate matches between persons, identity clusters (merges) and watchlist hits.

Agencies own their records, so a merge never moves one agency's names or
identifiers into another agency's ``Person``: it puts both rows into one
``Entity`` (an identity cluster). Each person page then shows the other
members the viewer may see. Splitting removes a member; the membership row
keeps its dates, so the history of who merged and split what stays.
"""
from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _


class MatchKey(models.Model):
    """One blocking key of a person (name key, document, identifier).

    The incremental matcher looks up the keys of a new person here to find
    the few persons worth scoring, instead of scoring the whole registry.
    """

    person = models.ForeignKey("registry.Person", on_delete=models.CASCADE, related_name="match_keys")
    key = models.CharField(max_length=200)

    class Meta:
        indexes = [models.Index(fields=["key", "person"])]
        constraints = [models.UniqueConstraint(fields=["person", "key"], name="one_match_key_per_person")]

    def __str__(self):
        return self.key


class KeyedPerson(models.Model):
    """The person's blocking keys (``MatchKey``) are current: a row exists only then.

    Absence means "to key": ``liaison match run`` keys and matches every live
    person without a row. Writers through the ORM delete the row in their own
    transaction (``matching.signals``); bulk writers (the COPY loader,
    federation's bulk receiving, ``bulk_create`` importers) write none, so
    their persons are picked up by the next run without any change to them.
    Recording what is current rather than each change keeps the writers' cost
    at one DELETE by primary key per save (database triggers writing a change
    row slowed the COPY loader by a fifth).
    """

    person = models.OneToOneField("registry.Person", primary_key=True, on_delete=models.CASCADE,
                                  related_name="match_keyed")
    keyed_at = models.DateTimeField()

    def __str__(self):
        return f"{self.person_id} @ {self.keyed_at:%Y-%m-%d %H:%M}"


class CandidatePair(models.Model):
    """Two persons the matcher thinks may be one, with its explanation, until an analyst decides."""

    class Status(models.TextChoices):
        OPEN = "open", _("To decide")
        MERGED = "merged", _("Confirmed: same person")
        REJECTED = "rejected", _("Rejected: different persons")

    person_a = models.ForeignKey("registry.Person", on_delete=models.CASCADE, related_name="+")
    person_b = models.ForeignKey("registry.Person", on_delete=models.CASCADE, related_name="+")
    probability = models.FloatField(_("probability"))
    match_weight = models.FloatField(_("match weight"))
    fields = models.JSONField(_("weight of each field"), default=dict)
    why = models.JSONField(_("explanation"), default=list)
    status = models.CharField(_("status"), max_length=10, choices=Status.choices, default=Status.OPEN)
    found_by = models.CharField(_("found by"), max_length=20, default="incremental")
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    decided_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    decided_at = models.DateTimeField(null=True, blank=True)
    note = models.CharField(_("reason"), max_length=500, blank=True)

    class Meta:
        ordering = ["-probability", "id"]
        verbose_name = _("candidate match")
        constraints = [
            models.UniqueConstraint(fields=["person_a", "person_b"], name="one_candidate_per_pair"),
            # Stored in one order only, so (a, b) and (b, a) cannot both exist.
            models.CheckConstraint(condition=Q(person_a__lt=models.F("person_b")), name="candidate_pair_ordered"),
        ]
        indexes = [models.Index(fields=["status", "probability"])]

    def __str__(self):
        # Never the names: either side may be invisible to whoever reads this label.
        return f"#{self.pk} ({self.probability:.2f})"

    def other(self, person_id):
        return self.person_b_id if person_id == self.person_a_id else self.person_a_id


class Entity(models.Model):
    """One real person known to several agencies under several records."""

    created_at = models.DateTimeField(auto_now_add=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")

    class Meta:
        verbose_name = _("identity cluster")

    def __str__(self):
        return _("Identity cluster #%(id)s") % {"id": self.pk}


class EntityMember(models.Model):
    """A person's membership of an identity cluster: who added it, when, on which evidence; and when it ended."""

    entity = models.ForeignKey(Entity, on_delete=models.CASCADE, related_name="members")
    person = models.ForeignKey("registry.Person", on_delete=models.CASCADE, related_name="entity_memberships")
    pair = models.ForeignKey(CandidatePair, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    added_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    added_at = models.DateTimeField(auto_now_add=True)
    reason = models.CharField(_("reason"), max_length=500, blank=True)
    removed_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    removed_at = models.DateTimeField(null=True, blank=True)
    removal_reason = models.CharField(_("reason for the split"), max_length=500, blank=True)

    class Meta:
        ordering = ["added_at", "id"]
        constraints = [
            models.UniqueConstraint(fields=["person"], condition=Q(removed_at__isnull=True), name="one_live_cluster_per_person"),
        ]

    @property
    def is_current(self):
        return self.removed_at is None


class WatchlistEntry(models.Model):
    """A person on the watchlist of the agency holding the record.

    Only the owner agency's officers put a record on the list, one by one,
    with a reason (audited): a listed record answers other agencies' records
    with hit notices, so listing is the owner's decision, never a side effect
    of a status. A protected identity (victim, witness, informant) is never
    listed: a hit would tell other agencies the record exists. ``automatic``
    marks entries of the former automatic listing (wanted and fugitive
    statuses); none is made any more.
    """

    person = models.ForeignKey("registry.Person", on_delete=models.CASCADE, related_name="watchlist_entries")
    agency = models.ForeignKey("sharing.Agency", on_delete=models.CASCADE, related_name="+", verbose_name=_("listing agency"))
    reason = models.CharField(_("reason"), max_length=500, blank=True)
    automatic = models.BooleanField(_("listed from the person's status"), default=False)
    since = models.DateTimeField(_("listed since"), auto_now_add=True)
    listed_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    removed_at = models.DateTimeField(null=True, blank=True)

    @property
    def reason_display(self):
        """An automatic entry stores the status code, shown in the reader's language."""
        if self.automatic:
            from liaison.registry.models import PersonStatus

            labels = dict(PersonStatus.Status.choices)
            return _("Status: %(status)s") % {"status": labels.get(self.reason, self.reason)}
        return self.reason

    class Meta:
        ordering = ["-since", "id"]
        verbose_name = _("watchlist entry")
        verbose_name_plural = _("watchlist")
        constraints = [
            models.UniqueConstraint(fields=["person"], condition=Q(removed_at__isnull=True), name="one_live_watchlist_entry"),
        ]


class HitNotice(models.Model):
    """A record of one agency matched a watchlisted person of another agency.

    One row per pair, seen from two sides: the watchlisting agency sees its
    own watched record, the other agency its own matched record. Neither side
    is ever shown the other's record, only the other agency and a band,
    "strong" or "possible" (hit/no-hit, as in INTERPOL's and the Prüm
    exchanges). The matcher's probability (``score``) is kept for the
    matching itself and never shown to either side: its fourth digit told a
    prober whether its guess of a passport number was right. The other side's
    person id is stored so that the owner can answer a request for details;
    it is never rendered or serialised to the other side.
    """

    class Band(models.TextChoices):
        STRONG = "strong", _("strong match")
        POSSIBLE = "possible", _("possible match")

    watched = models.ForeignKey("registry.Person", on_delete=models.CASCADE, related_name="+")
    watched_agency = models.ForeignKey("sharing.Agency", on_delete=models.CASCADE, related_name="+")
    matched = models.ForeignKey("registry.Person", on_delete=models.CASCADE, related_name="+")
    matched_agency = models.ForeignKey("sharing.Agency", on_delete=models.CASCADE, related_name="+")
    score = models.FloatField(_("score"))
    band = models.CharField(_("match"), max_length=10, choices=Band.choices, default=Band.POSSIBLE)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    # One request for details per side: each agency asks the other on its own,
    # and must never be pointed at (or told of) the other side's draft.
    watched_request_id = models.PositiveBigIntegerField(null=True, blank=True)
    watched_requested_at = models.DateTimeField(null=True, blank=True)
    matched_request_id = models.PositiveBigIntegerField(null=True, blank=True)
    matched_requested_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-updated_at", "-id"]
        verbose_name = _("watchlist hit")
        constraints = [models.UniqueConstraint(fields=["watched", "matched"], name="one_hit_per_pair")]
        indexes = [models.Index(fields=["watched_agency", "updated_at"]), models.Index(fields=["matched_agency", "updated_at"])]

    def side(self, agency_id):
        """(own person id, other agency, role) as seen by ``agency_id``; None when not a party."""
        if agency_id == self.watched_agency_id:
            return self.watched_id, self.matched_agency, "watched"
        if agency_id == self.matched_agency_id:
            return self.matched_id, self.watched_agency, "matched"
        return None

    def message_for(self, agency_id, *, prefix=False):
        """What the hit says to ``agency_id``: the other agency and the band, nothing else.

        One wording for the pages, the API, the inbox and e-mail."""
        side = self.side(agency_id)
        if side is None:
            return ""
        _own, other, role = side
        values = {"agency": other.short_name, "band": self.get_band_display()}
        if role == "watched":
            text = (_("Watchlist hit: your watchlisted record matched a record held by %(agency)s: %(band)s") if prefix
                    else _("Your watchlisted record matched a record held by %(agency)s: %(band)s"))
        else:
            text = (_("Watchlist hit: your record matched a watchlisted record held by %(agency)s: %(band)s") if prefix
                    else _("Your record matched a watchlisted record held by %(agency)s: %(band)s"))
        return text % values

    def request_of(self, agency_id):
        """(request id, asked at) of ``agency_id``'s own request for details; (None, None) if it has not asked."""
        side = self.side(agency_id)
        if side is None:
            return None, None
        role = side[2]
        return getattr(self, f"{role}_request_id"), getattr(self, f"{role}_requested_at")


class ProbeCount(models.Model):
    """How many watchlist hits one agency's records made with another agency's records on one day.

    Every hit tells the agency whose record was entered or changed (the
    prober) something of a record it may not see; repeated with small
    changes (one passport digit at a time), hits would spell that record
    out. Above ``MATCH_PROBE_LIMIT`` hits a day with one agency, no more hits
    are made between the two that day and the other agency's administrators
    are warned once (``alerted_at``). The prober is told nothing: a message
    saying hits are held back would itself say that the last record hit.
    """

    prober = models.ForeignKey("sharing.Agency", on_delete=models.CASCADE, related_name="+")
    target = models.ForeignKey("sharing.Agency", on_delete=models.CASCADE, related_name="+")
    day = models.DateField()
    hits = models.PositiveIntegerField(default=0)
    alerted_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["prober", "target", "day"], name="one_probe_count_per_day")]


class PairDecision(models.Model):
    """One decision on a candidate pair, with the reason typed with it: the pair's history.

    The pair itself keeps only its current status; a merge undone and
    decided again would otherwise lose the first reason. Shown with the pair,
    so only to users who may see both persons."""

    class Kind(models.TextChoices):
        MERGED = "merged", _("Confirmed: same person")
        REJECTED = "rejected", _("Rejected: different persons")
        REOPENED = "reopened", _("Merge undone: back in the queue")

    pair = models.ForeignKey(CandidatePair, on_delete=models.CASCADE, related_name="decisions")
    kind = models.CharField(_("decision"), max_length=10, choices=Kind.choices)
    by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    at = models.DateTimeField(auto_now_add=True)
    note = models.CharField(_("reason"), max_length=500, blank=True)

    class Meta:
        ordering = ["at", "id"]
        verbose_name = _("decision on a candidate match")
