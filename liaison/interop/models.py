"""What interchange remembers between runs.

``ExternalObject`` ties an object id of another system (a STIX id, a MISP
UUID, an FtM entity id) to the Liaison record it was imported into, per
importing agency: importing the same bundle or pulling the same TAXII
collection again updates those records instead of duplicating them.
``TaxiiPullState`` is where the last pull of a partner's collection stopped.
"""
from django.contrib.contenttypes.fields import GenericForeignKey
from django.contrib.contenttypes.models import ContentType
from django.db import models


class ExternalObject(models.Model):
    agency = models.ForeignKey("sharing.Agency", on_delete=models.CASCADE, related_name="+")
    external_id = models.CharField(max_length=200)
    content_type = models.ForeignKey(ContentType, on_delete=models.CASCADE, related_name="+")
    object_id = models.PositiveBigIntegerField()
    record = GenericForeignKey("content_type", "object_id")
    # The version last imported (STIX "modified"), so an unchanged object is skipped.
    version = models.CharField(max_length=40, blank=True)
    imported_at = models.DateTimeField(auto_now=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["agency", "external_id"], name="one_record_per_external_id")]
        indexes = [models.Index(fields=["content_type", "object_id"])]


class TaxiiPullState(models.Model):
    agency = models.ForeignKey("sharing.Agency", on_delete=models.CASCADE, related_name="+")
    collection_url = models.URLField(max_length=1000)
    # X-TAXII-Date-Added-Last of the last page imported: the next run asks for what was added after it.
    added_after = models.CharField(max_length=40, blank=True)
    pulled_at = models.DateTimeField(auto_now=True)
    objects_imported = models.PositiveIntegerField(default=0)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["agency", "collection_url"], name="one_pull_state_per_collection")]
