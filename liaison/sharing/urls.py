"""Second-factor steps, account set-up link, account security and API tokens (login and logout are in liaison/urls.py)."""
from django.urls import path

from liaison.sharing import views

app_name = "sharing"
urlpatterns = [
    path("login/code/", views.verify_view, name="otp_verify"),
    path("login/authenticator/", views.enrol_view, name="otp_enrol"),
    path("account/set-up/<uidb64>/<token>/", views.AccountSetupView.as_view(), name="account_setup"),
    path("account/security/", views.security_view, name="security"),
    path("account/preferences/", views.preferences_view, name="preferences"),
    path("account/security/recovery-codes/", views.recovery_codes_view, name="recovery_codes"),
    path("account/tokens/", views.tokens_view, name="tokens"),
    path("account/tokens/<int:pk>/revoke/", views.token_revoke_view, name="token_revoke"),
]
