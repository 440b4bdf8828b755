"""Sign in, two-factor authentication, sign out and password reset."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth import login, logout
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_not_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse_lazy
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import require_http_methods
from django_otp import login as otp_login
from django_otp.qr import write_qrcode_image

from cme.accounts import services
from cme.accounts.forms import PasswordResetRequestForm, SignInForm, TwoFactorForm, TwoFactorSetupForm
from cme.accounts.security_keys import has_security_key  # AC-8
from cme.audit.models import AuditEvent
from cme.audit.services import Auditor


def _next_url(request: HttpRequest) -> str:
    target = request.POST.get("next") or request.GET.get("next") or ""
    if target and url_has_allowed_host_and_scheme(target, allowed_hosts={request.get_host()}):
        return target
    return reverse_lazy("core:home")


@login_not_required
@require_http_methods(["GET", "POST"])
def sign_in(request: HttpRequest) -> HttpResponse:
    form = SignInForm(request.POST or None)
    error = ""
    if request.method == "POST" and form.is_valid():
        result = services.sign_in_attempt(
            request=request, email=form.cleaned_data["email"], password=form.cleaned_data["password"]
        )
        if result.user is not None:
            login(request, result.user)  # rotates the session key (ASVS 7.2.4)
            Auditor.from_request(request).record(AuditEvent.Action.SIGN_IN, result.user, summary="password accepted")
            if result.user.requires_mfa:
                return redirect(f"{reverse_lazy('accounts:two-factor')}?next={_next_url(request)}")
            return redirect(_next_url(request))
        error = result.error
    expired = request.GET.get("expired") == "1"
    return render(
        request, "accounts/sign_in.html",
        {"title": "Sign in", "form": form, "error": error, "expired": expired, "next": request.GET.get("next", "")},
    )


@require_http_methods(["GET", "POST"])
def two_factor(request: HttpRequest) -> HttpResponse:
    """Verify a TOTP code (or recovery code); first-time users are sent to set up their app."""
    user = request.user
    if not user.requires_mfa or user.is_verified():  # type: ignore[union-attr]
        return redirect(_next_url(request))
    if services.totp_device_for(user) is None:  # type: ignore[arg-type]
        return redirect("accounts:two-factor-setup")
    form = TwoFactorForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        device = services.mfa_verify(user=user, token=form.cleaned_data["token"])  # type: ignore[arg-type]
        if device is not None:
            otp_login(request, device)
            Auditor.from_request(request).record(AuditEvent.Action.MFA, user, summary=f"verified with {device.name}")
            return redirect(_next_url(request))
        Auditor.from_request(request).record(AuditEvent.Action.SIGN_IN_FAILED, user, summary="wrong security code")
        form.add_error("token", "The security code is not correct or has expired")
    return render(request, "accounts/two_factor.html", {"title": "Enter your security code", "form": form,
                                                          "next": request.GET.get("next", ""),
                                                          "security_key": has_security_key(user)})  # type: ignore[arg-type]


@require_http_methods(["GET", "POST"])
def two_factor_setup(request: HttpRequest) -> HttpResponse:
    user = request.user
    if services.totp_device_for(user) is not None:  # type: ignore[arg-type]
        return redirect("accounts:two-factor")
    device = services.totp_start_setup(user=user)  # type: ignore[arg-type]
    form = TwoFactorSetupForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        codes = services.totp_confirm_setup(request=request, user=user, device=device,  # type: ignore[arg-type]
                                            token=form.cleaned_data["token"])
        if codes is not None:
            otp_login(request, device)
            return render(request, "accounts/recovery_codes.html", {"title": "Your recovery codes", "codes": codes})
        form.add_error("token", "The security code is not correct. Check the time on your phone and try again")
    return render(request, "accounts/two_factor_setup.html", {
        "title": "Set up two-factor authentication", "form": form,
        "secret": services.totp_secret_base32(device), "otpauth_url": device.config_url,
    })


def two_factor_qr(request: HttpRequest) -> HttpResponse:
    device = services.totp_start_setup(user=request.user)  # type: ignore[arg-type]
    response = HttpResponse(content_type="image/svg+xml")
    write_qrcode_image(device.config_url, response)
    return response


@require_http_methods(["GET", "POST"])
def sign_out(request: HttpRequest) -> HttpResponse:
    if request.method == "POST":
        if request.user.is_authenticated:
            Auditor.from_request(request).record(AuditEvent.Action.SIGN_OUT, request.user)
        logout(request)
        messages.success(request, "You have signed out.")
        return redirect("accounts:sign-in")
    return render(request, "accounts/sign_out.html", {"title": "Sign out"})


password_reset = login_not_required(auth_views.PasswordResetView.as_view(
    form_class=PasswordResetRequestForm,  # the email goes from a background job (AUTH-6)
    template_name="accounts/password_reset.html",
    email_template_name=services.RESET_EMAIL_TEMPLATE,
    subject_template_name=services.RESET_SUBJECT_TEMPLATE,
    success_url=reverse_lazy("accounts:password-reset-sent"),
    extra_context={"title": "Reset your password"},
))
password_reset_sent = login_not_required(auth_views.PasswordResetDoneView.as_view(
    template_name="accounts/password_reset_sent.html", extra_context={"title": "Check your email"},
))
password_reset_confirm = login_not_required(auth_views.PasswordResetConfirmView.as_view(
    template_name="accounts/password_reset_confirm.html",
    success_url=reverse_lazy("accounts:password-reset-complete"),
    extra_context={"title": "Choose a new password"},
))
password_reset_complete = login_not_required(auth_views.PasswordResetCompleteView.as_view(
    template_name="accounts/password_reset_complete.html", extra_context={"title": "Password changed"},
))
