from django.urls import path

from . import views

app_name = "intake"

urlpatterns = [
    path("", views.document_list, name="documents"),
    path("new/", views.upload, name="upload"),
    path("queue/", views.queue, name="queue"),
    path("documents/<int:pk>/", views.document_detail, name="document"),
    path("documents/<int:pk>/run/<str:stage>/", views.rerun, name="rerun"),
    path("facts/<int:pk>/", views.review_fact, name="review"),
]
