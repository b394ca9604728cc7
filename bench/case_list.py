"""The case list's first page for a panel member who sees about 1% of the cases and for a chair who
sees a whole council's, against the plain unfiltered first page of the same table."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from functools import partial
from typing import Any

from bench.context import BenchContext, ms, table
from cases.models import Case, CaseQuerySet
from cases.views import case_list as views
from sharing.access import visible_cases

TARGET = 1.5


@contextmanager
def unfiltered() -> Iterator[None]:
    """Benchmark only: the list view shows every case, as if there were no visibility rule."""
    original = views.visible_cases
    views.visible_cases = lambda user, **_kwargs: Case.objects.all()
    try:
        yield
    finally:
        views.visible_cases = original


def first_page(cases: CaseQuerySet) -> Any:
    """What the list view asks the database: the count for the paginator, then the first 25 rows."""
    ids = cases.values("pk")
    return ids.count(), list(cases.page_rows(ids[: views.PAGE_SIZE]))


def _user_page(user: Any) -> Any:
    return first_page(visible_cases(user))


def _plain_page(ctx: BenchContext, user: Any) -> Any:
    with unfiltered():
        return ctx.get(user, "/cases/")


def run(ctx: BenchContext) -> str:
    total = Case.objects.count()
    rows, counts = [], []

    for label, user in (("panel member", ctx.member), ("chair", ctx.chair), ("police practitioner", ctx.police)):
        seen = visible_cases(user).count()
        page, plain = ctx.paired(partial(ctx.get, user, "/cases/"), partial(_plain_page, ctx, user))
        sql, plain_sql = ctx.paired(partial(_user_page, user), partial(first_page, Case.objects.all()))
        rows.append(
            [
                label,
                f"{seen:,} ({seen / total:.2%})",
                ms(page),
                ms(plain),
                f"**{page / plain:.2f}**",
                ms(sql),
                ms(plain_sql),
                f"**{sql / plain_sql:.2f}**",
            ]
        )
        counts.append([label, len(ctx.queries(user, "/cases/"))])
        if label != "police practitioner":
            # The target is the page people wait for; its queries' own ratio is shown beside it.
            ctx.target(
                f"case list, {label}: first page / unfiltered first page",
                f"{page / plain:.2f} (its queries alone: {sql / plain_sql:.2f})",
                f"≤ {TARGET}",
                page / plain <= TARGET,
            )
    return "\n\n".join(
        [
            "## Case list, first page",
            f"Median of {30} requests each, taken alternately with the baseline: the same list view with "
            "`visible_cases` replaced by every case (the plain unfiltered first page of the same table). "
            "'Queries' times only what the list asks the database (the paginator's count and the first 25 "
            "rows with subject and concern joined), as the whole page does.",
            table(
                ["who", "cases visible", "page", "unfiltered page", "ratio", "queries", "unfiltered queries", "ratio"],
                rows,
            ),
            "Queries per list page at this size. The tests pin 8 with 100 and with 10,000 cases "
            "(`tests/sharing/test_visible_cases_scale.py`, `tests/cases/test_case_list.py`); a test runs inside "
            "a transaction, where the audit entry takes a savepoint, an insert and a release, while a page "
            "served outside one, as here, writes it in one statement: 2 fewer.",
            table(["who", "queries"], counts),
        ]
    )
