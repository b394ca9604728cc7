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

    # A person by name and agency, not a login name (issue 15 finding 10).
    page.get_by_label("Person").select_option(label=f"{coordinator.get_full_name()}, Testshire Council")
    page.get_by_role("button", name="Apply filters").click()
    expect(page.locator("table")).to_contain_text("PP-2026-00007")
    # Words, not codes (finding 2).
    expect(page.locator("table")).to_contain_text("Viewed a case")
    expect(page.locator("table")).to_contain_text("Prevent coordinator")
    expect(page.locator("table")).not_to_contain_text("prevent_coordinator")
    assert_accessible(page)
    # The table fits its container at desktop width (the Outcome column was cut off); at 320 px it scrolls
    # inside its labelled region, saying so, and the page itself never scrolls sideways.
    for width, fits in ((1280, True), (320, False)):
        page.set_viewport_size({"width": width, "height": 900})
        sizes = page.evaluate(
            """() => { const r = document.querySelector('.app-table-scroll');
                return {page: document.documentElement.scrollWidth, region: r.clientWidth, table: r.scrollWidth} }"""
        )
        assert sizes["page"] <= width, (width, sizes)
        if fits:
            assert sizes["table"] <= sizes["region"], sizes
            expect(page.get_by_text("Scroll sideways to see all columns")).to_be_hidden()
        else:
            expect(page.get_by_text("Scroll sideways to see all columns")).to_be_visible()
    expect(page.get_by_role("region", name="Audit entries, newest first")).to_have_attribute("tabindex", "0")
    page.set_viewport_size({"width": 1280, "height": 900})

    # GOV.UK date inputs: day, month and year boxes.
    for name, day in (("From date", "2"), ("To date", "1")):
        dates = page.get_by_role("group", name=name)
        dates.get_by_label("Day").fill(day)
        dates.get_by_label("Month").fill("11")
        dates.get_by_label("Year").fill("2026")
    page.get_by_role("button", name="Apply filters").click()
    expect(page.locator(".govuk-error-summary")).to_contain_text("The to date must be")
    assert_accessible(page)
