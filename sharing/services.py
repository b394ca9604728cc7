"""Writes that change who may see a case: grants, revocation, extension, access requests, break-glass,
and the housekeeping of ended grants. Each is keyword-only, atomic and audited. Who may call them is
decided beforehand in sharing.access."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from django.conf import settings
from django.contrib.auth.models import Group
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from guardian.shortcuts import assign_perm, remove_perm

from audit import services as audit
from audit.models import Outcome
from cases.models import Case, PanelMeeting
from partners.models import Agency, AgencyKind, User
from sharing import policy
from sharing.models import (
    AccessRequest,
    GrantKind,
    LegalBasis,
    Level,
    RequestStatus,
    ShareGrant,
    SpecialCategoryCondition,
)

BREAK_GLASS_HOURS = 12
# The same words for a number that matches no case and for a case outside the break-glass scope.
BREAK_GLASS_NO_CASE = "Check the case reference: no case with that reference can be opened"
PERMISSION = {Level.SUMMARY: "cases.view_case", Level.FULL: "cases.view_case_full"}


def _holder(grant: ShareGrant) -> User | Group:
    if grant.user is not None:
        return grant.user
    assert grant.agency is not None and grant.agency.group is not None  # noqa: S101 - enforced by constraints
    return grant.agency.group


def _refuse(message: str) -> Any:
    raise ValidationError(message)


def _may_see_special_category(*, agency: Agency | None, user: User | None) -> bool:
    """Whether the people a grant reaches have a role that may see special-category details at all: for one
    person, their role; for an agency, every agency but an intervention provider, whose people deliver
    support and never see them (sharing.policy.ROLE_ACTIONS)."""
    if user is not None:
        return policy.Capability.VIEW_SPECIAL_CATEGORY in policy.ROLE_ACTIONS.get(user.role, frozenset())
    return agency is not None and agency.kind != AgencyKind.INTERVENTION_PROVIDER


@transaction.atomic
def grant_access(
    *,
    case: Case,
    actor: User,
    level: Level,
    purpose: str,
    legal_basis: LegalBasis,
    ends_at: datetime,
    agency: Agency | None = None,
    user: User | None = None,
    kind: GrantKind = GrantKind.SHARED,
    starts_at: datetime | None = None,
    meeting: PanelMeeting | None = None,
    special_category_condition: SpecialCategoryCondition | None = None,
) -> ShareGrant:
    """Share a case with an agency or one user, at a level, for a purpose, under a legal basis, until
    `ends_at`. Backed by a django-guardian object permission; audited as sharing.granted.

    With `special_category_condition` (a UK GDPR Art 9(2)(g) / DPA 2018 Sch 1 condition), a full grant
    also includes the case's special-category details; they are never shared without one."""
    if (agency is None) == (user is None):
        _refuse("Share with one agency or with one person.")
    if not purpose.strip():
        _refuse("Say why the case is being shared: the purpose is part of the record.")
    starts = starts_at or timezone.now()
    if ends_at <= starts:
        _refuse("The end of the sharing must be in the future.")
    if agency is not None and agency.pk == case.owning_agency_id:
        _refuse(f"{agency.name} owns this case and already sees it.")
    if special_category_condition and level != Level.FULL:
        _refuse("Sensitive details can be shared only with full access to the case.")
    # The sharing tab would say "Yes" while the gate refused every look: refuse the grant instead.
    if special_category_condition and not _may_see_special_category(agency=agency, user=user):
        _refuse("Sensitive details cannot be shared with an intervention provider: their role never sees them.")
    grant = ShareGrant.objects.create(
        case=case,
        agency=agency,
        user=user,
        level=level,
        kind=kind,
        purpose=purpose,
        legal_basis=legal_basis,
        granted_by=actor,
        starts_at=starts,
        ends_at=ends_at,
        meeting=meeting,
        includes_special_category=bool(special_category_condition),
        special_category_condition=special_category_condition or "",
    )
    assign_perm(PERMISSION[Level(level)], _holder(grant), case)
    audit.record(
        event="sharing.granted",
        actor=actor,
        obj=case,
        action=audit.EntryKind.UPDATE,
        # The stated purpose (for break-glass, the emergency) is what auditors review the grant against.
        purpose=purpose,
        case_reference=case.number,
        is_flagged=kind == GrantKind.BREAK_GLASS,
        detail={
            "grant": str(grant.reference),
            "to_agency": agency.code if agency else None,
            "to_user": user.username if user else None,
            "level": str(level),
            "kind": str(kind),
            "legal_basis": str(legal_basis),
            "until": ends_at.isoformat(),
            **({"meeting": str(meeting.reference)} if meeting else {}),
            **({"special_category": str(special_category_condition)} if special_category_condition else {}),
        },
    )
    return grant


def _drop_permission_if_unused(grant: ShareGrant) -> None:
    """Remove the guardian permission unless another grant in force still needs it."""
    others = ShareGrant.objects.active().filter(case_id=grant.case_id, level=grant.level).exclude(pk=grant.pk)
    others = others.filter(user=grant.user) if grant.user_id else others.filter(agency=grant.agency)
    if not others.exists():
        remove_perm(PERMISSION[Level(grant.level)], _holder(grant), grant.case)


@transaction.atomic
def revoke_grant(*, grant: ShareGrant, actor: User) -> ShareGrant:
    """Stop a grant now. Audited as sharing.revoked."""
    grant = (
        ShareGrant.objects.select_for_update(of=("self",))
        .select_related("case", "agency__group", "user")
        .get(pk=grant.pk)
    )
    if grant.revoked_at is not None:
        _refuse("This sharing has already been revoked.")
    grant.revoked_at = timezone.now()
    grant.revoked_by = actor
    grant.save(update_fields=["revoked_at", "revoked_by"])
    _drop_permission_if_unused(grant)
    audit.record(
        event="sharing.revoked",
        actor=actor,
        obj=grant.case,
        action=audit.EntryKind.UPDATE,
        case_reference=grant.case.number,
        detail={"grant": str(grant.reference)},
    )
    return grant


@transaction.atomic
def extend_grant(*, grant: ShareGrant, actor: User, ends_at: datetime) -> ShareGrant:
    """Move the end of a grant in force later. Audited as sharing.extended."""
    grant = ShareGrant.objects.select_for_update().select_related("case").get(pk=grant.pk)
    if not grant.is_active:
        _refuse("Only sharing that is still in force can be extended; share the case again instead.")
    if ends_at <= grant.ends_at:
        _refuse("The new end must be later than the current one.")
    previous = grant.ends_at
    grant.ends_at = ends_at
    grant.save(update_fields=["ends_at"])
    audit.record(
        event="sharing.extended",
        actor=actor,
        obj=grant.case,
        action=audit.EntryKind.UPDATE,
        case_reference=grant.case.number,
        detail={"grant": str(grant.reference), "from": previous.isoformat(), "until": ends_at.isoformat()},
    )
    return grant


def tidy_ended_grants(*, now: datetime | None = None) -> int:
    """Housekeeping (Celery beat): remove the guardian permissions of grants that have ended. Access
    already stopped at the end, whatever this task has done; this keeps the permission tables small."""
    moment = now or timezone.now()
    ended = ShareGrant.objects.filter(tidied_at__isnull=True).filter(
        Q(ends_at__lte=moment) | Q(revoked_at__isnull=False)
    )
    count = 0
    for grant in ended.select_related("case", "agency__group", "user"):
        with transaction.atomic():
            _drop_permission_if_unused(grant)
            ShareGrant.objects.filter(pk=grant.pk).update(tidied_at=moment)
        count += 1
    return count


# --- meeting-scoped grants -----------------------------------------------------------------------


def meeting_access_ends(meeting: PanelMeeting) -> datetime:
    """When a per-case invitee's access ends: MEETING_ACCESS_DAYS after the meeting starts."""
    return meeting.starts + timedelta(days=settings.MEETING_ACCESS_DAYS)


@transaction.atomic
def grant_meeting_access(
    *, meeting: PanelMeeting, case: Case, actor: User, agency: Agency | None = None, user: User | None = None
) -> ShareGrant | None:
    """A per-case invitee (CTSA 2015 s.37(4)) sees one agenda case in full from now until
    meeting_access_ends. Nothing is granted to the owning council, which sees the case already (None).
    Audited as sharing.granted, with the meeting's reference."""
    owner = case.owning_agency_id
    if (agency is not None and agency.pk == owner) or (user is not None and user.agency_id == owner):
        return None
    ends = meeting_access_ends(meeting)
    if ends <= timezone.now():
        _refuse("Access for this meeting's invitees has already ended.")
    return grant_access(
        case=case,
        actor=actor,
        agency=agency,
        user=user,
        level=Level.FULL,
        kind=GrantKind.MEETING,
        purpose=f"Invited to the panel meeting on {meeting.held_on:%-d %B %Y} for this case",
        legal_basis=LegalBasis.DUTY_TO_COOPERATE,
        ends_at=ends,
        meeting=meeting,
    )


@transaction.atomic
def end_meeting_access(
    *,
    meeting: PanelMeeting,
    actor: User,
    agency: Agency | None = None,
    user: User | None = None,
    case: Case | None = None,
) -> int:
    """Stop the meeting's grants in force now (to one invitee, or for one case, when named), through
    revoke_grant, which also removes the guardian permission. Each is audited as sharing.revoked.
    Grants also end by themselves at meeting_access_ends."""
    grants = ShareGrant.objects.active().filter(meeting=meeting, kind=GrantKind.MEETING)
    if case is not None:
        grants = grants.filter(case=case)
    if agency is not None:
        grants = grants.filter(agency=agency)
    if user is not None:
        grants = grants.filter(user=user)
    ended = 0
    for grant in grants:
        revoke_grant(grant=grant, actor=actor)
        ended += 1
    return ended


# --- access requests ----------------------------------------------------------------------------


@transaction.atomic
def request_access(*, case: Case | None, number: str, requester: User, reason: str) -> AccessRequest | None:
    """A partner asks for access to a case by its number. Whether the case exists is not revealed, by the
    answer or by its timing: both paths write a request row (a number that matches no case gets one with no
    case and no reason, which goes nowhere), one audit entry with the same columns, and queue the same
    notification (which emails no one for an unmatched request). Audited as sharing.requested: allowed for
    a real case, denied ("no such case") otherwise; that entry closes the request, since the response is
    the same either way. Raises ValidationError without a reason."""
    if not reason.strip():
        _refuse("Say why you need access to the case.")
    request = AccessRequest.every.create(case=case, requester=requester, reason=reason if case is not None else "")
    if case is None:
        audit.record(
            event="sharing.requested",
            actor=requester,
            model=Case,
            object_repr=number[:36],  # a typed number (20 at most) or the reference of a link
            outcome=Outcome.DENIED,
            detail={"reason": "no such case"},
            closes_request=True,
        )
    else:
        audit.record(
            event="sharing.requested",
            actor=requester,
            obj=case,
            action=audit.EntryKind.CREATE,
            case_reference=case.number,
            detail={"request": str(request.reference)},
            closes_request=True,
        )
    from sharing.tasks import notify_request_made

    notify_request_made.delay_on_commit(request.pk)
    return request if case is not None else None


@transaction.atomic
def approve_request(
    *, request: AccessRequest, actor: User, level: Level, legal_basis: LegalBasis, ends_at: datetime, note: str = ""
) -> AccessRequest:
    """The owner approves: a grant to the requester. Both sides are told by email."""
    request = AccessRequest.objects.select_for_update().select_related("case", "requester").get(pk=request.pk)
    if request.status != RequestStatus.PENDING:
        _refuse("This request has already been answered.")
    grant = grant_access(
        case=request.owner_case,
        actor=actor,
        level=level,
        purpose=f"Access request: {request.reason}",
        legal_basis=legal_basis,
        ends_at=ends_at,
        user=request.requester,
        kind=GrantKind.REQUESTED,
    )
    return _answer(request, actor=actor, status=RequestStatus.APPROVED, note=note, grant=grant)


@transaction.atomic
def refuse_request(*, request: AccessRequest, actor: User, note: str) -> AccessRequest:
    """The owner refuses an access request (the caller has checked Capability.SHARE on its case). Audited
    and emailed like an approval; raises ValidationError when the request has already been answered."""
    request = AccessRequest.objects.select_for_update().select_related("case").get(pk=request.pk)
    if request.status != RequestStatus.PENDING:
        _refuse("This request has already been answered.")
    if not note.strip():
        _refuse("Say why the request is refused: the requester is told.")
    return _answer(request, actor=actor, status=RequestStatus.REFUSED, note=note)


def _answer(
    request: AccessRequest, *, actor: User, status: RequestStatus, note: str, grant: ShareGrant | None = None
) -> AccessRequest:
    """Record the owner's answer, audit it and tell the requester (after commit)."""
    request.status = status
    request.decided_by, request.decided_at, request.decision_note, request.grant = actor, timezone.now(), note, grant
    request.save(update_fields=["status", "decided_by", "decided_at", "decision_note", "grant"])
    event = "sharing.request_approved" if status == RequestStatus.APPROVED else "sharing.request_refused"
    audit.record(
        event=event,
        actor=actor,
        obj=request.owner_case,
        action=audit.EntryKind.UPDATE,
        case_reference=request.owner_case.number,
        detail={"request": str(request.reference)},
    )
    from sharing.tasks import notify_request_answered

    notify_request_answered.delay_on_commit(request.pk)
    return request


# --- break-glass --------------------------------------------------------------------------------


@transaction.atomic
def break_glass(*, case: Case, actor: User, reason: str, hours: int = BREAK_GLASS_HOURS) -> ShareGrant:
    """Immediate, time-limited full access for a police practitioner or chair, with a written reason.
    The audit entry is flagged for auditors' review and the owning council's coordinators are told.
    Raises ValidationError for a short reason, or a case outside settings.BREAK_GLASS_SCOPE (the view checks
    the scope first and records the refusal; this is the second line)."""
    if not policy.break_glass_reaches(actor, case):
        _refuse(BREAK_GLASS_NO_CASE)
    if len(reason.strip()) < 20:
        _refuse("Explain the emergency in at least 20 characters: auditors review every break-glass access.")
    grant = grant_access(
        case=case,
        actor=actor,
        user=actor,
        level=Level.FULL,
        kind=GrantKind.BREAK_GLASS,
        purpose=f"Break-glass: {reason}",
        legal_basis=LegalBasis.SAFEGUARDING,
        ends_at=timezone.now() + timedelta(hours=hours),
    )
    from sharing.tasks import notify_break_glass

    notify_break_glass.delay_on_commit(grant.pk)
    return grant
