"""What falls due for a person (issue 17 part 6): their actions, the reviews and re-assessments of their
council's cases, consent not yet sought, access grants ending, meetings to prepare. Each is a `Listing`:
one function gives the records it counts (through the gate: `visible_cases`, `visible_meetings`), the
task counts them in one query, and the queue page (sharing.views.queue) lists exactly those records.

Stalled support is judged per element (`SupportElement.objects.stalled`, no session for
STALLED_SUPPORT_DAYS), for the coordinators of the council whose case it is.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date
from typing import Any

from django.conf import settings
from django.db.models import QuerySet
from django.urls import reverse
from django.utils import formats, timezone

from cases.models import (
    REVIEW_DUE_DAYS,
    Action,
    Case,
    Review,
)
from partners.models import User
from sharing.access import Capability
from sharing.todo.base import Row, Task, case_numbers, count_due, due_task, plural, queue_page
from sharing.todo.records import (
    consent_not_sought,
    ending_grants,
    grants_ending,
    meetings_to_prepare,
    my_ending_access,
    own_actions,
    reassessments_due,
    reviews_due,
    stalled_support,
    unowned_actions,
)


def _case_href(case: Case, tab: str = "detail") -> str:
    return reverse(f"cases:{tab}", kwargs={"reference": case.reference})


def _day(day: date) -> str:
    return formats.date_format(day, "j F Y")


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


def _stalled_rows(user: User) -> list[Row]:
    elements = stalled_support(user).with_progress().select_related("plan__case", "support_type", "provider")
    rows = []
    for e in elements.order_by("plan__case__number", "id"):
        since = getattr(e, "last_session_on", None) or e.starts_on
        what = f"{e.support_type.label} by {e.provider.name}: no session since {_day(since)}"
        rows.append(Row(e.plan.case.number, _case_href(e.plan.case, "plan"), what, since))
    return rows


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
    for case_id, end in ending_grants().for_user(user).values_list("case_id", "ends_at"):
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


def _due(
    records: Callable[[User], QuerySet[Any]],
    rows: Callable[[QuerySet[Any]], list[Row]],
    *,
    key: str,
    one: str,
    many: str,
    days: Callable[[], int],
) -> Callable[[User], Task | None]:
    """The task of a line that counts records due within `days` or overdue (actions, reviews): one count,
    and the case numbers of its page's rows when the digest asks."""

    def task(user: User) -> Task | None:
        total, overdue = count_due(records(user), timezone.localdate())
        numbers = _rows_numbers(lambda: rows(records(user)))
        return due_task(total, overdue, one=one, many=many, days=days(), href=queue_page(key), numbers=numbers)

    return task


def _soon_days() -> int:
    return int(settings.QUEUE_DUE_SOON_DAYS)


_own_actions_task = _due(
    own_actions, _action_rows, key="my-actions", one="of your actions", many="of your actions", days=_soon_days
)
_unowned_actions_task = _due(
    unowned_actions,
    _action_rows,
    key="unowned-actions",
    one="action with no owner",
    many="actions with no owner",
    days=_soon_days,
)
_reviews_task = _due(
    reviews_due, _review_rows, key="reviews", one="review", many="reviews", days=lambda: REVIEW_DUE_DAYS
)
_reassessments_task = _due(
    reassessments_due,
    _review_rows,
    key="reassessments",
    one="re-assessment",
    many="re-assessments",
    days=lambda: REVIEW_DUE_DAYS,
)


def _stalled_task(user: User) -> Task | None:
    elements = stalled_support(user)
    count = elements.count()
    text = plural(count, "support element", "support elements")
    text += f" with no session in the last {settings.STALLED_SUPPORT_DAYS} days"
    numbers = _rows_numbers(lambda: _stalled_rows(user))
    return Task(text, count, queue_page("stalled-support"), status="Stalled", colour="red", numbers=numbers)


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
            "stalled-support",
            "Support with no recent session",
            Capability.CREATE_REFERRAL,
            _stalled_task,
            _stalled_rows,
        ),
        Listing(
            "consent", "Consent not yet sought or recorded", Capability.CREATE_REFERRAL, _consent_task, _consent_rows
        ),
        Listing("my-access", "Your access ending soon", Capability.VIEW, _my_access_task, _my_access_rows),
        Listing("grants", "Grants of access ending soon", Capability.SHARE, _grants_task, _grant_rows),
        Listing("meetings", "Panel meetings to prepare", Capability.ORGANISE_MEETING, _meetings_task, _meeting_rows),
    ]
}
