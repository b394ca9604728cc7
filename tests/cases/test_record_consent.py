"""record_consent, and the consent rules that decide whether support can start."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

from dateutil.relativedelta import relativedelta
from django.core.exceptions import ValidationError

from audit import services as audit
from audit.models import AuditEntry
from cases.models import (
    Case,
    Consent,
    ConsentGiver,
    ConsentStatus,
    DecisionOutcome,
    RelatedPerson,
    Review,
    ReviewKind,
    Stage,
    StageChange,
    SupportPlan,
)
from cases.services import consent, stages
from partners.models import User
from tests.base import BaseTestCase
from tests.cases.helpers import add_support, born_for_age, decide, give_consent, make_case, parent_with_pr, today


class RecordConsentTestCase(BaseTestCase):
    def record(
        self,
        case: Case,
        status: ConsentStatus,
        *,
        consenting: RelatedPerson | None = None,
        on: date | None = None,
        reassessment_on: date | None = None,
        actor: User | None = None,
        **more: Any,
    ) -> Consent:
        on = on or today()
        fields: dict[str, Any] = {
            "method": "Home visit with the coordinator",
            "requested_by": self.casey,
            "requested_on": on,
            "child_view": "Wants to think about it (synthetic)." if case.subject.age_on(on) < 18 else "",
            **more,
        }
        return consent.record_consent(
            case=case,
            actor=actor or self.casey,
            status=status,
            consenting=consenting,
            on=on,
            reassessment_on=reassessment_on,
            **fields,
        )

    def assertRefusedAndUnchanged(self, case: Case, status: ConsentStatus, **kwargs: Any) -> ValidationError:
        def state() -> tuple[object, ...]:
            return (
                Case.objects.get(pk=case.pk).stage,
                Consent.objects.filter(case=case).count(),
                Review.objects.filter(case=case).count(),
                StageChange.objects.filter(case=case).count(),
                AuditEntry.objects.filter(case_reference=case.number).count(),
            )

        before = state()
        with self.assertRaises(ValidationError) as refused:
            self.record(case, status, **kwargs)
        self.assertEqual(state(), before)
        return refused.exception

    def move_to_support(self, case: Case) -> Case:
        return stages.move_case(case=case, actor=self.casey, to=Stage.SUPPORT_ACTIVE, reason="Support agreed")

    # --- consent given ------------------------------------------------------------------------------

    def test_it_records_consent_given_by_an_adult_without_moving_the_case(self) -> None:
        case = make_case(owner=self.casey, stage=Stage.CONSENT_SOUGHT)
        given = self.record(case, ConsentStatus.GIVEN, on=today() - timedelta(days=2))
        given.refresh_from_db()
        self.assertEqual(given.case, case)
        self.assertEqual(given.status, ConsentStatus.GIVEN)
        self.assertEqual(given.given_by, ConsentGiver.SUBJECT)
        self.assertEqual(given.method, "Home visit with the coordinator")
        self.assertEqual(given.on, today() - timedelta(days=2))
        self.assertEqual(given.recorded_by, self.casey)
        case.refresh_from_db()
        self.assertEqual(case.stage, Stage.CONSENT_SOUGHT)
        self.assertFalse(Review.objects.filter(case=case).exists())

    def test_it_audits_the_consent_with_its_status_and_kinds_only(self) -> None:
        case = make_case(owner=self.casey, stage=Stage.CONSENT_SOUGHT)
        self.record(case, ConsentStatus.GIVEN)
        entry = AuditEntry.objects.get(event="case.consent_recorded", case_reference=case.number)
        self.assertEqual(entry.actor, self.casey)
        self.assertEqual(entry.action, audit.EntryKind.UPDATE)
        self.assertEqual(
            entry.additional_data, {"status": "given", "given_by": "subject", "capacity": "not_in_question"}
        )
        self.assertEqual(entry.object_repr, case.number)

    def test_it_refuses_consent_given_by_an_under_18_for_themselves(self) -> None:
        case = make_case(owner=self.casey, stage=Stage.CONSENT_SOUGHT, age=16)
        parent_with_pr(case, actor=self.casey)
        error = self.assertRefusedAndUnchanged(case, ConsentStatus.GIVEN, consenting=None)
        self.assertIn(
            "is under 18, so a parent or guardian with parental responsibility must consent", error.messages[0]
        )
        self.assertIn("paragraph 206", error.messages[0])

    def test_a_parent_with_parental_responsibility_may_give_consent_for_an_under_18(self) -> None:
        case = make_case(owner=self.casey, stage=Stage.CONSENT_SOUGHT, age=16)
        parent = parent_with_pr(case, actor=self.casey)
        given = self.record(case, ConsentStatus.GIVEN, consenting=parent)
        given.refresh_from_db()
        self.assertEqual(given.given_by, ConsentGiver.PARENT_OR_GUARDIAN)
        self.assertEqual(given.consenting_person, parent)
        self.assertEqual(given.child_view, "Wants to think about it (synthetic).")
        self.assertEqual(given.requested_by, self.casey)
        entry = AuditEntry.objects.get(event="case.consent_recorded", case_reference=case.number)
        self.assertEqual(entry.additional_data["related_person"], str(parent.reference))
        self.assertEqual(entry.additional_data["given_by"], "parent_or_guardian")

    def test_age_is_judged_on_the_consent_date(self) -> None:
        # Eighteen today: consent given today is theirs to give, consent dated yesterday was not.
        case = make_case(owner=self.casey, stage=Stage.CONSENT_SOUGHT, date_of_birth=today() - relativedelta(years=18))
        self.assertRefusedAndUnchanged(case, ConsentStatus.GIVEN, on=today() - timedelta(days=1), child_view="")
        self.assertEqual(self.record(case, ConsentStatus.GIVEN).status, "given")

    def test_it_refuses_a_consent_date_in_the_future(self) -> None:
        case = make_case(owner=self.casey, stage=Stage.CONSENT_SOUGHT)
        error = self.assertRefusedAndUnchanged(case, ConsentStatus.GIVEN, on=today() + timedelta(days=1))
        self.assertEqual(error.messages, ["The consent date cannot be in the future."])

    def test_it_refuses_a_refusal_dated_in_the_future(self) -> None:
        case = make_case(owner=self.casey, stage=Stage.CONSENT_SOUGHT)
        self.assertRefusedAndUnchanged(
            case,
            ConsentStatus.REFUSED,
            on=today() + timedelta(days=1),
            reassessment_on=today() + timedelta(days=90),
        )

    def test_it_refuses_consent_given_outside_the_consent_sought_stage(self) -> None:
        for stage in (Stage.LISTED_FOR_PANEL, Stage.ADOPTED, Stage.SUPPORT_ACTIVE):
            with self.subTest(stage=stage.value):
                case = make_case(owner=self.casey, stage=stage)
                error = self.assertRefusedAndUnchanged(case, ConsentStatus.GIVEN)
                self.assertIn("consent is being sought", error.messages[0])

    def test_it_refuses_a_reassessment_date_with_consent_given(self) -> None:
        case = make_case(owner=self.casey, stage=Stage.CONSENT_SOUGHT)
        self.assertRefusedAndUnchanged(case, ConsentStatus.GIVEN, reassessment_on=today() + timedelta(days=90))

    # --- support cannot start without consent and a plan --------------------------------------------

    def test_support_cannot_start_without_consent(self) -> None:
        case = make_case(owner=self.casey, stage=Stage.CONSENT_SOUGHT)
        add_support(case, actor=self.casey)
        with self.assertRaises(ValidationError) as refused:
            self.move_to_support(case)
        self.assertIn("Support cannot start without consent", refused.exception.messages[0])
        self.assertIn("s.36(4)", refused.exception.messages[0])
        case.refresh_from_db()
        self.assertEqual(case.stage, Stage.CONSENT_SOUGHT)
        self.assertFalse(StageChange.objects.filter(case=case, to_stage=Stage.SUPPORT_ACTIVE).exists())

    def test_support_cannot_start_without_a_support_element(self) -> None:
        case = make_case(owner=self.casey, stage=Stage.CONSENT_SOUGHT)
        give_consent(case, actor=self.casey)
        for with_empty_plan in (False, True):
            with self.subTest(with_empty_plan=with_empty_plan):
                if with_empty_plan:
                    SupportPlan.objects.create(case=case)
                with self.assertRaises(ValidationError) as refused:
                    self.move_to_support(case)
                self.assertIn("support plan", refused.exception.messages[0])
                self.assertIn("s.36(5)", refused.exception.messages[0])
                case.refresh_from_db()
                self.assertEqual(case.stage, Stage.CONSENT_SOUGHT)

    def test_support_starts_with_consent_and_a_support_element(self) -> None:
        case = make_case(owner=self.casey, stage=Stage.CONSENT_SOUGHT)
        give_consent(case, actor=self.casey)
        add_support(case, actor=self.casey)
        self.assertEqual(self.move_to_support(case).stage, Stage.SUPPORT_ACTIVE)

    def test_support_for_an_under_18_starts_with_a_parents_consent(self) -> None:
        case = make_case(owner=self.casey, stage=Stage.CONSENT_SOUGHT, age=15)
        give_consent(case, actor=self.casey, by=parent_with_pr(case, actor=self.casey))
        add_support(case, actor=self.casey)
        self.assertEqual(self.move_to_support(case).stage, Stage.SUPPORT_ACTIVE)

    def test_support_cannot_start_on_an_under_18s_own_consent_recorded_another_way(self) -> None:
        case = make_case(owner=self.casey, stage=Stage.CONSENT_SOUGHT, age=15)
        Consent.objects.create(
            case=case,
            status=ConsentStatus.GIVEN,
            given_by=ConsentGiver.SUBJECT,
            method="Imported",
            on=today(),
            recorded_by=self.casey,
        )
        add_support(case, actor=self.casey)
        with self.assertRaises(ValidationError) as refused:
            self.move_to_support(case)
        self.assertIn("parent or guardian", refused.exception.messages[0])

    def test_support_cannot_start_when_the_latest_consent_is_not_given(self) -> None:
        case = make_case(owner=self.casey, stage=Stage.CONSENT_SOUGHT)
        give_consent(case, actor=self.casey, on=today() - timedelta(days=5))
        Consent.objects.create(
            case=case,
            status=ConsentStatus.WITHDRAWN,
            given_by=ConsentGiver.SUBJECT,
            method="Phone call",
            on=today() - timedelta(days=1),
            recorded_by=self.casey,
        )
        add_support(case, actor=self.casey)
        with self.assertRaises(ValidationError):
            self.move_to_support(case)

    # --- consent refused ----------------------------------------------------------------------------

    def test_refused_consent_needs_a_reassessment_date(self) -> None:
        case = make_case(owner=self.casey, stage=Stage.CONSENT_SOUGHT)
        error = self.assertRefusedAndUnchanged(case, ConsentStatus.REFUSED)
        self.assertIn("re-assessment date", error.messages[0])
        self.assertIn("s.36(4)(e)", error.messages[0])

    def test_the_reassessment_date_must_be_after_the_consent_date(self) -> None:
        case = make_case(owner=self.casey, stage=Stage.CONSENT_SOUGHT)
        for reassessment_on in (today(), today() - timedelta(days=1)):
            with self.subTest(reassessment_on=reassessment_on):
                error = self.assertRefusedAndUnchanged(case, ConsentStatus.REFUSED, reassessment_on=reassessment_on)
                self.assertEqual(error.messages, ["The re-assessment date must be after the consent date."])

    def test_refused_consent_schedules_a_reassessment_and_moves_the_case_on(self) -> None:
        case = make_case(owner=self.casey, stage=Stage.CONSENT_SOUGHT)
        due = today() + relativedelta(months=3)
        refused = self.record(case, ConsentStatus.REFUSED, reassessment_on=due)
        self.assertEqual(refused.status, ConsentStatus.REFUSED)
        case.refresh_from_db()
        self.assertEqual(case.stage, Stage.REASSESSMENT_SCHEDULED)
        review = Review.objects.get(case=case)
        self.assertEqual(review.kind, ReviewKind.REASSESSMENT)
        self.assertEqual(review.due_on, due)
        self.assertIsNone(review.completed_on)
        moves = list(
            StageChange.objects.filter(case=case, at__gte=refused.created_at).values_list("from_stage", "to_stage")
        )
        self.assertEqual(
            moves,
            [
                (Stage.CONSENT_SOUGHT.value, Stage.CONSENT_REFUSED.value),
                (Stage.CONSENT_REFUSED.value, Stage.REASSESSMENT_SCHEDULED.value),
            ],
        )
        last = StageChange.objects.filter(case=case).last()
        assert last is not None
        self.assertEqual(last.reason, f"Consent refused: re-assessment due {due.day} {due:%B %Y}")
        entry = AuditEntry.objects.get(event="case.consent_recorded", case_reference=case.number)
        self.assertEqual(entry.additional_data["status"], "refused")

    def test_a_refusal_can_come_from_an_under_18_themselves(self) -> None:
        case = make_case(owner=self.casey, stage=Stage.CONSENT_SOUGHT, age=16)
        refused = self.record(case, ConsentStatus.REFUSED, reassessment_on=today() + timedelta(days=30))
        self.assertEqual(refused.given_by, ConsentGiver.SUBJECT)
        case.refresh_from_db()
        self.assertEqual(case.stage, Stage.REASSESSMENT_SCHEDULED)

    def test_a_reassessed_case_goes_back_to_the_panel_and_can_start_support_with_new_consent(self) -> None:
        case = make_case(owner=self.casey, stage=Stage.REASSESSMENT_SCHEDULED)
        stages.move_case(case=case, actor=self.casey, to=Stage.LISTED_FOR_PANEL, reason="Re-assessed")
        decide(case, DecisionOutcome.ADOPT, actor=self.charlie)
        case = stages.move_case(case=case, actor=self.casey, to=Stage.CONSENT_SOUGHT, reason="Asking again")
        # The refusal is still on record; support waits for consent given after it.
        add_support(case, actor=self.casey)
        with self.assertRaises(ValidationError):
            self.move_to_support(case)
        give_consent(case, actor=self.casey)
        self.assertEqual(self.move_to_support(case).stage, Stage.SUPPORT_ACTIVE)
        self.assertEqual(
            list(Consent.objects.filter(case=case).order_by("id").values_list("status", flat=True)),
            ["refused", "given"],
        )

    # --- consent withdrawn --------------------------------------------------------------------------

    def test_withdrawn_consent_during_support_schedules_a_reassessment(self) -> None:
        for stage in (Stage.SUPPORT_ACTIVE, Stage.UNDER_REVIEW):
            with self.subTest(stage=stage.value):
                case = make_case(owner=self.casey, stage=stage)
                due = today() + timedelta(days=60)
                self.record(case, ConsentStatus.WITHDRAWN, reassessment_on=due)
                case.refresh_from_db()
                self.assertEqual(case.stage, Stage.REASSESSMENT_SCHEDULED)
                review = Review.objects.get(case=case, kind=ReviewKind.REASSESSMENT)
                self.assertEqual(review.due_on, due)
                last = StageChange.objects.filter(case=case).last()
                assert last is not None
                self.assertEqual((last.from_stage, last.to_stage), (stage.value, Stage.REASSESSMENT_SCHEDULED.value))
                self.assertTrue(last.reason.startswith("Consent withdrawn: re-assessment due"))
                self.assertFalse(StageChange.objects.filter(case=case, to_stage=Stage.CONSENT_REFUSED).exists())
                latest = Consent.objects.filter(case=case).first()
                assert latest is not None
                self.assertEqual(latest.status, ConsentStatus.WITHDRAWN)

    def test_withdrawn_consent_needs_a_reassessment_date(self) -> None:
        case = make_case(owner=self.casey, stage=Stage.SUPPORT_ACTIVE)
        error = self.assertRefusedAndUnchanged(case, ConsentStatus.WITHDRAWN)
        self.assertIn("re-assessment date", error.messages[0])

    def test_consent_can_be_withdrawn_only_during_support(self) -> None:
        for stage in (Stage.CONSENT_SOUGHT, Stage.ADOPTED, Stage.EXITED):
            with self.subTest(stage=stage.value):
                case = make_case(owner=self.casey, stage=stage)
                error = self.assertRefusedAndUnchanged(
                    case, ConsentStatus.WITHDRAWN, reassessment_on=today() + timedelta(days=30)
                )
                self.assertIn("withdrawn only while support is active or under review", error.messages[0])

    def test_consent_can_be_refused_only_while_it_is_sought(self) -> None:
        case = make_case(owner=self.casey, stage=Stage.SUPPORT_ACTIVE)
        self.assertRefusedAndUnchanged(case, ConsentStatus.REFUSED, reassessment_on=today() + timedelta(days=30))

    def test_the_builder_ages_subjects_by_whole_years(self) -> None:
        self.assertEqual(make_case(owner=self.casey, age=17).subject.age_on(today()), 17)
        self.assertEqual(born_for_age(18, on=date(2026, 3, 15)), date(2008, 2, 15))


class ConsentGivenWithReassessmentDateTestCase(BaseTestCase):
    def test_it_is_refused_with_a_message_naming_the_rule(self) -> None:
        from datetime import timedelta

        case = make_case(owner=self.casey, stage=Stage.CONSENT_SOUGHT)
        with self.assertRaisesMessage(ValidationError, "Leave the re-assessment date empty when consent is given"):
            consent.record_consent(
                case=case,
                actor=self.casey,
                status=ConsentStatus.GIVEN,
                consenting=None,
                method="Visit",
                requested_by=self.casey,
                requested_on=today(),
                on=today(),
                reassessment_on=today() + timedelta(days=30),
            )
        self.assertFalse(case.consents.exists())
