"""record_decision: a quorate panel's decision on a case at a meeting, and what it does to the case.

Quorum is judged on the meeting's recorded attendance: the chair and a police representative for the
subject's area present (CTSA 2015 s.37(3))."""

from __future__ import annotations

from datetime import time
from typing import Any

from dateutil.relativedelta import relativedelta
from django.core.exceptions import ValidationError

from audit import services as audit
from audit.models import AuditEntry
from cases.models import (
    AgendaItem,
    Attendance,
    Case,
    Decision,
    DecisionOutcome,
    HowReached,
    MeetingStatus,
    PanelMeeting,
    Review,
    ReviewKind,
    Stage,
    StageChange,
)
from cases.services import decisions, stages
from partners.models import Role, User
from tests.base import BaseTestCase
from tests.cases.helpers import NOT_ADOPTED_RECORD, make_case, panel_item, ref, today
from tests.factories import make_user

# What each decision does to a case, and where it may be taken.
EFFECTS: dict[DecisionOutcome, tuple[Stage, Stage]] = {
    DecisionOutcome.ADOPT: (Stage.LISTED_FOR_PANEL, Stage.ADOPTED),
    DecisionOutcome.NOT_ADOPT: (Stage.LISTED_FOR_PANEL, Stage.NOT_ADOPTED),
    DecisionOutcome.DEFER: (Stage.LISTED_FOR_PANEL, Stage.DEFERRED),
    DecisionOutcome.CONTINUE_SUPPORT: (Stage.UNDER_REVIEW, Stage.SUPPORT_ACTIVE),
    DecisionOutcome.EXIT: (Stage.UNDER_REVIEW, Stage.EXITED),
}


class RecordDecisionTestCase(BaseTestCase):
    def item_for(self, case: Case) -> AgendaItem:
        item = AgendaItem.objects.filter(case=case, decision__isnull=True).first()
        return item or panel_item(case, chair=self.charlie)

    def decide(self, case: Case, outcome: DecisionOutcome, **overrides: Any) -> Decision:
        fields: dict[str, Any] = {
            "how_reached": HowReached.UNANIMOUS,
            "rationale": "The panel agreed on the evidence.",
            "agenda_item": self.item_for(case),
        }
        if outcome == DecisionOutcome.NOT_ADOPT:
            fields |= NOT_ADOPTED_RECORD
        if outcome == DecisionOutcome.EXIT:
            fields["exit_reason"] = ref("exit_reason", "vulnerability_reduced")
        fields.update(overrides)
        return decisions.record_decision(case=case, actor=self.charlie, outcome=outcome, **fields)

    def assertRefusedAndUnchanged(self, case: Case, outcome: DecisionOutcome, **overrides: Any) -> ValidationError:
        def state() -> tuple[object, ...]:
            return (
                Case.objects.get(pk=case.pk).stage,
                Decision.objects.filter(case=case).count(),
                Review.objects.filter(case=case).count(),
                StageChange.objects.filter(case=case).count(),
                AuditEntry.objects.filter(case_reference=case.number).count(),
            )

        before = state()
        with self.assertRaises(ValidationError) as refused:
            self.decide(case, outcome, **overrides)
        self.assertEqual(state(), before)
        return refused.exception

    # --- effects ------------------------------------------------------------------------------------

    def test_each_decision_moves_the_case_to_its_stage(self) -> None:
        for outcome, (source, target) in EFFECTS.items():
            with self.subTest(outcome=outcome.value):
                case = make_case(owner=self.casey, stage=source)
                self.decide(case, outcome)
                case.refresh_from_db()
                self.assertEqual(case.stage, target)
                change = StageChange.objects.filter(case=case).last()
                assert change is not None
                self.assertEqual((change.from_stage, change.to_stage), (source.value, target.value))
                self.assertEqual(change.actor, self.charlie)
                self.assertEqual(change.reason, f"Panel decision: {outcome.label}")

    def test_the_decisions_available_depend_on_the_stage(self) -> None:
        listed = [DecisionOutcome.ADOPT, DecisionOutcome.NOT_ADOPT, DecisionOutcome.DEFER]
        self.assertEqual(
            decisions.decisions_available(make_case(owner=self.casey, stage=Stage.LISTED_FOR_PANEL)), listed
        )
        self.assertEqual(
            decisions.decisions_available(make_case(owner=self.casey, stage=Stage.UNDER_REVIEW)),
            [DecisionOutcome.CONTINUE_SUPPORT, DecisionOutcome.EXIT, DecisionOutcome.WITHDRAW],
        )
        self.assertEqual(decisions.decisions_available(make_case(owner=self.casey, stage=Stage.SUPPORT_ACTIVE)), [])

    def test_it_stores_the_decision(self) -> None:
        case = make_case(owner=self.casey, stage=Stage.LISTED_FOR_PANEL)
        decision = self.decide(
            case,
            DecisionOutcome.NOT_ADOPT,
            how_reached=HowReached.MAJORITY,
            votes_for=4,
            votes_against=1,
            health_or_social_care_referral=False,
            no_referral_reason="Needs are already met by the school's pastoral team.",
        )
        decision.refresh_from_db()
        self.assertEqual(decision.case, case)
        self.assertEqual(decision.outcome, DecisionOutcome.NOT_ADOPT)
        self.assertEqual(decision.how_reached, HowReached.MAJORITY)
        self.assertEqual((decision.votes_for, decision.votes_against), (4, 1))
        self.assertIs(decision.health_or_social_care_referral, False)
        self.assertEqual(decision.rationale, "The panel agreed on the evidence.")
        self.assertEqual(decision.decided_by, self.charlie)
        self.assertIsNone(decision.exit_reason)

    def test_it_audits_the_decision_without_its_rationale(self) -> None:
        case = make_case(owner=self.casey, stage=Stage.LISTED_FOR_PANEL)
        self.decide(case, DecisionOutcome.ADOPT, rationale="Zebedee Testsubjectson needs mentoring")
        entry = AuditEntry.objects.get(event="case.decision_recorded", case_reference=case.number)
        self.assertEqual(entry.actor, self.charlie)
        self.assertEqual(entry.action, audit.EntryKind.UPDATE)
        self.assertEqual(entry.object_pk, str(case.pk))
        self.assertEqual(entry.additional_data, {"outcome": "adopt", "how": "unanimous"})
        self.assertNotIn("Zebedee", f"{entry.object_repr} {entry.additional_data}")
        moved = AuditEntry.objects.get(
            event="case.stage_changed", case_reference=case.number, additional_data__to="adopted"
        )
        self.assertEqual(moved.additional_data, {"from": "listed_for_panel", "to": "adopted"})

    def test_a_deferred_case_can_be_listed_again_and_decided_later(self) -> None:
        case = make_case(owner=self.casey, stage=Stage.DEFERRED)
        stages.move_case(case=case, actor=self.casey, to=Stage.LISTED_FOR_PANEL, reason="More information in")
        self.decide(case, DecisionOutcome.ADOPT)
        case.refresh_from_db()
        self.assertEqual(case.stage, Stage.ADOPTED)
        self.assertEqual(
            list(Decision.objects.filter(case=case).order_by("at", "id").values_list("outcome", flat=True)),
            ["defer", "adopt"],
        )

    # --- exit and post-exit reviews -----------------------------------------------------------------

    def test_exit_schedules_the_six_and_twelve_month_post_exit_reviews(self) -> None:
        case = make_case(owner=self.casey, stage=Stage.UNDER_REVIEW)
        before = set(Review.objects.filter(case=case).values_list("pk", flat=True))
        decision = self.decide(case, DecisionOutcome.EXIT, exit_reason=ref("exit_reason", "transferred"))
        self.assertEqual(decision.exit_reason, ref("exit_reason", "transferred"))
        scheduled = Review.objects.filter(case=case).exclude(pk__in=before).order_by("due_on")
        self.assertEqual(
            [(r.kind, r.due_on, r.completed_on) for r in scheduled],
            [
                (ReviewKind.POST_EXIT_6.value, today() + relativedelta(months=6), None),
                (ReviewKind.POST_EXIT_12.value, today() + relativedelta(months=12), None),
            ],
        )

    def test_no_other_decision_schedules_post_exit_reviews(self) -> None:
        for outcome, (source, _) in EFFECTS.items():
            if outcome == DecisionOutcome.EXIT:
                continue
            with self.subTest(outcome=outcome.value):
                case = make_case(owner=self.casey, stage=source)
                self.decide(case, outcome)
                self.assertFalse(
                    Review.objects.filter(
                        case=case, kind__in=[ReviewKind.POST_EXIT_6, ReviewKind.POST_EXIT_12]
                    ).exists()
                )

    def test_it_refuses_exit_without_an_exit_reason(self) -> None:
        case = make_case(owner=self.casey, stage=Stage.UNDER_REVIEW)
        error = self.assertRefusedAndUnchanged(case, DecisionOutcome.EXIT, exit_reason=None)
        self.assertEqual(error.messages, ["Give the reason for exit."])

    # --- quorum -------------------------------------------------------------------------------------

    def absent(self, item: AgendaItem, user: User) -> None:
        Attendance.objects.filter(meeting=item.meeting, user=user).update(present=False)

    def test_it_refuses_a_decision_without_the_chair_present(self) -> None:
        case = make_case(owner=self.casey, stage=Stage.LISTED_FOR_PANEL)
        item = self.item_for(case)
        self.absent(item, self.charlie)
        error = self.assertRefusedAndUnchanged(case, DecisionOutcome.ADOPT, agenda_item=item)
        self.assertEqual(
            error.messages,
            ["A panel decision needs the chair, or a deputy chair of the panel, present (CTSA 2015 s.37)."],
        )

    def test_it_refuses_a_decision_when_the_chair_is_not_on_the_register(self) -> None:
        case = make_case(owner=self.casey, stage=Stage.LISTED_FOR_PANEL)
        item = self.item_for(case)
        Attendance.objects.filter(meeting=item.meeting, user=self.charlie).delete()
        error = self.assertRefusedAndUnchanged(case, DecisionOutcome.ADOPT, agenda_item=item)
        self.assertEqual(
            error.messages,
            ["A panel decision needs the chair, or a deputy chair of the panel, present (CTSA 2015 s.37)."],
        )

    def test_another_chair_present_does_not_stand_in_for_the_meetings_chair(self) -> None:
        case = make_case(owner=self.casey, stage=Stage.LISTED_FOR_PANEL)
        deputy = make_user(agency=self.council, role=Role.PANEL_CHAIR)
        item = self.item_for(case)
        self.absent(item, self.charlie)
        Attendance.objects.create(meeting=item.meeting, user=deputy, present=True)
        self.assertRefusedAndUnchanged(case, DecisionOutcome.ADOPT, agenda_item=item)

    def test_it_refuses_a_decision_without_police_for_the_subjects_area_present(self) -> None:
        case = make_case(owner=self.casey, stage=Stage.LISTED_FOR_PANEL, force_area="Northshire")
        item = self.item_for(case)
        Attendance.objects.filter(meeting=item.meeting, user__role=Role.POLICE_PRACTITIONER).update(present=False)
        error = self.assertRefusedAndUnchanged(case, DecisionOutcome.ADOPT, agenda_item=item)
        self.assertEqual(
            error.messages,
            ["A panel decision needs a police representative for Northshire present (CTSA 2015 s.37(3))."],
        )

    def test_police_from_another_force_do_not_count(self) -> None:
        case = make_case(owner=self.casey, stage=Stage.LISTED_FOR_PANEL, force_area="Northshire")
        item = panel_item(case, chair=self.charlie, police=self.pat)  # Pat is Testshire police
        error = self.assertRefusedAndUnchanged(case, DecisionOutcome.ADOPT, agenda_item=item)
        self.assertIn("police representative for Northshire present", error.messages[0])

    def test_a_deactivated_police_officer_does_not_count(self) -> None:
        case = make_case(owner=self.casey, stage=Stage.LISTED_FOR_PANEL)
        item = panel_item(case, chair=self.charlie, police=self.pat)
        User.objects.filter(pk=self.pat.pk).update(is_active=False)
        self.assertRefusedAndUnchanged(case, DecisionOutcome.ADOPT, agenda_item=item)

    def test_it_refuses_every_outcome_without_quorum(self) -> None:
        for outcome, (source, _) in EFFECTS.items():
            case = make_case(owner=self.casey, stage=source)
            item = self.item_for(case)
            police = Attendance.objects.get(meeting=item.meeting, user__role=Role.POLICE_PRACTITIONER).user
            for missing in (self.charlie, police):
                with self.subTest(outcome=outcome.value, missing=missing.username):
                    self.absent(item, missing)
                    self.assertRefusedAndUnchanged(case, outcome, agenda_item=item)
                    Attendance.objects.filter(meeting=item.meeting).update(present=True)

    def test_quorum_problems_names_every_missing_member(self) -> None:
        case = make_case(owner=self.casey, stage=Stage.LISTED_FOR_PANEL)
        item = self.item_for(case)
        self.assertEqual(decisions.quorum_problems(meeting=item.meeting, case=case), [])
        Attendance.objects.filter(meeting=item.meeting).update(present=False)
        self.assertEqual(len(decisions.quorum_problems(meeting=item.meeting, case=case)), 2)

    # --- the meeting ------------------------------------------------------------------------------------

    def test_the_decision_is_linked_to_its_agenda_item(self) -> None:
        case = make_case(owner=self.casey, stage=Stage.LISTED_FOR_PANEL)
        item = self.item_for(case)
        decision = self.decide(case, DecisionOutcome.ADOPT, agenda_item=item)
        self.assertEqual(decision.agenda_item, item)

    def test_it_refuses_an_item_about_another_case(self) -> None:
        case = make_case(owner=self.casey, stage=Stage.LISTED_FOR_PANEL)
        other = make_case(owner=self.casey, stage=Stage.LISTED_FOR_PANEL)
        error = self.assertRefusedAndUnchanged(case, DecisionOutcome.ADOPT, agenda_item=self.item_for(other))
        self.assertEqual(error.messages, ["This agenda item is about another case."])

    def test_it_refuses_a_decision_once_the_minutes_are_approved(self) -> None:
        case = make_case(owner=self.casey, stage=Stage.LISTED_FOR_PANEL)
        item = self.item_for(case)
        PanelMeeting.objects.filter(pk=item.meeting_id).update(status=MeetingStatus.APPROVED)
        error = self.assertRefusedAndUnchanged(case, DecisionOutcome.ADOPT, agenda_item=item)
        self.assertIn("approved and locked", error.messages[0])

    def test_it_refuses_a_decision_before_the_meeting_starts(self) -> None:
        case = make_case(owner=self.casey, stage=Stage.LISTED_FOR_PANEL)
        item = self.item_for(case)
        tomorrow = today() + relativedelta(days=1)
        PanelMeeting.objects.filter(pk=item.meeting_id).update(held_on=tomorrow, starts_at=time(9, 30))
        error = self.assertRefusedAndUnchanged(case, DecisionOutcome.ADOPT, agenda_item=item)
        self.assertEqual(
            error.messages,
            [f"The meeting has not started yet: decisions can be recorded from 09:30 on {tomorrow:%-d %B %Y}."],
        )

    def test_one_decision_per_agenda_item(self) -> None:
        case = make_case(owner=self.casey, stage=Stage.DEFERRED)
        stages.move_case(case=case, actor=self.casey, to=Stage.LISTED_FOR_PANEL, reason="More information in")
        item = self.item_for(case)
        Decision.objects.filter(case=case).update(agenda_item=item)
        error = self.assertRefusedAndUnchanged(case, DecisionOutcome.ADOPT, agenda_item=item)
        self.assertEqual(error.messages, ["A decision has already been recorded for this agenda item."])

    # --- how the decision was reached ---------------------------------------------------------------

    def test_it_refuses_a_majority_without_a_real_majority(self) -> None:
        case = make_case(owner=self.casey, stage=Stage.LISTED_FOR_PANEL)
        for votes_for, votes_against in ((None, None), (3, None), (None, 0), (2, 2), (1, 3), (0, 0)):
            with self.subTest(votes_for=votes_for, votes_against=votes_against):
                error = self.assertRefusedAndUnchanged(
                    case,
                    DecisionOutcome.ADOPT,
                    how_reached=HowReached.MAJORITY,
                    votes_for=votes_for,
                    votes_against=votes_against,
                )
                self.assertEqual(
                    error.messages, ["A majority decision needs the votes for and against, with more votes for."]
                )

    def test_a_majority_of_one_is_enough(self) -> None:
        case = make_case(owner=self.casey, stage=Stage.LISTED_FOR_PANEL)
        self.decide(case, DecisionOutcome.ADOPT, how_reached=HowReached.MAJORITY, votes_for=3, votes_against=2)
        case.refresh_from_db()
        self.assertEqual(case.stage, Stage.ADOPTED)

    def test_unanimous_and_chairs_decisions_need_no_votes(self) -> None:
        for how in (HowReached.UNANIMOUS, HowReached.CHAIR):
            with self.subTest(how=how.value):
                case = make_case(owner=self.casey, stage=Stage.LISTED_FOR_PANEL)
                decision = self.decide(case, DecisionOutcome.DEFER, how_reached=how)
                self.assertEqual(decision.how_reached, how)
                self.assertIsNone(decision.votes_for)

    def test_it_refuses_a_decision_without_a_rationale(self) -> None:
        case = make_case(owner=self.casey, stage=Stage.LISTED_FOR_PANEL)
        for rationale in ("", "  \n"):
            with self.subTest(rationale=rationale):
                error = self.assertRefusedAndUnchanged(case, DecisionOutcome.ADOPT, rationale=rationale)
                self.assertEqual(error.messages, ["Record the rationale for the decision."])

    # --- not adopted --------------------------------------------------------------------------------

    def test_it_refuses_not_adopting_without_the_health_or_social_care_referral_answer(self) -> None:
        case = make_case(owner=self.casey, stage=Stage.LISTED_FOR_PANEL)
        error = self.assertRefusedAndUnchanged(case, DecisionOutcome.NOT_ADOPT, health_or_social_care_referral=None)
        self.assertIn("health or social care referral", error.messages[0])
        self.assertIn("s.36(6)", error.messages[0])

    def test_no_referral_made_is_an_answer(self) -> None:
        case = make_case(owner=self.casey, stage=Stage.LISTED_FOR_PANEL)
        decision = self.decide(
            case, DecisionOutcome.NOT_ADOPT, health_or_social_care_referral=False, no_referral_reason="Already known."
        )
        self.assertIs(decision.health_or_social_care_referral, False)
        case.refresh_from_db()
        self.assertEqual(case.stage, Stage.NOT_ADOPTED)

    # --- stage --------------------------------------------------------------------------------------

    def test_it_refuses_a_decision_at_the_wrong_stage(self) -> None:
        stages = list(Stage)
        cases = {stage: make_case(owner=self.casey, stage=stage) for stage in stages}
        for outcome, (source, _) in EFFECTS.items():
            for stage in stages:
                if stage == source:
                    continue
                with self.subTest(outcome=outcome.value, stage=stage.value):
                    error = self.assertRefusedAndUnchanged(cases[stage], outcome)
                    self.assertEqual(
                        error.messages, [f"'{outcome.label}' cannot be decided for a case at '{stage.label}'."]
                    )

    def test_a_decision_cannot_be_recorded_twice(self) -> None:
        case = make_case(owner=self.casey, stage=Stage.LISTED_FOR_PANEL)
        self.decide(case, DecisionOutcome.ADOPT)
        error = self.assertRefusedAndUnchanged(case, DecisionOutcome.ADOPT)
        self.assertIn("at 'Adopted'", error.messages[0])


class DecisionOnlyEdgesTestCase(BaseTestCase):
    def test_continuing_support_after_a_review_needs_a_panel_decision(self) -> None:
        case = make_case(owner=self.casey, stage=Stage.UNDER_REVIEW)
        self.assertNotIn(Stage.SUPPORT_ACTIVE, stages.manual_stages(case))
        with self.assertRaisesMessage(ValidationError, "panel decision"):
            stages.move_case(case=case, actor=self.casey, to=Stage.SUPPORT_ACTIVE, reason="Carry on")
        case.refresh_from_db()
        self.assertEqual(case.stage, Stage.UNDER_REVIEW)
