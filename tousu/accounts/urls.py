"""Sign-in and the account page. Included by the desk at ``accounts/``, so the names
are ``desk:accounts:login`` and so on."""

from __future__ import annotations

from django.urls import path

from tousu.accounts import views

app_name = "accounts"

urlpatterns = [
    path("login/", views.login_view, name="login"),
    path("login/code/", views.verify_view, name="verify"),
    path("logout/", views.logout_view, name="logout"),
    path("", views.account_view, name="account"),
    path("password/", views.password_view, name="password"),
    path("set-password/<uidb64>/<token>/", views.set_password_view, name="set_password"),
    path("two-factor/setup/", views.totp_setup_view, name="totp_setup"),
    path("two-factor/off/", views.totp_disable_view, name="totp_disable"),
    path("two-factor/recovery-codes/", views.recovery_codes_view, name="recovery_codes"),
]
