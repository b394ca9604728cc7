"""A person adds a passkey and signs in with it, in Chromium with a virtual authenticator (the DevTools
WebAuthn domain stands in for a phone or security key): the library's scripts, served from our static
files, run under the strict CSP, and every page passes axe."""

from __future__ import annotations

from typing import Any

import pytest
from playwright.sync_api import Page, expect

from audit.models import AuditEntry
from partners.models import Role
from tests.browser.helpers import assert_accessible, sign_in
from tests.factories import PASSWORD, make_agency, make_user

pytestmark = pytest.mark.django_db(transaction=True)


def add_virtual_authenticator(page: Page) -> Any:
    cdp = page.context.new_cdp_session(page)
    cdp.send("WebAuthn.enable")
    cdp.send(
        "WebAuthn.addVirtualAuthenticator",
        {
            "options": {
                "protocol": "ctap2",
                "transport": "internal",
                "hasResidentKey": True,
                "hasUserVerification": True,
                "isUserVerified": True,
            }
        },
    )
    return cdp


def test_a_person_adds_a_passkey_signs_in_with_it_and_removes_it(live_server, page: Page, settings: Any) -> None:
    # The live server's origin is http://localhost:<port>: passkeys are bound to localhost.
    settings.OTP_WEBAUTHN_RP_ID = "localhost"
    settings.OTP_WEBAUTHN_ALLOWED_ORIGINS = [live_server.url]
    council = make_agency(name="Testshire Council", code="tc")
    casey = make_user(agency=council, role=Role.PREVENT_COORDINATOR, username="casey", first_name="Casey")
    problems: list[str] = []
    page.on("console", lambda m: problems.append(m.text) if "Content Security Policy" in m.text else None)
    page.on("pageerror", lambda error: problems.append(str(error)))
    # Any refused request (the browser asks for /favicon.ico, which this service does not have).
    page.on(
        "response",
        lambda r: (
            problems.append(f"{r.status} {r.url}") if r.status >= 400 and not r.url.endswith("/favicon.ico") else None
        ),
    )
    add_virtual_authenticator(page)

    sign_in(page, live_server.url, "casey", PASSWORD)
    page.get_by_role("link", name="Passkeys").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Passkeys")
    expect(page.get_by_text("You have no passkeys")).to_be_visible()
    assert_accessible(page)

    page.get_by_role("button", name="Add a passkey").click()
    expect(page.get_by_text("Your passkey has been added.")).to_be_visible()
    expect(page.get_by_role("table")).to_contain_text("Passkey added")
    assert_accessible(page)

    # Sign out, then in again: the password, then the passkey.
    page.get_by_role("link", name="Sign out").click()
    page.get_by_role("button", name="Sign out").click()
    page.goto(f"{live_server.url}/cases/")
    page.get_by_label("Username").fill("casey")
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Confirm it is you")
    assert_accessible(page)
    page.get_by_role("button", name="Use your passkey").click()
    expect(page).to_have_url(f"{live_server.url}/cases/")
    verified = AuditEntry.objects.filter(event="auth.mfa_verified", actor=casey).order_by("pk").last()
    assert verified is not None and verified.additional_data == {"method": "passkey"}

    # Remove it again.
    page.goto(f"{live_server.url}/account/passkeys/")
    page.get_by_role("link", name="Remove").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Are you sure you want to remove this passkey?")
    assert_accessible(page)
    page.get_by_role("button", name="Remove passkey").click()
    expect(page.get_by_text("The passkey has been removed.")).to_be_visible()
    expect(page.get_by_text("You have no passkeys")).to_be_visible()

    events = list(
        AuditEntry.objects.filter(actor=casey, event__startswith="auth.passkey").values_list("event", flat=True)
    )
    assert sorted(events) == ["auth.passkey_enrolled", "auth.passkey_removed"]
    # Nothing was blocked by the CSP and no script failed.
    assert problems == []
