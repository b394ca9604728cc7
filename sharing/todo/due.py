"""What falls due for a person (issue 17 part 6): their actions, the reviews and re-assessments of their
council's cases, consent not yet sought, access grants ending, meetings to prepare. Each is a `Listing`:
one function gives the records it counts (through the gate: `visible_cases`, `visible_meetings`), the
task counts them in one query, and the queue page (sharing.views.queue) lists exactly those records.

Stalled support (issue 17 part 1, built beside this) plugs in here as one more Listing: its records are
`SupportElement.objects.stalled(days=settings.STALLED_SUPPORT_DAYS)` on `visible_cases(user,
action=Capability.VIEW_PLAN)` of the person's council, and its task goes in PROVIDERS (sharing/todo).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

from django.conf import settings
from django.db.models import Exists, OuterRef, Q, QuerySet
from django.urls import reverse
from django.utils import formats, timezone

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
    SupportPlan,
)
from partners.models import Role, User
from sharing.access import Capability, visible_cases, visible_meetings
from sharing.models import GrantKind, ShareGrant, ShareGrantQuerySet
from sharing.policy import owning_council
from sharing.todo.base import Row, Task, case_numbers, count_due, due_task, plural, queue_page

REVIEWS = [ReviewKind.IN_PROGRAMME, ReviewKind.POST_EXIT_6, ReviewKind.POST_EXIT_12]
CONSENT_STAGES = [Stage.ADOPTED, Stage.CONSENT_SOUGHT]


def _soon() -> date:
    return timezone.localdate() + timedelta(days=settings.QUEUE_DUE_SOON_DAYS)


def _coordinated_council(user: User) -> int | None:
    """The council whose casework this person coordinates: a Prevent coordinator's own. The reminders of
    their council's cases (reviews, consent, unowned actions) go to them, not to everyone who sees it."""
    return owning_council(user) if user.role == Role.PREVENT_COORDINATOR else None


def _case_href(case: Case, tab: str = "detail") -> str:
    return reverse(f"cases:{tab}", kwargs={"reference": case.reference})


def _day(day: date) -> str:
    return formats.date_format(day, "j F Y")


# --- the records each listing counts ----------------------------------------------------------------


def own_actions(user: User) -> QuerySet[Action]:
    """Open actions this person owns, due within QUEUE_DUE_SOON_DAYS or overdue, on cases they can see."""
    return Action.objects.filter(
        owner_user_id=user.pk, status=ActionStatus.OPEN, due_on__lte=_soon(), case__in=visible_cases(user)
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


def _ending_grants() -> ShareGrantQuerySet:
    """Grants in force that end within QUEUE_DUE_SOON_DAYS; a meeting's grants end with it and need no one."""
    now = timezone.now()
    return (
        ShareGrant.objects.active(now)
        .filter(ends_at__lte=now + timedelta(days=settings.QUEUE_DUE_SOON_DAYS))
        .exclude(kind=GrantKind.MEETING)
    )


def my_ending_access(user: User) -> QuerySet[Case]:
    """Cases this person (or their agency) sees by a grant that ends soon."""
    grants = _ending_grants().for_user(user).values("case_id")
    return visible_cases(user).filter(pk__in=grants)


def grants_ending(user: User) -> QuerySet[ShareGrant]:
    """Grants ending soon on cases this person may share (they may extend them)."""
    return _ending_grants().filter(case__in=visible_cases(user, action=Capability.SHARE))


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


# --- the pages' rows --------------------------------------------------------------------------------


def _action_rows(actions: QuerySet[Action]) -> list[Row]:
    return [
        Row(a.case.number, _case_href(a.case, "actions"), a.description, a.due_on)
        for a in actions.select_related("case").order_by("due_on", "id")
    ]


def _review_rows(reviews: QuerySet[Review]) -> list[Row]:
    return [
        Row(r.case.number, _case_href(r.case, "reviews"), r.get_kind_display(), r.due_on)
        for r in reviews.select_related("case").order_by("due_on", "id")
    ]


def _consent_rows(user: User) -> list[Row]:
    return [
        Row(
            case.number,
            _case_href(case),
            "No plan yet for asking consent" if not case.planned else "Consent not recorded yet",  # type: ignore[attr-defined]
        )
        for case in consent_not_sought(user).order_by("number")
    ]


def _my_access_rows(user: User) -> list[Row]:
    ends: dict[int, Any] = {}
    for case_id, end in _ending_grants().for_user(user).values_list("case_id", "ends_at"):
        ends[case_id] = max(end, ends.get(case_id, end))
    return [
        Row(case.number, _case_href(case), "Your access ends", timezone.localdate(ends[case.pk]))
        for case in my_ending_access(user).order_by("number")
    ]


def _grant_rows(user: User) -> list[Row]:
    rows = []
    for grant in grants_ending(user).select_related("case", "user__agency", "agency").order_by("ends_at", "id"):
        holder, agency = grant.user, grant.agency
        who = (
            f"{holder.get_full_name() or holder.username} ({holder.agency.name})"
            if holder
            else str(agency and agency.name)
        )
        rows.append(
            Row(
                grant.case.number,
                _case_href(grant.case, "sharing"),
                f"Access for {who} ends",
                timezone.localdate(grant.ends_at),
            )
        )
    return rows


def _meeting_rows(user: User) -> list[Row]:
    return [
        Row(
            f"Panel meeting, {_day(m.held_on)}",
            reverse("cases:meeting", kwargs={"meeting": m.reference}),
            "Agenda not circulated yet",
            m.held_on,
            is_case=False,
        )
        for m in meetings_to_prepare(user).order_by("held_on", "starts_at", "id")
    ]


@dataclass(frozen=True)
class Listing:
    key: str
    title: str  # the queue page's heading
    capability: Capability
    task: Callable[[User], Task | None]
    rows: Callable[[User], list[Row]]


def _rows_numbers(rows: Callable[[], list[Row]]) -> Callable[[], list[str]]:
    return lambda: sorted({row.label for row in rows() if row.is_case})


def _own_actions_task(user: User) -> Task | None:
    total, overdue = count_due(own_actions(user), timezone.localdate())
    days = settings.QUEUE_DUE_SOON_DAYS
    rows = _rows_numbers(lambda: _action_rows(own_actions(user)))
    return due_task(
        total,
        overdue,
        one="of your actions",
        many="of your actions",
        days=days,
        href=queue_page("my-actions"),
        numbers=rows,
    )


def _unowned_actions_task(user: User) -> Task | None:
    total, overdue = count_due(unowned_actions(user), timezone.localdate())
    days = settings.QUEUE_DUE_SOON_DAYS
    rows = _rows_numbers(lambda: _action_rows(unowned_actions(user)))
    return due_task(
        total,
        overdue,
        one="action with no owner",
        many="actions with no owner",
        days=days,
        href=queue_page("unowned-actions"),
        numbers=rows,
    )


def _reviews_task(user: User) -> Task | None:
    total, overdue = count_due(reviews_due(user), timezone.localdate())
    rows = _rows_numbers(lambda: _review_rows(reviews_due(user)))
    return due_task(
        total, overdue, one="review", many="reviews", days=REVIEW_DUE_DAYS, href=queue_page("reviews"), numbers=rows
    )


def _reassessments_task(user: User) -> Task | None:
    total, overdue = count_due(reassessments_due(user), timezone.localdate())
    rows = _rows_numbers(lambda: _review_rows(reassessments_due(user)))
    return due_task(
        total,
        overdue,
        one="re-assessment",
        many="re-assessments",
        days=REVIEW_DUE_DAYS,
        href=queue_page("reassessments"),
        numbers=rows,
    )


def _consent_task(user: User) -> Task | None:
    cases = consent_not_sought(user)
    count = cases.count()
    text = plural(
        count, "adopted case without consent sought or recorded", "adopted cases without consent sought or recorded"
    )
    return Task(text, count, queue_page("consent"), numbers=case_numbers(cases))


def _my_access_task(user: User) -> Task | None:
    cases = my_ending_access(user)
    count = cases.count()
    text = f"Your access to {plural(count, 'case', 'cases')} ends in the next {settings.QUEUE_DUE_SOON_DAYS} days"
    return Task(text, count, queue_page("my-access"), status="Ends soon", colour="yellow", numbers=case_numbers(cases))


def _grants_task(user: User) -> Task | None:
    grants = grants_ending(user)
    count = grants.count()
    days = settings.QUEUE_DUE_SOON_DAYS
    verb = "ends" if count == 1 else "end"
    text = f"{plural(count, 'grant of access', 'grants of access')} to cases you share {verb} in the next {days} days"
    numbers = _rows_numbers(lambda: _grant_rows(user))
    return Task(text, count, queue_page("grants"), status="Ends soon", colour="yellow", numbers=numbers)


def _meetings_task(user: User) -> Task | None:
    count = meetings_to_prepare(user).count()
    days = settings.QUEUE_MEETING_DAYS
    text = f"{plural(count, 'panel meeting', 'panel meetings')} in the next {days} days with the agenda not circulated"
    return Task(text, count, queue_page("meetings"))


# Coordinator-only listings name Capability.CREATE_REFERRAL (only coordinators log referrals) and then
# look at the person's council; the rest name what the records need.
LISTINGS: dict[str, Listing] = {
    listing.key: listing
    for listing in [
        Listing(
            "my-actions", "Your actions due", Capability.VIEW, _own_actions_task, lambda u: _action_rows(own_actions(u))
        ),
        Listing(
            "unowned-actions",
            "Actions with no owner",
            Capability.CREATE_REFERRAL,
            _unowned_actions_task,
            lambda u: _action_rows(unowned_actions(u)),
        ),
        Listing(
            "reviews", "Reviews due", Capability.CREATE_REFERRAL, _reviews_task, lambda u: _review_rows(reviews_due(u))
        ),
        Listing(
            "reassessments",
            "Re-assessments due",
            Capability.CREATE_REFERRAL,
            _reassessments_task,
            lambda u: _review_rows(reassessments_due(u)),
        ),
        Listing(
            "consent", "Consent not yet sought or recorded", Capability.CREATE_REFERRAL, _consent_task, _consent_rows
        ),
        Listing("my-access", "Your access ending soon", Capability.VIEW, _my_access_task, _my_access_rows),
        Listing("grants", "Grants of access ending soon", Capability.SHARE, _grants_task, _grant_rows),
        Listing("meetings", "Panel meetings to prepare", Capability.ORGANISE_MEETING, _meetings_task, _meeting_rows),
    ]
}
