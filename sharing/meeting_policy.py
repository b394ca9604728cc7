"""The panel meetings' part of the access policy (sharing/policy.py holds the rest).

The owning council's coordinators and chairs see and organise its meetings; only a panel chair runs
one. Anyone else sees a meeting only when they or their agency are invited, and then only the agenda
cases they may see anyway (by their own access or a meeting-scoped grant): a meeting never widens what
a case shows.
"""

from __future__ import annotations

from typing import Any

from django.db import models

from sharing.policy import Capability, owning_council


class MeetingLevel(models.TextChoices):
    OWNER = "owner", "Owning council"
    INVITEE = "invitee", "Invited"


MEETING_LEVEL_ACTIONS: dict[str, frozenset[Capability]] = {
    MeetingLevel.OWNER: frozenset({Capability.VIEW_MEETING, Capability.ORGANISE_MEETING, Capability.CHAIR_MEETING}),
    MeetingLevel.INVITEE: frozenset({Capability.VIEW_MEETING}),
}


def meeting_level(user: Any, owning_agency_id: int) -> MeetingLevel:
    """How this user comes to a meeting of that council's panel (call for meetings they can see)."""
    council = owning_council(user)
    return MeetingLevel.OWNER if council is not None and owning_agency_id == council else MeetingLevel.INVITEE
