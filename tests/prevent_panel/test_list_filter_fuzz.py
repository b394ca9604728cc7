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

from cases.models import Case
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
        self.assertContains(response, "Received in month must be in 1900 or later", status_code=400)
        self.assertEqual(response.context["cases"], [])

    def test_an_unreadable_filter_shows_no_cases_rather_than_all_of_them(self) -> None:
        self.client.force_login(User.objects.get(username="coordinator"))
        response = self.client.get("/cases/", {"received": "March"})
        self.assertContains(response, "Received in month must be a real month", status_code=400)
        self.assertEqual(response.context["cases"], [])

    def test_the_month_filter_is_a_govuk_month_and_year_that_refuses_what_it_cannot_read(self) -> None:
        """Month and Year boxes (issue 15 finding 10), each error in the summary, linked to the Month box."""
        self.client.force_login(User.objects.get(username="coordinator"))
        page = self.client.get("/cases/")
        self.assertContains(page, 'name="received_0"')
        self.assertContains(page, 'name="received_1"')
        self.assertNotContains(page, 'name="received"')
        for sent, message in (
            ({"received_0": "13", "received_1": "2026"}, "Received in month must be a real month"),
            ({"received_0": "3", "received_1": ""}, "Received in month must include a year"),
            ({"received_0": "", "received_1": "2026"}, "Received in month must include a month"),
            ({"received_0": "\u00b2", "received_1": "2026"}, "Received in month must be a real month"),
            ({"received_0": "3", "received_1": "26"}, "Received in month must be a real month"),
        ):
            with self.subTest(sent=sent):
                response = self.client.get("/cases/", sent)
                self.assertContains(response, f'<a href="#id_received_0">{message}', status_code=400)
                self.assertEqual(response.context["cases"], [])

    def test_a_month_and_year_filter_the_list_as_the_dashboards_link_does(self) -> None:
        self.client.force_login(User.objects.get(username="coordinator"))
        case = Case.objects.order_by("received_on").last()
        assert case is not None
        month = case.received_on
        boxes = self.client.get("/cases/", {"received_0": str(month.month), "received_1": str(month.year)})
        linked = self.client.get("/cases/", {"received": f"{month:%Y-%m}"})
        self.assertEqual(boxes.status_code, 200)
        self.assertIn(case, boxes.context["cases"])
        self.assertEqual(boxes.context["cases"], linked.context["cases"])
        # The link's month shows in the boxes, so the person sees the filter they are under.
        self.assertContains(linked, f'name="received_1" value="{month.year}"')
