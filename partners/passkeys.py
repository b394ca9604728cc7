"""Passkeys (WebAuthn) as a second factor beside the authenticator app, on django-otp-webauthn.

The library does the WebAuthn work (py_webauthn checks every signature, challenge, origin and relying
party id); this module decides what this service allows and audits it. A refused passkey is recorded in the
audit log (auth.passkey_failed), not logged as an error. A passkey is never a way in on its
own (OTP_WEBAUTHN_ALLOW_PASSWORDLESS_LOGIN is off): it is offered after the password, and can be added only
by a session already verified with the current second factor. MFA_PASSKEY_REQUIRED_ROLES names the roles
that must use one (partners.mfa.passkey_owed decides, from the session alone).
"""

from __future__ import annotations

import json
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.http import HttpRequest
from django.utils import timezone
from django_otp_webauthn import exceptions
from django_otp_webauthn.helpers import WebAuthnHelper
from django_otp_webauthn.models import WebAuthnCredential
from django_otp_webauthn.templatetags.otp_webauthn import get_configuration
from django_otp_webauthn.utils import rewrite_exceptions

from audit import services as audit
from partners.models import User

PasskeyRefused = exceptions.OTPWebAuthnApiError


class PasskeyHelper(WebAuthnHelper):
    """The library's helper, with names a person recognises in their passkey manager."""

    def get_credential_display_name(self, user: Any) -> str:
        return f"{settings.SERVICE_NAME}: {user.get_username()}"


def passkey_config(request: HttpRequest) -> str:
    """What the library's scripts read from the page, as JSON for the text of a hidden element (escaped by
    the template; the scripts read it back with innerText). Not a <script> block: the page has no inline
    script of any kind."""
    return json.dumps(get_configuration(request))


def passkey_required(user: User) -> bool:
    """Whether the user's role must sign in with a passkey (MFA_PASSKEY_REQUIRED_ROLES)."""
    return user.role in settings.MFA_PASSKEY_REQUIRED_ROLES


def passkeys_of(user: User) -> list[WebAuthnCredential]:
    return list(WebAuthnCredential.objects.filter(user=user, confirmed=True).order_by("created_at", "pk"))


def has_passkey(user: User) -> bool:
    return WebAuthnCredential.objects.filter(user=user, confirmed=True).exists()


def register_passkey(*, user: User, helper: WebAuthnHelper, state: dict[str, Any], data: Any) -> WebAuthnCredential:
    """Check the browser's answer to the registration challenge and keep the new passkey. For a signed-in
    user whose session is verified (the view's caller is the middleware's guarantee). Audited as
    auth.passkey_enrolled; a refused answer is audited as auth.passkey_failed (committed, outside the
    registration's own transaction) and PasskeyRefused is raised."""
    try:
        with transaction.atomic(), rewrite_exceptions():
            passkey = helper.register_complete(user=user, state=state, data=data)
            passkey.name = f"Passkey added {timezone.localdate():%-d %B %Y}"
            passkey.save(update_fields=["name"])
            audit.record_passkey_enrolled(user=user, passkey=passkey)
    except PasskeyRefused as refused:
        audit.record_passkey_failed(user=user, step="registration", reason=refused.code)
        raise
    return passkey


def verify_passkey(*, user: User, helper: WebAuthnHelper, state: dict[str, Any], data: Any) -> WebAuthnCredential:
    """Check the browser's answer to the sign-in challenge: the passkey must be one of this user's, confirmed,
    and its signature right (py_webauthn also checks the challenge, origin, relying party and sign count).
    For a signed-in user at the second-factor step. Audited as auth.mfa_verified (method passkey); a refused
    answer is audited as auth.passkey_failed and PasskeyRefused is raised."""
    try:
        with transaction.atomic(), rewrite_exceptions():
            passkey = helper.authenticate_complete(user=user, state=state, data=data)
            if not passkey.confirmed:
                raise exceptions.CredentialDisabled()
            if not user.is_active:
                raise exceptions.UserDisabled()
            audit.record_mfa_verified(user=user, method="passkey")
    except PasskeyRefused as refused:
        audit.record_passkey_failed(user=user, step="sign-in", reason=refused.code)
        raise
    return passkey


@transaction.atomic
def remove_passkey(*, user: User, passkey: WebAuthnCredential) -> None:
    """The user removes one of their own passkeys (the view finds it among theirs). Refused with a
    ValidationError when their role must use a passkey and it is their last. Audited as auth.passkey_removed."""
    if passkey.user_id != user.pk:
        raise ValidationError("This passkey is not yours.")
    if passkey_required(user) and WebAuthnCredential.objects.filter(user=user).exclude(pk=passkey.pk).count() == 0:
        raise ValidationError("Your role must sign in with a passkey: add another passkey before removing this one.")
    audit.record_passkey_removed(user=user, passkey=passkey)
    passkey.delete()
