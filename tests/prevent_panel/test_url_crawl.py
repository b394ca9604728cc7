"""Every URL pattern, as an anonymous user and as a user who gave the password but not the second factor:
nothing but sign-in, enrolment, verification and sign-out, and never case data (test plan T08, T12)."""

from __future__ import annotations

import io
from urllib.parse import urlsplit

from django.core.management import call_command
from django.test import TestCase

from audit.models import AuditEntry
from cases.models import Case, Subject
from partners.models import User
from tests.clients import VerifiedClient
from tests.url_crawl import Route, routes

# What an anonymous visitor may see: the sign-in page and the load balancer's health check.
PUBLIC = {"/sign-in/", "/healthz"}
# What a password-only session may see besides those: the second-factor pages and sign-out.
MFA_PENDING = {
    "/account/two-factor/",
    "/account/two-factor/set-up/",
    "/account/two-factor/set-up/qr-code.svg",
    # Signing in with a passkey is the second-factor step too (its challenge, and the answer to it).
    "/account/passkeys/webauthn/authentication/begin/",
    "/account/passkeys/webauthn/authentication/complete/",
}
SIGN_OUT = "/sign-out/"


class UrlCrawlTestCase(TestCase):
    client_class = VerifiedClient
    client: VerifiedClient
    markers: list[str]
    crawl: list[Route]

    @classmethod
    def setUpTestData(cls) -> None:
        call_command("seed_demo", stdout=io.StringIO())
        # Case data on a page would show a case number or a subject's name.
        cls.markers = [*Case.objects.values_list("number", flat=True)]
        for first, last in Subject.objects.values_list("first_name", "last_name"):
            cls.markers += [last, f"{first} {last}"]

    def setUp(self) -> None:
        self.crawl = routes()
        self.assertGreater(len(self.crawl), 40, "the resolver walk found too few patterns")
        self.assertIn("cases/<uuid:reference>/", [r.pattern for r in self.crawl])

    def assert_no_case_data(self, url: str, method: str, body: bytes) -> None:
        text = body.decode(errors="replace")
        leaked = [marker for marker in self.markers if marker in text]
        self.assertEqual(leaked, [], f"{method} {url} shows case data")

    def visit_all(self, *, allowed: set[str], redirect_to: tuple[str, ...], user: User | None = None) -> int:
        visited = 0
        entries_before = set(AuditEntry.objects.filter(case_reference__gt="").values_list("pk", flat=True))
        for route in self.crawl:
            for url in route.urls:
                for method in ("get", "post"):
                    response = getattr(self.client, method)(url, {"reason": "x", "stage": "closed"})
                    visited += 1
                    self.assert_no_case_data(url, method, response.content)
                    path = urlsplit(url).path
                    if user is not None and path == SIGN_OUT and method == "post":
                        self.client.force_login_without_mfa(user)  # carry on as the same half-signed-in user
                    if path in allowed:
                        continue
                    if response.status_code in (301, 302):
                        target = urlsplit(response["Location"]).path
                        self.assertIn(target, redirect_to, f"{method} {url} redirects to {target}")
                    else:
                        self.assertIn(response.status_code, (404, 405), f"{method} {url}")
        # Nothing reached a case: no case access, allowed or refused, was recorded.
        case_entries = AuditEntry.objects.filter(case_reference__gt="").exclude(pk__in=entries_before)
        self.assertEqual(list(case_entries.values_list("event", "path")), [])
        return visited

    def test_an_anonymous_visitor_reaches_only_sign_in_and_health(self) -> None:
        # The admin sends visitors to its own login URL, which is crawled too and sends them to /sign-in/.
        visited = self.visit_all(allowed=PUBLIC, redirect_to=("/sign-in/", "/admin/login/"))
        self.assertGreater(visited, 100)

    def test_a_password_only_session_reaches_only_the_second_factor_and_sign_out(self) -> None:
        for username in ("coordinator", "police", "auditor", "admin"):
            user = User.objects.get(username=username)
            with self.subTest(username):
                self.client.force_login_without_mfa(user)
                self.visit_all(
                    allowed=PUBLIC | MFA_PENDING | {SIGN_OUT},
                    redirect_to=("/account/two-factor/", "/account/two-factor/set-up/"),
                    user=user,
                )
                self.client.logout()

    def test_a_password_only_session_is_sent_to_the_second_factor(self) -> None:
        user = User.objects.get(username="coordinator")
        self.client.force_login_without_mfa(user)
        case = Case.objects.filter(owning_agency=user.agency).first()
        assert case is not None
        response = self.client.get(f"/cases/{case.reference}/")
        self.assertRedirects(
            response, f"/account/two-factor/?next=/cases/{case.reference}/", fetch_redirect_response=False
        )
        # The same page, once verified, is the case: the crawl above was refused for the right reason.
        self.client.force_login(user)
        self.assertContains(self.client.get(f"/cases/{case.reference}/"), case.number)
