"""URLs of the analysis app's saved part (included by liaison/analysis/urls.py):
saved searches and their alerts."""
from django.urls import path

from liaison.analysis import saved_views

urlpatterns = [
    path("saved/", saved_views.saved_list, name="saved"),
    path("saved/new/", saved_views.saved_new, name="saved_new"),
    path("saved/<int:pk>/", saved_views.saved_detail, name="saved_detail"),
    path("saved/<int:pk>/rename/", saved_views.saved_rename, name="saved_rename"),
    path("saved/<int:pk>/alerts/", saved_views.saved_alerts, name="saved_alerts"),
    path("saved/<int:pk>/delete/", saved_views.saved_delete, name="saved_delete"),
]
