"""The records each line of the work queue counts, through the gate (`visible_cases`, `visible_meetings`):
one function per line, who-dependent, so the line, the queue page and the digest count the same rows."""

from __future__ import annotations

from datetime import date, timedelta

from django.conf import settings
from django.db.models import Exists, OuterRef, Q, QuerySet
from django.utils import timezone

from cases.models import (
    REVIEW_DUE_DAYS,
    Action,
    ActionStatus,
    Case,
    Consent,
    MeetingStatus,
    PanelMeeting,
    Review,
    ReviewKind,
    Stage,
    SupportElement,
    SupportElementQuerySet,
    SupportPlan,
)
from partners.models import Role, User
from sharing.access import Capability, visible_cases, visible_meetings
from sharing.models import GrantKind, ShareGrant, ShareGrantQuerySet
from sharing.policy import owning_council

REVIEWS = [ReviewKind.IN_PROGRAMME, ReviewKind.POST_EXIT_6, ReviewKind.POST_EXIT_12]
CONSENT_STAGES = [Stage.ADOPTED, Stage.CONSENT_SOUGHT]


def _soon() -> date:
    return timezone.localdate() + timedelta(days=settings.QUEUE_DUE_SOON_DAYS)


def _coordinated_council(user: User) -> int | None:
    """The council whose casework this person coordinates: a Prevent coordinator's own. The reminders of
    their council's cases (reviews, consent, unowned actions) go to them, not to everyone who sees it."""
    return owning_council(user) if user.role == Role.PREVENT_COORDINATOR else None


# --- the records each listing counts ----------------------------------------------------------------


def own_actions(user: User) -> QuerySet[Action]:
    """Open actions this person owns, due within QUEUE_DUE_SOON_DAYS or overdue, on cases they can see."""
    # Cases whose actions they may see (as the Actions tab the page links to): a provider who owns an
    # action on a case they see only in part is not shown its text.
    return Action.objects.filter(
        owner_user_id=user.pk,
        status=ActionStatus.OPEN,
        due_on__lte=_soon(),
        case__in=visible_cases(user, action=Capability.VIEW_FULL),
    )


def unowned_actions(user: User) -> QuerySet[Action]:
    """For a coordinator: their council's open actions with no one owning them (no person, or one who has
    left), due within QUEUE_DUE_SOON_DAYS or overdue."""
    council = _coordinated_council(user)
    if council is None:
        return Action.objects.none()
    return Action.objects.filter(
        Q(owner_user__isnull=True) | Q(owner_user__is_active=False),
        status=ActionStatus.OPEN,
        due_on__lte=_soon(),
        case__owning_agency_id=council,
        case__in=visible_cases(user, action=Capability.VIEW_FULL),
    )


def _council_reviews(user: User, kinds: list[ReviewKind]) -> QuerySet[Review]:
    council = _coordinated_council(user)
    if council is None:
        return Review.objects.none()
    return Review.objects.filter(
        completed_on__isnull=True,
        kind__in=kinds,
        due_on__lte=timezone.localdate() + timedelta(days=REVIEW_DUE_DAYS),
        case__owning_agency_id=council,
        case__in=visible_cases(user, action=Capability.VIEW_FULL),
    )


def reviews_due(user: User) -> QuerySet[Review]:
    """In-programme and post-exit reviews of the coordinator's council, due within REVIEW_DUE_DAYS or overdue."""
    return _council_reviews(user, REVIEWS)


def reassessments_due(user: User) -> QuerySet[Review]:
    """Re-assessments after refused or withdrawn consent (or withdrawn support), as reviews_due."""
    return _council_reviews(user, [ReviewKind.REASSESSMENT])


def consent_not_sought(user: User) -> QuerySet[Case]:
    """The coordinator's council's adopted cases (or with consent sought) with no plan for asking consent
    (s.36(5)(a)) or no consent recorded yet."""
    council = _coordinated_council(user)
    if council is None:
        return Case.objects.none()
    planned = Exists(SupportPlan.objects.filter(case=OuterRef("pk"), consent_request_on__isnull=False))
    recorded = Exists(Consent.objects.filter(case=OuterRef("pk")))
    return (
        visible_cases(user, action=Capability.CONSENT)
        .filter(owning_agency_id=council, stage__in=CONSENT_STAGES)
        .annotate(planned=planned, recorded=recorded)
        .filter(Q(planned=False) | Q(recorded=False))
    )


def stalled_support(user: User) -> SupportElementQuerySet:
    """The coordinator's council's active support elements with no session for STALLED_SUPPORT_DAYS."""
    council = _coordinated_council(user)
    if council is None:
        return SupportElement.objects.none()
    return SupportElement.objects.stalled(days=settings.STALLED_SUPPORT_DAYS).filter(
        plan__case__owning_agency_id=council, plan__case__in=visible_cases(user, action=Capability.VIEW_PLAN)
    )


def ending_grants() -> ShareGrantQuerySet:
    """Grants in force that end within QUEUE_DUE_SOON_DAYS; a meeting's grants end with it and need no one."""
    now = timezone.now()
    return (
        ShareGrant.objects.active(now)
        .filter(ends_at__lte=now + timedelta(days=settings.QUEUE_DUE_SOON_DAYS))
        .exclude(kind=GrantKind.MEETING)
    )


def my_ending_access(user: User) -> QuerySet[Case]:
    """Cases this person (or their agency) sees by a grant that ends soon."""
    grants = ending_grants().for_user(user).values("case_id")
    return visible_cases(user).filter(pk__in=grants)


def grants_ending(user: User) -> QuerySet[ShareGrant]:
    """Grants ending soon on cases this person may share (they may extend them)."""
    return ending_grants().filter(case__in=visible_cases(user, action=Capability.SHARE))


def meetings_to_prepare(user: User) -> QuerySet[PanelMeeting]:
    """Meetings of the person's council in the next QUEUE_MEETING_DAYS whose agenda is not circulated."""
    council = owning_council(user)
    today = timezone.localdate()
    found = visible_meetings(user).filter(
        status=MeetingStatus.PLANNED,
        held_on__gte=today,
        held_on__lte=today + timedelta(days=settings.QUEUE_MEETING_DAYS),
    )
    return found.filter(Q(owning_agency_id=council) | Q(chair_id=user.pk))
