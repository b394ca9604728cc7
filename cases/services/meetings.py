"""Writes with business meaning for panel meetings: planning, the agenda, invitations, circulation,
attendance, the record of each item's discussion, and approving (locking) the minutes.

Decisions and actions taken at a meeting are recorded by cases.services.decisions.record_decision and
cases.services.casework.add_action, which check attendance and the lock (cases.services.sittings).
Meeting-scoped grants for per-case invitees are made and ended only by sharing.services. Every function
is keyword-only, atomic and audited; who may call it is decided beforehand by sharing.access
(access_meeting). A rule that says no raises ValidationError and changes nothing.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from datetime import date, time
from typing import Any

from django.db import transaction
from django.db.models import Max, Q
from django.utils import timezone

from audit import services as audit
from cases.models import (
    AGENDA_STAGES,
    POST_EXIT_STAGES,
    AgendaItem,
    AgendaKind,
    Attendance,
    Case,
    CaseQuerySet,
    Decision,
    Invitation,
    MeetingStatus,
    PanelMeeting,
    Stage,
)
from cases.services.decisions import decisions_losing_quorum
from cases.services.sittings import has_started, refuse_before_start, refuse_if_locked, start_in_words
from cases.services.stages import change_stage, refuse
from cases.tasks import notify_meeting_invitees, notify_minutes_approved
from partners.models import Agency, User
from sharing.policy import Capability, roles_with
from sharing.services import end_meeting_access, grant_meeting_access, meeting_access_ends

KIND_BY_STAGE = dict(AGENDA_STAGES)
# Cases that come back to a panel are listed again as they go on the agenda (the stage machine's
# 'deferred' and 're-assessment scheduled' both lead back to 'listed for panel').
RELIST = frozenset({Stage.DEFERRED, Stage.REASSESSMENT_SCHEDULED})


def agenda_kind(case: Case) -> AgendaKind:
    """The heading a case goes under on an agenda, from its stage."""
    if case.stage in POST_EXIT_STAGES:
        return AgendaKind.POST_EXIT_REVIEW
    return KIND_BY_STAGE[Stage(case.stage)]


def agenda_candidates(*, cases: CaseQuerySet, meeting: PanelMeeting) -> list[tuple[AgendaKind, list[Case]]]:
    """From `cases` (the caller's visible cases), those a panel may need to discuss and that are not on
    this agenda yet, grouped under their agenda heading in agenda order."""
    found = (
        cases.for_panel()
        .filter(owning_agency_id=meeting.owning_agency_id)
        .exclude(agenda_items__meeting=meeting)
        .select_related("subject")
        .order_by("received_on", "id")
    )
    groups: dict[AgendaKind, list[Case]] = {kind: [] for kind in AgendaKind}
    for case in found:
        groups[agenda_kind(case)].append(case)
    return [(kind, listed) for kind, listed in groups.items() if listed]


def expected_attendees(meeting: PanelMeeting) -> list[User]:
    """Who the attendance register lists: the chair, the council's coordinators and chairs, invited
    people, and the panel roles of invited agencies."""
    invited_agencies = Invitation.objects.filter(meeting=meeting, agency__isnull=False).values("agency_id")
    invited_people = Invitation.objects.filter(meeting=meeting, user__isnull=False).values("user_id")
    # The roles come from the policy: the council's organisers, and of invited agencies whoever may see a
    # meeting at all (never auditors or administrators).
    council = Q(agency_id=meeting.owning_agency_id, role__in=roles_with(Capability.ORGANISE_MEETING), is_active=True)
    attending = roles_with(Capability.VIEW_MEETING)
    invited = Q(agency_id__in=invited_agencies, role__in=attending, is_active=True) | Q(pk__in=invited_people)
    people = User.objects.filter(council | invited | Q(pk=meeting.chair_id)).select_related("agency")
    return sorted(people, key=lambda u: (u.pk != meeting.chair_id, u.agency.name, u.last_name, u.first_name))


# --- planning ---------------------------------------------------------------------------------------


@transaction.atomic
def create_meeting(*, actor: User, held_on: date, starts_at: time, place: str, chair: User) -> PanelMeeting:
    """Plan a meeting of the actor's council's panel. The chair must be an active panel chair of that
    council (CTSA 2015 s.37(5): the local authority chairs). Audited as meeting.created."""
    if (
        chair.role not in roles_with(Capability.CHAIR_MEETING)
        or chair.agency_id != actor.agency_id
        or not chair.is_active
    ):
        refuse(f"The chair must be a panel chair of {actor.agency.name}.")
    if held_on < timezone.localdate():
        refuse("The meeting date must be today or in the future.")
    if not place.strip():
        refuse("Say where the meeting is held, or give the video link.")
    meeting = PanelMeeting.objects.create(
        owning_agency=actor.agency, held_on=held_on, starts_at=starts_at, place=place, chair=chair, created_by=actor
    )
    audit.record(
        event="meeting.created",
        actor=actor,
        obj=meeting,
        action=audit.EntryKind.CREATE,
        detail={"held_on": held_on.isoformat()},
    )
    return meeting


@transaction.atomic
def add_to_agenda(*, meeting: PanelMeeting, actor: User, cases: Iterable[Case]) -> list[AgendaItem]:
    """Put cases on the agenda, after the items already there. Deferred cases and re-assessments are
    listed for panel again as they go on. Audited as meeting.agenda_item_added for each case."""
    meeting = PanelMeeting.objects.select_for_update().get(pk=meeting.pk)
    refuse_if_locked(meeting)
    chosen = list(cases)
    if not chosen:
        refuse("Choose at least one case for the agenda.")
    position = meeting.items.aggregate(p=Max("position"))["p"] or 0
    items = []
    for case in chosen:
        case = Case.objects.select_for_update().get(pk=case.pk)
        if case.owning_agency_id != meeting.owning_agency_id:
            refuse(f"{case.number} belongs to another council's panel.")
        if not Case.objects.filter(pk=case.pk).for_panel().exists():
            refuse(f"{case.number} is at '{Stage(case.stage).label}', which is not for a panel to discuss.")
        if meeting.items.filter(case=case).exists():
            refuse(f"{case.number} is already on this agenda.")
        kind = agenda_kind(case)
        if case.stage in RELIST:
            change_stage(
                case=case,
                to=Stage.LISTED_FOR_PANEL,
                actor=actor,
                reason=f"Listed for the panel on {meeting.held_on:%-d %B %Y}",
            )
        position += 1
        item = AgendaItem.objects.create(meeting=meeting, case=case, kind=kind, position=position)
        audit.record(
            event="meeting.agenda_item_added",
            actor=actor,
            obj=meeting,
            action=audit.EntryKind.UPDATE,
            case_reference=case.number,
            detail={"kind": str(kind)},
        )
        _restore_invitations(meeting=meeting, item=item, actor=actor)
        items.append(item)
    return items


def _restore_invitations(*, meeting: PanelMeeting, item: AgendaItem, actor: User) -> None:
    """A case back on the agenda is back in the per-case invitations made for it (and, once the agenda
    is circulated, their grants are made again), as if it had never been taken off."""
    # After the invitees' access window the grant would be refused; the invitation is still restored.
    granting = meeting.status == MeetingStatus.CIRCULATED and meeting_access_ends(meeting) > timezone.now()
    for invitation in meeting.invitations.filter(cases=item.case).select_related("agency", "user"):
        invitation.items.add(item)
        if granting:
            _grant_for(invitation, [item], actor)


@transaction.atomic
def remove_from_agenda(*, item: AgendaItem, actor: User) -> None:
    """Take an undecided item off the agenda. The meeting-scoped grants made for it end now
    (sharing.services.end_meeting_access), so no invitee keeps the case once it is off the agenda. Per-case
    invitations keep the case (Invitation.cases): they stay per-case, and cover it again if it goes back
    on. Audited as meeting.agenda_item_removed, each grant as sharing.revoked."""
    # The meeting first, locked, as approve_minutes locks it: a removal must not slip in beside an
    # approval. Items never move between meetings, so the caller's meeting_id is the stored one.
    meeting = PanelMeeting.objects.select_for_update().get(pk=item.meeting_id)
    refuse_if_locked(meeting)
    item = AgendaItem.objects.select_for_update(of=("self",)).select_related("case").get(pk=item.pk)
    if Decision.objects.filter(agenda_item=item).exists() or item.actions.exists():
        refuse("An item with a decision or actions stays on the agenda: it is part of the minutes.")
    audit.record(
        event="meeting.agenda_item_removed",
        actor=actor,
        obj=meeting,
        action=audit.EntryKind.UPDATE,
        case_reference=item.case.number,
    )
    end_meeting_access(meeting=meeting, actor=actor, case=item.case)
    item.delete()


def _grant_for(invitation: Invitation, items: Iterable[AgendaItem], actor: User) -> None:
    for item in items:
        grant_meeting_access(
            meeting=invitation.meeting, case=item.case, actor=actor, agency=invitation.agency, user=invitation.user
        )


@transaction.atomic
def invite(
    *,
    meeting: PanelMeeting,
    actor: User,
    agency: Agency | None = None,
    user: User | None = None,
    items: Iterable[AgendaItem] = (),
) -> Invitation:
    """Invite an agency or one person. With no items they are a core member and see the agenda cases
    they may already see; with items they are a per-case invitee (CTSA 2015 s.37(4)) and get a
    meeting-scoped grant to each item's case when the agenda is circulated (at once if it already has
    been). Inviting again adds items. The new invitees are emailed the date and a link (cases.tasks).
    Audited as meeting.invited."""
    meeting = PanelMeeting.objects.select_for_update().get(pk=meeting.pk)
    refuse_if_locked(meeting)
    if (agency is None) == (user is None):
        refuse("Invite one agency or one person.")
    if user is not None and (not user.is_active or user.role not in roles_with(Capability.VIEW_MEETING)):
        refuse("Only active panel members, police, coordinators, chairs and providers can be invited.")
    if agency is not None and not agency.is_active:
        refuse(f"{agency.name} is no longer active.")
    chosen = list(items)
    if any(item.meeting_id != meeting.pk for item in chosen):
        refuse("Invite people only to items on this meeting's agenda.")
    invitation, created = Invitation.objects.get_or_create(
        meeting=meeting, agency=agency, user=user, defaults={"invited_by": actor}
    )
    new_items = [item for item in chosen if not invitation.items.filter(pk=item.pk).exists()]
    if not created and not new_items:
        refuse("Already invited: choose agenda items to add to the invitation.")
    invitation.items.add(*new_items)
    invitation.cases.add(*[item.case_id for item in new_items])
    if meeting.status == MeetingStatus.CIRCULATED:
        _grant_for(invitation, new_items, actor)
    if created:
        notify_meeting_invitees.delay_on_commit(meeting.pk, "invited", invitation.pk)
    audit.record(
        event="meeting.invited",
        actor=actor,
        obj=meeting,
        action=audit.EntryKind.UPDATE,
        detail={
            "to_agency": agency.code if agency else None,
            "to_user": user.username if user else None,
            "items": [item.case.number for item in new_items],
        },
    )
    return invitation


@transaction.atomic
def circulate_agenda(*, meeting: PanelMeeting, actor: User) -> PanelMeeting:
    """Send the agenda out: per-case invitees get their meeting-scoped grants from now until
    sharing.services.meeting_access_ends, and every invitee is emailed the date and a link (cases.tasks).
    Audited as meeting.circulated."""
    meeting = PanelMeeting.objects.select_for_update().get(pk=meeting.pk)
    refuse_if_locked(meeting)
    if meeting.status != MeetingStatus.PLANNED:
        refuse("The agenda has already been circulated.")
    if not meeting.items.exists():
        refuse("Put at least one case on the agenda before circulating it.")
    for invitation in meeting.invitations.select_related("agency__group", "user"):
        _grant_for(invitation, invitation.items.select_related("case"), actor)
    meeting.status = MeetingStatus.CIRCULATED
    meeting.circulated_at = timezone.now()
    meeting.save(update_fields=["status", "circulated_at"])
    audit.record(
        event="meeting.circulated",
        actor=actor,
        obj=meeting,
        action=audit.EntryKind.UPDATE,
        detail={"items": meeting.items.count(), "invitations": meeting.invitations.count()},
    )
    notify_meeting_invitees.delay_on_commit(meeting.pk, "circulated")
    return meeting


# --- in the meeting ---------------------------------------------------------------------------------


@transaction.atomic
def record_attendance(*, meeting: PanelMeeting, actor: User, present: Iterable[User]) -> list[Attendance]:
    """Record who is present, from the expected attendees; everyone else on the register is absent.
    Only once the meeting has started. It can be recorded again as people arrive, but not so as to leave
    a decision already recorded without the chair or police for its subject's area: the minutes show
    this attendance beside every decision. Audited as meeting.attendance_recorded (counts only)."""
    meeting = PanelMeeting.objects.select_for_update().get(pk=meeting.pk)
    refuse_if_locked(meeting)
    refuse_before_start(meeting, "attendance")
    expected = expected_attendees(meeting)
    here = {user.pk for user in present}
    if here - {user.pk for user in expected}:
        refuse("Only people on the attendance register can be recorded as present.")
    invalidated = decisions_losing_quorum(meeting=meeting, present=[user for user in expected if user.pk in here])
    if invalidated:
        decisions = "The decisions on" if len(invalidated) > 1 else "The decision on"
        refuse(
            f"{decisions} {', '.join(invalidated)} {'were' if len(invalidated) > 1 else 'was'} taken with the chair "
            "(or a deputy), a police representative for the subject's area and the panel's own quorum present "
            "(CTSA 2015 s.37(3)): they must stay recorded as present."
        )
    now = timezone.now()
    rows = []
    for user in expected:
        row, _ = Attendance.objects.update_or_create(
            meeting=meeting, user=user, defaults={"present": user.pk in here, "recorded_at": now}
        )
        rows.append(row)
    audit.record(
        event="meeting.attendance_recorded",
        actor=actor,
        obj=meeting,
        action=audit.EntryKind.UPDATE,
        detail={"present": len(here), "absent": len(expected) - len(here)},
    )
    return rows


@transaction.atomic
def record_discussion(*, item: AgendaItem, actor: User, discussion: str) -> AgendaItem:
    """The minutes' record of an item's discussion. Audited without the text (it names people)."""
    # The meeting first, locked, as approve_minutes locks it: approved minutes must not change after.
    meeting = PanelMeeting.objects.select_for_update().get(pk=item.meeting_id)
    refuse_if_locked(meeting)
    item = AgendaItem.objects.select_for_update(of=("self",)).select_related("case").get(pk=item.pk)
    if not discussion.strip():
        refuse("Record the discussion.")
    item.discussion = discussion
    item.save(update_fields=["discussion"])
    audit.record(
        event="meeting.discussion_recorded",
        actor=actor,
        obj=meeting,
        action=audit.EntryKind.UPDATE,
        case_reference=item.case.number,
    )
    return item


# --- minutes ----------------------------------------------------------------------------------------


def present_attendees(meeting: PanelMeeting) -> list[User]:
    """Who the recorded attendance says was present: the people whose copies of the minutes are made."""
    return [row.user for row in meeting.attendance.filter(present=True).select_related("user__agency")]


def approval_problems(meeting: PanelMeeting) -> list[str]:
    """Why the chair cannot approve the minutes yet, in words (none when they can): the page offers
    approval only when this is empty, and approve_minutes refuses with the first."""
    if meeting.is_cancelled:
        return ["This meeting was cancelled: it has no minutes to approve."]
    if not has_started(meeting):
        return [
            f"You can approve the minutes once the meeting has taken place: it starts at {start_in_words(meeting)}."
        ]
    problems = []
    if not meeting.attendance.exists():
        problems.append("Record the attendance before approving the minutes.")
    open_items = meeting.items.filter(decision__isnull=True, discussion="").select_related("case")
    missing = [item.case.number for item in open_items]
    if missing:
        problems.append(f"Record a decision or the discussion for every item first: {', '.join(missing)}.")
    return problems


@transaction.atomic
def approve_minutes(*, meeting: PanelMeeting, actor: User, copies: Mapping[Any, list[str]]) -> PanelMeeting:
    """The chair approves the minutes, which lock the meeting: attendance, agenda, decisions, actions and
    discussion can no longer change. Only after the meeting has started, with attendance recorded and a
    decision or a recorded discussion for every item (approval_problems). The minutes
    are then circulated: `copies` (from sharing.access.minutes_copies) says which cases each attendee's
    copy holds, and each copy is audited as meeting.minutes_circulated."""
    meeting = PanelMeeting.objects.select_for_update().get(pk=meeting.pk)
    refuse_if_locked(meeting)
    problems = approval_problems(meeting)
    if problems:
        refuse(problems[0])
    meeting.status = MeetingStatus.APPROVED
    meeting.approved_at = timezone.now()
    meeting.approved_by = actor
    meeting.save(update_fields=["status", "approved_at", "approved_by"])
    audit.record(event="meeting.minutes_approved", actor=actor, obj=meeting, action=audit.EntryKind.UPDATE)
    for user, numbers in copies.items():
        audit.record(
            event="meeting.minutes_circulated",
            actor=actor,
            obj=meeting,
            detail={"to_user": user.username, "to_agency": user.agency.code, "cases": numbers},
        )
    notify_minutes_approved.delay_on_commit(meeting.pk)
    return meeting
