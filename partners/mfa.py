"""The second factor's state in a session. Writes to devices are in partners/services.py.

A session is verified when django-otp's device id is in it: the session is server-side and the key is
rotated at every step, so the session alone is trusted and no query is needed per request. A password
sign-in always starts unverified, even for the user who was already signed in.
"""

from __future__ import annotations

from typing import Any

import django_otp
from django.conf import settings
from django.contrib.auth.signals import user_logged_in
from django.dispatch import receiver
from django.http import HttpRequest
from django_otp import DEVICE_ID_SESSION_KEY
from django_otp.models import Device
from django_otp.plugins.otp_totp.models import TOTPDevice
from django_otp_webauthn.models import WebAuthnCredential

from partners.sessions import start_session_clock

# Where an unconfirmed TOTP device waits between the enrolment page, its QR code and the confirmation.
PENDING_DEVICE = "pp_pending_totp"


def is_verified(request: HttpRequest) -> bool:
    return bool(request.user.is_authenticated and request.session.get(DEVICE_ID_SESSION_KEY))


def passkey_owed(request: HttpRequest) -> bool:
    """A verified session whose role must use a passkey (MFA_PASSKEY_REQUIRED_ROLES) but whose second factor
    was something else: it must register a passkey, or sign in with the one it has. Reads only the session."""
    if getattr(request.user, "role", None) not in settings.MFA_PASSKEY_REQUIRED_ROLES:
        return False
    device_id = str(request.session.get(DEVICE_ID_SESSION_KEY) or "")
    return not device_id.startswith(f"{WebAuthnCredential.model_label()}/")


def has_confirmed_device(user: Any) -> bool:
    return TOTPDevice.objects.filter(user=user, confirmed=True).exists()


def mark_verified(request: HttpRequest, device: Device) -> None:
    """Record the second factor in the session, under a new session key (no fixation across the step)."""
    django_otp.login(request, device)
    request.session.cycle_key()
    request.session.pop(PENDING_DEVICE, None)


@receiver(user_logged_in)
def on_password_accepted(sender: Any, request: HttpRequest | None, user: Any, **kwargs: Any) -> None:
    # Django's login() keeps the session's data when the same user signs in again: drop any earlier
    # verification so the new sign-in needs its own second factor.
    if request is None or not hasattr(request, "session"):
        return
    request.session.pop(DEVICE_ID_SESSION_KEY, None)
    request.session.pop(PENDING_DEVICE, None)
    start_session_clock(request.session)
