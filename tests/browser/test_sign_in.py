from __future__ import annotations

import pytest
from playwright.sync_api import Page, expect

from partners.models import Role
from tests.browser.helpers import assert_accessible, sign_in
from tests.factories import PASSWORD, make_agency, make_user

pytestmark = pytest.mark.django_db(transaction=True)


def test_the_coordinator_signs_in_and_sees_name_and_agency(live_server, page: Page) -> None:
    council = make_agency(name="Testshire Council", code="tc")
    make_user(agency=council, role=Role.PREVENT_COORDINATOR, username="casey", first_name="Casey", last_name="Coord")

    page.goto(live_server.url)
    expect(page).to_have_url(f"{live_server.url}/sign-in/?next=/")
    assert_accessible(page)

    sign_in(page, live_server.url, "casey", PASSWORD)
    expect(page.get_by_role("heading", level=1)).to_have_text("Casey Coord")
    expect(page.locator("main")).to_contain_text("Testshire Council")
    expect(page.locator("main")).to_contain_text("Prevent coordinator")
    expect(page.get_by_text("OFFICIAL-SENSITIVE").first).to_be_visible()
    assert_accessible(page)

    page.get_by_role("link", name="Sign out").click()
    page.get_by_role("button", name="Sign out").click()
    expect(page).to_have_url(f"{live_server.url}/sign-in/")


def test_a_wrong_password_shows_the_error_summary(live_server, page: Page) -> None:
    council = make_agency(name="Testshire Council", code="tc")
    make_user(agency=council, role=Role.PREVENT_COORDINATOR, username="casey")

    sign_in(page, live_server.url, "casey", "not-the-password")
    summary = page.locator(".govuk-error-summary")
    expect(summary).to_be_visible()
    expect(summary).to_contain_text("There is a problem")
    expect(summary).to_contain_text("Enter a correct username and password")
    expect(page.locator("body")).not_to_contain_text("Traceback")
    assert_accessible(page)
