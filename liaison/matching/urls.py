from django.urls import path

from . import views

app_name = "matching"

urlpatterns = [
    path("", views.queue, name="queue"),
    path("pairs/<int:pk>/", views.pair_detail, name="pair"),
    path("pairs/<int:pk>/merge/", views.merge, name="merge"),
    path("pairs/<int:pk>/reject/", views.reject, name="reject"),
    path("clusters/<int:pk>/", views.entity_detail, name="entity"),
    path("members/<int:pk>/split/", views.split, name="split"),
    path("hits/", views.hits, name="hits"),
    path("hits/<int:pk>/", views.hit_detail, name="hit"),
    path("hits/<int:pk>/request/", views.request_details, name="request-details"),
    path("watchlist/", views.watchlist, name="watchlist"),
    path("watchlist/add/<int:person_pk>/", views.watch, name="watch"),
    path("watchlist/<int:pk>/remove/", views.unwatch, name="unwatch"),
]
