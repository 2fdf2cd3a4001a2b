"""Routes of the matching API, included by liaison/api/urls.py under /api/matching/."""
from django.urls import include, path
from rest_framework.routers import SimpleRouter

from . import api

router = SimpleRouter()
router.register("candidates", api.CandidateViewSet, basename="matching-candidate")
router.register("clusters", api.EntityViewSet, basename="matching-cluster")
router.register("hits", api.HitNoticeViewSet, basename="matching-hit")

urlpatterns = [path("", include(router.urls))]
