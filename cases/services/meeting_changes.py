"""Meetings that change: rescheduling, cancelling and a new chair, each with the reason given (kept in
cases.models.MeetingChange beside the meeting, never in the audit log, since typed text may name people).

A meeting can be rescheduled or cancelled until it starts; its chair can change until the minutes are
approved (or the meeting was cancelled). Meeting-scoped grants follow: a new date moves their end
(sharing.meeting_access), a cancellation ends them at once (sharing.services.end_meeting_access), so an
invitee gets 404 at their next request. Invitees are emailed the date and a link (cases.tasks). Every
function is keyword-only, atomic and audited; who may call it is decided beforehand by sharing.access
(access_meeting with ORGANISE_MEETING). A rule that says no raises ValidationError and changes nothing.
"""

from __future__ import annotations

from datetime import date, time

from django.db import transaction
from django.utils import timezone

from audit import services as audit
from cases.models import Decision, MeetingChange, MeetingChangeKind, MeetingStatus, PanelMeeting
from cases.services.sittings import has_started, refuse_if_locked, start_in_words
from cases.services.stages import refuse
from cases.tasks import notify_meeting_invitees
from partners.models import User
from sharing.meeting_access import move_meeting_access
from sharing.policy import Capability, roles_with
from sharing.services import end_meeting_access


def change_problems(meeting: PanelMeeting) -> list[str]:
    """Why the meeting can no longer be rescheduled or cancelled, in words (none when it can): the page
    offers those forms only when this is empty, and the services refuse with the first."""
    if meeting.is_cancelled:
        return ["This meeting was cancelled."]
    if meeting.is_locked:
        return ["The minutes of this meeting are approved."]
    if has_started(meeting):
        return [f"The meeting started at {start_in_words(meeting)}: it can no longer be moved or cancelled."]
    return []


def chair_candidates(meeting: PanelMeeting) -> list[User]:
    """Who may chair the meeting: the owning council's active people whose role may chair (as the create
    form offers), the current chair left out."""
    people = User.objects.filter(
        agency_id=meeting.owning_agency_id, role__in=roles_with(Capability.CHAIR_MEETING), is_active=True
    ).exclude(pk=meeting.chair_id)
    return list(people.order_by("last_name", "first_name", "pk"))


# The minutes name the chair: once a decision is taken, it is the chair who took it (with the attendance then).
DECIDED = "Decisions have been recorded at this meeting with its chair: the minutes name the chair who took them."


def chair_problems(meeting: PanelMeeting, candidates: list[User]) -> list[str]:
    """Why the chair cannot be changed, in words (none when it can)."""
    if meeting.is_cancelled:
        return ["This meeting was cancelled."]
    if meeting.is_locked:
        return ["The minutes of this meeting are approved: its chair is part of the record."]
    if Decision.objects.filter(agenda_item__meeting=meeting).exists():
        return [DECIDED]
    if not candidates:
        return ["No one else at the council may chair: an administrator can give someone the panel chair role."]
    return []


def _reason(reason: str, what: str) -> str:
    if not reason.strip():
        refuse(f"Give the reason the meeting is {what}: it is kept with the meeting's record.")
    return reason.strip()


@transaction.atomic
def reschedule_meeting(
    *, meeting: PanelMeeting, actor: User, held_on: date, starts_at: time, place: str, reason: str
) -> PanelMeeting:
    """Move the meeting to a new date, time or place, before it starts (change_problems). The invitees'
    meeting grants then end MEETING_ACCESS_DAYS after the new start, and the invitees are emailed.
    Audited as meeting.rescheduled (the old and new date and time; the place may be a private link)."""
    meeting = PanelMeeting.objects.select_for_update().get(pk=meeting.pk)
    problems = change_problems(meeting)
    if problems:
        refuse(problems[0])
    if held_on < timezone.localdate():
        refuse("The meeting date must be today or in the future.")
    if not place.strip():
        refuse("Say where the meeting is held, or give the video link.")
    if (held_on, starts_at, place.strip()) == (meeting.held_on, meeting.starts_at, meeting.place):
        refuse("Change the date, the start time or the place: they are as they were.")
    reason = _reason(reason, "rescheduled")
    before_on, before_at, before_place = meeting.held_on, meeting.starts_at, meeting.place
    MeetingChange.objects.create(
        meeting=meeting,
        kind=MeetingChangeKind.RESCHEDULED,
        reason=reason,
        previous_held_on=before_on,
        previous_starts_at=before_at,
        made_by=actor,
    )
    meeting.held_on, meeting.starts_at, meeting.place = held_on, starts_at, place.strip()
    meeting.save(update_fields=["held_on", "starts_at", "place"])
    audit.record(
        event="meeting.rescheduled",
        actor=actor,
        obj=meeting,
        action=audit.EntryKind.UPDATE,
        detail={
            "from": f"{before_on.isoformat()} {before_at:%H:%M}",
            "to": f"{held_on.isoformat()} {starts_at:%H:%M}",
            "place_changed": meeting.place != before_place,
        },
    )
    move_meeting_access(meeting=meeting, actor=actor)
    notify_meeting_invitees.delay_on_commit(meeting.pk, "rescheduled")
    return meeting


@transaction.atomic
def cancel_meeting(*, meeting: PanelMeeting, actor: User, reason: str) -> PanelMeeting:
    """Cancel the meeting before it starts (change_problems). Its status becomes Cancelled, nothing about
    it changes after, its meeting grants end now (each audited as sharing.revoked) and its agenda's cases
    may go on another meeting's agenda. Invitees are emailed. Audited as meeting.cancelled."""
    meeting = PanelMeeting.objects.select_for_update().get(pk=meeting.pk)
    problems = change_problems(meeting)
    if problems:
        refuse(problems[0])
    reason = _reason(reason, "cancelled")
    MeetingChange.objects.create(meeting=meeting, kind=MeetingChangeKind.CANCELLED, reason=reason, made_by=actor)
    previous = meeting.status
    meeting.status = MeetingStatus.CANCELLED
    meeting.save(update_fields=["status"])
    ended = end_meeting_access(meeting=meeting, actor=actor)
    audit.record(
        event="meeting.cancelled",
        actor=actor,
        obj=meeting,
        action=audit.EntryKind.UPDATE,
        detail={"was": str(previous), "grants_ended": ended, "items": meeting.items.count()},
    )
    notify_meeting_invitees.delay_on_commit(meeting.pk, "cancelled")
    return meeting


@transaction.atomic
def change_chair(*, meeting: PanelMeeting, actor: User, chair: User, reason: str) -> PanelMeeting:
    """A new chair for the meeting, until a decision is recorded at it (the minutes name the chair who took
    the decisions): an active person of the owning council whose role may chair (chair_candidates).
    Audited as meeting.chair_changed (usernames only)."""
    meeting = PanelMeeting.objects.select_for_update().select_related("chair").get(pk=meeting.pk)
    refuse_if_locked(meeting)
    if Decision.objects.filter(agenda_item__meeting=meeting).exists():
        refuse(DECIDED)
    if chair.pk == meeting.chair_id:
        refuse("Choose someone other than the current chair.")
    if (
        chair.role not in roles_with(Capability.CHAIR_MEETING)
        or chair.agency_id != meeting.owning_agency_id
        or not chair.is_active
    ):
        refuse("The chair must be an active panel chair of the council whose panel this is.")
    reason = _reason(reason, "getting a new chair")
    previous = meeting.chair
    MeetingChange.objects.create(
        meeting=meeting, kind=MeetingChangeKind.CHAIR_CHANGED, reason=reason, previous_chair=previous, made_by=actor
    )
    meeting.chair = chair
    meeting.save(update_fields=["chair"])
    audit.record(
        event="meeting.chair_changed",
        actor=actor,
        obj=meeting,
        action=audit.EntryKind.UPDATE,
        detail={"from_user": previous.username, "to_user": chair.username},
    )
    return meeting
