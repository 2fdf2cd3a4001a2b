from django.urls import path, re_path

from . import views
from .views import common
from .views.graph import graph
from .views.pickers import pick

app_name = "web"

LISTED = "persons|organisations|sites|identifiers|operations|cases|events|sources"
DETAILED = LISTED + "|relationships"
GRAPHED = "|".join(common.GRAPHED)
EDITABLE = "persons|organisations|sites|identifiers|operations|cases|events|sources"

urlpatterns = [
    path("", views.dashboard, name="dashboard"),
    path("search/", views.search, name="search"),
    path("pick/<slug:kind>/", pick, name="pick"),
    re_path(rf"^(?P<slug>{LISTED})/$", views.record_list, name="list"),
    re_path(rf"^(?P<slug>{EDITABLE})/new/$", views.edit, name="new"),
    re_path(rf"^(?P<slug>{DETAILED})/(?P<pk>\d+)/$", views.detail, name="detail"),
    re_path(rf"^(?P<slug>{EDITABLE})/(?P<pk>\d+)/edit/$", views.edit, name="edit"),
    re_path(rf"^(?P<slug>{DETAILED})/(?P<pk>\d+)/link/$", views.new_relationship, name="link"),
    re_path(rf"^(?P<slug>{DETAILED})/(?P<pk>\d+)/cite/$", views.new_citation, name="cite"),
    re_path(rf"^graph/(?P<slug>{GRAPHED})/(?P<pk>\d+)/$", graph, name="graph"),
]
