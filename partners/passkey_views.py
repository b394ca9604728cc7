"""Passkey pages and the WebAuthn endpoints their scripts call.

The endpoints are django-otp-webauthn's views under their own URL names (its scripts find them through
its template tag's configuration); the two that finish a ceremony are replaced here, so that what they
accept goes through partners.passkeys (checked and audited) and the session is marked as this service
marks it (partners.mfa.mark_verified: a new session key at every step).
"""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.http import HttpResponse, JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_GET
from django_otp_webauthn.models import WebAuthnCredential
from django_otp_webauthn.views import CompleteCredentialAuthenticationView, CompleteCredentialRegistrationView

from lib.views import refusal_shown_as_message
from partners import mfa, passkeys
from partners.http import AuthenticatedHttpRequest
from partners.middleware import passkey_step
from partners.views import next_url


@passkey_step
@require_GET
def passkey_list(request: AuthenticatedHttpRequest) -> HttpResponse:
    """The user's passkeys: add one (after signing in with the current second factor), or remove one. A role
    that must use a passkey and has none is sent here, and reaches nothing else until it has added one."""
    context = {
        "passkeys": passkeys.passkeys_of(request.user),
        "owed": mfa.passkey_owed(request),
        "required": passkeys.passkey_required(request.user),
        "passkey_config": passkeys.passkey_config(request),
    }
    return render(request, "partners/passkeys.html", context)


def remove_passkey(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    """GET asks for confirmation; POST removes the passkey (only one of the user's own: any other is 404)."""
    passkey = get_object_or_404(WebAuthnCredential, pk=pk, user_id=request.user.pk, confirmed=True)
    if request.method == "POST":
        with refusal_shown_as_message(request):
            passkeys.remove_passkey(user=request.user, passkey=passkey)
            messages.success(request, "The passkey has been removed.")
        return redirect("passkeys")
    return render(request, "partners/passkey_remove.html", {"passkey": passkey})


class RegistrationComplete(CompleteCredentialRegistrationView):
    """Keeps the new passkey (partners.passkeys.register_passkey). A session that owed a passkey has just
    proved it holds one, and from now on counts as verified by it."""

    def post(self, *args: Any, **kwargs: Any) -> JsonResponse:
        request = self.request
        state = self.get_state()
        passkey = passkeys.register_passkey(user=request.user, helper=self.get_helper(), state=state, data=request.data)
        if mfa.passkey_owed(request):
            mfa.mark_verified(request, passkey)
        messages.success(request, "Your passkey has been added.")
        return JsonResponse({"id": passkey.pk})


class AuthenticationComplete(CompleteCredentialAuthenticationView):
    """The second factor by passkey (partners.passkeys.verify_passkey), then on to the page asked for."""

    def post(self, *args: Any, **kwargs: Any) -> JsonResponse:
        request = self.request
        state = self.get_state()
        passkey = passkeys.verify_passkey(user=request.user, helper=self.get_helper(), state=state, data=request.data)
        mfa.mark_verified(request, passkey)
        return JsonResponse({"id": passkey.pk, "redirect_url": next_url(request)})
