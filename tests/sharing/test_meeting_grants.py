"""Meeting-scoped grants: per-case invitees see only their agenda cases, from circulation until a set
time after the meeting, and nothing else the meeting holds."""

from __future__ import annotations

from datetime import timedelta
from unittest import mock

from django.core.exceptions import ValidationError
from django.test import override_settings
from django.utils import timezone

from audit.models import AuditEntry
from cases.models import PanelMeeting, Stage
from cases.services import meetings
from sharing import services
from sharing.access import visible_agenda, visible_cases
from sharing.models import GrantKind, Level, ShareGrant
from tests.base import BaseTestCase
from tests.cases.helpers import make_case
from tests.cases.meeting_helpers import on_agenda, plan_meeting


class MeetingGrantsTestCase(BaseTestCase):
    def setUp(self) -> None:
        self.meeting = plan_meeting(organiser=self.casey, chair=self.charlie, days_ahead=3)
        self.hers = make_case(owner=self.casey, stage=Stage.LISTED_FOR_PANEL)
        self.other = make_case(owner=self.casey, stage=Stage.LISTED_FOR_PANEL)
        self.item, self.other_item = on_agenda(self.meeting, self.hers, self.other, actor=self.casey)

    def visible(self) -> set[str]:
        return set(visible_cases(self.harper).values_list("number", flat=True))

    def test_a_per_case_invitee_sees_only_their_case_from_circulation(self) -> None:
        meetings.invite(meeting=self.meeting, actor=self.casey, user=self.harper, items=[self.item])
        self.assertEqual(self.visible(), set(), "nothing before the agenda is circulated")
        meetings.circulate_agenda(meeting=self.meeting, actor=self.casey)
        self.assertEqual(self.visible(), {self.hers.number})
        self.assertEqual([i.case for i in visible_agenda(self.harper, self.meeting)], [self.hers])
        grant = ShareGrant.objects.get()
        self.assertEqual(
            (grant.kind, grant.level, grant.user, grant.meeting, grant.case),
            (GrantKind.MEETING, Level.FULL, self.harper, self.meeting, self.hers),
        )
        entry = AuditEntry.objects.get(event="sharing.granted")
        self.assertEqual(entry.additional_data["meeting"], str(self.meeting.reference))
        self.assertEqual(entry.additional_data["kind"], "meeting")

    @override_settings(MEETING_ACCESS_DAYS=2)
    def test_access_ends_the_set_time_after_the_meeting(self) -> None:
        meetings.invite(meeting=self.meeting, actor=self.casey, agency=self.health, items=[self.item])
        meetings.circulate_agenda(meeting=self.meeting, actor=self.casey)
        ends = self.meeting.starts + timedelta(days=2)
        self.assertEqual(ShareGrant.objects.get().ends_at, ends)
        with mock.patch("django.utils.timezone.now", return_value=ends - timedelta(minutes=1)):
            self.assertEqual(self.visible(), {self.hers.number})
        with mock.patch("django.utils.timezone.now", return_value=ends):
            self.assertEqual(self.visible(), set())
        # The housekeeping task then removes the guardian permission; access had already stopped.
        self.assertEqual(services.tidy_ended_grants(now=ends), 1)
        self.assertEqual(self.visible(), set())

    def test_inviting_after_circulation_grants_at_once(self) -> None:
        meetings.circulate_agenda(meeting=self.meeting, actor=self.casey)
        meetings.invite(meeting=self.meeting, actor=self.casey, user=self.harper, items=[self.other_item])
        self.assertEqual(self.visible(), {self.other.number})

    def test_core_members_get_no_grants(self) -> None:
        meetings.invite(meeting=self.meeting, actor=self.casey, agency=self.health)
        meetings.circulate_agenda(meeting=self.meeting, actor=self.casey)
        self.assertFalse(ShareGrant.objects.exists())
        self.assertEqual(list(visible_agenda(self.harper, self.meeting)), [])

    def test_the_owning_council_is_never_granted_its_own_case(self) -> None:
        self.assertIsNone(
            services.grant_meeting_access(meeting=self.meeting, case=self.hers, actor=self.casey, user=self.charlie)
        )
        self.assertFalse(ShareGrant.objects.exists())

    def test_end_meeting_access_stops_one_invitees_grants_now(self) -> None:
        meetings.invite(meeting=self.meeting, actor=self.casey, user=self.harper, items=[self.item, self.other_item])
        meetings.invite(meeting=self.meeting, actor=self.casey, user=self.olly, items=[self.item])
        meetings.circulate_agenda(meeting=self.meeting, actor=self.casey)
        self.assertEqual(services.end_meeting_access(meeting=self.meeting, actor=self.casey, user=self.harper), 2)
        self.assertEqual(self.visible(), set())
        self.assertEqual(set(visible_cases(self.olly).values_list("number", flat=True)), {self.hers.number})
        self.assertEqual(AuditEntry.objects.filter(event="sharing.revoked").count(), 2)

    def test_no_grant_once_the_access_period_is_over(self) -> None:
        later = self.meeting.starts + timedelta(days=30)
        with (
            mock.patch("django.utils.timezone.now", return_value=later),
            self.assertRaisesMessage(ValidationError, "already ended"),
        ):
            services.grant_meeting_access(meeting=self.meeting, case=self.hers, actor=self.casey, user=self.harper)

    def test_the_agenda_cannot_be_circulated_twice_or_empty(self) -> None:
        empty = plan_meeting(organiser=self.casey, chair=self.charlie, days_ahead=10)
        with self.assertRaisesMessage(ValidationError, "at least one case"):
            meetings.circulate_agenda(meeting=empty, actor=self.casey)
        meetings.circulate_agenda(meeting=self.meeting, actor=self.casey)
        with self.assertRaisesMessage(ValidationError, "already been circulated"):
            meetings.circulate_agenda(meeting=self.meeting, actor=self.casey)
        circulated = PanelMeeting.objects.get(pk=self.meeting.pk).circulated_at
        assert circulated is not None
        self.assertLessEqual(circulated, timezone.now())

    def test_the_invitee_sees_the_meeting_with_only_their_item(self) -> None:
        meetings.invite(meeting=self.meeting, actor=self.casey, user=self.harper, items=[self.item])
        meetings.circulate_agenda(meeting=self.meeting, actor=self.casey)
        self.client.force_login(self.harper)
        page = self.client.get(f"/cases/meetings/{self.meeting.reference}/")
        self.assertContains(page, self.hers.number)
        self.assertNotContains(page, self.other.number)
        self.assertContains(page, "1 other item on the agenda is not shared with you")
        self.assertEqual(self.client.get(f"/cases/{self.other.reference}/").status_code, 404)
        shown = AuditEntry.objects.filter(event="meeting.agenda_viewed", actor=self.harper)
        self.assertEqual(list(shown.values_list("case_reference", flat=True)), [self.hers.number])
