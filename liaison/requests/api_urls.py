"""Routes of the requests API, mounted at /api/requests/ by liaison/api/urls.py
(the /api/ prefix is where token authentication and JSON errors apply)."""

from django.urls import include, path
from rest_framework.routers import SimpleRouter

from . import api

router = SimpleRouter()
router.register("requests", api.RequestViewSet, basename="api-request")

urlpatterns = [path("", include(router.urls))]
