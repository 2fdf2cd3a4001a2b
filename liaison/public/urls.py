from django.urls import path

from . import officer_views, views

app_name = "public"

# Every page in PUBLIC_PAGES is open without a login (liaison/sharing/middleware.py lists them).
urlpatterns = [
    path("", views.home, name="home"),
    path("check/", views.check, name="check"),
    path("report/scam/", views.report_scam, name="report_scam"),
    path("report/missing/", views.report_missing, name="report_missing"),
    path("status/", views.status, name="status"),
    # Officers (login and second factor, like every other page)
    path("officers/", officer_views.queue, name="queue"),
    path("officers/reports/<int:pk>/", officer_views.report, name="officer_report"),
    path("officers/list/", officer_views.public_list, name="list"),
    path("officers/publish/<int:pk>/", officer_views.publish, name="publish"),
    path("officers/list/<int:pk>/retract/", officer_views.retract, name="retract"),
    path("officers/statistics/", officer_views.statistics, name="statistics"),
]
