from django.urls import path

from liaison.federation import ask_views, views

app_name = "federation"
urlpatterns = [
    path("log/", views.exchange_log, name="log"),
    path("ask/", ask_views.ask, name="ask"),
]
