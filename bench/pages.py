"""The case page and the auditor's searches, with their query counts."""

from __future__ import annotations

from datetime import timedelta
from functools import partial
from urllib.parse import urlencode

from django.utils import timezone

from bench.context import BenchContext, ms, table


def run(ctx: BenchContext) -> str:
    today = timezone.localdate()
    by_case = "/audit/?" + urlencode({"case_reference": ctx.chair_case.number})
    by_user = "/audit/?" + urlencode(
        {"username": ctx.busy_username, "date_from": today - timedelta(days=90), "date_to": today}
    )
    pages = [
        ("case page (summary), chair", ctx.chair, f"/cases/{ctx.chair_case.reference}/"),
        ("case page (summary), panel member", ctx.member, f"/cases/{ctx.member_case.reference}/"),
        ("case page (chronology), chair", ctx.chair, f"/cases/{ctx.chair_case.reference}/chronology/"),
        ("case search by number, chair", ctx.chair, "/cases/?" + urlencode({"q": ctx.chair_case.number})),
        ("audit search by case reference", ctx.auditor, by_case),
        ("audit search by user and 90 days", ctx.auditor, by_user),
    ]
    plain = ctx.timed(lambda: ctx.get(ctx.auditor, "/audit/"))
    rows = []
    for label, user, path in pages:
        median = ctx.timed(partial(ctx.get, user, path))
        ratio = f"{median / plain:.2f}" if path.startswith("/audit/") else ""
        rows.append([label, ms(median), ratio, len(ctx.queries(user, path))])
    return "\n\n".join(
        [
            "## Case page and searches",
            "Median of 30 requests each. The audit searches are compared with the plain first page of the "
            f"audit log (no filter, which counts every entry for the paginator): {ms(plain)}.",
            table(["page", "median", "ratio to plain audit page", "queries"], rows),
            "Query counts do not depend on the data size: `tests/cases/test_case_page.py` pins the owner's case "
            "page at 9 with 1 and with 21 cases, inside a transaction where the audit entry is a savepoint, an "
            f"insert and a release; outside one, as here against {ctx.sizes['cases']:,} cases, the entry is one "
            "statement, so 7 (a panel member's page adds one query for the level of their grant).",
        ]
    )
