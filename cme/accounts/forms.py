from __future__ import annotations

from typing import Any

from django import forms
from django.contrib.auth.forms import PasswordResetForm
from django.contrib.sites.shortcuts import get_current_site
from django.http import HttpRequest


class SignInForm(forms.Form):
    email = forms.EmailField(
        label="Email address", max_length=254,
        widget=forms.EmailInput(attrs={"autocomplete": "email", "spellcheck": "false"}),
        error_messages={
            "required": "Enter your email address",
            "invalid": "Enter an email address in the correct format, like name@example.org",
        },
    )
    password = forms.CharField(
        label="Password", strip=False, max_length=256,
        widget=forms.PasswordInput(attrs={"autocomplete": "current-password"}),
        error_messages={"required": "Enter your password"},
    )


class TwoFactorForm(forms.Form):
    token = forms.CharField(
        label="Security code", max_length=20,
        help_text="The 6-digit code from your authenticator app, or one of your recovery codes.",
        widget=forms.TextInput(attrs={"autocomplete": "one-time-code", "inputmode": "numeric", "spellcheck": "false"}),
        error_messages={"required": "Enter the security code"},
    )


class TwoFactorSetupForm(forms.Form):
    token = forms.CharField(
        label="Security code from your app", max_length=10,
        widget=forms.TextInput(attrs={"autocomplete": "one-time-code", "inputmode": "numeric", "spellcheck": "false"}),
        error_messages={"required": "Enter the 6-digit code from your authenticator app"},
    )


class PasswordResetRequestForm(PasswordResetForm):
    """Django's reset form, but the email is sent by a background job: the page answers in the same time whether
    or not the account exists, instead of waiting for the mail service (SMTP or GOV.UK Notify) only when it does
    (AUTH-6, ASVS 6.3.8). The job makes the link itself, so no reset token is stored in the job queue."""

    def save(self, domain_override: str | None = None, subject_template_name: str = "",
             email_template_name: str = "", use_https: bool = False, token_generator: Any = None,
             from_email: str | None = None, request: HttpRequest | None = None,
             html_email_template_name: str | None = None, extra_email_context: dict[str, Any] | None = None) -> None:
        from cme.accounts.tasks import password_reset_email

        site = get_current_site(request)
        domain = domain_override or site.domain
        for user in self.get_users(self.cleaned_data["email"]):
            password_reset_email.enqueue(user_id=user.pk, domain=domain, site_name=domain_override or site.name,
                                         use_https=use_https)
