"""Browser test: the chair runs a panel from the dashboard, by keyboard alone in meeting mode, and the
health member's copy of the minutes holds only the case she was invited for. axe-core checks each page."""

from __future__ import annotations

import io
from datetime import timedelta

import pytest
from django.utils import timezone
from playwright.sync_api import Locator, Page, expect
from pypdf import PdfReader

from cases.models import Action, Case, Decision, Stage
from partners.models import AgencyKind, Role
from tests.browser.helpers import assert_accessible, sign_in
from tests.cases.helpers import make_case
from tests.factories import PASSWORD, make_agency, make_user

pytestmark = pytest.mark.django_db(transaction=True)


def sign_out(page: Page) -> None:
    page.get_by_role("link", name="Sign out").click()
    page.get_by_role("button", name="Sign out").click()


def tab_to(page: Page, target: Locator, limit: int = 200) -> None:
    """Press Tab until `target` has the focus: proves it can be reached by keyboard."""
    for _ in range(limit):
        page.keyboard.press("Tab")
        if target.evaluate("element => element === document.activeElement"):
            return
    raise AssertionError(f"could not reach {target} by keyboard")


def fill_by_keyboard(page: Page, target: Locator, text: str) -> None:
    tab_to(page, target)
    page.keyboard.type(text)


def press(page: Page, target: Locator, key: str = "Enter") -> None:
    tab_to(page, target)
    page.keyboard.press(key)


def test_the_chair_runs_a_meeting_and_health_gets_only_her_case_in_the_minutes(live_server, page: Page) -> None:
    council = make_agency(name="Testshire Council", code="tc", local_authority_area="Testshire")
    force = make_agency(kind=AgencyKind.POLICE, name="Testshire Police", code="tp", police_force_area="Testshire")
    health = make_agency(kind=AgencyKind.HEALTH, name="Testshire Health", code="th")
    casey = make_user(agency=council, role=Role.PREVENT_COORDINATOR, username="casey", first_name="Casey")
    make_user(agency=council, role=Role.PANEL_CHAIR, username="charlie", first_name="Charlie", last_name="Chair")
    make_user(agency=force, role=Role.POLICE_PRACTITIONER, username="pat", first_name="Pat", last_name="Constable")
    make_user(agency=health, role=Role.PANEL_MEMBER, username="harper", first_name="Harper", last_name="Healthworth")
    invited = make_case(owner=casey, stage=Stage.LISTED_FOR_PANEL, first_name="Fir", last_name="Invitedcase")
    kept = make_case(owner=casey, stage=Stage.LISTED_FOR_PANEL, first_name="Gorse", last_name="Keptcase")
    base = live_server.url

    # The chair opens the dashboard and plans the next meeting.
    sign_in(page, base, "charlie", PASSWORD)
    page.get_by_role("navigation", name="Menu").get_by_role("link", name="Panel dashboard").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Panel dashboard")
    assert_accessible(page)
    page.get_by_role("link", name="Plan one").click()
    assert_accessible(page)
    page.get_by_role("button", name="Plan a meeting").click()
    # Today's, from midnight: attendance and decisions are refused before a meeting starts.
    day = timezone.localdate()
    page.get_by_label("Day").fill(str(day.day))
    page.get_by_label("Month").fill(str(day.month))
    page.get_by_label("Year").fill(str(day.year))
    page.get_by_label("Start time").fill("00:00")
    page.get_by_label("Place or video link").fill("Committee Room 1")
    page.get_by_label("Chair").select_option(label="Charlie Chair")
    assert_accessible(page)
    page.get_by_role("button", name="Save").click()
    expect(page.locator(".govuk-notification-banner")).to_contain_text("Meeting planned")
    assert_accessible(page)

    # The agenda is built from the cases waiting for a panel.
    page.get_by_role("link", name="Build the agenda").click()
    assert_accessible(page)
    page.get_by_label(f"{invited.number}: Fir Invitedcase").check()
    page.get_by_label(f"{kept.number}: Gorse Keptcase").check()
    page.get_by_role("button", name="Add to the agenda").click()
    expect(page.locator(".govuk-notification-banner")).to_contain_text("2 cases added")

    # Police as a core member; health for one case only.
    page.get_by_role("link", name="Invite").click()
    page.get_by_label("Invite an agency").select_option(label="Testshire Police")
    assert_accessible(page)
    page.get_by_role("button", name="Save").click()
    page.get_by_role("link", name="Invite").click()
    page.get_by_label("Or invite a person").select_option(label="Harper Healthworth (Testshire Health)")
    page.get_by_label(f"{invited.number}: Fir Invitedcase").check()
    page.get_by_role("button", name="Save").click()
    page.get_by_role("button", name="Circulate the agenda").click()
    expect(page.locator(".govuk-notification-banner")).to_contain_text("Agenda circulated")
    assert_accessible(page)

    # Meeting mode, by keyboard alone: attendance, then each item.
    press(page, page.get_by_role("link", name="Record attendance"))
    expect(page.get_by_role("heading", level=1)).to_have_text("Record attendance")
    assert_accessible(page)
    for name in ("Charlie Chair", "Pat Constable", "Harper Healthworth"):
        press(page, page.get_by_label(name, exact=False), " ")
    press(page, page.get_by_role("button", name="Save"))
    expect(page.locator(".govuk-notification-banner")).to_contain_text("Attendance recorded")

    press(page, page.get_by_role("link", name="Run the meeting"))
    expect(page.get_by_role("heading", level=1)).to_have_text(f"{invited.number}: Fir Invitedcase")
    assert_accessible(page)
    press(page, page.get_by_label("Adopt as a Channel case"), " ")
    press(page, page.get_by_label("Unanimous"), " ")
    fill_by_keyboard(page, page.get_by_label("Rationale"), "Vulnerable; mentoring is suitable.")
    press(page, page.get_by_role("button", name="Record the decision"))
    expect(page.locator(".govuk-notification-banner")).to_contain_text("Decision recorded")
    assert_accessible(page)
    fill_by_keyboard(page, page.get_by_label("Action"), "Seek consent at a home visit")
    tab_to(page, page.get_by_label("Owning agency"))
    page.keyboard.type("Testshire C")
    # The owners follow the chosen agency: other agencies' people are not offered.
    owners = page.locator("#id_owner_user")
    assert owners.locator("optgroup[label='Testshire Police']").evaluate("group => group.disabled")
    assert not owners.locator("optgroup[label='Testshire Council']").evaluate("group => group.disabled")
    due = timezone.localdate() + timedelta(days=14)
    fill_by_keyboard(page, page.get_by_label("Day"), str(due.day))
    page.keyboard.press("Tab")
    page.keyboard.type(str(due.month))
    page.keyboard.press("Tab")
    page.keyboard.type(str(due.year))
    press(page, page.get_by_role("button", name="Add the action"))
    expect(page.locator(".govuk-notification-banner")).to_contain_text("Action added")

    press(page, page.get_by_role("link", name="Next item").first)
    expect(page.get_by_role("heading", level=1)).to_have_text(f"{kept.number}: Gorse Keptcase")
    press(page, page.get_by_label("Adopt as a Channel case"), " ")
    page.keyboard.press("ArrowDown")
    page.keyboard.press("ArrowDown")
    expect(page.get_by_label("Defer for more information")).to_be_checked()
    # Radios are one tab stop per group; the arrow keys choose within it.
    press(page, page.get_by_label("Unanimous"), "ArrowDown")
    page.keyboard.press("ArrowDown")
    expect(page.get_by_label("Chair's decision")).to_be_checked()
    fill_by_keyboard(page, page.get_by_label("Rationale"), "The panel needs the school's information.")
    press(page, page.get_by_role("button", name="Record the decision"))
    expect(page.locator(".govuk-notification-banner")).to_contain_text("Decision recorded")

    # The minutes, drafted from the decisions, approved and locked.
    press(page, page.get_by_role("link", name="Minutes").first)
    expect(page.locator("main")).to_contain_text("Decision: Adopt as a Channel case")
    assert_accessible(page)
    press(page, page.get_by_role("button", name="Approve the minutes"))
    expect(page.locator(".govuk-notification-banner")).to_contain_text("Minutes approved and locked")
    assert_accessible(page)
    sign_out(page)

    assert Case.objects.get(pk=invited.pk).stage == Stage.ADOPTED
    assert Case.objects.get(pk=kept.pk).stage == Stage.DEFERRED
    assert Decision.objects.filter(agenda_item__isnull=False).count() == 2
    action = Action.objects.get(agenda_item__isnull=False)
    assert (action.owner_agency, action.due_on) == (council, due)

    # Health sees the meeting with her case only, and her copy of the minutes holds only that case.
    sign_in(page, base, "harper", PASSWORD)
    page.get_by_role("navigation", name="Menu").get_by_role("link", name="Panel meetings").click()
    assert_accessible(page)
    page.get_by_role("link", name=day.strftime("%-d %B %Y"), exact=False).click()
    expect(page.locator("main")).to_contain_text(invited.number)
    expect(page.locator("main")).not_to_contain_text(kept.number)
    assert_accessible(page)
    page.get_by_role("link", name="Minutes").click()
    assert_accessible(page)
    link = page.get_by_role("link", name="Download your copy (PDF)")
    response = page.request.get(f"{base}{link.get_attribute('href')}")
    assert response.status == 200
    text = "\n".join(p.extract_text() for p in PdfReader(io.BytesIO(response.body())).pages)
    assert invited.number in text and "Fir Invitedcase" in text
    assert kept.number not in text and "Gorse" not in text
