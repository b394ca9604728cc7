"""Every URL pattern, with TRACE, OPTIONS and the other methods no page serves, as an anonymous visitor
and as a signed-in coordinator: 405 with an Allow header, no page, and (for the signed-in user, and for the
anonymous attempt) a denied entry (issue 14 finding 12a)."""

from __future__ import annotations

import io

from django.core.management import call_command
from django.test import TestCase

from audit.models import AuditEntry, Outcome
from partners.models import User
from tests.clients import VerifiedClient
from tests.url_crawl import routes

METHODS = ("TRACE", "OPTIONS", "PUT", "PATCH", "DELETE", "CONNECT", "PROPFIND")


class AllowedMethodsTestCase(TestCase):
    client_class = VerifiedClient
    client: VerifiedClient

    @classmethod
    def setUpTestData(cls) -> None:
        call_command("seed_demo", stdout=io.StringIO())

    def crawl(self) -> list[str]:
        problems = []
        for route in routes():
            url = route.urls[0]
            for method in METHODS:
                response = self.client.generic(method, url)
                if response.status_code != 405 or response.get("Allow") != "GET, HEAD, POST" or response.content:
                    problems.append(f"{method} {url}: {response.status_code} {response.get('Allow')}")
                    continue
                written = AuditEntry.objects.filter(request_id=response["X-Request-ID"]).values_list("outcome")
                if url != "/healthz" and list(written) != [(Outcome.DENIED,)]:
                    problems.append(f"{method} {url}: entries {list(written)}")
        return problems

    def test_a_signed_in_user_is_answered_405_everywhere(self) -> None:
        self.client.force_login(User.objects.get(username="coordinator"))
        self.assertEqual(self.crawl(), [])

    def test_an_anonymous_visitor_is_answered_405_everywhere(self) -> None:
        self.assertEqual(self.crawl(), [])

    def test_get_head_and_post_still_work(self) -> None:
        self.client.force_login(User.objects.get(username="coordinator"))
        self.assertEqual(self.client.get("/cases/").status_code, 200)
        self.assertEqual(self.client.head("/cases/").status_code, 200)
        self.assertEqual(self.client.post("/sharing/requests/", {"number": ""}).status_code, 400)
