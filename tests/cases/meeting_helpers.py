"""Builders for panel meetings, through the real services. Synthetic names only."""

from __future__ import annotations

from datetime import time, timedelta
from typing import Any

from django.utils import timezone

from cases.models import AgendaItem, Case, PanelMeeting
from cases.services import meetings
from partners.models import User


def plan_meeting(*, organiser: User, chair: User, days_ahead: int = 7, **overrides: Any) -> PanelMeeting:
    fields: dict[str, Any] = {
        "held_on": timezone.localdate() + timedelta(days=days_ahead),
        "starts_at": time(10),
        "place": "Committee Room 1, Testshire House",
        "chair": chair,
    }
    fields.update(overrides)
    return meetings.create_meeting(actor=organiser, **fields)


def on_agenda(meeting: PanelMeeting, *cases: Case, actor: User) -> list[AgendaItem]:
    return meetings.add_to_agenda(meeting=meeting, actor=actor, cases=cases)


def begin(meeting: PanelMeeting) -> PanelMeeting:
    """The meeting's day comes: it moves to today, started at midnight, as if time had passed (setup only;
    attendance and decisions are refused before a meeting starts)."""
    PanelMeeting.objects.filter(pk=meeting.pk).update(held_on=timezone.localdate(), starts_at=time(0))
    meeting.refresh_from_db()
    return meeting


def attend(meeting: PanelMeeting, *present: User, actor: User) -> None:
    """Begin the meeting, invite whoever is not on the register yet (as a core member) and record them as
    present."""
    begin(meeting)
    expected = {user.pk for user in meetings.expected_attendees(meeting)}
    for user in present:
        if user.pk not in expected:
            meetings.invite(meeting=meeting, actor=actor, user=user)
    meetings.record_attendance(meeting=meeting, actor=actor, present=present)
