"""The support delivery pages: a provider records a session of their own support; the owner revises, ends
or withdraws an element and reads its history; the plan shows the progress. The permission trio and the
audit rows each request wrote."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

from django.test import override_settings

from audit.models import AuditEntry, Outcome
from cases.models import Stage, SupportElement, SupportStatus
from cases.services import support
from partners.models import User
from tests.cases.helpers import make_case, panel_item, today
from tests.cases.support_helpers import SupportTestCase


def date_data(prefix: str, day: date) -> dict[str, str]:
    return {f"{prefix}_0": str(day.day), f"{prefix}_1": str(day.month), f"{prefix}_2": str(day.year)}


class SupportPagesTestCase(SupportTestCase):
    def setUp(self) -> None:
        super().setUp()
        self.base = f"/cases/{self.case.reference}/plan/{self.element.reference}/"

    def events(self, user: User) -> list[tuple[str, str]]:
        return list(
            AuditEntry.objects.filter(actor=user, case_reference=self.case.number)
            .order_by("id")
            .values_list("event", "outcome")
        )

    def session_data(self, **overrides: Any) -> dict[str, Any]:
        return {
            **date_data("held_on", today()),
            "attended": "yes",
            "note": "Went well.",
            "visibility": "everyone",
            **overrides,
        }

    def test_the_provider_records_a_session_from_the_plan(self) -> None:
        self.client.force_login(self.ivy)
        plan = self.client.get(f"/cases/{self.case.reference}/plan/")
        self.assertContains(plan, f"{self.base}sessions/new/")
        self.assertNotContains(plan, f"{self.base}end/")
        self.assertEqual(self.client.get(f"{self.base}sessions/new/").status_code, 200)
        response = self.client.post(f"{self.base}sessions/new/", self.session_data())
        self.assertRedirects(response, f"/cases/{self.case.reference}/plan/", fetch_redirect_response=False)
        self.assertEqual(self.element.sessions.get().recorded_by, self.ivy)
        self.assertEqual(
            self.events(self.ivy)[-3:],
            [
                ("case.record_session.form_opened", Outcome.ALLOWED),
                ("case.record_session", Outcome.ALLOWED),
                ("case.support_session_recorded", Outcome.ALLOWED),
            ],
        )
        page = self.client.get(f"/cases/{self.case.reference}/plan/")
        self.assertContains(page, "1 session recorded: 1 attended, 0 not attended.")
        self.assertContains(page, "Went well.")

    def test_a_refused_session_keeps_what_was_typed_and_says_why(self) -> None:
        self.client.force_login(self.ivy)
        data = self.session_data(**date_data("held_on", today() + timedelta(days=2)), note="Typed note kept")
        response = self.client.post(f"{self.base}sessions/new/", data)
        self.assertContains(response, "The session date cannot be in the future.", status_code=400)
        self.assertContains(response, "Typed note kept", status_code=400)
        self.assertFalse(self.element.sessions.exists())

    def test_the_trio_for_recording_a_session(self) -> None:
        # The chair sees the case but does not record sessions; another provider and another council do not see it.
        self.client.force_login(self.charlie)
        self.assertEqual(self.client.post(f"{self.base}sessions/new/", self.session_data()).status_code, 403)
        self.assertEqual(self.events(self.charlie)[-1], ("case.record_session", Outcome.DENIED))
        for user in (self.rory, self.olly):
            self.client.force_login(user)
            self.assertEqual(self.client.post(f"{self.base}sessions/new/", self.session_data()).status_code, 404)
            self.assertEqual(self.events(user)[-1], ("case.record_session", Outcome.DENIED))
        self.assertFalse(self.element.sessions.exists())

    def test_an_element_of_another_case_is_a_404(self) -> None:
        other = make_case(owner=self.casey, stage=Stage.SUPPORT_ACTIVE)
        stranger = self.mentoring(other, starts_days_ago=3)
        self.client.force_login(self.casey)
        url = f"/cases/{self.case.reference}/plan/{stranger.reference}/end/"
        self.assertEqual(self.client.post(url, {**date_data("on", today()), "reason": "Forged"}).status_code, 404)
        self.assertEqual(SupportElement.objects.get(pk=stranger.pk).status, SupportStatus.ACTIVE)

    def test_the_owner_revises_then_ends_and_reads_the_history(self) -> None:
        self.client.force_login(self.casey)
        self.assertContains(self.client.get(f"{self.base}revise/"), "Weekly on Tuesdays")
        data = {
            "support_type": self.element.support_type.pk,
            "provider": self.mentors.pk,
            "provider_user": self.ivy.pk,
            "how": "Weekly one-to-one sessions",
            "when": "Fortnightly on Tuesdays",
            "reason": "Agreed at the review",
        }
        self.assertRedirects(
            self.client.post(f"{self.base}revise/", data),
            f"/cases/{self.case.reference}/plan/",
            fetch_redirect_response=False,
        )
        refused = self.client.post(f"{self.base}end/", {**date_data("on", today()), "reason": ""})
        self.assertContains(refused, "Give the reason", status_code=400)
        self.client.post(f"{self.base}end/", {**date_data("on", today()), "reason": "Support complete"})
        self.element.refresh_from_db()
        self.assertEqual((self.element.status, self.element.when), (SupportStatus.ENDED, "Fortnightly on Tuesdays"))
        events = [event for event, _ in self.events(self.casey)]
        self.assertIn("case.support_revised", events)
        self.assertEqual(events[-2:], ["case.plan", "case.support_ended"])
        history = self.client.get(f"{self.base}history/")
        self.assertContains(history, "Agreed at the review")
        self.assertContains(history, "Support complete")
        self.assertContains(history, "Weekly on Tuesdays")  # the values before the revision
        # Ended support is no longer offered for change, and the form says why.
        plan = self.client.get(f"/cases/{self.case.reference}/plan/")
        self.assertNotContains(plan, f"{self.base}revise/")
        self.assertContains(plan, f"{self.base}history/")
        self.assertContains(self.client.get(f"{self.base}withdraw/"), "This support was ended on")

    def test_the_trio_for_ending_and_the_history(self) -> None:
        data = {**date_data("on", today()), "reason": "x"}
        self.client.force_login(self.ivy)
        self.assertEqual(self.client.post(f"{self.base}end/", data).status_code, 403)
        self.assertEqual(self.events(self.ivy)[-1], ("case.plan", Outcome.DENIED))
        self.assertEqual(self.client.get(f"{self.base}history/").status_code, 403)
        self.client.force_login(self.olly)
        self.assertEqual(self.client.post(f"{self.base}withdraw/", data).status_code, 404)
        self.assertEqual(self.events(self.olly)[-1], ("case.plan", Outcome.DENIED))
        self.assertEqual(self.client.get(f"{self.base}history/").status_code, 404)
        self.assertEqual(SupportElement.objects.get(pk=self.element.pk).status, SupportStatus.ACTIVE)

    @override_settings(STALLED_SUPPORT_DAYS=30)
    def test_the_plan_says_when_support_has_stalled(self) -> None:
        self.client.force_login(self.charlie)
        self.assertContains(self.client.get(f"/cases/{self.case.reference}/plan/"), "Stalled: no session since")
        support.record_session(element=self.element, actor=self.ivy, held_on=today(), attended=True)
        self.assertNotContains(self.client.get(f"/cases/{self.case.reference}/plan/"), "Stalled: no session since")


class MeetingModeProgressTestCase(SupportTestCase):
    @override_settings(STALLED_SUPPORT_DAYS=30)
    def test_the_chair_sees_each_elements_progress_in_meeting_mode(self) -> None:
        support.record_session(
            element=self.element, actor=self.ivy, held_on=today() - timedelta(days=40), attended=True
        )
        support.record_session(
            element=self.element, actor=self.ivy, held_on=today() - timedelta(days=33), attended=False
        )
        item = panel_item(self.case, chair=self.charlie)
        self.client.force_login(self.charlie)
        page = self.client.get(f"/cases/meetings/{item.meeting.reference}/items/{item.reference}/")
        self.assertContains(page, "Support plan progress")
        self.assertContains(page, "2 sessions recorded: 1 attended, 1 not attended.")
        last = today() - timedelta(days=33)
        self.assertContains(page, f"Stalled: no session since {last.day} {last:%b %Y}")
