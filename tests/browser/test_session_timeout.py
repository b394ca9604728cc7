from __future__ import annotations

import pytest
from playwright.sync_api import ConsoleMessage, Page, expect

from partners.models import Role
from tests.browser.helpers import assert_accessible, sign_in
from tests.factories import PASSWORD, make_agency, make_user

pytestmark = pytest.mark.django_db(transaction=True)


def test_the_timeout_warning_lets_the_user_stay_signed_in(live_server, page: Page, settings) -> None:
    council = make_agency(name="Testshire Council", code="tc")
    make_user(agency=council, role=Role.PREVENT_COORDINATOR, username="casey", first_name="Casey")
    csp_errors: list[str] = []
    page.on("console", lambda m: csp_errors.append(m.text) if "Content Security Policy" in m.text else None)
    # Seconds instead of minutes: the page asks the server how long is left before it warns, so the
    # server's clock must really run down (the live server reads these settings on every request).
    settings.SESSION_IDLE_SECONDS = 14
    settings.SESSION_WARNING_SECONDS = 10

    sign_in(page, live_server.url, "casey", PASSWORD)
    page.goto(f"{live_server.url}/cases/")
    warning = page.get_by_role("region", name="You are about to be signed out")
    expect(warning).to_be_hidden()

    expect(warning).to_be_visible(timeout=15_000)
    # Nobody was typing, so the warning takes focus (tests/browser/test_referral_drafts.py: when someone
    # is, it does not).
    expect(warning).to_be_focused()
    expect(warning).to_contain_text("you will be signed out at")
    assert_accessible(page)

    with page.expect_response(f"{live_server.url}/account/session/extend/") as extended:
        warning.get_by_role("button", name="Stay signed in").click()
    assert extended.value.json()["idle_seconds"] == 14
    expect(warning).to_be_hidden()
    expect(page).to_have_url(f"{live_server.url}/cases/")

    # htmx is loaded under the CSP without injecting styles, and nothing was blocked on the way.
    assert page.evaluate("typeof htmx") == "object"
    assert page.locator("style").count() == 0
    assert csp_errors == []


def test_pages_load_under_the_csp_without_violations(live_server, page: Page) -> None:
    council = make_agency(name="Testshire Council", code="tc")
    make_user(agency=council, role=Role.PREVENT_COORDINATOR, username="casey")
    messages: list[ConsoleMessage] = []
    page.on("console", lambda message: messages.append(message))
    page.goto(f"{live_server.url}/sign-in/")
    assert page.evaluate("document.body.classList.contains('js-enabled')")
    sign_in(page, live_server.url, "casey", PASSWORD)
    for path in ("/", "/cases/", "/cases/new/"):
        page.goto(f"{live_server.url}{path}")
    assert [m.text for m in messages if m.type == "error"] == []
