"""Steps shared by the browser tests: signing in (one place, through the second factor), filling in a referral
and axe-core checks."""

from __future__ import annotations

from base64 import b32decode
from collections.abc import Callable
from functools import cache
from pathlib import Path
from typing import Any

from playwright.sync_api import Page

from partners.models import User
from tests.clients import code_for_key, next_code

AXE = Path(__file__).resolve().parents[2] / "node_modules" / "axe-core" / "axe.min.js"
WCAG_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22a", "wcag22aa"]


def sign_in(
    page: Page, base_url: str, username: str, password: str, *, each_step: Callable[[Page], None] | None = None
) -> None:
    """Sign in as a person would: the password, then the authenticator app's code. A user with no app yet
    sets one up from the key shown on the page (as they would type it into their app) and continues past
    the recovery codes. A wrong password stops at the sign-in page, as it would for a person.
    `each_step`, if given, is called on every page of the way (the crawl checks them like any other)."""
    step = each_step or (lambda page: None)
    page.goto(f"{base_url}/sign-in/")
    step(page)
    page.get_by_label("Username").fill(username)
    page.get_by_label("Password").fill(password)
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_load_state()
    if "/account/two-factor/set-up/" in page.url:
        step(page)
        secret = page.locator("[data-totp-secret]").inner_text().replace(" ", "")
        page.get_by_label("Enter the 6-digit code from the app").fill(code_for_key(b32decode(secret)))
        page.get_by_role("button", name="Continue").click()
        step(page)
        page.get_by_role("link", name="I have saved my codes").click()
    elif "/account/two-factor/" in page.url:
        step(page)
        page.get_by_label("Security code").fill(next_code(User.objects.get(username=username)))
        page.get_by_role("button", name="Continue").click()
    page.wait_for_load_state()


@cache
def _axe_source() -> str:
    return AXE.read_text()


def axe_violations(page: Page) -> list[str]:
    """axe-core's WCAG 2.2 A/AA violations on the current page, one line each."""
    # Evaluated by the test driver, not added as an inline <script>, which the page's CSP rightly refuses.
    page.evaluate(_axe_source())
    result: dict[str, Any] = page.evaluate(
        # Only violations are reported in full: the passes' details are not needed, and cost time on every page.
        "tags => axe.run(document, {runOnly: {type: 'tag', values: tags}, resultTypes: ['violations']})",
        WCAG_TAGS,
    )
    return [
        f"{v['id']}: {v['help']} ({', '.join(n['target'][0] for n in v['nodes'][:3])})" for v in result["violations"]
    ]


def assert_accessible(page: Page) -> None:
    """Zero WCAG 2.2 A/AA violations found by axe-core on the current page."""
    violations = axe_violations(page)
    assert violations == [], f"axe-core on {page.url}:\n" + "\n".join(violations)


def fill_referral_details(
    page: Page, *, first: str, last: str, born: tuple[int, int, int], address: str, postcode: str, contact: str
) -> None:
    """Every field of the referral form but the concern (which the tests type in their own way)."""
    page.get_by_label("First name").fill(first)
    page.get_by_label("Last name").fill(last)
    for part, value in zip(("Day", "Month", "Year"), born, strict=True):
        page.get_by_label(part).fill(str(value))
    page.get_by_label("Female").check()
    page.get_by_label("Address").fill(address)
    page.get_by_label("Postcode").fill(postcode)
    page.get_by_label("Referral source sector").select_option(label="Education")
    page.get_by_label("Type of concern").select_option(label="Extreme right-wing")
    page.get_by_label("Referrer's name").fill("A Teacher")
    page.get_by_label("Referrer's organisation").fill("Test Academy")
    page.get_by_label("Referrer's phone or email").fill(contact)
    page.locator("#id_immediate_risk_2").check()
