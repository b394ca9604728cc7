"""The WebAuthn endpoints, under django-otp-webauthn's namespace and names (its scripts are configured with
them). No passwordless sign-in and no translation catalogue: the words are in assets/js/passkeys.js."""

from __future__ import annotations

from django.urls import path
from django_otp_webauthn.views import BeginCredentialAuthenticationView, BeginCredentialRegistrationView

from partners.middleware import mfa_not_required, passkey_step
from partners.passkey_views import AuthenticationComplete, RegistrationComplete

app_name = "otp_webauthn"

urlpatterns = [
    # Adding a passkey: a verified session only (the middleware), including one that still owes a passkey.
    path(
        "registration/begin/",
        passkey_step(BeginCredentialRegistrationView.as_view()),
        name="credential-registration-begin",
    ),
    path(
        "registration/complete/", passkey_step(RegistrationComplete.as_view()), name="credential-registration-complete"
    ),
    # Signing in with one: the second-factor step, after the password.
    path(
        "authentication/begin/",
        mfa_not_required(BeginCredentialAuthenticationView.as_view()),
        name="credential-authentication-begin",
    ),
    path(
        "authentication/complete/",
        mfa_not_required(AuthenticationComplete.as_view()),
        name="credential-authentication-complete",
    ),
]
