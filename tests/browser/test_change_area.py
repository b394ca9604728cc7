"""The coordinator corrects a person's postcode to another force's area, with a reason: the old force's
police lose the case at once and the new force's police see it."""

from __future__ import annotations

import pytest
from playwright.sync_api import Page, expect

from partners.models import AgencyKind, Role
from tests.browser.helpers import assert_accessible, sign_in
from tests.factories import PASSWORD, make_agency, make_case, make_postcode_area, make_user

pytestmark = pytest.mark.django_db(transaction=True)


def sign_out(page: Page) -> None:
    page.get_by_role("link", name="Sign out").click()
    page.get_by_role("button", name="Sign out").click()


def test_the_coordinator_moves_a_case_to_another_forces_area(live_server, page: Page) -> None:
    make_postcode_area(district="TE1", area="Testshire")
    make_postcode_area(district="OT1", area="Otherton")
    council = make_agency(name="Testshire Council", code="tc", local_authority_area="Testshire")
    testshire_police = make_agency(
        kind=AgencyKind.POLICE, name="Testshire Police", code="tp", police_force_area="Testshire"
    )
    otherton_police = make_agency(
        kind=AgencyKind.POLICE, name="Otherton Police", code="op", police_force_area="Otherton"
    )
    casey = make_user(agency=council, role=Role.PREVENT_COORDINATOR, username="casey")
    make_user(agency=testshire_police, role=Role.POLICE_PRACTITIONER, username="pat")
    make_user(agency=otherton_police, role=Role.POLICE_PRACTITIONER, username="otto")
    case = make_case(owner=casey, first_name="Hawthorn", last_name="Movingcase")
    url = f"{live_server.url}/cases/{case.reference}/"

    sign_in(page, live_server.url, "casey", PASSWORD)
    page.goto(url)
    page.get_by_role("link", name="Change the address").click()
    assert_accessible(page)

    # A postcode in no area we know is explained, and nothing typed is lost.
    page.get_by_label("Address").fill("7 Synthetic Row, Otherton")
    page.get_by_label("Postcode").fill("ZZ9 9ZZ")
    page.get_by_label("Why the change is needed").fill("The person has moved (synthetic)")
    page.get_by_role("button", name="Save").click()
    expect(page.locator(".govuk-error-summary")).to_contain_text("not in any council or police force area we know")
    expect(page.get_by_label("Why the change is needed")).to_have_value("The person has moved (synthetic)")
    assert_accessible(page)

    page.get_by_label("Postcode").fill("OT1 4CD")
    page.get_by_role("button", name="Save").click()
    banner = page.locator(".govuk-notification-banner")
    expect(banner).to_contain_text("Otherton police force area")
    expect(banner).to_contain_text("No longer able to see the case: Police practitioners of Testshire Police")
    assert_accessible(page)
    page.get_by_role("link", name="Sharing", exact=True).click()
    expect(page.locator("main")).to_contain_text("Recent area changes")
    expect(page.locator("main")).to_contain_text("The person has moved (synthetic)")
    assert_accessible(page)
    page.get_by_role("link", name="Chronology", exact=True).click()
    expect(page.locator("main")).to_contain_text("Address changed by")
    assert_accessible(page)
    sign_out(page)

    sign_in(page, live_server.url, "pat", PASSWORD)
    response = page.goto(url)
    assert response is not None and response.status == 404
    sign_out(page)

    sign_in(page, live_server.url, "otto", PASSWORD)
    response = page.goto(url)
    assert response is not None and response.status == 200
    expect(page.get_by_role("heading", level=1)).to_have_text("Hawthorn Movingcase")
    assert_accessible(page)
