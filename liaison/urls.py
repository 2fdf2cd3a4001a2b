from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.urls import include, path

from liaison.core.i18n import set_language
from liaison.operations.views import published_figures
from liaison.public import api as public_api
from liaison.sharing import views as sharing_views

# A failed request: 503 with a clear sentence when the database, a service or the disk is
# the cause (a restart, a full disk), else 500 with a reference (liaison/ops/errors.py).
handler500 = "liaison.ops.errors.server_error"

urlpatterns = [
    path("login/", sharing_views.login_view, name="login"),
    path("logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("", include("liaison.sharing.urls")),
    path("published/", published_figures, name="published-figures"),
    path("i18n/setlang/", set_language, name="set_language"),
    path("admin/", admin.site.urls),
    path("public/", include("liaison.public.urls")),
    path("api/public/check", public_api.check, name="public-api-check"),
    path("api/", include("liaison.api.urls")),
    path("registry/", include("liaison.registry.urls")),
    path("intake/", include("liaison.intake.urls")),
    path("matching/", include("liaison.matching.urls")),
    path("requests/", include("liaison.requests.urls")),
    path("screening/", include("liaison.screening.urls")),
    path("interop/", include("liaison.interop.urls")),
    path("analysis/", include("liaison.analysis.urls")),
    path("tasks/", include("liaison.tasks.urls")),
    path("taxii2/federation/", include("liaison.federation.taxii_urls")),
    path("taxii2/", include("liaison.interop.taxii_urls")),
    path("federation/", include("liaison.federation.urls")),
    path("", include("liaison.sharing.admin_urls")),
    path("", include("liaison.web.urls")),
]
