from __future__ import annotations

from unittest import mock

from django.db import DatabaseError

from audit import services
from audit.models import AuditEntry
from tests.base import BaseTestCase


class FailClosedTestCase(BaseTestCase):
    def test_if_the_access_entry_cannot_be_written_nothing_is_shown(self) -> None:
        services.record(event="case.viewed", actor=self.casey, case_reference="PP-2026-04242")
        self.client.force_login(self.audrey)
        with mock.patch.object(AuditEntry, "save", side_effect=DatabaseError("disk full")):
            response = self.client.get("/audit/")
        self.assertEqual(response.status_code, 503)
        self.assertContains(response, "nothing has been shown", status_code=503)
        self.assertNotContains(response, "PP-2026-04242", status_code=503)
        self.assertNotContains(response, "case.viewed", status_code=503)

    def test_the_same_page_shows_the_entries_when_the_log_can_be_written(self) -> None:
        services.record(event="case.viewed", actor=self.casey, case_reference="PP-2026-04242")
        self.client.force_login(self.audrey)
        self.assertContains(self.client.get("/audit/"), "PP-2026-04242")

    def test_record_raises_when_the_insert_fails(self) -> None:
        with (
            mock.patch.object(AuditEntry, "save", side_effect=DatabaseError("disk full")),
            self.assertRaises(services.AuditWriteFailed),
        ):
            services.record(event="case.viewed", actor=self.casey)
