"""Security keys (WebAuthn, AC-8): the user's own list (add, remove), the two-factor step with a key, and the page
that tells a system administrator the admin needs one. The ceremonies are in `cme.accounts.security_keys`."""

from __future__ import annotations

from django import forms
from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import urlencode
from django.views.decorators.http import require_http_methods, require_POST
from django_otp import login as otp_login

from cme.accounts import security_keys
from cme.accounts.models import User
from cme.accounts.reauth import reauth_required
from cme.accounts.views import _next_url


class SecurityKeyAddForm(forms.Form):
    name = forms.CharField(
        label="Name of the key", max_length=64,
        help_text="So that you can tell your keys apart, for example ‘Blue key on my keyring’.",
        widget=forms.TextInput(attrs={"spellcheck": "false", "autocomplete": "off"}),
        error_messages={"required": "Enter a name for the key",
                        "max_length": "The name must be 64 characters or fewer"},
    )
    credential = forms.CharField(required=False, max_length=20_000, widget=forms.HiddenInput)


class SecurityKeySignInForm(forms.Form):
    credential = forms.CharField(required=False, max_length=20_000, widget=forms.HiddenInput)


def _user(request: HttpRequest) -> User:
    user = request.user
    if not isinstance(user, User) or not user.requires_mfa:
        raise Http404("Security keys are a second step at sign-in, which this account does not use.")
    return user


@require_http_methods(["GET", "POST"])
@reauth_required()
def security_key_list(request: HttpRequest) -> HttpResponse:
    """The user's security keys, and the form to add one (as well as the authenticator app, not instead)."""
    user = _user(request)
    form = SecurityKeyAddForm(request.POST or None)
    error = ""
    if request.method == "POST":
        if form.is_valid():
            try:
                key = security_keys.register(request=request, user=user, name=form.cleaned_data["name"],
                                             credential_json=form.cleaned_data["credential"])
            except security_keys.SecurityKeyError as refused:
                error = str(refused)
            else:
                messages.success(request, f"Security key ‘{key.name}’ added. You can use it when you sign in.")
                return redirect("accounts:security-keys")
        else:
            request.session.pop(security_keys.REGISTER, None)  # a challenge is answered once, whatever the answer
    return render(request, "accounts/security_keys.html", {
        "title": "Security keys", "form": form, "error": error, "keys": security_keys.keys_for(user),
        "options": security_keys.registration_options(request=request, user=user),
    })


@require_POST
@reauth_required()
def security_key_remove(request: HttpRequest, key_id: int) -> HttpResponse:
    removed = security_keys.remove(request=request, user=_user(request), key_id=key_id)
    if removed is None:
        raise Http404("No such security key.")
    messages.success(request, f"Security key ‘{removed.name}’ removed.")
    return redirect("accounts:security-keys")


@require_http_methods(["GET", "POST"])
def security_key_sign_in(request: HttpRequest) -> HttpResponse:
    """The two-factor step with a security key; also the step up for a session verified with a code."""
    user = request.user
    target = _next_url(request)
    if not isinstance(user, User) or not user.requires_mfa or security_keys.verified_with_security_key(request):
        return redirect(target)
    if not security_keys.has_security_key(user):
        return redirect(f"{reverse('accounts:two-factor')}?{urlencode({'next': target})}")
    form = SecurityKeySignInForm(request.POST or None)
    error = ""
    if request.method == "POST" and form.is_valid():
        try:
            key = security_keys.authenticate(request=request, user=user,
                                             credential_json=form.cleaned_data["credential"])
        except security_keys.SecurityKeyError as refused:
            error = str(refused)
        else:
            otp_login(request, key)
            request.session.cycle_key()  # a new session id once the second factor is passed (ASVS v5.0.0 7.2.4)
            return redirect(target)
    return render(request, "accounts/security_key_sign_in.html", {
        "title": "Use your security key", "form": form, "error": error, "next": str(target),
        "options": security_keys.authentication_options(request=request, user=user),
        "verified": user.is_verified(),  # type: ignore[attr-defined]
    })


def security_key_required(request: HttpRequest) -> HttpResponse:
    """Where the admin sends a system administrator whose session was verified with a code, not a key (AC-8)."""
    user = _user(request)
    target = _next_url(request)
    return render(request, "accounts/security_key_required.html", {
        "title": "You need to use a security key", "next": str(target),
        "has_key": security_keys.has_security_key(user),
    })
