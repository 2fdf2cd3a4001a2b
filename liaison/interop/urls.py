"""Pages of the interchange app (exports and imports an officer starts from the browser)."""
from django.urls import path

from liaison.interop import views

app_name = "interop"
urlpatterns = [
    path("", views.page, name="page"),
]
