"""The page chrome every page shares (issue 15, finding 10): the service menu, the second-factor page, htmx's
CSRF header and the icon."""

from __future__ import annotations

import time

import pytest
from playwright.sync_api import Page, Route, expect

from partners.models import Role, User
from tests.browser.helpers import assert_accessible, sign_in
from tests.clients import next_code
from tests.factories import PASSWORD, make_agency, make_user

pytestmark = pytest.mark.django_db(transaction=True)

# The page's layout shifts (those not caused by input) since it started loading, summed as CLS sums them.
LAYOUT_SHIFT = """() => new Promise(resolve => {
  let total = 0;
  new PerformanceObserver(list => {
    for (const entry of list.getEntries()) if (!entry.hadRecentInput) total += entry.value;
  }).observe({type: "layout-shift", buffered: true});
  setTimeout(() => resolve(total), 300);
})"""


def coordinator() -> User:
    council = make_agency(name="Testshire Council", code="tc", local_authority_area="Testshire")
    return make_user(agency=council, role=Role.PREVENT_COORDINATOR, username="casey", first_name="Casey")


def test_the_second_factor_page_offers_only_sign_out_and_a_code_box_for_codes(live_server, page: Page) -> None:
    casey = coordinator()
    sign_in(page, live_server.url, "casey", PASSWORD)
    page.get_by_role("link", name="Sign out").click()
    page.get_by_role("button", name="Sign out").click()

    page.goto(f"{live_server.url}/sign-in/")
    page.get_by_label("Username").fill("casey")
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    expect(page).to_have_url(f"{live_server.url}/account/two-factor/?next=/")
    # Nothing to go to before the code is in, but signing out.
    expect(page.get_by_role("navigation", name="Menu")).to_have_count(0)
    expect(page.get_by_role("link", name="Cases")).to_have_count(0)
    expect(page.get_by_role("navigation", name="Account").get_by_role("link", name="Sign out")).to_be_visible()
    code = page.get_by_label("Security code")
    expect(code).to_be_focused()
    for attribute, value in {
        "inputmode": "numeric",
        "autocomplete": "one-time-code",
        "spellcheck": "false",
        "autofocus": "",
    }.items():
        expect(code).to_have_attribute(attribute, value)
    assert_accessible(page)

    # A recovery code has letters: its box asks for the full keyboard, and the way back is offered.
    page.get_by_role("link", name="use a recovery code").click()
    recovery = page.get_by_label("Recovery code")
    expect(recovery).to_be_focused()
    assert recovery.get_attribute("inputmode") is None
    page.get_by_role("link", name="Use a code from your authenticator app instead").click()
    page.get_by_label("Security code").fill(next_code(casey))
    page.get_by_role("button", name="Continue").click()
    expect(page).to_have_url(f"{live_server.url}/")
    expect(page.get_by_role("navigation", name="Menu").get_by_role("link", name="Cases")).to_be_visible()


def test_sign_out_never_wraps_alone_and_the_narrow_menu_does_not_jump(live_server, page: Page) -> None:
    coordinator()
    sign_in(page, live_server.url, "casey", PASSWORD)
    sign_out = page.get_by_role("link", name="Sign out")
    service = page.locator(".govuk-header__service-name")
    for width in (1280, 320):
        page.set_viewport_size({"width": width, "height": 800})
        # On the service name's line, at the right.
        out, name = sign_out.bounding_box(), service.bounding_box()
        assert out and name and abs((out["y"] + out["height"]) - (name["y"] + name["height"])) < 8, (width, out, name)
    page.set_viewport_size({"width": 1280, "height": 800})
    items = page.locator(".govuk-service-navigation__item")
    tops = {box["y"] for box in (items.nth(i).bounding_box() for i in range(items.count())) if box}
    assert len(tops) == 1, "the coordinator's menu fits on one row"

    # GOV.UK Frontend arrives late, as on a slow connection: the page is drawn before the menu's script runs.
    page.route("**/govuk-frontend.min*.js", late)
    page.set_viewport_size({"width": 320, "height": 800})
    page.goto(f"{live_server.url}/cases/")
    page.wait_for_selector("[data-govuk-service-navigation-init]", state="attached")
    assert page.evaluate(LAYOUT_SHIFT) < 0.01
    toggle = page.get_by_role("button", name="Menu")
    expect(toggle).to_be_visible()
    cases = page.get_by_role("navigation", name="Menu").get_by_role("link", name="Cases")
    expect(cases).to_be_hidden()
    toggle.click()
    expect(cases).to_be_visible()


def late(route: Route) -> None:
    time.sleep(0.6)
    route.continue_()


def test_htmx_requests_carry_the_csrf_token_from_the_body(live_server, page: Page) -> None:
    coordinator()
    sign_in(page, live_server.url, "casey", PASSWORD)
    page.goto(f"{live_server.url}/cases/")
    token = page.evaluate("JSON.parse(document.body.dataset.hxHeaders)['X-CSRFToken']")
    assert token
    # An element htmx fetches for as soon as it is processed, as the export progress poll does.
    with page.expect_request(lambda r: r.url.endswith("/cases/?probe=1")) as sent:
        page.evaluate(
            """() => {
              const probe = document.createElement("div");
              probe.setAttribute("hx-get", "/cases/?probe=1");
              probe.setAttribute("hx-trigger", "load");
              probe.setAttribute("hx-swap", "none");
              document.querySelector("main").append(probe);
              htmx.process(probe);
            }"""
        )
    assert sent.value.headers.get("x-csrftoken") == token
    assert sent.value.headers.get("hx-request") == "true"


def test_the_icon_is_linked_and_served(live_server, page: Page) -> None:
    page.goto(f"{live_server.url}/sign-in/")
    href = page.locator("link[rel=icon]").first.get_attribute("href")
    assert href is not None
    assert page.request.get(f"{live_server.url}{href}").ok
    assert page.request.get(f"{live_server.url}/favicon.ico").ok
