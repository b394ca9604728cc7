"""Arbitrary text in every GET filter of every list never gives a server error, and a filter that cannot
be read is answered 400 with the GOV.UK error summary, not a silent list (issue 14 finding 10).

The lists' filter forms are found by crawling every URL pattern as the personas who see them
(tests/prevent_panel/test_form_fuzz.py reads the forms); the values are arbitrary text and text shaped
like what the fields expect (months, dates, numbers, page numbers), where the edge cases hide."""

from __future__ import annotations

import io
from typing import Any

from django.core.management import call_command
from django.test import TestCase
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from partners.models import User
from tests.clients import VerifiedClient
from tests.prevent_panel.test_form_fuzz import Form, forms_on
from tests.url_crawl import routes

PERSONAS = ("coordinator", "chair", "police", "auditor", "admin")
EXAMPLES = 60
SHAPED = (
    st.from_regex(r"\A-?\d{1,5}-\d{1,2}\Z")
    | st.from_regex(r"\A\d{4}-\d{2}-\d{2}\Z")
    | st.from_regex(r"\A-?\d{1,25}\Z")
    | st.sampled_from(["", "0000-01", "9999-12", "0001-01-01", "9999-12-31", "-1", "NaN", "\x00", "%00", "'"])
)
VALUES = st.text(max_size=200) | SHAPED
# Tried in every field, one at a time, before the random examples: the values at the edges of what the
# parsers behind the fields take.
EDGES = ("0000-01", "0000-00", "9999-12", "10000-01", "2026-13", "0001-01-01", "9999-12-31", "-1", "0", "9" * 25)


class ListFilterFuzzTestCase(TestCase):
    client_class = VerifiedClient
    client: VerifiedClient

    @classmethod
    def setUpTestData(cls) -> None:
        call_command("seed_demo", stdout=io.StringIO())

    def list_forms(self) -> list[Form]:
        found: dict[tuple[str, tuple[str, ...]], Form] = {}
        urls = [url for route in routes() for url in route.urls[:1]]
        for username in PERSONAS:
            self.client.force_login(User.objects.get(username=username))
            for url in urls:
                for form in forms_on(self.client, url, username):
                    if form.method == "get" and form.fields:
                        found.setdefault((form.action, form.fields), form)
        return list(found.values())

    def fuzz(self, form: Form) -> None:
        self.client.force_login(User.objects.get(username=form.username))
        for name in (*form.fields, "page"):
            for value in EDGES:
                response = self.client.get(form.action, {name: value})
                self.assertLess(response.status_code, 500, f"{form.action} with {name}={value!r}")

        @settings(
            max_examples=EXAMPLES,
            deadline=None,
            database=None,
            suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture],
        )
        @given(data=st.fixed_dictionaries({name: VALUES for name in (*form.fields, "page")}))
        def send(data: dict[str, Any]) -> None:
            response = self.client.get(form.action, data)
            self.assertLess(response.status_code, 500, f"{form.action} with {data!r}")
            if response.status_code == 400:
                self.assertContains(response, "govuk-error-summary", status_code=400)

        send()

    def test_every_list_filter_takes_any_text_without_a_server_error(self) -> None:
        forms = self.list_forms()
        self.assertTrue({"/cases/", "/audit/"} <= {f.action for f in forms}, forms)
        for form in forms:
            with self.subTest(form=form.action):
                self.fuzz(form)

    def test_a_month_no_calendar_has_is_refused_with_a_message(self) -> None:
        self.client.force_login(User.objects.get(username="coordinator"))
        response = self.client.get("/cases/", {"received": "0000-01"})
        self.assertContains(response, "govuk-error-summary", status_code=400)
        self.assertContains(response, "Enter a month from 1900-01 onwards", status_code=400)
        self.assertEqual(response.context["cases"], [])

    def test_an_unreadable_filter_shows_no_cases_rather_than_all_of_them(self) -> None:
        self.client.force_login(User.objects.get(username="coordinator"))
        response = self.client.get("/cases/", {"received": "March"})
        self.assertContains(response, "Enter a month like 2026-03", status_code=400)
        self.assertEqual(response.context["cases"], [])
