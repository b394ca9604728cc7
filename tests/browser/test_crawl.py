"""Issue 15's "Done when": every page every demo persona reaches (and each form submitted empty) has no
axe-core WCAG 2.2 A/AA violation, no sideways scroll at 320 px, and HTML the W3C Nu checker finds no error in.

One crawl serves the three checks (tests/browser/crawl.py); the Nu checker runs once, over every page.
The sign-in pages, the second-factor set-up and the error pages are checked on the way.
"""

from __future__ import annotations

import io
import os
import time
import uuid
from functools import partial
from pathlib import Path

import pytest
from django.core.exceptions import PermissionDenied
from django.core.management import call_command
from django.http import Http404, HttpRequest
from django.test import RequestFactory
from django.views import defaults
from django_otp import DEVICE_ID_SESSION_KEY
from playwright.sync_api import Browser, Page

from partners.demo import PERSONAS
from partners.models import Agency, Role, User
from prevent_panel import views as error_views
from prevent_panel.env import env_str
from prevent_panel.management.commands.seed_demo import DEFAULT_DEMO_PASSWORD
from tests.browser.crawl import Crawler, nu_errors
from tests.browser.helpers import sign_in
from tests.factories import PASSWORD, make_user

pytestmark = pytest.mark.django_db(transaction=True)

DEMO_PASSWORD = env_str("DEMO_PASSWORD", DEFAULT_DEMO_PASSWORD)
# Pages no link leads to but a person meets: a case that is not there (or not shared) and a form a role may
# not use (the 403 page).
EXTRA = (f"/cases/{uuid.UUID(int=1)}/", "/cases/new/", "/audit/")

# CRAWL_PERSONAS=coordinator,auditor crawls only those (to check a fix quickly); CI crawls them all.
ONLY = {name for name in os.environ.get("CRAWL_PERSONAS", "").split(",") if name}


def error_pages(user: User) -> dict[str, tuple[int, str]]:
    """The handlers' pages as a signed-in person would get them (400, 403, 404, CSRF failure, 500)."""
    request: HttpRequest = RequestFactory().get("/")
    request.user = user
    # A session past its second factor, as the person's own would be: the menu shows as it would for them.
    request.session = {DEVICE_ID_SESSION_KEY: "otp_totp.totpdevice/0"}  # type: ignore[assignment]
    request.is_error_page = True  # type: ignore[attr-defined]
    responses = {
        "400": error_views.bad_request(request, Exception()),
        "403": error_views.permission_denied(request, PermissionDenied()),
        "404": error_views.page_not_found(request, Http404()),
        "403-csrf": error_views.csrf_failure(request),
        "500": defaults.server_error(request),
    }
    return {name: (r.status_code, r.content.decode()) for name, r in responses.items()}


def test_every_page_of_every_persona_is_accessible_valid_and_reflows(
    live_server, browser: Browser, tmp_path: Path
) -> None:
    started = time.monotonic()
    call_command("seed_demo", stdout=io.StringIO())
    timings = [f"seeding {time.monotonic() - started:.0f} s"]
    crawler = Crawler(base_url=live_server.url, html_dir=tmp_path)

    # Someone new: the sign-in page, the second factor's set-up and the recovery codes, each submitted empty.
    make_user(agency=Agency.objects.get(code="ncc"), role=Role.PANEL_MEMBER, username="newcomer")
    context = browser.new_context(base_url=live_server.url, viewport={"width": 1280, "height": 800})
    page = context.new_page()
    sign_in(page, live_server.url, "newcomer", PASSWORD, each_step=partial(crawl_step, crawler, label="newcomer"))
    context.close()

    for persona in (p for p in PERSONAS if not ONLY or p.username in ONLY):
        persona_started = time.monotonic()
        context = browser.new_context(base_url=live_server.url, viewport={"width": 1280, "height": 800})
        page = context.new_page()
        sign_in(
            page,
            live_server.url,
            persona.username,
            DEMO_PASSWORD,
            each_step=partial(crawl_step, crawler, label=persona.username, only="/account/two-factor/"),
        )
        crawler.crawl(page, persona.username, extra=EXTRA)
        if persona.username == "coordinator":
            for name, (status, html) in error_pages(User.objects.get(username="coordinator")).items():
                show(page, live_server.url, crawler, name, status, html)
        context.close()
        timings.append(f"{persona.username} {time.monotonic() - persona_started:.0f} s")

    findings = crawler.findings
    nu_started = time.monotonic()
    nu = nu_errors(findings)
    timings.append(f"Nu checker {time.monotonic() - nu_started:.0f} s")
    took = time.monotonic() - started
    report = [
        f"{findings.visited} pages checked in {took:.0f} s ({', '.join(timings)})",
        *section("axe-core (WCAG 2.2 A/AA)", findings.axe),
        *section("Sideways scroll", findings.sideways),
        *section("W3C Nu HTML checker", nu),
        *section("Empty submissions not refused", findings.not_refused),
        *section("Pages that failed", findings.broken),
    ]
    print("\n".join(report))
    assert ONLY or findings.visited > 100, "the crawl reached too few pages"
    assert not (findings.axe or findings.sideways or nu or findings.not_refused or findings.broken), "\n".join(report)


def crawl_step(crawler: Crawler, page: Page, *, label: str, only: str = "") -> None:
    """A page on the way in, checked and (for its first refusable form) submitted empty; then back."""
    if only not in page.url:
        return
    crawler.check(page, label, None)
    url = page.url
    crawler.submit_forms_empty(page, label, url)
    if page.url != url or page.locator(".govuk-error-summary").count():
        page.goto(url)


def show(page: Page, base_url: str, crawler: Crawler, name: str, status: int, html: str) -> None:
    """An error page from its handler, served at a made-up address so the browser loads its styles."""
    url = f"{base_url}/error-page-{name}/"
    page.route(url, lambda route: route.fulfill(status=status, body=html, content_type="text/html; charset=utf-8"))
    response = page.goto(url)
    crawler.check(page, f"error page {name}", response, error_page=True)


def section(title: str, lines: list[str]) -> list[str]:
    return [f"\n{title}: {len(lines)}", *(f"  {line}" for line in lines)] if lines else []
