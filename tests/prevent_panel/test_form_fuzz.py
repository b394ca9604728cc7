"""Arbitrary text into every form the crawl finds gives no server error, and fields a form does not have
(agency, owner, stage, is_staff, role) change nothing (test plan T09, T20).

Forms are found by crawling every URL pattern (tests/url_crawl.py) as each persona and reading the HTML,
so forms added later are fuzzed too. Examples per form are kept small so the suite stays quick.
"""

from __future__ import annotations

import io
import re
from dataclasses import dataclass
from html.parser import HTMLParser
from typing import Any
from urllib.parse import urljoin, urlsplit

from django.core.management import call_command
from django.test import TestCase
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from cases.models import Case
from partners.models import Agency, Role, User
from tests.clients import VerifiedClient
from tests.factories import make_user
from tests.url_crawl import routes

UUID = re.compile(r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}")
EXTRA_FIELDS = ("agency", "owner", "stage", "is_staff", "role")
# Forms whose submission would end the crawl's session rather than test input handling.
SKIP_ACTIONS = {"/sign-out/", "/admin/logout/"}
PERSONAS = ("coordinator", "chair", "police", "health", "provider", "auditor", "admin")
EXAMPLES = 25


@dataclass(frozen=True)
class Form:
    username: str  # "" for an anonymous visitor, "~name" for a password-only session
    method: str
    action: str
    fields: tuple[str, ...]


class FormFinder(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.forms: list[tuple[str, str, list[str]]] = []
        self._current: tuple[str, str, list[str]] | None = None

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        attr = {k: v or "" for k, v in attrs}
        if tag == "form":
            self._current = (attr.get("method", "get").lower(), attr.get("action", ""), [])
        elif self._current is not None and tag in {"input", "select", "textarea"}:
            name = attr.get("name", "")
            if name and name != "csrfmiddlewaretoken" and attr.get("type") not in {"submit", "button"}:
                self._current[2].append(name)

    def handle_endtag(self, tag: str) -> None:
        if tag == "form" and self._current is not None:
            self.forms.append(self._current)
            self._current = None


def forms_on(client: VerifiedClient, url: str, username: str) -> set[Form]:
    response = client.get(url)
    if response.status_code != 200 or not response.get("Content-Type", "").startswith("text/html"):
        return set()
    finder = FormFinder()
    finder.feed(response.content.decode(errors="replace"))
    found = set()
    for method, action, fields in finder.forms:
        target = urlsplit(urljoin(url, action or url)).path
        if target not in SKIP_ACTIONS:
            found.add(Form(username, method, target, tuple(sorted(set(fields)))))
    return found


class FormFuzzTestCase(TestCase):
    client_class = VerifiedClient
    client: VerifiedClient

    @classmethod
    def setUpTestData(cls) -> None:
        call_command("seed_demo", stdout=io.StringIO())
        # Someone signing in for the first time, who is shown the enrolment form.
        make_user(agency=Agency.objects.get(code="ncc"), role=Role.PANEL_MEMBER, username="newcomer")

    def sign_in_as(self, username: str) -> None:
        self.client.logout()
        if username.startswith("~"):
            self.client.force_login_without_mfa(User.objects.get(username=username[1:]))
        elif username:
            self.client.force_login(User.objects.get(username=username))

    def discover(self) -> list[Form]:
        found: set[Form] = set()
        urls = [url for route in routes() for url in route.urls[:2]]
        for username in ("", "~coordinator", "~newcomer", *PERSONAS):
            self.sign_in_as(username)
            for url in urls:
                found |= forms_on(self.client, url, username)
        # One form per route and field set is enough (the same form on two cases, the same search box on
        # several pages).
        unique: dict[tuple[str, str, tuple[str, ...]], Form] = {}
        for form in sorted(found, key=lambda f: (f.action, f.username)):
            unique.setdefault((form.method, UUID.sub("<uuid>", form.action), form.fields), form)
        return list(unique.values())

    def fuzz(self, form: Form) -> None:
        self.sign_in_as(form.username)
        values = st.text(max_size=300) | st.sampled_from(["", "0", "-1", "9" * 30, "<script>x</script>", "\x00"])

        @settings(
            max_examples=EXAMPLES,
            deadline=None,
            database=None,
            suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture],
        )
        @given(data=st.fixed_dictionaries({name: values for name in (*form.fields, *EXTRA_FIELDS)}))
        def submit(data: dict[str, Any]) -> None:
            send = self.client.post if form.method == "post" else self.client.get
            response = send(form.action, data)
            self.assertLess(response.status_code, 500, f"{form} with {data!r}")

        submit()

    def test_arbitrary_text_in_every_form_gives_no_server_error(self) -> None:
        forms = self.discover()
        actions = {f.action for f in forms}
        # The crawl must find the forms we know of, or it is not testing anything.
        for expected in ("/sign-in/", "/account/password/", "/account/two-factor/set-up/", "/cases/new/", "/audit/"):
            self.assertIn(expected, actions)
        self.assertTrue(any(a.endswith("/notes/new/") for a in actions))
        before = {u.pk: (u.role, u.agency_id, u.is_staff, u.is_superuser) for u in User.objects.all()}
        owners = dict(Case.objects.values_list("pk", "owning_agency_id"))
        for form in forms:
            with self.subTest(form=form):
                self.fuzz(form)
        # Extra fields never changed who anyone is.
        after = {u.pk: (u.role, u.agency_id, u.is_staff, u.is_superuser) for u in User.objects.all()}
        self.assertEqual(after, before)
        self.assertEqual(
            {pk: owner for pk, owner in Case.objects.values_list("pk", "owning_agency_id") if pk in owners}, owners
        )
