"""The session clock: when the password was accepted and when the user was last active.

Idle and absolute limits are enforced by partners.middleware.SessionLimitsMiddleware on every request,
whatever the browser's JavaScript does; the timeout warning only reads these values.
"""

from __future__ import annotations

import time
from typing import Any

from django.conf import settings

AUTH_TIME = "pp_auth_time"
LAST_SEEN = "pp_last_seen"
# last_seen is rewritten at most this often, so an ordinary page view costs no session write.
LAST_SEEN_GRANULARITY = 60


def start_session_clock(session: Any) -> None:
    """Called at every password sign-in: the absolute and idle limits start now."""
    now = int(time.time())
    session[AUTH_TIME] = now
    session[LAST_SEEN] = now


def touch(session: Any) -> None:
    session[LAST_SEEN] = int(time.time())


def seconds_left(session: Any) -> tuple[int, int]:
    """(idle, absolute) seconds left for this session; 0 or less means it has expired. A session
    without a clock (made before the clock existed) has expired."""
    now = int(time.time())
    idle = session.get(LAST_SEEN, 0) + settings.SESSION_IDLE_SECONDS - now
    absolute = session.get(AUTH_TIME, 0) + settings.SESSION_ABSOLUTE_SECONDS - now
    return idle, absolute
