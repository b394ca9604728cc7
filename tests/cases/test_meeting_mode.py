"""Meeting mode: the chair steps through the agenda and records each decision, its actions and the
discussion. Decisions move the case through the stage machine; without quorum they are refused."""

from __future__ import annotations

import re
from datetime import timedelta
from typing import Any

from django.core.exceptions import ValidationError
from django.utils import timezone

from audit.models import AuditEntry, Outcome
from cases.models import Action, AgendaItem, Case, Decision, DecisionOutcome, Review, ReviewKind, Stage
from cases.services import casework, meetings
from tests.base import BaseTestCase
from tests.cases.helpers import make_case, ref
from tests.cases.meeting_helpers import attend, begin, on_agenda, plan_meeting

# Each decision, the stage it is taken at, the stage it moves the case to, and extra form fields.
DECISIONS: list[tuple[DecisionOutcome, Stage, Stage, dict[str, str]]] = [
    (DecisionOutcome.ADOPT, Stage.LISTED_FOR_PANEL, Stage.ADOPTED, {}),
    (
        DecisionOutcome.NOT_ADOPT,
        Stage.LISTED_FOR_PANEL,
        Stage.NOT_ADOPTED,
        {
            "not_adopted_route": "no_further_action",
            "health_or_social_care_referral": "no",
            "no_referral_reason": "Already supported by the school.",
        },
    ),
    (DecisionOutcome.DEFER, Stage.LISTED_FOR_PANEL, Stage.DEFERRED, {}),
    (DecisionOutcome.CONTINUE_SUPPORT, Stage.UNDER_REVIEW, Stage.SUPPORT_ACTIVE, {}),
    (DecisionOutcome.EXIT, Stage.UNDER_REVIEW, Stage.EXITED, {}),
]


def _date(prefix: str, day: Any) -> dict[str, str]:
    return {f"{prefix}_0": str(day.day), f"{prefix}_1": str(day.month), f"{prefix}_2": str(day.year)}


class MeetingModeTestCase(BaseTestCase):
    def setUp(self) -> None:
        self.meeting = plan_meeting(organiser=self.casey, chair=self.charlie)
        self.cases = {outcome: make_case(owner=self.casey, stage=source) for outcome, source, _, _ in DECISIONS}
        self.items = {
            outcome: item
            for outcome, item in zip(
                self.cases, on_agenda(self.meeting, *self.cases.values(), actor=self.casey), strict=True
            )
        }
        meetings.invite(meeting=self.meeting, actor=self.casey, agency=self.police_force)
        attend(self.meeting, self.charlie, self.pat, actor=self.casey)

    def url(self, item: AgendaItem, path: str = "") -> str:
        return f"/cases/meetings/{self.meeting.reference}/items/{item.reference}/{path}"

    def decision_data(self, outcome: DecisionOutcome, extra: dict[str, str]) -> dict[str, str]:
        data = {"outcome": outcome.value, "how_reached": "unanimous", "rationale": "Synthetic rationale."}
        if outcome == DecisionOutcome.EXIT:
            data["exit_reason"] = str(ref("exit_reason", "vulnerability_reduced").pk)
        return {**data, **extra}

    def test_each_decision_moves_the_case(self) -> None:
        self.client.force_login(self.charlie)
        for outcome, _, target, extra in DECISIONS:
            with self.subTest(outcome=outcome.value):
                item = self.items[outcome]
                response = self.client.post(self.url(item, "decision/"), self.decision_data(outcome, extra))
                self.assertRedirects(response, self.url(item))
                case = Case.objects.get(pk=self.cases[outcome].pk)
                self.assertEqual(case.stage, target)
                self.assertEqual(Decision.objects.get(agenda_item=item).outcome, outcome)
        exited = self.cases[DecisionOutcome.EXIT]
        scheduled = set(Review.objects.filter(case=exited, completed_on__isnull=True).values_list("kind", flat=True))
        self.assertEqual(scheduled, {ReviewKind.POST_EXIT_6, ReviewKind.POST_EXIT_12})

    def test_a_not_adopted_decision_needs_the_health_or_social_care_answer(self) -> None:
        self.client.force_login(self.charlie)
        item = self.items[DecisionOutcome.NOT_ADOPT]
        response = self.client.post(self.url(item, "decision/"), self.decision_data(DecisionOutcome.NOT_ADOPT, {}))
        self.assertContains(response, "health or social care referral", status_code=400)
        self.assertEqual(Case.objects.get(pk=item.case_id).stage, Stage.LISTED_FOR_PANEL)

    def test_a_majority_decision_records_the_votes(self) -> None:
        self.client.force_login(self.charlie)
        item = self.items[DecisionOutcome.ADOPT]
        data = self.decision_data(
            DecisionOutcome.ADOPT, {"how_reached": "majority", "votes_for": "5", "votes_against": "2"}
        )
        self.client.post(self.url(item, "decision/"), data)
        decision = Decision.objects.get(agenda_item=item)
        self.assertEqual((decision.how_reached, decision.votes_for, decision.votes_against), ("majority", 5, 2))

    def test_without_police_for_the_area_the_decision_is_refused_with_the_reason(self) -> None:
        meetings.record_attendance(meeting=self.meeting, actor=self.charlie, present=[self.charlie])
        self.client.force_login(self.charlie)
        item = self.items[DecisionOutcome.ADOPT]
        page = self.client.get(self.url(item))
        self.assertContains(page, "The panel cannot decide on this case yet")
        response = self.client.post(self.url(item, "decision/"), self.decision_data(DecisionOutcome.ADOPT, {}))
        self.assertContains(
            response, "A panel decision needs a police representative for Testshire present", status_code=400
        )
        self.assertFalse(Decision.objects.filter(agenda_item=item).exists())

    def test_actions_agreed_at_the_item_are_created_for_the_case(self) -> None:
        self.client.force_login(self.charlie)
        item = self.items[DecisionOutcome.ADOPT]
        due = timezone.localdate() + timedelta(days=14)
        data = {
            "description": "Seek consent at a home visit",
            "owner_agency": str(self.council.pk),
            "owner_user": str(self.casey.pk),
            **_date("due_on", due),
        }
        response = self.client.post(self.url(item, "actions/"), data)
        self.assertRedirects(response, self.url(item))
        action = Action.objects.get(agenda_item=item)
        self.assertEqual(
            (action.case_id, action.owner_agency, action.owner_user, action.due_on, action.created_by),
            (item.case_id, self.council, self.casey, due, self.charlie),
        )
        self.assertContains(self.client.get(self.url(item)), "Seek consent at a home visit")
        self.assertTrue(AuditEntry.objects.filter(event="case.action_added", case_reference=item.case.number).exists())

    def test_an_action_owner_must_belong_to_the_owning_agency(self) -> None:
        item = self.items[DecisionOutcome.ADOPT]
        with self.assertRaisesMessage(ValidationError, "must belong to the owning agency"):
            casework.add_action(
                case=item.case,
                actor=self.charlie,
                description="Share the GP's view",
                owner_agency=self.health,
                owner_user=self.casey,
                due_on=timezone.localdate(),
                agenda_item=item,
            )

    def test_the_discussion_is_recorded_for_the_minutes_without_auditing_its_text(self) -> None:
        self.client.force_login(self.charlie)
        item = self.items[DecisionOutcome.DEFER]
        response = self.client.post(self.url(item, "discussion/"), {"discussion": "Zebedee's school shared records"})
        self.assertRedirects(response, self.url(item))
        item.refresh_from_db()
        self.assertEqual(item.discussion, "Zebedee's school shared records")
        entry = AuditEntry.objects.get(event="meeting.discussion_recorded")
        self.assertNotIn("Zebedee", f"{entry.additional_data} {entry.object_repr}")

    def test_the_chair_steps_through_the_agenda(self) -> None:
        self.client.force_login(self.charlie)
        items = list(self.items.values())
        first = self.client.get(self.url(items[0]))
        self.assertContains(first, f"item 1 of {len(items)}")
        self.assertContains(first, self.url(items[1]))
        last = self.client.get(self.url(items[-1]))
        self.assertContains(last, f"/cases/meetings/{self.meeting.reference}/minutes/")

    def test_permission_trio_and_audit(self) -> None:
        item = self.items[DecisionOutcome.ADOPT]
        data = self.decision_data(DecisionOutcome.ADOPT, {})
        self.client.force_login(self.pat)  # invited, but only the chair runs the meeting
        self.assertEqual(self.client.post(self.url(item, "decision/"), data).status_code, 403)
        self.client.force_login(self.olly)
        self.assertEqual(self.client.post(self.url(item, "decision/"), data).status_code, 404)
        self.client.force_login(self.charlie)
        mark = AuditEntry.objects.order_by("-id").values_list("id", flat=True).first()
        self.assertEqual(self.client.post(self.url(item, "decision/"), data).status_code, 302)
        written = list(
            AuditEntry.objects.filter(id__gt=mark).order_by("id").values_list("event", "outcome", "case_reference")
        )
        number = item.case.number
        self.assertEqual(
            written,
            [
                ("meeting.chair_meeting", Outcome.ALLOWED, ""),
                ("case.decide", Outcome.ALLOWED, number),
                ("case.decision_recorded", Outcome.ALLOWED, number),
                ("case.stage_changed", Outcome.ALLOWED, number),
            ],
        )
        denied = AuditEntry.objects.filter(event="meeting.chair_meeting", outcome=Outcome.DENIED)
        self.assertEqual(set(denied.values_list("actor__username", flat=True)), {"pat", "olly"})

    def test_an_item_of_another_meeting_is_not_found(self) -> None:
        other = plan_meeting(organiser=self.casey, chair=self.charlie, days_ahead=30)
        [stray] = on_agenda(other, make_case(owner=self.casey, stage=Stage.LISTED_FOR_PANEL), actor=self.casey)
        self.client.force_login(self.charlie)
        self.assertEqual(self.client.get(self.url(stray)).status_code, 404)

    # --- issue 15, finding 6 ----------------------------------------------------------------------------

    def test_owners_are_people_by_full_name_grouped_by_agency_and_never_another_councils(self) -> None:
        self.client.force_login(self.charlie)
        page = self.client.get(self.url(self.items[DecisionOutcome.ADOPT]))
        self.assertContains(page, '<optgroup label="Testshire Council">')
        self.assertContains(page, f">{self.casey.get_full_name()}</option>")
        self.assertContains(page, f">{self.harper.get_full_name()}</option>")
        self.assertNotContains(page, ">casey</option>")
        self.assertNotContains(page, self.olly.get_full_name())
        self.assertNotContains(page, "Otherton Council")

    def test_an_owner_of_another_agency_is_refused_by_the_field_once(self) -> None:
        self.client.force_login(self.charlie)
        item = self.items[DecisionOutcome.ADOPT]
        data = {
            "description": "Share the GP's view",
            "owner_agency": str(self.health.pk),
            "owner_user": str(self.casey.pk),
            **_date("due_on", timezone.localdate() + timedelta(days=7)),
        }
        response = self.client.post(self.url(item, "actions/"), data)
        message = f"{self.casey.get_full_name()} (Testshire Council) is not in Testshire Health"
        # Once in the error summary, once by the field.
        self.assertEqual(response.content.decode().count(message), 2)
        self.assertEqual(response.status_code, 400)
        self.assertFalse(Action.objects.filter(agenda_item=item).exists())
        # Another council's person is not a choice at all.
        data["owner_agency"], data["owner_user"] = str(self.council.pk), str(self.olly.pk)
        self.assertEqual(self.client.post(self.url(item, "actions/"), data).status_code, 400)

    def test_each_error_is_shown_once_in_the_summary_and_once_by_its_field_in_words(self) -> None:
        self.client.force_login(self.charlie)
        item = self.items[DecisionOutcome.ADOPT]
        for path, messages in (
            ("actions/", ["Describe the action", "Select the agency that owns the action"]),
            ("decision/", ["Select the panel&#x27;s decision", "Select how the decision was reached"]),
        ):
            with self.subTest(path=path):
                html = self.client.post(self.url(item, path), {}).content.decode()
                self.assertNotIn("This field is required", html)
                for message in messages:
                    self.assertEqual(html.count(message), 2, message)

    def test_date_hint_and_votes_inputs_are_govuk(self) -> None:
        self.client.force_login(self.charlie)
        page = self.client.get(self.url(self.items[DecisionOutcome.ADOPT]))
        self.assertContains(page, "For example, 27 3 2027")
        html = page.content.decode()
        for name in ("votes_for", "votes_against"):
            [tag] = re.findall(rf'<input[^>]*name="{name}"[^>]*>', html)
            self.assertIn('class="govuk-input govuk-input--width-3"', tag)
            self.assertIn('inputmode="numeric"', tag)
            self.assertIn('type="text"', tag)
            self.assertContains(page, f'<label for="id_{name}" class="govuk-label">')
        response = self.client.post(
            self.url(self.items[DecisionOutcome.ADOPT], "decision/"),
            self.decision_data(DecisionOutcome.ADOPT, {"how_reached": "majority", "votes_for": "lots"}),
        )
        self.assertContains(response, "Votes for must be a whole number", status_code=400)

    def test_next_item_is_at_the_top_and_the_bottom(self) -> None:
        self.client.force_login(self.charlie)
        page = self.client.get(self.url(next(iter(self.items.values())))).content.decode()
        self.assertEqual(page.count(">Next item</span>"), 2)
        self.assertLess(page.index(">Next item</span>"), page.index('<dl class="govuk-summary-list">'))
        self.assertGreater(page.rindex(">Next item</span>"), page.index("Discussion for the minutes"))

    def test_the_whole_case_has_a_way_back_to_the_item(self) -> None:
        self.client.force_login(self.charlie)
        item = self.items[DecisionOutcome.ADOPT]
        page = self.client.get(self.url(item))
        case_url = f"/cases/{item.case.reference}/?from_item={item.reference}"
        self.assertContains(page, f'href="{case_url}"')
        self.assertContains(self.client.get(case_url), f'href="{self.url(item)}" class="govuk-back-link"')
        # An item of another case, or a made-up one, gives no link.
        other = self.items[DecisionOutcome.DEFER]
        stray = self.client.get(f"/cases/{item.case.reference}/?from_item={other.reference}")
        self.assertNotContains(stray, "Back to the meeting")
        self.assertNotContains(self.client.get(f"/cases/{item.case.reference}/?from_item=nonsense"), "Back to")

    def test_decision_and_running_the_meeting_are_offered_only_from_its_start_with_the_reason(self) -> None:
        later = plan_meeting(organiser=self.casey, chair=self.charlie, days_ahead=14)
        [item] = on_agenda(later, make_case(owner=self.casey, stage=Stage.LISTED_FOR_PANEL), actor=self.casey)
        when = f"10:00 on {later.held_on:%-d %B %Y}"
        self.client.force_login(self.charlie)
        meeting_page = self.client.get(f"/cases/meetings/{later.reference}/")
        self.assertNotContains(meeting_page, "Run the meeting")
        self.assertNotContains(meeting_page, "Record attendance</a>")
        self.assertContains(meeting_page, f"You can record attendance and run the meeting from {when}.")
        item_page = self.client.get(f"/cases/meetings/{later.reference}/items/{item.reference}/")
        self.assertNotContains(item_page, "Record the decision</button>")
        self.assertContains(item_page, f"You can record the panel's decision from {when}")
        # The service says the same, in the same words, if asked anyway.
        refused = self.client.post(
            f"/cases/meetings/{later.reference}/items/{item.reference}/decision/",
            self.decision_data(DecisionOutcome.ADOPT, {}),
        )
        self.assertContains(refused, f"decisions can be recorded from {when}", status_code=400)

        begin(later)
        meeting_page = self.client.get(f"/cases/meetings/{later.reference}/")
        self.assertContains(meeting_page, "Run the meeting")
        self.assertNotContains(meeting_page, "You can record attendance and run the meeting from")
        meetings.invite(meeting=later, actor=self.casey, agency=self.police_force)
        meetings.record_attendance(meeting=later, actor=self.casey, present=[self.charlie, self.pat])
        item_page = self.client.get(f"/cases/meetings/{later.reference}/items/{item.reference}/")
        self.assertContains(item_page, "Record the decision</button>")
