from __future__ import annotations

from django import forms


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
