"""A break-glass review is itself a sealed audit entry, and verification checks the review table against
it (issue 14, finding 7): flipping a verdict in the table no longer passes."""

from __future__ import annotations

import json

from audit import services
from audit.models import FlagReview
from audit.sealing import seal_pending, verify
from partners.models import Role
from tests.audit.tampering import execute, triggers_disabled
from tests.base import CommittingTestCase
from tests.factories import make_agency, make_user


class ReviewInChainTestCase(CommittingTestCase):
    def setUp(self) -> None:
        agency = make_agency()
        # Pat took break-glass access; Audrey, an auditor, found it was not justified.
        self.pat = make_user(agency=agency, role=Role.POLICE_PRACTITIONER)
        self.audrey = make_user(agency=agency, role=Role.AUDITOR)
        self.flagged = services.record(
            event="sharing.granted", actor=self.pat, case_reference="PP-2026-00009", is_flagged=True
        )
        self.review = services.review_flagged_entry(
            entry=self.flagged, reviewer=self.audrey, justified=False, note="Not an emergency"
        )
        seal_pending()

    def test_an_untouched_review_verifies(self) -> None:
        result = verify()
        self.assertTrue(result.ok, result.problem)

    def test_a_flipped_verdict_is_detected(self) -> None:
        execute("UPDATE audit_flagreview SET justified = %s WHERE id = %s", [True, self.review.pk])
        result = verify()
        self.assertFalse(result.ok)
        self.assertIn(f"the review of entry {self.flagged.pk} (justified)", result.problem)

    def test_a_review_added_outside_the_app_is_detected(self) -> None:
        other = services.record(event="sharing.granted", actor=self.pat, is_flagged=True)
        seal_pending()
        FlagReview.objects.create(entry=other, reviewer=self.audrey, justified=True, note="Forged")
        self.assertIn(f"the review of entry {other.pk}", verify().problem)

    def test_a_review_given_to_another_reviewer_is_detected(self) -> None:
        execute("UPDATE audit_flagreview SET reviewer_id = %s WHERE id = %s", [self.pat.pk, self.review.pk])
        self.assertFalse(verify().ok)

    def test_the_sealed_entry_itself_cannot_be_flipped_unseen(self) -> None:
        with triggers_disabled():
            execute(
                "UPDATE audit_auditentry SET additional_data = %s WHERE event = 'audit.flag_reviewed'",
                [json.dumps({"entry": self.flagged.pk, "justified": True})],
            )
        execute("UPDATE audit_flagreview SET justified = %s WHERE id = %s", [True, self.review.pk])
        result = verify()
        self.assertFalse(result.ok)
        self.assertIn("was changed after it was sealed", result.problem)
