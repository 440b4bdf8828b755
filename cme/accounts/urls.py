from django.urls import path

from cme.accounts import reauth, security_key_views, views

app_name = "accounts"

urlpatterns = [
    path("sign-in/", views.sign_in, name="sign-in"),
    path("sign-out/", views.sign_out, name="sign-out"),
    path("two-factor/", views.two_factor, name="two-factor"),
    path("two-factor/set-up/", views.two_factor_setup, name="two-factor-setup"),
    path("two-factor/qr.svg", views.two_factor_qr, name="two-factor-qr"),
    path("password-reset/", views.password_reset, name="password-reset"),
    path("password-reset/sent/", views.password_reset_sent, name="password-reset-sent"),
    path("password-reset/<uidb64>/<token>/", views.password_reset_confirm, name="password-reset-confirm"),
    path("password-reset/complete/", views.password_reset_complete, name="password-reset-complete"),
    path("confirm-it-is-you/", reauth.reauth, name="reauth"),
    # AC-8: security keys (WebAuthn). Only the two-factor step is under two-factor/ (open before the second factor).
    path("two-factor/security-key/", security_key_views.security_key_sign_in, name="two-factor-security-key"),
    path("security-keys/", security_key_views.security_key_list, name="security-keys"),
    path("security-keys/<int:key_id>/remove/", security_key_views.security_key_remove, name="security-key-remove"),
    path("security-key-required/", security_key_views.security_key_required, name="security-key-required"),
]
