"""Browser test (issue 17): the provider records two sessions of their support; the coordinator ends it;
the provider gets 404 on the case at their next request; the chair sees the plan's progress in meeting
mode. axe-core checks each page."""

from __future__ import annotations

from datetime import timedelta

import pytest
from playwright.sync_api import Page, expect

from cases.models import Stage
from cases.services import casework
from partners.models import AgencyKind, Role
from tests.browser.helpers import assert_accessible, sign_in
from tests.cases.helpers import make_case, panel_item, ref, today
from tests.factories import PASSWORD, make_agency, make_user

pytestmark = pytest.mark.django_db(transaction=True)


def sign_out(page: Page) -> None:
    page.get_by_role("link", name="Sign out").click()
    page.get_by_role("button", name="Sign out").click()


def fill_date(page: Page, day: object) -> None:
    page.get_by_label("Day").fill(str(day.day))  # type: ignore[attr-defined]
    page.get_by_label("Month").fill(str(day.month))  # type: ignore[attr-defined]
    page.get_by_label("Year").fill(str(day.year))  # type: ignore[attr-defined]


def test_sessions_ending_support_and_the_plans_progress(live_server, page: Page) -> None:
    council = make_agency(name="Testshire Council", code="tc", local_authority_area="Testshire")
    make_agency(kind=AgencyKind.POLICE, name="Testshire Police", code="tp", police_force_area="Testshire")
    mentors = make_agency(kind=AgencyKind.INTERVENTION_PROVIDER, name="Synthetic Mentoring Ltd", code="sm")
    casey = make_user(agency=council, role=Role.PREVENT_COORDINATOR, username="casey", first_name="Casey")
    ivy = make_user(agency=mentors, role=Role.INTERVENTION_PROVIDER, username="ivy", first_name="Ivy")
    case = make_case(owner=casey, stage=Stage.SUPPORT_ACTIVE, first_name="Rowan", last_name="Deliverycase")
    casework.add_support_element(
        case=case,
        actor=casey,
        support_type=ref("support_type", "life_skills"),
        provider=mentors,
        provider_user=ivy,
        how="Weekly one-to-one sessions",
        when="Weekly on Tuesdays",
        starts_on=today() - timedelta(days=21),
    )
    chair = make_user(agency=council, role=Role.PANEL_CHAIR, username="charlie", first_name="Charlie")
    item = panel_item(case, chair=chair)
    plan_url = f"{live_server.url}/cases/{case.reference}/plan/"

    # The provider records two sessions: one attended, one missed.
    sign_in(page, live_server.url, "ivy", PASSWORD)
    page.goto(plan_url)
    assert_accessible(page)
    for days_ago, attended, note in (
        (14, "Yes, the person attended", "Good session"),
        (7, "No, the person did not attend", "Rearranged"),
    ):
        page.get_by_role("link", name="Record a session of the support: life skills").click()
        assert_accessible(page)
        fill_date(page, today() - timedelta(days=days_ago))
        page.get_by_label(attended).check()
        page.get_by_label("Note (optional)").fill(f"{note} (synthetic)")
        page.get_by_role("button", name="Save").click()
        expect(page.locator(".govuk-notification-banner")).to_contain_text("Session recorded")
    expect(page.locator("main")).to_contain_text("2 sessions recorded: 1 attended, 1 not attended.")
    assert_accessible(page)
    sign_out(page)

    # The coordinator ends the element, with a reason.
    sign_in(page, live_server.url, "casey", PASSWORD)
    page.goto(plan_url)
    page.get_by_role("link", name="End the support: life skills").click()
    assert_accessible(page)
    fill_date(page, today())
    page.get_by_label("Reason").fill("Support complete (synthetic)")
    page.get_by_role("button", name="Save").click()
    expect(page.locator(".govuk-notification-banner")).to_contain_text("Support ended")
    expect(page.locator("main")).to_contain_text("Ended on")
    assert_accessible(page)
    page.get_by_role("link", name="History of changes to the support: life skills").click()
    expect(page.locator("main")).to_contain_text("Support complete (synthetic)")
    assert_accessible(page)
    sign_out(page)

    # The provider's access ended with their support: the case is a 404 at their next request.
    sign_in(page, live_server.url, "ivy", PASSWORD)
    response = page.goto(plan_url)
    assert response is not None and response.status == 404
    response = page.goto(f"{live_server.url}/cases/{case.reference}/")
    assert response is not None and response.status == 404
    sign_out(page)

    # The chair sees the plan's progress in meeting mode.
    sign_in(page, live_server.url, chair.username, PASSWORD)
    page.goto(f"{live_server.url}/cases/meetings/{item.meeting.reference}/items/{item.reference}/")
    progress = page.locator(".govuk-summary-list__row", has_text="Support plan progress")
    expect(progress).to_contain_text("Life skills")
    expect(progress).to_contain_text("2 sessions recorded: 1 attended, 1 not attended.")
    expect(progress).to_contain_text("Ended on")
    assert_accessible(page)
