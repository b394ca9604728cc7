"""The exported PDF and CSV, read back: cover, markings and numbering on every page, hostile text."""

from __future__ import annotations

import textwrap
from unittest import mock

from django.test import override_settings
from django.utils import timezone

from audit import exports, jobs, services
from audit.models import ExportJob, ExportKind, Outcome
from lib.pdf import RefusingFetcher, render_pdf
from partners.models import Role
from tests.audit.export_helpers import csv_rows, file_of, pdf_pages, run_queued_exports
from tests.base import BaseTestCase, CommittingTestCase
from tests.factories import make_user

HOSTILE = (
    '<img src="http://127.0.0.1:9/x.png"><link rel="stylesheet" href="file:///etc/passwd">'
    "<style>@import url(http://127.0.0.1:9/a.css)</style><script>alert(1)</script>"
)


def export(requester: object, **kwargs: object) -> ExportJob:
    job = jobs.request_export(requester=requester, **kwargs)  # type: ignore[arg-type]
    job.refresh_from_db()
    return job


@override_settings(EXPORT_RENDER_PROCESSES=1)
class ExportPdfTestCase(BaseTestCase):
    def test_cover_and_every_page_carry_the_markings_and_a_running_page_number(self) -> None:
        for n in range(45):
            services.record(event="case.viewed", actor=self.casey, case_reference=f"PP-2026-{n:05d}")
        # Small chunks, so the table is rendered as several documents and joined.
        small_pages = mock.patch.multiple(exports, LINES_PER_PAGE=8, CHUNK_PAGES=2)
        with small_pages:
            with self.captureOnCommitCallbacks(execute=True):
                job = jobs.request_export(requester=self.audrey, kind=ExportKind.LOG, filters={"username": "casey"})
            run_queued_exports()
        job.refresh_from_db()
        pages = pdf_pages(file_of(job, "pdf"))
        self.assertGreaterEqual(len(pages), 7)  # the cover and six pages of table, in three chunks
        for number, text in enumerate(pages, start=1):
            # Top and bottom of every page (the cover also names the marking under "Handling").
            self.assertGreaterEqual(text.count("OFFICIAL-SENSITIVE"), 2, f"page {number}")
            self.assertIn(f"Page {number} of {len(pages)}", text)
        cover = pages[0]
        self.assertIn("Audit log", cover)
        self.assertIn(f"{self.audrey.get_full_name()}, Testshire Council (Auditor)", cover)
        self.assertIn("User name: casey", cover)
        self.assertIn("Entries in this export", cover)
        self.assertIn("45 (entry numbers up to", cover)
        self.assertIn(timezone.localtime(job.finished_at).strftime("%-d %B %Y"), cover)
        body = "".join(pages[1:])
        for n in range(45):
            self.assertIn(f"PP-2026-{n:05d}", body)

    def test_hostile_text_is_printed_as_text_and_fetches_nothing(self) -> None:
        mallory = make_user(agency=self.council, role=Role.PANEL_MEMBER, username="mallory")
        services.record(event="case.viewed", actor=mallory, case_reference="PP-2026-00001", purpose=HOSTILE)
        job = jobs.request_export(requester=self.audrey, kind=ExportKind.LOG, filters={"username": "mallory"})
        entries = list(exports.entry_rows(exports.log_entries(job)))
        fetcher = RefusingFetcher()
        html = exports.chunk_html(exports.paginate([exports.pdf_row(row) for row in entries]), title="Audit log")
        pdf = render_pdf(html, fetcher=fetcher)
        self.assertEqual(fetcher.refused, [])  # escaped: nothing in the text was even attempted
        # Wrapped within its column over several lines: every piece is printed, as the characters typed.
        text = "".join(pdf_pages(pdf))
        what = dict(exports.COLUMNS)["What happened"]  # the purpose is printed after the event's words
        pieces = textwrap.wrap(f"Viewed a case ({HOSTILE})", what, break_long_words=True, break_on_hyphens=False)
        self.assertIn("<script>alert(1)</script>", "".join(pieces))
        for piece in pieces:
            self.assertIn(piece.strip(), text)

    def test_a_row_keeps_its_line_count_whatever_its_text(self) -> None:
        cells = (
            "1",
            "2026-11-21 10:00:00",
            "line\nbreak\u2028sep\ttab\x00nul and more words",
            *[""] * (len(exports.COLUMNS) - 3),
        )
        lines = exports.row_lines(cells)
        self.assertEqual(len(lines), 2)
        self.assertTrue(all(len(line) == len(exports.header_line()) for line in lines))
        huge = ("1", "x" * 10_000, *[""] * (len(exports.COLUMNS) - 2))
        self.assertEqual(len(exports.row_lines(huge)), exports.LINES_PER_PAGE)

    def test_the_renderer_refuses_every_fetch_even_from_our_own_markup(self) -> None:
        fetcher = RefusingFetcher()
        render_pdf('<img src="http://127.0.0.1:9/x.png"><img src="file:///etc/hostname">', fetcher=fetcher)
        self.assertEqual(fetcher.refused, ["http://127.0.0.1:9/x.png", "file:///etc/hostname"])

    def test_csv_cells_that_a_spreadsheet_would_run_are_neutralised(self) -> None:
        services.record(event="case.viewed", actor=self.casey, purpose='=HYPERLINK("http://x","y")')
        job = export(self.audrey, kind=ExportKind.LOG, filters={"username": "casey"})
        rows = csv_rows(exports.csv_bytes(list(exports.entry_rows(exports.log_entries(job)))))
        purpose = rows[1][rows[0].index("Purpose")]
        self.assertEqual(purpose, '\'=HYPERLINK("http://x","y")')

    def test_a_case_report_lists_each_person_who_touched_the_case(self) -> None:
        services.record(event="case.viewed", actor=self.casey, case_reference="PP-2026-00007")
        services.record(event="case.viewed", actor=self.casey, case_reference="PP-2026-00007")
        services.record(event="case.viewed", actor=self.pat, case_reference="PP-2026-00007", outcome=Outcome.DENIED)
        services.record(event="case.viewed", actor=self.harper, case_reference="PP-2026-00008")
        with self.captureOnCommitCallbacks(execute=True):
            job = jobs.request_export(requester=self.casey, kind=ExportKind.CASE, case_reference="PP-2026-00007")
        run_queued_exports()
        job.refresh_from_db()
        cover = pdf_pages(file_of(job, "pdf"))[0]
        self.assertIn("Case access report for PP-2026-00007", cover)
        self.assertIn("Who has seen this case", cover)
        # People by name and agency, roles in words.
        self.assertIn(f"{self.casey.get_full_name()} (casey) Testshire Council Prevent coordinator", cover)
        self.assertIn(self.pat.get_full_name(), cover)
        self.assertNotIn(self.harper.get_full_name(), cover)


@override_settings(EXPORT_RENDER_PROCESSES=2)
class SealedExportTestCase(CommittingTestCase):
    """Committed entries, so the sealer can seal them on PostgreSQL too; rendered by two processes."""

    def test_the_cover_prints_the_seal_that_verifies_the_printout(self) -> None:
        from io import StringIO

        from django.core.management import call_command

        from tests.factories import make_agency

        council = make_agency(name="Sealshire Council", code="sc", local_authority_area="Sealshire")
        auditor = make_user(agency=council, role=Role.AUDITOR, username="sally")
        for n in range(30):
            services.record(event="case.viewed", actor=auditor, case_reference=f"PP-2026-{n:05d}")
        with mock.patch.multiple(exports, LINES_PER_PAGE=10, CHUNK_PAGES=1):
            job = jobs.request_export(requester=auditor, kind=ExportKind.LOG, filters={"username": "sally"})
            run_queued_exports()
        job.refresh_from_db()
        self.assertEqual(job.status, "done")
        pages = pdf_pages(file_of(job, "pdf"))
        cover = pages[0].replace("\n", " ")
        self.assertIn("Every entry in this export is sealed", cover)
        # The cover tells the auditor whom to ask and what to quote, never a server command (issue 15 finding 7).
        self.assertNotIn("manage.py", cover)
        self.assertRegex(cover, r"Ask your system administrator .* to verify seal \d+ with root [0-9a-f ]{64}")
        self.assertIn("They will confirm in writing", cover)
        seal_id = int(cover.split("the chain root at seal ")[1].split(" ")[0])
        root = cover.split(" is ", 1)[1].split(".")[0].replace(" ", "")[:64]
        out = StringIO()
        call_command("verify_audit", "--seal", str(seal_id), "--root", root, stdout=out)
        self.assertIn(f"Seal {seal_id} has the printed root", out.getvalue())
        self.assertIn(f"Page {len(pages)} of {len(pages)}", pages[-1])
