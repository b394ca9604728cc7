"""What every record about a panel sitting checks first. Approved minutes are final, so nothing about a
locked meeting changes; attendance and decisions are facts of the sitting itself, so they cannot be
recorded before it starts. Used by the meeting, decision and casework services alike, and by the pages,
which offer a form only when these rules would let it succeed (the same functions answer both)."""

from __future__ import annotations

from django.utils import timezone

from cases.models import PanelMeeting
from cases.services.stages import refuse


def refuse_if_locked(meeting: PanelMeeting) -> None:
    """Raises ValidationError when the meeting's minutes are approved or it was cancelled. Pass the stored
    meeting, locked (select_for_update): a caller's older copy may predate the approval."""
    if meeting.is_locked:
        refuse("The minutes of this meeting are approved and locked: nothing about it can be changed.")
    if meeting.is_cancelled:
        refuse("This meeting was cancelled: nothing about it can be changed. Plan another meeting for its cases.")


def has_started(meeting: PanelMeeting) -> bool:
    """The time rule, asked in one place: a sitting's records are made from its start."""
    return timezone.now() >= meeting.starts


def start_in_words(meeting: PanelMeeting) -> str:
    """When the meeting starts, as the pages and refusals say it: '10:00 on 12 December 2026'."""
    return f"{timezone.localtime(meeting.starts):%H:%M on %-d %B %Y}"


def refuse_before_start(meeting: PanelMeeting, what: str) -> None:
    """Raises ValidationError when the meeting has not started yet: recorded ahead of it, the minutes
    would show a quorum and decisions that no meeting had yet produced."""
    if not has_started(meeting):
        refuse(f"The meeting has not started yet: {what} can be recorded from {start_in_words(meeting)}.")
