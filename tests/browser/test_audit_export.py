from __future__ import annotations

from pathlib import Path
from unittest import mock

import pytest
from playwright.sync_api import Page, expect

from audit import jobs, services
from audit.models import ExportJob
from partners.models import Role
from tests.audit.export_helpers import pdf_pages
from tests.browser.helpers import assert_accessible, sign_in
from tests.factories import PASSWORD, make_agency, make_user

pytestmark = pytest.mark.django_db(transaction=True)


def test_the_auditor_exports_the_filtered_log_and_downloads_the_pdf(live_server, page: Page, settings) -> None:
    settings.EXPORT_RENDER_PROCESSES = 1
    council = make_agency(name="Testshire Council", code="tc")
    auditor = make_user(agency=council, role=Role.AUDITOR, username="audrey")
    coordinator = make_user(agency=council, role=Role.PREVENT_COORDINATOR, username="casey")
    services.record(event="case.viewed", actor=coordinator, case_reference="PP-2026-00007")
    services.record(event="case.viewed", actor=auditor, case_reference="PP-2026-00008")

    sign_in(page, live_server.url, auditor.username, PASSWORD)
    page.get_by_role("link", name="Audit log").first.click()
    page.get_by_label("Person").select_option(label=f"{coordinator.get_full_name()}, Testshire Council")
    page.get_by_role("button", name="Apply filters").click()
    page.get_by_role("link", name="Export these entries").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Export audit entries")
    assert_accessible(page)

    # No worker yet: the job waits in the queue, and the page says so.
    with mock.patch("audit.jobs.send"):
        page.get_by_role("button", name="Export 1 entry").click()
    expect(page.locator("#export-progress")).to_contain_text("Waiting for a worker")
    assert_accessible(page)

    # A worker picks it up; the page, polling with htmx, shows the links without a reload.
    job = ExportJob.objects.get()
    assert jobs.run(job.pk)
    expect(page.get_by_role("heading", name="Your export is ready")).to_be_visible(timeout=10_000)
    assert_accessible(page)

    with page.expect_download() as download_info:
        page.get_by_role("link", name="Download the PDF").click()
    path = Path(download_info.value.path())
    pages = pdf_pages(path.read_bytes())
    assert f"Person: {coordinator.get_full_name()}, Testshire Council" in pages[0].replace("\n", " ")
    assert "PP-2026-00007" in "".join(pages[1:])
    assert "PP-2026-00008" not in "".join(pages)
    assert f"Page {len(pages)} of {len(pages)}" in pages[-1]
