"""Demo grants, so that each persona sees a different slice of the demo cases and notes."""

from __future__ import annotations

from datetime import timedelta

from django.utils import timezone

from cases.models import Case, Stage
from partners.models import Agency, User
from sharing import services
from sharing.models import LegalBasis, Level, ShareGrant, SpecialCategoryCondition

# (agency code, stages whose cases it is given, level, legal basis, purpose)
DEMO_GRANTS = [
    (
        "nht",
        [Stage.LISTED_FOR_PANEL, Stage.ADOPTED, Stage.SUPPORT_ACTIVE, Stage.UNDER_REVIEW],
        Level.FULL,
        LegalBasis.SUBSTANTIAL_PUBLIC_INTEREST,
        "Mental health input to the panel",
    ),
    (
        "nat",
        [Stage.INFORMATION_GATHERING, Stage.PRELIMINARY_ASSESSMENT],
        Level.SUMMARY,
        LegalBasis.DUTY_TO_COOPERATE,
        "School attendance and behaviour information requested",
    ),
    ("nat", [Stage.CONSENT_SOUGHT], Level.FULL, LegalBasis.DUTY_TO_COOPERATE, "Education support in the plan"),
    (
        "ncs",
        [Stage.DEFERRED, Stage.REASSESSMENT_SCHEDULED],
        Level.FULL,
        LegalBasis.SAFEGUARDING,
        "Child safeguarding assessment alongside Channel",
    ),
]


# The health trust's full grants include the sensitive details, for the mental health input it gives.
SENSITIVE_FOR = {"nht": SpecialCategoryCondition.SAFEGUARDING}


def seed_grants(*, people: list[User]) -> None:
    """Idempotent: nothing is added once the demo has grants."""
    if ShareGrant.objects.exists():
        return
    coordinator = next(u for u in people if u.username == "coordinator")
    until = timezone.now() + timedelta(days=90)
    owned = Case.objects.filter(owning_agency=coordinator.agency).order_by("number")
    for code, stages, level, basis, purpose in DEMO_GRANTS:
        agency = Agency.objects.get(code=code)
        for case in owned.filter(stage__in=stages):
            services.grant_access(
                case=case,
                actor=coordinator,
                agency=agency,
                level=level,
                purpose=purpose,
                legal_basis=basis,
                ends_at=until,
                special_category_condition=SENSITIVE_FOR.get(code) if level == Level.FULL else None,
            )
    # One revoked and one ended grant, to show they no longer give access.
    health = Agency.objects.get(code="nht")
    spare = list(owned.filter(stage=Stage.POLICE_SCREENING)[:1]) + list(owned.filter(stage=Stage.CLOSED)[:1])
    if len(spare) == 2:
        revoked = services.grant_access(
            case=spare[0],
            actor=coordinator,
            agency=health,
            level=Level.FULL,
            purpose="Shared in error",
            legal_basis=LegalBasis.PUBLIC_TASK,
            ends_at=until,
        )
        services.revoke_grant(grant=revoked, actor=coordinator)
        now = timezone.now()
        services.grant_access(
            case=spare[1],
            actor=coordinator,
            agency=health,
            level=Level.SUMMARY,
            purpose="Closing review, now over",
            legal_basis=LegalBasis.PUBLIC_TASK,
            starts_at=now - timedelta(days=60),
            ends_at=now - timedelta(days=30),
        )
