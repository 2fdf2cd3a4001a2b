"""A screening run (one traveller at a checkpoint, a manifest, an API call) and its hits.

The screener is told, for a hit, only the agency to contact, a band and the
fields that agreed, and the hit's own ``reference`` to quote: an opaque code
that names neither the record nor the person. The watched person is stored so
that its owner can find its record from the reference; it is never rendered
or serialised to the screener (unless the screener's agency may read that
record anyway).
"""
import secrets

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

# Letters and digits that cannot be misread on a phone line (no 0/O, 1/I/L).
_REFERENCE_ALPHABET = "23456789ABCDEFGHJKMNPQRSTUVWXYZ"


def new_reference():
    """"SCR-" and 10 random characters (about 50 bits): not guessable, not a counter."""
    return "SCR-" + "".join(secrets.choice(_REFERENCE_ALPHABET) for _ in range(10))


class Screening(models.Model):
    """One screening run by one officer: how many travellers, how many hits, where."""

    class Kind(models.TextChoices):
        CHECKPOINT = "checkpoint", _("One traveller at a checkpoint")
        MANIFEST = "manifest", _("Manifest")
        API = "api", _("API")

    user = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    agency = models.ForeignKey("sharing.Agency", on_delete=models.CASCADE, related_name="+")
    kind = models.CharField(_("kind"), max_length=12, choices=Kind.choices)
    place = models.CharField(_("screening post"), max_length=200, blank=True)
    filename = models.CharField(_("file"), max_length=255, blank=True)
    travellers = models.PositiveIntegerField(_("travellers"), default=0)
    hits = models.PositiveIntegerField(_("hits"), default=0)
    at = models.DateTimeField(_("screened at"), auto_now_add=True)
    # What the screener entered and was answered, line by line: the screener's own
    # data (names as entered, hit references), for the result page.
    results = models.JSONField(default=list)

    class Meta:
        ordering = ["-at", "-id"]
        verbose_name = _("screening")
        indexes = [models.Index(fields=["agency", "at"])]


class ScreeningHit(models.Model):
    """A traveller screened by one agency matched a person another (or the same) agency watches."""

    class Band(models.TextChoices):
        STRONG = "strong", _("strong match")
        POSSIBLE = "possible", _("possible match")

    reference = models.CharField(_("hit reference"), max_length=20, unique=True, default=new_reference)
    screening = models.ForeignKey(Screening, on_delete=models.CASCADE, related_name="hit_rows")
    line = models.PositiveIntegerField(_("line"), default=1)
    watched = models.ForeignKey("registry.Person", on_delete=models.CASCADE, related_name="+")
    watched_agency = models.ForeignKey("sharing.Agency", on_delete=models.CASCADE, related_name="+")
    score = models.FloatField(_("score"))  # kept for the matcher's tuning; never shown
    band = models.CharField(_("match"), max_length=10, choices=Band.choices)
    fields_agreed = models.JSONField(default=list)
    traveller = models.JSONField(default=dict)  # as the screener entered it: for the owner's notice
    # Over the day's limit between the two agencies: the owner is told, the screener is not.
    withheld = models.BooleanField(default=False)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("screening hit")
        indexes = [models.Index(fields=["watched_agency", "created_at"])]


class ScreeningProbeCount(models.Model):
    """How many screening hits one agency's screeners made on another agency's watchlist on one day.

    Screening a name a thousand times with small changes would spell out what
    a watchlisted record holds (its date of birth, its passport number). Past
    ``SCREENING_PROBE_LIMIT`` hits a day with one agency, further hits are
    answered "no hit" to the screener, still notified to the watching agency,
    whose administrators are warned once (``alerted_at``)."""

    prober = models.ForeignKey("sharing.Agency", on_delete=models.CASCADE, related_name="+")
    target = models.ForeignKey("sharing.Agency", on_delete=models.CASCADE, related_name="+")
    day = models.DateField()
    hits = models.PositiveIntegerField(default=0)
    alerted_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["prober", "target", "day"], name="one_screening_probe_count_per_day")]


class ScreeningKey(models.Model):
    """One screening key of a watched person (``matching.keys.screening_keys``).

    Apart from the matcher's ``MatchKey``: kept for watched persons only (a
    few thousand where the registry holds millions), and with the cross-script
    skeleton keys the registry's matcher does not store. Whether the person is
    still listed, unprotected and live is checked again in the query that
    reads the keys: a stale key can miss a traveller, never hit a record that
    must not answer."""

    person = models.ForeignKey("registry.Person", on_delete=models.CASCADE, related_name="+")
    key = models.CharField(max_length=200)

    class Meta:
        indexes = [models.Index(fields=["key", "person"], name="screening_key_person")]
        constraints = [models.UniqueConstraint(fields=["person", "key"], name="one_screening_key_per_person")]


class ScreeningRecord(models.Model):
    """The linkage features of a watched person, computed when its keys are (``screening.keys``).

    Screening a manifest scores each traveller against some ten watched
    persons; computing their features (every reading of every name) was two
    thirds of the time when done at screening. ``version`` fingerprints the
    code that computes features: rows of another version are recomputed at
    screening (and rebuilt by ``manage.py screening_keys``)."""

    person = models.OneToOneField("registry.Person", on_delete=models.CASCADE, primary_key=True, related_name="+")
    features = models.JSONField()
    version = models.CharField(max_length=16)
