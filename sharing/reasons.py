"""Why a person can see a case, and until when, in their own words (issue 15 finding 4).

The sharing tab reads the ways of seeing a case (sharing.policy.WAYS) from the owner's side: who sees it.
This reads the same ways from the other side: of the ways that open this case to this person (tested as
the gate tests them, on the case row), what each one is, and when it ends. A partner on a shared case is
told "You can see this case because Northgate Police were given access for the panel meeting on 3 March
2027, until 12 January 2027", rather than being left to guess.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from django.db.models import Q
from django.utils import formats, timezone

from cases.models import Case
from sharing.models import GrantKind, ShareGrant
from sharing.policy import WAYS, AccessLevel, owning_council, police_area, provided_support


@dataclass(frozen=True)
class Reason:
    because: str  # completes "You can see this case because …"
    until: date | datetime | None = None  # None: for as long as their role lasts


def _day(value: date | datetime) -> str:
    if isinstance(value, datetime):
        value = timezone.localtime(value).date()
    return str(formats.date_format(value, "j F Y"))


def _opened_by(user: Any, case: Case) -> set[AccessLevel]:
    """The levels of the ways that open this case to this user, as the gate finds them."""
    found: set[AccessLevel] = set()
    for way in WAYS:
        opening = way.opens(user, frozenset(way.levels))
        if opening is not None and Case.objects.filter(opening.condition, pk=case.pk).exists():
            found.update(way.levels)
    return found


def _grant_reason(user: Any, grant: ShareGrant) -> Reason:
    who = "you were" if grant.user_id == user.pk else f"{grant.agency.name} were"  # type: ignore[union-attr]
    how = {
        GrantKind.MEETING: (
            f"for the panel meeting on {_day(grant.meeting.held_on)}" if grant.meeting else "for a panel meeting"
        ),
        GrantKind.REQUESTED: "when an access request was approved",
        GrantKind.BREAK_GLASS: "in an emergency (break-glass), which auditors review",
    }.get(GrantKind(grant.kind), f"by {grant.case.owning_agency.name}")
    return Reason(f"{who} given access {how}", grant.ends_at)


def why_you_can_see(user: Any, case: Case) -> list[Reason]:
    """Each way this user sees this case, with when it ends; empty when they cannot see it."""
    levels = _opened_by(user, case)
    reasons: list[Reason] = []
    if AccessLevel.OWNER in levels and owning_council(user) == case.owning_agency_id:
        reasons.append(Reason(f"it belongs to your council, {case.owning_agency.name}"))
    if AccessLevel.POLICE in levels and police_area(user) is not None:
        reasons.append(Reason(f"the person lives in the area {user.agency.name} polices"))
    if AccessLevel.PROVIDER in levels:
        for element in provided_support(user).filter(plan__case=case).select_related("support_type"):
            reasons.append(Reason(f"you provide {element.support_type} in the support plan", element.ends_on))
    if levels & {AccessLevel.FULL, AccessLevel.SUMMARY}:
        grants = (
            ShareGrant.objects.active()
            .for_user(user)
            .filter(case=case)
            .exclude(Q(agency__is_active=False))
            .select_related("agency", "meeting", "case__owning_agency")
            .order_by("ends_at")
        )
        reasons.extend(_grant_reason(user, grant) for grant in grants)
    return reasons


def why_a_partner_can_see(user: Any, case: Case) -> list[Reason]:
    """For the case header: a partner is told why they see the case and until when; the owning council,
    which sees its own cases as a matter of course, is not (the case came through the gate, so its level is set)."""
    if getattr(case, "access_level", None) == AccessLevel.OWNER:
        return []
    return why_you_can_see(user, case)
