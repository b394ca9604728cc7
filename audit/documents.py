"""The kinds of document an export job builds, and what each provides.

A kind says what its document is called, what it holds and how it looks; audit.jobs does everything
else, the same for every kind (see its docstring for how to add one). Who may download a document is
decided in sharing.access.access_export, as for any access.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, Protocol

from django.conf import settings
from django.db.models import QuerySet
from django.utils import timezone

from audit import exports
from audit.models import AuditEntry, ExportJob, ExportKind
from audit.sealing import seal_pending


class DocumentKind(Protocol):
    """What a kind of document provides to the job that builds it."""

    # A document about one case carries the case's reference, and when the owning council asked for it
    # its audit entries show in that case's access history. Other kinds never carry a case reference.
    about_a_case: bool

    def title(self, job: ExportJob) -> str:
        """The document's name, on its cover."""
        ...

    def describe(self, job: ExportJob) -> str:
        """The export in one line, for its requester's list: its kind and what it holds."""
        ...

    def printed_filters(self, job: ExportJob) -> list[tuple[str, str]]:
        """What was asked for, label and words, as its pages and cover show it."""
        ...

    def count(self, job: ExportJob) -> int:
        """How many rows it will hold: checked against EXPORT_MAX_ENTRIES when it is asked for."""
        ...

    def gather(self, job: ExportJob) -> list[Any]:
        """Its rows, exactly those the job fixed when it was asked for. Runs in the worker."""
        ...

    def pdf(self, job: ExportJob, rows: list[Any], *, on_rows: Callable[[int], None]) -> bytes:
        """The PDF of the rows; `on_rows(n)` reports n more rows laid out (the job's progress)."""
        ...

    def csv(self, job: ExportJob, rows: list[Any]) -> bytes:
        """The CSV of the same rows."""
        ...


class AuditLogExport:
    """The audit entries matching an auditor's search, oldest first, with the seals that cover them."""

    about_a_case = False

    def title(self, job: ExportJob) -> str:
        return job.get_kind_display()

    def entries(self, job: ExportJob) -> QuerySet[AuditEntry]:
        return exports.log_entries(job)

    def printed_filters(self, job: ExportJob) -> list[tuple[str, str]]:
        return exports.log_filters(job)

    def describe(self, job: ExportJob) -> str:
        return exports.described(self.title(job), self.printed_filters(job))

    def people(self, rows: list[dict[str, Any]]) -> list[dict[str, Any]]:
        return []

    def count(self, job: ExportJob) -> int:
        return self.entries(job).count()

    def gather(self, job: ExportJob) -> list[dict[str, Any]]:
        seal_pending()  # so that as much as possible of what is printed is covered by a seal
        return list(exports.entry_rows(self.entries(job)))

    def pdf(self, job: ExportJob, rows: list[dict[str, Any]], *, on_rows: Callable[[int], None]) -> bytes:
        title, filters, people, now = self.title(job), self.printed_filters(job), self.people(rows), timezone.now()
        return exports.render_pdf_export(
            lambda total: exports.cover_html(
                job, rows, title=title, filters=filters, people=people, generated_at=now, total_pages=total
            ),
            [exports.pdf_row(row) for row in rows],
            title=f"{job.get_kind_display()} {job.case_reference}".strip(),  # the running head of each page
            processes=settings.EXPORT_RENDER_PROCESSES,
            on_rows=on_rows,
        )

    def csv(self, job: ExportJob, rows: list[dict[str, Any]]) -> bytes:
        return exports.csv_bytes(rows)


class CaseAccessReport(AuditLogExport):
    """Every entry about one case, and on the cover each person who touched it: for subject access
    requests and complaints. It lists people and entries, never the case's content."""

    about_a_case = True

    def title(self, job: ExportJob) -> str:
        return f"{job.get_kind_display()} for {job.case_reference}"

    def describe(self, job: ExportJob) -> str:
        return self.title(job)

    def entries(self, job: ExportJob) -> QuerySet[AuditEntry]:
        return exports.case_entries(job)

    def printed_filters(self, job: ExportJob) -> list[tuple[str, str]]:
        return [("Case", job.case_reference)]

    def people(self, rows: list[dict[str, Any]]) -> list[dict[str, Any]]:
        return exports.who_touched(rows)


# Keyed by the job's stored kind (ExportJob.kind).
KINDS: dict[str, DocumentKind] = {
    ExportKind.LOG: AuditLogExport(),
    ExportKind.CASE: CaseAccessReport(),
}


def kind_of(job: ExportJob) -> DocumentKind:
    return KINDS[job.kind]
