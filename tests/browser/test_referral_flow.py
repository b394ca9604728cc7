from __future__ import annotations

import pytest
from playwright.sync_api import Page, expect

from cases.models import Case, Stage
from partners.models import AgencyKind, Role
from tests.browser.helpers import assert_accessible, fill_referral_details, sign_in
from tests.factories import PASSWORD, make_agency, make_postcode_area, make_user

pytestmark = pytest.mark.django_db(transaction=True)


def test_a_referral_is_logged_screened_to_channel_and_listed(live_server, page: Page) -> None:
    make_postcode_area(district="TE1", area="Testshire")
    council = make_agency(name="Testshire Council", code="tc", local_authority_area="Testshire")
    police = make_agency(kind=AgencyKind.POLICE, name="Testshire Police", code="tp", police_force_area="Testshire")
    make_user(agency=council, role=Role.PREVENT_COORDINATOR, username="casey")
    make_user(agency=police, role=Role.POLICE_PRACTITIONER, username="pat")

    sign_in(page, live_server.url, "casey", PASSWORD)
    page.get_by_role("link", name="New referral").first.click()
    assert_accessible(page)

    # First attempt: a date of birth in the future and no concern.
    fill_referral_details(
        page,
        first="Elder",
        last="Browsercase",
        born=(1, 1, 2999),
        address="3 Synthetic Lane",
        postcode="TE1 3CD",
        contact="01234 111111",
    )
    page.get_by_role("button", name="Log referral").click()
    summary = page.locator(".govuk-error-summary")
    expect(summary).to_contain_text("Date of birth must be in the past")
    expect(summary).to_contain_text("Describe why the referrer is concerned")
    assert_accessible(page)
    assert not Case.objects.exists()

    page.get_by_label("Year").fill("2008")
    page.get_by_label("Why are you concerned?").fill("Synthetic concern for a browser test.")
    page.get_by_role("button", name="Log referral").click()
    # The GOV.UK confirmation page: the case number, and what happens next with a link to do it.
    expect(page.get_by_role("heading", name="Referral logged")).to_be_visible()
    expect(page.locator(".govuk-panel")).to_contain_text("PP-")
    expect(page.locator("main")).to_contain_text("What happens next")
    assert_accessible(page)
    case = Case.objects.get()

    page.get_by_role("link", name="Move the case").click()
    page.get_by_label("Police screening").check()
    page.get_by_label("Reason").fill("Sent to police for screening")
    page.get_by_role("button", name="Save").click()
    expect(page.locator("main")).to_contain_text("Police screening")
    page.get_by_role("link", name="Sign out").click()
    page.get_by_role("button", name="Sign out").click()

    sign_in(page, live_server.url, "pat", PASSWORD)
    page.goto(f"{live_server.url}/cases/{case.reference}/")
    page.get_by_role("link", name="Record screening decision").click()
    assert_accessible(page)
    page.get_by_label("Referred to Channel").check()
    page.get_by_label("Reason").fill("Vulnerability present; suitable for Channel")
    page.get_by_role("button", name="Save").click()
    expect(page.locator(".govuk-notification-banner")).to_contain_text("screening decision is recorded")
    case.refresh_from_db()
    assert case.stage == Stage.REFERRED_TO_CHANNEL

    page.get_by_role("navigation", name="Menu").get_by_role("link", name="Cases").click()
    expect(page.locator("table")).to_contain_text(case.number)
    expect(page.locator("table")).to_contain_text("Referred to Channel")
    assert_accessible(page)
    page.get_by_role("link", name=case.number).click()
    for tab in ("Chronology", "Assessment", "Support plan", "Actions", "Reviews"):
        page.get_by_role("link", name=tab, exact=True).click()
        assert_accessible(page)
