"""Correcting a case's records (UK GDPR Art 16): every rule of cases.services.corrections, the history kept
and the audit entry that names fields, never values."""

from __future__ import annotations

import json
from datetime import timedelta
from typing import Any

from django.core.exceptions import ValidationError

from audit.models import AuditEntry
from cases.models import Action, Case, CorrectedRecord, Correction, Review, ReviewKind, Stage, Subject
from cases.services import casework, corrections
from partners.models import Role
from tests.base import BaseTestCase
from tests.cases.helpers import add_support, make_case, ref, today
from tests.factories import make_user

REASON = "Synthetic reason: the referrer misspelt the name"


class CorrectionServicesTestCase(BaseTestCase):
    def setUp(self) -> None:
        self.case = make_case(owner=self.casey, first_name="Jon", last_name="Smyth")

    def corrected(self, **changes: Any) -> Correction:
        return corrections.correct_subject(case=self.case, actor=self.casey, changes=changes, reason=REASON)

    def refused(self, message: str, call: Any, **kwargs: Any) -> None:
        before = Correction.objects.count(), AuditEntry.objects.filter(event="case.record_corrected").count()
        with self.assertRaisesMessage(ValidationError, message):
            call(**kwargs)
        after = Correction.objects.count(), AuditEntry.objects.filter(event="case.record_corrected").count()
        self.assertEqual(after, before)

    # --- the person's details ---------------------------------------------------------------------------

    def test_a_name_is_corrected_with_its_earlier_value_kept_and_matching_follows(self) -> None:
        correction = self.corrected(first_name="John", last_name="Smyth")
        subject = Subject.objects.get(pk=self.case.subject_id)
        self.assertEqual(subject.first_name, "John")
        self.assertEqual(subject.match_name, "john smyth")
        self.assertEqual(correction.fields, ["first_name"])
        self.assertEqual(correction.earlier_values, {"first_name": "Jon"})
        self.assertEqual((correction.record_kind, correction.record_reference), ("subject", subject.reference))
        self.assertEqual((correction.reason, correction.actor), (REASON, self.casey))

    def test_the_audit_entry_names_the_fields_and_holds_no_value_or_reason(self) -> None:
        born = self.case.subject.date_of_birth
        self.corrected(first_name="Johnny", date_of_birth=born - timedelta(days=3))
        entry = AuditEntry.objects.get(event="case.record_corrected")
        self.assertEqual(entry.case_reference, self.case.number)
        detail = entry.additional_data
        self.assertEqual(detail["fields"], ["first_name", "date_of_birth"])
        self.assertEqual(detail["record"], "subject")
        written = json.dumps(detail) + entry.object_repr + str(entry.changes or "")
        for value in ("Jon", "Johnny", born.isoformat(), "misspelt"):
            self.assertNotIn(value, written)

    def test_a_correction_without_a_reason_is_refused_and_changes_nothing(self) -> None:
        for reason in ("", "   "):
            self.refused(
                "Say why this is being corrected",
                corrections.correct_subject,
                case=self.case,
                actor=self.casey,
                changes={"first_name": "John"},
                reason=reason,
            )
        self.assertEqual(Subject.objects.get(pk=self.case.subject_id).first_name, "Jon")

    def test_a_correction_that_changes_nothing_is_refused(self) -> None:
        self.refused("You have not changed anything", self.corrected, first_name="Jon", last_name="Smyth")
        self.refused("You have not changed anything", self.corrected)

    def test_the_address_postcode_and_areas_are_not_corrected_here(self) -> None:
        for name in ("address", "postcode", "police_force_area", "local_authority_area", "match_name"):
            self.refused("cannot be corrected in", self.corrected, **{name: "Elsewhere"})
        self.assertEqual(Subject.objects.get(pk=self.case.subject_id).police_force_area, "Testshire")

    def test_a_future_date_of_birth_is_refused(self) -> None:
        self.refused("cannot be in the future", self.corrected, date_of_birth=today() + timedelta(days=1))

    def test_only_the_owning_councils_coordinators_correct(self) -> None:
        other = make_user(agency=self.other_council, role=Role.PREVENT_COORDINATOR)
        for actor in (self.charlie, self.pat, other):
            self.refused(
                "Only the owning council's Prevent coordinators",
                corrections.correct_subject,
                case=self.case,
                actor=actor,
                changes={"first_name": "John"},
                reason=REASON,
            )

    def test_a_person_with_a_case_of_another_council_is_not_corrected_by_one_of_them(self) -> None:
        # Setup only: Otherton's case made about the same subject record.
        olly_case = make_case(owner=self.olly)
        Case.objects.filter(pk=olly_case.pk).update(subject=self.case.subject)
        self.refused("Another council also has a case about this person", self.corrected, first_name="John")

    # --- the referral -----------------------------------------------------------------------------------

    def test_the_referral_is_corrected_and_its_history_is_kept_under_the_case(self) -> None:
        earlier = self.case.referral.concern_type
        correction = corrections.correct_referral(
            case=self.case,
            actor=self.casey,
            changes={"concern_type": ref("concern_type", "extreme_right_wing"), "immediate_risk": True},
            reason=REASON,
        )
        self.case.referral.refresh_from_db()
        self.assertEqual(self.case.referral.concern_type.code, "extreme_right_wing")
        self.assertTrue(self.case.referral.immediate_risk)
        self.assertEqual(correction.record_reference, self.case.reference)
        self.assertEqual(correction.earlier_values, {"concern_type": earlier.pk, "immediate_risk": False})
        self.assertEqual(
            corrections.earlier_in_words(correction),
            [("Type of concern", earlier.label), ("Immediate risk of harm", "No")],
        )

    # --- actions, reviews, support --------------------------------------------------------------------

    def test_an_action_is_corrected_and_another_cases_action_is_refused(self) -> None:
        action = casework.add_action(
            case=self.case, actor=self.casey, description="Visit", owner_agency=self.council, due_on=today()
        )
        correction = corrections.correct_action(
            case=self.case,
            action=action,
            actor=self.casey,
            changes={"due_on": today() + timedelta(days=7), "owner_user": self.casey},
            reason=REASON,
        )
        self.assertEqual(correction.earlier_values, {"owner_user": None, "due_on": today().isoformat()})
        self.assertEqual(Action.objects.get(pk=action.pk).due_on, today() + timedelta(days=7))
        other = make_case(owner=self.olly)
        self.refused(
            "This action is on another case",
            corrections.correct_action,
            case=other,
            action=action,
            actor=self.olly,
            changes={"description": "Forged"},
            reason=REASON,
        )
        self.refused(
            "must belong to the owning agency",
            corrections.correct_action,
            case=self.case,
            action=action,
            actor=self.casey,
            changes={"owner_user": self.harper},
            reason=REASON,
        )
        self.assertEqual(Action.objects.get(pk=action.pk).description, "Visit")

    def test_a_review_outcome_is_corrected_only_once_the_review_is_done(self) -> None:
        review = Review.objects.create(case=self.case, kind=ReviewKind.IN_PROGRAMME, due_on=today())
        self.refused(
            "record its outcome by completing it",
            corrections.correct_review,
            case=self.case,
            review=review,
            actor=self.casey,
            changes={"outcome": "Made up"},
            reason=REASON,
        )
        corrections.correct_review(
            case=self.case, review=review, actor=self.casey, changes={"due_on": today() + timedelta(1)}, reason=REASON
        )
        casework.complete_review(review=review, actor=self.casey, outcome="Going well")
        self.refused(
            "keeps its outcome",
            corrections.correct_review,
            case=self.case,
            review=review,
            actor=self.casey,
            changes={"outcome": "  "},
            reason=REASON,
        )
        correction = corrections.correct_review(
            case=self.case,
            review=review,
            actor=self.casey,
            changes={"outcome": "Going well, said twice"},
            reason=REASON,
        )
        self.assertEqual(correction.earlier_values, {"outcome": "Going well"})

    def test_a_support_element_keeps_its_type_and_its_rules(self) -> None:
        element = add_support(self.case, actor=self.casey)
        kwargs: dict[str, Any] = {"case": self.case, "element": element, "actor": self.casey, "reason": REASON}
        call = corrections.correct_support_element
        self.refused(
            "cannot be corrected in: support type",
            call,
            changes={"support_type": ref("support_type", "education")},
            **kwargs,
        )
        self.refused("on or after the start date", call, changes={"ends_on": today() - timedelta(days=1)}, **kwargs)
        self.refused("say how and when", call, changes={"how": " "}, **kwargs)
        correction = call(changes={"how": "Fortnightly mentoring", "ends_on": today() + timedelta(days=90)}, **kwargs)
        self.assertEqual(correction.fields, ["how", "ends_on"])
        self.assertEqual(correction.earlier_values, {"how": "Weekly mentoring sessions", "ends_on": None})

    def test_the_history_lists_every_correction_of_a_record_in_words(self) -> None:
        self.corrected(first_name="John")
        self.corrected(gender="male")
        found = list(corrections.corrections_of(self.case, CorrectedRecord.SUBJECT, self.case.subject.reference))
        self.assertEqual([c.fields for c in found], [["first_name"], ["gender"]])
        self.assertEqual(corrections.earlier_in_words(found[1]), [("Gender", "Not specified")])
        self.assertEqual(corrections.corrected_references(self.case), {self.case.subject.reference})

    def test_the_case_is_marked_active(self) -> None:
        self.case.refresh_from_db()
        before = self.case.last_activity_at
        self.corrected(first_name="John")
        self.case.refresh_from_db()
        self.assertGreater(self.case.last_activity_at, before)
        self.assertEqual(self.case.stage, Stage.RECEIVED)
