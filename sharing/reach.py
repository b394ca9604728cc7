"""Who would lose or gain sight of a case if its subject's areas changed, worked out before the change is
saved: the police way of seeing a case (sharing.policy) opens it to the police practitioners of the
force for the subject's area, so moving a person to another force's area moves their case with them.

The answer comes from the same ways the sharing tab lists (`routes`), read once with the areas as they
are and once as they would be, so the list of those who lose access and the gate can never disagree."""

from __future__ import annotations

from dataclasses import dataclass

from django.db.models import QuerySet

from cases.models import Case
from partners.models import AgencyKind, Role, User
from sharing.policy import routes


@dataclass(frozen=True)
class Reach:
    """Who sees the case now and would not after the change (`lose`), and the other way round (`gain`):
    each a sharing tab's "who", naming the agency."""

    lose: list[str]
    gain: list[str]


def reach_after(case: Case, *, local_authority_area: str, police_force_area: str) -> Reach:
    """Who would lose and gain access if the case's subject had these areas. Changes nothing: the subject
    is given the new areas in memory only while the ways are read, and given its own back."""
    subject = case.subject
    kept = subject.local_authority_area, subject.police_force_area
    before = [route.who for route in routes(case)]
    try:
        subject.local_authority_area, subject.police_force_area = local_authority_area, police_force_area
        after = [route.who for route in routes(case)]
    finally:
        subject.local_authority_area, subject.police_force_area = kept
    return Reach(lose=[who for who in before if who not in after], gain=[who for who in after if who not in before])


def police_for_area(police_force_area: str) -> QuerySet[User]:
    """The people the police way opens a case to when its subject lives in this force area (as
    sharing.policy.police_area decides it for one user): to tell them a case has come to their area."""
    if not police_force_area:
        return User.objects.none()
    return User.objects.filter(
        role=Role.POLICE_PRACTITIONER,
        is_active=True,
        agency__kind=AgencyKind.POLICE,
        agency__is_active=True,
        agency__police_force_area=police_force_area,
    )
