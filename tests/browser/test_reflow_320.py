"""Browser test (issue 15, finding 9): at a 320 px wide viewport (WCAG 1.4.10, reflow) neither the panel
dashboard, with its chart and an overdue action, nor a meeting's agenda, nor the page that confirms taking
a case off it, scrolls sideways as a whole; tables that must scroll do so inside a labelled, focusable
region that says so. axe-core checks each page."""

from __future__ import annotations

from datetime import time, timedelta

import pytest
from django.utils import timezone
from playwright.sync_api import Page, expect

from cases.models import Referral, Stage
from cases.services import casework, meetings
from partners.models import AgencyKind, Role
from tests.browser.helpers import assert_accessible, sign_in
from tests.cases.helpers import make_case, ref
from tests.factories import PASSWORD, make_agency, make_user

pytestmark = pytest.mark.django_db(transaction=True)

CONCERNS = ["islamist", "extreme_right_wing", "left_wing", "conflicted", "no_ideology", "extreme_violence", "other"]


def page_width(page: Page) -> int:
    return int(page.evaluate("document.documentElement.scrollWidth"))


def widest(page: Page) -> list[str]:
    """What sticks out past the viewport, for the failure message."""
    return page.evaluate(
        """() => [...document.querySelectorAll('main *')]
            .filter(e => e.getBoundingClientRect().right > 321)
            .slice(0, 5)
            .map(e => `${e.tagName}.${e.className} ${Math.round(e.getBoundingClientRect().right)}`)"""
    )


def test_the_dashboard_and_a_meeting_agenda_reflow_at_320_px(live_server, page: Page) -> None:
    council = make_agency(name="Testshire Council", code="tc", local_authority_area="Testshire")
    make_agency(kind=AgencyKind.POLICE, name="Testshire Police", code="tp", police_force_area="Testshire")
    casey = make_user(agency=council, role=Role.PREVENT_COORDINATOR, username="casey", first_name="Casey")
    charlie = make_user(
        agency=council, role=Role.PANEL_CHAIR, username="charlie", first_name="Charlie", last_name="Chair"
    )
    # Every type of concern, so the chart's table has its widest form.
    cases = [
        make_case(owner=casey, stage=Stage.LISTED_FOR_PANEL, first_name="Bartholomew", last_name=f"Longname{n}")
        for n in range(len(CONCERNS))
    ]
    for case, code in zip(cases, CONCERNS, strict=True):
        Referral.objects.filter(case=case).update(concern_type=ref("concern_type", code))
    casework.add_action(
        case=cases[0],
        actor=casey,
        description="Ask the school for the pupil's attendance records since September",
        owner_agency=council,
        owner_user=casey,
        due_on=timezone.localdate() - timedelta(days=3),
    )
    meeting = meetings.create_meeting(
        actor=casey,
        held_on=timezone.localdate() + timedelta(days=14),
        starts_at=time(10),
        place="Committee Room 1, Northgate Civic Centre",
        chair=charlie,
    )
    [item, *_] = meetings.add_to_agenda(meeting=meeting, actor=casey, cases=cases[:3])
    base = live_server.url

    page.set_viewport_size({"width": 320, "height": 800})
    sign_in(page, base, "casey", PASSWORD)

    page.goto(f"{base}/cases/dashboard/")
    expect(page.get_by_role("heading", level=1)).to_have_text("Panel dashboard")
    assert page_width(page) <= 320, f"the dashboard is {page_width(page)} px wide: {widest(page)}"
    region = page.get_by_role("region", name="Referrals by month and type of concern, a table that scrolls sideways")
    expect(region).to_have_attribute("tabindex", "0")
    hint = region.locator("xpath=preceding-sibling::p[1]")
    expect(hint).to_have_text("Scroll sideways to see all columns.")
    expect(hint).to_be_visible()
    expect(page.locator("main")).to_contain_text("Ask the school for the pupil's attendance records")
    assert_accessible(page)

    page.goto(f"{base}/cases/meetings/{meeting.reference}/")
    expect(page.get_by_role("heading", level=2, name="Agenda")).to_be_visible()
    assert page_width(page) <= 320, f"the meeting agenda is {page_width(page)} px wide: {widest(page)}"
    assert_accessible(page)

    page.get_by_role("link", name=f"Remove {item.case.number} from the agenda").click()
    expect(page.get_by_role("heading", level=1)).to_have_text(f"Remove {item.case.number} from the agenda?")
    assert page_width(page) <= 320, f"the confirmation page is {page_width(page)} px wide: {widest(page)}"
    assert_accessible(page)
    page.get_by_role("button", name=f"Remove {item.case.number}").click()
    expect(page.locator(".govuk-notification-banner")).to_contain_text(f"{item.case.number} removed from the agenda")
    assert meeting.items.count() == 2
