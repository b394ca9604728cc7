"""The test client every test uses: force_login gives a fully signed-in session, second factor included.

MFA is required for every page (partners.middleware.MFARequiredMiddleware), so a plain force_login would
now reach nothing but the enrolment and verification pages. Tests of those pages, and of what an
unverified session can reach, use force_login_without_mfa.
"""

from __future__ import annotations

import time
from typing import Any

from django.test import Client
from django_otp import DEVICE_ID_SESSION_KEY
from django_otp.oath import TOTP
from django_otp.plugins.otp_totp.models import TOTPDevice


class VerifiedClient(Client):
    def force_login(self, user: Any, backend: str | None = None) -> None:
        super().force_login(user, backend)
        device = TOTPDevice.objects.filter(user=user, confirmed=True).order_by("pk").first()
        if device is None:
            device = TOTPDevice.objects.create(user=user, name="Test authenticator", confirmed=True)
        session = self.session
        session[DEVICE_ID_SESSION_KEY] = device.persistent_id
        session.save()

    def login(self, **credentials: Any) -> bool:
        """Django's Client.login, with the request django-axes needs, then the second factor as above."""
        from django.contrib.auth import authenticate
        from django.test import RequestFactory

        user = authenticate(RequestFactory().post("/sign-in/"), **credentials)
        if user is None:
            return False
        self.force_login(user)
        return True

    def force_login_without_mfa(self, user: Any, backend: str | None = None) -> None:
        """A session whose password was accepted and whose second factor was not."""
        super().force_login(user, backend)


def code_for_key(key: bytes, *, step_offset: int = 0) -> str:
    """The TOTP code an authenticator app holding `key` shows now (or step_offset time steps later)."""
    totp = TOTP(key)
    totp.time = time.time() + step_offset * totp.step
    return f"{totp.token():06d}"


def next_code(user: Any) -> str:
    """A code the user's app would show that the server has not yet accepted: django-otp refuses a code
    from a time step already used, so a second sign-in within 30 seconds uses the next step (inside the
    device's tolerance of one step)."""
    device = TOTPDevice.objects.get(user=user, confirmed=True)
    now_t = TOTP(device.bin_key).t()
    offset = max(0, device.last_t + 1 - now_t)
    if offset > device.tolerance:
        raise AssertionError("more sign-ins this minute than the device's tolerance allows")
    return code_for_key(device.bin_key, step_offset=offset)


def give_totp_device(user: Any) -> TOTPDevice:
    """An enrolled authenticator app for `user`, as if they had set it up at an earlier sign-in."""
    return TOTPDevice.objects.create(user=user, name="Authenticator app", confirmed=True)
