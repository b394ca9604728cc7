"""Approving the minutes: drafted from the decisions, approved by the chair, then locked; circulation
to each attendee is audited with the cases their copy holds."""

from __future__ import annotations

import uuid

from django.core import mail
from django.core.exceptions import ValidationError
from django.utils import timezone

from audit.models import AuditEntry, Outcome
from cases.models import DecisionOutcome, MeetingStatus, PanelMeeting, Stage
from cases.services import casework, meetings
from sharing.access import minutes_copies
from tests.base import BaseTestCase
from tests.cases.helpers import decide, make_case
from tests.cases.meeting_helpers import attend, begin, on_agenda, plan_meeting


class ApproveMinutesTestCase(BaseTestCase):
    def setUp(self) -> None:
        self.meeting = plan_meeting(organiser=self.casey, chair=self.charlie)
        self.shared = make_case(owner=self.casey, stage=Stage.LISTED_FOR_PANEL)
        self.kept = make_case(owner=self.casey, stage=Stage.LISTED_FOR_PANEL)
        self.item, self.kept_item = on_agenda(self.meeting, self.shared, self.kept, actor=self.casey)
        meetings.invite(meeting=self.meeting, actor=self.casey, agency=self.police_force)
        meetings.invite(meeting=self.meeting, actor=self.casey, user=self.harper, items=[self.item])
        meetings.circulate_agenda(meeting=self.meeting, actor=self.casey)
        attend(self.meeting, self.charlie, self.pat, self.harper, actor=self.casey)

    def decide_all(self) -> None:
        decide(self.shared, DecisionOutcome.ADOPT, actor=self.charlie, agenda_item=self.item)
        decide(self.kept, DecisionOutcome.DEFER, actor=self.charlie, agenda_item=self.kept_item)

    def approve(self) -> PanelMeeting:
        people = meetings.present_attendees(self.meeting)
        return meetings.approve_minutes(
            meeting=self.meeting, actor=self.charlie, copies=minutes_copies(self.meeting, people)
        )

    def test_it_locks_the_meeting_and_records_each_attendees_copy(self) -> None:
        self.decide_all()
        with self.captureOnCommitCallbacks(execute=True):
            approved = self.approve()
        self.assertEqual((approved.status, approved.approved_by), (MeetingStatus.APPROVED, self.charlie))
        self.assertTrue(approved.is_locked)
        copies = {
            e.additional_data["to_user"]: e.additional_data["cases"]
            for e in AuditEntry.objects.filter(event="meeting.minutes_circulated")
        }
        self.assertEqual(
            copies,
            {
                "charlie": [self.shared.number, self.kept.number],
                "pat": [self.shared.number, self.kept.number],
                "harper": [self.shared.number],
            },
        )
        self.assertTrue(AuditEntry.objects.filter(event="meeting.minutes_approved", actor=self.charlie).exists())
        # Each attendee is told by email, which holds a link and no case content.
        self.assertEqual(len(mail.outbox), 3)
        self.assertNotIn(self.shared.number, mail.outbox[0].body)

    def test_an_item_without_decision_or_discussion_blocks_approval(self) -> None:
        decide(self.shared, DecisionOutcome.ADOPT, actor=self.charlie, agenda_item=self.item)
        with self.assertRaisesMessage(ValidationError, self.kept.number):
            self.approve()
        meetings.record_discussion(item=self.kept_item, actor=self.charlie, discussion="Not reached; next panel.")
        self.assertTrue(self.approve().is_locked)

    def test_approval_needs_the_meeting_to_have_started_and_the_attendance(self) -> None:
        fresh = plan_meeting(organiser=self.casey, chair=self.charlie, days_ahead=20)
        with self.assertRaisesMessage(ValidationError, "once the meeting has taken place: it starts at 10:00 on"):
            meetings.approve_minutes(meeting=fresh, actor=self.charlie, copies={})
        begin(fresh)
        with self.assertRaisesMessage(ValidationError, "Record the attendance"):
            meetings.approve_minutes(meeting=fresh, actor=self.charlie, copies={})

    def test_approve_is_offered_only_when_it_can_succeed_with_the_reason_before(self) -> None:
        fresh = plan_meeting(organiser=self.casey, chair=self.charlie, days_ahead=20)
        self.client.force_login(self.charlie)
        url = f"/cases/meetings/{fresh.reference}/minutes/"
        before = self.client.get(url)
        self.assertNotContains(before, "Approve the minutes</button>")
        self.assertContains(before, f"it starts at 10:00 on {fresh.held_on:%-d %B %Y}")
        self.decide_all()
        after = self.client.get(f"/cases/meetings/{self.meeting.reference}/minutes/")
        self.assertContains(after, "Approve the minutes</button>")
        self.assertNotContains(after, "once the meeting has taken place")

    def test_locked_minutes_refuse_every_change(self) -> None:
        self.decide_all()
        self.approve()
        later = make_case(owner=self.casey, stage=Stage.LISTED_FOR_PANEL)
        changes = {
            "approve again": lambda: self.approve(),
            "attendance": lambda: meetings.record_attendance(meeting=self.meeting, actor=self.charlie, present=[]),
            "agenda": lambda: on_agenda(self.meeting, later, actor=self.casey),
            "remove": lambda: meetings.remove_from_agenda(item=self.item, actor=self.casey),
            "invite": lambda: meetings.invite(meeting=self.meeting, actor=self.casey, user=self.olly),
            "discussion": lambda: meetings.record_discussion(item=self.item, actor=self.charlie, discussion="x"),
            "action": lambda: casework.add_action(
                case=self.shared,
                actor=self.charlie,
                description="Late action",
                owner_agency=self.council,
                due_on=timezone.localdate(),
                agenda_item=self.item,
            ),
        }
        for name, change in changes.items():
            with self.subTest(change=name), self.assertRaisesMessage(ValidationError, "approved and locked"):
                change()
        self.assertEqual(self.meeting.items.count(), 2)

    # --- pages --------------------------------------------------------------------------------------

    def test_the_chair_approves_on_the_minutes_page(self) -> None:
        self.decide_all()
        self.client.force_login(self.charlie)
        draft = self.client.get(f"/cases/meetings/{self.meeting.reference}/minutes/")
        self.assertContains(draft, "Draft, from the decisions recorded")
        self.assertContains(draft, "Decision: Adopt as a Channel case")
        response = self.client.post(f"/cases/meetings/{self.meeting.reference}/minutes/approve/")
        self.assertRedirects(response, f"/cases/meetings/{self.meeting.reference}/minutes/")
        self.assertContains(self.client.get(response["Location"]), "Download your copy (PDF)")

    def test_draft_minutes_are_the_councils_until_approved(self) -> None:
        self.decide_all()
        self.client.force_login(self.harper)
        hidden = self.client.get(f"/cases/meetings/{self.meeting.reference}/minutes/")
        missing = self.client.get(f"/cases/meetings/{uuid.uuid4()}/minutes/")
        self.assertEqual((hidden.status_code, hidden.content), (404, missing.content))
        # Recorded as what it was, a refusal: never as an allowed view of the meeting.
        rows = AuditEntry.objects.filter(event="meeting.viewed", actor=self.harper, object_pk=str(self.meeting.pk))
        self.assertEqual(
            list(rows.values_list("outcome", "additional_data")), [(Outcome.DENIED, {"reason": "minutes not approved"})]
        )
        self.assertFalse(AuditEntry.objects.filter(event="meeting.minutes_viewed").exists())

    def test_reading_the_minutes_is_in_each_cases_access_history(self) -> None:
        self.decide_all()
        self.approve()
        url = f"/cases/meetings/{self.meeting.reference}/minutes/"
        for user in (self.harper, self.charlie):
            self.client.force_login(user)
            self.assertEqual(self.client.get(url).status_code, 200)
        rows = AuditEntry.objects.filter(event="meeting.minutes_viewed").order_by("id")
        self.assertEqual(
            list(rows.values_list("actor__username", "case_reference", "object_pk")),
            [
                ("harper", self.shared.number, str(self.shared.pk)),
                ("charlie", self.shared.number, str(self.shared.pk)),
                ("charlie", self.kept.number, str(self.kept.pk)),
            ],
        )
        self.assertEqual(rows[0].additional_data, {"meeting": str(self.meeting.reference)})

    def test_permission_trio_and_audit_for_approval(self) -> None:
        self.decide_all()
        url = f"/cases/meetings/{self.meeting.reference}/minutes/approve/"
        for user, status in ((self.casey, 403), (self.harper, 403), (self.olly, 404), (self.charlie, 302)):
            self.client.force_login(user)
            self.assertEqual(self.client.post(url).status_code, status, user.username)
        rows = list(
            AuditEntry.objects.filter(event="meeting.chair_meeting")
            .order_by("id")
            .values_list("actor__username", "outcome")
        )
        self.assertEqual(
            rows,
            [
                ("casey", Outcome.DENIED),
                ("harper", Outcome.DENIED),
                ("olly", Outcome.DENIED),
                ("charlie", Outcome.ALLOWED),
            ],
        )
