"""POST /sharing/requests/ does the same work whether or not the case number exists: the same number of
statements, of the same shape once table names and values are set aside, notification included (in the
embedded default it runs inside the request). A difference would be a timing oracle: case numbers are
sequential, so an outsider could tell which exist (issue 14 finding 8)."""

from __future__ import annotations

import re

from django.db import connection
from django.test.utils import CaptureQueriesContext

from sharing.models import AccessRequest
from tests.base import BaseTestCase
from tests.factories import make_case

REASON = "Synthetic reason: the person attends our clinic"


def shape(sql: str) -> str:
    """A statement with its values and table names set aside: what work it does, not on what."""
    sql = re.sub(r"'(?:[^']|'')*'", "?", sql)
    sql = re.sub(r"\b(?:NULL|TRUE|FALSE|\d+(?:\.\d+)?)\b", "?", sql, flags=re.IGNORECASE)
    sql = re.sub(r"\b(?:FROM|INTO|JOIN|UPDATE)\s+\"?(\w+)\"?", lambda m: m.group(0).replace(m.group(1), "T"), sql)
    sql = re.sub(r"\"s\d+_x\d+\"|\bs\d+_x\d+\b", "SP", sql)  # savepoint names
    sql = re.sub(r"IN \((?:\?, )*\?\)", "IN (?)", sql)
    return re.sub(r"\s+", " ", sql).strip()


class RequestAccessSameWorkTestCase(BaseTestCase):
    def setUp(self) -> None:
        self.case = make_case(owner=self.casey, first_name="Juniper", last_name="Requestcase")
        self.client.force_login(self.harper)
        self.client.get("/sharing/requests/")  # warm the content-type and session caches alike

    def statements(self, number: str) -> list[str]:
        with CaptureQueriesContext(connection) as queries, self.captureOnCommitCallbacks(execute=True):
            response = self.client.post("/sharing/requests/", {"number": number, "reason": REASON})
        self.assertEqual(response.status_code, 302)
        return [shape(q["sql"]) for q in queries.captured_queries]

    def test_a_real_and_a_missing_number_run_the_same_statements(self) -> None:
        real = self.statements(self.case.number)
        missing = self.statements("PP-1999-99999")
        self.assertEqual(len(real), len(missing))
        self.assertEqual(real, missing)

    def test_only_the_real_request_reaches_an_owner(self) -> None:
        self.statements(self.case.number)
        self.statements("PP-1999-99999")
        self.assertEqual(AccessRequest.objects.count(), 1)
        self.assertEqual(AccessRequest.every.count(), 2)
        unmatched = AccessRequest.every.get(case__isnull=True)
        self.assertEqual(unmatched.reason, "")
