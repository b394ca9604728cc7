"""Signed-in sessions for benchmarks and the load run, made server-side: no password round trip."""

from __future__ import annotations

from importlib import import_module
from typing import Any

from django.conf import settings
from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY


def session_cookie(user: Any) -> tuple[str, str]:
    """The (name, value) of a session cookie for `user`, as if they had just signed in.

    The one place benchmarks sign people in: anything sign-in adds to the session (a second factor's
    verified device, for instance) is added here too.
    """
    from django_otp import DEVICE_ID_SESSION_KEY
    from django_otp.plugins.otp_totp.models import TOTPDevice

    from partners.sessions import start_session_clock

    # Every page needs the second factor: the session names a confirmed device, as after a code step.
    device = TOTPDevice.objects.filter(user=user, confirmed=True).order_by("pk").first()
    if device is None:
        device = TOTPDevice.objects.create(user=user, name="Benchmark authenticator", confirmed=True)
    store = import_module(settings.SESSION_ENGINE).SessionStore()
    store[SESSION_KEY] = user._meta.pk.value_to_string(user)
    store[BACKEND_SESSION_KEY] = "partners.backends.PartnerBackend"
    store[HASH_SESSION_KEY] = user.get_session_auth_hash()
    store[DEVICE_ID_SESSION_KEY] = device.persistent_id
    start_session_clock(store)
    store.create()
    return settings.SESSION_COOKIE_NAME, store.session_key
