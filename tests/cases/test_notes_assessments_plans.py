"""Notes, VAF assessments, support plans, actions and reviews."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import timedelta
from typing import Any

from django.core.exceptions import ValidationError

from audit import services as audit
from audit.models import AuditEntry
from cases.models import (
    Action,
    ActionStatus,
    Assessment,
    AssessmentFactor,
    Case,
    CaseNote,
    NoteVisibility,
    Review,
    ReviewKind,
    Stage,
    StageChange,
    SupportElement,
    SupportPlan,
)
from cases.services import casework
from cases.vaf import FACTOR_LABELS, Rating
from partners.models import Role
from tests.base import BaseTestCase
from tests.cases.helpers import make_case, ref, today
from tests.factories import make_agency, make_user

SECRET = "Zebedee Testsubjectson"


class NotesAssessmentsPlansTestCase(BaseTestCase):
    def setUp(self) -> None:
        self.case = make_case(owner=self.casey, stage=Stage.SUPPORT_ACTIVE)
        # Pushed into the past so that a touch is visible.
        self.long_ago = self.case.last_activity_at - timedelta(days=30)
        Case.objects.filter(pk=self.case.pk).update(last_activity_at=self.long_ago)

    def assertTouched(self) -> None:
        self.assertGreater(Case.objects.get(pk=self.case.pk).last_activity_at, self.long_ago)

    def assertNotTouched(self) -> None:
        self.assertEqual(Case.objects.get(pk=self.case.pk).last_activity_at, self.long_ago)

    def entries(self, event: str) -> list[AuditEntry]:
        return list(AuditEntry.objects.filter(event=event, case_reference=self.case.number).order_by("id"))

    # --- notes --------------------------------------------------------------------------------------

    def test_a_note_comes_from_its_authors_agency(self) -> None:
        note = casework.add_note(
            case=self.case, actor=self.harper, text="Seen at clinic.", visibility=NoteVisibility.EVERYONE
        )
        note.refresh_from_db()
        self.assertEqual(note.case, self.case)
        self.assertEqual(note.author, self.harper)
        self.assertEqual(note.originator_agency, self.health)
        self.assertEqual(note.visibility, NoteVisibility.EVERYONE)
        self.assertEqual(note.text, "Seen at clinic.")
        self.assertEqual(list(note.shared_with.all()), [])
        self.assertTouched()

    def test_a_note_is_audited_without_its_text(self) -> None:
        note = casework.add_note(case=self.case, actor=self.casey, text=SECRET, visibility=NoteVisibility.ORIGINATOR)
        [entry] = self.entries("case.note_added")
        self.assertEqual(entry.actor, self.casey)
        self.assertEqual(entry.action, audit.EntryKind.CREATE)
        self.assertEqual(entry.object_pk, str(note.pk))
        self.assertEqual(entry.additional_data, {"visibility": "originator"})
        self.assertNotIn("Zebedee", f"{entry.object_repr} {entry.additional_data} {entry.changes}")

    def test_it_refuses_a_named_note_without_agencies(self) -> None:
        with self.assertRaises(ValidationError) as refused:
            casework.add_note(case=self.case, actor=self.casey, text="For some.", visibility=NoteVisibility.NAMED)
        self.assertEqual(refused.exception.messages, ["Choose the agencies that may see this note."])
        self.assertFalse(CaseNote.objects.exists())
        self.assertEqual(self.entries("case.note_added"), [])
        self.assertNotTouched()

    def test_a_named_note_is_shared_with_the_named_agencies(self) -> None:
        agencies = (agency for agency in [self.health, self.police_force])
        note = casework.add_note(
            case=self.case, actor=self.casey, text="For some.", visibility=NoteVisibility.NAMED, shared_with=agencies
        )
        self.assertCountEqual(note.shared_with.all(), [self.health, self.police_force])

    def test_agencies_given_for_an_unnamed_note_are_not_recorded(self) -> None:
        for visibility in (NoteVisibility.EVERYONE, NoteVisibility.ORIGINATOR):
            with self.subTest(visibility=visibility.value):
                note = casework.add_note(
                    case=self.case, actor=self.casey, text="All.", visibility=visibility, shared_with=[self.health]
                )
                self.assertEqual(list(note.shared_with.all()), [])

    # --- assessments --------------------------------------------------------------------------------

    def assess(self, ratings: Mapping[str, tuple[int, str]], *, summary: str = "Summary") -> Assessment:
        return casework.add_assessment(
            case=self.case, actor=self.casey, ratings=ratings, summary=summary, management_plan="Plan"
        )

    def test_the_first_assessment_is_version_one_with_its_factors(self) -> None:
        assessment = self.assess({"grievance": (Rating.HIGH, "Says so often"), "criminal": (Rating.NOT_PRESENT, "")})
        self.assertEqual(assessment.version, 1)
        self.assertEqual(assessment.assessor, self.casey)
        self.assertEqual(assessment.originator_agency, self.council)
        self.assertEqual(
            set(assessment.factors.values_list("factor", "rating", "evidence")),
            {("grievance", 3, "Says so often"), ("criminal", 0, "")},
        )
        [entry] = self.entries("case.assessment_added")
        self.assertEqual(entry.additional_data, {"version": 1})
        self.assertEqual(entry.action, audit.EntryKind.CREATE)
        self.assertTouched()

    def test_versions_increment_and_earlier_versions_are_untouched(self) -> None:
        first = self.assess({"grievance": (Rating.LOW, "First view"), "threat": (Rating.MEDIUM, "")}, summary="One")
        second = self.assess({"grievance": (Rating.HIGH, "Second view")}, summary="Two")
        third = self.assess({"threat": (Rating.LOW, "Third view")}, summary="Three")
        self.assertEqual([first.version, second.version, third.version], [1, 2, 3])
        self.assertEqual(list(self.case.assessments.values_list("version", flat=True)), [3, 2, 1])
        first.refresh_from_db()
        self.assertEqual(first.summary, "One")
        self.assertEqual(
            set(first.factors.values_list("factor", "rating", "evidence")),
            {("grievance", 1, "First view"), ("threat", 2, "")},
        )
        self.assertEqual(set(second.factors.values_list("factor", "rating")), {("grievance", 3)})
        self.assertEqual(AssessmentFactor.objects.count(), 4)
        self.assertEqual(
            [e.additional_data for e in self.entries("case.assessment_added")], [{"version": v} for v in (1, 2, 3)]
        )

    def test_versions_are_counted_per_case(self) -> None:
        self.assess({"grievance": (Rating.LOW, "")})
        other = make_case(owner=self.casey)
        assessment = casework.add_assessment(
            case=other, actor=self.pat, ratings={"threat": (Rating.LOW, "")}, summary="S", management_plan="P"
        )
        self.assertEqual(assessment.version, 1)
        self.assertEqual(assessment.originator_agency, self.police_force)

    def test_it_refuses_unknown_factors_and_adds_nothing(self) -> None:
        with self.assertRaises(ValidationError) as refused:
            self.assess({"grievance": (Rating.LOW, ""), "made_up": (Rating.HIGH, ""), "bogus": (Rating.LOW, "")})
        self.assertEqual(refused.exception.messages, ["Unknown factors: bogus, made_up."])
        self.assertFalse(Assessment.objects.exists())
        self.assertFalse(AssessmentFactor.objects.exists())
        self.assertEqual(self.entries("case.assessment_added"), [])
        self.assertNotTouched()

    def test_changes_list_only_the_factors_whose_rating_changed(self) -> None:
        first = self.assess(
            {"grievance": (Rating.LOW, "a"), "threat": (Rating.MEDIUM, "b"), "criminal": (Rating.HIGH, "c")}
        )
        second = self.assess(
            {
                "grievance": (Rating.LOW, "new evidence, same rating"),
                "threat": (Rating.HIGH, "b"),
                "criminal": (Rating.NOT_PRESENT, "c"),
                "identity": (Rating.MEDIUM, "new factor"),
            }
        )
        self.assertCountEqual(
            [str(change) for change in casework.assessment_changes(second, first)],
            [
                f"{FACTOR_LABELS['threat']}: up from medium to high",
                f"{FACTOR_LABELS['criminal']}: down from high to not present",
                f"{FACTOR_LABELS['identity']}: rated medium (not rated in the earlier version)",
            ],
        )

    def test_changes_against_no_earlier_assessment_list_every_factor(self) -> None:
        first = self.assess({"grievance": (Rating.LOW, ""), "access": (Rating.NOT_PRESENT, "")})
        self.assertCountEqual(
            [(c.label, c.before, c.after) for c in casework.assessment_changes(first, None)],
            [("Feelings of grievance and injustice", None, 1), ("Access to networks, funding or equipment", None, 0)],
        )

    def test_an_unchanged_assessment_has_no_changes(self) -> None:
        ratings = {"grievance": (Rating.LOW, ""), "threat": (Rating.HIGH, "")}
        first = self.assess(ratings)
        self.assertEqual(casework.assessment_changes(self.assess(ratings), first), [])

    # --- support plans ------------------------------------------------------------------------------

    def support(self, **overrides: Any) -> SupportElement:
        fields: dict[str, Any] = {
            "support_type": ref("support_type", "mental_health"),
            "provider": self.health,
            "how": "Weekly sessions",
            "when": "Tuesdays",
            "starts_on": today(),
        }
        fields.update(overrides)
        return casework.add_support_element(case=self.case, actor=self.casey, **fields)

    def assertSupportRefused(self, message: str, **overrides: Any) -> None:
        elements = SupportElement.objects.count()
        plans = SupportPlan.objects.count()
        with self.assertRaises(ValidationError) as refused:
            self.support(**overrides)
        self.assertIn(message, refused.exception.messages[0])
        self.assertEqual(SupportElement.objects.count(), elements)
        self.assertEqual(SupportPlan.objects.count(), plans)
        self.assertNotTouched()

    def test_a_support_element_names_the_support_provider_how_and_when(self) -> None:
        provider = make_user(agency=self.health, role=Role.INTERVENTION_PROVIDER)
        element = self.support(provider_user=provider, ends_on=today() + timedelta(days=60))
        element.refresh_from_db()
        self.assertEqual(element.plan, SupportPlan.objects.get(case=self.case))
        self.assertEqual(element.support_type.code, "mental_health")
        self.assertEqual(element.provider, self.health)
        self.assertEqual(element.provider_user, provider)
        self.assertEqual(element.originator_agency, self.council)
        self.assertEqual((element.how, element.when), ("Weekly sessions", "Tuesdays"))
        self.assertEqual((element.starts_on, element.ends_on), (today(), today() + timedelta(days=60)))
        [entry] = [e for e in self.entries("case.support_added") if e.object_pk == str(element.pk)]
        self.assertEqual(entry.actor, self.casey)
        self.assertEqual(entry.action, audit.EntryKind.CREATE)
        self.assertTouched()

    def test_elements_share_the_cases_one_plan(self) -> None:
        plans = SupportPlan.objects.filter(case=self.case)
        self.assertEqual(plans.count(), 1)  # added on the way to 'support active'
        self.support()
        self.support(support_type=ref("support_type", "housing"))
        self.assertEqual(plans.count(), 1)
        self.assertEqual(plans.get().elements.count(), 3)

    def test_a_case_without_a_plan_gets_one_with_its_first_element(self) -> None:
        self.case = make_case(owner=self.casey, stage=Stage.ADOPTED)
        Case.objects.filter(pk=self.case.pk).update(last_activity_at=self.long_ago)
        self.assertFalse(SupportPlan.objects.filter(case=self.case).exists())
        element = self.support()
        self.assertEqual(element.plan.case, self.case)

    def test_it_refuses_support_without_how_or_when(self) -> None:
        for field in ("how", "when"):
            for blank in ("", "   "):
                with self.subTest(field=field, blank=blank):
                    self.assertSupportRefused("must say how and when", **{field: blank})

    def test_it_refuses_support_ending_before_it_starts(self) -> None:
        self.assertSupportRefused(
            "The end date must be on or after the start date.", ends_on=today() - timedelta(days=1)
        )

    def test_support_may_end_on_the_day_it_starts(self) -> None:
        self.assertEqual(self.support(ends_on=today()).ends_on, today())

    def test_it_refuses_a_named_provider_from_another_agency(self) -> None:
        elsewhere = make_user(agency=make_agency(name="Elsewhere Mentoring"), role=Role.INTERVENTION_PROVIDER)
        self.assertSupportRefused("must belong to the providing agency", provider_user=elsewhere)
        self.assertSupportRefused("must belong to the providing agency", provider_user=self.casey)

    # --- actions ------------------------------------------------------------------------------------

    def action(self, **overrides: Any) -> Action:
        fields: dict[str, Any] = {
            "description": "Arrange a school meeting",
            "owner_agency": self.council,
            "due_on": today() + timedelta(days=7),
        }
        fields.update(overrides)
        return casework.add_action(case=self.case, actor=self.casey, **fields)

    def test_an_action_is_open_until_done(self) -> None:
        action = self.action(owner_user=self.charlie)
        action.refresh_from_db()
        self.assertEqual(action.status, ActionStatus.OPEN)
        self.assertIsNone(action.completed_on)
        self.assertEqual(action.owner_user, self.charlie)
        self.assertEqual(action.created_by, self.casey)
        [entry] = self.entries("case.action_added")
        self.assertEqual(entry.object_pk, str(action.pk))
        self.assertTouched()

    def test_it_refuses_an_action_owner_from_another_agency(self) -> None:
        with self.assertRaises(ValidationError) as refused:
            self.action(owner_user=self.pat)
        self.assertEqual(refused.exception.messages, ["The action's owner must belong to the owning agency."])
        self.assertFalse(Action.objects.exists())
        self.assertNotTouched()

    def test_completing_an_action_marks_it_done_today(self) -> None:
        action = self.action()
        Case.objects.filter(pk=self.case.pk).update(last_activity_at=self.long_ago)
        done = casework.complete_action(action=action, actor=self.charlie)
        self.assertEqual(done.status, ActionStatus.DONE)
        action.refresh_from_db()
        self.assertEqual(action.status, ActionStatus.DONE)
        self.assertEqual(action.completed_on, today())
        [entry] = self.entries("case.action_completed")
        self.assertEqual(entry.actor, self.charlie)
        self.assertEqual(entry.action, audit.EntryKind.UPDATE)
        self.assertTouched()

    def test_it_refuses_to_complete_an_action_twice(self) -> None:
        action = self.action()
        casework.complete_action(action=action, actor=self.casey)
        with self.assertRaises(ValidationError) as refused:
            casework.complete_action(action=Action.objects.get(pk=action.pk), actor=self.casey)
        self.assertEqual(refused.exception.messages, ["This action is already done."])
        self.assertEqual(len(self.entries("case.action_completed")), 1)

    def test_it_refuses_to_complete_an_action_twice_from_a_stale_copy(self) -> None:
        action = self.action()
        stale = Action.objects.get(pk=action.pk)
        casework.complete_action(action=action, actor=self.casey)
        Action.objects.filter(pk=action.pk).update(completed_on=today() - timedelta(days=3))
        with self.assertRaises(ValidationError):
            casework.complete_action(action=stale, actor=self.charlie)
        action.refresh_from_db()
        self.assertEqual(action.completed_on, today() - timedelta(days=3))
        self.assertEqual([e.actor for e in self.entries("case.action_completed")], [self.casey])

    def test_an_open_action_past_its_due_date_is_overdue(self) -> None:
        self.assertTrue(self.action(due_on=today() - timedelta(days=1)).is_overdue)
        self.assertFalse(self.action(due_on=today()).is_overdue)
        self.assertFalse(self.action(due_on=today() + timedelta(days=1)).is_overdue)

    def test_a_done_action_is_never_overdue(self) -> None:
        late = self.action(due_on=today() - timedelta(days=10))
        self.assertTrue(late.is_overdue)
        self.assertFalse(casework.complete_action(action=late, actor=self.casey).is_overdue)

    def test_cases_with_overdue_actions_are_listed_once(self) -> None:
        self.action(due_on=today() - timedelta(days=1))
        self.action(due_on=today() - timedelta(days=2))
        on_time = make_case(owner=self.casey)
        casework.add_action(
            case=on_time, actor=self.casey, description="Later", owner_agency=self.council, due_on=today()
        )
        self.assertEqual(list(Case.objects.with_overdue_actions()), [self.case])

    # --- reviews ------------------------------------------------------------------------------------

    def review(self, kind: ReviewKind = ReviewKind.IN_PROGRAMME) -> Review:
        return Review.objects.create(case=self.case, kind=kind, due_on=today() + timedelta(days=14))

    def test_completing_a_review_records_the_outcome_today(self) -> None:
        review = self.review(ReviewKind.REASSESSMENT)
        done = casework.complete_review(review=review, actor=self.casey, outcome="Ready for panel again.")
        done.refresh_from_db()
        self.assertEqual(done.completed_on, today())
        self.assertEqual(done.outcome, "Ready for panel again.")
        [entry] = self.entries("case.review_completed")
        self.assertEqual(entry.additional_data, {"kind": "reassessment"})
        self.assertEqual(entry.action, audit.EntryKind.UPDATE)
        self.assertNotIn("Ready for panel", str(entry.additional_data))
        self.assertTouched()

    def test_it_refuses_a_review_without_an_outcome(self) -> None:
        review = self.review()
        for outcome in ("", "  "):
            with self.subTest(outcome=outcome):
                with self.assertRaises(ValidationError) as refused:
                    casework.complete_review(review=review, actor=self.casey, outcome=outcome)
                self.assertEqual(refused.exception.messages, ["Record the outcome of the review."])
        review.refresh_from_db()
        self.assertIsNone(review.completed_on)
        self.assertEqual(self.entries("case.review_completed"), [])
        self.assertNotTouched()

    def test_it_refuses_to_complete_a_review_twice(self) -> None:
        review = self.review()
        stale = Review.objects.get(pk=review.pk)
        casework.complete_review(review=review, actor=self.casey, outcome="First")
        for copy in (review, stale):
            with self.subTest(stale=copy is stale):
                with self.assertRaises(ValidationError) as refused:
                    casework.complete_review(review=copy, actor=self.charlie, outcome="Second")
                self.assertEqual(refused.exception.messages, ["This review is already complete."])
        review.refresh_from_db()
        self.assertEqual(review.outcome, "First")
        self.assertEqual(len(self.entries("case.review_completed")), 1)

    def test_scheduling_a_review_moves_active_support_to_under_review(self) -> None:
        due = today() + timedelta(days=28)
        review = casework.schedule_review(case=self.case, actor=self.casey, due_on=due)
        self.assertEqual((review.kind, review.due_on, review.completed_on), (ReviewKind.IN_PROGRAMME, due, None))
        self.case.refresh_from_db()
        self.assertEqual(self.case.stage, Stage.UNDER_REVIEW)
        change = StageChange.objects.filter(case=self.case).last()
        assert change is not None
        self.assertEqual((change.from_stage, change.to_stage), (Stage.SUPPORT_ACTIVE.value, Stage.UNDER_REVIEW.value))
        self.assertEqual(change.actor, self.casey)
        # Support starting scheduled the review at the panel's interval; scheduling moved it to `due`.
        started, entry = self.entries("case.review_scheduled")
        self.assertEqual((started.object_pk, entry.object_pk), (str(review.pk), str(review.pk)))
        self.assertEqual((started.additional_data["due"], entry.additional_data["due"]), ("panel_interval", "given"))
        self.assertEqual(len(self.entries("case.stage_changed")), len(StageChange.objects.filter(case=self.case)) - 1)

    def test_scheduling_again_under_review_moves_the_open_review_and_leaves_the_stage(self) -> None:
        casework.schedule_review(case=self.case, actor=self.casey, due_on=today() + timedelta(days=7))
        changes = StageChange.objects.filter(case=self.case).count()
        casework.schedule_review(case=self.case, actor=self.casey, due_on=today() + timedelta(days=14))
        self.case.refresh_from_db()
        self.assertEqual(self.case.stage, Stage.UNDER_REVIEW)
        self.assertEqual(StageChange.objects.filter(case=self.case).count(), changes)
        # One open in-programme review at a time: its date moves.
        [review] = Review.objects.filter(case=self.case, kind=ReviewKind.IN_PROGRAMME)
        self.assertEqual(review.due_on, today() + timedelta(days=14))


class AssessmentRatingsTestCase(BaseTestCase):
    def test_a_rating_outside_the_scale_is_refused_and_nothing_saved(self) -> None:
        case = make_case(owner=self.casey)
        with self.assertRaisesMessage(ValidationError, "not present, low, medium or high"):
            casework.add_assessment(
                case=case, actor=self.casey, ratings={"grievance": (7, "")}, summary="S", management_plan="P"
            )
        self.assertFalse(Assessment.objects.filter(case=case).exists())
