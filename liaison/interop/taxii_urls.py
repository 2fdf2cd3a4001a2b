"""TAXII 2.1 endpoints, mounted at /taxii2/ (discovery) with one API root, /taxii2/liaison/."""
from django.urls import path

from liaison.interop import taxii

app_name = "taxii"
urlpatterns = [
    path("", taxii.Discovery.as_view(), name="discovery"),
    path("liaison/", taxii.ApiRoot.as_view(), name="api-root"),
    path("liaison/collections/", taxii.Collections.as_view(), name="collections"),
    path("liaison/collections/<uuid:collection_id>/", taxii.CollectionDetail.as_view(), name="collection"),
    path("liaison/collections/<uuid:collection_id>/objects/", taxii.Objects.as_view(), name="objects"),
    path("liaison/collections/<uuid:collection_id>/manifest/", taxii.Manifest.as_view(), name="manifest"),
]
