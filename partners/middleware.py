"""Session limits and the MFA gate: what a signed-in session may reach, decided before any view runs.

Both read only the session (already loaded for authentication), so they add no query to a request.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import Any, TypeVar

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import logout
from django.contrib.auth.views import redirect_to_login
from django.http import HttpRequest, HttpResponse
from django.urls import reverse

from partners import mfa, passkeys
from partners.sessions import (
    LAST_SEEN,
    LAST_SEEN_GRANULARITY,
    in_words,
    note_signed_out,
    pop_signed_out,
    seconds_left,
    touch,
)

V = TypeVar("V", bound=Callable[..., Any])


def mfa_not_required(view: V) -> V:
    """Mark a view a password-only (MFA-pending) session may reach: enrolment, verification, sign-out."""
    view.mfa_not_required = True  # type: ignore[attr-defined]
    return view


def passkey_step(view: V) -> V:
    """Mark a view a verified session that still owes a passkey (partners.mfa.passkey_owed) may reach: the
    passkeys page and the registration it starts."""
    view.passkey_step = True  # type: ignore[attr-defined]
    return view


def _is_background(request: HttpRequest) -> bool:
    # htmx polling and the timeout warning's look at the clock (GETs the page makes by itself) must not keep
    # an unattended session alive.
    if request.method != "GET":
        return False
    return request.headers.get("HX-Request") == "true" or request.path == reverse("session_status")


class SessionLimitsMiddleware:
    """Ends a session after SESSION_IDLE_SECONDS without activity or SESSION_ABSOLUTE_SECONDS after sign-in,
    whatever the browser does. A session without the clock (made before it existed) is ended too."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if request.user.is_authenticated:
            idle, absolute = seconds_left(request.session)
            if idle <= 0 or absolute <= 0:
                from audit import services as audit

                user = request.user
                reason = "idle" if absolute > 0 else "absolute"
                audit.record_session_expired(user=user, reason=reason)
                logout(request)
                note_signed_out(request.session, reason, user_id=user.pk)
                messages.info(
                    request,
                    "You were signed out because you had not used the service for "
                    f"{in_words(settings.SESSION_IDLE_SECONDS)}."
                    if absolute > 0
                    else f"You were signed out because you signed in more than "
                    f"{settings.SESSION_ABSOLUTE_SECONDS // 3600} hours ago.",
                )
            elif not _is_background(request):
                last_seen = request.session.get(LAST_SEEN, 0)
                if time.time() - last_seen >= LAST_SEEN_GRANULARITY:
                    touch(request.session)
                if mfa.is_verified(request):
                    # The first page after signing in again (the one `next` named) may say why the last
                    # session ended; the pages after it may not.
                    request.signed_out_reason = pop_signed_out(request.session, user_id=request.user.pk)  # type: ignore[attr-defined]
        return self.get_response(request)


class MFARequiredMiddleware:
    """A session whose password was accepted but whose second factor was not reaches only the views marked
    @mfa_not_required: everything else sends it to enrolment or verification."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        return self.get_response(request)

    def process_view(
        self, request: HttpRequest, view_func: Callable[..., Any], view_args: Any, view_kwargs: Any
    ) -> HttpResponse | None:
        user = request.user
        if not user.is_authenticated:
            return None
        verified = mfa.is_verified(request)
        # django-otp's API (otp_required, user.is_verified()) reads the same answer.
        setattr(user, "is_verified", lambda: verified)  # noqa: B010 - the attribute is not on the model
        if verified and not mfa.passkey_owed(request):
            return None
        if verified:
            # The role must use a passkey: only sign-out, the second-factor pages and the passkey pages.
            if getattr(view_func, "mfa_not_required", False) or getattr(view_func, "passkey_step", False):
                return None
            target = "mfa_verify" if passkeys.has_passkey(user) else "passkeys"
            return redirect_to_login(request.get_full_path(), reverse(target))
        # Only views marked for it: @login_not_required is not enough (the admin marks all its views so,
        # and checks only is_staff).
        if getattr(view_func, "mfa_not_required", False):
            return None
        target = "mfa_verify" if mfa.has_confirmed_device(user) else "mfa_enrol"
        return redirect_to_login(request.get_full_path(), reverse(target))
