"""The session clock: when the password was accepted and when the user was last active.

Idle and absolute limits are enforced by partners.middleware.SessionLimitsMiddleware on every request,
whatever the browser's JavaScript does; the timeout warning only reads these values.
"""

from __future__ import annotations

import time
from collections.abc import Collection
from importlib import import_module
from typing import Any

from django.conf import settings
from django.contrib.auth import SESSION_KEY
from django.utils import timezone

AUTH_TIME = "pp_auth_time"
LAST_SEEN = "pp_last_seen"
# last_seen is rewritten at most this often, so an ordinary page view costs no session write.
LAST_SEEN_GRANULARITY = 60
# Why the last session in this browser ended ("idle" or "absolute") and when, kept in the new anonymous
# session the sign-out leaves behind. Django's login() keeps that session's data (it only changes its key),
# so the page the person lands on after signing in again can say why they were signed out. Only the
# reason and the time: nothing of what they were doing.
SIGNED_OUT = "pp_signed_out"
# A reason older than this is stale: the person has moved on.
SIGNED_OUT_REMEMBERED = 3600


def start_session_clock(session: Any) -> None:
    """Called at every password sign-in: the absolute and idle limits start now."""
    now = int(time.time())
    session[AUTH_TIME] = now
    session[LAST_SEEN] = now


def touch(session: Any) -> None:
    session[LAST_SEEN] = int(time.time())


def in_words(seconds: int) -> str:
    """A limit as people say it: '15 minutes', '1 minute', '30 seconds' (a test's short limit)."""
    if seconds % 60:
        return f"{seconds} second{'s' if seconds != 1 else ''}"
    minutes = seconds // 60
    return f"{minutes} minute{'s' if minutes != 1 else ''}"


def note_signed_out(session: Any, reason: str, *, user_id: int) -> None:
    # Whose session it was: on a shared computer the next person to sign in must not be told it was theirs.
    session[SIGNED_OUT] = {"reason": reason, "at": int(time.time()), "user": user_id}


def pop_signed_out(session: Any, *, user_id: int) -> str | None:
    """Why this browser's last session ended, once (then forgotten), if it was within the last hour and it
    was this person's. The session limits middleware takes it on the first page after the second factor, as
    `request.signed_out_reason` (see signed_out_reason)."""
    if SIGNED_OUT not in session:
        return None  # no write to the session
    noted = session.pop(SIGNED_OUT, None)
    if not isinstance(noted, dict) or time.time() - noted.get("at", 0) > SIGNED_OUT_REMEMBERED:
        return None
    if noted.get("user") != user_id:
        return None
    reason = noted.get("reason")
    return reason if reason in {"idle", "absolute"} else None


def signed_out_reason(request: Any) -> str | None:
    """On the first page after signing in again: "idle" or "absolute" if the last session in this browser
    was ended by a limit; None on every other page."""
    return getattr(request, "signed_out_reason", None)


def seconds_left(session: Any) -> tuple[int, int]:
    """(idle, absolute) seconds left for this session; 0 or less means it has expired. A session
    without a clock (made before the clock existed) has expired."""
    now = int(time.time())
    idle = session.get(LAST_SEEN, 0) + settings.SESSION_IDLE_SECONDS - now
    absolute = session.get(AUTH_TIME, 0) + settings.SESSION_ABSOLUTE_SECONDS - now
    return idle, absolute


def end_sessions_of(user_ids: Collection[Any]) -> int:
    """Delete every server-side session of these users (they must sign in again); returns how many ended.

    Sessions are in the database (settings.SESSION_ENGINE), so this reads each unexpired one: there are
    as many as people signed in, which for one panel is small."""
    wanted = {str(pk) for pk in user_ids}
    if not wanted:
        return 0
    store = import_module(settings.SESSION_ENGINE).SessionStore
    ended = 0
    for session in store.get_model_class().objects.filter(expire_date__gt=timezone.now()).iterator():
        if str(session.get_decoded().get(SESSION_KEY)) in wanted:
            store(session_key=session.session_key).delete()
            ended += 1
    return ended
