"""URLs of the analysis app's report part (included by liaison/analysis/urls.py)."""
from django.urls import path

from liaison.analysis import report_views

urlpatterns = [
    path("reports/", report_views.report_index, name="reports"),
    path("reports/operations/<int:pk>.pdf", report_views.operation_report, name="report"),
    path("reports/operations/<int:pk>/phases/<int:number>.pdf", report_views.operation_report, name="report-phase"),
]
