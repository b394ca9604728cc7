"""The exported PDF and CSV read back as an auditor reads them (issue 15 finding 7): names, not codes or
identifiers; a cover that says how to have the printout checked and by whom; a tagged PDF (PDF/UA-1)
with its structure tree, language and title kept through the joining of separately rendered chunks."""

from __future__ import annotations

import io
import re
from typing import Any, cast
from unittest import mock

from django.test import override_settings
from pypdf import PdfReader

from audit import exports, jobs, services
from audit.labels import UUID
from audit.models import ExportJob, ExportKind
from lib.pdf import render_pdf
from partners.models import Role
from tests.audit.export_helpers import csv_rows, file_of, pdf_pages, run_queued_exports
from tests.base import BaseTestCase

CASE_ID = "1f01d583-871e-4197-b759-e7b6ecc8a162"
# Codes that are not also plain words ("auditor" is both).
ROLE_CODES = [role.value for role in Role if "_" in role.value]


@override_settings(EXPORT_RENDER_PROCESSES=1)
class ExportInWordsTestCase(BaseTestCase):
    def export(self) -> ExportJob:
        # A gate entry as the gate writes it: the case's identifier in the path and (for a refusal) as the
        # record; the case reference beside it.
        with mock.patch(
            "audit.services._request_fields", return_value={"method": "GET", "path": f"/cases/{CASE_ID}/move/"}
        ):
            services.record(event="case.move.form_opened", actor=self.casey, case_reference="PP-2026-00042")
            services.record(
                event="case.viewed", actor=self.pat, object_repr=CASE_ID, case_reference="PP-2026-00042",
                outcome=services.Outcome.DENIED,
            )  # fmt: skip
        # Small pages and chunks: the table is several documents, joined.
        with mock.patch.multiple(exports, LINES_PER_PAGE=1, CHUNK_PAGES=1):
            with self.captureOnCommitCallbacks(execute=True):
                job = jobs.request_export(
                    requester=self.audrey, kind=ExportKind.LOG, filters={"case_reference": "PP-2026-00042"}
                )
            run_queued_exports()
        job.refresh_from_db()
        self.assertEqual(job.status, "done")
        return job

    def test_the_pdf_names_people_agencies_roles_and_cases(self) -> None:
        job = self.export()
        text = "\n".join(pdf_pages(file_of(job, "pdf")))
        self.assertIn("PP-2026-00042", text)
        self.assertIn("Opened the form to move the case", text)
        self.assertIn(self.casey.get_full_name(), text)
        self.assertIn("Prevent coordinator", text)
        self.assertIn(self.casey.agency.name, text)
        self.assertIsNone(UUID.search(text), "a UUID is printed")
        for code in ROLE_CODES:
            self.assertNotRegex(text, rf"\b{code}\b")
        for code in (self.casey.agency.code, self.pat.agency.code):
            self.assertNotRegex(text, rf"\b{re.escape(code)}\b")
        self.assertNotIn("case.move", text)
        self.assertNotIn("case_reference", text)
        self.assertIn("Case: PP-2026-00042", text)  # the filter by its label

    def test_roles_are_never_broken_inside_a_word(self) -> None:
        width = dict(exports.COLUMNS)["Role"]
        self.assertGreaterEqual(width, max(len(word) for role in Role for word in str(role.label).split()))
        self.assertGreaterEqual(width, max(len(str(role.label)) for role in Role))

    def test_the_cover_says_how_to_have_it_checked_and_by_whom(self) -> None:
        job = self.export()
        cover = pdf_pages(file_of(job, "pdf"))[0].replace("\n", " ")
        self.assertNotIn("manage.py", cover)
        self.assertIn("Ask your system administrator", cover)
        # Inside this test's transaction PostgreSQL's sealer cannot seal the entries (SQLite's can): the
        # cover then says what to do once they are sealed. The sealed wording is checked on committed
        # entries, on both engines, in tests/audit/test_export_pdf.py (SealedExportTestCase).
        if "No seal yet" in cover:
            self.assertIn("an unsealed printout cannot be checked", cover)
        else:
            self.assertRegex(cover, r"to verify seal \d+ with root [0-9a-f ]{64}")
            self.assertIn("They will confirm", cover)
        self.assertIn("give them its entry number", cover)

    def test_the_csv_holds_the_same_words(self) -> None:
        job = self.export()
        rows = csv_rows(file_of(job, "csv"))
        header, body = rows[0], rows[1:]
        self.assertIn("What happened", header)
        text = "\n".join(",".join(row) for row in body)
        self.assertIsNone(UUID.search(text))
        self.assertIn("Prevent coordinator", text)
        self.assertIn(self.casey.agency.name, text)
        self.assertNotIn("prevent_coordinator", text)

    def test_the_joined_pdf_is_tagged_with_its_language_and_title(self) -> None:
        job = self.export()
        reader = PdfReader(io.BytesIO(file_of(job, "pdf")))
        self.assertGreaterEqual(len(reader.pages), 3)  # the cover and two chunks at least
        catalog: Any = reader.trailer["/Root"]
        self.assertIs(bool(catalog["/MarkInfo"]["/Marked"]), True)
        self.assertEqual(catalog["/Lang"], "en-GB")
        self.assertEqual(reader.metadata and reader.metadata.title, "Audit log")
        self.assertIn(b'pdfuaid:part="1"', catalog["/Metadata"].get_object().get_data())
        tree = catalog["/StructTreeRoot"].get_object()
        [document] = tree["/K"]
        self.assertEqual(document.get_object()["/S"], "/Document")
        # Every page's marked content is found through the parent tree, and every page has some.
        nums = tree["/ParentTree"].get_object()["/Nums"]
        keys = {int(nums[i]) for i in range(0, len(nums), 2)}
        for number, page in enumerate(reader.pages, start=1):
            self.assertIn(page["/StructParents"], keys, f"page {number}")
        # Each page's tagged content belongs to elements of that page (the joined trees were renumbered).
        page_ids = [cast(Any, page.indirect_reference).idnum for page in reader.pages]
        for i in range(0, len(nums), 2):
            for element in nums[i + 1]:
                self.assertEqual(element.get_object().raw_get("/Pg").idnum, page_ids[int(nums[i])])
        pages = pdf_pages(file_of(job, "pdf"))
        for number, text in enumerate(pages, start=1):
            self.assertIn(f"Page {number} of {len(pages)}", text)

    def test_every_pdf_the_app_renders_is_tagged(self) -> None:
        # lib.pdf.render_pdf is the one renderer (the minutes PDF uses it too).
        reader = PdfReader(io.BytesIO(render_pdf('<html lang="en-GB"><title>Minutes</title><h1>Minutes</h1>')))
        catalog: Any = reader.trailer["/Root"]
        self.assertIn("/StructTreeRoot", catalog)
        self.assertEqual(catalog["/Lang"], "en-GB")
        self.assertEqual(reader.metadata and reader.metadata.title, "Minutes")


class ExportPagesTestCase(BaseTestCase):
    def test_one_status_at_a_time_and_the_filters_in_words(self) -> None:
        self.client.force_login(self.audrey)
        response = self.client.post("/audit/exports/new/", {"case_reference": "PP-2026-00042"})
        page = self.client.get(response["Location"])
        self.assertContains(page, "Preparing your export")
        self.assertNotContains(page, "being prepared")  # no success banner above the status
        self.assertNotContains(page, "case_reference")
        self.assertContains(page, "Audit log, case PP-2026-00042")
        listing = self.client.get("/audit/exports/")
        self.assertContains(listing, "Audit log, case PP-2026-00042")

    def test_dates_are_described_in_words(self) -> None:
        self.assertEqual(
            exports.described(
                "Audit log", [("From", "1 November 2026"), ("To", "28 November 2026"), ("Case", "PP-2026-00042")]
            ),
            "Audit log, 1 November 2026 to 28 November 2026, case PP-2026-00042",
        )
