"""URLs of the analysis app's map part (included by liaison/analysis/urls.py)."""
from django.urls import path

from liaison.analysis import map_views

urlpatterns = [
    path("map/", map_views.map_page, name="map"),
    path("map/data", map_views.map_data, name="map-data"),
]
