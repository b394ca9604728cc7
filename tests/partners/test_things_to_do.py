"""The home page's "Things to do" (issue 15 finding 10): for each demo persona, each count is the number of
rows the page it links to shows, so a count never promises more (or less) than the link gives."""

from __future__ import annotations

import io
from typing import Any
from urllib.parse import urlsplit

from django.core.management import call_command
from django.test import TestCase

from partners.demo import PERSONAS
from partners.models import User
from tests.clients import VerifiedClient


def rows_shown(path: str, context: Any) -> int:
    """How many things the linked page lists, read from what it rendered."""
    if path == "/cases/":
        return int(context["page"].paginator.count)
    if path == "/sharing/requests/":
        return len(context["to_answer"])
    if path == "/audit/flagged/":
        return sum(1 for entry in context["entries"] if not hasattr(entry, "review"))
    if path.startswith("/cases/meetings/"):
        return len(context["items"])
    if path == "/cases/escalations/" or path.startswith("/sharing/queue/"):
        return len(context["rows"])
    raise AssertionError(f"no way to count the rows of {path}")


class ThingsToDoTestCase(TestCase):
    client_class = VerifiedClient
    client: VerifiedClient

    @classmethod
    def setUpTestData(cls) -> None:
        call_command("seed_demo", stdout=io.StringIO())

    def tasks_of(self, username: str) -> list[Any]:
        self.client.force_login(User.objects.get(username=username))
        response = self.client.get("/")
        self.assertEqual(response.status_code, 200)
        tasks = list(response.context["things_to_do"])
        for task in tasks:
            self.assertContains(response, f'href="{task.href.replace("&", "&amp;")}">{task.text}</a>')
        return tasks

    def test_each_count_is_the_number_of_rows_its_link_shows(self) -> None:
        seen: dict[str, list[str]] = {}
        for persona in PERSONAS:
            tasks = self.tasks_of(persona.username)
            seen[persona.username] = [task.text for task in tasks]
            for task in tasks:
                with self.subTest(persona=persona.username, task=task.text):
                    response = self.client.get(task.href)
                    self.assertEqual(response.status_code, 200)
                    self.assertEqual(task.count, rows_shown(urlsplit(task.href).path, response.context))
        # Each role has its own work, and the demo gives some of it, or this would test nothing.
        self.assertTrue(any("new referral" in t for t in seen["coordinator"]), seen["coordinator"])
        self.assertTrue(any("access request" in t for t in seen["coordinator"]), seen["coordinator"])
        self.assertTrue(any("overdue actions" in t for t in seen["coordinator"]), seen["coordinator"])
        self.assertTrue(any(t.startswith("Next panel meeting") for t in seen["chair"]), seen["chair"])
        self.assertTrue(any("police screening" in t for t in seen["police"]), seen["police"])
        self.assertTrue(any("flagged access" in t for t in seen["auditor"]), seen["auditor"])
        self.assertEqual(seen["admin"], [])
        counted = [int(t.split()[0]) for texts in seen.values() for t in texts if t[0].isdigit()]
        self.assertTrue(any(counted), seen)

    def test_another_councils_coordinator_counts_only_their_own_cases(self) -> None:
        ours = {t.text for t in self.tasks_of("coordinator")}
        theirs = {t.text for t in self.tasks_of("southmere-coordinator")}
        self.assertNotEqual(ours, theirs)
