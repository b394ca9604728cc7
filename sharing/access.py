"""The one place that decides who may see and do what.

The whole policy is here: which cases a user can see (`visible_cases`, one SQL query), the gate for
one case (`access_case`: 404 when hidden, identical to a missing case; 403 when visible but the role
may not act), `can` for templates, which notes inside a case a user can see, and the role table.
Views ask here; templates receive booleans; every access and every refusal is recorded in the audit
log before anything is shown.

Visibility rules (this issue's first rule; grants come with the sharing issue):
- the owning council's coordinators and chairs see its cases;
- police practitioners see cases of subjects in their force area;
- nobody else sees case content; the superuser flag grants nothing; inactive users see nothing.
"""

from __future__ import annotations

from typing import Any
from uuid import UUID

from django.core.exceptions import PermissionDenied
from django.db import models
from django.db.models import Q, QuerySet
from django.http import Http404

from audit import services as audit
from cases.models import Case, CaseNote, CaseQuerySet, NoteVisibility
from partners.models import AgencyKind, Role


class Action(models.TextChoices):
    # About one case.
    VIEW = "view", "View the case"
    ADD_NOTE = "add_note", "Add a note"
    ASSESS = "assess", "Add an assessment"
    MOVE = "move", "Move the case to another stage"
    SCREEN = "screen", "Record the police screening decision"
    CONSENT = "consent", "Record consent"
    PLAN = "plan", "Change the support plan, actions and reviews"
    DECIDE = "decide", "Record a panel decision"
    ACCESS_HISTORY = "access_history", "See who has seen the case"
    # Service-wide.
    CREATE_REFERRAL = "create_referral", "Log a referral"
    SEARCH_AUDIT = "search_audit", "Search the audit log"
    EXPORT_AUDIT = "export_audit", "Export the audit log"


CASEWORK = frozenset({Action.VIEW, Action.ADD_NOTE, Action.ASSESS, Action.MOVE, Action.PLAN})

# The whole role policy on one screen: what each role may do (on the cases it can see).
ROLE_ACTIONS: dict[str, frozenset[Action]] = {
    Role.PREVENT_COORDINATOR: CASEWORK | {Action.CONSENT, Action.CREATE_REFERRAL, Action.ACCESS_HISTORY},
    Role.PANEL_CHAIR: CASEWORK | {Action.CONSENT, Action.DECIDE, Action.ACCESS_HISTORY},
    Role.POLICE_PRACTITIONER: CASEWORK | {Action.SCREEN},
    Role.PANEL_MEMBER: frozenset({Action.VIEW, Action.ADD_NOTE}),
    Role.INTERVENTION_PROVIDER: frozenset({Action.VIEW, Action.ADD_NOTE}),
    Role.AUDITOR: frozenset({Action.SEARCH_AUDIT, Action.EXPORT_AUDIT}),
    Role.ADMINISTRATOR: frozenset(),
}


def _active(user: Any) -> bool:
    return bool(user.is_authenticated and user.is_active)


def can_do(user: Any, action: Action) -> bool:
    """Whether the user's role allows an action at all (service-wide actions, or before a case is known)."""
    return _active(user) and action in ROLE_ACTIONS.get(user.role, frozenset())


def require(user: Any, action: Action) -> None:
    """Raise PermissionDenied (403) unless the role allows the action; a refusal is audited first."""
    if not can_do(user, action):
        audit.record_denied(actor=user, event=f"{action.value}.denied", reason=f"role may not {action.label.lower()}")
        raise PermissionDenied


def _visibility(user: Any) -> Q | None:
    """The visibility rule as one Q expression, shared by the list and the single-case gate."""
    if not _active(user):
        return None
    agency = user.agency
    if user.role in (Role.PREVENT_COORDINATOR, Role.PANEL_CHAIR) and agency.kind == AgencyKind.LOCAL_AUTHORITY:
        return Q(owning_agency_id=agency.pk)
    if user.role == Role.POLICE_PRACTITIONER and agency.kind == AgencyKind.POLICE and agency.police_force_area:
        return Q(subject__police_force_area=agency.police_force_area)
    return None


def visible_cases(user: Any, *, action: Action = Action.VIEW) -> CaseQuerySet:
    """Every case the user may see and act on with `action`, as one SQL query (no audit entry:
    the caller records what it shows)."""
    rule = _visibility(user)
    if rule is None or action not in ROLE_ACTIONS.get(user.role, frozenset()):
        return Case.objects.none()
    return Case.objects.filter(rule)


def access_case(user: Any, reference: UUID, *, action: Action = Action.VIEW, purpose: str = "") -> Case:
    """The gate for one case. Records the access, allowed or denied, before returning.

    Raises Http404 when the case is hidden from the user or does not exist (the same response, so a
    reference reveals nothing), and PermissionDenied when the user can see it but not do `action`.
    """
    rule = _visibility(user)
    case = (
        Case.objects.filter(rule).select_related("subject", "owning_agency").filter(reference=reference).first()
        if rule is not None
        else None
    )
    event = "case.viewed" if action == Action.VIEW else f"case.{action.value}"
    if case is None:
        audit.record_denied(actor=user, event=event, model=Case, object_repr=str(reference), reason="not visible")
        raise Http404("No such case")
    if action not in ROLE_ACTIONS.get(user.role, frozenset()):
        audit.record_denied(actor=user, event=event, obj=case, case_reference=case.number, reason="role")
        raise PermissionDenied
    audit.record(event=event, actor=user, obj=case, case_reference=case.number, purpose=purpose)
    return case


def can(user: Any, case: Case, action: Action) -> bool:
    """For templates: may this user do `action` on a case they are already looking at? Records nothing."""
    rule = _visibility(user)
    return rule is not None and action in ROLE_ACTIONS.get(user.role, frozenset())


def visible_notes(user: Any, case: Case) -> QuerySet[CaseNote]:
    """Notes of a case the user can see, by originator visibility (call after access_case)."""
    agency_id = user.agency_id
    return case.notes.filter(
        Q(visibility=NoteVisibility.EVERYONE)
        | Q(originator_agency_id=agency_id)
        | Q(visibility=NoteVisibility.NAMED, shared_with__id=agency_id)
    ).distinct()


def earlier_cases(user: Any, *, subjects: list[Any], exclude: Case | None = None) -> tuple[list[Case], int]:
    """Earlier cases of these subjects, for repeat referrals: the ones the user may see (with their
    stage, i.e. outcome), and how many others exist, which is all the user may learn about them."""
    cases = Case.objects.filter(subject__in=subjects).order_by("-received_on", "-id")
    if exclude is not None:
        cases = cases.exclude(pk=exclude.pk)
    rule = _visibility(user)
    visible = list(cases.filter(rule)) if rule is not None else []
    return visible, cases.count() - len(visible)
