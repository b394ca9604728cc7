"""Security headers on every response of an authenticated crawl of every URL pattern, plus error pages
(test plan T16, T17), and no inline script or style anywhere (the CSP would block it)."""

from __future__ import annotations

import io
import re
from typing import Any

from django.core.management import call_command
from django.http import HttpResponse
from django.test import TestCase, override_settings

from partners.models import User
from tests.clients import VerifiedClient
from tests.url_crawl import routes

REQUIRED_CSP = {
    "default-src": "'self'",
    "object-src": "'none'",
    "base-uri": "'none'",
    "frame-ancestors": "'none'",
    "style-src": "'self'",
    "form-action": "'self'",
}
INLINE_SCRIPT = re.compile(r"<script(?![^>]*\ssrc=)[^>]*>", re.IGNORECASE)
INLINE_STYLE = re.compile(r"<style[\s>]|\sstyle=\"|\son[a-z]+=\"", re.IGNORECASE)


def csp_directives(response: Any) -> dict[str, str]:
    return {
        part.strip().split(" ", 1)[0]: part.strip().split(" ", 1)[1] if " " in part.strip() else ""
        for part in response["Content-Security-Policy"].split(";")
        if part.strip()
    }


def header_problems(response: Any) -> list[str]:
    problems = []
    if "Content-Security-Policy" not in response:
        return ["no Content-Security-Policy"]
    csp = csp_directives(response)
    for directive, value in REQUIRED_CSP.items():
        if csp.get(directive) != value:
            problems.append(f"CSP {directive} is {csp.get(directive)!r}")
    if (
        "'unsafe-inline'" in response["Content-Security-Policy"]
        or "'unsafe-eval'" in response["Content-Security-Policy"]
    ):
        problems.append("CSP allows unsafe-inline or unsafe-eval")
    hsts = response.get("Strict-Transport-Security", "")
    max_age = int(re.search(r"max-age=(\d+)", hsts).group(1)) if "max-age=" in hsts else 0  # type: ignore[union-attr]
    if max_age < 31_536_000 or "includeSubDomains" not in hsts:
        problems.append(f"HSTS is {hsts!r}")
    expected = {
        "X-Content-Type-Options": "nosniff",
        "Referrer-Policy": "same-origin",
        "Cross-Origin-Opener-Policy": "same-origin",
        "X-Frame-Options": "DENY",
    }
    problems += [f"{name} is {response.get(name)!r}" for name, value in expected.items() if response.get(name) != value]
    cache = response.get("Cache-Control", "")
    if "no-store" not in cache or "private" not in cache:
        problems.append(f"Cache-Control is {cache!r}")
    if response.get("Content-Type", "").startswith("text/html"):
        body = response.content.decode(errors="replace")
        problems += [f"inline script {m!r}" for m in INLINE_SCRIPT.findall(body)]
        problems += [f"inline style or handler {m!r}" for m in INLINE_STYLE.findall(body)]
        nonces = set(re.findall(r'nonce="([^"]+)"', body))
        for nonce in nonces:
            if f"'nonce-{nonce}'" not in csp.get("script-src", ""):
                problems.append("a script's nonce is not the response's")
    return problems


class SecurityHeadersTestCase(TestCase):
    client_class = VerifiedClient
    client: VerifiedClient

    @classmethod
    def setUpTestData(cls) -> None:
        call_command("seed_demo", stdout=io.StringIO())

    def test_every_response_of_an_authenticated_crawl_has_the_headers(self) -> None:
        checked, pages = 0, 0
        failures: list[str] = []
        for username in ("coordinator", "police", "auditor", "admin"):
            self.client.force_login(User.objects.get(username=username))
            for route in routes():
                if route.pattern in {"sign-out/", "admin/logout/"}:
                    continue  # crawled by GET below, but never signed out mid-crawl
                for url in route.urls:
                    response = self.client.get(url, secure=True)
                    checked += 1
                    pages += response.status_code == 200
                    failures += [
                        f"{username} GET {url} ({response.status_code}): {p}" for p in header_problems(response)
                    ]
        self.assertEqual(failures, [])
        self.assertGreater(checked, 200)
        self.assertGreater(pages, 60, "the crawl should reach real pages, not only 404s")

    def test_pages_with_scripts_carry_the_csp_nonce_and_htmx_under_the_policy(self) -> None:
        self.client.force_login(User.objects.get(username="coordinator"))
        response = self.client.get("/cases/", secure=True)
        body = response.content.decode()
        nonce = re.search(r'<script src="[^"]*htmx-2[^"]*" defer nonce="([^"]+)"', body)
        assert nonce is not None, "htmx is loaded with the response's nonce"
        self.assertIn(f"'nonce-{nonce.group(1)}'", csp_directives(response)["script-src"])
        self.assertIn('"includeIndicatorStyles": false', body)
        self.assertIn('data-hx-headers=\'{"X-CSRFToken": "', body)
        again = self.client.get("/cases/", secure=True)
        self.assertNotEqual(csp_directives(again)["script-src"], csp_directives(response)["script-src"])

    def test_anonymous_and_error_responses_have_the_headers(self) -> None:
        for url in ("/sign-in/", "/healthz", "/no-such-page/"):
            response = self.client.get(url, secure=True)
            self.assertEqual(header_problems(response), [], url)
        self.client.force_login(User.objects.get(username="coordinator"))
        response = self.client.get("/cases/00000000-0000-0000-0000-000000000001/", secure=True)
        self.assertEqual(response.status_code, 404)
        self.assertEqual(header_problems(response), [])

    @override_settings(ROOT_URLCONF="tests.prevent_panel.test_error_pages")
    def test_a_server_error_page_has_the_headers(self) -> None:
        self.client.force_login(User.objects.get(username="coordinator"))
        self.client.raise_request_exception = False
        response = self.client.get("/explode/", secure=True)
        self.assertEqual(response.status_code, 500)
        self.assertEqual(header_problems(response), [])

    def test_the_checker_finds_a_missing_header_and_inline_script(self) -> None:
        response = HttpResponse('<script>alert(1)</script><p style="x">', content_type="text/html")
        response["Content-Security-Policy"] = "default-src 'self'"
        problems = header_problems(response)
        self.assertTrue(any("inline script" in p for p in problems))
        self.assertTrue(any("HSTS" in p for p in problems))
        self.assertTrue(any("Cache-Control" in p for p in problems))
