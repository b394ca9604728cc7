"""The stage machine: every allowed move works through its service, every other move is refused by move_case."""

from __future__ import annotations

from datetime import timedelta
from itertools import pairwise

from django.core.exceptions import ValidationError
from django.utils import timezone

from audit import services as audit
from audit.models import AuditEntry
from cases.models import Case, ClosingReport, ConsentStatus, DecisionOutcome, Review, ReviewKind, Stage, StageChange
from cases.services import casework, consent, stages
from cases.services.stages import CONSENT_STAGES, DECISION_STAGES, TRANSITIONS
from partners.models import User
from tests.base import BaseTestCase
from tests.cases.helpers import (
    ROUTE,
    add_support,
    complete_post_exit_review,
    decide,
    give_consent,
    make_case,
    refuse_consent,
    set_stage,
    today,
    write_closing_report,
)

ALLOWED: set[tuple[Stage, Stage]] = {(source, target) for source, targets in TRANSITIONS.items() for target in targets}
REFUSED: list[tuple[Stage, Stage]] = [(s, t) for s in Stage for t in Stage if (s, t) not in ALLOWED]

# Moves made by a panel decision rather than by move_case.
DECISIONS: dict[tuple[Stage, Stage], DecisionOutcome] = {
    (Stage.LISTED_FOR_PANEL, Stage.ADOPTED): DecisionOutcome.ADOPT,
    (Stage.LISTED_FOR_PANEL, Stage.NOT_ADOPTED): DecisionOutcome.NOT_ADOPT,
    (Stage.LISTED_FOR_PANEL, Stage.DEFERRED): DecisionOutcome.DEFER,
    (Stage.UNDER_REVIEW, Stage.SUPPORT_ACTIVE): DecisionOutcome.CONTINUE_SUPPORT,
    (Stage.UNDER_REVIEW, Stage.EXITED): DecisionOutcome.EXIT,
}
# Moves made by recording refused consent (consent sought, then refused, then re-assessment scheduled).
REFUSALS = {(Stage.CONSENT_SOUGHT, Stage.CONSENT_REFUSED), (Stage.CONSENT_REFUSED, Stage.REASSESSMENT_SCHEDULED)}
# Moves made by recording withdrawn consent.
WITHDRAWALS = {(Stage.SUPPORT_ACTIVE, Stage.REASSESSMENT_SCHEDULED), (Stage.UNDER_REVIEW, Stage.REASSESSMENT_SCHEDULED)}


class MoveCaseTestCase(BaseTestCase):
    def move(self, case: Case, to: Stage, *, actor: User | None = None, reason: str = "Test reason") -> Case:
        return stages.move_case(case=case, actor=actor or self.casey, to=to, reason=reason)

    def case_at(self, stage: Stage) -> Case:
        """A case jumped straight to a stage, with its post-exit reviews done and its closing report written
        so only the table decides."""
        case = set_stage(make_case(owner=self.casey), stage)
        for kind in (ReviewKind.POST_EXIT_6, ReviewKind.POST_EXIT_12):
            Review.objects.create(case=case, kind=kind, due_on=today(), completed_on=today(), outcome="Done")
        ClosingReport.objects.create(
            case=case, summary="S", outcomes="O", onward_referrals="None", written_by=self.casey
        )
        return case

    def assertRefusedAndUnchanged(
        self, case: Case, to: Stage, *, actor: User | None = None, reason: str = "Reason"
    ) -> ValidationError:
        before = Case.objects.get(pk=case.pk)
        changes = StageChange.objects.filter(case=case).count()
        entries = AuditEntry.objects.filter(event="case.stage_changed", case_reference=case.number).count()
        with self.assertRaises(ValidationError) as refused:
            self.move(case, to, actor=actor, reason=reason)
        after = Case.objects.get(pk=case.pk)
        self.assertEqual(after.stage, before.stage)
        self.assertEqual(after.stage_changed_at, before.stage_changed_at)
        self.assertEqual(after.last_activity_at, before.last_activity_at)
        self.assertEqual(StageChange.objects.filter(case=case).count(), changes)
        self.assertEqual(
            AuditEntry.objects.filter(event="case.stage_changed", case_reference=case.number).count(), entries
        )
        return refused.exception

    # --- every allowed move -------------------------------------------------------------------------

    def perform(self, case: Case, source: Stage, target: Stage) -> User:
        """Make an allowed move through the service that owns it; returns who made it."""
        if source == Stage.POLICE_SCREENING:
            self.move(case, target, actor=self.pat)
            return self.pat
        if (source, target) in DECISIONS:
            decide(case, DECISIONS[source, target], actor=self.charlie)
            return self.charlie
        if (source, target) in REFUSALS:
            refuse_consent(case, actor=self.casey)
            return self.casey
        if (source, target) in WITHDRAWALS:
            consent.record_consent(
                case=case,
                actor=self.casey,
                status=ConsentStatus.WITHDRAWN,
                consenting=None,
                method="Phone call",
                requested_by=self.casey,
                requested_on=today(),
                on=today(),
                reassessment_on=today() + timedelta(days=90),
            )
            return self.casey
        if (source, target) == (Stage.CONSENT_SOUGHT, Stage.SUPPORT_ACTIVE):
            give_consent(case, actor=self.casey)
            add_support(case, actor=self.casey)
        elif source in (Stage.POST_EXIT_REVIEW_6, Stage.POST_EXIT_REVIEW_12):
            complete_post_exit_review(case, actor=self.casey)
            if target == Stage.CLOSED:
                write_closing_report(case)
        self.move(case, target)
        return self.casey

    def test_every_allowed_transition_works_through_its_service(self) -> None:
        self.assertEqual(len(ALLOWED), 25)
        for source, target in sorted(ALLOWED):
            with self.subTest(source=source.value, target=target.value):
                # Refused consent passes through 'consent refused' on its way: it starts where consent is sought.
                start = Stage.CONSENT_SOUGHT if source == Stage.CONSENT_REFUSED else source
                case = make_case(owner=self.casey, stage=start)
                self.assertEqual(case.stage, start)
                actor = self.perform(case, source, target)
                case.refresh_from_db()
                expected = Stage.REASSESSMENT_SCHEDULED if (source, target) in REFUSALS else target
                self.assertEqual(case.stage, expected)
                change = StageChange.objects.get(case=case, from_stage=source, to_stage=target)
                self.assertEqual(change.actor, actor)
                self.assertTrue(change.reason.strip())
                entry = AuditEntry.objects.get(
                    event="case.stage_changed",
                    case_reference=case.number,
                    additional_data__from=source.value,
                    additional_data__to=target.value,
                )
                self.assertEqual(entry.additional_data, {"from": source.value, "to": target.value})
                self.assertEqual(entry.actor, actor)
                self.assertEqual(entry.action, audit.EntryKind.UPDATE)
                self.assertEqual(entry.object_pk, str(case.pk))

    def test_the_usual_route_leaves_its_whole_chronology(self) -> None:
        case = make_case(owner=self.casey, stage=Stage.CLOSED)
        chronology = list(StageChange.objects.filter(case=case).values_list("from_stage", "to_stage"))
        expected = [("", Stage.RECEIVED.value)] + [(a.value, b.value) for a, b in pairwise(ROUTE)]
        self.assertEqual(chronology, expected)
        moves = AuditEntry.objects.filter(event="case.stage_changed", case_reference=case.number)
        self.assertEqual(moves.count(), len(ROUTE) - 1)

    def test_a_move_records_who_when_and_why(self) -> None:
        case = make_case(owner=self.casey)
        before = timezone.now()
        moved = self.move(case, Stage.POLICE_SCREENING, reason="Sent to the police for screening")
        self.assertEqual(moved.stage, Stage.POLICE_SCREENING)
        case.refresh_from_db()
        self.assertEqual(case.stage, Stage.POLICE_SCREENING)
        self.assertGreaterEqual(case.stage_changed_at, before)
        self.assertEqual(case.last_activity_at, case.stage_changed_at)
        change = StageChange.objects.filter(case=case).last()
        assert change is not None
        self.assertEqual((change.from_stage, change.to_stage), (Stage.RECEIVED, Stage.POLICE_SCREENING))
        self.assertEqual(change.actor, self.casey)
        self.assertEqual(change.reason, "Sent to the police for screening")
        self.assertEqual(change.at, case.stage_changed_at)

    def test_the_audit_entry_records_the_stages_but_not_the_reason(self) -> None:
        case = make_case(owner=self.casey)
        self.move(case, Stage.POLICE_SCREENING, reason="Zebedee Testsubjectson's teacher called")
        entry = AuditEntry.objects.get(event="case.stage_changed", case_reference=case.number)
        self.assertEqual(entry.additional_data, {"from": "received", "to": "police_screening"})
        self.assertEqual(entry.actor, self.casey)
        self.assertNotIn("Zebedee", f"{entry.object_repr} {entry.additional_data} {entry.changes}")

    # --- every refused move -------------------------------------------------------------------------

    def test_every_transition_not_in_the_table_is_refused_and_changes_nothing(self) -> None:
        self.assertEqual(len(REFUSED), len(Stage) ** 2 - 25)
        cases = {stage: self.case_at(stage) for stage in Stage}
        for source, target in REFUSED:
            with self.subTest(source=source.value, target=target.value):
                actor = self.pat if source == Stage.POLICE_SCREENING else self.casey
                error = self.assertRefusedAndUnchanged(cases[source], target, actor=actor)
                if target not in DECISION_STAGES | CONSENT_STAGES:
                    self.assertIn(f"cannot move from '{source.label}' to '{target.label}'", error.messages[0])

    def test_the_refusal_names_both_stages_and_the_allowed_next_ones(self) -> None:
        case = make_case(owner=self.casey)
        error = self.assertRefusedAndUnchanged(case, Stage.LISTED_FOR_PANEL)
        self.assertEqual(
            error.messages,
            ["A case cannot move from 'Received' to 'Listed for panel'. Allowed next stages: Police screening."],
        )

    def test_the_refusal_lists_every_allowed_next_stage_in_stage_order(self) -> None:
        case = self.case_at(Stage.SUPPORT_ACTIVE)
        error = self.assertRefusedAndUnchanged(case, Stage.CLOSED)
        self.assertIn("Allowed next stages: Re-assessment scheduled, Under review.", error.messages[0])

    def test_a_closed_case_has_no_next_stage(self) -> None:
        case = self.case_at(Stage.CLOSED)
        error = self.assertRefusedAndUnchanged(case, Stage.RECEIVED)
        self.assertIn("Allowed next stages: none.", error.messages[0])
        self.assertEqual(stages.next_stages(case), [])

    def test_a_stale_copy_is_judged_by_the_stored_stage(self) -> None:
        stale = make_case(owner=self.casey)
        self.move(Case.objects.get(pk=stale.pk), Stage.POLICE_SCREENING)
        self.assertEqual(stale.stage, Stage.RECEIVED)
        error = self.assertRefusedAndUnchanged(stale, Stage.POLICE_SCREENING, actor=self.pat)
        self.assertIn("from 'Police screening' to 'Police screening'", error.messages[0])

    # --- police screening ---------------------------------------------------------------------------

    def test_only_a_police_practitioner_can_move_a_case_out_of_police_screening(self) -> None:
        case = make_case(owner=self.casey, stage=Stage.POLICE_SCREENING)
        for user in (self.casey, self.charlie, self.harper, self.olly, self.audrey, self.ada):
            for outcome in stages.SCREENING_OUTCOMES:
                with self.subTest(user=user.username, outcome=outcome.value):
                    error = self.assertRefusedAndUnchanged(case, outcome, actor=user)
                    self.assertIn("Only a police decision", error.messages[0])
                    self.assertIn("s.36(2)", error.messages[0])
        self.move(case, Stage.REFERRED_TO_CHANNEL, actor=self.pat)
        case.refresh_from_db()
        self.assertEqual(case.stage, Stage.REFERRED_TO_CHANNEL)

    def test_each_screening_outcome_is_open_to_the_police(self) -> None:
        self.assertEqual(
            set(stages.SCREENING_OUTCOMES),
            {Stage.CLOSED_NFA, Stage.SIGNPOSTED, Stage.POLICE_LED, Stage.REFERRED_TO_CHANNEL},
        )
        for outcome in stages.SCREENING_OUTCOMES:
            with self.subTest(outcome=outcome.value):
                case = make_case(owner=self.casey, stage=Stage.POLICE_SCREENING)
                self.assertEqual(self.move(case, outcome, actor=self.pat).stage, outcome)

    def test_anyone_may_send_a_received_case_to_police_screening(self) -> None:
        case = make_case(owner=self.casey)
        self.assertEqual(self.move(case, Stage.POLICE_SCREENING, actor=self.casey).stage, Stage.POLICE_SCREENING)

    # --- reasons ------------------------------------------------------------------------------------

    def test_it_refuses_a_move_without_a_reason(self) -> None:
        case = make_case(owner=self.casey)
        for reason in ("", "   ", "\n\t"):
            with self.subTest(reason=reason):
                error = self.assertRefusedAndUnchanged(case, Stage.POLICE_SCREENING, reason=reason)
                self.assertIn("Give a reason", error.messages[0])

    # --- moves owned by other services --------------------------------------------------------------

    def test_it_refuses_to_reach_a_decision_stage_by_a_plain_move(self) -> None:
        listed = make_case(owner=self.casey, stage=Stage.LISTED_FOR_PANEL)
        under_review = make_case(owner=self.casey, stage=Stage.UNDER_REVIEW)
        for case, target in (
            (listed, Stage.ADOPTED),
            (listed, Stage.NOT_ADOPTED),
            (listed, Stage.DEFERRED),
            (under_review, Stage.EXITED),
        ):
            with self.subTest(target=target.value):
                error = self.assertRefusedAndUnchanged(case, target, actor=self.charlie)
                self.assertIn(f"'{target.label}' is a panel decision", error.messages[0])

    def test_it_refuses_to_reach_a_consent_stage_by_a_plain_move(self) -> None:
        sought = make_case(owner=self.casey, stage=Stage.CONSENT_SOUGHT)
        active = make_case(owner=self.casey, stage=Stage.SUPPORT_ACTIVE)
        for case, target in ((sought, Stage.CONSENT_REFUSED), (active, Stage.REASSESSMENT_SCHEDULED)):
            with self.subTest(target=target.value):
                error = self.assertRefusedAndUnchanged(case, target)
                self.assertIn("refused or withdrawn consent", error.messages[0])

    def test_the_plain_move_form_offers_only_plain_moves(self) -> None:
        self.assertEqual(stages.manual_stages(self.case_at(Stage.LISTED_FOR_PANEL)), [])
        self.assertEqual(stages.manual_stages(self.case_at(Stage.CONSENT_SOUGHT)), [Stage.SUPPORT_ACTIVE])
        self.assertEqual(stages.manual_stages(self.case_at(Stage.SUPPORT_ACTIVE)), [Stage.UNDER_REVIEW])
        self.assertEqual(
            stages.manual_stages(self.case_at(Stage.POLICE_SCREENING)),
            [Stage.CLOSED_NFA, Stage.SIGNPOSTED, Stage.POLICE_LED, Stage.REFERRED_TO_CHANNEL],
        )
        self.assertEqual(
            stages.next_stages(self.case_at(Stage.LISTED_FOR_PANEL)),
            [Stage.NOT_ADOPTED, Stage.DEFERRED, Stage.ADOPTED],
        )

    # --- post-exit reviews --------------------------------------------------------------------------

    def test_it_refuses_to_leave_the_six_month_review_stage_before_that_review_is_complete(self) -> None:
        case = make_case(owner=self.casey, stage=Stage.POST_EXIT_REVIEW_6)
        error = self.assertRefusedAndUnchanged(case, Stage.POST_EXIT_REVIEW_12)
        self.assertEqual(error.messages, ["Complete the 6-month post-exit review first."])

    def test_completing_the_twelve_month_review_early_does_not_unlock_the_six_month_stage(self) -> None:
        case = make_case(owner=self.casey, stage=Stage.POST_EXIT_REVIEW_6)
        later = Review.objects.get(case=case, kind=ReviewKind.POST_EXIT_12)
        Review.objects.filter(pk=later.pk).update(due_on=today())  # into its review window
        casework.complete_review(review=later, actor=self.casey, outcome="Seen early")
        self.assertRefusedAndUnchanged(case, Stage.POST_EXIT_REVIEW_12)

    def test_it_moves_on_from_the_six_month_stage_once_that_review_is_complete(self) -> None:
        case = make_case(owner=self.casey, stage=Stage.POST_EXIT_REVIEW_6)
        complete_post_exit_review(case, actor=self.casey)
        self.assertEqual(self.move(case, Stage.POST_EXIT_REVIEW_12).stage, Stage.POST_EXIT_REVIEW_12)

    def test_it_refuses_to_close_before_the_twelve_month_review_is_complete(self) -> None:
        case = make_case(owner=self.casey, stage=Stage.POST_EXIT_REVIEW_12)
        error = self.assertRefusedAndUnchanged(case, Stage.CLOSED)
        self.assertEqual(error.messages, ["Complete the 12-month post-exit review before closing the case."])
        complete_post_exit_review(case, actor=self.casey)
        # The closing report is needed too.
        error = self.assertRefusedAndUnchanged(case, Stage.CLOSED)
        self.assertEqual(error.messages, ["Write the closing report before closing the case."])
        write_closing_report(case)
        self.assertEqual(self.move(case, Stage.CLOSED).stage, Stage.CLOSED)

    def test_an_open_review_of_the_right_kind_is_not_enough(self) -> None:
        case = self.case_at(Stage.POST_EXIT_REVIEW_6)
        Review.objects.filter(case=case).delete()
        Review.objects.create(case=case, kind=ReviewKind.POST_EXIT_6, due_on=today())
        Review.objects.create(case=case, kind=ReviewKind.IN_PROGRAMME, due_on=today(), completed_on=today())
        self.assertRefusedAndUnchanged(case, Stage.POST_EXIT_REVIEW_12)
