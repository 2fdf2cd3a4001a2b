"""URLs of the analysis app's timeline part (included by liaison/analysis/urls.py):
timelines of operations and persons, and the operation and country dashboards."""
from django.urls import path

from liaison.analysis import dashboard_views, timeline_views

urlpatterns = [
    path("dashboards/", dashboard_views.country_index, name="dashboards"),
    path("operations/<int:pk>/", dashboard_views.operation_dashboard, name="operation"),
    path("operations/<int:pk>/timeline/", timeline_views.operation_timeline, name="operation-timeline"),
    path("persons/<int:pk>/timeline/", timeline_views.person_timeline, name="person-timeline"),
    path("countries/<str:code>/", dashboard_views.country_dashboard, name="country"),
]
