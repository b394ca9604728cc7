"""Building an export: which entries, the cover, the PDF in parallel chunks, and the CSV.

The job row is the source of truth (audit.models.ExportJob); the Celery task only says "work on job
n". A job is claimed under a row lock, so a task delivered twice (a redelivery after a worker died, or
the sweep re-sending a job) renders it once at a time and finishes it once.
"""

from __future__ import annotations

import csv
import hashlib
import io
import logging
import re
import textwrap
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import timedelta
from typing import Any

from django.conf import settings
from django.db import connection, transaction
from django.db.models import QuerySet
from django.template.loader import render_to_string
from django.utils import timezone

from audit import services as audit
from audit.forms import AuditSearchForm
from audit.models import AuditEntry, ExportFile, ExportJob, ExportKind, ExportStatus, Seal
from audit.sealing import DIGEST_FIELDS, entry_digest, seal_pending, unsealed_entries
from lib.pdf import join_and_number, render_many

logger = logging.getLogger(__name__)

# The table is laid out here, not by WeasyPrint: each row is a block of monospaced lines with the columns
# padded to fixed widths and long values wrapped within their column. WeasyPrint's table layout is the
# slow part of a long PDF (tech.md section 4); lines of text are cheap, and with a fixed line height we
# know exactly which rows fit on a page, so pages can be rendered as separate documents in parallel.
LINES_PER_PAGE = 62
# Pages per separately rendered document: enough that process start-up does not dominate, few enough
# that several processes share the work and each holds little in memory (see docs/benchmarks.md).
CHUNK_PAGES = 10
# A running job that has not reported progress for this long is taken to have lost its worker; a live
# worker beats every HEARTBEAT seconds whatever it is doing.
SILENT_FOR = timedelta(minutes=3)
HEARTBEAT = 30
# A job whose workers keep dying (a document that kills the renderer) is given up after this many.
MAX_ATTEMPTS = 3
# A queued job not picked up within this time is sent again (the broker may have been down).
QUEUED_FOR = timedelta(minutes=1)

# (heading, width in characters): 199 characters fill an A4 landscape line at 6.4pt DejaVu Sans Mono.
COLUMNS = [
    ("Entry", 8), ("When", 19), ("User", 12), ("Agency", 6), ("Role", 12), ("Event", 16), ("Outcome", 7),
    ("Case", 13), ("Record", 16), ("Request", 38), ("Purpose", 30), ("Digest", 10),
]  # fmt: skip
CSV_COLUMNS = [
    "entry", "timestamp_utc", "username", "agency", "role", "event", "outcome", "case_reference",
    "record", "method", "path", "request_id", "purpose", "digest_sha256",
]  # fmt: skip
FILTER_LABELS = {
    "date_from": "From",
    "date_to": "To",
    "username": "User",
    "agency": "Agency",
    "case_reference": "Case",
    "event": "What happened",
    "outcome": "Outcome",
}


class ExportTooLarge(Exception):
    pass


# --- which entries ----------------------------------------------------------------------------------


def stored_filters(form: AuditSearchForm) -> dict[str, str]:
    """A valid search form's filters as plain strings, to store on the job and validate again later."""
    stored = {}
    for name, value in form.cleaned_data.items():
        if value in (None, ""):
            continue
        stored[name] = str(value.pk) if hasattr(value, "pk") else str(value)
    return stored


def _search_form(job: ExportJob) -> AuditSearchForm:
    form = AuditSearchForm(job.filters)
    if not form.is_valid():  # stored from a valid form; reference data never disappears
        raise ValueError(f"stored filters no longer valid: {form.errors.as_text()}")
    return form


def printable_filters(job: ExportJob) -> list[tuple[str, str]]:
    if job.kind == ExportKind.CASE:
        return [("Case", job.case_reference)]
    form = _search_form(job)
    return [(FILTER_LABELS[name], value) for name, value in form.as_filters().items() if name in FILTER_LABELS]


def entries_for(job: ExportJob) -> QuerySet[AuditEntry]:
    """The entries an export holds: its filters, up to the last entry that existed when it was asked for."""
    if job.kind == ExportKind.CASE:
        entries = AuditEntry.objects.filter(case_reference=job.case_reference)
    else:
        form = _search_form(job)
        entries = AuditEntry.objects.matching(**{k: v for k, v in form.cleaned_data.items() if k in form.fields})
    return entries.filter(id__lte=job.upto_entry_id).order_by("timestamp", "id")


def latest_entry_id() -> int:
    return AuditEntry.objects.order_by("-id").values_list("id", flat=True).first() or 0


def _rows(entries: QuerySet[AuditEntry]) -> Iterator[dict[str, Any]]:
    fields = (*DIGEST_FIELDS, "actor__username", "actor_agency__code")
    for row in entries.values(*fields).iterator(chunk_size=2000):
        row["digest"] = entry_digest(row)
        yield row


def _pdf_row(row: dict[str, Any]) -> tuple[str, ...]:
    when = timezone.localtime(row["timestamp"]).strftime("%Y-%m-%d %H:%M:%S")
    return (
        str(row["id"]),
        when,
        row["actor__username"] or "not signed in",
        row["actor_agency__code"] or "",
        row["actor_role"],
        row["event"],
        row["outcome"],
        row["case_reference"],
        row["object_repr"],
        f"{row['method']} {row['path']}".strip(),
        row["purpose"],
        row["digest"][:10],
    )


def _csv_value(value: Any) -> str:
    text = "" if value is None else str(value)
    # A spreadsheet would run a cell starting with one of these as a formula: print it as text instead.
    return "'" + text if text[:1] in ("=", "+", "-", "@", "\t", "\r") else text


def _csv_row(row: dict[str, Any]) -> list[str]:
    values = [
        row["id"], row["timestamp"].isoformat(), row["actor__username"], row["actor_agency__code"],
        row["actor_role"], row["event"], row["outcome"], row["case_reference"], row["object_repr"],
        row["method"], row["path"], row["request_id"], row["purpose"], row["digest"],
    ]  # fmt: skip
    return [_csv_value(value) for value in values]


# --- rendering ------------------------------------------------------------------------------------


def _people(rows: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """For a case report: each person who touched the case, how often, and when first and last."""
    people: dict[tuple[Any, ...], dict[str, Any]] = {}
    for row in rows:
        key = (row["actor__username"], row["actor_agency__code"], row["actor_role"])
        person = people.setdefault(
            key,
            {
                "user": key[0] or "not signed in",
                "agency": key[1] or "",
                "role": key[2],
                "allowed": 0,
                "denied": 0,
                "first": row["timestamp"],
                "last": row["timestamp"],
            },
        )
        person["allowed" if row["outcome"] == "allowed" else "denied"] += 1
        person["last"] = row["timestamp"]
    return sorted(people.values(), key=lambda p: (p["agency"], p["user"]))


def _seal_facts(rows: list[dict[str, Any]]) -> dict[str, Any]:
    seal = Seal.objects.order_by("-id").first()
    if not rows or seal is None:
        return {"seal": seal, "first_seal_id": None, "unsealed": len(rows)}
    ids = [row["id"] for row in rows]
    first_seal_id = Seal.objects.filter(last_entry_id__gte=min(ids)).order_by("id").values_list("id", flat=True).first()
    unsealed = unsealed_entries().filter(id__in=ids).count() if len(ids) <= 20_000 else None
    if unsealed is None:  # very large exports: count in the database without shipping the id list
        unsealed = unsealed_entries().filter(id__gte=min(ids), id__lte=max(ids)).count()
    return {"seal": seal, "first_seal_id": first_seal_id or seal.pk, "unsealed": unsealed}


def cover_html(job: ExportJob, rows: list[dict[str, Any]], *, generated_at: Any) -> str:
    requester = job.requested_by
    agency = requester.agency.name if requester.agency_id else ""
    return render_to_string(
        "audit/pdf/cover.html",
        {
            "title": f"{job.get_kind_display()}{' for ' + job.case_reference if job.kind == ExportKind.CASE else ''}",
            "requester": f"{requester.username}, {agency} ({requester.get_role_display()})",
            "generated_at": generated_at,
            "filters": printable_filters(job),
            "entry_count": len(rows),
            "upto_entry_id": job.upto_entry_id,
            "people": _people(rows) if job.kind == ExportKind.CASE else [],
            **_seal_facts(rows),
        },
    )


# Any whitespace (newlines, tabs, Unicode line separators) or control character in a value would break
# the fixed line count of a row: it is printed as a space.
_UNPRINTABLE = re.compile(r"[\s\x00-\x1f\x7f-\x9f\u2028\u2029]+")


def row_lines(cells: tuple[str, ...]) -> list[str]:
    """One entry as lines of fixed-width columns, each value wrapped within its column."""
    wrapped = [
        textwrap.wrap(_UNPRINTABLE.sub(" ", cell), width, break_long_words=True, break_on_hyphens=False) or [""]
        for cell, (_, width) in zip(cells, COLUMNS, strict=True)
    ]
    height = min(max(len(lines) for lines in wrapped), LINES_PER_PAGE)
    return [
        " ".join(
            (lines[i] if i < len(lines) else "").ljust(width)
            for lines, (_, width) in zip(wrapped, COLUMNS, strict=True)
        )
        for i in range(height)
    ]


def paginate(rows: list[tuple[str, ...]]) -> list[list[str]]:
    """Pages of rows, each row its block of lines; a row never splits across pages."""
    pages: list[list[str]] = []
    page: list[str] = []
    used = 0
    for cells in rows:
        lines = row_lines(cells)
        if used + len(lines) > LINES_PER_PAGE and page:
            pages.append(page)
            page, used = [], 0
        page.append("\n".join(lines))
        used += len(lines)
    if page:
        pages.append(page)
    return pages


def header_line() -> str:
    return " ".join(heading.ljust(width) for heading, width in COLUMNS)


def chunk_html(pages: list[list[str]], *, title: str) -> str:
    return render_to_string("audit/pdf/chunk.html", {"title": title, "header": header_line(), "pages": pages})


def render_pdf_export(
    cover: str, table_rows: list[tuple[str, ...]], *, title: str, processes: int = 0, on_rows: Any = None
) -> bytes:
    """The exporter: the cover and the table's pages in chunks of CHUNK_PAGES, rendered in parallel,
    joined and numbered. `on_rows(n)` reports each finished chunk's row count."""
    pages = paginate(table_rows)
    chunks = [pages[i : i + CHUNK_PAGES] for i in range(0, len(pages), CHUNK_PAGES)]
    documents = [cover, *(chunk_html(chunk, title=title) for chunk in chunks)]

    def done(index: int) -> None:
        if on_rows and index > 0:
            on_rows(sum(len(page) for page in chunks[index - 1]))

    parts = render_many(documents, processes=processes, on_done=done)
    return join_and_number(parts)


def csv_bytes(rows: list[dict[str, Any]]) -> bytes:
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(CSV_COLUMNS)
    writer.writerows(_csv_row(row) for row in rows)
    return out.getvalue().encode("utf-8-sig")  # the BOM makes spreadsheet programs read UTF-8


# --- the job's life -------------------------------------------------------------------------------


def claim(job_id: int) -> ExportJob | None:
    """Take a job to work on, or None if it is finished or another worker is alive on it."""
    now = timezone.now()
    with transaction.atomic():
        job = ExportJob.objects.select_for_update().filter(pk=job_id).first()
        if job is None or job.status in (ExportStatus.DONE, ExportStatus.FAILED):
            return None
        if job.status == ExportStatus.RUNNING and job.heartbeat_at and job.heartbeat_at > now - SILENT_FOR:
            return None
        if job.attempts >= MAX_ATTEMPTS:
            _give_up(job)
            return None
        job.status = ExportStatus.RUNNING
        job.attempts += 1
        job.started_at = job.heartbeat_at = now
        job.done_count = 0
        job.save(update_fields=["status", "attempts", "started_at", "heartbeat_at", "done_count"])
    return job


def _progress(job: ExportJob, done: int) -> None:
    ExportJob.objects.filter(pk=job.pk, attempts=job.attempts).update(done_count=done, heartbeat_at=timezone.now())


@contextmanager
def _heartbeat(job: ExportJob) -> Iterator[None]:
    """Beat every HEARTBEAT seconds from a thread, so a slow step (sealing, a big chunk) never looks like
    a dead worker and sets off a second attempt."""
    stop = threading.Event()

    def beat() -> None:
        try:
            while not stop.wait(HEARTBEAT):
                ExportJob.objects.filter(pk=job.pk, attempts=job.attempts).update(heartbeat_at=timezone.now())
        finally:
            connection.close()  # the thread's own connection

    thread = threading.Thread(target=beat, daemon=True)
    thread.start()
    try:
        yield
    finally:
        stop.set()
        thread.join()


def run(job_id: int) -> bool:
    """Build a job's PDF and CSV. Returns True if this call finished it."""
    job = claim(job_id)
    if job is None:
        return False
    with _heartbeat(job):
        return _build(job)


def _build(job: ExportJob) -> bool:
    try:
        seal_pending()  # so that as much as possible of what is printed is covered by a seal
        rows = list(_rows(entries_for(job)))
        ExportJob.objects.filter(pk=job.pk).update(entry_count=len(rows))
        generated_at = timezone.now()
        title = f"{job.get_kind_display()} {job.case_reference}".strip()
        done = 0

        def on_rows(count: int) -> None:
            nonlocal done
            done += count
            _progress(job, done)

        pdf = render_pdf_export(
            cover_html(job, rows, generated_at=generated_at),
            [_pdf_row(row) for row in rows],
            title=title,
            processes=settings.EXPORT_RENDER_PROCESSES,
            on_rows=on_rows,
        )
        return _finish(job, pdf=pdf, csv=csv_bytes(rows), count=len(rows))
    except Exception as error:
        logger.exception("Export %s failed", job.reference)
        _fail(job, error)
        return False


def _finish(job: ExportJob, *, pdf: bytes, csv: bytes, count: int) -> bool:
    now = timezone.now()
    with transaction.atomic():
        current = ExportJob.objects.select_for_update().get(pk=job.pk)
        if current.status != ExportStatus.RUNNING or current.attempts != job.attempts:
            return False  # a later attempt took the job over; it finishes it
        ExportFile.objects.filter(job=current).delete()
        digests = {}
        for fmt, content in ((ExportFile.Format.PDF, pdf), (ExportFile.Format.CSV, csv)):
            digests[fmt] = hashlib.sha256(content).hexdigest()
            ExportFile.objects.create(job=current, format=fmt, content=content, size=len(content), sha256=digests[fmt])
        current.status = ExportStatus.DONE
        current.entry_count = current.done_count = count
        current.finished_at = now
        current.expires_at = now + timedelta(hours=settings.EXPORT_LINK_HOURS)
        current.save(update_fields=["status", "entry_count", "done_count", "finished_at", "expires_at"])
        audit.record(
            event="audit.export_completed",
            actor=current.requested_by,
            obj=current,
            case_reference=current.history_reference,
            detail={"entries": count, "attempt": current.attempts, "sha256": digests},
        )
    return True


def _fail(job: ExportJob, error: Exception | str) -> None:
    reason = error if isinstance(error, str) else type(error).__name__
    with transaction.atomic():
        updated = ExportJob.objects.filter(pk=job.pk, attempts=job.attempts, status=ExportStatus.RUNNING).update(
            status=ExportStatus.FAILED, error=reason, finished_at=timezone.now()
        )
        if updated:
            audit.record(
                event="audit.export_failed",
                actor=job.requested_by,
                obj=job,
                outcome=audit.Outcome.FAILED,
                case_reference=job.history_reference,
                detail={"error": reason, "attempt": job.attempts},
            )


def _give_up(job: ExportJob) -> None:
    """Called under the job's row lock when its last attempt died without finishing."""
    _fail(job, f"gave up after {job.attempts} attempts")


def jobs_to_resend() -> QuerySet[ExportJob]:
    return ExportJob.objects.stuck(now=timezone.now(), queued_for=QUEUED_FOR, silent_for=SILENT_FOR)


def clear_expired() -> int:
    """Expired exports keep their job row (the history) but lose their files."""
    deleted, _ = ExportFile.objects.filter(job__expires_at__lte=timezone.now()).delete()
    return deleted
