"""EXPLAIN ANALYZE of the hot queries: the statements the busiest pages really run, captured from a
request, that read the cases or the audit log."""

from __future__ import annotations

import re
from datetime import timedelta
from urllib.parse import urlencode

from django.db import connection
from django.utils import timezone

from bench.context import BenchContext

HOT_TABLES = ('"cases_case"', '"audit_auditentry"')


def _explain(sql: str) -> tuple[str, str]:
    with connection.cursor() as cursor:
        cursor.execute("EXPLAIN (ANALYZE, BUFFERS) " + sql)
        plan = "\n".join(row[0] for row in cursor.fetchall())
    took = re.search(r"Execution Time: ([\d.]+) ms", plan)
    return plan, f"{float(took.group(1)):.1f} ms" if took else "?"


def run(ctx: BenchContext) -> str:
    today = timezone.localdate()
    pages = [
        ("Case list, panel member", ctx.member, "/cases/"),
        ("Case list, chair", ctx.chair, "/cases/"),
        ("Case list, police practitioner", ctx.police, "/cases/"),
        ("Case page, panel member", ctx.member, f"/cases/{ctx.member_case.reference}/"),
        (
            "Audit search by case reference",
            ctx.auditor,
            "/audit/?" + urlencode({"case_reference": ctx.chair_case.number}),
        ),
        (
            "Audit search by user and 90 days",
            ctx.auditor,
            "/audit/?"
            + urlencode({"username": ctx.busy_username, "date_from": today - timedelta(days=90), "date_to": today}),
        ),
    ]
    parts = [
        "## Query plans of the hot queries",
        "Each page's statements that read `cases_case` or `audit_auditentry`, captured from a real request "
        "and run again under `EXPLAIN (ANALYZE, BUFFERS)`.",
    ]
    for label, user, path in pages:
        parts.append(f"### {label}")
        for sql in ctx.queries(user, path):
            if not sql.lstrip().upper().startswith("SELECT") or not any(t in sql for t in HOT_TABLES):
                continue
            plan, took = _explain(sql)
            # The column list says nothing about the plan; the joins and conditions do.
            short = re.sub(r"^SELECT (?!COUNT).*? FROM ", "SELECT … FROM ", sql, count=1, flags=re.S)
            summary = short[:110].replace("<", "&lt;")
            parts.append(
                f"<details><summary>{took}: <code>{summary}…</code></summary>\n\n"
                f"```sql\n{short}\n```\n\n```\n{plan}\n```\n</details>"
            )
    return "\n\n".join(parts)
