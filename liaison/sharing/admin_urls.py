from django.urls import path

from . import share_views

urlpatterns = [
    path("sharing/<str:label>/<int:pk>/", share_views.record_sharing, name="record-sharing"),
    path("agency/users/", share_views.agency_users, name="agency-users"),
    path("agency/users/new/", share_views.agency_user_edit, name="agency-user-new"),
    path("agency/users/<int:pk>/", share_views.agency_user_edit, name="agency-user-edit"),
    path("agency/users/<int:pk>/reset-otp/", share_views.agency_user_reset_otp, name="agency-user-reset-otp"),
    path("agency/users/<int:pk>/confirm/", share_views.agency_user_confirm, name="agency-user-confirm"),
    path("export/<str:kind>.csv", share_views.export, name="export"),
    path("operations/<int:pk>/team/", share_views.operation_team, name="operation-team"),
    path("agency/audit/", share_views.agency_audit, name="agency-audit"),
]
