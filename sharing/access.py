"""The gate: every read of a case, of the items inside it, of a panel meeting or of an export asks here.

The policy itself (the capabilities, the two tables and the ways of seeing a case) is written once in
sharing/policy.py; this module answers every question from it: which cases a user can see
(`visible_cases`, one SQL query), the gate for one case (`access_case`: 404 when hidden, identical to a
missing case; 403 when visible but not allowed), the level at which they see it (`access_level`, the
strongest way), `can` for templates, the items inside a case each user may see (sharing.items,
re-exported here), and who can see a case and why (`who_can_see`). A capability on a case is allowed when
both tables allow it: the user's role (ROLE_ACTIONS) and their level (LEVEL_ACTIONS). Views ask here;
templates receive booleans; every access and every refusal is recorded in the audit log before anything
is shown."""

from __future__ import annotations

import operator
from collections.abc import Iterable
from functools import reduce
from typing import Any
from uuid import UUID

from django.core.exceptions import PermissionDenied
from django.db.models import BooleanField, ExpressionWrapper, Q, QuerySet
from django.http import Http404

from audit import services as audit
from audit.models import ExportJob, ExportKind
from cases.models import (
    AgendaItem,
    Case,
    CaseQuerySet,
    Invitation,
    PanelMeeting,
    PanelMeetingQuerySet,
)
from sharing.items import visible_assessments, visible_notes, visible_sessions, visible_support_elements
from sharing.meeting_policy import MEETING_LEVEL_ACTIONS, meeting_level
from sharing.policy import (
    CASE_CAPABILITIES,
    LEVEL_ACTIONS,
    READ,
    ROLE_ACTIONS,
    AccessLevel,
    Capability,
    Route,
    is_active,
    level_allows,
    levels_allowing,
    may_record_session,
    openings,
    openings_by_level,
    owning_council,
    role_allows,
    routes,
    strongest,
)

__all__ = [
    "LEVEL_ACTIONS",
    "ROLE_ACTIONS",
    "AccessLevel",
    "Capability",
    "access_case",
    "access_export",
    "access_level",
    "access_meeting",
    "access_minutes",
    "can",
    "can_do",
    "can_export",
    "can_meeting",
    "earlier_cases",
    "find_case_by_number",
    "may_record_session",
    "may_report_on_case",
    "may_update_subject",
    "minutes_copies",
    "require",
    "visible_agenda",
    "visible_assessments",
    "visible_cases",
    "visible_meetings",
    "visible_notes",
    "visible_sessions",
    "visible_support_elements",
    "who_can_see",
]


def can_do(user: Any, action: Capability) -> bool:
    """Whether the user's role allows a service-wide action (inactive users may do nothing)."""
    return role_allows(user, action)


def require(user: Any, action: Capability) -> None:
    """Raise PermissionDenied (403) unless the role allows the action; a refusal is audited first."""
    if not can_do(user, action):
        audit.record_denied(actor=user, event=f"{action.value}.denied", reason=f"role may not {action.label.lower()}")
        raise PermissionDenied


def _visibility(user: Any) -> Q | None:
    """The whole visibility rule as one Q expression, for a few cases (earlier cases of a subject): the
    ways of seeing a case, OR-ed, so PostgreSQL tests only the rows it found by subject."""
    conditions = [opening.condition for opening in openings(user)]
    return reduce(operator.or_, conditions) if conditions else None


def _with_levels(cases: QuerySet[Case], user: Any) -> QuerySet[Case]:
    """The cases with, for each level, whether a way opens the case to the user at that level: the level
    comes in the same query as the row. No level for a user who may not see cases."""
    return cases.annotate(
        **{
            f"seen_as_{level.value}": ExpressionWrapper(condition, output_field=BooleanField())
            for level, condition in openings_by_level(user).items()
        }
    )


def _level_of(row: Case) -> AccessLevel | None:
    return strongest(level for level in AccessLevel if getattr(row, f"seen_as_{level.value}", False))


def visible_cases(user: Any, *, action: Capability = Capability.VIEW) -> CaseQuerySet:
    """Every case on which the user may do `action` (by default, see it), as one SQL query: both tables
    apply, as in access_case. Records nothing: the caller records what it shows.

    The ways whose level allows `action`, combined as `pk IN (ids of way 1 UNION ALL ids of way 2 ...)`:
    OR-ed, PostgreSQL would test every case row against every way (a scan of the whole table, 20-60 ms at
    100,000 cases), where the union is built from indexes over the few cases each user can see
    (docs/benchmarks.md).
    """
    ways = openings(user, levels_allowing(action)) if can_do(user, action) else []
    if not ways:
        return Case.objects.none()
    ids = [way.ids.order_by() for way in ways]
    return Case.objects.filter(pk__in=ids[0].union(*ids[1:], all=True) if len(ids) > 1 else ids[0])


def access_level(user: Any, case: Case) -> AccessLevel | None:
    """How this user comes to see this case: the strongest of the ways that open it to them, or None.
    One query; records nothing (access_case records, and sets the level on the case it returns)."""
    if not openings(user):
        return None
    row = _with_levels(Case.objects.filter(pk=case.pk), user).first()
    return _level_of(row) if row is not None else None


def _allowed(user: Any, level: AccessLevel | None, action: Capability) -> bool:
    return can_do(user, action) and level_allows(level, action)


# Capabilities that change a case: a GET through the gate only opens their form (or page), a POST sends it.
CASE_CHANGES = CASE_CAPABILITIES - READ - {Capability.ACCESS_HISTORY, Capability.CORRECTION_HISTORY}


def _case_event(action: Capability) -> str:
    """The gate's event: case.viewed for a read; for a change, case.<action>.form_opened when the request
    only opens its form (GET), case.<action> when it is sent; the service records the change itself."""
    if action in READ:
        return "case.viewed"
    if action in CASE_CHANGES and audit.request_only_reads():
        return f"case.{action.value}.form_opened"
    return f"case.{action.value}"


def access_case(user: Any, reference: UUID, *, action: Capability = Capability.VIEW, purpose: str = "") -> Case:
    """The gate for one case. Records the access, allowed or denied, before returning.

    Raises Http404 when the case is hidden from the user or does not exist (the same response, so a
    reference reveals nothing), and PermissionDenied when the user can see it but not do `action`.
    The case comes back with `access_level` set, for `can`.
    """
    # The row found by reference carries its level, and the level alone says whether the user sees it: a
    # hidden case and a missing one are then answered alike.
    found = _with_levels(Case.objects.select_related("subject", "owning_agency"), user).filter(reference=reference)
    case = found.first()
    level = _level_of(case) if case is not None else None
    event = _case_event(action)
    if case is None or level is None:
        # Recorded against the case when it exists, so its owner and auditors see the attempt; the
        # response is the same either way.
        number = case.number if case is not None else ""
        audit.record_denied(
            actor=user, event=event, model=Case, object_repr=str(reference), case_reference=number, reason="not visible"
        )
        raise Http404("No such case")
    case.access_level = level  # type: ignore[attr-defined]
    if not _allowed(user, level, action):
        audit.record_denied(actor=user, event=event, obj=case, case_reference=case.number, reason="not allowed")
        raise PermissionDenied
    audit.record(
        event=event, actor=user, obj=case, case_reference=case.number, purpose=purpose, detail={"level": level}
    )
    return case


def can(user: Any, case: Case, action: Capability) -> bool:
    """For templates: may this user do `action` on a case they already reached through access_case?"""
    level = getattr(case, "access_level", None)
    if level is None:
        level = access_level(user, case)
    return _allowed(user, level, action)


def may_update_subject(user: Any, subject: Any) -> bool:
    """A repeat referral may update a person's details only if the referrer owns every case about them."""
    return (
        is_active(user)
        and owning_council(user) is not None
        and not subject.cases.exclude(owning_agency_id=user.agency_id).exists()
    )


def earlier_cases(user: Any, *, subjects: list[Any], exclude: Case | None = None) -> tuple[list[Case], int]:
    """Earlier cases of these subjects, for repeat referrals: the ones the user may see (with their
    stage, i.e. outcome), and how many others exist, which is all the user may learn about them."""
    cases = Case.objects.filter(subject__in=subjects).order_by("-received_on", "-id")
    if exclude is not None:
        cases = cases.exclude(pk=exclude.pk)
    rule = _visibility(user)
    visible = list(cases.filter(rule)) if rule is not None else []
    return visible, cases.count() - len(visible)


def who_can_see(case: Case) -> list[Route]:
    """Transparency for the owner: every route by which someone can see this case, and why (the ways of
    seeing a case, each listing who it opens the case to: providers only while their support lasts,
    grants only while in force)."""
    return routes(case)


def find_case_by_number(number: str) -> Case | None:
    """For access requests and break-glass, where the user knows a case number but cannot see the case.
    The caller must not reveal whether it exists."""
    return Case.objects.filter(number=number.strip().upper()).first()


def find_case_by_reference(reference: UUID) -> Case | None:
    """As find_case_by_number, for the reference an "Ask for access" link carries: one query either way."""
    return Case.objects.filter(reference=reference).first()


def may_report_on_case(user: Any, number: str) -> bool:
    """A case's access report: auditors for any case number; otherwise whoever may see the case's
    access history (the owning council)."""
    if can_do(user, Capability.EXPORT_AUDIT):
        return True
    return visible_cases(user, action=Capability.ACCESS_HISTORY).filter(number=number).exists()


def access_export(user: Any, reference: UUID, *, event: str, record_allowed: bool = True) -> Any:
    """The gate for an export: only its requester, and only while they may still make it.

    Anyone else, and a requester who has since lost the right (a changed role, a case no longer
    theirs), gets the same 404 as for a missing export. Records the access, allowed or denied;
    `record_allowed=False` is for the progress polls of the requester's own job page (a count, every
    two seconds), whose refusals are still recorded.
    """
    job = ExportJob.objects.select_related("requested_by").filter(reference=reference).first()
    allowed = (
        job is not None
        and is_active(user)
        and job.requested_by_id == user.pk
        and (
            can_do(user, Capability.EXPORT_AUDIT)
            if job.kind == ExportKind.LOG
            else may_report_on_case(user, job.case_reference)
        )
    )
    if job is None or not allowed:
        audit.record_denied(
            actor=user,
            event=event,
            obj=job,
            model=ExportJob,
            object_repr=str(reference),
            reason="not the requester" if job is not None else "no such export",
        )
        raise Http404("No such export")
    if record_allowed:
        audit.record(event=event, actor=user, obj=job, case_reference=job.history_reference)
    return job


def can_export(user: Any) -> bool:
    """Whether the user may have exports at all: auditors, and roles that see a case's access history."""
    return can_do(user, Capability.EXPORT_AUDIT) or can_do(user, Capability.ACCESS_HISTORY)


# --- panel meetings ---------------------------------------------------------------------------------
# The owning council's coordinators and chairs see and organise its meetings; only a panel chair runs
# one. Anyone else sees a meeting only when they or their agency are invited, and then only the agenda
# cases they may see anyway (by their own access or a meeting-scoped grant): a meeting never widens what
# a case shows.


def visible_meetings(user: Any) -> PanelMeetingQuerySet:
    """Meetings the user may open: their council's, or ones they or their agency are invited to."""
    if not can_do(user, Capability.VIEW_MEETING):
        return PanelMeeting.objects.none()
    invited = Invitation.objects.filter(Q(user_id=user.pk) | Q(agency_id=user.agency_id)).values("meeting_id")
    rule = Q(pk__in=invited)
    council = owning_council(user)
    if council is not None:
        rule |= Q(owning_agency_id=council)
    return PanelMeeting.objects.filter(rule)


def can_meeting(user: Any, meeting: PanelMeeting, action: Capability) -> bool:
    """For templates: may this user do `action` on a meeting they reached through access_meeting?"""
    return can_do(user, action) and action in MEETING_LEVEL_ACTIONS[meeting_level(user, meeting.owning_agency_id)]


def _find_meeting(user: Any, reference: UUID) -> PanelMeeting | None:
    return visible_meetings(user).select_related("chair__agency", "owning_agency").filter(reference=reference).first()


def access_meeting(user: Any, reference: UUID, *, action: Capability = Capability.VIEW_MEETING) -> PanelMeeting:
    """The gate for one meeting, like access_case: Http404 when hidden or missing (the same response),
    PermissionDenied when visible but `action` is not allowed. Records the access, allowed or denied."""
    meeting = _find_meeting(user, reference)
    event = "meeting.viewed" if action == Capability.VIEW_MEETING else f"meeting.{action.value}"
    if meeting is None:
        audit.record_denied(
            actor=user, event=event, model=PanelMeeting, object_repr=str(reference), reason="not visible"
        )
        raise Http404("No such meeting")
    if not can_meeting(user, meeting, action):
        audit.record_denied(actor=user, event=event, obj=meeting, reason="not allowed")
        raise PermissionDenied
    audit.record(event=event, actor=user, obj=meeting)
    return meeting


def access_minutes(user: Any, reference: UUID, *, copy: bool = False) -> PanelMeeting:
    """The gate for a meeting's minutes, like access_meeting. Draft minutes are the council's until the
    chair approves them, and a `copy` (an attendee's PDF) exists only once they are approved: otherwise
    Http404, the same as for a hidden or missing meeting. Records the access as meeting.viewed, allowed
    or denied, before anything is shown."""
    meeting = _find_meeting(user, reference)
    if meeting is None:
        audit.record_denied(
            actor=user, event="meeting.viewed", model=PanelMeeting, object_repr=str(reference), reason="not visible"
        )
        raise Http404("No such meeting")
    drafts = not copy and can_meeting(user, meeting, Capability.ORGANISE_MEETING)
    if not meeting.is_locked and not drafts:
        audit.record_denied(actor=user, event="meeting.viewed", obj=meeting, reason="minutes not approved")
        raise Http404("No minutes yet")
    audit.record(event="meeting.viewed", actor=user, obj=meeting)
    return meeting


def visible_agenda(user: Any, meeting: PanelMeeting, *, action: Capability = Capability.VIEW) -> QuerySet[AgendaItem]:
    """The meeting's agenda items whose case the user may `action` (VIEW for the agenda, VIEW_FULL for
    the minutes, which carry the discussion and rationale)."""
    return (
        meeting.items.filter(case__in=visible_cases(user, action=action))
        .select_related("case__subject", "case__referral__concern_type")
        .order_by("position", "id")
    )


def minutes_copies(meeting: PanelMeeting, attendees: Iterable[Any]) -> dict[Any, list[str]]:
    """For circulating minutes: the case numbers each attendee's copy will contain."""
    return {
        user: list(visible_agenda(user, meeting, action=Capability.VIEW_FULL).values_list("case__number", flat=True))
        for user in attendees
    }
