from django.urls import path

from . import views

app_name = "screening"

urlpatterns = [
    path("", views.checkpoint, name="checkpoint"),
    path("manifest/", views.manifest, name="manifest"),
    path("runs/<int:pk>/", views.run_detail, name="run"),
    path("hits/", views.hits, name="hits"),
    path("hits/<str:reference>/", views.hit_detail, name="hit"),
]
