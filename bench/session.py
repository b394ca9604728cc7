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
    store = import_module(settings.SESSION_ENGINE).SessionStore()
    store[SESSION_KEY] = user._meta.pk.value_to_string(user)
    store[BACKEND_SESSION_KEY] = settings.AUTHENTICATION_BACKENDS[0]
    store[HASH_SESSION_KEY] = user.get_session_auth_hash()
    store.create()
    return settings.SESSION_COOKIE_NAME, store.session_key
