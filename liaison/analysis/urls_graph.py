"""URLs of the analysis app's graph part (included by liaison/analysis/urls.py)."""
from django.urls import path

from liaison.analysis import graph_views

urlpatterns = [
    path("graph/", graph_views.graph_page, name="graph"),
    path("graph/neighbourhood/", graph_views.neighbourhood, name="graph-neighbourhood"),
    path("graph/path/", graph_views.path, name="graph-path"),
    path("graph/shared/", graph_views.shared, name="graph-shared"),
    path("graph/analyse/", graph_views.analyse, name="graph-analyse"),
    path("graph/export/", graph_views.export, name="graph-export"),
]
