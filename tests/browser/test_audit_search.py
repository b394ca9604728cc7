from __future__ import annotations

import pytest
from playwright.sync_api import Page, expect

from audit import services
from partners.models import Role
from tests.browser.helpers import assert_accessible, sign_in
from tests.factories import PASSWORD, make_agency, make_user

pytestmark = pytest.mark.django_db(transaction=True)


def test_the_auditor_filters_the_log(live_server, page: Page) -> None:
    council = make_agency(name="Testshire Council", code="tc")
    auditor = make_user(agency=council, role=Role.AUDITOR, username="audrey")
    coordinator = make_user(agency=council, role=Role.PREVENT_COORDINATOR, username="casey")
    services.record(event="case.viewed", actor=coordinator, case_reference="PP-2026-00007")

    sign_in(page, live_server.url, auditor.username, PASSWORD)
    page.get_by_role("link", name="Audit log").first.click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Audit log")
    assert_accessible(page)

    page.get_by_label("User (username)").fill("casey")
    page.get_by_role("button", name="Apply filters").click()
    expect(page.locator("table")).to_contain_text("PP-2026-00007")
    assert_accessible(page)

    page.get_by_label("From date").fill("2026-11-02")
    page.get_by_label("To date").fill("2026-11-01")
    page.get_by_role("button", name="Apply filters").click()
    expect(page.locator(".govuk-error-summary")).to_contain_text("The to date must be")
    assert_accessible(page)
