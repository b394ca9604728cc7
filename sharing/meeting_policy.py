"""The panel meetings' part of the access policy (sharing/policy.py holds the rest).

The owning council's coordinators and chairs see and organise its meetings; only a panel chair runs
one. Anyone else sees a meeting only when they or their agency are invited, and then only the agenda
cases they may see anyway (by their own access or a meeting-scoped grant): a meeting never widens what
a case shows.

Chairing: who may run a sitting (attendance, decisions, approving the minutes) is CHAIR_MEETING, held by
the owning council's panel chairs (the role, sharing.policy.ROLE_ACTIONS) at the OWNER level; so a
meeting's new chair runs it from their next request, and a deputy chair (who must be a panel chair of the
council: the admin offers no one else) may run it in the chair's absence. Whether a decision is valid
(CTSA 2015 s.37(3): "the chair" present) is `stands_in_for_chair`: the meeting's chair, or a deputy chair
of the council's panel (cases.models.Panel.deputy_chairs) who still may chair. A panel chair who is
neither may record the sitting, but a decision needs the chair or a deputy present.
"""

from __future__ import annotations

from typing import Any

from django.db import models

from cases.models import Panel, PanelMeeting
from sharing.policy import Capability, owning_council, roles_with


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


def stands_in_for_chair(meeting: PanelMeeting) -> set[int]:
    """The people who count as the chair of `meeting` when present: its chair, and the deputy chairs of
    its council's panel who are active and still may chair (a role change takes the deputy's place away
    without anyone editing the panel). One query."""
    deputies = Panel.deputy_chairs.through.objects.filter(
        panel__council_id=meeting.owning_agency_id,
        user__is_active=True,
        user__agency_id=meeting.owning_agency_id,
        user__role__in=roles_with(Capability.CHAIR_MEETING),
    ).values_list("user_id", flat=True)
    return {meeting.chair_id, *deputies}
