from __future__ import annotations

from audit import services
from audit.models import AuditEntry, FlagReview, Outcome
from tests.base import BaseTestCase


class FlaggedReviewTestCase(BaseTestCase):
    def setUp(self) -> None:
        self.flagged = services.record(
            event="sharing.granted",
            actor=self.pat,
            case_reference="PP-2026-00009",
            purpose="Break-glass: synthetic emergency reason",
            is_flagged=True,
        )
        services.record(event="case.viewed", actor=self.pat, case_reference="PP-2026-00010")

    def test_the_auditor_sees_the_queue_and_reviews_an_entry(self) -> None:
        self.client.force_login(self.audrey)
        response = self.client.get("/audit/flagged/")
        self.assertEqual([e.pk for e in response.context["entries"]], [self.flagged.pk])
        page = self.client.get(f"/audit/flagged/{self.flagged.pk}/")
        self.assertContains(page, "synthetic emergency reason")
        response = self.client.post(f"/audit/flagged/{self.flagged.pk}/", {"justified": "yes", "note": "Checked"})
        self.assertRedirects(response, "/audit/flagged/")
        review = FlagReview.objects.get()
        self.assertEqual((review.entry, review.reviewer, review.justified), (self.flagged, self.audrey, True))
        self.assertTrue(AuditEntry.objects.filter(event="audit.flag_reviewed", actor=self.audrey).exists())
        self.assertTrue(AuditEntry.objects.filter(event="audit.flagged_listed", actor=self.audrey).exists())

    def test_an_entry_is_reviewed_once_and_needs_a_note(self) -> None:
        self.client.force_login(self.audrey)
        empty = self.client.post(f"/audit/flagged/{self.flagged.pk}/", {"justified": "no", "note": ""})
        self.assertEqual(empty.status_code, 400)
        self.client.post(f"/audit/flagged/{self.flagged.pk}/", {"justified": "no", "note": "Not an emergency"})
        again = self.client.post(f"/audit/flagged/{self.flagged.pk}/", {"justified": "yes", "note": "Changed mind"})
        self.assertContains(again, "already been reviewed", status_code=400)
        self.assertFalse(FlagReview.objects.get().justified)

    def test_unflagged_entries_are_not_reviewable_and_other_roles_get_403(self) -> None:
        self.client.force_login(self.audrey)
        plain = AuditEntry.objects.get(event="case.viewed")
        self.assertEqual(self.client.get(f"/audit/flagged/{plain.pk}/").status_code, 404)
        for user in (self.casey, self.pat, self.ada):
            self.client.force_login(user)
            self.assertEqual(self.client.get("/audit/flagged/").status_code, 403)
            self.assertTrue(AuditEntry.objects.filter(actor=user, outcome=Outcome.DENIED).exists())
