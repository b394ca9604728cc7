"""The shapes the work queue is made of: a `Task` (one line of a person's queue: what is waiting, in words,
how many, and the page that lists them) and a `Row` (one thing such a page lists)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date
from typing import Any
from urllib.parse import urlencode

from django.db.models import Count, Q, QuerySet
from django.urls import reverse


@dataclass(frozen=True)
class Task:
    text: str  # "3 new referrals to screen", "2 reviews due: 1 overdue, 1 in the next 30 days"
    count: int
    href: str
    # The status tag of the GOV.UK task list: its words and colour ("" for plain text, no tag).
    status: str = "To do"
    colour: str = "blue"
    # The case numbers it counted, asked only by the daily digest (the home page never runs this query).
    numbers: Callable[[], list[str]] = field(default=lambda: [], compare=False, repr=False)
    # Whether the daily digest mentions it when it counts something (the next meeting only when it is near).
    in_digest: bool = True


@dataclass(frozen=True)
class Row:
    """One thing a queue page lists: a case (its number) or a meeting (its date), what is due and when."""

    label: str
    href: str
    what: str
    when: date | None = None
    is_case: bool = True


def case_list(**filters: str) -> str:
    return f"{reverse('cases:list')}?{urlencode(filters)}"


def queue_page(key: str) -> str:
    return reverse("sharing:queue", kwargs={"key": key})


def plural(count: int, one: str, many: str) -> str:
    return f"{count} {one if count == 1 else many}"


def case_numbers(cases: QuerySet[Any]) -> Callable[[], list[str]]:
    """The case numbers of a queryset of cases, when the digest asks."""
    return lambda: list(cases.order_by("number").values_list("number", flat=True))


def count_due(rows: QuerySet[Any], today: date, *, on: str = "due_on") -> tuple[int, int]:
    """How many rows, and how many of them are overdue (`on` before today): one query."""
    found = rows.aggregate(total=Count("pk"), overdue=Count("pk", filter=Q(**{f"{on}__lt": today})))
    return int(found["total"]), int(found["overdue"])


def due_task(total: int, overdue: int, *, one: str, many: str, days: int, href: str, numbers: object) -> Task:
    """'2 reviews due: 1 overdue, 1 in the next 30 days', '1 review overdue', '2 reviews due in the next
    30 days', with the task list's tag: red when something is overdue, else yellow."""
    soon = total - overdue
    noun = plural(total, one, many)
    window = f"in the next {days} days"
    if overdue and soon:
        text = f"{noun} due: {overdue} overdue, {soon} {window}"
    elif overdue:
        text = f"{noun} overdue"
    else:
        text = f"{noun} due {window}"
    status, colour = ("Overdue", "red") if overdue else ("Due soon", "yellow")
    return Task(text, total, href, status=status, colour=colour, numbers=numbers)  # type: ignore[arg-type]
