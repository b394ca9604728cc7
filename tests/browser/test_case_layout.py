"""Issue 15 findings 4 and 10 in the browser: the case's sections lay out evenly (one row of equal cells on
a desktop, a list at 320 px), a case reference stays on one line, nothing scrolls sideways at 320 px; and a
partner who reaches a case not shared with them asks for access from the page not found."""

from __future__ import annotations

from typing import Any

import pytest
from playwright.sync_api import Page, expect

from partners.models import AgencyKind, Role
from sharing.models import AccessRequest
from tests.browser.helpers import assert_accessible, sign_in
from tests.factories import PASSWORD, make_agency, make_case, make_user

pytestmark = pytest.mark.django_db(transaction=True)


def boxes(page: Page, selector: str) -> list[dict[str, Any]]:
    return list(page.eval_on_selector_all(selector, "els => els.map(e => e.getBoundingClientRect().toJSON())"))


def test_case_sections_and_references_at_desktop_and_320_px(live_server, page: Page) -> None:
    council = make_agency(name="Testshire Council", code="tc", local_authority_area="Testshire")
    make_agency(kind=AgencyKind.POLICE, name="Testshire Police", code="tp", police_force_area="Testshire")
    casey = make_user(agency=council, role=Role.PREVENT_COORDINATOR, username="casey")
    case = make_case(owner=casey, first_name="Willow", last_name="Layout")
    sign_in(page, live_server.url, "casey", PASSWORD)

    page.set_viewport_size({"width": 1280, "height": 900})
    page.goto(f"{live_server.url}/cases/{case.reference}/")
    items = boxes(page, ".app-case-nav__item")
    assert len(items) == 10  # the owner's sections, related people and sensitive details among them
    assert len({round(b["top"]) for b in items}) == 1, "the sections are not in one row"
    widths = [b["width"] for b in items]
    assert max(widths) - min(widths) < 2, f"the sections are not even: {widths}"
    assert_accessible(page)

    page.set_viewport_size({"width": 320, "height": 800})
    page.goto(f"{live_server.url}/cases/{case.reference}/")
    items = boxes(page, ".app-case-nav__item")
    assert len({round(b["left"]) for b in items}) == 1, "at 320 px the sections are not a list"
    assert len({round(b["top"]) for b in items}) == len(items)
    assert page.evaluate("document.documentElement.scrollWidth") <= 320
    for target in (f"/cases/{case.reference}/", "/cases/"):
        page.goto(f"{live_server.url}{target}")
        lines = page.eval_on_selector_all(".app-reference", "els => els.map(e => e.getClientRects().length)")
        assert lines and set(lines) == {1}, f"a reference wraps on {target}: {lines}"


def test_a_partner_asks_for_access_from_the_page_not_found(live_server, page: Page) -> None:
    council = make_agency(name="Testshire Council", code="tc", local_authority_area="Testshire")
    health = make_agency(kind=AgencyKind.HEALTH, name="Testshire Health", code="th")
    casey = make_user(agency=council, role=Role.PREVENT_COORDINATOR, username="casey")
    harper = make_user(agency=health, role=Role.PANEL_MEMBER, username="harper")
    case = make_case(owner=casey, first_name="Gorse", last_name="Keptcase")

    sign_in(page, live_server.url, "harper", PASSWORD)
    response = page.goto(f"{live_server.url}/cases/{case.reference}/plan/")
    assert response is not None and response.status == 404
    assert_accessible(page)
    page.get_by_role("link", name="Ask for access").click()
    expect(page.get_by_text("the case at the link you followed")).to_be_visible()
    assert_accessible(page)
    page.get_by_label("Why do you need access?").fill("The person attends our clinic (synthetic)")
    page.get_by_role("button", name="Send request").click()
    expect(page.locator(".govuk-notification-banner")).to_contain_text("Your request has been sent")
    assert AccessRequest.objects.filter(case=case, requester=harper).count() == 1
