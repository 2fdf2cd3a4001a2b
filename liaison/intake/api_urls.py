"""The intake API's routes, mounted under /api/intake/ by liaison/api/urls.py
(the /api/ prefix is where token authentication and JSON errors apply)."""
from rest_framework.routers import DefaultRouter

from . import api

app_name = "intake-api"

router = DefaultRouter()
router.register("documents", api.DocumentViewSet, basename="document")
urlpatterns = router.urls
