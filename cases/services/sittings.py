"""What every record about a panel sitting checks first. Approved minutes are final, so nothing about a
locked meeting changes; attendance and decisions are facts of the sitting itself, so they cannot be
recorded before it starts. Used by the meeting, decision and casework services alike."""

from __future__ import annotations

from django.utils import timezone

from cases.models import PanelMeeting
from cases.services.stages import refuse


def refuse_if_locked(meeting: PanelMeeting) -> None:
    """Raises ValidationError when the meeting's minutes are approved. Pass the stored meeting, locked
    (select_for_update): a caller's older copy may predate the approval."""
    if meeting.is_locked:
        refuse("The minutes of this meeting are approved and locked: nothing about it can be changed.")


def refuse_before_start(meeting: PanelMeeting, what: str) -> None:
    """Raises ValidationError when the meeting has not started yet: recorded ahead of it, the minutes
    would show a quorum and decisions that no meeting had yet produced."""
    if timezone.now() < meeting.starts:
        refuse(
            f"The meeting has not started yet: {what} can be recorded from "
            f"{timezone.localtime(meeting.starts):%-d %B %Y at %H:%M}."
        )
