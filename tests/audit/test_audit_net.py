"""Every URL pattern, GET and POST, as every demo persona, a password-only session and an anonymous
visitor: each response carries an X-Request-ID, and the last entry written with that request id (its
closing entry) has the response's outcome (finding 9 of issue 14).

2xx and 3xx are allowed, 4xx denied (a 400, a form sent back with errors, may also close with the view's
allowed entry for the page, or none where the form page read nothing recorded), 5xx failed; a redirect
that sends someone to sign in or to the second factor from any other page is a refusal, so denied.
Exempt: /healthz, and an anonymous visitor answered at the sign-in door (the sign-in form records its
own events)."""

from __future__ import annotations

import io
from collections.abc import Callable
from urllib.parse import urlsplit

from django.core.management import call_command
from django.test import Client, TestCase

from audit.models import AuditEntry, Outcome
from partners.models import User
from tests.clients import VerifiedClient
from tests.url_crawl import Route, routes

SIGN_IN_PAGES = {"/sign-in/", "/admin/login/", "/account/two-factor/", "/account/two-factor/set-up/"}
ACCOUNT_PAGES = SIGN_IN_PAGES | {"/sign-out/", "/account/two-factor/set-up/qr-code.svg"}
ANONYMOUS_DOORS = {"/sign-in/", "/admin/login/"}
DEMO_PERSONAS = (
    "coordinator",
    "chair",
    "police",
    "health",
    "education",
    "social-care",
    "provider",
    "auditor",
    "admin",
    "southmere-coordinator",
)


def expected_outcome(path: str, status: int, location: str) -> str:
    if status >= 500:
        return Outcome.FAILED
    if status >= 400:
        return Outcome.DENIED
    if 300 <= status < 400 and path not in ACCOUNT_PAGES and urlsplit(location).path in SIGN_IN_PAGES:
        return Outcome.DENIED
    return Outcome.ALLOWED


class AuditNetTestCase(TestCase):
    client_class = VerifiedClient
    client: VerifiedClient
    crawl: list[Route]

    @classmethod
    def setUpTestData(cls) -> None:
        call_command("seed_demo", stdout=io.StringIO())

    def setUp(self) -> None:
        self.crawl = routes()
        self.assertGreater(len(self.crawl), 40)

    def check(self, client: Client, method: str, url: str, *, signed_in: bool, problems: list[str]) -> None:
        response = getattr(client, method)(url, {"reason": "x", "stage": "closed"})
        path = urlsplit(url).path
        request_id = response.get("X-Request-ID")
        if not request_id:
            problems.append(f"{method} {url}: no X-Request-ID")
            return
        outcome = expected_outcome(path, response.status_code, response.get("Location", ""))
        if path == "/healthz" or (not signed_in and path in ANONYMOUS_DOORS and outcome == Outcome.ALLOWED):
            return
        written = list(AuditEntry.objects.filter(request_id=request_id).order_by("pk").values_list("outcome", "event"))
        if not written and response.status_code == 400 and getattr(response, "form_sent_back", False):
            return  # a form sent back with what was typed, on a page that read nothing recorded
        if not written:
            problems.append(f"{method} {url} ({response.status_code}): no entry")
        elif response.status_code == 400 and written[-1][0] == Outcome.ALLOWED:
            return  # a form sent back with errors, on a page the view allowed
        elif written[-1][0] != outcome:
            problems.append(f"{method} {url} ({response.status_code}): closing entry {written[-1]}, expected {outcome}")

    def crawl_as(self, sign_in: Callable[[], None] | None) -> list[str]:
        problems: list[str] = []
        if sign_in is not None:
            sign_in()
        for route in self.crawl:
            for url in route.urls[:2]:
                for method in ("get", "post"):
                    self.check(self.client, method, url, signed_in=sign_in is not None, problems=problems)
                    if sign_in is not None and urlsplit(url).path == "/sign-out/" and method == "post":
                        sign_in()
        return problems

    def test_every_response_of_every_persona_has_one_closing_entry_that_matches_it(self) -> None:
        for username in DEMO_PERSONAS:
            user = User.objects.get(username=username)

            def sign_in(user: User = user) -> None:
                self.client.force_login(user)

            with self.subTest(username):
                self.assertEqual(self.crawl_as(sign_in), [])
                self.client.logout()

    def test_a_password_only_session_has_its_refusals_recorded(self) -> None:
        user = User.objects.get(username="coordinator")
        self.assertEqual(self.crawl_as(lambda: self.client.force_login_without_mfa(user)), [])

    def test_an_anonymous_visitor_has_its_attempts_on_protected_pages_recorded(self) -> None:
        self.assertEqual(self.crawl_as(None), [])

    def test_a_failed_csrf_check_is_recorded_as_denied(self) -> None:
        client = Client(enforce_csrf_checks=True)
        client.force_login(User.objects.get(username="coordinator"))
        problems: list[str] = []
        for url in ("/sharing/requests/", "/sign-out/", "/sign-in/"):
            self.check(client, "post", url, signed_in=True, problems=problems)
        anonymous = Client(enforce_csrf_checks=True)
        self.check(anonymous, "post", "/sign-in/", signed_in=False, problems=problems)
        self.assertEqual(problems, [])
        self.assertTrue(AuditEntry.objects.filter(event="http.response", outcome=Outcome.DENIED).exists())
