"""seed_demo's panel meetings: past ones with approved minutes holding the walked decisions, and the next
one with an agenda built from the cases waiting for a panel, circulated to its invitees."""

from __future__ import annotations

from io import StringIO

from django.core.management import call_command
from django.test import TestCase
from django.utils import timezone

from cases.models import AgendaItem, Attendance, Decision, MeetingStatus, PanelMeeting, Stage
from partners.models import User
from sharing.access import visible_agenda
from sharing.models import GrantKind, ShareGrant


class DemoMeetingsTestCase(TestCase):
    @classmethod
    def setUpTestData(cls) -> None:
        call_command("seed_demo", stdout=StringIO())

    def test_every_decision_was_taken_at_a_past_meeting_with_approved_minutes(self) -> None:
        self.assertFalse(Decision.objects.filter(agenda_item__isnull=True).exists())
        past = PanelMeeting.objects.filter(status=MeetingStatus.APPROVED)
        self.assertGreaterEqual(past.count(), 3)
        for meeting in past:
            self.assertLess(meeting.held_on, timezone.localdate())
            self.assertTrue(meeting.items.exists())
            present = set(
                Attendance.objects.filter(meeting=meeting, present=True).values_list("user__username", flat=True)
            )
            self.assertLessEqual({"chair", "police"}, present)
        self.assertEqual(
            set(Decision.objects.values_list("agenda_item__meeting__status", flat=True)), {MeetingStatus.APPROVED}
        )

    def test_the_next_meeting_has_a_circulated_agenda_and_meeting_scoped_grants(self) -> None:
        upcoming = PanelMeeting.objects.upcoming()
        self.assertEqual(upcoming.count(), 1)
        meeting = upcoming.get()
        self.assertEqual(meeting.status, MeetingStatus.CIRCULATED)
        self.assertGreater(meeting.held_on, timezone.localdate())
        stages = set(AgendaItem.objects.filter(meeting=meeting).values_list("case__stage", flat=True))
        self.assertIn(Stage.LISTED_FOR_PANEL, stages)
        self.assertIn(Stage.UNDER_REVIEW, stages)
        grants = ShareGrant.objects.filter(meeting=meeting, kind=GrantKind.MEETING)
        self.assertEqual(set(grants.values_list("agency__code", flat=True)), {"nat", "ncs"})
        education = User.objects.get(username="education")
        granted = set(grants.filter(agency__code="nat").values_list("case_id", flat=True))
        self.assertTrue(granted)
        self.assertLessEqual(granted, {item.case_id for item in visible_agenda(education, meeting)})

    def test_seeding_again_adds_no_meeting(self) -> None:
        before = PanelMeeting.objects.count()
        call_command("seed_demo", stdout=StringIO())
        self.assertEqual(PanelMeeting.objects.count(), before)
