"""The assessment tab says what changed in words, with the factors' names (issue 15 finding 10): not
"excitement: not rated to 2"."""

from __future__ import annotations

import re
from html import unescape

from cases.services import casework
from cases.vaf import FACTOR_LABELS, FACTORS, Rating
from tests.base import BaseTestCase
from tests.factories import make_case


class AssessmentChangesInWordsTestCase(BaseTestCase):
    def setUp(self) -> None:
        self.case = make_case(owner=self.casey, first_name="Rowan", last_name="Assessed")

    def assess(self, ratings: dict[str, int]) -> None:
        casework.add_assessment(
            case=self.case,
            actor=self.casey,
            ratings={code: (rating, "Synthetic evidence") for code, rating in ratings.items()},
            summary="Synthetic summary",
            management_plan="Synthetic plan",
        )

    def panel(self, url: str) -> str:
        response = self.client.get(url)
        self.assertEqual(response.status_code, 200)
        body = unescape(response.content.decode())
        start = body.index('class="app-case-panel"')
        return body[start : body.index("</main>", start)]

    def test_changes_and_factors_are_named_in_words(self) -> None:
        # Every factor rated at least low, so each one is in the table as well as in the changes.
        self.assess({code: Rating.LOW for code, _, _ in FACTORS if code != "excitement"})
        self.assess({code: Rating.MEDIUM for code, _, _ in FACTORS})
        self.client.force_login(self.casey)
        panel = self.panel(f"/cases/{self.case.reference}/assessment/")
        self.assertIn("Desire for excitement and adventure: rated medium (not rated in the earlier version)", panel)
        self.assertIn("Feelings of grievance and injustice: up from low to medium", panel)
        self.assertNotIn(" to 2", panel)
        # No factor's key anywhere in the tab's text, once the factors' names are set aside (some keys,
        # "change" or "access", are words inside a name).
        text = re.sub(r"<[^>]+>", " ", panel)
        for label in FACTOR_LABELS.values():
            text = text.replace(label, " ").replace(label.lower(), " ")
        shown = [code for code, _, _ in FACTORS if re.search(rf"\b{re.escape(code)}\b", text)]
        self.assertEqual(shown, [])
