"""Pages of the analysis app, under /analysis/. Each part keeps its own URL list
(urls_map, urls_timeline, urls_graph, urls_report, urls_saved) so that each reads on its own."""
from django.urls import include, path

from liaison.analysis import views

app_name = "analysis"
urlpatterns = [
    path("", views.index, name="index"),
    path("", include("liaison.analysis.urls_map")),
    path("", include("liaison.analysis.urls_timeline")),
    path("", include("liaison.analysis.urls_graph")),
    path("", include("liaison.analysis.urls_report")),
    path("", include("liaison.analysis.urls_saved")),
]
