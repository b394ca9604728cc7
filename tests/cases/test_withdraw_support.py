"""The panel withdraws support (CTSA 2015 s.36(4)(d)-(e)): the case waits for a re-assessment due after the
panel's period, its support ends, its provider loses the case at their next request, and the re-assessment
is tracked as the one a refused or withdrawn consent schedules."""

from __future__ import annotations

from datetime import timedelta

from django.core.exceptions import ValidationError

from audit.models import AuditEntry
from cases.models import (
    AgendaKind,
    Case,
    ConsentStatus,
    DecisionOutcome,
    Panel,
    Review,
    ReviewKind,
    Stage,
    StageChange,
    SupportChange,
    SupportElement,
    SupportElementVersion,
    SupportStatus,
)
from cases.services import casework, consent, meetings, stages
from partners.models import AgencyKind, Role
from tests.base import BaseTestCase
from tests.cases.helpers import decide, make_case, ref, set_stage, today
from tests.cases.meeting_helpers import plan_meeting
from tests.factories import make_agency, make_user


class WithdrawSupportTestCase(BaseTestCase):
    def setUp(self) -> None:
        self.mentors = make_agency(kind=AgencyKind.INTERVENTION_PROVIDER, name="Synthetic Mentoring Ltd", code="sm")
        # Morgan mentors the subject for Synthetic Mentoring.
        self.morgan = make_user(agency=self.mentors, role=Role.INTERVENTION_PROVIDER, username="morgan")
        self.case = make_case(owner=self.casey, stage=Stage.UNDER_REVIEW)
        self.open_ended = self.support(ends_on=None)
        self.ends_later = self.support(ends_on=today() + timedelta(days=60))
        self.ended = self.support(ends_on=today() - timedelta(days=5))

    def support(self, *, ends_on: object) -> SupportElement:
        return casework.add_support_element(
            case=self.case,
            actor=self.casey,
            support_type=ref("support_type", "ideological_mentoring"),
            provider=self.mentors,
            provider_user=self.morgan,
            how="Weekly mentoring",
            when="Tuesdays",
            starts_on=today() - timedelta(days=30),
            ends_on=ends_on,  # type: ignore[arg-type]
        )

    def withdraw(self, **overrides: object) -> Case:
        decide(self.case, DecisionOutcome.WITHDRAW, actor=self.charlie, **overrides)
        self.case.refresh_from_db()
        return self.case

    def test_withdrawing_support_schedules_the_reassessment_after_the_panels_period(self) -> None:
        Panel.objects.create(council=self.council, reassessment_after_weeks=8)
        case = self.withdraw()
        self.assertEqual(case.stage, Stage.REASSESSMENT_SCHEDULED)
        [review] = Review.objects.filter(case=case, kind=ReviewKind.REASSESSMENT)
        self.assertEqual((review.due_on, review.completed_on), (today() + timedelta(weeks=8), None))
        change = StageChange.objects.filter(case=case).last()
        assert change is not None
        self.assertEqual((change.from_stage, change.to_stage), (Stage.UNDER_REVIEW, Stage.REASSESSMENT_SCHEDULED))
        self.assertEqual(
            change.reason, f"Panel decision: Withdraw support: re-assessment due {review.due_on:%-d %B %Y}"
        )
        entry = AuditEntry.objects.get(event="case.reassessment_scheduled", case_reference=case.number)
        self.assertEqual((entry.additional_data["because"], entry.object_pk), ("support_withdrawn", str(review.pk)))
        decided = AuditEntry.objects.filter(event="case.decision_recorded", case_reference=case.number).latest("id")
        self.assertEqual(decided.additional_data["outcome"], "withdraw")
        # The walk's own element, the open-ended one and the one ending later; not the one already over.
        self.assertEqual(decided.additional_data["support_ended"], 3)

    def test_a_council_without_its_own_panel_works_to_the_default_period(self) -> None:
        case = self.withdraw()
        review = Review.objects.get(case=case, kind=ReviewKind.REASSESSMENT)
        self.assertEqual(review.due_on, today() + timedelta(weeks=Panel().reassessment_after_weeks))

    def test_the_panel_may_set_another_date_but_not_today_or_earlier(self) -> None:
        for day in (today(), today() - timedelta(days=1)):
            with self.subTest(day=day), self.assertRaisesMessage(ValidationError, "must be after today"):
                self.withdraw(reassessment_on=day)
        self.assertEqual(Case.objects.get(pk=self.case.pk).stage, Stage.UNDER_REVIEW)
        self.assertFalse(Review.objects.filter(case=self.case, kind=ReviewKind.REASSESSMENT).exists())
        self.assertEqual(SupportElement.objects.get(pk=self.open_ended.pk).ends_on, None)
        chosen = today() + timedelta(days=40)
        self.withdraw(reassessment_on=chosen)
        self.assertEqual(Review.objects.get(case=self.case, kind=ReviewKind.REASSESSMENT).due_on, chosen)

    def test_every_current_support_element_is_withdrawn_today_with_a_version_kept(self) -> None:
        self.withdraw()
        rows = SupportElement.objects.filter(plan__case=self.case).values_list("pk", "status", "ended_on")
        found = {pk: (status, ended_on) for pk, status, ended_on in rows}
        self.assertEqual(found[self.open_ended.pk], (SupportStatus.WITHDRAWN, today()))
        self.assertEqual(found[self.ends_later.pk], (SupportStatus.WITHDRAWN, today()))
        self.assertEqual(found[self.ended.pk], (SupportStatus.ACTIVE, None))  # already over: left alone
        versions = SupportElementVersion.objects.filter(element=self.open_ended)
        self.assertEqual([v.change for v in versions], [SupportChange.WITHDRAWN])
        self.assertEqual(
            AuditEntry.objects.filter(event="case.support_withdrawn", case_reference=self.case.number).count(), 3
        )

    def test_the_panels_decision_at_the_reassessment_completes_it(self) -> None:
        self.withdraw()
        stages.move_case(case=self.case, actor=self.casey, to=Stage.LISTED_FOR_PANEL, reason="Synthetic")
        review = Review.objects.get(case=self.case, kind=ReviewKind.REASSESSMENT)
        self.assertIsNone(review.completed_on)  # listed, not yet re-assessed: a cancelled meeting keeps it due
        decide(self.case, DecisionOutcome.ADOPT, actor=self.charlie)
        review.refresh_from_db()
        self.assertEqual((review.completed_on, review.outcome), (today(), "Panel decision: Adopt as a Channel case"))
        decided = AuditEntry.objects.filter(event="case.decision_recorded", case_reference=self.case.number).latest(
            "id"
        )
        self.assertEqual(decided.additional_data["reassessments_completed"], 1)

    def test_the_open_in_programme_review_is_completed_by_the_decision(self) -> None:
        review = Review.objects.get(case=self.case, kind=ReviewKind.IN_PROGRAMME, completed_on__isnull=True)
        self.withdraw()
        review.refresh_from_db()
        self.assertEqual((review.completed_on, review.outcome), (today(), "Panel decision: Withdraw support"))
        self.assertFalse(
            Review.objects.filter(case=self.case, kind=ReviewKind.IN_PROGRAMME, completed_on__isnull=True).exists()
        )

    def test_the_provider_gets_404_at_their_next_request(self) -> None:
        self.client.force_login(self.morgan)
        url = f"/cases/{self.case.reference}/"
        self.assertEqual(self.client.get(url).status_code, 200)
        self.withdraw()
        self.assertEqual(self.client.get(url).status_code, 404)
        self.assertEqual(self.client.get(f"/cases/{self.case.reference}/plan/").status_code, 404)

    def test_the_case_page_tracks_the_reassessment_and_says_when_it_is_overdue(self) -> None:
        self.withdraw()
        review = Review.objects.get(case=self.case, kind=ReviewKind.REASSESSMENT)
        self.client.force_login(self.casey)
        page = self.client.get(f"/cases/{self.case.reference}/")
        self.assertContains(page, f"Re-assessment due {review.due_on:%-d %B %Y}")
        self.assertNotContains(page, "Overdue")
        Review.objects.filter(pk=review.pk).update(due_on=today() - timedelta(days=3))
        page = self.client.get(f"/cases/{self.case.reference}/")
        self.assertContains(page, f"Re-assessment due {today() - timedelta(days=3):%-d %B %Y}")
        self.assertContains(page, "Overdue")

    def test_the_case_goes_back_on_an_agenda_for_its_reassessment(self) -> None:
        self.withdraw()
        meeting = plan_meeting(organiser=self.casey, chair=self.charlie)
        candidates = dict(meetings.agenda_candidates(cases=Case.objects.all(), meeting=meeting))
        self.assertIn(self.case, candidates[AgendaKind.REASSESSMENT])

    def test_withdrawn_consent_makes_the_same_tracked_record(self) -> None:
        other = make_case(owner=self.casey, stage=Stage.UNDER_REVIEW)
        due = today() + timedelta(weeks=12)
        consent.record_consent(
            case=other,
            actor=self.casey,
            status=ConsentStatus.WITHDRAWN,
            consenting=None,
            method="Phone call",
            requested_by=self.casey,
            requested_on=today(),
            on=today(),
            reassessment_on=due,
        )
        self.withdraw()

        def record(case: Case) -> tuple[object, ...]:
            case.refresh_from_db()
            review = Review.objects.get(case=case, kind=ReviewKind.REASSESSMENT)
            entry = AuditEntry.objects.get(event="case.reassessment_scheduled", case_reference=case.number)
            return case.stage, review.due_on, review.completed_on, entry.object_pk == str(review.pk)

        self.assertEqual(record(other), record(self.case))
        self.assertEqual(
            AuditEntry.objects.get(event="case.reassessment_scheduled", case_reference=other.number).additional_data[
                "because"
            ],
            "consent_withdrawn",
        )

    def test_withdrawn_consent_withdraws_the_support_for_good_and_closes_the_review(self) -> None:
        review = Review.objects.get(case=self.case, kind=ReviewKind.IN_PROGRAMME, completed_on__isnull=True)
        consent.record_consent(
            case=self.case,
            actor=self.casey,
            status=ConsentStatus.WITHDRAWN,
            consenting=None,
            method="Phone call",
            requested_by=self.casey,
            requested_on=today(),
            on=today(),
            reassessment_on=today() + timedelta(weeks=12),
        )
        statuses = dict(SupportElement.objects.filter(plan__case=self.case).values_list("pk", "status"))
        self.assertEqual(statuses[self.open_ended.pk], SupportStatus.WITHDRAWN)
        self.assertEqual(statuses[self.ends_later.pk], SupportStatus.WITHDRAWN)
        review.refresh_from_db()
        self.assertEqual(review.completed_on, today())
        entry = AuditEntry.objects.get(event="case.reassessment_scheduled", case_reference=self.case.number)
        self.assertEqual(entry.additional_data["reviews_closed"], 1)
        # Adopted again and back at consent sought, the withdrawn support stays withdrawn: the provider
        # does not see the case again before new consent and a new plan.
        set_stage(self.case, Stage.CONSENT_SOUGHT)
        self.client.force_login(self.morgan)
        self.assertEqual(self.client.get(f"/cases/{self.case.reference}/").status_code, 404)

    def test_withdrawal_is_decided_only_at_a_review(self) -> None:
        active = make_case(owner=self.casey, stage=Stage.SUPPORT_ACTIVE)
        with self.assertRaisesMessage(ValidationError, "'Withdraw support' cannot be decided for a case at"):
            decide(active, DecisionOutcome.WITHDRAW, actor=self.charlie)
