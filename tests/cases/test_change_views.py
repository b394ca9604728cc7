"""The pages that change a case: permission trio, forged input refused, audit rows written."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

from audit.models import AuditEntry, Outcome
from cases.models import Action, Case, ConsentStatus, ReferenceValue, Review, Stage, StageChange
from tests.base import BaseTestCase
from tests.cases.helpers import panel_item
from tests.factories import make_case


def _date(prefix: str, day: date) -> dict[str, str]:
    return {f"{prefix}_0": str(day.day), f"{prefix}_1": str(day.month), f"{prefix}_2": str(day.year)}


class ChangeViewsTestCase(BaseTestCase):
    def setUp(self) -> None:
        self.case = make_case(owner=self.casey)

    def at(self, stage: Stage) -> Case:
        Case.objects.filter(pk=self.case.pk).update(stage=stage)
        self.case.refresh_from_db()
        return self.case

    def post(self, user: Any, path: str, data: dict[str, Any]) -> Any:
        self.client.force_login(user)
        return self.client.post(f"/cases/{self.case.reference}/{path}", data)

    def test_the_coordinator_moves_the_case_and_it_is_recorded(self) -> None:
        response = self.post(self.casey, "move/", {"to": "police_screening", "reason": "To police"})
        self.assertRedirects(response, f"/cases/{self.case.reference}/")
        self.case.refresh_from_db()
        self.assertEqual(self.case.stage, Stage.POLICE_SCREENING)
        self.assertTrue(AuditEntry.objects.filter(event="case.move", actor=self.casey).exists())
        self.assertTrue(AuditEntry.objects.filter(event="case.stage_changed", case_reference=self.case.number).exists())

    def test_opening_the_move_form_is_recorded_apart_from_moving_the_case(self) -> None:
        # Issue 15 finding 2: "case.move ... Allowed" for a GET read as "the case was moved".
        self.client.force_login(self.casey)
        first = AuditEntry.objects.order_by("-id").values_list("id", flat=True).first() or 0
        self.assertEqual(self.client.get(f"/cases/{self.case.reference}/move/").status_code, 200)
        opened = list(AuditEntry.objects.filter(id__gt=first, event__startswith="case.").values_list("event", "method"))
        self.assertEqual(opened, [("case.move.form_opened", "GET")])
        self.post(self.casey, "move/", {"to": "police_screening", "reason": "To police"})
        sent = list(
            AuditEntry.objects.filter(id__gt=first, method="POST", event__startswith="case.")
            .order_by("id")
            .values_list("event")
        )
        self.assertEqual(sent, [("case.move",), ("case.stage_changed",)])

    def test_a_forged_stage_is_refused_with_an_error_summary_and_changes_nothing(self) -> None:
        for forged in ("support_active", "closed", "adopted", "nonsense"):
            response = self.post(self.casey, "move/", {"to": forged, "reason": "Forged"})
            self.assertEqual(response.status_code, 400, forged)
            self.assertContains(response, "govuk-error-summary", status_code=400)
        self.case.refresh_from_db()
        self.assertEqual(self.case.stage, Stage.RECEIVED)
        self.assertEqual(StageChange.objects.filter(case=self.case).count(), 1)

    def test_a_refused_transition_shows_the_rule(self) -> None:
        self.at(Stage.POLICE_SCREENING)
        response = self.post(self.casey, "screen/", {"to": "referred_to_channel", "reason": "Not police"})
        self.assertEqual(response.status_code, 403)
        self.client.force_login(self.casey)
        response = self.post(self.casey, "move/", {"to": "referred_to_channel", "reason": "Not police"})
        self.assertEqual(response.status_code, 400)
        self.assertContains(response, "Only a police decision", status_code=400)
        self.case.refresh_from_db()
        self.assertEqual(self.case.stage, Stage.POLICE_SCREENING)

    def test_police_screen_the_case_to_channel(self) -> None:
        self.at(Stage.POLICE_SCREENING)
        response = self.post(self.pat, "screen/", {"to": "referred_to_channel", "reason": "Suitable"})
        self.assertEqual(response.status_code, 302)
        self.case.refresh_from_db()
        self.assertEqual(self.case.stage, Stage.REFERRED_TO_CHANNEL)

    def test_strangers_get_404_on_every_change_page(self) -> None:
        paths = [
            "move/",
            "screen/",
            "notes/new/",
            "assessment/new/",
            "consent/",
            "decision/",
            "plan/new/",
            "actions/new/",
            "reviews/new/",
        ]
        for user in (self.olly, self.harper, self.audrey):
            self.client.force_login(user)
            for path in paths:
                self.assertEqual(self.client.get(f"/cases/{self.case.reference}/{path}").status_code, 404, path)
                self.assertEqual(self.client.post(f"/cases/{self.case.reference}/{path}", {}).status_code, 404, path)
        self.assertEqual(
            AuditEntry.objects.filter(outcome=Outcome.DENIED, event__startswith="case.").count(), 3 * len(paths) * 2
        )

    def test_notes_are_added_with_their_visibility(self) -> None:
        response = self.post(self.pat, "notes/new/", {"text": "Police note", "visibility": "originator"})
        self.assertRedirects(response, f"/cases/{self.case.reference}/chronology/")
        note = self.case.notes.get()
        self.assertEqual((note.originator_agency, note.visibility), (self.police_force, "originator"))
        self.client.force_login(self.casey)
        self.assertNotContains(self.client.get(f"/cases/{self.case.reference}/chronology/"), "Police note")
        self.client.force_login(self.pat)
        self.assertContains(self.client.get(f"/cases/{self.case.reference}/chronology/"), "Police note")

    def test_the_decision_page_sends_the_chair_to_the_cases_meeting_item_and_others_get_403(self) -> None:
        self.at(Stage.LISTED_FOR_PANEL)
        self.assertEqual(self.post(self.casey, "decision/", {}).status_code, 403)
        self.assertEqual(self.post(self.pat, "decision/", {}).status_code, 403)
        self.client.force_login(self.charlie)
        response = self.client.get(f"/cases/{self.case.reference}/decision/")
        self.assertContains(response, "Decisions are taken at a panel meeting")
        item = panel_item(self.case, chair=self.charlie)
        response = self.client.get(f"/cases/{self.case.reference}/decision/")
        self.assertRedirects(
            response, f"/cases/meetings/{item.meeting.reference}/items/{item.reference}/", fetch_redirect_response=False
        )
        self.assertEqual(
            list(
                AuditEntry.objects.filter(actor=self.charlie, event__startswith="case.").values_list("event", "outcome")
            ),
            [("case.decide.form_opened", Outcome.ALLOWED), ("case.decide.form_opened", Outcome.ALLOWED)],
        )

    def test_consent_support_plan_actions_and_reviews(self) -> None:
        self.at(Stage.CONSENT_SOUGHT)
        today = date.today()
        response = self.post(
            self.casey,
            "consent/",
            {
                "status": ConsentStatus.GIVEN,
                "capacity": "not_in_question",
                "requested_by": self.casey.pk,
                "method": "Home visit",
                **_date("requested_on", today),
                **_date("on", today),
            },
        )
        self.assertEqual(response.status_code, 302)
        support = ReferenceValue.objects.get(list_name="support_type", code="education")
        response = self.post(
            self.casey,
            "plan/new/",
            {
                "support_type": support.pk,
                "provider": self.health.pk,
                "how": "Weekly sessions",
                "when": "Weekly for 12 weeks",
                **_date("starts_on", today),
            },
        )
        self.assertEqual(response.status_code, 302)
        response = self.post(self.casey, "move/", {"to": "support_active", "reason": "Consent and plan in place"})
        self.assertEqual(response.status_code, 302)
        self.case.refresh_from_db()
        self.assertEqual(self.case.stage, Stage.SUPPORT_ACTIVE)

        response = self.post(
            self.casey,
            "actions/new/",
            {
                "description": "Book mentor",
                "owner_agency": self.council.pk,
                **_date("due_on", today + timedelta(days=7)),
            },
        )
        self.assertEqual(response.status_code, 302)
        action = Action.objects.get()
        self.assertEqual(self.post(self.casey, f"actions/{action.reference}/done/", {}).status_code, 302)
        action.refresh_from_db()
        self.assertEqual(action.status, "done")

        self.assertEqual(self.post(self.casey, "reviews/new/", _date("due_on", today)).status_code, 302)
        review = Review.objects.get()
        response = self.post(self.casey, f"reviews/{review.reference}/done/", {"outcome": "Engaging well"})
        self.assertEqual(response.status_code, 302)
        review.refresh_from_db()
        self.assertIsNotNone(review.completed_on)

    def test_items_of_another_case_are_404(self) -> None:
        other = make_case(owner=self.casey)
        Case.objects.filter(pk=other.pk).update(stage=Stage.SUPPORT_ACTIVE)
        from cases.services import casework

        item = casework.add_action(
            case=other, actor=self.casey, description="Other", owner_agency=self.council, due_on=date.today()
        )
        self.assertEqual(self.post(self.casey, f"actions/{item.reference}/done/", {}).status_code, 404)
        item.refresh_from_db()
        self.assertEqual(item.status, "open")
