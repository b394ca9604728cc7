"""Case references never wrap, and the case's sections are a sub-navigation that lays out evenly (issue 15
finding 10). The layout itself is checked at 320 px and at desktop width in tests/browser/
test_case_layout.py; this checks the markup and the style rule the layout rests on."""

from __future__ import annotations

import re
from pathlib import Path

from tests.base import BaseTestCase
from tests.factories import make_case

ROOT = Path(__file__).resolve().parents[2]


class CaseReferencesAndSectionsTestCase(BaseTestCase):
    def setUp(self) -> None:
        self.case = make_case(owner=self.casey, first_name="Willow", last_name="Layout")
        self.client.force_login(self.casey)

    def test_references_are_marked_so_they_never_wrap(self) -> None:
        reference = f'<span class="app-reference">{self.case.number}</span>'
        self.assertContains(self.client.get(f"/cases/{self.case.reference}/"), reference)
        self.assertContains(self.client.get("/cases/"), reference)
        style = (ROOT / "frontend" / "_cases.scss").read_text()
        self.assertRegex(style, r"\.app-reference\s*\{\s*white-space:\s*nowrap;")
        self.assertIn('@import "cases";', (ROOT / "frontend" / "app.scss").read_text())

    def test_the_sections_are_a_navigation_list_with_the_current_one_marked(self) -> None:
        body = self.client.get(f"/cases/{self.case.reference}/plan/").content.decode()
        start = body.index('<nav class="app-case-nav" aria-label="Case sections">')
        nav = body[start : body.index("</nav>", start)]
        links = re.findall(r'<a class="app-case-nav__link[^"]*" href="([^"]+)"( aria-current="page")?>([^<]+)</a>', nav)
        self.assertEqual(len(links), 10)  # the owner sees every section, related people and sensitive details included
        self.assertEqual([label for _, current, label in links if current], ["Support plan"])
        self.assertNotIn("govuk-tabs", body)  # in-page tabs are for one page's panels, not for pages
