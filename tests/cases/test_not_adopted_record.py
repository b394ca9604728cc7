"""A case the panel does not adopt gets its CTSA 2015 s.36(6) record: where it goes instead, whether a
health or social care referral was made, to which service (with an action to make it) or why not; shown
in words in meeting mode, the minutes (on screen and in the PDF) and the case page."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from django.core.exceptions import ValidationError

from audit.models import AuditEntry
from cases.models import (
    Action,
    AgendaItem,
    CareService,
    Case,
    Decision,
    DecisionOutcome,
    HowReached,
    NotAdoptedRoute,
    Stage,
)
from cases.services import decisions, meetings
from cases.services.decisions import working_days_after
from sharing.access import minutes_copies
from tests.base import BaseTestCase
from tests.cases.helpers import decide, make_case, panel_item, today
from tests.cases.meeting_helpers import attend, on_agenda, plan_meeting
from tests.cases.test_minutes_pdf import pdf_text

NAME = "Testshire Adult Services (synthetic)"
WHY = "Already supported by the school's pastoral team."


def _date(prefix: str, day: Any) -> dict[str, str]:
    return {f"{prefix}_0": str(day.day), f"{prefix}_1": str(day.month), f"{prefix}_2": str(day.year)}


class NotAdoptedRecordTestCase(BaseTestCase):
    def setUp(self) -> None:
        self.case = make_case(owner=self.casey, stage=Stage.LISTED_FOR_PANEL)
        self.item = panel_item(self.case, chair=self.charlie)

    def decide(self, **record: Any) -> Decision:
        return decisions.record_decision(
            case=self.case,
            actor=self.charlie,
            agenda_item=self.item,
            outcome=DecisionOutcome.NOT_ADOPT,
            how_reached=HowReached.UNANIMOUS,
            rationale="Not susceptible; needs met elsewhere.",
            **record,
        )

    def made(self, **overrides: Any) -> dict[str, Any]:
        return {
            "not_adopted_route": NotAdoptedRoute.SIGNPOSTED,
            "health_or_social_care_referral": True,
            "referral_service": CareService.ADULT_SOCIAL_CARE,
            "referral_service_name": NAME,
            **overrides,
        }

    def not_made(self, **overrides: Any) -> dict[str, Any]:
        return {
            "not_adopted_route": NotAdoptedRoute.NO_FURTHER_ACTION,
            "health_or_social_care_referral": False,
            "no_referral_reason": WHY,
            **overrides,
        }

    def assertRefused(self, message: str, **record: Any) -> None:
        with self.assertRaisesMessage(ValidationError, message):
            self.decide(**record)
        self.assertEqual(Case.objects.get(pk=self.case.pk).stage, Stage.LISTED_FOR_PANEL)
        self.assertFalse(Decision.objects.filter(case=self.case).exists())
        self.assertFalse(Action.objects.filter(case=self.case).exists())

    def test_each_route_is_recorded_and_audited_as_a_code(self) -> None:
        for route in NotAdoptedRoute:
            with self.subTest(route=route.value):
                self.setUp()
                decision = self.decide(**self.not_made(not_adopted_route=route))
                decision.refresh_from_db()
                self.assertEqual(decision.not_adopted_route, route)
                self.assertEqual(decision.not_adopted_in_words[0], f"{route.label}.")
                entry = AuditEntry.objects.filter(event="case.decision_recorded", case_reference=self.case.number).get()
                self.assertEqual(
                    entry.additional_data,
                    {"outcome": "not_adopt", "how": "unanimous", "route": route.value, "referral": "not_made"},
                )

    def test_a_referral_made_names_the_service_and_creates_the_action_to_make_it(self) -> None:
        decision = self.decide(**self.made())
        decision.refresh_from_db()
        self.assertEqual((decision.referral_service, decision.referral_service_name), ("adult_social_care", NAME))
        self.assertEqual(decision.no_referral_reason, "")
        action = decision.referral_action
        assert action is not None
        self.assertEqual(action.owner_agency, self.council)
        self.assertEqual(action.due_on, working_days_after(today(), 10))
        self.assertEqual(action.agenda_item, self.item)
        self.assertIn("adult social care", action.description)
        self.assertIn(NAME, action.description)
        self.assertEqual(
            decision.not_adopted_in_words,
            [
                "Signposted to other services.",
                f"A health or social care referral was made to adult social care ({NAME}).",
            ],
        )
        entries = AuditEntry.objects.filter(case_reference=self.case.number)
        decided = entries.get(event="case.decision_recorded")
        self.assertEqual(decided.additional_data["service"], "adult_social_care")
        self.assertEqual(entries.filter(event="case.action_added", object_pk=str(action.pk)).count(), 1)
        # The service's name is typed text: it never reaches the audit log.
        self.assertFalse(any(NAME in str(entry.additional_data) for entry in entries))

    def test_the_panel_may_give_the_date_to_make_the_referral_by(self) -> None:
        decision = self.decide(**self.made(referral_due_on=today() + timedelta(days=3)))
        assert decision.referral_action is not None
        self.assertEqual(decision.referral_action.due_on, today() + timedelta(days=3))

    def test_ten_working_days_skip_weekends(self) -> None:
        from datetime import date

        self.assertEqual(working_days_after(date(2027, 3, 5), 10), date(2027, 3, 19))  # Friday to Friday
        self.assertEqual(working_days_after(date(2027, 3, 6), 1), date(2027, 3, 8))  # Saturday to Monday

    def test_no_referral_made_records_why_and_creates_no_action(self) -> None:
        decision = self.decide(**self.not_made())
        decision.refresh_from_db()
        self.assertEqual((decision.health_or_social_care_referral, decision.no_referral_reason), (False, WHY))
        self.assertIsNone(decision.referral_action)
        self.assertFalse(Action.objects.filter(case=self.case).exists())
        self.assertEqual(
            decision.not_adopted_in_words,
            ["No further action.", f"No health or social care referral was made: {WHY.rstrip('.')}."],
        )

    def test_an_incomplete_record_is_refused_and_changes_nothing(self) -> None:
        self.assertRefused("record whether a health or social care referral was made", not_adopted_route="signposted")
        self.assertRefused("record what happens next", **self.not_made(not_adopted_route=None))
        self.assertRefused(
            "Say why no health or social care referral was made", **self.not_made(no_referral_reason=" ")
        )
        self.assertRefused("Say which service", **self.made(referral_service=None))
        self.assertRefused("Give the name of the service", **self.made(referral_service_name=""))
        self.assertRefused("cannot be in the past", **self.made(referral_due_on=today() - timedelta(days=1)))


class NotAdoptedPagesTestCase(BaseTestCase):
    """Meeting mode asks the s.36(6) questions only where 'Do not adopt' can be chosen, and the record is
    shown in words wherever the decision is."""

    def setUp(self) -> None:
        self.meeting = plan_meeting(organiser=self.casey, chair=self.charlie)
        self.listed = make_case(owner=self.casey, stage=Stage.LISTED_FOR_PANEL)
        self.reviewed = make_case(owner=self.casey, stage=Stage.UNDER_REVIEW)
        self.item, self.review_item = on_agenda(self.meeting, self.listed, self.reviewed, actor=self.casey)
        attend(self.meeting, self.charlie, self.pat, actor=self.casey)
        self.client.force_login(self.charlie)

    def url(self, item: AgendaItem, suffix: str = "") -> str:
        return f"/cases/meetings/{self.meeting.reference}/items/{item.reference}/{suffix}"

    def test_the_questions_are_asked_only_where_not_adopting_can_be_chosen(self) -> None:
        page = self.client.get(self.url(self.item))
        self.assertContains(page, "If not adopted: what happens next?")
        self.assertContains(page, "If no referral was made: why not?")
        self.assertNotContains(page, "If withdrawing support")
        page = self.client.get(self.url(self.review_item))
        self.assertNotContains(page, "If not adopted")
        self.assertContains(page, "If withdrawing support: re-assessment due")
        self.assertContains(page, "Withdraw support")

    def test_recording_a_referral_in_meeting_mode_adds_its_action_and_shows_it_in_words(self) -> None:
        data = {
            "outcome": "not_adopt",
            "how_reached": "unanimous",
            "rationale": "Needs met elsewhere.",
            "not_adopted_route": "police_led",
            "health_or_social_care_referral": "yes",
            "referral_service": "health",
            "referral_service_name": "Testshire GP practice (synthetic)",
            **_date("referral_due_on", today() + timedelta(days=5)),
        }
        response = self.client.post(self.url(self.item, "decision/"), data)
        self.assertRedirects(response, self.url(self.item))
        decision = Decision.objects.get(agenda_item=self.item)
        assert decision.referral_action is not None
        self.assertEqual(decision.referral_action.due_on, today() + timedelta(days=5))
        words = "A health or social care referral was made to health services (Testshire GP practice (synthetic))."
        page = self.client.get(self.url(self.item))
        self.assertContains(page, "Returned to police-led work.")
        self.assertContains(page, words)
        self.assertContains(page, "Make the referral to health services agreed at panel")
        minutes = self.client.get(f"/cases/meetings/{self.meeting.reference}/minutes/")
        self.assertContains(minutes, "Returned to police-led work.")
        self.assertContains(minutes, words)
        self.client.force_login(self.casey)
        reviews_tab = self.client.get(f"/cases/{self.listed.reference}/reviews/")
        self.assertContains(reviews_tab, words)

    def test_a_refused_record_is_shown_on_the_form_with_what_was_typed(self) -> None:
        data = {
            "outcome": "not_adopt",
            "how_reached": "unanimous",
            "rationale": "Kept rationale.",
            "not_adopted_route": "signposted",
            "health_or_social_care_referral": "no",
        }
        response = self.client.post(self.url(self.item, "decision/"), data)
        self.assertContains(response, "Say why no health or social care referral was made", status_code=400)
        self.assertContains(response, "Kept rationale.", status_code=400)
        self.assertEqual(Case.objects.get(pk=self.listed.pk).stage, Stage.LISTED_FOR_PANEL)

    def test_withdrawing_support_in_meeting_mode_takes_the_date_given(self) -> None:
        due = today() + timedelta(days=50)
        data = {
            "outcome": "withdraw",
            "how_reached": "unanimous",
            "rationale": "Not engaging; support is not working.",
            **_date("reassessment_on", due),
        }
        response = self.client.post(self.url(self.review_item, "decision/"), data)
        self.assertRedirects(response, self.url(self.review_item))
        case = Case.objects.get(pk=self.reviewed.pk)
        self.assertEqual(case.stage, Stage.REASSESSMENT_SCHEDULED)
        self.assertEqual(case.reviews.get(kind="reassessment").due_on, due)

    def test_the_pdf_minutes_give_the_record_in_words(self) -> None:
        decisions.record_decision(
            case=self.listed,
            actor=self.charlie,
            agenda_item=self.item,
            outcome=DecisionOutcome.NOT_ADOPT,
            how_reached=HowReached.UNANIMOUS,
            rationale="Needs met elsewhere.",
            not_adopted_route=NotAdoptedRoute.NO_FURTHER_ACTION,
            health_or_social_care_referral=False,
            no_referral_reason="Already known to the GP",
        )
        decide(self.reviewed, DecisionOutcome.CONTINUE_SUPPORT, actor=self.charlie, agenda_item=self.review_item)
        people = meetings.present_attendees(self.meeting)
        meetings.approve_minutes(meeting=self.meeting, actor=self.charlie, copies=minutes_copies(self.meeting, people))
        pdf = self.client.get(f"/cases/meetings/{self.meeting.reference}/minutes.pdf")
        text = " ".join(pdf_text(pdf.content).split())
        self.assertIn("No further action.", text)
        self.assertIn("No health or social care referral was made: Already known to the GP.", text)
