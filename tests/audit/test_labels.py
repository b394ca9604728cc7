"""Every audit event the code records has words in audit.labels (issue 15 finding 2).

Two nets: a scan of the sources for every event a call names (`event="..."`, the gate's f-strings, the
access-change helper), and a crawl of every page by every demo persona after seeding the demo, which
collects the events actually written. Either finds an event without a label, and the test names it.
"""

from __future__ import annotations

import ast
import io
from pathlib import Path

from django.core.management import call_command
from django.test import SimpleTestCase, TestCase

from audit import labels
from audit.models import AuditEntry
from partners.models import User
from sharing.meeting_policy import MEETING_LEVEL_ACTIONS
from sharing.policy import CASE_CAPABILITIES, READ, Capability
from tests.clients import VerifiedClient
from tests.url_crawl import routes

ROOT = Path(__file__).resolve().parents[2]
APPS = ("cases", "sharing", "audit", "partners", "prevent_panel", "lib")

CHANGES = CASE_CAPABILITIES - READ - {Capability.ACCESS_HISTORY, Capability.CORRECTION_HISTORY}
MEETING_ACTIONS = frozenset().union(*MEETING_LEVEL_ACTIONS.values()) - {Capability.VIEW_MEETING}
# Each event f-string in the code, as written, and every value it takes. A new f-string fails the scan
# until it is listed here with its values (and they have labels).
EXPANSIONS: dict[str, set[str]] = {
    "f'case.{action.value}.form_opened'": {f"case.{c.value}.form_opened" for c in CHANGES},
    "f'case.{action.value}'": {
        f"case.{c.value}" for c in CHANGES | {Capability.ACCESS_HISTORY, Capability.CORRECTION_HISTORY}
    },
    "f'{action.value}.denied'": {f"{c.value}.denied" for c in Capability},
    "f'meeting.{action.value}'": {f"meeting.{c.value}" for c in MEETING_ACTIONS},
    "f'account.change_{decision}_refused'": {f"account.change_{d}_refused" for d in ("approve", "reject", "withdraw")},
}


def _strings(node: ast.AST) -> tuple[set[str], set[str]]:
    """The string constants in an expression, and its f-strings (as source)."""
    found, templates = set(), set()
    for child in ast.walk(node):
        if isinstance(child, ast.JoinedStr):
            templates.add(ast.unparse(child))
        elif isinstance(child, ast.Constant) and isinstance(child.value, str):
            found.add(child.value)
    # The parts of an f-string are constants too; they are not events.
    for child in ast.walk(node):
        if isinstance(child, ast.JoinedStr):
            found -= {v.value for v in child.values if isinstance(v, ast.Constant)}
    return found, templates


def recorded_in_sources() -> tuple[set[str], set[str]]:
    """Every event the sources name: `event=` arguments, values assigned to `event`, `entry.event` or a
    name ending in EVENT, what a function named `*_event` returns, and the first argument of
    partners.changes' `_record`."""
    events: set[str] = set()
    templates: set[str] = set()
    for app in APPS:
        for path in (ROOT / app).rglob("*.py"):
            if "migrations" in path.parts:
                continue
            for node in ast.walk(ast.parse(path.read_text(), str(path))):
                values: list[ast.AST] = []
                if isinstance(node, ast.keyword) and node.arg == "event":
                    values.append(node.value)
                elif isinstance(node, ast.Assign | ast.AnnAssign) and node.value is not None:
                    targets = node.targets if isinstance(node, ast.Assign) else [node.target]
                    for target in targets:
                        name = target.id if isinstance(target, ast.Name) else getattr(target, "attr", "")
                        if name == "event" or name.endswith("EVENT"):
                            values.append(node.value)
                elif isinstance(node, ast.Call) and getattr(node.func, "id", "") == "_record" and node.args:
                    values.append(node.args[0])
                elif isinstance(node, ast.FunctionDef) and node.name.endswith("_event"):
                    values += [r.value for r in ast.walk(node) if isinstance(r, ast.Return) and r.value is not None]
                for value in values:
                    found, fstrings = _strings(value)
                    events |= {s for s in found if "." in s and " " not in s}
                    templates |= fstrings
    return events, templates


class EveryEventInTheSourcesHasALabel(SimpleTestCase):
    def test_the_scan_finds_the_events(self) -> None:
        events, templates = recorded_in_sources()
        # The scan itself must work: these are recorded in different ways.
        self.assertTrue({"case.viewed", "http.response", "model.created", "account.change_requested"} <= events)
        self.assertIn("f'case.{action.value}.form_opened'", templates)

    def test_every_event_named_in_the_code_has_a_label(self) -> None:
        events, templates = recorded_in_sources()
        unknown = templates - EXPANSIONS.keys()
        self.assertEqual(unknown, set(), "an event f-string the test does not know: list its values in EXPANSIONS")
        for template in templates:
            events |= EXPANSIONS[template]
        self.assertEqual(sorted(events - labels.EVENTS.keys()), [], "events recorded without a label")

    def test_labels_are_words_and_each_names_one_event(self) -> None:
        words = list(labels.EVENTS.values())
        self.assertEqual(len(words), len(set(words)), "two events share words: the filter could not tell them apart")
        for code, label in labels.EVENTS.items():
            self.assertNotIn("_", label, code)
            self.assertNotIn(code, label)
            self.assertTrue(label[0].isupper(), code)

    def test_roles_and_outcomes_in_words(self) -> None:
        self.assertEqual(labels.role_label("prevent_coordinator"), "Prevent coordinator")
        self.assertEqual(labels.outcome_label("denied"), "Denied")
        self.assertEqual(labels.event_label("sharing.requests_listed"), "Listed access requests")

    def test_a_case_reference_in_place_of_an_identifier(self) -> None:
        uuid = "1f01d583-871e-4197-b759-e7b6ecc8a162"
        self.assertEqual(labels.record_label(case_reference="PP-2026-00042", object_repr=uuid), "PP-2026-00042")
        self.assertNotIn(uuid, labels.record_label(case_reference="", object_repr=uuid))
        self.assertEqual(
            labels.path_label(f"/cases/{uuid}/move/", case_reference="PP-2026-00042"), "/cases/PP-2026-00042/move/"
        )


class EveryEventTheDemoWritesHasALabel(TestCase):
    client_class = VerifiedClient
    client: VerifiedClient

    def test_every_page_by_every_persona(self) -> None:
        call_command("seed_demo", stdout=io.StringIO())
        crawl = routes()
        for user in User.objects.filter(is_active=True).order_by("pk"):
            self.client.force_login(user)
            for route in crawl:
                url = route.urls[0]
                if "sign-out" in url:
                    continue
                self.client.get(url)
                self.client.post(url, {})
        written = set(AuditEntry.objects.values_list("event", flat=True))
        self.assertIn("case.move.form_opened", written)
        self.assertEqual(sorted(written - labels.EVENTS.keys()), [], "events written without a label")
