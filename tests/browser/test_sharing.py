from __future__ import annotations

from datetime import date, timedelta

import pytest
from playwright.sync_api import Page, expect

from partners.models import AgencyKind, Role
from tests.browser.helpers import assert_accessible, sign_in
from tests.factories import PASSWORD, make_agency, make_case, make_user

pytestmark = pytest.mark.django_db(transaction=True)


def sign_out(page: Page) -> None:
    page.get_by_role("link", name="Sign out").click()
    page.get_by_role("button", name="Sign out").click()


def test_the_coordinator_shares_a_case_with_health_then_revokes_it(live_server, page: Page) -> None:
    council = make_agency(name="Testshire Council", code="tc", local_authority_area="Testshire")
    health = make_agency(kind=AgencyKind.HEALTH, name="Testshire Health", code="th")
    make_agency(kind=AgencyKind.POLICE, name="Testshire Police", code="tp", police_force_area="Testshire")
    casey = make_user(agency=council, role=Role.PREVENT_COORDINATOR, username="casey")
    make_user(agency=health, role=Role.PANEL_MEMBER, username="harper")
    shared = make_case(owner=casey, first_name="Fir", last_name="Sharedcase")
    unshared = make_case(owner=casey, first_name="Gorse", last_name="Keptcase")

    sign_in(page, live_server.url, "casey", PASSWORD)
    page.goto(f"{live_server.url}/cases/{shared.reference}/")
    page.get_by_role("link", name="Sharing", exact=True).click()
    assert_accessible(page)
    page.get_by_role("link", name="Share the case").click()
    page.get_by_label("Share with an agency").select_option(label="Testshire Health")
    page.get_by_label("Full: the whole case").check()
    page.get_by_label("Purpose", exact=True).fill("Mental health input to the panel")
    page.get_by_role("group", name="Legal basis").get_by_label("UK GDPR Art 9(2)(g)").check()
    until = date.today() + timedelta(days=30)
    page.get_by_label("Day").fill(str(until.day))
    page.get_by_label("Month").fill(str(until.month))
    page.get_by_label("Year").fill(str(until.year))
    assert_accessible(page)
    page.get_by_role("button", name="Save").click()
    expect(page.locator(".govuk-notification-banner")).to_contain_text("The case is shared")
    expect(page.locator("table")).to_contain_text("Testshire Health")
    assert_accessible(page)
    sign_out(page)

    sign_in(page, live_server.url, "harper", PASSWORD)
    page.get_by_role("navigation", name="Menu").get_by_role("link", name="Cases").click()
    expect(page.locator("table")).to_contain_text(shared.number)
    expect(page.locator("table")).not_to_contain_text(unshared.number)
    page.get_by_role("link", name=shared.number).click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Fir Sharedcase")
    assert_accessible(page)
    response = page.goto(f"{live_server.url}/cases/{unshared.reference}/")
    assert response is not None and response.status == 404
    expect(page.get_by_role("heading", level=1)).to_have_text("Page not found")
    sign_out(page)

    sign_in(page, live_server.url, "casey", PASSWORD)
    page.goto(f"{live_server.url}/cases/{shared.reference}/sharing/")
    page.get_by_role("button", name="Revoke").click()
    expect(page.locator(".govuk-notification-banner")).to_contain_text("Sharing revoked")
    sign_out(page)

    sign_in(page, live_server.url, "harper", PASSWORD)
    response = page.goto(f"{live_server.url}/cases/{shared.reference}/")
    assert response is not None and response.status == 404
    expect(page.get_by_role("heading", level=1)).to_have_text("Page not found")
