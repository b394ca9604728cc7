"""The one place that decides who may see and do what.

The whole policy is in this module: which cases a user can see (`visible_cases`, one SQL query),
the gate for one case (`access_case`: 404 when hidden, identical to a missing case; 403 when visible
but not allowed), `can` for templates, the items inside a case each user may see, and two tables:
what each role may do (ROLE_ACTIONS) and what each kind of access allows (LEVEL_ACTIONS). An action
on a case is allowed when both tables allow it. Views ask here; templates receive booleans; every
access and every refusal is recorded in the audit log before anything is shown.

Who sees a case, and at which level:
- OWNER: the owning council's Prevent coordinators and panel chairs;
- POLICE: police practitioners of the force for the subject's area;
- FULL or SUMMARY: anyone else with a grant in force, to them or to their agency (ShareGrant, backed by
  a django-guardian permission; a grant that has ended or been revoked stops working at the next
  request, whatever the housekeeping task has or has not done yet);
- PROVIDER: an intervention provider named on one of the case's support elements, who sees only their
  own elements and the essentials needed to deliver them.
Auditors and administrators never see case content; inactive users see nothing; the superuser flag
grants nothing.
"""

from __future__ import annotations

import operator
from collections.abc import Iterable
from functools import reduce
from typing import Any
from uuid import UUID

from django.core.exceptions import PermissionDenied
from django.db import models
from django.db.models import Q, QuerySet
from django.http import Http404
from django.utils import timezone

from audit import services as audit
from cases.models import (
    AgendaItem,
    Assessment,
    Case,
    CaseNote,
    CaseQuerySet,
    Invitation,
    NoteVisibility,
    PanelMeeting,
    PanelMeetingQuerySet,
    SupportElement,
)
from partners.models import AgencyKind, Role
from sharing.models import CaseGroupObjectPermission, CaseUserObjectPermission, Level, ShareGrant


class Capability(models.TextChoices):
    """What someone may do: asked of the gate, granted by role and by level. (A task on a case is
    cases.models.Action; the kind of an audit entry is audit.services.EntryKind.)"""

    # About one case.
    VIEW = "view", "See the case summary"
    VIEW_FULL = "view_full", "See the whole case"
    VIEW_PLAN = "view_plan", "See the support plan"
    ADD_NOTE = "add_note", "Add a note"
    ASSESS = "assess", "Add an assessment"
    MOVE = "move", "Move the case to another stage"
    SCREEN = "screen", "Record the police screening decision"
    CONSENT = "consent", "Record consent"
    PLAN = "plan", "Change the support plan, actions and reviews"
    DECIDE = "decide", "Record a panel decision"
    ACCESS_HISTORY = "access_history", "See who has seen the case"
    SHARE = "share", "Share the case and answer access requests"
    # Service-wide.
    CREATE_REFERRAL = "create_referral", "Log a referral"
    REQUEST_ACCESS = "request_access", "Ask for access to a case"
    BREAK_GLASS = "break_glass", "Take emergency access to a case"
    SEARCH_AUDIT = "search_audit", "Search the audit log"
    EXPORT_AUDIT = "export_audit", "Export the audit log"
    VIEW_DASHBOARD = "view_dashboard", "See the panel dashboard"
    # About one panel meeting.
    VIEW_MEETING = "view_meeting", "See a panel meeting"
    ORGANISE_MEETING = "organise_meeting", "Plan a meeting: agenda, invitations, circulation"
    CHAIR_MEETING = "chair_meeting", "Run a meeting: attendance, decisions, actions, minutes"


class AccessLevel(models.TextChoices):
    OWNER = "owner", "Owning council"
    POLICE = "police", "Police for the subject's area"
    FULL = "full", "Full access by grant"
    SUMMARY = "summary", "Summary access by grant"
    PROVIDER = "provider", "Intervention provider for part of the plan"


READ = frozenset({Capability.VIEW, Capability.VIEW_FULL, Capability.VIEW_PLAN})
CASEWORK = READ | {Capability.ADD_NOTE, Capability.ASSESS, Capability.MOVE, Capability.PLAN}

# What each role may do at all.
ORGANISER = frozenset({Capability.VIEW_DASHBOARD, Capability.VIEW_MEETING, Capability.ORGANISE_MEETING})
ROLE_ACTIONS: dict[str, frozenset[Capability]] = {
    Role.PREVENT_COORDINATOR: CASEWORK
    | ORGANISER
    | {
        Capability.CONSENT,
        Capability.ACCESS_HISTORY,
        Capability.SHARE,
        Capability.CREATE_REFERRAL,
        Capability.REQUEST_ACCESS,
    },
    Role.PANEL_CHAIR: CASEWORK
    | ORGANISER
    | {
        Capability.CONSENT,
        Capability.DECIDE,
        Capability.ACCESS_HISTORY,
        Capability.SHARE,
        Capability.REQUEST_ACCESS,
        Capability.BREAK_GLASS,
        Capability.CHAIR_MEETING,
    },
    Role.POLICE_PRACTITIONER: CASEWORK
    | {Capability.SCREEN, Capability.REQUEST_ACCESS, Capability.BREAK_GLASS, Capability.VIEW_MEETING},
    Role.PANEL_MEMBER: READ | {Capability.ADD_NOTE, Capability.REQUEST_ACCESS, Capability.VIEW_MEETING},
    Role.INTERVENTION_PROVIDER: frozenset(
        {Capability.VIEW, Capability.VIEW_PLAN, Capability.ADD_NOTE, Capability.VIEW_MEETING}
    ),
    Role.AUDITOR: frozenset({Capability.SEARCH_AUDIT, Capability.EXPORT_AUDIT}),
    Role.ADMINISTRATOR: frozenset(),
}

# What each kind of access to a case allows.
LEVEL_ACTIONS: dict[str, frozenset[Capability]] = {
    AccessLevel.OWNER: frozenset(Capability) - {Capability.SCREEN},
    AccessLevel.POLICE: frozenset(Capability),
    AccessLevel.FULL: READ | {Capability.ADD_NOTE},
    AccessLevel.SUMMARY: frozenset({Capability.VIEW}),
    AccessLevel.PROVIDER: frozenset({Capability.VIEW, Capability.VIEW_PLAN, Capability.ADD_NOTE}),
}
NO_CASE_CONTENT = frozenset({Role.AUDITOR, Role.ADMINISTRATOR})
GRANT_PERMISSIONS = ("view_case", "view_case_full")


def _active(user: Any) -> bool:
    return bool(user.is_authenticated and user.is_active and user.agency.is_active)


def can_do(user: Any, action: Capability) -> bool:
    """Whether the user's role allows a service-wide action."""
    return _active(user) and action in ROLE_ACTIONS.get(user.role, frozenset())


def require(user: Any, action: Capability) -> None:
    """Raise PermissionDenied (403) unless the role allows the action; a refusal is audited first."""
    if not can_do(user, action):
        audit.record_denied(actor=user, event=f"{action.value}.denied", reason=f"role may not {action.label.lower()}")
        raise PermissionDenied


def _owner_rule(user: Any) -> Q | None:
    agency = user.agency
    if user.role in (Role.PREVENT_COORDINATOR, Role.PANEL_CHAIR) and agency.kind == AgencyKind.LOCAL_AUTHORITY:
        return Q(owning_agency_id=agency.pk)
    return None


def _police_rule(user: Any) -> Q | None:
    agency = user.agency
    if user.role == Role.POLICE_PRACTITIONER and agency.kind == AgencyKind.POLICE and agency.police_force_area:
        return Q(subject__police_force_area=agency.police_force_area)
    return None


def _current_elements(user: Any) -> QuerySet[SupportElement]:
    """Support elements naming this provider that have not ended: access ends with the support."""
    today = timezone.localdate()
    return SupportElement.objects.filter(provider_user_id=user.pk).filter(
        Q(ends_on__isnull=True) | Q(ends_on__gte=today)
    )


def _provider_cases(user: Any) -> QuerySet[SupportElement, Any]:
    return _current_elements(user).values("plan__case_id")


def _granted_ids(user: Any, levels: Iterable[Level] = tuple(Level)) -> QuerySet[ShareGrant, Any]:
    """Ids of cases with a grant in force (at one of `levels`) to the user or their agency, and the
    guardian permission behind it."""
    direct = CaseUserObjectPermission.objects.filter(
        user_id=user.pk, permission__codename__in=GRANT_PERMISSIONS
    ).values("content_object_id")
    via_group = CaseGroupObjectPermission.objects.filter(
        group__user=user, permission__codename__in=GRANT_PERMISSIONS
    ).values("content_object_id")
    in_force = ShareGrant.objects.active().for_user(user).filter(level__in=levels)
    return in_force.filter(case_id__in=direct.union(via_group)).values("case_id")


def _granted_cases(user: Any, levels: Iterable[Level] = tuple(Level)) -> Q:
    return Q(pk__in=_granted_ids(user, levels))


def _ways(user: Any, action: Capability = Capability.VIEW) -> list[tuple[Q, QuerySet[Any, Any]]]:
    """Each way this user can see a case whose level allows `action` (every level allows VIEW): as a
    condition on the case row, and as the ids of the cases it opens. Empty for users who see no case
    content."""
    if not _active(user) or user.role in NO_CASE_CONTENT:
        return []
    allows = {level for level, actions in LEVEL_ACTIONS.items() if action in actions}
    grant_levels = [level for level in Level if level in allows]
    ways: list[tuple[Q, QuerySet[Any, Any]]] = []
    if grant_levels:
        granted = _granted_ids(user, grant_levels)
        ways.append((Q(pk__in=granted), granted))
    for rule, level in ((_owner_rule(user), AccessLevel.OWNER), (_police_rule(user), AccessLevel.POLICE)):
        if rule is not None and level in allows:
            ways.append((rule, Case.objects.filter(rule).values("pk")))
    if user.role == Role.INTERVENTION_PROVIDER and AccessLevel.PROVIDER in allows:
        provided = _provider_cases(user)
        ways.append((Q(pk__in=provided), provided))
    return ways


def _visibility(user: Any, action: Capability = Capability.VIEW) -> Q | None:
    """The whole visibility rule as one Q expression, for a single case or a few (the gate, earlier
    cases): the ways of seeing a case, OR-ed, so PostgreSQL tests the one row it found by reference."""
    ways = _ways(user, action)
    return reduce(operator.or_, [condition for condition, _ in ways]) if ways else None


def visible_cases(user: Any, *, action: Capability = Capability.VIEW) -> CaseQuerySet:
    """Every case on which the user may do `action` (by default, see it), as one SQL query: both tables
    apply, as in access_case. Records nothing: the caller records what it shows.

    The same ways as `_visibility`, combined as `pk IN (ids of way 1 UNION ALL ids of way 2 ...)`: OR-ed,
    PostgreSQL would test every case row against every way (a scan of the whole table, 20-60 ms at
    100,000 cases), where the union is built from indexes over the few cases each user can see
    (docs/benchmarks.md).
    """
    ways = _ways(user, action)
    if not ways or action not in ROLE_ACTIONS.get(user.role, frozenset()):
        return Case.objects.none()
    ids = [way_ids.order_by() for _, way_ids in ways]
    return Case.objects.filter(pk__in=ids[0].union(*ids[1:], all=True) if len(ids) > 1 else ids[0])


def access_level(user: Any, case: Case) -> AccessLevel | None:
    """How this user comes to see this case (the strongest way), or None."""
    if not _active(user) or user.role in NO_CASE_CONTENT:
        return None
    # The same rules as _owner_rule and _police_rule, judged on the case in hand (no query).
    if _owner_rule(user) is not None and case.owning_agency_id == user.agency_id:
        return AccessLevel.OWNER
    if _police_rule(user) is not None and case.subject.police_force_area == user.agency.police_force_area:
        return AccessLevel.POLICE
    backed = Case.objects.filter(_granted_cases(user), pk=case.pk)
    levels = set(
        ShareGrant.objects.active().for_user(user).filter(case=case, case__in=backed).values_list("level", flat=True)
    )
    if Level.FULL in levels:
        return AccessLevel.FULL
    if (
        user.role == Role.INTERVENTION_PROVIDER
        and SupportElement.objects.filter(plan__case=case, provider_user_id=user.pk).exists()
    ):
        return AccessLevel.PROVIDER
    if Level.SUMMARY in levels:
        return AccessLevel.SUMMARY
    return None


def _allowed(user: Any, level: AccessLevel | None, action: Capability) -> bool:
    return level is not None and action in ROLE_ACTIONS.get(user.role, frozenset()) and action in LEVEL_ACTIONS[level]


def access_case(user: Any, reference: UUID, *, action: Capability = Capability.VIEW, purpose: str = "") -> Case:
    """The gate for one case. Records the access, allowed or denied, before returning.

    Raises Http404 when the case is hidden from the user or does not exist (the same response, so a
    reference reveals nothing), and PermissionDenied when the user can see it but not do `action`.
    The case comes back with `access_level` set, for `can`.
    """
    rule = _visibility(user)
    case = None
    if rule is not None:
        case = Case.objects.filter(rule).select_related("subject", "owning_agency").filter(reference=reference).first()
    event = "case.viewed" if action in READ else f"case.{action.value}"
    if case is None:
        # Recorded against the case when it exists, so its owner and auditors see the attempt; the
        # response is the same either way.
        number = Case.objects.filter(reference=reference).values_list("number", flat=True).first() or ""
        audit.record_denied(
            actor=user, event=event, model=Case, object_repr=str(reference), case_reference=number, reason="not visible"
        )
        raise Http404("No such case")
    case.access_level = access_level(user, case)  # type: ignore[attr-defined]
    if not _allowed(user, case.access_level, action):  # type: ignore[attr-defined]
        audit.record_denied(actor=user, event=event, obj=case, case_reference=case.number, reason="not allowed")
        raise PermissionDenied
    audit.record(
        event=event,
        actor=user,
        obj=case,
        case_reference=case.number,
        purpose=purpose,
        detail={"level": case.access_level},  # type: ignore[attr-defined]
    )
    return case


def can(user: Any, case: Case, action: Capability) -> bool:
    """For templates: may this user do `action` on a case they already reached through access_case?"""
    level = getattr(case, "access_level", None)
    if level is None:
        level = access_level(user, case)
    return _allowed(user, level, action)


def _by_originator(user: Any) -> Q:
    """Originator visibility: everyone who can see the case, the originator's agency, or named agencies."""
    agency_id = user.agency_id
    return (
        Q(visibility=NoteVisibility.EVERYONE)
        | Q(originator_agency_id=agency_id)
        | Q(visibility=NoteVisibility.NAMED, shared_with__id=agency_id)
    )


def visible_notes(user: Any, case: Case) -> QuerySet[CaseNote]:
    """Notes of a case the user can see, by originator visibility (call after access_case)."""
    return case.notes.filter(_by_originator(user)).distinct()


def visible_assessments(user: Any, case: Case) -> QuerySet[Assessment]:
    """Assessment versions of a case the user can see, by originator visibility (call after access_case)."""
    return case.assessments.filter(_by_originator(user)).distinct()


def visible_support_elements(user: Any, case: Case) -> QuerySet[SupportElement]:
    """Support elements of a case the user can see: an intervention provider sees only their own."""
    elements = SupportElement.objects.filter(plan__case=case)
    if user.role == Role.INTERVENTION_PROVIDER:
        # Whatever else gives them the case, a provider sees only the support they deliver.
        elements = elements.filter(provider_user_id=user.pk)
    return elements


def may_update_subject(user: Any, subject: Any) -> bool:
    """A repeat referral may update a person's details only if the referrer owns every case about them."""
    return (
        _active(user)
        and _owner_rule(user) is not None
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


def who_can_see(case: Case) -> list[dict[str, Any]]:
    """Transparency for the owner: every route by which someone can see this case, and why."""
    from partners.models import Agency

    rows: list[dict[str, Any]] = [
        {
            "who": f"Prevent coordinators and panel chairs of {case.owning_agency.name}",
            "why": "Owning council",
            "level": AccessLevel.OWNER.label,
            "until": None,
            "grant": None,
        },
    ]
    forces = Agency.objects.filter(kind=AgencyKind.POLICE, police_force_area=case.subject.police_force_area)
    for force in forces:
        rows.append(
            {
                "who": f"Police practitioners of {force.name}",
                "why": "Police for the subject's area",
                "level": AccessLevel.POLICE.label,
                "until": None,
                "grant": None,
            }
        )
    for element in SupportElement.objects.filter(plan__case=case, provider_user__isnull=False).select_related(
        "provider_user", "provider"
    ):
        rows.append(
            {
                "who": f"{element.provider_user} ({element.provider.name})",
                "why": "Named provider of part of the support plan",
                "level": AccessLevel.PROVIDER.label,
                "until": element.ends_on,
                "grant": None,
            }
        )
    for grant in ShareGrant.objects.active().filter(case=case).select_related("agency", "user__agency"):
        who = grant.agency.name if grant.agency else f"{grant.user} ({grant.user.agency.name})"  # type: ignore[union-attr]
        rows.append(
            {
                "who": who,
                "why": f"{grant.get_kind_display()}: {grant.purpose}",
                "basis": grant.get_legal_basis_display(),
                "level": grant.get_level_display(),
                "until": grant.ends_at,
                "grant": grant,
            }
        )
    return rows


def find_case_by_number(number: str) -> Case | None:
    """For access requests and break-glass, where the user knows a case number but cannot see the case.
    The caller must not reveal whether it exists."""
    return Case.objects.filter(number=number.strip().upper()).first()


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
    from audit.models import ExportJob, ExportKind

    job = ExportJob.objects.select_related("requested_by").filter(reference=reference).first()
    allowed = (
        job is not None
        and _active(user)
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

MEETING_LEVEL_ACTIONS: dict[str, frozenset[Capability]] = {
    "owner": frozenset({Capability.VIEW_MEETING, Capability.ORGANISE_MEETING, Capability.CHAIR_MEETING}),
    "invitee": frozenset({Capability.VIEW_MEETING}),
}


def visible_meetings(user: Any) -> PanelMeetingQuerySet:
    """Meetings the user may open: their council's, or ones they or their agency are invited to."""
    if not can_do(user, Capability.VIEW_MEETING):
        return PanelMeeting.objects.none()
    invited = Invitation.objects.filter(Q(user_id=user.pk) | Q(agency_id=user.agency_id)).values("meeting_id")
    rule = Q(pk__in=invited)
    owner = _owner_rule(user)
    if owner is not None:
        rule |= owner
    return PanelMeeting.objects.filter(rule)


def _meeting_level(user: Any, meeting: PanelMeeting) -> str:
    if _owner_rule(user) is not None and meeting.owning_agency_id == user.agency_id:
        return "owner"
    return "invitee"


def can_meeting(user: Any, meeting: PanelMeeting, action: Capability) -> bool:
    """For templates: may this user do `action` on a meeting they reached through access_meeting?"""
    return can_do(user, action) and action in MEETING_LEVEL_ACTIONS[_meeting_level(user, meeting)]


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
