"""The chair's dashboard figures, computed from querysets the caller has already limited to what the
viewer may see (sharing.access.visible_cases). A fixed number of queries, however many cases there are.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from typing import Any

from dateutil.relativedelta import relativedelta
from django.conf import settings
from django.db.models import Count, Q, QuerySet
from django.db.models.functions import TruncMonth
from django.utils import timezone

from cases.models import REVIEW_DUE_DAYS, Action, ActionStatus, CaseQuerySet, Review, ReviewKind, Stage

MONTHS = 12
# GOV.UK colour palette, distinguishable for most colour vision; the table beside the chart carries the
# numbers for everyone else.
PALETTE = ["#1d70b8", "#d4351c", "#00703c", "#f47738", "#4c2c92", "#f499be", "#85994b", "#28a197", "#b58840", "#505a5f"]
CHART_HEIGHT = 200
BAR_WIDTH = 32
BAR_GAP = 16
# The dashboard lists the most overdue actions; the rest are a link away.
OVERDUE_SHOWN = 10


@dataclass
class Series:
    concern_id: int
    label: str
    colour: str


@dataclass
class MonthRow:
    month: date
    counts: list[int]
    total: int = 0
    label_x: int = 0
    bars: list[dict[str, Any]] = field(default_factory=list)


def first_month(today: date) -> date:
    return today.replace(day=1) - relativedelta(months=MONTHS - 1)


def referrals_by_month(cases: CaseQuerySet, today: date) -> dict[str, Any]:
    """Referrals received in each of the last twelve months, by type of concern (one query), with the
    geometry of a stacked bar chart."""
    start = first_month(today)
    rows = (
        cases.filter(received_on__gte=start)
        .annotate(month=TruncMonth("received_on"))
        .values("month", "referral__concern_type_id", "referral__concern_type__label")
        .annotate(n=Count("id"))
        .order_by()
    )
    counts: dict[tuple[date, int], int] = {}
    labels: dict[int, str] = {}
    for found in rows:
        # PostgreSQL truncates a date to a date, SQLite may hand back a datetime.
        month = found["month"]
        month = month.date() if isinstance(month, datetime) else month
        concern = found["referral__concern_type_id"]
        labels[concern] = found["referral__concern_type__label"]
        counts[month, concern] = counts.get((month, concern), 0) + found["n"]
    series = [
        Series(concern, label, PALETTE[index % len(PALETTE)])
        for index, (concern, label) in enumerate(sorted(labels.items(), key=lambda kv: kv[1]))
    ]
    months = [start + relativedelta(months=n) for n in range(MONTHS)]
    table = [MonthRow(month, [counts.get((month, s.concern_id), 0) for s in series]) for month in months]
    for row in table:
        row.total = sum(row.counts)
    peak = max([row.total for row in table] + [1])
    for index, row in enumerate(table):
        y = CHART_HEIGHT
        x = BAR_GAP + index * (BAR_WIDTH + BAR_GAP)
        row.label_x = x + BAR_WIDTH // 2
        for count, s in zip(row.counts, series, strict=True):
            height = round(count * CHART_HEIGHT / peak)
            if height:
                y -= height
                row.bars.append({"x": x, "y": y, "height": height, "colour": s.colour})
    return {
        "series": series,
        "rows": table,
        "total": sum(row.total for row in table),
        "width": BAR_GAP + MONTHS * (BAR_WIDTH + BAR_GAP),
        "height": CHART_HEIGHT,
        "bar_width": BAR_WIDTH,
        "labels_y": CHART_HEIGHT + 16,
    }


def overdue(full: CaseQuerySet) -> QuerySet[Action]:
    """Open actions past their due date on `full` (the cases whose actions the viewer may see), most
    overdue first: the dashboard's count, its ten rows, and the page of every overdue action."""
    return (
        Action.objects.filter(case__in=full, status=ActionStatus.OPEN, due_on__lt=timezone.localdate())
        .select_related("case", "owner_agency", "owner_user__agency")
        .order_by("due_on", "id")
    )


def figures(*, cases: CaseQuerySet, full: CaseQuerySet) -> dict[str, Any]:
    """Every figure on the dashboard. `cases` are the cases the viewer may see; `full` those whose
    actions and reviews they may see, which also bounds 'stalled' (cases with a support element that has
    had no session for STALLED_SUPPORT_DAYS: the plan's progress, which a summary-level viewer may not see)."""
    today = timezone.localdate()
    by_stage = dict(cases.values_list("stage").annotate(n=Count("id")).order_by())
    overdue_actions = overdue(full)
    overdue_count = overdue_actions.aggregate(actions=Count("id"), cases=Count("case", distinct=True))
    due_until = today + timedelta(days=REVIEW_DUE_DAYS)
    reviews = {
        row["kind"]: row
        for row in Review.objects.filter(case__in=full, completed_on__isnull=True)
        .values("kind")
        .annotate(
            due=Count("id", filter=Q(due_on__gte=today, due_on__lte=due_until)),
            overdue=Count("id", filter=Q(due_on__lt=today)),
        )
        .order_by()
    }
    return {
        "stages": [(stage, by_stage.get(stage.value, 0)) for stage in Stage],
        "chart": referrals_by_month(cases, today),
        "screening_days": settings.SCREENING_WAIT_DAYS,
        "waiting_screening": cases.awaiting_screening(days=settings.SCREENING_WAIT_DAYS).count(),
        "stalled_days": settings.STALLED_SUPPORT_DAYS,
        "stalled": full.stalled(days=settings.STALLED_SUPPORT_DAYS).count(),
        "repeats": cases.repeats().count(),
        # The count and the list it links to (overdue_actions page) are the same query: actions, not cases.
        "overdue_action_count": overdue_count["actions"],
        "overdue_case_count": overdue_count["cases"],
        "overdue_actions": list(overdue_actions[:OVERDUE_SHOWN]),
        "review_due_days": REVIEW_DUE_DAYS,
        "reviews": [
            (kind, reviews.get(kind.value, {}).get("due", 0), reviews.get(kind.value, {}).get("overdue", 0))
            for kind in ReviewKind
        ],
    }
