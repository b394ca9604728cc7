"""What the audit log's documents hold and how they look: the entries an export holds, its cover, its
table laid out in fixed-width pages rendered in parallel, and its CSV.

Pure query and layout: nothing here changes a job. audit.documents assembles these into the audit log
export and the case access report; audit.jobs runs the job that builds them.
"""

from __future__ import annotations

import re
import textwrap
from collections.abc import Callable, Iterable, Iterator, Mapping
from datetime import datetime
from typing import Any

from django.db.models import QuerySet
from django.template.loader import render_to_string
from django.utils import timezone

from audit import labels
from audit.digests import digest_rows, legacy_boundary, sealed_digest
from audit.forms import AuditSearchForm
from audit.models import AuditEntry, ExportJob, Seal
from audit.sealing import unsealed_entries
from lib import csv as safe_csv
from lib.pdf import join, page_count, render_many, render_pdf

# The table is laid out here, not by WeasyPrint: each row is a block of monospaced lines with the columns
# padded to fixed widths and long values wrapped within their column. WeasyPrint's table layout is the
# slow part of a long PDF (tech.md section 4); lines of text are cheap, and with a fixed line height we
# know exactly which rows fit on a page, so pages can be rendered as separate documents in parallel.
LINES_PER_PAGE = 62
# Pages per separately rendered document: enough that process start-up does not dominate, few enough
# that several processes share the work and each holds little in memory (see docs/benchmarks.md).
CHUNK_PAGES = 10

# (heading, width in characters): 199 characters fill an A4 landscape line at 6.4pt DejaVu Sans Mono.
# Words, not codes (audit.labels): the role and agency columns are wide enough for their longest names to
# wrap at spaces, never inside a word.
COLUMNS = [
    ("Entry", 7), ("When", 19), ("Who", 22), ("Agency", 22), ("Role", 21), ("What happened", 32),
    ("Outcome", 7), ("Case or record", 16), ("Request", 32), ("Digest", 10),
]  # fmt: skip
CSV_COLUMNS = [
    "Entry", "When (UTC)", "Who", "Signed in as", "Agency", "Role", "What happened", "Outcome",
    "Case", "Record", "Method", "Path", "Request id", "Purpose", "Event code", "Digest (SHA-256)",
]  # fmt: skip


# --- which entries ----------------------------------------------------------------------------------


def stored_filters(form: AuditSearchForm) -> dict[str, str]:
    """A valid search form's filters as plain strings, to store on the job and validate again later."""
    stored = {}
    for name, value in form.cleaned_data.items():
        if value in (None, ""):
            continue
        stored[name] = str(value.pk) if hasattr(value, "pk") else str(value)
    return stored


def search_form(filters: Mapping[str, str]) -> AuditSearchForm:
    """The search form of stored filters, validated again (they are stored as plain text)."""
    form = AuditSearchForm(filters)
    if not form.is_valid():  # stored from a valid form; reference data never disappears
        raise ValueError(f"stored filters no longer valid: {form.errors.as_text()}")
    return form


def log_entries(job: ExportJob) -> QuerySet[AuditEntry]:
    """An audit log export's entries: its search, up to the last entry that existed when it was asked for."""
    entries = AuditEntry.objects.matching(**search_form(job.filters).criteria())
    return entries.filter(id__lte=job.upto_entry_id).order_by("timestamp", "id")


def log_filters(job: ExportJob) -> list[tuple[str, str]]:
    """An audit log export's search in words (label, value), as its pages and cover show it."""
    return search_form(job.filters).described()


def described(title: str, filters: list[tuple[str, str]]) -> str:
    """An export in one line: "Audit log, 1 November 2026 to 28 November 2026, case PP-2026-00042"."""
    values = dict(filters)
    parts = [title]
    if "From" in values and "To" in values:
        parts.append(f"{values.pop('From')} to {values.pop('To')}")
    elif "From" in values:
        parts.append(f"from {values.pop('From')}")
    elif "To" in values:
        parts.append(f"up to {values.pop('To')}")
    parts += [f"{label.lower()} {value}" for label, value in values.items()]
    return ", ".join(parts) if len(parts) > 1 else f"{title}, every entry"


def case_entries(job: ExportJob) -> QuerySet[AuditEntry]:
    """A case access report's entries: every entry about the case, up to the last when it was asked for."""
    entries = AuditEntry.objects.filter(case_reference=job.case_reference)
    return entries.filter(id__lte=job.upto_entry_id).order_by("timestamp", "id")


def entry_rows(entries: QuerySet[AuditEntry]) -> Iterator[dict[str, Any]]:
    """Each entry as the values printed, with its digest (the value its seal holds, by the seal's version)
    and `who`: the username recorded on the entry, not the account's name now."""
    boundary = legacy_boundary()
    extra = ("actor__username", "actor__first_name", "actor__last_name", "actor_agency__name")
    for row in digest_rows(entries, *extra).iterator(chunk_size=2000):
        row["digest"] = sealed_digest(row, boundary)
        row["who"] = who(row)
        name = " ".join(filter(None, (row["actor__first_name"], row["actor__last_name"])))
        # The person by name, with the username recorded then (the sealed fact; names change).
        row["person"] = f"{name} ({row['who']})" if name and row["who"] else name or row["who"]
        row["name"] = name or row["who"]
        row["agency"] = row["actor_agency__name"] or ""
        row["role"] = labels.role_label(row["actor_role"])
        row["what"] = labels.event_label(row["event"])
        row["record"] = labels.record_label(case_reference=row["case_reference"], object_repr=row["object_repr"])
        yield row


def who(row: dict[str, Any]) -> str:
    """The actor as recorded; entries from before usernames were recorded show the current name, saying so."""
    if row["actor_username"]:
        return str(row["actor_username"])
    if row["actor__username"]:
        return f"{row['actor__username']} (name now; not recorded then)"
    return ""


def pdf_row(row: dict[str, Any]) -> tuple[str, ...]:
    when = timezone.localtime(row["timestamp"]).strftime("%Y-%m-%d %H:%M:%S")
    what = f"{row['what']} ({row['purpose']})" if row["purpose"] else row["what"]
    path = labels.path_label(row["path"], case_reference=row["case_reference"])
    return (
        str(row["id"]),
        when,
        row["person"] or "Not signed in",
        row["agency"],
        row["role"],
        what,
        labels.outcome_label(row["outcome"]),
        row["record"],
        f"{row['method']} {path}".strip(),
        row["digest"][:10],
    )


def csv_row(row: dict[str, Any]) -> list[Any]:
    path = labels.path_label(row["path"], case_reference=row["case_reference"])
    return [
        row["id"], row["timestamp"].isoformat(), row["name"], row["who"], row["agency"], row["role"],
        row["what"], labels.outcome_label(row["outcome"]), row["case_reference"],
        labels.record_label(case_reference="", object_repr=row["object_repr"]), row["method"], path,
        row["request_id"], row["purpose"], row["event"], row["digest"],
    ]  # fmt: skip


def csv_bytes(rows: Iterable[dict[str, Any]]) -> bytes:
    """The CSV of an export: the same rows as its PDF, no cell of which a spreadsheet would run."""
    return safe_csv.csv_bytes(CSV_COLUMNS, (csv_row(row) for row in rows))


# --- the cover ------------------------------------------------------------------------------------


def who_touched(rows: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """For a case report: each person who touched the case, how often, and when first and last."""
    found: dict[tuple[Any, ...], dict[str, Any]] = {}
    for row in rows:
        key = (row["person"], row["agency"], row["role"])
        person = found.setdefault(
            key,
            {
                "user": key[0] or "Not signed in",
                "agency": key[1],
                "role": key[2],
                "allowed": 0,
                "denied": 0,
                "first": row["timestamp"],
                "last": row["timestamp"],
            },
        )
        person["allowed" if row["outcome"] == "allowed" else "denied"] += 1
        person["last"] = row["timestamp"]
    return sorted(found.values(), key=lambda p: (p["agency"], p["user"]))


def seal_facts(rows: list[dict[str, Any]]) -> dict[str, Any]:
    """The seals that cover the rows, for a reader to check the printout against."""
    seal = Seal.objects.order_by("-id").first()
    if not rows or seal is None:
        return {"seal": seal, "first_seal_id": None, "unsealed": len(rows)}
    ids = [row["id"] for row in rows]
    first_seal_id = Seal.objects.filter(last_entry_id__gte=min(ids)).order_by("id").values_list("id", flat=True).first()
    unsealed = unsealed_entries().filter(id__in=ids).count() if len(ids) <= 20_000 else None
    if unsealed is None:  # very large exports: count in the database without shipping the id list
        unsealed = unsealed_entries().filter(id__gte=min(ids), id__lte=max(ids)).count()
    return {"seal": seal, "first_seal_id": first_seal_id or seal.pk, "unsealed": unsealed}


def cover_html(
    job: ExportJob,
    rows: list[dict[str, Any]],
    *,
    title: str,
    filters: list[tuple[str, str]],
    people: list[dict[str, Any]],
    generated_at: datetime,
    total_pages: int = 0,
) -> str:
    """The cover: what was asked for (`filters`, printed), by whom, when, how many entries, and the seals;
    its pages are numbered out of `total_pages`, the whole export's."""
    requester = job.requested_by
    agency = requester.agency.name if requester.agency_id else ""
    name = requester.get_full_name() or requester.username
    return render_to_string(
        "audit/pdf/cover.html",
        {
            "title": title,
            "requester": f"{name}, {agency} ({requester.get_role_display()})",
            "generated_at": generated_at,
            "filters": filters,
            "entry_count": len(rows),
            "upto_entry_id": job.upto_entry_id,
            "people": people,
            "total_pages": total_pages,
            **seal_facts(rows),
        },
    )


# --- the table ------------------------------------------------------------------------------------


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


def chunk_html(pages: list[list[str]], *, title: str, first_page: int = 1, total_pages: int = 0) -> str:
    """Pages of the table as one document; each page prints its own "Page n of N", counted from
    `first_page` (documents are rendered separately and joined, so a document cannot count for itself)."""
    total = total_pages or first_page + len(pages) - 1
    context = {"title": title, "header": header_line(), "pages": pages, "first_page": first_page, "total": total}
    return render_to_string("audit/pdf/chunk.html", context)


# Below this many chunks the table is rendered in this process: starting a renderer process costs more
# (a few seconds: Python, WeasyPrint, fonts) than a small export takes to render (issue 15 finding 7).
PARALLEL_FROM_CHUNKS = 4


def render_pdf_export(
    cover: Callable[[int], str],
    table_rows: list[tuple[str, ...]],
    *,
    title: str,
    processes: int = 0,
    on_rows: Callable[[int], None] | None = None,
) -> bytes:
    """The exporter: the cover, then the table's pages in chunks of CHUNK_PAGES (rendered in parallel when
    there are many), joined into one tagged PDF. `cover(total_pages)` gives the cover's HTML, which prints
    "Page n of total"; it is rendered first, so that the table's pages know where they start.
    `on_rows(n)` reports each finished chunk's row count."""
    pages = paginate(table_rows)
    chunks = [pages[i : i + CHUNK_PAGES] for i in range(0, len(pages), CHUNK_PAGES)]
    cover_pdf = render_pdf(cover(1 + len(pages)))
    cover_pages = page_count(cover_pdf)
    if cover_pages != 1:  # a long list of people: the totals printed on the cover must count its pages
        cover_pdf = render_pdf(cover(cover_pages + len(pages)))
    total = cover_pages + len(pages)
    documents, first = [], cover_pages + 1
    for chunk in chunks:
        documents.append(chunk_html(chunk, title=title, first_page=first, total_pages=total))
        first += len(chunk)

    def done(index: int) -> None:
        if on_rows:
            on_rows(sum(len(page) for page in chunks[index]))

    parallel = processes if len(chunks) >= PARALLEL_FROM_CHUNKS else 1
    parts = render_many(documents, processes=parallel, on_done=done)
    return join([cover_pdf, *parts])
