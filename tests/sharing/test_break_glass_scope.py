"""BREAK_GLASS_SCOPE: "national" (the default) lets a police practitioner or chair break the glass into any
council's case; "own_area" only into cases whose subject lives in their force's or council's area, and
refuses the rest in the same words as a number that matches no case, with a flagged denied entry
(issue 14 finding 12d)."""

from __future__ import annotations

import re
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.test import override_settings

from audit.models import AuditEntry, Outcome
from partners.models import Role
from sharing.models import GrantKind, ShareGrant
from sharing.services import break_glass
from tests.base import BaseTestCase
from tests.factories import make_case, make_user

REASON = "Synthetic emergency: a credible threat was reported tonight"
# The CSP nonce and the CSRF token differ on every page.
NONCE = re.compile(r'nonce="[^"]*"|[A-Za-z0-9]{40,}')
NO_CASE = "Check the case reference: no case with that reference can be opened"


class BreakGlassScopeTestCase(BaseTestCase):
    def setUp(self) -> None:
        # An Otherton case (Otherton council, Otherton force area) and a Testshire case in the Testshire force
        # area owned by Otherton Council (the subject moved): pat polices Testshire, charlie chairs Testshire.
        self.otherton = make_case(owner=self.olly, force_area="Otherton", first_name="Willow", last_name="Glasscase")
        self.testshire = make_case(owner=self.casey, force_area="Testshire", first_name="Rowan", last_name="Homecase")
        self.otherton_chair = make_user(agency=self.other_council, role=Role.PANEL_CHAIR, username="orla")

    def post(self, user: Any, number: str) -> Any:
        self.client.force_login(user)
        with self.captureOnCommitCallbacks(execute=True):
            return self.client.post("/sharing/break-glass/", {"number": number, "reason": REASON})

    def test_the_default_is_national(self) -> None:
        self.assertEqual(settings.BREAK_GLASS_SCOPE, "national")

    @override_settings(BREAK_GLASS_SCOPE="national")
    def test_national_lets_police_and_chairs_into_any_councils_case(self) -> None:
        for user in (self.pat, self.charlie):
            with self.subTest(user.username):
                self.assertEqual(self.post(user, self.otherton.number).status_code, 302)
        self.assertEqual(ShareGrant.objects.filter(case=self.otherton, kind=GrantKind.BREAK_GLASS).count(), 2)

    @override_settings(BREAK_GLASS_SCOPE="own_area")
    def test_own_area_refuses_a_case_outside_the_area_like_a_missing_one(self) -> None:
        for user in (self.pat, self.charlie):
            with self.subTest(user.username):
                refused = self.post(user, self.otherton.number)
                missing = self.post(user, "PP-1999-99999")
                self.assertContains(refused, NO_CASE, status_code=400)
                self.assertEqual(
                    NONCE.sub("", refused.content.decode().replace(self.otherton.number, "X")),
                    NONCE.sub("", missing.content.decode().replace("PP-1999-99999", "X")),
                )
                entry = AuditEntry.objects.filter(event="sharing.break_glass", actor=user).order_by("pk").first()
                assert entry is not None
                self.assertEqual((entry.outcome, entry.is_flagged), (Outcome.DENIED, True))
                self.assertEqual(entry.additional_data, {"reason": "outside the break-glass scope"})
        self.assertFalse(ShareGrant.objects.filter(case=self.otherton).exists())
        # The service refuses too, whoever calls it.
        with self.assertRaises(ValidationError):
            break_glass(case=self.otherton, actor=self.pat, reason=REASON)

    @override_settings(BREAK_GLASS_SCOPE="own_area")
    def test_own_area_lets_police_and_chairs_into_their_own_areas_cases(self) -> None:
        self.assertEqual(self.post(self.pat, self.testshire.number).status_code, 302)
        self.assertEqual(self.post(self.otherton_chair, self.otherton.number).status_code, 302)
        self.assertEqual(ShareGrant.objects.filter(kind=GrantKind.BREAK_GLASS).count(), 2)
