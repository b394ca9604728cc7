"""What the figures mean: the changes the measurements led to, and why any target is not met."""

from __future__ import annotations

from bench.context import BenchContext

# Why a target can fail on this machine, by the start of the target's name.
REASONS = {
    "case list": (
        "The target is judged on the page as served (its queries' own ratio is beside it). The unfiltered "
        "baseline reads the newest 25 cases straight from the `case_recent` index and counts "
        "the table with an index-only scan; a user's list must first build the set of cases they may see "
        "(the union of their ways of seeing, including the grant and guardian-permission cross-check) for "
        "both the count and the page. On a shared 2-core machine both figures also move with whatever "
        "else runs; the next step would be a maintained visibility table (principal, case, received_on) "
        "so a list becomes one index range scan."
    ),
    "audit write cost": (
        "The audit section splits the difference between the WAL flush of the entry's commit (which its "
        "diagnostic row removes) and the entry itself; when the diagnostic row is within the target, the "
        "flush on this VM's shared disk is what breaks it (production keeps synchronous commit). What the "
        "software can still cut is in the insert: single-column indexes on `case_reference`, `actor` and "
        "`actor_agency` (each covered by a composite index that starts with it), the `varchar_pattern_ops` "
        "copies for `event`, `request_id`, `case_reference`, `cid` and `object_pk` (searched by equality "
        "only), and `cid`, which repeats `request_id`. They are kept in this change because the audit app "
        "is being extended in parallel."
    ),
    "load run": (
        "see the load run's table: a request that failed is listed by status; a mismatch between entries "
        "and requests would mean an access shown without its entry, which the fail-closed audit forbids."
    ),
    "verify_audit": "verification loads more than one seal at a time: check audit.sealing.verify.",
}


def run(ctx: BenchContext) -> str:
    missed = [t for t in ctx.targets if not t.met]
    changes = [
        "- `sharing`: the ways of seeing a case (owner, police area, grants backed by guardian "
        "permissions, provider) are listed once (`sharing.policy.WAYS`); `visible_cases` combines them as one "
        "`pk IN (a UNION ALL b …)`, the single-case gate ORs them as conditions on the row it found by "
        "reference. With the OR, every list and count tested every case row against every way (a full scan "
        "of `cases_case`, growing with the national table); with the union, the gate would build a police "
        "practitioner's whole set (about 20 ms) to check one row. Still one SQL statement each.",
        "- The case list picks its page among ids and joins subject and concern for those 25 only, in the "
        "same statement (the pinned 8 queries per page are unchanged).",
        "- Indexes (`cases` migration `0005_scale_indexes`): `subject_force_area` (police practitioners' "
        "cases by force area; before it, a scan of every subject) and `case_recent` (`-received_on, -id`, "
        "the list order: the unfiltered page no longer sorts the whole table on disk).",
        "- `audit.services.record` outside a transaction inserts in one round trip (the insert commits on its "
        "own) instead of three (BEGIN, INSERT, COMMIT); inside one it keeps its savepoint.",
        "- `DATABASE_CONN_MAX_AGE` (new setting, default 0): gunicorn reconnected to PostgreSQL for every "
        "request, a cost measured in the load run's section; the load run keeps connections for 60 s, as "
        "production should.",
        "- Not done: partitioning the audit table by month. Searches by case reference and by user and "
        "date use the composite indexes `audit_case_time` and `audit_actor_time` (see the plans) and stay "
        "in milliseconds at a million entries; writes cost a commit, not an index walk; verification "
        "streams. Partitioning would help retention (detaching a month) at tens of millions of entries, "
        "and must then keep the append-only triggers, the `txid` column and sealing order working on the "
        "partitioned parent; the figures here do not call for it yet. The unfiltered audit search page "
        "counts every entry for its paginator, which grows with the log: an estimated count there is "
        "the next step.",
    ]
    unmet = [
        f"- **{t.name}**: {t.figure} against {t.target}. "
        + next((why for start, why in REASONS.items() if t.name.startswith(start)), "")
        for t in missed
    ]
    return "\n\n".join(
        [
            "## What changed, and what is not met",
            "Changes made because of these measurements (issue 9):",
            "\n".join(changes),
            "Targets not met in this run:" if missed else "Every target is met in this run.",
            "\n".join(unmet),
        ]
    )
