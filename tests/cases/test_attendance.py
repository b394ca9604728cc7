"""Attendance: who is on the register, recording it, and how it makes a decision valid or not."""

from __future__ import annotations

from django.core.exceptions import ValidationError

from audit.models import AuditEntry, Outcome
from cases.models import Attendance, DecisionOutcome, MeetingStatus, PanelMeeting, Stage
from cases.services import decisions, meetings
from partners.models import Role
from tests.base import BaseTestCase
from tests.cases.helpers import decide, make_case
from tests.cases.meeting_helpers import begin, on_agenda, plan_meeting
from tests.factories import make_user


class AttendanceTestCase(BaseTestCase):
    def setUp(self) -> None:
        self.meeting = plan_meeting(organiser=self.casey, chair=self.charlie)
        self.case = make_case(owner=self.casey, stage=Stage.LISTED_FOR_PANEL)
        [self.item] = on_agenda(self.meeting, self.case, actor=self.casey)
        begin(self.meeting)

    def present(self) -> set[str]:
        return set(
            Attendance.objects.filter(meeting=self.meeting, present=True).values_list("user__username", flat=True)
        )

    def url(self) -> str:
        return f"/cases/meetings/{self.meeting.reference}/attendance/"

    def test_the_register_lists_the_chair_first_the_council_and_invitees(self) -> None:
        provider_agency_user = make_user(agency=self.health, role=Role.INTERVENTION_PROVIDER)
        meetings.invite(meeting=self.meeting, actor=self.casey, agency=self.police_force)
        meetings.invite(meeting=self.meeting, actor=self.casey, user=self.harper, items=[self.item])
        people = meetings.expected_attendees(self.meeting)
        self.assertEqual(people[0], self.charlie)
        self.assertEqual(set(people), {self.charlie, self.casey, self.pat, self.harper})
        self.assertNotIn(provider_agency_user, people, "only the invited person of that agency")
        self.assertNotIn(self.audrey, people, "auditors never attend")

    def test_it_records_present_and_absent_and_can_be_recorded_again(self) -> None:
        meetings.invite(meeting=self.meeting, actor=self.casey, agency=self.police_force)
        meetings.record_attendance(meeting=self.meeting, actor=self.charlie, present=[self.charlie])
        meetings.record_attendance(meeting=self.meeting, actor=self.charlie, present=[self.charlie, self.pat])
        rows = dict(Attendance.objects.filter(meeting=self.meeting).values_list("user__username", "present"))
        self.assertEqual(rows, {"charlie": True, "pat": True, "casey": False})
        entries = AuditEntry.objects.filter(event="meeting.attendance_recorded").order_by("id")
        self.assertEqual(
            [e.additional_data for e in entries], [{"present": 1, "absent": 2}, {"present": 2, "absent": 1}]
        )

    def test_it_refuses_someone_not_on_the_register(self) -> None:
        with self.assertRaisesMessage(ValidationError, "attendance register"):
            meetings.record_attendance(meeting=self.meeting, actor=self.charlie, present=[self.olly])
        self.assertFalse(Attendance.objects.exists())

    def test_attendance_decides_whether_the_panel_may_decide(self) -> None:
        meetings.invite(meeting=self.meeting, actor=self.casey, agency=self.police_force)
        problems = decisions.quorum_problems
        meetings.record_attendance(meeting=self.meeting, actor=self.charlie, present=[self.pat])
        self.assertEqual(
            problems(meeting=self.meeting, case=self.case),
            ["A panel decision needs the chair, or a deputy chair of the panel, present (CTSA 2015 s.37)."],
        )
        meetings.record_attendance(meeting=self.meeting, actor=self.charlie, present=[self.charlie])
        self.assertEqual(
            problems(meeting=self.meeting, case=self.case),
            ["A panel decision needs a police representative for Testshire present (CTSA 2015 s.37(3))."],
        )
        meetings.record_attendance(meeting=self.meeting, actor=self.charlie, present=[self.charlie, self.pat])
        self.assertEqual(problems(meeting=self.meeting, case=self.case), [])

    def test_it_refuses_attendance_before_the_meeting_starts(self) -> None:
        later = plan_meeting(organiser=self.casey, chair=self.charlie, days_ahead=1)
        with self.assertRaisesMessage(ValidationError, "The meeting has not started yet: attendance can be recorded"):
            meetings.record_attendance(meeting=later, actor=self.charlie, present=[self.charlie])
        self.assertFalse(Attendance.objects.filter(meeting=later).exists())
        self.assertFalse(AuditEntry.objects.filter(event="meeting.attendance_recorded").exists())

    def test_it_refuses_to_leave_a_recorded_decision_without_its_quorum(self) -> None:
        second = make_case(owner=self.casey, stage=Stage.LISTED_FOR_PANEL)
        [second_item] = on_agenda(self.meeting, second, actor=self.casey)
        meetings.invite(meeting=self.meeting, actor=self.casey, agency=self.police_force)
        meetings.invite(meeting=self.meeting, actor=self.casey, agency=self.health)
        meetings.record_attendance(meeting=self.meeting, actor=self.charlie, present=[self.charlie, self.pat])
        decide(self.case, DecisionOutcome.ADOPT, actor=self.charlie, agenda_item=self.item)
        decide(second, DecisionOutcome.DEFER, actor=self.charlie, agenda_item=second_item)
        for gone, present in (("police", [self.charlie]), ("chair", [self.pat])):
            with (
                self.subTest(absent=gone),
                self.assertRaisesMessage(
                    ValidationError, f"The decisions on {self.case.number}, {second.number} were taken with the chair"
                ),
            ):
                meetings.record_attendance(meeting=self.meeting, actor=self.charlie, present=present)
        self.assertEqual(self.present(), {"charlie", "pat"})
        self.assertEqual(AuditEntry.objects.filter(event="meeting.attendance_recorded").count(), 1)
        # Someone arriving late changes nothing the decisions stood on.
        meetings.record_attendance(
            meeting=self.meeting, actor=self.charlie, present=[self.charlie, self.pat, self.harper]
        )
        self.assertEqual(self.present(), {"charlie", "pat", "harper"})

    def test_the_page_names_the_decisions_an_absence_would_invalidate(self) -> None:
        meetings.invite(meeting=self.meeting, actor=self.casey, agency=self.police_force)
        meetings.record_attendance(meeting=self.meeting, actor=self.charlie, present=[self.charlie, self.pat])
        decide(self.case, DecisionOutcome.ADOPT, actor=self.charlie, agenda_item=self.item)
        self.client.force_login(self.charlie)
        response = self.client.post(self.url(), {"present": [str(self.charlie.pk)]})
        self.assertContains(response, f"The decision on {self.case.number} was taken with the chair", status_code=400)
        self.assertEqual(self.present(), {"charlie", "pat"})

    def test_locked_minutes_refuse_attendance_changes(self) -> None:
        PanelMeeting.objects.filter(pk=self.meeting.pk).update(status=MeetingStatus.APPROVED)
        with self.assertRaisesMessage(ValidationError, "approved and locked"):
            meetings.record_attendance(meeting=self.meeting, actor=self.charlie, present=[self.charlie])

    # --- page ---------------------------------------------------------------------------------------

    def test_the_chair_records_attendance_on_the_page(self) -> None:
        meetings.invite(meeting=self.meeting, actor=self.casey, agency=self.police_force)
        self.client.force_login(self.charlie)
        page = self.client.get(self.url())
        self.assertContains(page, "Who is present?")
        response = self.client.post(self.url(), {"present": [str(self.charlie.pk), str(self.pat.pk)]})
        self.assertRedirects(response, f"/cases/meetings/{self.meeting.reference}/")
        self.assertEqual(
            set(Attendance.objects.filter(present=True).values_list("user__username", flat=True)), {"charlie", "pat"}
        )

    def test_a_forged_attendee_is_refused(self) -> None:
        self.client.force_login(self.charlie)
        response = self.client.post(self.url(), {"present": [str(self.olly.pk)]})
        self.assertEqual(response.status_code, 400)
        self.assertFalse(Attendance.objects.exists())

    def test_permission_trio_and_audit(self) -> None:
        self.client.force_login(self.casey)  # the coordinator organises, but only a chair runs the meeting
        self.assertEqual(self.client.get(self.url()).status_code, 403)
        self.client.force_login(self.harper)  # not invited
        self.assertEqual(self.client.get(self.url()).status_code, 404)
        self.client.force_login(self.charlie)
        self.assertEqual(self.client.get(self.url()).status_code, 200)
        rows = list(
            AuditEntry.objects.filter(event="meeting.chair_meeting")
            .order_by("id")
            .values_list("actor__username", "outcome")
        )
        self.assertEqual(rows, [("casey", Outcome.DENIED), ("harper", Outcome.DENIED), ("charlie", Outcome.ALLOWED)])
