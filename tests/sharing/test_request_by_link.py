"""A partner who follows a link to a case not shared with them has a way forward (issue 15 finding 4): the
page not found offers "Ask for access", carrying the case's reference from the address, and the request by
that link gets the same answer whether the case is hidden or missing. On a case they can see, a partner is
told why and until when."""

from __future__ import annotations

import re
import uuid
from datetime import date, datetime, time, timedelta
from html import unescape

from django.utils import timezone

from audit.models import AuditEntry
from cases.models import PanelMeeting
from sharing import services
from sharing.models import AccessRequest, GrantKind, LegalBasis, Level
from tests.base import BaseTestCase
from tests.factories import make_case
from tests.sharing.test_request_access_same_work import REASON, shape

MISSING = uuid.UUID(int=42)
SENT = "Your request has been sent to the case&#x27;s owner, if the reference is right."


class AskForAccessByLinkTestCase(BaseTestCase):
    def setUp(self) -> None:
        self.case = make_case(owner=self.casey, first_name="Juniper", last_name="Linkcase")

    def not_found(self, reference: uuid.UUID) -> str:
        response = self.client.get(f"/cases/{reference}/plan/")
        self.assertEqual(response.status_code, 404)
        return unescape(response.content.decode()).replace(str(reference), "<reference>")

    def test_the_page_not_found_links_to_ask_for_access_with_the_reference(self) -> None:
        self.client.force_login(self.harper)
        hidden = self.not_found(self.case.reference)
        self.assertIn('href="/sharing/requests/?case=<reference>"', hidden)
        self.assertIn("Ask for access", hidden)
        # The page tells nothing of whether the case exists: the same but for the reference in the link.
        self.assertEqual(hidden, self.not_found(MISSING))
        self.assertNotIn("Linkcase", hidden)
        self.assertNotIn(self.case.number, hidden)

    def test_a_page_outside_a_case_links_to_the_plain_request_form(self) -> None:
        self.client.force_login(self.harper)
        response = self.client.get("/no-such-page/")
        self.assertContains(response, 'href="/sharing/requests/"', status_code=404)

    def test_someone_who_may_not_ask_for_access_gets_no_link(self) -> None:
        self.client.force_login(self.audrey)
        response = self.client.get(f"/cases/{self.case.reference}/")
        self.assertNotContains(response, "Ask for access", status_code=404)

    def test_the_form_by_link_asks_only_why(self) -> None:
        self.client.force_login(self.harper)
        response = self.client.get(f"/sharing/requests/?case={self.case.reference}")
        self.assertEqual(response.status_code, 200)
        self.assertContains(response, f'name="case" value="{self.case.reference}"')
        self.assertNotContains(response, 'name="number"')
        self.assertContains(response, "the case at the link you followed")
        self.assertNotContains(response, self.case.number)

    def ask(self, reference: uuid.UUID) -> tuple[str, list[tuple[str, str, str, str]]]:
        before = AuditEntry.objects.count()
        with self.captureOnCommitCallbacks(execute=True):
            response = self.client.post("/sharing/requests/", {"case": str(reference), "reason": REASON}, follow=True)
        self.assertEqual(response.redirect_chain, [("/sharing/requests/", 302)])
        self.assertContains(response, SENT)
        rows = AuditEntry.objects.order_by("pk")[before:]
        written = [(e.event, e.outcome, e.case_reference, e.object_repr) for e in rows]
        page = response.content.decode().replace(str(reference), "")
        # What changes on every response whatever was asked: the CSP nonce, the CSRF token, the session clock.
        page = re.sub(r'"[A-Za-z0-9+/=_-]{20,}"', '""', page)
        page = re.sub(r'data-session-(idle|absolute)="\d+"', "", page)
        return page, written

    def test_asking_by_link_answers_alike_for_a_hidden_and_a_missing_case(self) -> None:
        self.client.force_login(self.harper)
        hidden_page, hidden_rows = self.ask(self.case.reference)
        missing_page, missing_rows = self.ask(MISSING)
        self.assertEqual(hidden_page, missing_page)
        # The POST wrote one entry each, which closes it; then the page it went on to wrote its list entry.
        self.assertEqual(hidden_rows[0][:3], ("sharing.requested", "allowed", self.case.number))
        self.assertEqual(missing_rows[0], ("sharing.requested", "denied", "", str(MISSING)))
        self.assertEqual([r[0] for r in hidden_rows], [r[0] for r in missing_rows])
        self.assertEqual([r[0] for r in hidden_rows], ["sharing.requested", "sharing.requests_listed"])
        # Only the request for a real case reaches its owner, with the reason; the other goes nowhere.
        request = AccessRequest.objects.get()
        self.assertEqual((request.case, request.requester, request.reason), (self.case, self.harper, REASON))
        self.assertEqual(AccessRequest.every.filter(case__isnull=True, reason="").count(), 1)

    def test_asking_by_link_without_a_reason_is_refused_on_the_reason(self) -> None:
        self.client.force_login(self.harper)
        response = self.client.post("/sharing/requests/", {"case": str(self.case.reference), "reason": ""})
        self.assertContains(response, 'href="#id_reason"', status_code=400)
        self.assertEqual(AccessRequest.every.count(), 0)

    def test_a_broken_link_asks_for_the_case_reference_instead(self) -> None:
        self.client.force_login(self.harper)
        response = self.client.post("/sharing/requests/", {"case": "not-a-reference", "reason": REASON})
        # The error links to a field the person can fill in, and what they typed is kept.
        self.assertContains(response, 'href="#id_number"', status_code=400)
        self.assertContains(response, "Enter the case reference, for example PP-2026-00042", status_code=400)
        self.assertContains(response, REASON, status_code=400)
        self.assertEqual(AccessRequest.every.count(), 0)


class RequestByLinkSameWorkTestCase(BaseTestCase):
    """As tests/sharing/test_request_access_same_work.py, for the link's reference instead of the number."""

    def setUp(self) -> None:
        self.case = make_case(owner=self.casey, first_name="Juniper", last_name="Requestcase")
        self.client.force_login(self.harper)
        self.client.get("/sharing/requests/")

    def statements(self, reference: uuid.UUID) -> list[str]:
        from django.db import connection
        from django.test.utils import CaptureQueriesContext

        with CaptureQueriesContext(connection) as queries, self.captureOnCommitCallbacks(execute=True):
            response = self.client.post("/sharing/requests/", {"case": str(reference), "reason": REASON})
        self.assertEqual(response.status_code, 302)
        return [shape(q["sql"]) for q in queries.captured_queries]

    def test_a_hidden_and_a_missing_case_run_the_same_statements(self) -> None:
        hidden = self.statements(self.case.reference)
        missing = self.statements(MISSING)
        self.assertEqual(hidden, missing)


class WhyYouCanSeeTestCase(BaseTestCase):
    def setUp(self) -> None:
        self.case = make_case(owner=self.casey, first_name="Juniper", last_name="Sharedcase")
        self.until = timezone.make_aware(datetime.combine(date(2027, 1, 12), time(23, 59)))

    def share(self, **kwargs: object) -> None:
        services.grant_access(
            case=self.case,
            actor=self.casey,
            level=Level.SUMMARY,
            purpose="Synthetic purpose",
            legal_basis=LegalBasis.PUBLIC_TASK,
            ends_at=self.until,
            **kwargs,  # type: ignore[arg-type]
        )

    def test_a_partner_sees_why_and_until_when(self) -> None:
        meeting = PanelMeeting.objects.create(
            owning_agency=self.council,
            held_on=timezone.localdate() + timedelta(days=7),
            starts_at=time(10),
            place="Room 1",
            chair=self.charlie,
            created_by=self.casey,
        )
        self.share(agency=self.health, kind=GrantKind.MEETING, meeting=meeting)
        self.client.force_login(self.harper)
        response = self.client.get(f"/cases/{self.case.reference}/")
        self.assertEqual(response.status_code, 200)
        held = f"{meeting.held_on.day} {meeting.held_on:%B %Y}"
        self.assertContains(
            response,
            "You can see this case because Testshire Health were given access for the panel meeting on "
            f"{held}, until 12 January 2027.",
        )

    def test_a_grant_to_one_person_says_you(self) -> None:
        self.share(user=self.harper)
        self.client.force_login(self.harper)
        response = self.client.get(f"/cases/{self.case.reference}/")
        self.assertContains(
            response, "You can see this case because you were given access by Testshire Council, until 12 January 2027."
        )

    def test_the_police_are_told_it_is_their_area(self) -> None:
        self.client.force_login(self.pat)
        response = self.client.get(f"/cases/{self.case.reference}/")
        because = "You can see this case because the person lives in the area Testshire Police polices."
        self.assertContains(response, because)

    def test_the_owning_council_is_not_told(self) -> None:
        self.client.force_login(self.casey)
        response = self.client.get(f"/cases/{self.case.reference}/")
        self.assertNotContains(response, "You can see this case because")
