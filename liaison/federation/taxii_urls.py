"""The federation inbox, a TAXII 2.1 API root of its own at /taxii2/federation/."""
from django.urls import path

from liaison.federation import match_views, views

app_name = "federation-taxii"
urlpatterns = [
    path("collections/<uuid:collection_id>/objects/", views.inbox, name="inbox"),
    path("match/", match_views.match, name="match"),
]
