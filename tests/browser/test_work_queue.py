"""The coordinator's home page starts with their work queue as a GOV.UK task list; a line opens the page
listing what it counted; both pass axe and do not scroll sideways at 320 px."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone
from playwright.sync_api import Page, expect

from cases.models import Review, ReviewKind
from partners.models import Role
from tests.browser.helpers import assert_accessible, sign_in
from tests.factories import PASSWORD, make_agency, make_case, make_user

pytestmark = pytest.mark.django_db(transaction=True)


def assert_no_sideways_scroll(page: Page) -> None:
    page.set_viewport_size({"width": 320, "height": 640})
    assert page.evaluate("document.documentElement.scrollWidth <= document.documentElement.clientWidth")
    page.set_viewport_size({"width": 1280, "height": 800})


def test_the_coordinator_opens_a_line_of_their_queue(live_server, page: Page) -> None:
    council = make_agency(name="Testshire Council", code="tc", local_authority_area="Testshire")
    casey = make_user(agency=council, role=Role.PREVENT_COORDINATOR, username="casey")
    case = make_case(owner=casey, first_name="Hawthorn", last_name="Queuecase")
    Review.objects.create(case=case, kind=ReviewKind.IN_PROGRAMME, due_on=timezone.localdate() - timedelta(days=2))

    sign_in(page, live_server.url, "casey", PASSWORD)
    page.goto(f"{live_server.url}/")
    tasks = page.locator(".govuk-task-list")
    expect(tasks).to_contain_text("1 new referral to screen")
    expect(tasks).to_contain_text("1 review overdue")
    assert_accessible(page)
    assert_no_sideways_scroll(page)

    page.get_by_role("link", name="1 review overdue").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Reviews due")
    expect(page.locator("main table")).to_contain_text(case.number)
    expect(page.locator("main")).not_to_contain_text("Hawthorn")
    assert_accessible(page)
    assert_no_sideways_scroll(page)
