"""Break-glass: a police practitioner or a chair takes 12 hours of full access to a case they cannot
otherwise see, with a written reason; the grant is flagged for auditors and the owning council's
coordinators are emailed. Other roles get 403; a short reason or an unknown number is refused."""

from __future__ import annotations

from datetime import timedelta
from typing import Any
from unittest import mock

from django.core import mail
from django.utils import timezone

from audit.models import AuditEntry, Outcome
from cases.models import Stage
from partners.models import Role
from sharing.access import AccessLevel, access_level, visible_cases
from sharing.models import AccessRequest, GrantKind, LegalBasis, Level, ShareGrant
from sharing.services import BREAK_GLASS_HOURS
from tests.base import BaseTestCase
from tests.factories import make_case, make_user
from tests.sharing.grant_helpers import audit_mark, entries_since, flashed, has_permission, written_since

REASON = "Synthetic emergency: a credible threat was reported tonight"


class BreakGlassTestCase(BaseTestCase):
    def setUp(self) -> None:
        # An Otherton Council case in the Otherton force area: neither pat nor charlie can see it.
        self.case = make_case(owner=self.olly, force_area="Otherton", first_name="Willow", last_name="Glasscase")
        self.otherton_chair = make_user(agency=self.other_council, role=Role.PANEL_CHAIR, username="orla")

    def url(self, path: str = "") -> str:
        return f"/cases/{self.case.reference}/{path}"

    def break_glass(self, user: Any, number: str | None = None, reason: str = REASON) -> Any:
        self.client.force_login(user)
        with self.captureOnCommitCallbacks(execute=True):
            return self.client.post("/sharing/break-glass/", {"number": number or self.case.number, "reason": reason})

    def test_police_of_another_force_cannot_normally_see_the_case(self) -> None:
        self.assertNotIn(self.case, visible_cases(self.pat))
        self.client.force_login(self.pat)
        self.assertEqual(self.client.get(self.url()).status_code, 404)

    def test_a_police_practitioner_takes_twelve_hours_of_full_access(self) -> None:
        mark = audit_mark()
        before = timezone.now()

        response = self.break_glass(self.pat, number=f"  {self.case.number.lower()} ")

        self.assertRedirects(response, self.url(), fetch_redirect_response=False)
        self.assertEqual(flashed(response), ["Emergency access granted for 12 hours. Auditors will review it."])
        grant = ShareGrant.objects.get(case=self.case)
        self.assertEqual((grant.user, grant.agency, grant.granted_by), (self.pat, None, self.pat))
        self.assertEqual((grant.kind, grant.level), (GrantKind.BREAK_GLASS, Level.FULL))
        self.assertEqual(grant.legal_basis, LegalBasis.SAFEGUARDING)
        self.assertEqual(grant.purpose, f"Break-glass: {REASON}")
        self.assertEqual(BREAK_GLASS_HOURS, 12)
        self.assertGreaterEqual(grant.ends_at, before + timedelta(hours=12))
        self.assertLessEqual(grant.ends_at, timezone.now() + timedelta(hours=12))
        self.assertTrue(has_permission(grant))
        self.assertEqual(written_since(mark), [("sharing.granted", Outcome.ALLOWED)])
        entry = AuditEntry.objects.get(event="sharing.granted")
        self.assertTrue(entry.is_flagged)
        self.assertEqual(entry.actor, self.pat)
        self.assertEqual(entry.case_reference, self.case.number)
        self.assertEqual(entry.purpose, f"Break-glass: {REASON}")
        self.assertEqual(entry.additional_data["kind"], "break_glass")
        self.assertEqual(entry.path, "/sharing/break-glass/")

        self.assertEqual(self.client.get(self.url("chronology/")).status_code, 200)
        self.assertEqual(access_level(self.pat, self.case), AccessLevel.FULL)
        # Full access is for reading: even police cannot move a case they broke the glass on.
        self.assertEqual(
            self.client.post(self.url("move/"), {"to": "police_screening", "reason": "x"}).status_code, 403
        )
        self.case.refresh_from_db()
        self.assertEqual(self.case.stage, Stage.RECEIVED)

    def test_the_access_ends_after_twelve_hours(self) -> None:
        self.break_glass(self.pat)
        grant = ShareGrant.objects.get(case=self.case)
        with mock.patch("django.utils.timezone.now", return_value=timezone.now() + timedelta(hours=11, minutes=59)):
            self.assertIn(self.case, visible_cases(self.pat))
        with mock.patch("django.utils.timezone.now", return_value=grant.ends_at):
            self.assertNotIn(self.case, visible_cases(self.pat))

    def test_the_owning_councils_coordinators_are_emailed_by_case_number_only(self) -> None:
        second_coordinator = make_user(agency=self.other_council, role=Role.PREVENT_COORDINATOR, username="odette")

        self.break_glass(self.pat)

        (email,) = mail.outbox
        self.assertEqual(sorted(email.to), sorted([self.olly.email, second_coordinator.email]))
        self.assertNotIn(self.otherton_chair.email, email.to)
        self.assertNotIn(self.casey.email, email.to)
        self.assertEqual(email.subject, f"Break-glass access to {self.case.number}")
        self.assertIn(f"{self.pat.get_full_name()} (Testshire Police) took emergency access", email.body)
        self.assertIn(self.case.number, email.body)
        self.assertNotIn("Willow", f"{email.subject} {email.body}")
        self.assertNotIn("Glasscase", f"{email.subject} {email.body}")

    def test_a_panel_chair_may_break_the_glass(self) -> None:
        response = self.break_glass(self.charlie)
        self.assertEqual(response.status_code, 302)
        grant = ShareGrant.objects.get(case=self.case)
        self.assertEqual((grant.user, grant.kind), (self.charlie, GrantKind.BREAK_GLASS))
        self.assertTrue(AuditEntry.objects.get(event="sharing.granted", actor=self.charlie).is_flagged)
        self.client.force_login(self.charlie)
        self.assertEqual(self.client.get(self.url("chronology/")).status_code, 200)

    def test_a_short_reason_is_refused(self) -> None:
        mark = audit_mark()
        response = self.break_glass(self.pat, reason="  Urgent, trust me  ")
        self.assertContains(response, "Explain the emergency in at least 20 characters", status_code=400)
        self.assertFalse(ShareGrant.objects.exists())
        self.assertEqual(written_since(mark), [])
        self.assertEqual(mail.outbox, [])
        self.assertEqual(self.client.get(self.url()).status_code, 404)

    def test_panel_members_coordinators_and_auditors_get_403(self) -> None:
        for user in (self.harper, self.casey, self.audrey, self.ada):
            mark = audit_mark()
            self.client.force_login(user)
            self.assertEqual(self.client.get("/sharing/break-glass/").status_code, 403, user.username)
            self.assertEqual(self.break_glass(user).status_code, 403, user.username)
            self.assertEqual(written_since(mark), [("break_glass.denied", Outcome.DENIED)] * 2, user.username)
        self.assertFalse(ShareGrant.objects.exists())
        self.assertEqual(mail.outbox, [])

    def test_an_unknown_number_gives_a_form_error_and_a_flagged_denied_entry(self) -> None:
        mark = audit_mark()
        response = self.break_glass(self.pat, number="PP-1999-99999")

        self.assertContains(response, "Check the case reference", status_code=400)
        self.assertFalse(ShareGrant.objects.exists())
        (entry,) = entries_since(mark)
        self.assertEqual((entry.event, entry.outcome), ("sharing.break_glass", Outcome.DENIED))
        self.assertTrue(entry.is_flagged)
        self.assertEqual(entry.actor, self.pat)
        self.assertEqual(entry.object_repr, "PP-1999-99999")
        self.assertEqual(entry.additional_data, {"reason": "no such case"})
        self.assertFalse(AccessRequest.objects.exists())
        self.assertEqual(mail.outbox, [])
