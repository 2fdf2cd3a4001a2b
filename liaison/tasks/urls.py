from django.urls import path

from liaison.tasks import views

app_name = "tasks"
urlpatterns = [
    path("", views.run_list, name="list"),
    path("<int:pk>/", views.run_detail, name="run"),
    path("<int:pk>/status", views.run_status, name="status"),
]
