from django.urls import path

from liaison.federation import views

app_name = "federation"
urlpatterns = [
    path("log/", views.exchange_log, name="log"),
]
