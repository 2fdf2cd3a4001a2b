"""Saved searches and the alerts they send (issue 17).

An analyst saves a query of the search page or the filters of a list page; when
a record becomes visible to them and matches it (created, shared with their
agency, un-retracted), they get one inbox notice. ``SavedSearchMatch`` remembers
each record already reported, so that no alert is ever repeated. The matching
itself is in ``liaison.analysis.alerts``; what a saved query means, in the plain
module ``liaison.analysis.saved_queries``.
"""
from django.conf import settings
from django.contrib.contenttypes.models import ContentType
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from liaison.analysis import saved_queries

KIND_CHOICES = [
    (saved_queries.SEARCH, _("Search")),
    ("persons", _("Persons")),
    ("organisations", _("Organisations")),
    ("sites", _("Sites")),
    ("identifiers", _("Identifiers")),
    ("operations", _("Operations")),
    ("cases", _("Cases")),
    ("events", _("Events")),
    ("sources", _("Sources")),
]

class SavedSearch(models.Model):
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="saved_searches", verbose_name=_("owner"),
    )
    name = models.CharField(_("name"), max_length=200)
    # "search": ``query`` is what was typed on the search page; a list's slug
    # ("persons", "sites"...): ``query`` is its filters as a normalised query string.
    kind = models.CharField(_("what"), max_length=20, choices=KIND_CHOICES)
    query = models.CharField(_("query"), max_length=saved_queries.MAX_QUERY_LENGTH, blank=True)
    created_at = models.DateTimeField(_("saved"), default=timezone.now)
    alerts = models.BooleanField(_("alerts"), default=True)
    # When alerts were last switched on: records that were new before are not news.
    alerts_since = models.DateTimeField(default=timezone.now)
    # Up to when ``liaison alerts run`` has looked for records that became visible.
    last_run = models.DateTimeField(_("last checked"), null=True, blank=True)

    class Meta:
        ordering = ["name", "id"]
        verbose_name = _("saved search")
        verbose_name_plural = _("saved searches")
        indexes = [models.Index(fields=["alerts", "kind"])]
        constraints = [
            models.UniqueConstraint(fields=["owner", "kind", "query"], name="one_saved_search_per_query"),
        ]

    def __str__(self):
        return self.name


class SavedSearchMatch(models.Model):
    """One record already reported to the owner of ``search``: never reported again."""

    search = models.ForeignKey(SavedSearch, on_delete=models.CASCADE, related_name="matches")
    content_type = models.ForeignKey(ContentType, on_delete=models.CASCADE, related_name="+")
    object_id = models.PositiveBigIntegerField()
    reported_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-reported_at", "-id"]
        constraints = [
            models.UniqueConstraint(fields=["search", "content_type", "object_id"], name="one_report_per_record"),
        ]
