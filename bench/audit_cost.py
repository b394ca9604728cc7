"""What auditing costs a page: the case page with its audit entry against the same page with audit
writes switched off (in this benchmark only)."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from functools import partial
from typing import Any

from django.db import connection, transaction

from bench.context import BenchContext, auditing_off, ms, table

TARGET = 1.15


def _commit_latency() -> float:
    """Median seconds of the smallest durable commit: a transaction that takes an id and commits, so
    PostgreSQL must flush its WAL to disk before answering."""

    def commit() -> None:
        with transaction.atomic(), connection.cursor() as cursor:
            cursor.execute("SELECT pg_current_xact_id()")

    return BenchContext.timed(commit, repeat=60)


@contextmanager
def asynchronous_commit() -> Iterator[None]:
    """Diagnostic only: commits without waiting for the disk, to separate the flush from the rest."""
    with connection.cursor() as cursor:
        cursor.execute("SET synchronous_commit = off")
    try:
        yield
    finally:
        with connection.cursor() as cursor:
            cursor.execute("RESET synchronous_commit")


def _record(ctx: BenchContext) -> None:
    from audit import services

    case = ctx.chair_case
    services.record(event="bench.entry", actor=ctx.chair, obj=case, case_reference=case.number)


def _silent(ctx: BenchContext, user: Any, path: str) -> Any:
    with auditing_off():
        return ctx.get(user, path)


def run(ctx: BenchContext) -> str:
    rows = []
    chair_split: tuple[float, float] = (0.0, 0.0)
    for label, user, case in (("chair", ctx.chair, ctx.chair_case), ("panel member", ctx.member, ctx.member_case)):
        path = f"/cases/{case.reference}/"

        audited, plain = ctx.paired(partial(ctx.get, user, path), partial(_silent, ctx, user, path), repeat=60)
        rows.append([label, ms(audited), ms(plain), f"{(audited - plain) * 1000:.2f} ms", f"**{audited / plain:.2f}**"])
        chair_split = chair_split if label != "chair" else (audited, plain)
        ctx.target(
            f"audit write cost, case page ({label})", f"{audited / plain:.2f}", f"≤ {TARGET}", audited / plain <= TARGET
        )
    with asynchronous_commit():
        path = f"/cases/{ctx.chair_case.reference}/"
        audited, plain = ctx.paired(
            partial(ctx.get, ctx.chair, path), partial(_silent, ctx, ctx.chair, path), repeat=60
        )
    rows.append(
        [
            "chair, diagnostic: commits not waiting for the disk",
            ms(audited),
            ms(plain),
            f"{(audited - plain) * 1000:.2f} ms",
            f"{audited / plain:.2f}",
        ]
    )
    flush = _commit_latency()
    entry = BenchContext.timed(partial(_record, ctx), repeat=60)
    with connection.cursor() as cursor:
        cursor.execute("SELECT count(*) FROM pg_indexes WHERE tablename = 'audit_auditentry'")
        indexes = cursor.fetchone()[0]
    difference, quick = chair_split[0] - chair_split[1], audited - plain
    flush_share = (
        f"the WAL flush accounts for about {(difference - quick) * 1000:.2f} ms of it"
        if quick < difference
        else "it did not shrink, so in this run the flush is not what the entry costs"
    )
    return "\n\n".join(
        [
            "## The cost of writing the audit log",
            "The case page (summary tab) with its `case.viewed` entry (one insert into a table of "
            f"{ctx.sizes['audit_entries']:,}+ rows with its indexes, committed before the page is shown) "
            "against the same page "
            "with `audit.services.record` replaced by a no-op; median of 60 requests each, alternately.",
            table(["who", "audited", "not audited", "difference", "ratio"], rows),
            f"Where the chair's {difference * 1000:.2f} ms go: writing one entry on its own "
            f"(`audit.services.record`, the call the page makes) takes {ms(entry)}: one insert that "
            f"commits on its own (an unaudited GET writes nothing and commits nothing), into a "
            f"table with {indexes} indexes, and building the entry in Python. When commits do not wait for the "
            f"disk (the diagnostic row, `synchronous_commit = off` in this benchmark's session only) the "
            f"difference is {quick * 1000:.2f} ms: {flush_share} (a bare durable commit takes {ms(flush)} here). The "
            f"page itself takes {ms(chair_split[1])}, so the 15% budget is "
            f"{chair_split[1] * 0.15 * 1000:.2f} ms. Production keeps synchronous commit: an access that was "
            "shown must never be lost from the log.",
        ]
    )
