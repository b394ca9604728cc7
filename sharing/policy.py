"""The access policy, written once: what each role may do, what each kind of access to a case allows, and
the ways of seeing a case. sharing/access.py asks every question of these (which cases, this case's
level, may this capability, who can see it and why) and the navigation names a capability per section,
so no rule is written twice.

Who sees a case, and at which level (WAYS):
- OWNER: the owning council's Prevent coordinators and panel chairs;
- POLICE: police practitioners of the force for the subject's area;
- FULL or SUMMARY: anyone else with a grant in force, to them or to their agency (ShareGrant, backed by
  a django-guardian permission; a grant that has ended or been revoked stops working at the next
  request, whatever the housekeeping task has or has not done yet);
- PROVIDER: an intervention provider named on one of the case's support elements while that support
  lasts, who sees only their own elements and the essentials needed to deliver them.
Special-category details are a second question asked of the same ways (Way.special): only the owner's
way and a grant that explicitly includes them open them, so the police for the area do not see them
unless granted (VIEW_SPECIAL_CATEGORY, asked in sharing.special). Meetings: sharing.meeting_policy.
Only roles that may see a case at all (VIEW in ROLE_ACTIONS) have any way: auditors and administrators
never see case content. Inactive users see nothing; the superuser flag grants nothing.
"""

from __future__ import annotations

import operator
from collections.abc import Callable, Collection, Iterable
from dataclasses import dataclass
from datetime import date, datetime
from functools import reduce
from typing import Any

from django.conf import settings
from django.db.models import Q, QuerySet
from django.utils import timezone

from cases.models import DELIVERY_STAGES, Case, SupportElement, SupportElementQuerySet, SupportStatus
from partners.models import Agency, AgencyKind, Role
from sharing.capabilities import AccessLevel as AccessLevel
from sharing.capabilities import Capability as Capability
from sharing.models import CaseGroupObjectPermission, CaseUserObjectPermission, Level, ShareGrant

CASE_CAPABILITIES = frozenset(
    {
        Capability.VIEW,
        Capability.VIEW_FULL,
        Capability.VIEW_PLAN,
        Capability.ADD_NOTE,
        Capability.RECORD_SESSION,
        Capability.ASSESS,
        Capability.MOVE,
        Capability.SCREEN,
        Capability.CONSENT,
        Capability.RELATE,
        Capability.PLAN,
        Capability.DECIDE,
        Capability.ACCESS_HISTORY,
        Capability.SHARE,
        Capability.CORRECT,
        Capability.CORRECTION_HISTORY,
        Capability.RECORD_SPECIAL_CATEGORY,
        Capability.ESCALATE,
        Capability.ACKNOWLEDGE_ESCALATION,
        Capability.CHANGE_AREA,
        Capability.WRITE_CLOSING_REPORT,
    }
)
READ = frozenset({Capability.VIEW, Capability.VIEW_FULL, Capability.VIEW_PLAN})
CASEWORK = READ | {Capability.ADD_NOTE, Capability.ASSESS, Capability.MOVE, Capability.PLAN}
CORRECTIONS = frozenset({Capability.CORRECT, Capability.CORRECTION_HISTORY})

# What each role may do at all.
ORGANISER = frozenset({Capability.VIEW_DASHBOARD, Capability.VIEW_MEETING, Capability.ORGANISE_MEETING})
ROLE_ACTIONS: dict[str, frozenset[Capability]] = {
    Role.PREVENT_COORDINATOR: CASEWORK
    | ORGANISER
    | CORRECTIONS
    | {
        Capability.RECORD_SESSION,
        Capability.VIEW_SPECIAL_CATEGORY,
        Capability.RECORD_SPECIAL_CATEGORY,
        Capability.ESCALATE,
        Capability.CONSENT,
        Capability.RELATE,
        Capability.ACCESS_HISTORY,
        Capability.SHARE,
        Capability.CHANGE_AREA,
        Capability.WRITE_CLOSING_REPORT,
        Capability.CREATE_REFERRAL,
        Capability.REQUEST_ACCESS,
    },
    Role.PANEL_CHAIR: CASEWORK
    | ORGANISER
    | {
        Capability.VIEW_SPECIAL_CATEGORY,
        Capability.CONSENT,
        Capability.DECIDE,
        Capability.ACCESS_HISTORY,
        Capability.CORRECTION_HISTORY,
        Capability.SHARE,
        Capability.REQUEST_ACCESS,
        Capability.BREAK_GLASS,
        Capability.CHAIR_MEETING,
    },
    Role.POLICE_PRACTITIONER: CASEWORK
    | {Capability.SCREEN, Capability.ACKNOWLEDGE_ESCALATION, Capability.REQUEST_ACCESS, Capability.BREAK_GLASS}
    | {Capability.VIEW_MEETING, Capability.VIEW_SPECIAL_CATEGORY},
    Role.PANEL_MEMBER: READ
    | {Capability.ADD_NOTE, Capability.REQUEST_ACCESS, Capability.VIEW_MEETING, Capability.VIEW_SPECIAL_CATEGORY},
    Role.INTERVENTION_PROVIDER: frozenset(
        {Capability.VIEW, Capability.VIEW_PLAN, Capability.ADD_NOTE, Capability.RECORD_SESSION, Capability.VIEW_MEETING}
    ),
    Role.AUDITOR: frozenset({Capability.SEARCH_AUDIT, Capability.EXPORT_AUDIT}),
    Role.ADMINISTRATOR: frozenset({Capability.ADMINISTER, Capability.DECIDE_ACCESS_CHANGE}),
}

# What each kind of access to a case allows. The levels form a chain, each allowing all that the next
# allows (police ⊃ owner ⊃ full ⊃ provider ⊃ summary), so the strongest way decides. Only the police for the
# subject's area screen a case and acknowledge its escalation. Corrections (UK GDPR Art 16) stay the owning
# council's by role: only its coordinators correct, and they and its chairs see them. Sessions are recorded
# by a provider against their own support and by the owner's coordinators (may_record_session): a full
# grant allows it only to keep the chain, and names no element of its own.
LEVEL_ACTIONS: dict[str, frozenset[Capability]] = {
    AccessLevel.OWNER: CASE_CAPABILITIES - {Capability.SCREEN, Capability.ACKNOWLEDGE_ESCALATION},
    AccessLevel.POLICE: CASE_CAPABILITIES,
    AccessLevel.FULL: READ | {Capability.ADD_NOTE, Capability.RECORD_SESSION},
    AccessLevel.SUMMARY: frozenset({Capability.VIEW}),
    AccessLevel.PROVIDER: frozenset(
        {Capability.VIEW, Capability.VIEW_PLAN, Capability.ADD_NOTE, Capability.RECORD_SESSION}
    ),
}
GRANT_PERMISSIONS = ("view_case", "view_case_full")


def roles_with(action: Capability) -> frozenset[str]:
    """The roles whose row of ROLE_ACTIONS allows `action`: for services that list people by what they may
    do (who an attendance register lists, who may chair), so no role set is written out elsewhere."""
    return frozenset(role for role, actions in ROLE_ACTIONS.items() if action in actions)


def is_active(user: Any) -> bool:
    """Signed in, and neither the person nor their agency has been deactivated."""
    return bool(user.is_authenticated and user.is_active and user.agency.is_active)


def role_allows(user: Any, action: Capability) -> bool:
    return is_active(user) and action in ROLE_ACTIONS.get(user.role, frozenset())


def level_allows(level: AccessLevel | None, action: Capability) -> bool:
    return level is not None and action in LEVEL_ACTIONS[level]


def strongest(levels: Iterable[AccessLevel]) -> AccessLevel | None:
    """The level that allows the most (the levels form a chain, see LEVEL_ACTIONS)."""
    return max(levels, key=lambda level: len(LEVEL_ACTIONS[level]), default=None)


def owning_council(user: Any) -> int | None:
    """The council whose cases and meetings this user owns: a coordinator's or a chair's own, if it is a
    local authority."""
    agency = user.agency
    if user.role in (Role.PREVENT_COORDINATOR, Role.PANEL_CHAIR) and agency.kind == AgencyKind.LOCAL_AUTHORITY:
        return int(agency.pk)
    return None


def police_area(user: Any) -> str | None:
    """The force area whose subjects this user polices: a police practitioner's own force's."""
    agency = user.agency
    if user.role == Role.POLICE_PRACTITIONER and agency.kind == AgencyKind.POLICE and agency.police_force_area:
        return str(agency.police_force_area)
    return None


def sees_only_own_support(user: Any) -> bool:
    """Intervention providers see a case for the support they deliver, and only that support of its plan,
    whatever else (a grant) also gives them the case."""
    return bool(user.role == Role.INTERVENTION_PROVIDER)


def break_glass_reaches(user: Any, case: Any) -> bool:
    """Whether break-glass may open this case for this user, under settings.BREAK_GLASS_SCOPE: "national",
    any case; "own_area", a police practitioner only cases whose subject lives in their force's area, a
    chair only cases whose subject lives in their council's area. The role check is Capability.BREAK_GLASS."""
    if settings.BREAK_GLASS_SCOPE == "national":
        return True
    subject = case.subject
    area = police_area(user)
    if area is not None:
        return bool(subject.police_force_area == area)
    council_area = user.agency.local_authority_area if user.agency.kind == AgencyKind.LOCAL_AUTHORITY else ""
    return bool(council_area) and bool(subject.local_authority_area == council_area)


def current_support() -> Q:
    """Support elements being delivered now: active (not ended or withdrawn), not past their end date, on
    a case still in support (DELIVERY_STAGES: an exit or a withdrawal of consent moves it out). A
    provider's access ends with the support they deliver, at their next request."""
    in_date = Q(ends_on__isnull=True) | Q(ends_on__gte=timezone.localdate())
    return in_date & Q(status=SupportStatus.ACTIVE, plan__case__stage__in=DELIVERY_STAGES)


def may_record_session(user: Any, element: SupportElement) -> bool:
    """Who may record a session against this element (after the gate allowed RECORD_SESSION on its case):
    its named provider while the support is current, or a coordinator of the owning council."""
    if not role_allows(user, Capability.RECORD_SESSION):
        return False
    if element.provider_user_id == user.pk and sees_only_own_support(user):
        return provided_support(user).filter(pk=element.pk).exists()
    case = element.plan.case
    return user.role == Role.PREVENT_COORDINATOR and owning_council(user) == case.owning_agency_id


def provided_support(user: Any) -> SupportElementQuerySet:
    """The support this user delivers now: the elements naming them that have not ended."""
    return SupportElement.objects.filter(current_support(), provider_user_id=user.pk)


def granted_ids(user: Any, levels: Iterable[str], *, special: bool = False) -> QuerySet[ShareGrant, Any]:
    """Ids of cases with a grant in force (at one of `levels`; with `special`, one that includes the
    special-category details) to the user or their agency, and the guardian permission behind it."""
    direct = CaseUserObjectPermission.objects.filter(
        user_id=user.pk, permission__codename__in=GRANT_PERMISSIONS
    ).values("content_object_id")
    via_group = CaseGroupObjectPermission.objects.filter(
        group__user=user, permission__codename__in=GRANT_PERMISSIONS
    ).values("content_object_id")
    in_force = ShareGrant.objects.active().for_user(user).filter(level__in=list(levels))
    in_force = in_force.filter(includes_special_category=True) if special else in_force
    return in_force.filter(case_id__in=direct.union(via_group)).values("case_id")


# --- the ways of seeing a case ------------------------------------------------------------------------


@dataclass(frozen=True)
class Opening:
    """The cases one way opens to one user, twice over: as a condition on the case row (to test one case:
    the gate, earlier cases) and as a subquery of their ids (to list them: the union in visible_cases)."""

    condition: Q
    ids: QuerySet[Any, Any]

    @classmethod
    def on_row(cls, condition: Q) -> Opening:
        return cls(condition, Case.objects.filter(condition).values("pk"))

    @classmethod
    def of_ids(cls, ids: QuerySet[Any, Any]) -> Opening:
        return cls(Q(pk__in=ids), ids)


@dataclass(frozen=True)
class Route:
    """One row of the owner's sharing tab: who can see the case, why, at which level, until when (None:
    while their role lasts), the grant behind it with its legal basis, and special-category access."""

    who: str
    why: str
    level: str
    until: date | datetime | None = None
    grant: ShareGrant | None = None
    basis: str = ""
    special: str = ""


@dataclass(frozen=True)
class Way:
    """One way of seeing a case. `opens(user, levels)`: the cases it opens to the user at one of `levels`
    (only those it gives), or None when it opens none to them; `routes(case)`: who sees the case this
    way, and why, for the owner; `special(user)`: the cases whose special-category details it opens."""

    levels: tuple[AccessLevel, ...]
    opens: Callable[[Any, frozenset[AccessLevel]], Opening | None]
    routes: Callable[[Case], list[Route]]
    special: Callable[[Any], Opening | None] = lambda user: None


def _owner_opens(user: Any, levels: frozenset[AccessLevel]) -> Opening | None:
    council = owning_council(user)
    return Opening.on_row(Q(owning_agency_id=council)) if council is not None else None


def _owner_routes(case: Case) -> list[Route]:
    who = f"Prevent coordinators and panel chairs of {case.owning_agency.name}"
    return [Route(who, "Owning council", AccessLevel.OWNER.label, special="Yes, as the owner")]


def _police_opens(user: Any, levels: frozenset[AccessLevel]) -> Opening | None:
    area = police_area(user)
    return Opening.on_row(Q(subject__police_force_area=area)) if area is not None else None


def _police_routes(case: Case) -> list[Route]:
    forces = Agency.objects.filter(
        kind=AgencyKind.POLICE, police_force_area=case.subject.police_force_area, is_active=True
    )
    why = "Police for the subject's area"
    return [Route(f"Police practitioners of {force.name}", why, AccessLevel.POLICE.label) for force in forces]


def _provider_opens(user: Any, levels: frozenset[AccessLevel]) -> Opening | None:
    if not sees_only_own_support(user):
        return None
    return Opening.of_ids(provided_support(user).values("plan__case_id"))


def _provider_routes(case: Case) -> list[Route]:
    # As _provider_opens: a current element naming an active provider of an active agency.
    elements = SupportElement.objects.filter(
        current_support(),
        plan__case=case,
        provider_user__role=Role.INTERVENTION_PROVIDER,
        provider_user__is_active=True,
        provider_user__agency__is_active=True,
    )
    why = "Named provider of part of the support plan"
    return [
        Route(f"{e.provider_user} ({e.provider.name})", why, AccessLevel.PROVIDER.label, e.ends_on)
        for e in elements.select_related("provider_user", "provider")
    ]


def _grant_opens(user: Any, levels: frozenset[AccessLevel]) -> Opening | None:
    return Opening.of_ids(granted_ids(user, [Level(level.value) for level in levels]))


def _grant_routes(case: Case) -> list[Route]:
    rows = []
    # As _grant_opens: a grant in force, to an active person or agency, with its permission behind it.
    grants = (
        ShareGrant.objects.active()
        .filter(case=case)
        .exclude(agency__is_active=False)
        .exclude(Q(user__is_active=False) | Q(user__agency__is_active=False))
    )
    for grant in grants.select_related("agency", "user__agency"):
        who = grant.agency.name if grant.agency else f"{grant.user} ({grant.user.agency.name})"  # type: ignore[union-attr]
        why = f"{grant.get_kind_display()}: {grant.purpose}"
        basis = grant.get_legal_basis_display()
        special = f"Yes: {grant.get_special_category_condition_display()}" if grant.includes_special_category else ""
        rows.append(Route(who, why, grant.get_level_display(), grant.ends_at, grant, basis, special))
    return rows


# In the order the owner reads them on the sharing tab.
WAYS = (
    # Special-category details: the owner's, and a full grant's that includes them.
    Way((AccessLevel.OWNER,), _owner_opens, _owner_routes, lambda user: _owner_opens(user, frozenset())),
    Way((AccessLevel.POLICE,), _police_opens, _police_routes),
    Way((AccessLevel.PROVIDER,), _provider_opens, _provider_routes),
    Way(
        (AccessLevel.FULL, AccessLevel.SUMMARY),
        _grant_opens,
        _grant_routes,
        lambda user: Opening.of_ids(granted_ids(user, [Level.FULL], special=True)),
    ),
)


def openings(user: Any, levels: Collection[AccessLevel] = tuple(AccessLevel)) -> list[Opening]:
    """What each way opens to this user at one of `levels`. None for a role that may not see a case."""
    if not role_allows(user, Capability.VIEW):
        return []
    found = []
    for way in WAYS:
        wanted = frozenset(way.levels).intersection(levels)
        opening = way.opens(user, wanted) if wanted else None
        if opening is not None:
            found.append(opening)
    return found


def openings_by_level(user: Any) -> dict[AccessLevel, Q]:
    """For each level, the cases the ways open to this user at that level, as one row condition."""
    by_level = {}
    for level in AccessLevel:
        conditions = [opening.condition for opening in openings(user, {level})]
        if conditions:
            by_level[level] = reduce(operator.or_, conditions)
    return by_level


def levels_allowing(action: Capability) -> frozenset[AccessLevel]:
    return frozenset(AccessLevel(level) for level, actions in LEVEL_ACTIONS.items() if action in actions)


def routes(case: Case) -> list[Route]:
    """Every route by which someone can see this case, and why, way by way."""
    return [route for way in WAYS for route in way.routes(case)]
