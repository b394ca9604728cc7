from __future__ import annotations

from tests.base import BaseTestCase


class HomeTestCase(BaseTestCase):
    def test_it_shows_name_agency_and_role(self) -> None:
        self.client.force_login(self.casey)
        response = self.client.get("/")
        self.assertContains(response, "Casey")
        self.assertContains(response, "Testshire Council")
        self.assertContains(response, "Prevent coordinator")
        self.assertContains(response, "OFFICIAL-SENSITIVE")
        self.assertContains(response, 'class="govuk-skip-link"')

    def test_sections_follow_the_role(self) -> None:
        self.client.force_login(self.casey)
        coordinator = self.client.get("/").content.decode()
        self.assertIn("New referral", coordinator)
        self.assertNotIn("Audit log", coordinator)

        self.client.force_login(self.audrey)
        auditor = self.client.get("/").content.decode()
        self.assertIn("Audit log", auditor)
        self.assertNotIn("New referral", auditor)
        self.assertNotIn(">Cases<", auditor)

        self.client.force_login(self.ada)
        administrator = self.client.get("/").content.decode()
        self.assertIn('href="/admin/"', administrator)
