"""Meeting-scoped grants when their meeting changes date: each grant in force ends at the meeting's new
meeting_access_ends, earlier or later. (Granting and ending them is in sharing.services.)"""

from __future__ import annotations

from django.db import transaction

from audit import services as audit
from cases.models import PanelMeeting
from partners.models import User
from sharing.models import GrantKind, ShareGrant
from sharing.services import meeting_access_ends


@transaction.atomic
def move_meeting_access(*, meeting: PanelMeeting, actor: User) -> int:
    """Make the meeting's grants in force end at meeting_access_ends for its (new) date and time; the
    guardian permission stays, since the grant is still in force. Each is audited as
    sharing.meeting_access_moved with the old and new end. Returns how many moved."""
    ends = meeting_access_ends(meeting)
    grants = ShareGrant.objects.active().filter(meeting=meeting, kind=GrantKind.MEETING).exclude(ends_at=ends)
    moved = 0
    for grant in grants.select_for_update(of=("self",)).select_related("case"):
        previous = grant.ends_at
        grant.ends_at = ends
        grant.save(update_fields=["ends_at"])
        audit.record(
            event="sharing.meeting_access_moved",
            actor=actor,
            obj=grant.case,
            action=audit.EntryKind.UPDATE,
            case_reference=grant.case.number,
            detail={
                "grant": str(grant.reference),
                "from": previous.isoformat(),
                "until": ends.isoformat(),
                "meeting": str(meeting.reference),
            },
        )
        moved += 1
    return moved
