from __future__ import annotations

from datetime import timedelta

from django.utils import timezone

from audit import services
from audit.models import AuditEntry, Outcome
from tests.audit.tampering import execute, triggers_disabled
from tests.base import BaseTestCase


class AuditSearchTestCase(BaseTestCase):
    def setUp(self) -> None:
        services.record(event="case.viewed", actor=self.casey, case_reference="PP-2026-00001")
        services.record(event="case.viewed", actor=self.pat, case_reference="PP-2026-00002")
        services.record(event="case.viewed", actor=self.harper, case_reference="PP-2026-00003", outcome=Outcome.DENIED)
        self.client.force_login(self.audrey)

    def shown(self, query: str = "") -> list[str]:
        response = self.client.get(f"/audit/?{query}")
        self.assertEqual(response.status_code, 200)
        return [e.case_reference for e in response.context["entries"] if e.case_reference]

    def test_the_auditor_sees_the_log(self) -> None:
        self.assertEqual(self.shown(), ["PP-2026-00003", "PP-2026-00002", "PP-2026-00001"])

    def test_other_roles_get_403_and_the_attempt_is_recorded(self) -> None:
        for user in (self.casey, self.charlie, self.pat, self.harper, self.ada):
            self.client.force_login(user)
            response = self.client.get("/audit/")
            self.assertEqual(response.status_code, 403, user.username)
            self.assertNotContains(response, "PP-2026-00001", status_code=403)
            denied = AuditEntry.objects.filter(actor=user, event="search_audit.denied", outcome=Outcome.DENIED)
            self.assertEqual(denied.count(), 1, user.username)

    def test_signed_out_visitors_are_sent_to_sign_in(self) -> None:
        self.client.logout()
        self.assertRedirects(self.client.get("/audit/"), "/sign-in/?next=/audit/")

    def test_filters(self) -> None:
        self.assertEqual(self.shown("username=pat"), ["PP-2026-00002"])
        self.assertEqual(self.shown(f"agency={self.health.pk}"), ["PP-2026-00003"])
        self.assertEqual(self.shown("case_reference=pp-2026-00001"), ["PP-2026-00001"])
        self.assertEqual(self.shown("outcome=denied"), ["PP-2026-00003"])
        self.assertEqual(self.shown("event=case.viewed&username=casey"), ["PP-2026-00001"])

    def test_date_range_filter(self) -> None:
        old = services.record(event="case.viewed", actor=self.casey, case_reference="PP-2025-00009")
        then = timezone.now() - timedelta(days=40)
        with triggers_disabled():
            execute("UPDATE audit_auditentry SET timestamp = %s WHERE id = %s", [then, old.pk])
        today = timezone.localdate()
        self.assertNotIn("PP-2025-00009", self.shown(f"date_from={today - timedelta(days=1)}&date_to={today}"))
        # The day the entry fell on in local time: 40 days before a late evening can be another date across a
        # change of clocks (23:15 GMT in November was 00:15 BST in October).
        past = timezone.localdate(then)
        self.assertEqual(self.shown(f"date_from={past}&date_to={past}"), ["PP-2025-00009"])

    def test_a_reversed_date_range_gets_an_error_summary(self) -> None:
        response = self.client.get("/audit/?date_from=2026-11-02&date_to=2026-11-01")
        self.assertEqual(response.status_code, 400)
        self.assertContains(response, "govuk-error-summary", status_code=400)
        self.assertContains(response, "The to date must be the same as or after the from date", status_code=400)
        self.assertEqual(response.context["entries"], [])

    def test_the_search_itself_is_recorded_with_its_filters_and_what_was_shown(self) -> None:
        response = self.client.get("/audit/?username=pat")
        entry = AuditEntry.objects.filter(event="audit.searched").latest("id")
        self.assertEqual(entry.actor, self.audrey)
        self.assertEqual(entry.additional_data["filters"], {"username": "pat"})
        self.assertEqual(entry.additional_data["shown"], [str(e.pk) for e in response.context["entries"]])

    def test_pagination_keeps_the_filters(self) -> None:
        for n in range(60):
            services.record(event="case.viewed", actor=self.pat, case_reference=f"PP-2026-1{n:04}")
        response = self.client.get("/audit/?username=pat")
        self.assertEqual(len(response.context["entries"]), 50)
        self.assertContains(response, "?username=pat&amp;page=2")
        second = self.client.get("/audit/?username=pat&page=2")
        self.assertEqual(len(second.context["entries"]), 11)

    def test_query_count_is_pinned_and_does_not_grow(self) -> None:
        self.client.get("/audit/")  # warms the content type cache
        for rows in (3, 80):
            while AuditEntry.objects.count() < rows:
                services.record(event="case.viewed", actor=self.casey)
            # 1 session, 2 user with agency, 3 count, 4 page of entries with actor and agency joined,
            # 5-7 the audit entry insert in its savepoint, 8 people (with their agency) and 9 agencies for
            # the filters.
            with self.assertNumQueries(9):
                self.client.get("/audit/?outcome=allowed")
