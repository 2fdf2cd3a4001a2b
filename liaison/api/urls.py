from django.urls import include, path
from drf_spectacular.views import SpectacularSwaggerView
from rest_framework.routers import DefaultRouter

from liaison.screening.api import ScreenView

from . import views
from .schema_cache import CachedSchemaView

app_name = "api"

router = DefaultRouter()
router.register("countries", views.CountryViewSet, basename="country")
router.register("agencies", views.AgencyViewSet, basename="agency")
router.register("sources", views.SourceViewSet, basename="source")
router.register("citations", views.CitationViewSet, basename="citation")
router.register("persons", views.PersonViewSet, basename="person")
router.register("organisations", views.OrganisationViewSet, basename="organisation")
router.register("sites", views.SiteViewSet, basename="site")
router.register("identifiers", views.IdentifierViewSet, basename="identifier")
router.register("relationships", views.RelationshipViewSet, basename="relationship")
router.register("operations", views.OperationViewSet, basename="operation")
router.register("phases", views.PhaseViewSet, basename="phase")
router.register("cases", views.CaseViewSet, basename="case")
router.register("events", views.EventViewSet, basename="event")

urlpatterns = [
    path("search/", views.SearchView.as_view(), name="search"),
    path("screen", ScreenView.as_view(), name="screen"),
    path("schema/", CachedSchemaView.as_view(), name="schema"),  # generated once per process and language
    path("docs/", SpectacularSwaggerView.as_view(url_name="api:schema"), name="docs"),
    path("matching/", include("liaison.matching.api_urls")),
    path("intake/", include("liaison.intake.api_urls")),
    path("", include("liaison.requests.api_urls")),
    path("", include(router.urls)),
]
